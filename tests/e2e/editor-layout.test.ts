/**
 * The editor's layout and clock, end to end in the harness (real renderer in Chromium, real
 * main-side services): the preview keeps its size however many callouts there are and the ruler
 * stays in view, also in an 800×600 window; the ruler counts the edited video's time like the
 * timecode, with labels that never repeat, and callout bars show only where the video shows
 * them; opening the editor from the keyboard puts the focus on its title.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type Locator, type Page } from 'playwright-core'
import { serializeEdits, type Annotation, type Edits } from '../../src/shared/edits'
import type { RecordingFacts } from '../../src/shared/project'
import { BASE_CHROMIUM_ARGS, chromiumPath } from '../support/chromium'
import { startHarnessProcess, type HarnessProcess } from '../support/harness-process'
import { makeFinishedProject } from '../support/projects'
import { throttleCpuForStress } from './cpu-throttle'
import { waitForVideo } from './wait-until'

// Browser-side names used inside page.evaluate callbacks (this project compiles without the DOM lib).
declare const document: {
  readonly activeElement: { tagName: string; getAttribute(name: string): string | null } | null
  readonly documentElement: { scrollHeight: number; clientHeight: number }
}
declare function getComputedStyle(element: unknown, pseudo?: string): { backgroundColor: string }

const POLL = { timeout: 20_000, interval: 100 }

let browser: Browser
let harness: HarnessProcess
let facts: RecordingFacts
let projectDir: string
const cleanups: (() => Promise<void> | void)[] = []

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sidecast-e2e-layout-'))
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
  // A short clip: the ruler's steps are tenths of a second.
  facts = await makeFinishedProject(dataDir, { seconds: 3, width: 640, height: 360 })
  projectDir = join(dataDir, 'projects', facts.id)
  harness = await startHarnessProcess(dataDir)
  cleanups.push(() => harness.stop())
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...BASE_CHROMIUM_ARGS]
  })
})

afterAll(async () => {
  await browser?.close().catch(() => undefined)
  for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined)
})

/** Writes the project's edits.json (the editor is closed, so it reads them when it opens). */
function writeEdits(keep: Edits['keep'], annotations: Annotation[]): void {
  writeFileSync(join(projectDir, 'edits.json'), serializeEdits({ version: 2, keep, annotations }))
}

const box = (id: string, startMs: number, endMs: number, y = 0.1): Annotation => ({
  id,
  type: 'rect',
  startMs,
  endMs,
  x: 0.1,
  y,
  w: 0.2,
  h: 0.1
})

async function newPage(width: number, height: number): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height } })
  cleanups.push(() => context.close())
  const page = await context.newPage()
  await throttleCpuForStress(page)
  await page.goto(harness.url)
  return page
}

/** Opens the recording in the editor and waits until the player knows its duration. */
async function openEditor(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Edit/ }).first().click()
  await page.getByTestId('editor-stage').waitFor()
  await waitForVideo(page)
}

async function boxOf(
  locator: Locator
): Promise<{ x: number; y: number; width: number; height: number }> {
  const b = await locator.boundingBox()
  if (!b) throw new Error('not visible')
  return b
}

async function expectInside(locator: Locator, height: number, width: number): Promise<void> {
  const b = await boxOf(locator)
  expect(b.y).toBeGreaterThanOrEqual(0)
  expect(b.x).toBeGreaterThanOrEqual(0)
  expect(b.y + b.height).toBeLessThanOrEqual(height)
  expect(b.x + b.width).toBeLessThanOrEqual(width)
}

/** The ruler's non-empty labels with where they sit, left to right. */
async function rulerLabels(page: Page): Promise<{ text: string; x: number; y: number }[]> {
  const ticks = page.getByTestId('ruler').locator('.tick')
  const out: { text: string; x: number; y: number }[] = []
  for (const tick of await ticks.all()) {
    const text = (await tick.textContent()) ?? ''
    if (text === '') continue
    const b = await boxOf(tick)
    out.push({ text, x: b.x, y: b.y + b.height / 2 })
  }
  return out
}

/** "0:01.4" or "0:01.40" → ms. */
function parseClock(text: string): number {
  const match = /^(\d+):(\d\d)(?:\.(\d+))?$/.exec(text.trim())
  if (!match) throw new Error(`not a time: ${text}`)
  const fraction = match[3] ? Number(`0.${match[3]}`) : 0
  return (Number(match[1]) * 60 + Number(match[2]) + fraction) * 1000
}

describe('the editor’s layout', () => {
  it('the preview’s size after seven callouts equals its size with none', async () => {
    writeEdits([], [])
    const page = await newPage(1280, 800)
    await openEditor(page)
    await page.getByText('Callouts you draw on the video show here.').waitFor()
    const empty = await boxOf(page.getByTestId('editor-stage'))

    await page.getByRole('button', { name: 'Back to recordings' }).click()
    await page.getByRole('button', { name: /^Edit/ }).first().waitFor()
    // Seven callouts on at the same time: seven lanes.
    writeEdits(
      [],
      Array.from({ length: 7 }, (_, i) => box(`b${i}`, 0, 3000, 0.05 + i * 0.12))
    )
    await openEditor(page)
    const bars = page.getByRole('listbox', { name: 'Callouts on the timeline' }).getByRole('option')
    await expect.poll(() => bars.count(), POLL).toBe(7)
    const seven = await boxOf(page.getByTestId('editor-stage'))
    expect(seven).toEqual(empty)

    // The lanes scroll in their own box; the ruler stays in view.
    const lanes = page.getByTestId('timeline-lanes')
    const scrolls = await lanes.evaluate((el) => el.scrollHeight > el.clientHeight)
    expect(scrolls).toBe(true)
    const ruler = page.getByTestId('ruler')
    expect(await ruler.isVisible()).toBe(true)
    await expectInside(ruler, 800, 1280)
    // Tab to the last bar: it scrolls into its box, the ruler does not move.
    const rulerBefore = await boxOf(ruler)
    await bars.first().focus()
    for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowDown')
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-id') ?? ''), POLL)
      .toBe('b6')
    await expectInside(bars.last(), 800, 1280)
    expect(await boxOf(ruler)).toEqual(rulerBefore)

    // An 800×600 window: the preview and the whole timeline fit, nothing scrolls the page.
    await page.setViewportSize({ width: 800, height: 600 })
    await expect
      .poll(() => page.evaluate(() => document.documentElement.scrollHeight), POLL)
      .toBeLessThanOrEqual(600)
    await expectInside(page.getByTestId('editor-stage'), 600, 800)
    await expectInside(page.getByRole('region', { name: 'Timeline' }), 600, 800)
    await expectInside(ruler, 600, 800)
    const small = await boxOf(page.getByTestId('editor-stage'))
    expect(small.height).toBeGreaterThanOrEqual(150)
  })
})

describe('the editor’s clock', () => {
  it('the ruler’s labels are unique on a short clip, and the timecode and ruler agree', async () => {
    // 3 s with 1–2 s cut: a video of 2 s. One callout runs across the cut, one lies inside it.
    writeEdits(
      [
        [0, 1000],
        [2000, 3000]
      ],
      [box('across', 500, 2500), box('inside', 1200, 1800, 0.5)]
    )
    const page = await newPage(1280, 800)
    await openEditor(page)

    const labels = await rulerLabels(page)
    const texts = labels.map((l) => l.text)
    expect(texts.length).toBeGreaterThan(3)
    expect(new Set(texts).size).toBe(texts.length)
    // On the video's clock: nothing past its 2 s, though the recording lasts 3 s.
    expect(Math.max(...texts.map(parseClock))).toBeLessThanOrEqual(2000)
    await expect.poll(() => page.getByTestId('current-time').textContent(), POLL).toBe('0:00.00')

    // Click just right of a tick after the cut: the timecode reads that tick's label.
    const after = labels.find((l) => parseClock(l.text) >= 1200 && parseClock(l.text) < 1900)
    if (!after) throw new Error(`no tick after the cut in ${texts.join(' ')}`)
    await page.mouse.click(after.x + 1, after.y)
    await expect
      .poll(async () => {
        const shown = parseClock((await page.getByTestId('current-time').textContent()) ?? '')
        return Math.abs(shown - parseClock(after.text))
      }, POLL)
      .toBeLessThan(50)

    // The bar across the cut is drawn in two pieces; the one inside the cut has none.
    const across = page.locator('.callout-bar[data-id="across"]')
    await expect.poll(() => across.locator('.bar-piece').count(), POLL).toBe(2)
    const inside = page.getByRole('option', { name: /cut: not in the video/ })
    await expect.poll(() => inside.getAttribute('data-id'), POLL).toBe('inside')
    expect(await inside.locator('.bar-piece').count()).toBe(0)
  })
})

describe('the editor’s dialogs', () => {
  it('leave the video in view: a light, translucent backdrop', async () => {
    writeEdits([], [])
    const page = await newPage(1280, 800)
    await openEditor(page)
    await page.getByRole('button', { name: 'Keyboard shortcuts' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.waitFor()
    const backdrop = await dialog.evaluate(
      (el) => getComputedStyle(el, '::backdrop').backgroundColor
    )
    const match = /rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)/.exec(backdrop)
    if (!match) throw new Error(`not a colour: ${backdrop}`)
    // At most a quarter dimmed: the video stays readable behind the dialog.
    expect(Number(match[4] ?? 1)).toBeLessThanOrEqual(0.25)
    await page.keyboard.press('Escape')
    await expect.poll(() => dialog.count(), POLL).toBe(0)
  })
})

describe('opening the editor from the keyboard', () => {
  it('puts the focus on the editor’s title', async () => {
    writeEdits([], [])
    const page = await newPage(1280, 800)
    await page.getByRole('button', { name: /^Edit/ }).first().waitFor()
    // Tab to the recording's Edit button, as a keyboard user does.
    let reached = false
    for (let i = 0; i < 60 && !reached; i++) {
      await page.keyboard.press('Tab')
      const label = await page.evaluate(
        () => document.activeElement?.getAttribute('aria-label') ?? ''
      )
      reached = label.startsWith('Edit “')
    }
    expect(reached).toBe(true)
    await page.keyboard.press('Enter')
    await page.getByTestId('editor-stage').waitFor()
    const title = page.getByRole('heading', { level: 1, name: facts.title })
    await expect
      .poll(() => title.evaluate((el) => el === (document.activeElement as unknown)), POLL)
      .toBe(true)
    // From there Tab reaches the editor's controls.
    await page.keyboard.press('Tab')
    const next = await page.evaluate(() => document.activeElement?.tagName ?? '')
    expect(next).toBe('BUTTON')
  })
})
