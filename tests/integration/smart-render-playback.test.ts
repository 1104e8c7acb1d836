/**
 * Chromium plays a smart export across every join (issue 14). The source is shaped like the
 * app's recordings: H.264 as Chromium's MediaRecorder writes it (Constrained Baseline, level 3.1,
 * full-range yuvj420p, a keyframe every second, Matroska with a millisecond timebase) with Opus,
 * stream-copied into MP4 as finishing a recording does. A callout and a cut make the export
 * re-encode some GOPs and copy the rest; Chromium (headless, /usr/bin/chromium) then plays the
 * file to its end while every presented frame is logged (requestVideoFrameCallback).
 *
 * Nothing here is timed: on a loaded machine playback may run late or drop frames, but the media
 * clock never moves faster than the display clock, so a jump is media time gained beyond the
 * display time that passed; a stall is playback that never reaches the end (bounded wait) or a
 * hole in the file's timeline, over which Chromium holds the last picture. What Chromium was seen
 * to do with broken joins (checked by hand): a parameter-set change mid-stream plays cleanly, a
 * 2 s hole plays on with a frozen picture, and a GOP missing its keyframe plays with no error but
 * none of its frames decoded — so the decoded-frame count is checked as well.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { promisify } from 'node:util'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runExport } from '../../src/engine/run-export'
import type { SmartPlan } from '../../src/engine/smart-plan'
import type { Edits } from '../../src/shared/edits'
import type { RecordingFacts } from '../../src/shared/project'
import { BASE_CHROMIUM_ARGS, chromiumPath } from '../support/chromium'

const run = promisify(execFile)
const FFMPEG = '/usr/bin/ffmpeg'
const FFPROBE = '/usr/bin/ffprobe'
const FPS = 30
const FRAME_S = 1 / FPS
const SECONDS = 10
/** A jump is more media time than display time by this much: a few frames. */
const JUMP_SLACK_S = 3 * FRAME_S

const root = mkdtempSync(join(tmpdir(), 'sidecast-smart-playback-'))
let browser: Browser

afterAll(async () => {
  await browser?.close().catch(() => undefined)
  rmSync(root, { recursive: true, force: true })
})

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...BASE_CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required']
  })
})

/** A project folder with a MediaRecorder-like H.264/Opus recording, finished into MP4. */
async function makeRecording(dir: string): Promise<RecordingFacts> {
  mkdirSync(dir, { recursive: true })
  const capture = join(dir, 'capture.mkv')
  // A frame counter and moving pattern: every frame differs, as when a cursor moves.
  // prettier-ignore
  await run(FFMPEG, [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=s=640x360:r=${FPS}`,
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', String(SECONDS),
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'baseline', '-level', '3.1',
    '-pix_fmt', 'yuvj420p', '-g', String(FPS), '-keyint_min', String(FPS), '-sc_threshold', '0',
    '-b:v', '1500k',
    '-c:a', 'libopus', '-b:a', '96k',
    '-f', 'matroska', capture
  ])
  // As finishing a recording does (media-tools remux): a stream copy into MP4.
  // prettier-ignore
  await run(FFMPEG, [
    '-hide_banner', '-loglevel', 'error', '-y', '-i', capture,
    '-map', '0:v:0', '-map', '0:a?', '-c', 'copy', '-movflags', '+faststart',
    join(dir, 'recording.mp4')
  ])
  rmSync(capture)
  return {
    version: 1,
    id: 'playback',
    status: 'complete',
    title: 'Playback',
    createdAt: '2026-12-02T10:00:00.000Z',
    sourceName: 'Generated',
    file: 'recording.mp4',
    container: 'mp4',
    mimeType: 'video/webm;codecs=h264,opus',
    videoCodec: 'h264',
    audioCodec: 'opus',
    width: 640,
    height: 360,
    durationMs: SECONDS * 1000
  }
}

/** A callout from mid-GOP to mid-GOP and a cut between keyframes: joins of both kinds. */
const EDITS: Edits = {
  version: 2,
  keep: [
    [0, 6_300],
    [7_600, SECONDS * 1000]
  ],
  annotations: [
    {
      id: 'c1',
      type: 'callout',
      startMs: 2_500,
      endMs: 4_200,
      x: 0.1,
      y: 0.1,
      w: 0.4,
      h: 0.15,
      text: 'Click here'
    }
  ]
}

/** The video frames' presentation times in `file`, s, in order. */
async function frameTimes(file: string): Promise<number[]> {
  // prettier-ignore
  const { stdout } = await run(FFPROBE, [
    '-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0',
    file
  ], { maxBuffer: 16 * 1024 * 1024 })
  return stdout
    .trim()
    .split('\n')
    .map(Number)
    .filter((t) => Number.isFinite(t))
    .sort((a, b) => a - b)
}

/** One presented frame, as requestVideoFrameCallback reports it. */
interface Presented {
  /** The frame's media time, s. */
  readonly mediaTime: number
  /** When the compositor shows it, ms on the page's clock. */
  readonly displayMs: number
}

interface PlaybackLog {
  readonly frames: Presented[]
  readonly ended: boolean
  readonly error: string | null
  readonly currentTime: number
  readonly duration: number
  readonly totalVideoFrames: number
  readonly droppedVideoFrames: number
  readonly corruptedVideoFrames: number
}

// The page's code is a string: integration tests are typed without the DOM.
const START_PLAYBACK = `(() => {
  const video = document.querySelector('video')
  window.__log = { frames: [], error: null }
  video.addEventListener('error', () => {
    window.__log.error = (video.error && (video.error.message || 'code ' + video.error.code)) || 'error'
  })
  const onFrame = (_now, meta) => {
    window.__log.frames.push({ mediaTime: meta.mediaTime, displayMs: meta.expectedDisplayTime })
    if (!video.ended) video.requestVideoFrameCallback(onFrame)
  }
  video.requestVideoFrameCallback(onFrame)
  return video.play().then(() => true, (e) => { window.__log.error = String(e); return false })
})()`

const READ_LOG = `(() => {
  const video = document.querySelector('video')
  const quality = video.getVideoPlaybackQuality()
  return {
    frames: window.__log.frames,
    ended: video.ended,
    error: window.__log.error,
    currentTime: video.currentTime,
    duration: video.duration,
    totalVideoFrames: quality.totalVideoFrames,
    droppedVideoFrames: quality.droppedVideoFrames,
    corruptedVideoFrames: quality.corruptedVideoFrames
  }
})()`

/** Plays `file` to its end in Chromium; bounded by `timeoutMs` (a stall ends there). */
async function play(file: string, timeoutMs: number): Promise<PlaybackLog> {
  const dir = mkdtempSync(join(root, 'page-'))
  const page = join(dir, 'index.html')
  writeFileSync(page, `<!doctype html><video muted playsinline src="file://${file}"></video>`)
  const context = await browser.newContext()
  try {
    const tab = await context.newPage()
    await tab.goto(`file://${page}`)
    const canPlay = (await tab.evaluate(
      `document.querySelector('video').canPlayType('video/mp4; codecs="avc1.42E01F, opus"')`
    )) as string
    if (!canPlay) throw new Error('This Chromium cannot play H.264 in MP4')
    const started = (await tab.evaluate(START_PLAYBACK)) as boolean
    const until = Date.now() + timeoutMs
    for (;;) {
      const log = (await tab.evaluate(READ_LOG)) as PlaybackLog
      if (!started || log.ended || log.error) return log
      if (Date.now() > until) return log
      await delay(250)
    }
  } finally {
    await context.close()
  }
}

/**
 * Steps between presented frames where media time ran ahead of the display clock by more than a
 * few frames, or went backwards.
 */
function jumps(frames: readonly Presented[]): string[] {
  const found: string[] = []
  for (let i = 1; i < frames.length; i++) {
    const a = frames[i - 1]!
    const b = frames[i]!
    const media = b.mediaTime - a.mediaTime
    const display = (b.displayMs - a.displayMs) / 1000
    if (media < 0 || media > display + JUMP_SLACK_S) {
      found.push(
        `${a.mediaTime.toFixed(3)} → ${b.mediaTime.toFixed(3)} s in ${display.toFixed(3)} s`
      )
    }
  }
  return found
}

describe('Chromium plays a smart export across every join', () => {
  it('plays to its end, passing each join with no jump, every frame decoded', async () => {
    const dir = join(root, 'project')
    const facts = await makeRecording(dir)
    const outFile = join(root, 'export.mp4')
    let plan: SmartPlan | null = null
    const result = await runExport({
      projectDir: dir,
      facts,
      edits: EDITS,
      preset: { size: 'source', quality: 'standard' },
      outFile,
      ffmpegPath: FFMPEG,
      ffprobePath: FFPROBE,
      onSmartPlan: (p) => (plan = p)
    })

    // The export really is a smart one, with joins of copied and re-encoded stretches.
    expect(result.render, `fell back: ${result.render.reason ?? ''}`).toMatchObject({
      mode: 'smart'
    })
    // Its audio is the prepared AAC spliced at the cuts: the player's clock follows it.
    expect(result.audio).toEqual({ how: 'spliced' })
    const smart = plan as SmartPlan | null
    if (!smart?.smart) throw new Error('runExport gave no smart plan')
    expect(smart.segments.some((s) => s.kind === 'copy')).toBe(true)
    expect(smart.segments.some((s) => s.kind === 'encode')).toBe(true)
    const joins = smart.joinsMs.map((ms) => ms / 1000)
    expect(joins.length, 'joins between copied and re-encoded stretches').toBeGreaterThanOrEqual(3)

    // The file's own timeline has no hole: a player holds the last picture over one (Chromium
    // does, with currentTime running on), which looks like a stall.
    const times = await frameTimes(outFile)
    const frameCount = times.length
    const holes = times
      .slice(1)
      .map((t, i) => [times[i]!, t] as const)
      .filter(([a, b]) => b - a > JUMP_SLACK_S)
      .map(([a, b]) => `${a.toFixed(3)} → ${b.toFixed(3)} s`)
    expect(holes, 'gaps between frames in the exported file').toEqual([])
    const durationS = smart.outputDurationMs / 1000
    // Bounded: a stall leaves the video short of its end, and the assertions say where.
    const log = await play(outFile, durationS * 10_000 + 60_000)
    const last = log.frames.at(-1)?.mediaTime ?? 0
    const where = `joins at ${joins.map((t) => t.toFixed(3)).join(', ')} s; last frame shown at ${last.toFixed(3)} s of ${durationS.toFixed(3)} s; currentTime ${log.currentTime.toFixed(3)}`

    expect(log.error, where).toBeNull()
    expect(log.ended, `played to its end (${where})`).toBe(true)
    expect(log.currentTime).toBeGreaterThanOrEqual(durationS - 3 * FRAME_S)
    expect(last, where).toBeGreaterThanOrEqual(durationS - 4 * FRAME_S)

    // Media time never runs ahead of the display clock, anywhere, joins included.
    expect(jumps(log.frames), where).toEqual([])
    // Each join is passed: frames are shown on both sides of it.
    for (const join of joins) {
      expect(
        log.frames.some((f) => f.mediaTime < join) && log.frames.some((f) => f.mediaTime >= join),
        `frames on both sides of the join at ${join.toFixed(3)} s (${where})`
      ).toBe(true)
    }

    // Every frame of the file was decoded, none corrupted. (A GOP whose keyframe is missing plays
    // without an error event, but Chromium decodes none of its frames: this is where it shows.)
    expect(log.corruptedVideoFrames).toBe(0)
    expect(log.totalVideoFrames, `decoded of ${frameCount} frames`).toBeGreaterThanOrEqual(
      frameCount - 1
    )
  })
})
