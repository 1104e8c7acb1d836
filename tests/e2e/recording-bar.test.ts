/**
 * End to end, the recording bar: the real renderer in Chromium under Xvfb recording the real
 * screen through the harness (real main-side services, real ffmpeg). An error toast raised before
 * recording never covers the bar's controls and never shows while recording; Paused says so in
 * words; Restart throws the take away and records a new one; Discard leaves nothing behind.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type Locator, type Page } from 'playwright-core'
import type { RecordingFacts } from '../../src/shared/project'
import { COMPACT_BAR } from '../../src/main/electron/window-layout'
import { CAPTURE_CHROMIUM_ARGS, chromiumPath } from '../support/chromium'
import { startHarnessProcess, type HarnessProcess } from '../support/harness-process'
import { startTestLibrary } from '../support/library'
import { durationSeconds, probe } from '../support/media'
import { makeFinishedProject } from '../support/projects'
import { startXvfb, type XDisplay } from '../support/xvfb'
import { throttleCpuForStress } from './cpu-throttle'
import { waitUntil } from './wait-until'

// Browser-side names used inside page.evaluate callbacks (this project compiles without the DOM lib).
interface PageElement {
  getBoundingClientRect(): { x: number; y: number; width: number; height: number }
  contains(other: unknown): boolean
  textContent: string | null
}
declare const document: {
  readonly activeElement: PageElement | null
  readonly documentElement: PageElement & { classList: { contains(name: string): boolean } }
  elementFromPoint(x: number, y: number): PageElement | null
  querySelector(selector: string): PageElement | null
}
declare const window: {
  api: { invoke(channel: string, ...args: unknown[]): Promise<{ ok: boolean }> }
  toastsWhileRecording: number
}
declare class MutationObserver {
  constructor(callback: () => void)
  observe(target: unknown, options: Record<string, boolean>): void
}

let xvfb: XDisplay
let browser: Browser
const cleanups: (() => Promise<void> | void)[] = []

beforeAll(async () => {
  xvfb = await startXvfb(1280, 800)
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: false,
    args: [...CAPTURE_CHROMIUM_ARGS, '--window-position=0,0', '--window-size=1100,760'],
    env: { ...process.env, DISPLAY: xvfb.display }
  })
})

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined)
  await browser?.close().catch(() => undefined)
  await xvfb?.stop()
})

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `sidecast-e2e-${prefix}-`))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

async function harness(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<HarnessProcess> {
  const started = await startHarnessProcess(dataDir, env)
  cleanups.push(() => started.stop())
  return started
}

async function openRecorder(app: HarnessProcess): Promise<Page> {
  const context = await browser.newContext({ permissions: ['microphone'], viewport: null })
  cleanups.push(() => context.close())
  const page = await context.newPage()
  await throttleCpuForStress(page)
  await page.goto(app.url)
  await page.getByRole('button', { name: 'Start recording' }).waitFor()
  return page
}

/** Clicks Start, skips the countdown, and waits for the bar. */
async function startRecording(page: Page): Promise<void> {
  await page
    .getByRole('radio', { name: /Entire screen/ })
    .first()
    .check({ force: true })
  await page.getByRole('button', { name: 'Start recording' }).click()
  await page.getByRole('button', { name: /Skip/ }).click()
  await page.getByRole('button', { name: 'Stop recording', disabled: false }).waitFor()
}

/** Waits until the button named `name` has the keyboard focus. */
async function focusIsOn(page: Page, name: string): Promise<void> {
  await waitUntil(`the focus on ${name}`, async () =>
    Boolean(
      await page.evaluate(`document.activeElement?.textContent?.trim() === ${JSON.stringify(name)}`)
    )
  )
}

function projectIds(dataDir: string): string[] {
  try {
    return readdirSync(join(dataDir, 'projects'))
  } catch {
    return []
  }
}

function readFacts(dataDir: string, id: string): RecordingFacts | null {
  try {
    return JSON.parse(
      readFileSync(join(dataDir, 'projects', id, 'recording.json'), 'utf8')
    ) as RecordingFacts
  } catch {
    return null
  }
}

/** The element at the centre of `locator` is the control itself: nothing lies on top of it. */
async function isOnTop(locator: Locator): Promise<boolean> {
  return locator.evaluate((element: PageElement) => {
    const box = element.getBoundingClientRect()
    const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2)
    return hit !== null && (hit === element || element.contains(hit))
  })
}

/** Wholly inside the page's viewport. */
async function isInside(page: Page, locator: Locator): Promise<boolean> {
  const box = await locator.boundingBox()
  const size = page.viewportSize() ?? COMPACT_BAR
  return (
    box !== null &&
    box.x >= 0 &&
    box.y >= 0 &&
    box.x + box.width <= size.width + 0.5 &&
    box.y + box.height <= size.height + 0.5
  )
}

describe('the recording bar', () => {
  it('an error toast raised before recording, then the recording controls are all visible and clickable at the compact bar’s size, and no notice appears in the recording', async () => {
    // A real "token refused": the library refuses the upload of a finished recording.
    const library = await startTestLibrary()
    cleanups.push(() => library.dispose())
    const dataDir = tempDir('bar-toast')
    const facts = await makeFinishedProject(dataDir, { seconds: 2, width: 320, height: 240 })
    const app = await harness(dataDir, {
      SIDECAST_LIBRARY_URL: library.url,
      SIDECAST_LIBRARY_TOKEN: 'not-the-right-token-123'
    })
    const page = await openRecorder(app)
    // The upload is started through the app's own API, as the card's Upload would.
    const started = await page.evaluate(
      (id) => window.api.invoke('uploads:start', id, {}),
      facts.id
    )
    expect(started.ok).toBe(true)
    const toast = page.getByText(/refused the access token/).first()
    await toast.waitFor()

    // From here on, count every moment a toast is in the page while it is the recording bar.
    await page.evaluate(() => {
      const w = window
      w.toastsWhileRecording = 0
      const check = (): void => {
        const compact = document.documentElement.classList.contains('compact')
        if (compact && document.querySelector('.toast')) w.toastsWhileRecording++
      }
      new MutationObserver(check).observe(document.documentElement, {
        subtree: true,
        childList: true,
        attributes: true,
        characterData: true
      })
    })

    await startRecording(page)
    // The window is the compact bar in the app: the page gets the bar's size.
    await page.setViewportSize({ width: COMPACT_BAR.width, height: COMPACT_BAR.height })
    const bar = page.getByRole('region', { name: 'Recording controls' })
    const controls = [
      bar.getByRole('button', { name: 'Pause recording' }),
      bar.getByRole('button', { name: 'Restart recording' }),
      bar.getByRole('button', { name: 'Discard recording' }),
      bar.getByRole('button', { name: 'Stop recording' })
    ]
    const timer = bar.locator('time.timer')
    await waitUntil('the timer to run', async () => (await timer.textContent()) !== '0:00')
    for (const control of [timer, ...controls]) {
      expect(await control.isVisible()).toBe(true)
      expect(await isInside(page, control), await control.innerHTML()).toBe(true)
      expect(await isOnTop(control), await control.innerHTML()).toBe(true)
    }
    expect(await toast.isVisible()).toBe(false)

    // Paused says so in words, and Resume brings the recording back.
    await controls[0]!.click()
    const paused = bar.getByText('Paused', { exact: true })
    await paused.waitFor()
    expect(await isInside(page, paused)).toBe(true)
    await bar.getByRole('button', { name: 'Resume recording' }).click()
    await bar.getByRole('button', { name: 'Pause recording' }).waitFor()
    expect(await paused.isVisible()).toBe(false)

    await controls[3]!.click()
    await page.getByRole('button', { name: 'Start recording' }).waitFor()
    const seen = await page.evaluate(() => window.toastsWhileRecording)
    expect(seen, 'toasts shown while the window was the recording bar').toBe(0)
    // The refusal still applies (the token is still wrong), so it is back once the bar is gone.
    await toast.waitFor()
  })

  it('restart gives a new take holding only what was recorded after the restart', async () => {
    const dataDir = tempDir('bar-restart')
    const app = await harness(dataDir)
    const page = await openRecorder(app)
    await startRecording(page)
    const startedAt = Date.now()
    const bar = page.getByRole('region', { name: 'Recording controls' })
    await delay(4_000)
    const [firstTake] = projectIds(dataDir)

    // Asked first, with the safe answer focused; Escape keeps recording.
    await bar.getByRole('button', { name: 'Restart recording' }).click()
    const question = page.getByRole('alertdialog', { name: 'Restart this recording?' })
    await question.waitFor()
    await focusIsOn(page, 'Keep recording')
    await page.keyboard.press('Escape')
    await bar.getByRole('button', { name: 'Pause recording' }).waitFor()
    expect(await question.count()).toBe(0)
    expect(projectIds(dataDir)).toEqual([firstTake])

    await bar.getByRole('button', { name: 'Restart recording' }).click()
    await question.getByRole('button', { name: 'Restart', exact: true }).click()
    const restartedAt = Date.now()
    await waitUntil('the new take', () => projectIds(dataDir).some((id) => id !== firstTake))
    await bar.getByRole('button', { name: 'Pause recording', disabled: false }).waitFor()
    await delay(3_000)
    await bar.getByRole('button', { name: 'Stop recording' }).click()
    const stoppedAt = Date.now()
    await page.getByRole('button', { name: 'Start recording' }).waitFor()

    // One recording: the new take; the first take's folder is gone.
    await waitUntil('one finished recording', () => {
      const ids = projectIds(dataDir)
      return ids.length === 1 && readFacts(dataDir, ids[0]!)?.status === 'complete'
    })
    const [take] = projectIds(dataDir)
    expect(take).not.toBe(firstTake)
    const facts = readFacts(dataDir, take!)!
    const seconds = durationSeconds(await probe(join(dataDir, 'projects', take!, facts.file)))
    const sinceRestart = (stoppedAt - restartedAt) / 1000
    const total = (stoppedAt - startedAt) / 1000
    expect(seconds).toBeLessThanOrEqual(sinceRestart + 1)
    expect(seconds).toBeLessThan(total - 3)
    await page.getByText(facts.title).first().waitFor()
  })

  it('discard, confirmed from the keyboard, leaves no recording in the list and no files on disk', async () => {
    const dataDir = tempDir('bar-discard')
    const app = await harness(dataDir)
    const page = await openRecorder(app)
    await startRecording(page)
    const bar = page.getByRole('region', { name: 'Recording controls' })
    await waitUntil('the project folder', () => projectIds(dataDir).length === 1)
    await delay(2_000)

    await bar.getByRole('button', { name: 'Discard recording' }).click()
    const question = page.getByRole('alertdialog', { name: 'Discard this recording?' })
    await question.waitFor()
    expect(await question.textContent()).toMatch(/cannot be undone/)
    await focusIsOn(page, 'Keep recording')
    // Tab moves between the two answers and stays within the question; Enter discards.
    await page.keyboard.press('Tab')
    await focusIsOn(page, 'Discard')
    await page.keyboard.press('Tab')
    await focusIsOn(page, 'Keep recording')
    await page.keyboard.press('Shift+Tab')
    await focusIsOn(page, 'Discard')
    await page.keyboard.press('Enter')

    await page.getByRole('button', { name: 'Start recording' }).waitFor()
    await page.getByText('The recording was discarded.').waitFor()
    await page.getByText(/No recordings yet/).waitFor()
    await waitUntil('no project folder', () => projectIds(dataDir).length === 0)
    expect(readdirSync(join(dataDir, 'projects'))).toEqual([])
  })
})
