/**
 * Smart rendering (issue 14) through real ffmpeg, on recordings shaped like Chromium's
 * MediaRecorder output: H.264 Constrained Baseline 3.1, full-range yuvj420p, a keyframe every
 * second with its parameter sets in front of it, variable frame times on a millisecond clock,
 * Opus, written to Matroska and stream-copied into MP4 as finishing a recording does — and on a
 * real recording made by Chromium's MediaRecorder. Checks: cuts frame-exact, flashes and beeps
 * together after every join, callouts exactly over their ranges, every frame decoding silently,
 * copied GOPs bit-identical to the recording's packets, the fallback when verification fails,
 * the no-edit copy path, cancel.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { chromium } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import { runExport, type ExportResult } from '../../src/engine/run-export'
import type { SmartPlan } from '../../src/engine/smart-plan'
import type { Edits } from '../../src/shared/edits'
import type { ExportPreset } from '../../src/shared/export-preset'
import { SidecastError } from '../../src/shared/errors'
import type { RecordingFacts } from '../../src/shared/project'
import { BASE_CHROMIUM_ARGS, chromiumPath } from '../support/chromium'
import {
  beepOnsets,
  editsOf as edits,
  finishIntoMp4,
  flashOnsets,
  rectCallout as rect,
  testFfmpeg
} from './helpers/media-fixtures'

const run = promisify(execFile)
const tools = testFfmpeg()
const SYSTEM_FFMPEG = '/usr/bin/ffmpeg'
const root = mkdtempSync(join(tmpdir(), 'sidecast-smart-test-'))
const SOURCE: ExportPreset = { size: 'source', quality: 'standard' }
const FRAME_MS = 1000 / 30

afterAll(() => rmSync(root, { recursive: true, force: true }))

interface Project {
  readonly dir: string
  readonly facts: RecordingFacts
}

/**
 * A MediaRecorder-like capture: OpenH264's layout (baseline, level 3.1, full range, parameter
 * sets before every IDR, a keyframe each second), frame times jittered by a few ms as a screen
 * capture's are, kept on a millisecond clock; finished into MP4 like the app does.
 */
async function makeProject(
  name: string,
  opts: { video: string; audio: string | null; seconds: number; width: number; height: number }
): Promise<Project> {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  const capture = join(dir, 'capture.mkv')
  // prettier-ignore
  await run(tools.ffmpegPath, [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', opts.video,
    ...(opts.audio ? ['-f', 'lavfi', '-i', opts.audio] : []),
    '-t', String(opts.seconds),
    '-vf', "setpts='(N/30+0.004*sin(N))/TB'",
    '-c:v', 'libx264', '-preset', 'ultrafast', '-profile:v', 'baseline', '-level:v', '3.1',
    '-pix_fmt', 'yuvj420p', '-g', '30', '-keyint_min', '30', '-sc_threshold', '0',
    '-bsf:v', 'dump_extra', '-enc_time_base', '1:1000', '-vsync', 'vfr',
    ...(opts.audio ? ['-c:a', 'libopus', '-b:a', '64k'] : []),
    '-f', 'matroska', capture
  ])
  return finish(dir, name, capture, opts)
}

/** As finishing a recording does: recording.mp4 and its facts. */
function finish(
  dir: string,
  name: string,
  capture: string,
  opts: { audio: unknown; width: number; height: number }
): Promise<Project> {
  const { width, height } = opts
  return finishIntoMp4(tools, dir, name, capture, { audio: Boolean(opts.audio), width, height })
}

interface Exported {
  readonly result: ExportResult
  readonly plan: SmartPlan | null
}

async function exportOf(
  project: Project,
  e: Edits,
  extra: {
    out: string
    ffmpegPath?: string
    smart?: boolean
    preset?: ExportPreset
    beforeVerify?: (file: string) => Promise<void>
  }
): Promise<Exported> {
  let plan: SmartPlan | null = null
  const result = await runExport({
    projectDir: project.dir,
    facts: project.facts,
    edits: e,
    preset: extra.preset ?? SOURCE,
    outFile: join(project.dir, 'exports', extra.out),
    ffmpegPath: extra.ffmpegPath ?? tools.ffmpegPath,
    ffprobePath: tools.ffprobePath,
    ...(extra.smart !== undefined ? { smart: extra.smart } : {}),
    ...(extra.beforeVerify ? { beforeVerify: extra.beforeVerify } : {}),
    onSmartPlan: (p) => (plan = p)
  })
  return { result, plan }
}

function smartPlan(exported: Exported): Extract<SmartPlan, { smart: true }> {
  const plan = exported.plan
  if (!plan?.smart) throw new Error(`not smart: ${plan ? plan.reason : 'no plan'}`)
  return plan
}

/** What ffmpeg says at level error while decoding every frame (frames keep their own times). */
async function decodeErrors(file: string): Promise<string> {
  // prettier-ignore
  const { stderr } = await run(tools.ffmpegPath, [
    '-hide_banner', '-nostdin', '-v', 'error', '-i', file, '-map', '0',
    '-vsync', 'passthrough', '-enc_time_base', '-1', '-f', 'null', '-'
  ])
  return stderr.trim()
}

async function videoDurationMs(file: string): Promise<number> {
  // prettier-ignore
  const { stdout } = await run(tools.ffprobePath, [
    '-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=duration', '-of', 'csv=p=0', file
  ])
  return Number(stdout.trim()) * 1000
}

/** Each video packet's time (ms) and MD5, read with a stream copy (no decoding). */
async function packetHashes(file: string): Promise<{ ms: number; md5: string }[]> {
  // prettier-ignore
  const { stdout } = await run(tools.ffmpegPath, [
    '-hide_banner', '-v', 'error', '-i', file, '-map', '0:v:0', '-c', 'copy', '-f', 'framemd5', '-'
  ], { maxBuffer: 64 * 1024 * 1024 })
  const tb = /#tb 0: (\d+)\/(\d+)/.exec(stdout)
  const [num, den] = [Number(tb?.[1] ?? 1), Number(tb?.[2] ?? 1000)]
  return stdout
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.split(',').map((f) => f.trim()))
    .map((f) => ({ ms: (Number(f[2]) * num * 1000) / den, md5: f[5] ?? '' }))
}

/** The copied stretches' packets must be the recording's, byte for byte, in order. */
async function expectCopiesBitIdentical(
  project: Project,
  out: string,
  plan: Extract<SmartPlan, { smart: true }>
): Promise<number> {
  const [source, output] = await Promise.all([
    packetHashes(join(project.dir, project.facts.file)),
    packetHashes(out)
  ])
  const within = (ms: number, start: number, end: number): boolean =>
    ms >= start - 0.5 && ms < end - 0.5
  let compared = 0
  for (const s of plan.segments.filter((seg) => seg.kind === 'copy')) {
    const want = source
      .filter((p) => within(p.ms, s.sourceStartMs, s.sourceEndMs))
      .map((p) => p.md5)
    const got = output
      .filter((p) => within(p.ms, s.outputStartMs, s.outputStartMs + s.durationMs))
      .map((p) => p.md5)
    expect(got, `copied stretch at ${s.outputStartMs} ms`).toEqual(want)
    compared += want.length
  }
  return compared
}

/** Mean RGB of a 4×4 block at (x, y) of the frame shown at `atMs`. */
async function meanColour(file: string, atMs: number, x: number, y: number): Promise<number[]> {
  // prettier-ignore
  const { stdout } = await run(tools.ffmpegPath, [
    '-v', 'error', '-i', file, '-ss', (atMs / 1000).toFixed(3), '-frames:v', '1',
    '-vf', `crop=4:4:${x}:${y}`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-'
  ], { encoding: 'buffer', maxBuffer: 1024 * 1024 })
  const sum = [0, 0, 0]
  for (let i = 0; i < stdout.length; i += 3) for (let c = 0; c < 3; c++) sum[c]! += stdout[i + c]!
  return sum.map((s) => Math.round(s / (stdout.length / 3)))
}

const ffmpegs: [name: string, path: string][] = [
  ['bundled ffmpeg', tools.ffmpegPath],
  ['system ffmpeg', SYSTEM_FFMPEG]
]

describe('smart rendering', () => {
  let pattern: Project
  const patternProject = async (): Promise<Project> =>
    (pattern ??= await makeProject('pattern', {
      video: 'testsrc2=size=640x360:rate=30',
      audio: 'sine=frequency=440:sample_rate=48000',
      seconds: 10,
      width: 640,
      height: 360
    }))

  it.each(ffmpegs)(
    'copies untouched GOPs bit for bit, cuts frame-exact, decodes silently (%s)',
    async (name, ffmpegPath) => {
      const project = await patternProject()
      const exported = await exportOf(
        project,
        edits(
          [
            [0, 2500],
            [4300, 10_000]
          ],
          [rect('c', 7200, 7600)]
        ),
        { out: `cuts-${name.split(' ')[0]}.mp4`, ffmpegPath }
      )
      const { result } = exported
      expect(result.render).toEqual({
        mode: 'smart',
        copiedFraction: expect.closeTo(6000 / 8200, 1) as number,
        reason: null
      })
      expect(result.mode).toBe('smart')
      expect(result.durationMs).toBe(8200)
      expect(Math.abs((await videoDurationMs(result.outFile)) - 8200)).toBeLessThanOrEqual(FRAME_MS)
      expect(await decodeErrors(result.outFile)).toBe('')
      const plan = smartPlan(exported)
      expect(plan.segments.map((s) => s.kind)).toEqual([
        'copy',
        'encode',
        'encode',
        'copy',
        'encode',
        'copy'
      ])
      // 2 s + 2 s + 2 s of copied GOPs at 30 fps (the last one to the recording's end).
      expect(await expectCopiesBitIdentical(project, result.outFile, plan)).toBeGreaterThanOrEqual(
        180
      )
      // prettier-ignore
      const { stdout } = await run(tools.ffprobePath, [
        '-v', 'error', '-show_entries', 'stream=codec_name,profile,pix_fmt', '-of', 'json', result.outFile
      ])
      expect(JSON.parse(stdout)).toMatchObject({
        streams: [
          { codec_name: 'h264', profile: 'Constrained Baseline', pix_fmt: 'yuvj420p' },
          { codec_name: 'aac' }
        ]
      })
    }
  )

  it('beeps stay within a frame of their flashes after every join', async () => {
    // A white flash and a 1 kHz beep during the first 100 ms of every second.
    const synced = await makeProject('synced', {
      video: "color=c=black:size=320x240:rate=30,drawbox=c=white:t=fill:enable='lt(mod(t,1),0.1)'",
      audio: "aevalsrc='if(lt(mod(t,1),0.1),0.8*sin(2*PI*1000*t),0)':s=48000",
      seconds: 8,
      width: 320,
      height: 240
    })
    // Cuts between flashes (a jittered keyframe, hence a flash, can fall a few ms before its
    // second), and a callout over 3.2–3.5 s: copies, encodes and joins between them.
    const exported = await exportOf(
      synced,
      edits(
        [
          [0, 1300],
          [2450, 4950],
          [5700, 8000]
        ],
        [rect('c', 3200, 3500)]
      ),
      { out: 'synced.mp4' }
    )
    expect(exported.result.render.mode).toBe('smart')
    // The audio is the prepared AAC's frames with re-encoded windows at the cuts.
    expect(exported.result.audio).toEqual({ how: 'spliced' })
    expect(smartPlan(exported).joinsMs.length).toBeGreaterThanOrEqual(4)
    const expected = [0, 1000, 1850, 2850, 4100, 5100]
    const [flashes, beeps] = await Promise.all([
      flashOnsets(tools, exported.result.outFile),
      beepOnsets(tools, exported.result.outFile)
    ])
    expect(flashes).toHaveLength(expected.length)
    expect(beeps).toHaveLength(expected.length)
    expected.forEach((ms, i) => {
      expect(Math.abs(flashes[i]! - ms), `flash ${i}`).toBeLessThanOrEqual(FRAME_MS)
      expect(Math.abs(beeps[i]! - flashes[i]!), `beep ${i}`).toBeLessThanOrEqual(FRAME_MS)
    })

    // With no edits: both streams copied (the audio from the prepared AAC), still in sync.
    const copied = await exportOf(synced, edits(), { out: 'synced-copy.mp4' })
    expect(copied.result.mode).toBe('copy')
    expect(copied.result.audio).toEqual({ how: 'spliced' })
    const [copyFlashes, copyBeeps] = await Promise.all([
      flashOnsets(tools, copied.result.outFile),
      beepOnsets(tools, copied.result.outFile)
    ])
    expect(copyFlashes).toHaveLength(8)
    expect(copyBeeps).toHaveLength(8)
    copyFlashes.forEach((ms, i) => {
      expect(Math.abs(ms - i * 1000), `flash ${i}`).toBeLessThanOrEqual(FRAME_MS)
      expect(Math.abs(copyBeeps[i]! - ms), `beep ${i}`).toBeLessThanOrEqual(FRAME_MS)
    })
  })

  it('draws a callout exactly over its range, and nowhere else', async () => {
    const plain = await makeProject('plain', {
      video: 'color=c=0x808080:size=320x240:rate=30',
      audio: null,
      seconds: 6,
      width: 320,
      height: 240
    })
    // Kept 0–1 s and 1.5–6 s; the rect runs 2.2–3.6 s of the recording → 1.7–3.1 s of the output.
    const exported = await exportOf(
      plain,
      edits(
        [
          [0, 1000],
          [1500, 6000]
        ],
        [rect('r', 2200, 3600)]
      ),
      { out: 'callout.mp4' }
    )
    expect(exported.result.render.mode).toBe('smart')
    const at = (ms: number): Promise<number[]> => meanColour(exported.result.outFile, ms, 30, 60)
    const isGreen = ([r, g, b]: number[]): boolean => g! > 200 && r! < 60 && b! < 60
    const isGray = (rgb: number[]): boolean => rgb.every((c) => Math.abs(c - 128) < 16)
    for (const ms of [500, 1200, 1600, 3200, 3600, 5000]) {
      expect(isGray(await at(ms)), `${ms} ms`).toBe(true)
    }
    for (const ms of [1750, 2400, 3050]) expect(isGreen(await at(ms)), `${ms} ms`).toBe(true)
    expect(await decodeErrors(exported.result.outFile)).toBe('')
  })

  it('a result that does not verify falls back to a full re-encode, which is correct', async () => {
    const project = await patternProject()
    const broken: string[] = []
    const exported = await exportOf(
      project,
      edits(
        [
          [0, 3000],
          [3500, 10_000]
        ],
        []
      ),
      {
        out: 'fallback.mp4',
        // Garbles the middle of the smart result: its decoding must fail the check.
        beforeVerify: async (file) => {
          broken.push(file)
          const handle = await open(file, 'r+')
          try {
            const { size } = await handle.stat()
            await handle.write(Buffer.alloc(64 * 1024, 0x5a), 0, 64 * 1024, Math.floor(size / 3))
          } finally {
            await handle.close()
          }
        }
      }
    )
    expect(broken).toHaveLength(1)
    expect(exported.result.mode).toBe('encode')
    expect(exported.result.render.mode).toBe('full')
    expect(exported.result.render.reason).toMatch(/^the fast export did not verify: /)
    expect(await decodeErrors(exported.result.outFile)).toBe('')
    expect(Math.abs((await videoDurationMs(exported.result.outFile)) - 9500)).toBeLessThanOrEqual(
      FRAME_MS
    )
  })

  it('with no edits the export is a pure stream copy of every packet', async () => {
    const project = await patternProject()
    const { result } = await exportOf(project, edits(), { out: 'copy.mp4' })
    expect(result.mode).toBe('copy')
    expect(result.render).toEqual({ mode: 'smart', copiedFraction: 1, reason: null })
    const [source, output] = await Promise.all([
      packetHashes(join(project.dir, project.facts.file)),
      packetHashes(result.outFile)
    ])
    expect(output.map((p) => p.md5)).toEqual(source.map((p) => p.md5))
  })

  it('says why when it re-encodes everything: a scaling size, or a full export asked for', async () => {
    const project = await patternProject()
    const scaled = await exportOf(project, edits([], [rect('c', 1000, 1200)]), {
      out: 'scaled.mp4',
      preset: { size: '720p', quality: 'standard' }
    })
    // 640×360 is under 720p: kept at its size, so smart still applies.
    expect(scaled.result.render.mode).toBe('smart')
    const full = await exportOf(project, edits(), { out: 'full.mp4', smart: false })
    expect(full.result.mode).toBe('encode')
    expect(full.result.render).toEqual({
      mode: 'full',
      copiedFraction: 0,
      reason: 'a full re-encode was asked for'
    })
    const small = await exportOf(project, edits([], [rect('c', 1000, 1200)]), {
      out: 'small.mp4',
      preset: { size: 'source', quality: 'small' }
    })
    expect(small.result.render.reason).toMatch(/Small quality/)
  })

  it('cancel during a smart render stops it and leaves no partial file', async () => {
    const project = await patternProject()
    const controller = new AbortController()
    const dir = join(project.dir, 'cancel-exports')
    const error = await runExport({
      projectDir: project.dir,
      facts: project.facts,
      edits: edits([[0, 9000]], [rect('c', 500, 8500)]),
      preset: { size: 'source', quality: 'high' },
      outFile: join(dir, 'cancelled.mp4'),
      ffmpegPath: tools.ffmpegPath,
      ffprobePath: tools.ffprobePath,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.fraction > 0) controller.abort()
      }
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SidecastError)
    expect((error as SidecastError).code).toBe('cancelled')
    expect(readdirSync(dir)).toEqual([])
  })
})

/**
 * Records a canvas that changes every frame as the app records the screen: H.264 in WebM with a
 * keyframe every second; returns the file's bytes. A script (the test's TypeScript has no DOM).
 * It stops after 150 drawn frames, not after a time, so a slow machine only makes it longer.
 */
const RECORD_CANVAS = `(async () => {
  const canvas = document.getElementById('c')
  const g = canvas.getContext('2d')
  let n = 0
  const draw = setInterval(() => {
    g.fillStyle = 'hsl(' + ((n * 7) % 360) + ',80%,50%)'
    g.fillRect(0, 0, 640, 360)
    g.fillStyle = '#fff'
    g.font = '40px sans-serif'
    g.fillText(String(n++), 50, 100)
  }, 33)
  const recorder = new MediaRecorder(canvas.captureStream(30), {
    mimeType: 'video/webm;codecs=h264',
    videoKeyFrameIntervalDuration: 1000
  })
  const parts = []
  recorder.ondataavailable = (e) => parts.push(e.data)
  recorder.start(500)
  while (n < 150) await new Promise((r) => setTimeout(r, 100))
  await new Promise((r) => {
    recorder.onstop = r
    recorder.stop()
  })
  clearInterval(draw)
  return Array.from(new Uint8Array(await new Blob(parts).arrayBuffer()))
})()`

describe('smart rendering of a real Chromium MediaRecorder recording', () => {
  it('copies its GOPs bit for bit and decodes silently across the joins', async () => {
    const dir = join(root, 'chromium')
    mkdirSync(dir, { recursive: true })
    const browser = await chromium.launch({
      executablePath: chromiumPath(),
      headless: true,
      args: [...BASE_CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required']
    })
    let bytes: number[]
    try {
      const page = await browser.newPage()
      await page.setContent('<canvas id="c" width="640" height="360"></canvas>')
      // A canvas that changes every frame, recorded as the app records: H.264 in WebM, 1 s keyframes.
      bytes = (await page.evaluate(RECORD_CANVAS)) as number[]
    } finally {
      await browser.close()
    }
    const capture = join(dir, 'capture.webm')
    writeFileSync(capture, Buffer.from(bytes))
    const project = await finish(dir, 'chromium', capture, {
      audio: null,
      width: 640,
      height: 360
    })
    const durationMs = project.facts.durationMs!
    const exported = await exportOf(
      project,
      edits(
        [
          [0, Math.round(durationMs * 0.3)],
          [Math.round(durationMs * 0.4), durationMs]
        ],
        [rect('c', Math.round(durationMs * 0.7), Math.round(durationMs * 0.75))]
      ),
      { out: 'chromium.mp4' }
    )
    expect(exported.result.render.reason).toBeNull()
    const plan = smartPlan(exported)
    expect(plan.encoding.profile).toBe('baseline')
    expect(await decodeErrors(exported.result.outFile)).toBe('')
    expect(await expectCopiesBitIdentical(project, exported.result.outFile, plan)).toBeGreaterThan(
      0
    )
  })
})
