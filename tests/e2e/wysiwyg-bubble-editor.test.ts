/**
 * The camera bubble in the real editor, in the harness (real renderer in Chromium, real main-side
 * services): a finished recording given a generated camera file and recording.json camera facts
 * opens with the bubble at its default place over the video, the camera video following the
 * playhead; selecting it brings its inspector (Shape, Hide from here / Show from here); a drag
 * snaps it to a corner; every change is saved to edits.json and undone like any edit.
 * The pixels against the export are wysiwyg-export.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type Page } from 'playwright-core'
import { bubbleLaneLabel } from '../../src/renderer/src/editor/overlay/bubble-model'
import { bubbleBox, cornerSpot, defaultBubble } from '../../src/shared/bubble'
import type { Bubble, Edits } from '../../src/shared/edits'
import { BASE_CHROMIUM_ARGS, chromiumPath } from '../support/chromium'
import { startHarnessProcess } from '../support/harness-process'
import { makeFinishedProject } from '../support/projects'
import { throttleCpuForStress } from './cpu-throttle'
import { waitForVideo, waitUntil } from './wait-until'
import { CAMERA_OFFSET_MS, makeCamera } from './wysiwyg/overlay-session'

const W = 640
const H = 360
const FRAME = { width: W, height: H }
const POLL = { timeout: 20_000, interval: 100 }

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

/** The bubble's box on the stage, in frame pixels (the stage may be shown at any size). */
async function bubbleOnStage(page: Page): Promise<{ x: number; y: number; size: number }> {
  const stage = await page.getByTestId('editor-stage').boundingBox()
  const bubble = await page
    .getByRole('button', { name: 'Camera bubble', exact: true })
    .boundingBox()
  if (!stage || !bubble) throw new Error('The stage or the bubble is not shown')
  const scale = W / stage.width
  return {
    x: Math.round((bubble.x - stage.x) * scale),
    y: Math.round((bubble.y - stage.y) * scale),
    size: Math.round(bubble.width * scale)
  }
}

/** The camera video's time, s, and whether its picture shows. */
async function cameraNow(page: Page): Promise<{ time: number; shown: string | null }> {
  const bubble = page.getByRole('button', { name: 'Camera bubble', exact: true })
  const time = await bubble
    .locator('video')
    .evaluate((v) => (v as { currentTime: number }).currentTime)
  return { time, shown: await bubble.getAttribute('data-shown') }
}

describe('the camera bubble in the editor', () => {
  it('shows over the video in step with it, and is placed, reshaped and hidden through the editor', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sidecast-e2e-bubble-'))
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const facts = await makeFinishedProject(dataDir, { seconds: 4, width: W, height: H })
    const projectDir = join(dataDir, 'projects', facts.id)
    const camera = await makeCamera(projectDir)
    const factsFile = join(projectDir, 'recording.json')
    const stored = JSON.parse(readFileSync(factsFile, 'utf8')) as Record<string, unknown>
    writeFileSync(factsFile, JSON.stringify({ ...stored, camera }, null, 2))
    const editsFile = join(projectDir, 'edits.json')

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
    await waitForVideo(page)
    const bubble = page.getByRole('button', { name: 'Camera bubble', exact: true })
    await bubble.waitFor()

    // Where it starts: the default, bottom-left.
    const start = defaultBubble(FRAME)
    await expect.poll(() => bubbleOnStage(page), POLL).toEqual(bubbleBox(start, FRAME))
    // At 0 s the camera (from 0.4 s) has no picture yet; at 2 s it shows its 1.6 s.
    await expect.poll(async () => (await cameraNow(page)).shown, POLL).toBe('false')

    // Playing: the camera plays along once the recording reaches its first picture; paused, it
    // shows the very moment of the recording (camera time = recording time − offset).
    const cameraVideo = bubble.locator('video')
    const paused = (): Promise<boolean> =>
      cameraVideo.evaluate((v) => (v as { paused: boolean }).paused)
    await page.keyboard.press('Space')
    await expect.poll(paused, POLL).toBe(false)
    await page.keyboard.press('Space')
    await expect.poll(paused, POLL).toBe(true)
    const mainTime = await page
      .locator('.stage-video')
      .evaluate((v) => (v as { currentTime: number }).currentTime)
    const expected = mainTime - CAMERA_OFFSET_MS / 1000
    if (expected < (camera.durationMs ?? 0) / 1000) {
      await expect
        .poll(async () => Math.abs((await cameraNow(page)).time - expected), POLL)
        .toBeLessThan(0.001)
    } else {
      // A slow machine paused past the camera's last picture: no bubble there.
      expect((await cameraNow(page)).shown).toBe('false')
    }
    if (process.env.SIDECAST_BUBBLE_SHOT) {
      await page.screenshot({ path: process.env.SIDECAST_BUBBLE_SHOT })
    }

    await page.keyboard.press('Home')
    await page.keyboard.press('Shift+ArrowRight')
    await page.keyboard.press('Shift+ArrowRight')
    await expect.poll(async () => (await cameraNow(page)).shown, POLL).toBe('true')
    await expect
      .poll(
        async () => Math.abs((await cameraNow(page)).time - (2000 - CAMERA_OFFSET_MS) / 1000),
        POLL
      )
      .toBeLessThan(0.001)

    // The timeline's lane: shown from the camera's first picture to its last.
    const lane = page.getByTestId('bubble-lane')
    const cameraEnd = CAMERA_OFFSET_MS + (camera.durationMs ?? 0)
    await expect
      .poll(() => lane.getAttribute('aria-label'), POLL)
      .toBe(bubbleLaneLabel([[CAMERA_OFFSET_MS, cameraEnd]]))

    // Selected: its inspector. Rounded square, saved.
    await bubble.click()
    await expect.poll(() => bubble.getAttribute('aria-pressed'), POLL).toBe('true')
    const inspector = page.getByRole('complementary', { name: 'Style' })
    await inspector.getByRole('heading', { name: 'Camera bubble' }).waitFor()
    await inspector.getByRole('button', { name: 'Rounded square' }).click()
    let edits = await waitForEdits(editsFile, (e) => e.bubble?.shape === 'rounded')
    expect(edits.version).toBe(2)
    expect(edits.bubble).toEqual({ ...start, shape: 'rounded' })

    // Hidden from the playhead (2 s) to the end: not shown; saved; Show from here is offered.
    await inspector.getByRole('button', { name: 'Hide from here' }).click()
    await expect.poll(async () => (await cameraNow(page)).shown, POLL).toBe('false')
    edits = await waitForEdits(editsFile, (e) => (e.bubble?.hidden.length ?? 0) > 0)
    expect(edits.bubble?.hidden).toEqual([[2000, facts.durationMs]])
    expect(await inspector.getByRole('button', { name: 'Hide from here' }).isDisabled()).toBe(true)
    await expect
      .poll(() => lane.getAttribute('aria-label'), POLL)
      .toBe(bubbleLaneLabel([[CAMERA_OFFSET_MS, 2000]]))
    // Undo brings it back, saved too.
    await page.keyboard.press('Control+z')
    await expect.poll(async () => (await cameraNow(page)).shown, POLL).toBe('true')
    await waitForEdits(editsFile, (e) => e.bubble?.hidden.length === 0)

    // Dragged close to the top-right corner: it snaps there.
    const stage = await page.getByTestId('editor-stage').boundingBox()
    const from = await bubble.boundingBox()
    if (!stage || !from) throw new Error('The stage or the bubble is not shown')
    const spot = cornerSpot('top-right', start.size, FRAME)
    const target = bubbleBox({ ...start, ...spot }, FRAME)
    const scale = stage.width / W
    // The middle of the corner's spot, missed by 6 frame pixels each way.
    const to = {
      x: stage.x + (target.x + target.size / 2 - 6) * scale,
      y: stage.y + (target.y + target.size / 2 + 6) * scale
    }
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2)
    await page.mouse.down()
    await page.mouse.move(to.x, to.y, { steps: 8 })
    await page.mouse.up()
    edits = await waitForEdits(editsFile, (e) => (e.bubble?.x ?? 0) > 0.5)
    expect(edits.bubble).toEqual({
      ...start,
      ...spot,
      shape: 'rounded',
      hidden: []
    } satisfies Bubble)
    await expect.poll(() => bubbleOnStage(page), POLL).toEqual(target)

    // Escape lets go of it; the inspector goes back to the callouts' styles.
    await page.keyboard.press('Escape')
    await expect.poll(() => bubble.getAttribute('aria-pressed'), POLL).toBe('false')
    await waitUntil(
      'the style inspector',
      async () => (await inspector.getByRole('heading', { name: 'Camera bubble' }).count()) === 0
    )
    // A press on the lane selects it again.
    await lane.click()
    await expect.poll(() => bubble.getAttribute('aria-pressed'), POLL).toBe('true')
    expect(problems).toEqual([])
  })
})
