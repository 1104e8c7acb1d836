/**
 * The recorder page as the e2e recording tests drive it: open the app from a harness, record the
 * entire screen, and read the projects' recording.json from the harness's data directory.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { CAPTURE_CHROMIUM_ARGS, chromiumPath } from '../support/chromium'
import type { HarnessProcess } from '../support/harness-process'
import { paintRoot, startXvfb, type XDisplay } from '../support/xvfb'
import { throttleCpuForStress } from './cpu-throttle'
import { waitUntil } from './wait-until'
import type { RecordingFacts } from '../../src/shared/project'

/** An Xvfb screen with headed Chromium on it, able to capture that screen. */
export interface CaptureScreen {
  readonly xvfb: XDisplay
  readonly browser: Browser
}

/**
 * Starts Xvfb at `size`, paints its root window `rootColour`, and opens Chromium at the
 * top-left with the capture flags (its window `windowSize`, e.g. '1100,760').
 */
export async function startCaptureScreen(
  size: { readonly width: number; readonly height: number },
  rootColour: string,
  windowSize: string
): Promise<CaptureScreen> {
  const xvfb = await startXvfb(size.width, size.height)
  paintRoot(xvfb.display, rootColour)
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: false,
    args: [...CAPTURE_CHROMIUM_ARGS, '--window-position=0,0', `--window-size=${windowSize}`],
    env: { ...process.env, DISPLAY: xvfb.display }
  })
  return { xvfb, browser }
}

/** Runs the test file's cleanups (last first), then closes Chromium and stops Xvfb. */
export async function stopCaptureScreen(
  screen: CaptureScreen | undefined,
  cleanups: (() => Promise<void> | void)[]
): Promise<void> {
  for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined)
  await screen?.browser.close().catch(() => undefined)
  await screen?.xvfb.stop()
}

export interface OpenRecorderOptions {
  /** Where the new browser context's close is registered (run by the test file's afterAll). */
  readonly cleanups: (() => Promise<void> | void)[]
  /** Permissions for the context; the microphone by default. */
  readonly permissions?: readonly string[]
  /** Slow the page's CPU when a stress run asks for it (SIDECAST_E2E_CPU_THROTTLE). */
  readonly throttleCpu?: boolean
}

/** Opens the app served by `harness` in a new context and waits for its Start button. */
export async function openRecorder(
  browser: Browser,
  harness: HarnessProcess,
  { cleanups, permissions = ['microphone'], throttleCpu = false }: OpenRecorderOptions
): Promise<Page> {
  const context = await browser.newContext({ permissions: [...permissions], viewport: null })
  cleanups.push(() => context.close())
  const page = await context.newPage()
  if (throttleCpu) await throttleCpuForStress(page)
  await page.goto(harness.url)
  await page.getByRole('button', { name: 'Start recording' }).waitFor()
  return page
}

/**
 * Chooses the entire screen, clicks Start, skips the countdown, waits for the Stop button, and
 * returns the time recording began.
 */
export async function startRecording(page: Page): Promise<number> {
  // The native radio sits under its card's label, which is what a person clicks.
  await page
    .getByRole('radio', { name: /Entire screen/ })
    .first()
    .check({ force: true })
  await page.getByRole('button', { name: 'Start recording' }).click()
  const skip = page.getByRole('button', { name: /Skip/ })
  await skip.click({ timeout: 10_000 }).catch(() => undefined) // no countdown configured
  await page.getByRole('button', { name: 'Stop recording' }).waitFor({ timeout: 20_000 })
  return Date.now()
}

/** The recording.json of every project under `dataDir`. */
export function readFacts(dataDir: string): RecordingFacts[] {
  const projects = join(dataDir, 'projects')
  return readdirSync(projects).map(
    (id) => JSON.parse(readFileSync(join(projects, id, 'recording.json'), 'utf8')) as RecordingFacts
  )
}

/**
 * Polls the projects under `dataDir` every 250 ms until one's facts satisfy `accept` and returns
 * them; a project directory not written yet counts as no match. Throws after `timeoutMs`.
 */
export async function waitForFacts(
  dataDir: string,
  accept: (facts: RecordingFacts) => boolean,
  timeoutMs = 60_000,
  what = 'a project whose recording.json matches'
): Promise<RecordingFacts> {
  return waitUntil(
    what,
    () => {
      try {
        return readFacts(dataDir).find(accept)
      } catch {
        return undefined
      }
    },
    timeoutMs,
    250
  )
}
