/**
 * Instant share with what Chromium's MediaRecorder really writes (the app records with it): a
 * canvas and a tone recorded with a pause, in each codec the recorder may pick, sent as a live
 * upload in pieces, finished by the server into a seekable video of the right length. ffmpeg's
 * own streamed WebM (live-share.test.ts) is close, but not the same bytes.
 */
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BASE_CHROMIUM_ARGS, chromiumPath } from '../support/chromium'
import { createLive, feed, patchLive } from './live-support'
import { serversPerTest } from './support'

const servers = serversPerTest()
let browser: Browser

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: [...BASE_CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required']
  })
})

afterAll(async () => {
  await browser?.close()
})

/**
 * Records a changing canvas and a tone for about 2.5 s of media, paused for 1.5 s in the
 * middle, with 250 ms chunks (as the app asks for). Null when this Chromium cannot record it.
 */
async function record(mimeType: string): Promise<{ bytes: Buffer; recordedMs: number } | null> {
  const page = await browser.newPage()
  try {
    await page.setContent('<canvas width="640" height="360"></canvas>')
    // e2e and server test files have no DOM types, so the page's code is a string.
    const supported = await page.evaluate(
      `MediaRecorder.isTypeSupported(${JSON.stringify(mimeType)})`
    )
    if (!supported) return null
    const { base64, recordedMs } = (await page.evaluate(`(async () => {
      const canvas = document.querySelector('canvas')
      const g = canvas.getContext('2d')
      let n = 0
      const draw = setInterval(() => {
        g.fillStyle = 'hsl(' + (n++ * 7) + ', 80%, 50%)'
        g.fillRect(0, 0, 640, 360)
        g.fillStyle = '#fff'
        g.font = '48px sans-serif'
        g.fillText(String(n), 100, 180)
      }, 33)
      const audio = new AudioContext()
      const tone = audio.createOscillator()
      const out = audio.createMediaStreamDestination()
      tone.connect(out)
      tone.start()
      const stream = new MediaStream([
        ...canvas.captureStream(30).getVideoTracks(),
        ...out.stream.getAudioTracks()
      ])
      const recorder = new MediaRecorder(stream, { mimeType: ${JSON.stringify(mimeType)} })
      const parts = []
      recorder.ondataavailable = (e) => parts.push(e.data)
      const wait = (ms) => new Promise((r) => setTimeout(r, ms))
      // How long it really recorded (timers run late on a busy machine), pause left out.
      let t = performance.now()
      recorder.start(250)
      await wait(1250)
      recorder.pause()
      let recordedMs = performance.now() - t
      await wait(1500)
      recorder.resume()
      t = performance.now()
      await wait(1250)
      await new Promise((r) => { recorder.onstop = r; recorder.stop() })
      recordedMs += performance.now() - t
      clearInterval(draw)
      const bytes = new Uint8Array(await new Blob(parts).arrayBuffer())
      let s = ''
      for (const b of bytes) s += String.fromCharCode(b)
      return { base64: btoa(s), recordedMs }
    })()`)) as { base64: string; recordedMs: number }
    return { bytes: Buffer.from(base64, 'base64'), recordedMs }
  } finally {
    await page.close()
  }
}

describe('a live upload of a real MediaRecorder recording', () => {
  it.each([
    ['video/webm;codecs=h264,opus', 'video/mp4'],
    // Not VP9: its software encoder in Chromium sometimes hands over no chunk at all within the
    // few seconds on this shared 2-core machine. It takes the same road as VP8 (WebM, cues).
    ['video/webm;codecs=vp8,opus', 'video/webm']
  ])('%s finishes as %s with its duration', async (mimeType, stored) => {
    const recorded = await record(mimeType)
    // VP8 is in every Chromium; H.264 in the builds the app runs on, and this one.
    expect(recorded, `${mimeType} is not recordable in this Chromium`).not.toBeNull()
    const { bytes, recordedMs } = recorded!
    expect(bytes.length, 'bytes recorded').toBeGreaterThan(10_000)
    const s = await servers.start()
    const live = await createLive(s, { title: mimeType })
    expect(live.res.status).toBe(201)
    await feed(s, live.up, bytes, 4)
    const last = await patchLive(s, live.up, bytes.length, Buffer.alloc(0), bytes.length)
    expect(last.status, last.text).toBe(204)
    expect(last.headers['sidecast-upload-state']).toBe('done')
    const video = (await s.app.library.db.getVideo(live.videoId))!
    expect(video.mimeType).toBe(stored)
    // As long as it recorded, give or take the encoder's start: the 1.5 s pause left no gap.
    const facts = `${video.durationMs} ms stored, ${Math.round(recordedMs)} ms recorded`
    expect(video.durationMs!, facts).toBeGreaterThan(recordedMs / 2)
    expect(video.durationMs!, facts).toBeLessThan(recordedMs + 750)
    expect(video.hasThumbnail).toBe(true)
  })
})
