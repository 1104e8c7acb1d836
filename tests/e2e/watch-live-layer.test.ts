/**
 * The watch page's live layer (issue 13) in real headless Chromium against a real library server
 * (127.0.0.1, port 0) with a real video uploaded by tus and its edits sent by the API: callout
 * text is in the page only while the player is inside its range, the progress bar's markers seek,
 * the duration shown is the edited length, and a new edits version shows without a reload. The
 * e2e setup fails a test on any Content-Security-Policy violation.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLibraryServer, type LibraryServer } from '../../server/src/app'
import { loadConfig } from '../../server/src/config'
import { BASE_CHROMIUM_ARGS, chromiumPath } from '../support/chromium'
import { makeTestVideo, tusUpload } from '../server/helpers-pages/fixtures'

const A_TEXT = 'Alpha step'
const A_FIXED = 'Alpha fixed'
const B_TEXT = 'Bravo step'

let dir: string
let srv: LibraryServer
let base: string
let browser: Browser
let aliceToken: string
let videoId: string

function callout(id: string, text: string, startMs: number, endMs: number): unknown {
  return { id, type: 'callout', startMs, endMs, x: 0.1, y: 0.1, w: 0.8, h: 0.3, text }
}

/** Sends edits as the app does (owner's token), based on `baseVersion`; returns the new version. */
async function putEdits(baseVersion: number, aText: string): Promise<number> {
  const response = await fetch(`${base}/api/videos/${videoId}/edits`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${aliceToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      baseVersion,
      edits: {
        version: 1,
        keep: [],
        annotations: [callout('a', aText, 1000, 2500), callout('b', B_TEXT, 3000, 4500)]
      }
    })
  })
  const body = (await response.json()) as { version?: number; error?: string }
  expect(response.status, body.error).toBe(200)
  return body.version!
}

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    baseURL: base
  })
  const page = await context.newPage()
  page.setDefaultTimeout(30_000)
  return { context, page }
}

async function signIn(page: Page, name: string, password: string): Promise<void> {
  await page.goto('/signin')
  await page.getByLabel('Name').fill(name)
  await page.getByLabel('Password').fill(password)
  await Promise.all([
    page.waitForURL((url) => url.pathname !== '/signin'),
    page.getByRole('button', { name: 'Sign in' }).click()
  ])
}

/**
 * Waits until `expression` is true in the page, asking it again and again from here: a
 * `waitForFunction` would poll with eval in the page, which its CSP refuses.
 */
async function until(page: Page, expression: string): Promise<void> {
  await expect.poll(() => page.evaluate(expression), { timeout: 30_000 }).toBe(true)
}

/** Opens the watch page and waits for the live layer to run and the video to know its length. */
async function openWatch(page: Page): Promise<void> {
  await page.goto(`/v/${videoId}`)
  await page.locator('.player.live').waitFor({ state: 'attached' })
  await until(page, `document.querySelector('#player').readyState >= 1`)
}

/** Sets the player's time and resolves once Chromium says the seek is done. */
async function seekTo(page: Page, seconds: number): Promise<void> {
  await page.evaluate(`new Promise((resolve) => {
    const video = document.querySelector('#player')
    video.addEventListener('seeked', () => resolve(undefined), { once: true })
    video.currentTime = ${seconds}
  })`)
}

/** A callout's text drawn over the player (the side list of callouts always has it). */
function drawn(page: Page, text: string): ReturnType<Page['locator']> {
  return page.locator('.live-layer').getByText(text, { exact: true })
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sidecast-live-layer-'))
  const file = join(dir, 'clip.webm')
  await makeTestVideo(file)
  const config = loadConfig(['--data', join(dir, 'data'), '--port', '0', '--host', '127.0.0.1'], {})
  srv = await createLibraryServer(config)
  base = srv.url
  const alice = await srv.library.db.createUser('alice', 'correct horse battery', false)
  await srv.library.db.createUser('bob', 'bob password 1', false)
  aliceToken = (await srv.library.db.createToken(alice.id, 'test laptop')).token
  videoId = await tusUpload(base, aliceToken, await readFile(file), {
    filename: 'clip.webm',
    title: 'Live layer',
    durationMs: '6000'
  })
  expect(await putEdits(0, A_TEXT)).toBe(1)
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...BASE_CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required']
  })
})

afterAll(async () => {
  await browser?.close().catch(() => undefined)
  await srv?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('the watch page draws the edits live', () => {
  it('serves the live module as a static script, revalidated by its ETag', async () => {
    const first = await fetch(`${base}/public/live-callouts.js`)
    expect(first.status).toBe(200)
    expect(first.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect(first.headers.get('cache-control')).toBe('no-cache')
    expect(first.headers.get('content-security-policy')).toContain("default-src 'self'")
    const etag = first.headers.get('etag')
    expect(etag).toMatch(/^"[\w-]+"$/)
    expect((await first.text()).length).toBeGreaterThan(1000)
    const again = await fetch(`${base}/public/live-callouts.js`, {
      headers: { 'If-None-Match': etag! }
    })
    expect(again.status).toBe(304)
  })

  it('shows each callout only in its range, seeks from the markers, redraws a new version', async () => {
    const { context, page } = await newPage()
    try {
      await signIn(page, 'bob', 'bob password 1')
      await openWatch(page)

      // The duration shown is the edited length the view reports (no cut here: 6 s).
      const viewResponse = await page.request.get(`/api/videos/${videoId}/view`)
      const view = (await viewResponse.json()) as { durationMs: number; version: number }
      expect(view.version).toBe(1)
      expect(view.durationMs).toBe(6000)
      await expect.poll(() => page.locator('.player-time-total').textContent()).toBe('0:06')
      expect(await page.locator('.player-seek').getAttribute('max')).toBe('6')
      // The live layer runs the player (the page's native controls are its fallback).
      expect(await page.evaluate(`document.querySelector('#player').controls`)).toBe(false)

      await seekTo(page, 1.5)
      await drawn(page, A_TEXT).waitFor()
      expect(await drawn(page, B_TEXT).count()).toBe(0)
      // Real SVG text in the document, not a picture of it.
      expect(await drawn(page, A_TEXT).evaluate((node) => node.tagName)).toBe('text')

      await seekTo(page, 3.5)
      await drawn(page, B_TEXT).waitFor()
      expect(await drawn(page, A_TEXT).count()).toBe(0)

      await seekTo(page, 5.5)
      expect(await drawn(page, A_TEXT).count()).toBe(0)
      expect(await drawn(page, B_TEXT).count()).toBe(0)

      // Each callout has a marker on the progress bar; a click jumps to its start.
      const marker = page.getByRole('button', { name: `Jump to 0:03: ${B_TEXT}` })
      expect(await page.locator('.player-marker').count()).toBe(2)
      await marker.click()
      await until(page, `Math.abs(document.querySelector('#player').currentTime - 3) < 0.05`)
      await drawn(page, B_TEXT).waitFor()
      await page.evaluate(`document.querySelector('#player').pause()`)

      // A new version of the edits: the page's poll redraws it, no reload.
      await page.evaluate(`window.__sameDocument = true`)
      await seekTo(page, 1.5)
      await drawn(page, A_TEXT).waitFor()
      expect(await putEdits(1, A_FIXED)).toBe(2)
      await drawn(page, A_FIXED).waitFor()
      expect(await drawn(page, A_TEXT).count()).toBe(0)
      expect(await page.evaluate(`window.__sameDocument === true`)).toBe(true)
      // The markers and the callout list follow the new text too.
      await page.getByRole('button', { name: `Jump to 0:01: ${A_FIXED}` }).waitFor()
      await page.locator('.marker-list').getByText(A_FIXED).waitFor()
    } finally {
      await context.close()
    }
  })

  it('gives the owner the preview switch and the access controls, and a member neither', async () => {
    const owner = await newPage()
    const member = await newPage()
    try {
      await signIn(owner.page, 'alice', 'correct horse battery')
      await openWatch(owner.page)
      await owner.page.getByRole('radio', { name: 'Original with edits preview' }).check()
      await until(
        owner.page,
        `document.querySelector('#player').getAttribute('src').endsWith('original=1')`
      )
      await until(owner.page, `document.querySelector('#player').readyState >= 1`)
      // The preview draws the edits on the recording's clock (the same here: no cut).
      await seekTo(owner.page, 3.5)
      await drawn(owner.page, B_TEXT).waitFor()
      expect(
        await owner.page.getByRole('radio', { name: 'Team (signed-in members)' }).isChecked()
      ).toBe(true)

      await signIn(member.page, 'bob', 'bob password 1')
      await openWatch(member.page)
      expect(
        await member.page.getByRole('radio', { name: 'Original with edits preview' }).count()
      ).toBe(0)
      expect(await member.page.locator('.access').count()).toBe(0)
    } finally {
      await owner.context.close()
      await member.context.close()
    }
  })
})
