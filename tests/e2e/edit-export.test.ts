/**
 * End to end in the harness (real renderer in Chromium, real main-side services, real ffmpeg):
 * open a recording, add an arrow and a text callout, trim both ends, cut a middle part, export
 * from the editor, and check the file: length, codecs, and the callouts exactly over their
 * ranges after the cut.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type Page } from 'playwright-core'
import type { Edits } from '../../src/shared/edits'
import { BASE_CHROMIUM_ARGS, chromiumPath } from '../support/chromium'
import { startHarnessProcess } from '../support/harness-process'
import { countPixels, probe } from '../support/media'
import { makeFinishedProject } from '../support/projects'
import { throttleCpuForStress } from './cpu-throttle'
import { waitForVideo } from './wait-until'

const W = 640
const H = 360
const FRAME_MS = 1000 / 30

let browser: Browser
const cleanups: (() => Promise<void> | void)[] = []

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...BASE_CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required']
  })
})

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined)
  await browser?.close().catch(() => undefined)
})

/** Reads edits.json until `accept` says it has what the test did (autosave is debounced). */
async function waitForEdits(file: string, accept: (e: Edits) => boolean): Promise<Edits> {
  const until = Date.now() + 20_000
  let last: unknown = null
  for (;;) {
    try {
      last = JSON.parse(readFileSync(file, 'utf8'))
      if (accept(last as Edits)) return last as Edits
    } catch {
      // Not written yet.
    }
    if (Date.now() > until) {
      throw new Error(`edits.json never matched; last seen: ${JSON.stringify(last)}`)
    }
    await delay(200)
  }
}

/** Presses a key `times` times (the editor handles each press as one step). */
async function press(page: Page, key: string, times = 1): Promise<void> {
  for (let i = 0; i < times; i++) await page.keyboard.press(key)
}

/** Drags on the stage between two points given as fractions of the frame. */
async function dragOnStage(
  page: Page,
  from: readonly [number, number],
  to: readonly [number, number]
): Promise<void> {
  const box = await page.getByTestId('editor-stage').boundingBox()
  if (!box) throw new Error('The editor stage is not visible')
  const at = ([fx, fy]: readonly [number, number]): [number, number] => [
    box.x + fx * box.width,
    box.y + fy * box.height
  ]
  await page.mouse.move(...at(from))
  await page.mouse.down()
  await page.mouse.move(...at(to), { steps: 8 })
  await page.mouse.up()
}

const near = (value: number, expected: number, tolerance = 2 * FRAME_MS): boolean =>
  Math.abs(value - expected) <= tolerance

/** The callouts' default red (#e5484d), after H.264's colour loss. */
const isRed = (r: number, g: number, b: number): boolean => r > 170 && g < 130 && b < 130

describe('editing and exporting in the editor', () => {
  it('adds an arrow and a text callout, trims, cuts, and exports exactly that', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sidecast-e2e-edit-'))
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const facts = await makeFinishedProject(dataDir, { seconds: 10, width: W, height: H })
    const projectDir = join(dataDir, 'projects', facts.id)
    const harness = await startHarnessProcess(dataDir)
    cleanups.push(() => harness.stop())

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    cleanups.push(() => context.close())
    const page = await context.newPage()
    await throttleCpuForStress(page)
    const problems: string[] = []
    page.on('pageerror', (error) => problems.push(error.message))
    await page.goto(harness.url)

    await page.getByRole('button', { name: /^Edit/ }).first().click()
    await page.getByRole('region', { name: 'Editor' }).waitFor()
    await page.getByTestId('editor-stage').waitFor()
    // The player knows its duration.
    await waitForVideo(page)

    // An arrow from 2 s (it lasts 3 s, so it spans the cut at 4–5 s).
    await press(page, 'Home')
    await press(page, 'Shift+ArrowRight', 2)
    await page.getByRole('button', { name: 'Arrow', exact: true }).click()
    await dragOnStage(page, [0.1, 0.15], [0.35, 0.45])
    await press(page, 'Escape')

    // A text callout from 6 s, typed in place.
    await press(page, 'Shift+ArrowRight', 4)
    await page.getByRole('button', { name: 'Text callout', exact: true }).click()
    await dragOnStage(page, [0.55, 0.15], [0.9, 0.4])
    await page.keyboard.type('Click here')
    await press(page, 'Enter')
    await press(page, 'Escape')

    // Trim to 1–9 s, then cut 4–5 s.
    await press(page, 'Home')
    await press(page, 'Shift+ArrowRight')
    await press(page, 'i')
    await press(page, 'Shift+ArrowRight', 8)
    await press(page, 'o')
    await press(page, 'Shift+ArrowLeft', 5)
    await press(page, '[')
    await press(page, 'Shift+ArrowRight')
    await press(page, ']')
    await press(page, 'x')

    const edits = await waitForEdits(
      join(projectDir, 'edits.json'),
      (e) => e.keep.length === 2 && e.annotations.length === 2
    )
    const [first, second] = edits.keep
    expect(near(first![0], 1000) && near(first![1], 4000), JSON.stringify(edits.keep)).toBe(true)
    expect(near(second![0], 5000) && near(second![1], 9000), JSON.stringify(edits.keep)).toBe(true)
    const arrow = edits.annotations.find((a) => a.type === 'arrow')
    const callout = edits.annotations.find((a) => a.type === 'callout')
    expect(arrow && near(arrow.startMs, 2000) && near(arrow.endMs, 5000)).toBe(true)
    expect(callout && near(callout.startMs, 6000)).toBe(true)
    expect(callout?.type === 'callout' && callout.text).toBe('Click here')

    // Export from the editor with the default preset.
    await page
      .getByRole('button', { name: /^Export/ })
      .first()
      .click()
    const dialog = page.getByRole('dialog')
    await dialog.getByRole('button', { name: 'Export', exact: true }).click()
    await dialog.getByRole('button', { name: 'Show in folder' }).waitFor({ timeout: 120_000 })
    // How it was made, in quiet words under the result: a VP8 recording cannot be copied into MP4.
    await dialog
      .getByRole('status')
      .getByText(/^Full export: the recording is VP8/)
      .waitFor()

    const exportsDir = join(projectDir, 'exports')
    const mp4 = readdirSync(exportsDir).filter((f) => f.endsWith('.mp4'))
    expect(mp4).toHaveLength(1)
    const out = join(exportsDir, mp4[0]!)
    const probed = await probe(out)
    const video = probed.streams.find((s) => s.codec_type === 'video')
    const audio = probed.streams.find((s) => s.codec_type === 'audio')
    expect(video).toMatchObject({ codec_name: 'h264', pix_fmt: 'yuv420p', width: W, height: H })
    expect(audio?.codec_name).toBe('aac')
    const keptMs = edits.keep.reduce((sum, [s, e]) => sum + (e - s), 0)
    const videoMs = Number((video as { duration?: string }).duration) * 1000
    expect(Math.abs(videoMs - keptMs)).toBeLessThanOrEqual(FRAME_MS + 1)

    // The callouts over their ranges on the output clock: the arrow 2–4 s (recording) is
    // 1–3 s of output; the callout from 6 s is from 4 s of output to the end.
    const toOut = (recordingMs: number): number =>
      recordingMs < 4000 ? recordingMs - 1000 : recordingMs - 2000
    const arrowBox = { x: 0.1 * W, y: 0.15 * H, width: 0.25 * W, height: 0.3 * H }
    const calloutBox = { x: 0.55 * W, y: 0.15 * H, width: 0.35 * W, height: 0.25 * H }
    const region = (b: typeof arrowBox) => ({
      x: Math.round(b.x),
      y: Math.round(b.y),
      width: Math.round(b.width),
      height: Math.round(b.height)
    })
    const redAt = (ms: number, b: typeof arrowBox): Promise<number> =>
      countPixels(out, ms / 1000, region(b), isRed)

    expect(await redAt(toOut(3000), arrowBox), 'arrow shown at 3 s').toBeGreaterThan(100)
    expect(await redAt(toOut(1500), arrowBox), 'no arrow before 2 s').toBe(0)
    expect(await redAt(toOut(7500), calloutBox), 'callout shown at 7.5 s').toBeGreaterThan(1000)
    expect(await redAt(toOut(3000), calloutBox), 'no callout before 6 s').toBe(0)
    // After the cut the arrow has ended (it ran to 5 s, which the cut removed).
    expect(await redAt(toOut(5500), arrowBox), 'no arrow after the cut').toBe(0)

    expect(problems, 'page errors').toEqual([])
  })
})
