/**
 * The recordings list's small affordances, end to end: the real renderer in Chromium against the
 * harness (the app's own project services on real folders). A card shows the edited length; its
 * title says it can be renamed and Enter renames it; a delete takes the card away at once, moves
 * focus to the next card, and offers Undo in a toast, which brings the card and its files back;
 * left alone, the toast goes and the files with it (the harness shortens the undo time through
 * SIDECAST_E2E_DELETE_UNDO_MS); the last card deleted sends focus to "Start recording".
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type Page } from 'playwright-core'
import type { RecordingFacts } from '../../src/shared/project'
import { BASE_CHROMIUM_ARGS, chromiumPath } from '../support/chromium'
import { startHarnessProcess, type HarnessProcess } from '../support/harness-process'
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

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sidecast-e2e-list-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

async function project(dataDir: string, title: string): Promise<RecordingFacts> {
  const facts = await makeFinishedProject(dataDir, { seconds: 3, width: 320, height: 240 })
  const dir = join(dataDir, 'projects', facts.id)
  const retitled = { ...facts, title }
  writeFileSync(join(dir, 'recording.json'), JSON.stringify(retitled))
  return retitled
}

async function openApp(dataDir: string, undoMs: number): Promise<Page> {
  const harness: HarnessProcess = await startHarnessProcess(dataDir, {
    SIDECAST_E2E_DELETE_UNDO_MS: String(undoMs)
  })
  cleanups.push(() => harness.stop())
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } })
  cleanups.push(() => context.close())
  const page = await context.newPage()
  await throttleCpuForStress(page)
  await page.goto(harness.url)
  await page.getByRole('heading', { name: 'Recordings' }).waitFor()
  return page
}

/** The text of the focused element, or of the title of the card that holds it (a string: no DOM types here). */
function focused(page: Page): Promise<string | null> {
  return page.evaluate(
    `(() => { const e = document.activeElement; if (!e || e === document.body) return null;
      const a = e.closest('article');
      return a ? 'card:' + a.querySelector('.title-text').textContent : e.textContent.trim() })()`
  ) as Promise<string | null>
}

/** Waits until the focused element is in the card titled `title`. */
async function focusOnCard(page: Page, title: string): Promise<void> {
  await waitUntil(`focus on “${title}”`, async () => (await focused(page)) === `card:${title}`)
}

function trashEntries(dataDir: string): string[] {
  const trash = join(dataDir, 'projects', '.trash')
  return existsSync(trash) ? readdirSync(trash) : []
}

describe('the recordings list', () => {
  it('shows the edited length, renames from the keyboard, deletes with Undo and moves focus', async () => {
    const dataDir = tempDir()
    const older = await project(dataDir, 'Older take')
    const newer = await project(dataDir, 'Newer take')
    const newerDir = join(dataDir, 'projects', newer.id)
    // Trimmed to its first second.
    writeFileSync(
      join(newerDir, 'edits.json'),
      JSON.stringify({ version: 1, keep: [[0, 1000]], annotations: [] })
    )
    // The older one is in the team library.
    writeFileSync(
      join(dataDir, 'projects', older.id, 'share.json'),
      JSON.stringify({
        url: 'http://library.example/v/abc',
        videoId: 'abc',
        uploadedAt: '2026-12-01T10:00:00.000Z'
      })
    )
    // Long enough that the Undo below is never raced by the time running out.
    const page = await openApp(dataDir, 120_000)

    const newerCard = page.getByRole('article', { name: 'Newer take' })
    await newerCard.getByText(/^0:01 edited \(recorded 0:0[23]\)$/).waitFor()

    // The title says it can be renamed, and Enter on it opens the field.
    const title = newerCard.getByRole('button', { name: 'Newer take', exact: true })
    expect(await title.getAttribute('title')).toBe('Rename')
    await title.focus()
    await page.keyboard.press('Enter')
    const field = page.getByRole('textbox', { name: 'Recording title' })
    await field.waitFor()
    await page.keyboard.press('Escape')
    await focusOnCard(page, 'Newer take')

    // Delete: not in the library, so the dialog says nothing about it.
    await page.getByRole('button', { name: 'Delete “Newer take”' }).click()
    const dialog = page.getByRole('dialog', { name: 'Delete “Newer take”?' })
    await dialog.waitFor()
    expect(await dialog.textContent()).not.toMatch(/library/)
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click()

    await newerCard.waitFor({ state: 'detached' })
    const undo = page.getByRole('button', { name: 'Undo deleting “Newer take”' })
    await undo.waitFor()
    expect(await page.getByRole('status').filter({ hasText: 'Recording deleted' }).count()).toBe(1)
    // Focus is on the next card, not lost to the page.
    await focusOnCard(page, 'Older take')
    expect(existsSync(newerDir)).toBe(false)
    expect(trashEntries(dataDir)).toHaveLength(1)

    // Undo, from the keyboard: the card is back with its files, and focused.
    await undo.focus()
    await page.keyboard.press('Enter')
    await newerCard.waitFor()
    await focusOnCard(page, 'Newer take')
    expect(readdirSync(newerDir).sort()).toEqual(
      expect.arrayContaining(['edits.json', 'recording.json', newer.file])
    )
    expect(trashEntries(dataDir)).toEqual([])
    await newerCard.getByText(/^0:01 edited \(recorded 0:0[23]\)$/).waitFor()

    // The library copy is named when there is one.
    await page.getByRole('button', { name: 'Delete “Older take”' }).click()
    const second = page.getByRole('dialog', { name: 'Delete “Older take”?' })
    await second.waitFor()
    expect(await second.textContent()).toContain(
      'The copy in the team library stays; delete it there if you want it gone.'
    )
    await second.getByRole('button', { name: 'Cancel' }).click()
  })

  it('removes the files when the toast times out, and focuses Start recording once empty', async () => {
    const dataDir = tempDir()
    const only = await project(dataDir, 'Only take')
    const dir = join(dataDir, 'projects', only.id)
    const page = await openApp(dataDir, 1500)

    await page.getByRole('button', { name: 'Delete “Only take”' }).click()
    const dialog = page.getByRole('dialog', { name: 'Delete “Only take”?' })
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click()
    await page.getByRole('article', { name: 'Only take' }).waitFor({ state: 'detached' })
    await waitUntil(
      'focus on Start recording',
      async () => (await focused(page)) === 'Start recording'
    )

    // Nobody undoes it: the toast goes, and so do the files (from the trash too).
    await page.getByRole('button', { name: 'Undo deleting “Only take”' }).waitFor({
      state: 'detached'
    })
    await waitUntil(
      'the deleted files to be removed',
      () => !existsSync(dir) && trashEntries(dataDir).length === 0
    )
    await page.getByText('No recordings yet', { exact: false }).waitFor()
  })
})
