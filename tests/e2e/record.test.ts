/**
 * End to end in real Chromium under Xvfb: the renderer records the real screen with the fake
 * microphone, the harness (real main-side services, real ffmpeg) writes and finishes the project.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Browser } from 'playwright-core'
import { startHarnessProcess } from '../support/harness-process'
import { audioPeakDb, durationSeconds, probe, sampleColour } from '../support/media'
import {
  openRecorder,
  startCaptureScreen,
  startRecording,
  stopCaptureScreen,
  waitForFacts,
  type CaptureScreen
} from './recorder-page'

const SCREEN = { width: 1920, height: 1080 }
// The browser window covers the top-left; this spot shows the bare root window.
const ROOT_SPOT = { x: 1600, y: 900 }
const ROOT_COLOUR = '#1e90ff' // rgb(30, 144, 255)

let screen: CaptureScreen | undefined
let browser: Browser
const cleanups: (() => Promise<void> | void)[] = []

beforeAll(async () => {
  screen = await startCaptureScreen(SCREEN, ROOT_COLOUR, '1100,760')
  browser = screen.browser
})

afterAll(() => stopCaptureScreen(screen, cleanups))

describe('recording the desktop', () => {
  it('records the real screen at native size with narration and finishes a playable project', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sidecast-e2e-'))
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const harness = await startHarnessProcess(dataDir)
    cleanups.push(() => harness.stop())
    const page = await openRecorder(browser, harness, { cleanups, throttleCpu: true })

    const startedAt = await startRecording(page)
    await delay(6_000)
    await page.getByRole('button', { name: 'Stop recording' }).click()
    const recordedSeconds = (Date.now() - startedAt) / 1000

    const facts = await waitForFacts(dataDir, (f) => f.status === 'complete')
    const file = join(dataDir, 'projects', facts.id, facts.file)
    const probed = await probe(file)
    const video = probed.streams.find((s) => s.codec_type === 'video')
    const audio = probed.streams.find((s) => s.codec_type === 'audio')

    expect(video?.width).toBe(SCREEN.width)
    expect(video?.height).toBe(SCREEN.height)
    expect(audio, 'the narration track').toBeDefined()
    expect(Math.abs(durationSeconds(probed) - recordedSeconds)).toBeLessThanOrEqual(1)
    expect(facts).toMatchObject({ width: SCREEN.width, height: SCREEN.height })
    expect(Math.abs((facts.durationMs ?? 0) / 1000 - durationSeconds(probed))).toBeLessThan(0.5)

    // The fake microphone plays a beep: the narration is not silent.
    expect(await audioPeakDb(file)).toBeGreaterThan(-40)

    // A frame shows what was on the screen: the root window's colour.
    const [r, g, b] = await sampleColour(
      file,
      durationSeconds(probed) / 2,
      ROOT_SPOT.x,
      ROOT_SPOT.y
    )
    expect(Math.abs(r - 30)).toBeLessThan(25)
    expect(Math.abs(g - 144)).toBeLessThan(25)
    expect(Math.abs(b - 255)).toBeLessThan(25)

    // The finished recording appears in the list.
    await page.getByText(facts.title).first().waitFor({ timeout: 30_000 })
  })

  it('recovers a recording when the main process is killed mid-recording', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sidecast-e2e-crash-'))
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const first = await startHarnessProcess(dataDir)
    const page = await openRecorder(browser, first, { cleanups, throttleCpu: true })

    const startedAt = await startRecording(page)
    await delay(7_000)
    await first.kill()
    const recordedSeconds = (Date.now() - startedAt) / 1000
    const before = await waitForFacts(dataDir, (f) => f.status === 'recording', 5_000)
    expect(before.bytesWritten ?? 0).toBeGreaterThan(0)

    const second = await startHarnessProcess(dataDir)
    cleanups.push(() => second.stop())
    const facts = await waitForFacts(dataDir, (f) => f.id === before.id && f.status === 'recovered')
    const file = join(dataDir, 'projects', facts.id, facts.file)
    const probed = await probe(file, true)
    const video = probed.streams.find((s) => s.codec_type === 'video')
    expect(Number(video?.nb_read_frames)).toBeGreaterThan(0)
    expect(durationSeconds(probed)).toBeGreaterThanOrEqual(recordedSeconds - 2)

    // The user is told, in the app, that it was recovered.
    const again = await openRecorder(browser, second, { cleanups, throttleCpu: true })
    await again
      .getByText(/recovered/i)
      .first()
      .waitFor({ timeout: 15_000 })
  })
})
