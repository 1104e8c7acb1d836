/**
 * Keyframes in recordings, checked in the finished file: the recorder asks MediaRecorder for a
 * keyframe every second (src/renderer/src/recorder/keyframes.ts) so smart export can copy the GOPs
 * no edit touches. Real Chromium under Xvfb records the real screen through the harness.
 *
 * Chromium's rule: a frame becomes a keyframe when at least the interval has passed (in frame
 * timestamps) since the last keyframe. So every frame of a GOP lies within one interval of the
 * GOP's keyframe, however the frame rate varies — that is what the tests assert, with the spacing
 * of keyframes on a screen that keeps changing.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Browser } from 'playwright-core'
import { startHarnessProcess } from '../support/harness-process'
import {
  openRecorder,
  startCaptureScreen,
  startRecording,
  stopCaptureScreen,
  waitForFacts,
  type CaptureScreen
} from './recorder-page'
import { KEYFRAME_INTERVAL_MS } from '../../src/renderer/src/recorder/keyframes'
import { VIDEO_MIME_PREFERENCE } from '../../src/renderer/src/recorder/mime-type'

const run = promisify(execFile)
const FFPROBE = process.env.SIDECAST_TEST_FFPROBE ?? 'ffprobe'
const SCREEN = { width: 1920, height: 1080 }
const INTERVAL_S = KEYFRAME_INTERVAL_MS / 1000
/** Timestamps in WebM are whole milliseconds, and a remux may round once more. */
const TIMESTAMP_SLACK_S = 0.005

let screen: CaptureScreen | undefined
let browser: Browser
const cleanups: (() => Promise<void> | void)[] = []

interface Packet {
  readonly pts: number
  readonly key: boolean
}

/** The video packets of `file` in presentation order. */
async function videoPackets(file: string): Promise<Packet[]> {
  const { stdout } = await run(
    FFPROBE,
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags'].concat([
      '-of',
      'csv=p=0',
      file
    ]),
    { maxBuffer: 64 * 1024 * 1024 }
  )
  return stdout
    .trim()
    .split('\n')
    .map((line) => line.split(','))
    .filter(([pts]) => pts !== undefined && pts !== 'N/A' && pts !== '')
    .map(([pts, flags]) => ({ pts: Number(pts), key: (flags ?? '').includes('K') }))
    .sort((a, b) => a.pts - b.pts)
}

interface Gops {
  /** Keyframe times, in seconds. */
  readonly keyframes: number[]
  /** For each GOP, how far its last frame is from its keyframe. */
  readonly spans: number[]
}

function gops(packets: readonly Packet[]): Gops {
  const keyframes: number[] = []
  const spans: number[] = []
  for (const packet of packets) {
    if (packet.key) {
      keyframes.push(packet.pts)
      spans.push(0)
    } else if (keyframes.length > 0) {
      spans[spans.length - 1] = packet.pts - keyframes[keyframes.length - 1]!
    }
  }
  return { keyframes, spans }
}

/**
 * Page code that records a canvas for 4.5 s with MediaRecorder and returns the WebM as base64. A
 * small moving mark on a still background, like a cursor over a document.
 */
function recordCanvasScript(mimeType: string, intervalMs: number): string {
  return `(async () => {
    const canvas = document.querySelector('canvas')
    const ctx = canvas.getContext('2d')
    let n = 0
    const paint = () => {
      ctx.fillStyle = '#1e90ff'
      ctx.fillRect(0, 0, 640, 360)
      ctx.fillStyle = '#000'
      ctx.fillRect(10 + ((n += 4) % 600), 40, 12, 12)
    }
    paint()
    const timer = setInterval(paint, 33)
    const recorder = new MediaRecorder(canvas.captureStream(30), {
      mimeType: ${JSON.stringify(mimeType)},
      videoBitsPerSecond: 2500000,
      videoKeyFrameIntervalDuration: ${intervalMs}
    })
    const chunks = []
    recorder.ondataavailable = (event) => chunks.push(event.data)
    const stopped = new Promise((resolve) => (recorder.onstop = resolve))
    recorder.start(500)
    await new Promise((resolve) => setTimeout(resolve, 4500))
    recorder.stop()
    await stopped
    clearInterval(timer)
    const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer())
    let binary = ''
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
    }
    return btoa(binary)
  })()`
}

beforeAll(async () => {
  screen = await startCaptureScreen(SCREEN, '#1e90ff', '1100,760')
  browser = screen.browser
})

afterAll(() => stopCaptureScreen(screen, cleanups))

describe('keyframes in recordings', () => {
  it('a recording of the screen has a keyframe every second: no GOP spans more than the interval', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sidecast-e2e-keyframes-'))
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const harness = await startHarnessProcess(dataDir)
    cleanups.push(() => harness.stop())
    const page = await openRecorder(browser, harness, { cleanups, throttleCpu: true })

    await startRecording(page)
    // The recording bar's clock ticks every second, so the screen keeps changing.
    await delay(6_000)
    await page.getByRole('button', { name: 'Stop recording' }).click()

    const facts = await waitForFacts(
      dataDir,
      (f) => f.status === 'complete',
      60_000,
      'the recording to be finished'
    )
    const packets = await videoPackets(join(dataDir, 'projects', facts.id, facts.file))
    const { keyframes, spans } = gops(packets)
    const summary = `${facts.videoCodec ?? '?'} keyframes at ${keyframes.map((t) => t.toFixed(2)).join(' ')}`

    expect(packets.length, 'video frames').toBeGreaterThan(30)
    expect(packets[0]?.key, `the first frame is a keyframe (${summary})`).toBe(true)
    // Without the option Chromium's H.264 GOPs span ~3.4 s, VP8's more: this fails at once.
    expect(Math.max(...spans), `the longest GOP (${summary})`).toBeLessThan(
      INTERVAL_S + TIMESTAMP_SLACK_S
    )
    // And they recur: the ticking clock gives frames every second, so keyframes come about every
    // second; one per three seconds leaves room for a capture starved on a busy machine (without
    // the option there were 2 in 6 s).
    const lastPts = packets[packets.length - 1]!.pts
    expect(keyframes.length, summary).toBeGreaterThanOrEqual(Math.floor(lastPts / 3) + 1)
  })

  it('every codec the recorder may choose honours the interval (a canvas recorded in the same Chromium)', async () => {
    const context = await browser.newContext({ viewport: { width: 640, height: 360 } })
    cleanups.push(() => context.close())
    const page = await context.newPage()
    await page.setContent('<canvas width="640" height="360"></canvas>')

    const checked: string[] = []
    for (const mimeType of VIDEO_MIME_PREFERENCE) {
      // e2e files have no DOM types, so the page's code is a string.
      const supported = await page.evaluate(
        `MediaRecorder.isTypeSupported(${JSON.stringify(mimeType)})`
      )
      if (!supported) continue
      const base64 = (await page.evaluate(
        recordCanvasScript(mimeType, KEYFRAME_INTERVAL_MS)
      )) as string
      const dir = mkdtempSync(join(tmpdir(), 'sidecast-e2e-kf-canvas-'))
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
      const file = join(dir, 'canvas.webm')
      writeFileSync(file, Buffer.from(base64, 'base64'))
      const packets = await videoPackets(file)
      const { keyframes, spans } = gops(packets)
      const summary = `${mimeType}: keyframes at ${keyframes.map((t) => t.toFixed(2)).join(' ')}`
      expect(packets.length, `${mimeType} frames`).toBeGreaterThan(10)
      expect(Math.max(...spans), summary).toBeLessThan(INTERVAL_S + TIMESTAMP_SLACK_S)
      expect(keyframes.length, summary).toBeGreaterThanOrEqual(2)
      checked.push(mimeType)
    }
    // H.264 and VP8 are in every Chromium build the app can run on.
    expect(checked).toContain('video/webm;codecs=vp8')
  })
})
