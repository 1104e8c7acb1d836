/**
 * The camera beside the screen, end to end in real Chromium under Xvfb: Chromium's fake camera
 * (--use-fake-device-for-media-stream; granted by the context's permissions, never by
 * --use-fake-ui-for-media-stream) is chosen in the picker, its preview plays, and the recording
 * writes the camera to its own file next to the screen's, with its facts in recording.json. A
 * harness killed mid-recording is recovered with both files finished.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Browser, type Page } from 'playwright-core'
import { startHarnessProcess } from '../support/harness-process'
import { durationSeconds, probe } from '../support/media'
import {
  openRecorder,
  startCaptureScreen,
  startRecording,
  stopCaptureScreen,
  waitForFacts,
  type CaptureScreen
} from './recorder-page'

const SCREEN = { width: 1280, height: 720 }
const CAMERA_PERMISSIONS = ['microphone', 'camera']

let screen: CaptureScreen | undefined
let browser: Browser
const cleanups: (() => Promise<void> | void)[] = []

/** Chooses Chromium's fake camera in the picker; returns its name as the list shows it. */
async function chooseCamera(page: Page): Promise<string> {
  const select = page.getByRole('combobox', { name: 'Camera', exact: true })
  await expect.poll(() => select.inputValue()).toBe('none') // "No camera" by default
  expect(await page.getByLabel('Camera preview').count()).toBe(0)
  // The fake camera is listed by name (the context allows the camera).
  const camera = select.locator('option:not([value="none"]):not([value="default"])').first()
  await camera.waitFor({ state: 'attached', timeout: 15_000 })
  const label = (await camera.textContent())?.trim() ?? ''
  const value = (await camera.getAttribute('value')) ?? ''
  expect(value).not.toBe('')
  await select.selectOption(value)
  // The live preview appears and plays, mirrored.
  const preview = page.getByLabel('Camera preview')
  await preview.waitFor({ timeout: 15_000 })
  await expect
    .poll(() => preview.evaluate((v) => (v as unknown as { videoWidth: number }).videoWidth), {
      timeout: 15_000
    })
    .toBeGreaterThan(0)
  const transform = await preview.evaluate(
    (v) =>
      (
        globalThis as unknown as { getComputedStyle(e: unknown): { transform: string } }
      ).getComputedStyle(v).transform
  )
  expect(transform).toMatch(/^matrix\(-1, /)
  return label
}

beforeAll(async () => {
  screen = await startCaptureScreen(SCREEN, '#1e90ff', '1100,700')
  browser = screen.browser
})

afterAll(() => stopCaptureScreen(screen, cleanups))

describe('recording the camera', () => {
  it('records the chosen camera into its own file beside the screen, with its facts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sidecast-e2e-camera-'))
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const harness = await startHarnessProcess(dataDir)
    cleanups.push(() => harness.stop())
    const page = await openRecorder(browser, harness, { cleanups, permissions: CAMERA_PERMISSIONS })
    const cameraName = await chooseCamera(page)

    const startedAt = await startRecording(page)
    // Recording with a camera: the bar has the camera toggle, pressed (on).
    const toggle = page.getByRole('button', { name: 'Camera', exact: true })
    await toggle.waitFor()
    expect(await toggle.getAttribute('aria-pressed')).toBe('true')
    await delay(2_000)
    // Camera off for a moment, then on again: an off stretch on the recording clock.
    await toggle.click()
    await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('false')
    await delay(1_500)
    await toggle.click()
    await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('true')
    const remaining = 6_000 - (Date.now() - startedAt)
    if (remaining > 0) await delay(remaining)
    await page.getByRole('button', { name: 'Stop recording' }).click()
    const recordedSeconds = (Date.now() - startedAt) / 1000

    const facts = await waitForFacts(dataDir, (f) => f.status === 'complete')
    const camera = facts.camera
    expect(camera, 'recording.json has the camera').toBeDefined()
    expect(camera).toMatchObject({
      file: 'camera.webm',
      container: 'webm',
      mimeType: expect.stringMatching(/^video\/webm/),
      deviceName: cameraName
    })
    expect(camera?.mimeType).not.toMatch(/opus/)
    expect(camera?.endedBecause).toBeUndefined()
    // The one off stretch, inside the recording (the default bubble hides there).
    const off = camera?.offRanges ?? []
    expect(off).toHaveLength(1)
    const [offStart, offEnd] = off[0]!
    expect(offStart).toBeGreaterThan(0)
    expect(offEnd).toBeGreaterThan(offStart)
    expect(offEnd).toBeLessThanOrEqual(facts.durationMs ?? Infinity)
    // Both recorders start within moments of each other.
    expect(Math.abs(camera?.offsetMs ?? NaN)).toBeLessThan(1500)

    const cameraFile = join(dataDir, 'projects', facts.id, camera!.file)
    const probed = await probe(cameraFile)
    const video = probed.streams.filter((s) => s.codec_type === 'video')
    expect(video, 'one video stream').toHaveLength(1)
    expect(video[0]?.codec_name).toMatch(/^vp[89]$/)
    expect(
      probed.streams.some((s) => s.codec_type === 'audio'),
      'no audio'
    ).toBe(false)
    expect(Math.abs(durationSeconds(probed) - recordedSeconds)).toBeLessThanOrEqual(1)
    expect(Math.abs((camera?.durationMs ?? 0) / 1000 - durationSeconds(probed))).toBeLessThan(0.5)

    // The screen's own file is as before: the screen, with narration, the same length.
    const screen = await probe(join(dataDir, 'projects', facts.id, facts.file))
    expect(screen.streams.find((s) => s.codec_type === 'video')?.width).toBe(SCREEN.width)
    expect(Math.abs(durationSeconds(screen) - recordedSeconds)).toBeLessThanOrEqual(1)

    // Back home, the preview is on again for the next recording, and the choice was kept.
    await page.getByLabel('Camera preview').waitFor({ timeout: 15_000 })
    const settings = JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')) as {
      cameraId?: string
    }
    expect(settings.cameraId).not.toBe('none')
  })

  it('recovers both the screen and the camera when the harness is killed mid-recording', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sidecast-e2e-camera-crash-'))
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const first = await startHarnessProcess(dataDir)
    const page = await openRecorder(browser, first, { cleanups, permissions: CAMERA_PERMISSIONS })
    await chooseCamera(page)

    const startedAt = await startRecording(page)
    await delay(7_000)
    await first.kill()
    const recordedSeconds = (Date.now() - startedAt) / 1000
    const before = await waitForFacts(dataDir, (f) => f.status === 'recording', 5_000)
    expect(before.camera?.file).toBe('camera-capture.webm')
    expect(before.camera?.bytesWritten ?? 0).toBeGreaterThan(0)

    const second = await startHarnessProcess(dataDir)
    cleanups.push(() => second.stop())
    const facts = await waitForFacts(dataDir, (f) => f.id === before.id && f.status === 'recovered')
    const dir = join(dataDir, 'projects', facts.id)

    const screen = await probe(join(dir, facts.file), true)
    expect(
      Number(screen.streams.find((s) => s.codec_type === 'video')?.nb_read_frames)
    ).toBeGreaterThan(0)
    expect(durationSeconds(screen)).toBeGreaterThanOrEqual(recordedSeconds - 2)
    expect(durationSeconds(screen)).toBeLessThanOrEqual(recordedSeconds + 1)

    expect(facts.camera?.file).toBe('camera.webm')
    const camera = await probe(join(dir, facts.camera!.file), true)
    const cameraVideo = camera.streams.find((s) => s.codec_type === 'video')
    expect(Number(cameraVideo?.nb_read_frames)).toBeGreaterThan(0)
    expect(durationSeconds(camera)).toBeGreaterThanOrEqual(recordedSeconds - 2)
    expect(durationSeconds(camera)).toBeLessThanOrEqual(recordedSeconds + 1)
    expect(Math.abs((facts.camera?.durationMs ?? 0) / 1000 - durationSeconds(camera))).toBeLessThan(
      0.5
    )
  })
})
