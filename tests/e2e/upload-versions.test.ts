/**
 * Uploading a recording that was uploaded or exported before, end to end (real renderer in
 * Chromium, the harness's real upload queue and export service, the real library server): the
 * title typed in the Upload dialog is the card's title; a second upload updates the video already
 * in the library under the same link unless "Upload as a new video" is chosen; and an upload
 * sends the export already made from the same edits instead of exporting again.
 *
 * These are the ways of a library that does not apply edits itself (older than issue 13): the app
 * still exports first and replaces the video for it. The library here is made to say so — it
 * announces no `features` — since one that applies edits gets the recording as it is and its edits
 * instead (tests/e2e/live-edits.test.ts).
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type Page } from 'playwright-core'
import { BASE_CHROMIUM_ARGS, chromiumPath } from '../support/chromium'
import { startHarnessProcess, type HarnessProcess } from '../support/harness-process'
import {
  downloadedSha256,
  listVideos,
  startTestLibrary,
  type ListedVideo,
  type TestLibrary
} from '../support/library'
import { LIBRARY_FEATURES } from '../../server/src/api/me'
import { makeFinishedProject } from '../support/projects'
import { throttleCpuForStress } from './cpu-throttle'
import { waitUntil } from './wait-until'

let browser: Browser
const cleanups: (() => Promise<void> | void)[] = []

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...BASE_CHROMIUM_ARGS]
  })
})

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined)
  await browser?.close().catch(() => undefined)
})

// An older library: /api/me lists no features (restored after this file).
const features = LIBRARY_FEATURES as unknown as string[]
const announced = [...features]
features.length = 0
afterAll(() => {
  features.push(...announced)
})

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `sidecast-e2e-${prefix}-`))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** This file's waits allow a minute (an export and an upload on a busy machine). */
const waitLong = <T>(
  what: string,
  check: () => T | null | undefined | false | Promise<T | null | undefined | false>
): Promise<T> => waitUntil(what, check, 60_000)

async function start(): Promise<{ library: TestLibrary; app: HarnessProcess; dataDir: string }> {
  const library = await startTestLibrary()
  cleanups.push(() => library.dispose())
  const dataDir = tempDir('versions')
  const app = await startHarnessProcess(dataDir, {
    SIDECAST_LIBRARY_URL: library.url,
    SIDECAST_LIBRARY_TOKEN: library.token
  })
  cleanups.push(() => app.stop())
  return { library, app, dataDir }
}

async function openApp(app: HarnessProcess): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  cleanups.push(() => context.close())
  const page = await context.newPage()
  await throttleCpuForStress(page)
  await page.goto(app.url)
  return page
}

function posts(library: TestLibrary): number {
  return library.requests.filter((r) => r.method === 'POST' && r.path === '/api/uploads').length
}

describe('uploading a recording again', () => {
  it("the dialog's title on the card, and a second upload leaves one library entry with the same link", async () => {
    const { library, app, dataDir } = await start()
    const facts = await makeFinishedProject(dataDir, { seconds: 2, width: 320, height: 240 })
    const page = await openApp(app)

    // First upload, under a new title: the card takes that title.
    await page
      .getByRole('button', { name: `Upload “${facts.title}”`, exact: true })
      .click({ timeout: 30_000 })
    let dialog = page.getByRole('dialog', { name: /^Upload/ })
    await dialog.waitFor()
    // Nothing is in the library yet: no choice to make.
    expect(await dialog.getByRole('radio').count()).toBe(0)
    await dialog.getByLabel('Title', { exact: true }).fill('Quarterly demo')
    await dialog.getByRole('button', { name: 'Upload', exact: true }).click()

    await page
      .getByRole('button', { name: 'Copy link to “Quarterly demo”', exact: true })
      .waitFor({ timeout: 90_000 })
    await page.getByRole('article', { name: 'Quarterly demo' }).waitFor()
    const first = await waitLong('the first video', async () => {
      const videos = await listVideos(library)
      return videos.length === 1 ? videos[0] : null
    })
    expect(first.title).toBe('Quarterly demo')
    const card = page.getByRole('article', { name: 'Quarterly demo' })
    expect(await card.getByTitle(/^http/).getAttribute('title')).toBe(first.url)

    // Again, with another title: "Update the video in the library (same link)" is the default.
    await page.getByRole('button', { name: 'Upload “Quarterly demo” again', exact: true }).click()
    dialog = page.getByRole('dialog', { name: /^Upload/ })
    await dialog.waitFor()
    const update = dialog.getByRole('radio', { name: /^Update the video in the library/ })
    expect(await update.isChecked()).toBe(true)
    expect(await dialog.getByRole('radio', { name: /^Upload as a new video/ }).isChecked()).toBe(
      false
    )
    await dialog.getByLabel('Title', { exact: true }).fill('Quarterly demo, take two')
    await dialog.getByRole('button', { name: 'Upload', exact: true }).click()

    const updated = await waitLong('the video to take the new title', async () => {
      const videos = await listVideos(library)
      return videos.some((v) => v.title === 'Quarterly demo, take two') ? videos : null
    })
    expect(updated.map((v: ListedVideo) => [v.id, v.url])).toEqual([[first.id, first.url]])
    expect(posts(library)).toBe(2)
    const renamed = page.getByRole('article', { name: 'Quarterly demo, take two' })
    await renamed
      .getByRole('button', { name: 'Copy link to “Quarterly demo, take two”', exact: true })
      .waitFor({ timeout: 90_000 })
    expect(await renamed.getByTitle(/^http/).getAttribute('title')).toBe(first.url)

    // "Upload as a new video" is the explicit way to a second entry with a new link.
    await page
      .getByRole('button', { name: 'Upload “Quarterly demo, take two” again', exact: true })
      .click()
    dialog = page.getByRole('dialog', { name: /^Upload/ })
    await dialog.waitFor()
    await dialog.getByRole('radio', { name: /^Upload as a new video/ }).check()
    await dialog.getByRole('button', { name: 'Upload', exact: true }).click()
    const both = await waitLong('a second video', async () => {
      const videos = await listVideos(library)
      return videos.length === 2 ? videos : null
    })
    const second = both.find((v) => v.id !== first.id)!
    expect(second.url).not.toBe(first.url)
    await waitLong(
      'the card to link to the new video',
      async () => (await renamed.getByTitle(/^http/).getAttribute('title')) === second.url
    )
  })
})

describe('uploading a recording exported before', () => {
  it('sends the export made from the same edits, without exporting again', async () => {
    const { library, app, dataDir } = await start()
    const facts = await makeFinishedProject(dataDir, { seconds: 4, width: 320, height: 240 })
    const projectDir = join(dataDir, 'projects', facts.id)
    // A trim: the upload needs an export.
    writeFileSync(
      join(projectDir, 'edits.json'),
      JSON.stringify({ version: 1, keep: [[0, 2500]], annotations: [] })
    )
    const page = await openApp(app)

    // The user exports it with the default preset (the one uploads use).
    await page
      .getByRole('button', { name: `Export “${facts.title}”`, exact: true })
      .click({ timeout: 30_000 })
    const exportDialog = page.getByRole('dialog', { name: /^Export/ })
    await exportDialog.getByRole('button', { name: 'Export', exact: true }).click()
    await exportDialog
      .getByRole('button', { name: 'Show in folder', exact: true })
      .waitFor({ timeout: 90_000 })
    await exportDialog.getByRole('button', { name: 'Close', exact: true }).click()
    const exported = readdirSync(join(projectDir, 'exports')).filter((f) => f.endsWith('.mp4'))
    expect(exported).toHaveLength(1)
    const exportFile = join(projectDir, 'exports', exported[0]!)

    // From here on no export can run: the chosen ffmpeg does not exist (never a silent fallback).
    const set = (await page.evaluate(
      `window.api.invoke('settings:set', { ffmpegPath: '/nonexistent/sidecast-test/ffmpeg' })`
    )) as { ok: boolean }
    expect(set.ok).toBe(true)

    await page
      .getByRole('button', { name: `Upload “${facts.title}”`, exact: true })
      .click({ timeout: 30_000 })
    const dialog = page.getByRole('dialog', { name: /^Upload/ })
    await dialog.waitFor()
    await dialog.getByRole('button', { name: 'Upload', exact: true }).click()
    await page
      .getByRole('button', { name: `Copy link to “${facts.title}”`, exact: true })
      .waitFor({ timeout: 90_000 })

    const [video] = await listVideos(library)
    expect(await downloadedSha256(library, video!)).toBe(
      createHash('sha256').update(readFileSync(exportFile)).digest('hex')
    )
  })
})
