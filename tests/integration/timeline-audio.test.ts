/**
 * The export's spliced audio (timeline-audio.ts, audio-splice.ts) through real ffmpeg: the
 * recording's audio prepared once as AAC, then an export's timeline made of its frames, copied,
 * and short re-encoded windows around the cuts. The checks decode what a player would hear and
 * compare it sample by sample with the timeline the plan describes, over the decoded recording.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type * as RunFfmpegModule from '../../src/engine/run-ffmpeg'
import { runFfmpegArgs } from '../../src/engine/run-ffmpeg'
import { audioStartMs } from '../../src/engine/smart-probes'
import {
  AAC_FRAME_SAMPLES,
  parseAdts,
  planAudioSplice,
  type AudioSplicePlan
} from '../../src/engine/audio-splice'
import { copyWithAudioArgs, runExport } from '../../src/engine/run-export'
import {
  exportAudio,
  preparedAudio,
  spliceFrames,
  windowArgs,
  type PreparedAudio,
  type TimelineAudio
} from '../../src/engine/timeline-audio'
import type { Edits } from '../../src/shared/edits'
import { SidecastError } from '../../src/shared/errors'
import type { RecordingFacts } from '../../src/shared/project'
import {
  editsOf as edits,
  finishIntoMp4,
  rectCallout as rect,
  testFfmpeg,
  type TestFfmpeg
} from './helpers/media-fixtures'

// Every ffmpeg run the code under test makes goes through here: counted, not changed.
vi.mock('../../src/engine/run-ffmpeg', async (importOriginal) => {
  const actual = await importOriginal<typeof RunFfmpegModule>()
  return { ...actual, runFfmpegArgs: vi.fn(actual.runFfmpegArgs) }
})

const run = promisify(execFile)
const bundled = testFfmpeg()
const system: TestFfmpeg = { ffmpegPath: '/usr/bin/ffmpeg', ffprobePath: '/usr/bin/ffprobe' }
const root = mkdtempSync(join(tmpdir(), 'sidecast-audio-test-'))
const RATE = 48_000
const BITRATE = '160k'
/** 10 ms. */
const WINDOW = RATE / 100
/** Windows this close to a cut (or the ends) are not compared: a cut's click is the codec's. */
const MARGIN = RATE / 20
/** RMS of (output − expected) per 10 ms window, away from the cuts, on a ~0.3 RMS signal. */
const NOISE_BOUND = 3e-3

afterAll(() => rmSync(root, { recursive: true, force: true }))
beforeEach(() => {
  vi.mocked(runFfmpegArgs).mockClear()
})

/** A chirp (200 Hz rising) with a 3 kHz tone: no stretch of it looks like another. */
const MONO = "aevalsrc='0.4*sin(2*PI*(200+40*t)*t)+0.1*sin(2*PI*3000*t)':s=48000"
const STEREO =
  "aevalsrc='0.4*sin(2*PI*(200+40*t)*t)+0.1*sin(2*PI*3000*t)|" +
  "0.35*sin(2*PI*(900-30*t)*t)+0.1*sin(2*PI*2200*t)':s=48000:c=stereo"

/**
 * A recording like a finished capture's source: a tiny H.264 picture (the copy mux maps one)
 * and the signal as Opus, in Matroska.
 */
async function makeRecording(
  file: string,
  opts: { audio: string; seconds: number; channels?: number }
): Promise<void> {
  // prettier-ignore
  await run(bundled.ffmpegPath, [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'color=c=gray:size=64x64:rate=10',
    '-f', 'lavfi', '-i', opts.audio,
    '-t', String(opts.seconds),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
    ...(opts.channels ? ['-ac', String(opts.channels)] : []),
    '-c:a', 'libopus', '-b:a', '128k',
    '-f', 'matroska', file
  ])
}

/** The first audio stream of `file`, decoded to interleaved 32-bit float samples. */
async function decode(file: string): Promise<Float32Array> {
  // prettier-ignore
  const { stdout } = await run(bundled.ffmpegPath, [
    '-v', 'error', '-i', file, '-map', '0:a:0', '-c:a', 'pcm_f32le', '-f', 'f32le', '-'
  ], { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 })
  const copy = new Uint8Array(stdout.length)
  copy.set(stdout)
  return new Float32Array(copy.buffer)
}

/** Copies the recording's picture and the spliced ADTS into an MP4, as the no-edit export does. */
async function mux(
  tools: TestFfmpeg,
  input: string,
  audio: TimelineAudio,
  out: string
): Promise<void> {
  await run(tools.ffmpegPath, copyWithAudioArgs(input, audio, out))
}

/**
 * What the output should be: the plan's timeline over the decoded recording (output sample n is
 * timeline sample n + leadSamples; a source piece is the recording's samples from `from`,
 * silence is 0).
 */
function expectedPcm(plan: AudioSplicePlan, source: Float32Array, channels: number): Float32Array {
  const frames = plan.lengthSamples - plan.leadSamples
  const out = new Float32Array(frames * channels)
  for (const piece of plan.pieces) {
    if (piece.kind !== 'source') continue
    for (let k = 0; k < piece.length; k++) {
      const n = piece.at + k - plan.leadSamples
      const s = piece.from + k
      if (n < 0 || s < 0 || s * channels >= source.length) continue
      for (let c = 0; c < channels; c++) out[n * channels + c] = source[s * channels + c]!
    }
  }
  return out
}

/** The output sample where each piece starts and ends (and where the timeline ends). */
function boundaries(plan: AudioSplicePlan): number[] {
  return plan.pieces.flatMap((p) => [p.at - plan.leadSamples, p.at + p.length - plan.leadSamples])
}

interface Comparison {
  /** Worst 10 ms RMS difference away from every boundary. */
  readonly worst: number
  readonly worstAt: number
  /** Windows compared. */
  readonly windows: number
  /** RMS of the expected signal over the compared windows. */
  readonly signal: number
}

function compare(
  got: Float32Array,
  want: Float32Array,
  channels: number,
  cuts: readonly number[]
): Comparison {
  const frames = Math.min(got.length, want.length) / channels
  let worst = 0
  let worstAt = -1
  let windows = 0
  let energy = 0
  for (let start = 0; start + WINDOW <= frames; start += WINDOW) {
    const end = start + WINDOW
    if (cuts.some((b) => b > start - MARGIN && b < end + MARGIN)) continue
    let diff = 0
    for (let i = start * channels; i < end * channels; i++) {
      diff += (got[i]! - want[i]!) ** 2
      energy += want[i]! ** 2
    }
    const rms = Math.sqrt(diff / (WINDOW * channels))
    if (rms > worst) {
      worst = rms
      worstAt = start
    }
    windows++
  }
  return { worst, worstAt, windows, signal: Math.sqrt(energy / (windows * WINDOW * channels)) }
}

/** The lag (samples, in ±range) at which `got` best matches `want` over [from, from + length). */
function bestLag(
  got: Float32Array,
  want: Float32Array,
  channels: number,
  from: number,
  length: number,
  range = 48
): number {
  let best = -Infinity
  let bestAt = NaN
  for (let lag = -range; lag <= range; lag++) {
    let dot = 0
    let norm = 0
    for (let n = from; n < from + length; n++) {
      const a = got[n * channels] ?? 0
      const b = want[(n + lag) * channels] ?? 0
      dot += a * b
      norm += b * b
    }
    const score = dot / Math.sqrt(norm || 1)
    if (score > best) {
      best = score
      bestAt = lag
    }
  }
  return bestAt
}

/** The lag at the middle of every source piece long enough to measure one. */
function pieceLags(
  plan: AudioSplicePlan,
  got: Float32Array,
  want: Float32Array,
  channels: number
): number[] {
  return plan.pieces
    .filter((p) => p.kind === 'source' && p.length >= 4 * MARGIN)
    .map((p) => {
      const start = p.at - plan.leadSamples + MARGIN
      return bestLag(got, want, channels, start, Math.min(RATE / 5, p.length - 2 * MARGIN))
    })
}

/** The timeline as timelineAudio makes it, but from a plan given here (its rolls changed). */
async function spliceWithPlan(
  tools: TestFfmpeg,
  input: string,
  prepared: PreparedAudio,
  plan: AudioSplicePlan,
  dir: string
): Promise<TimelineAudio> {
  mkdirSync(dir, { recursive: true })
  const outputs = plan.windows.map((_, w) => join(dir, `window-${w}.aac`))
  // prettier-ignore
  await run(tools.ffmpegPath, windowArgs({ input, plan, stream: prepared.stream, bitrate: BITRATE, outputs }))
  const windows = await Promise.all(
    outputs.map(async (file) => {
      const bytes = await readFile(file)
      return { bytes, stream: parseAdts(bytes) }
    })
  )
  const bytes = await readFile(prepared.file)
  const file = join(dir, 'timeline.aac')
  await writeFile(file, spliceFrames(plan, { bytes, stream: prepared.stream }, windows))
  const hidden = (AAC_FRAME_SAMPLES + plan.leadSamples) / plan.sampleRate
  return { file, offsetSeconds: (-hidden).toFixed(6), plan }
}

/** Prepare runs of ffmpeg (the recording's audio into `cacheDir`) that the spy saw. */
/** A 4 s mono recording in its own folder, and the options that prepare its audio into cache/. */
async function shortRecording(name: string): Promise<{
  input: string
  cacheDir: string
  options: { ffmpegPath: string; input: string; cacheDir: string; bitrate: string }
}> {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  const input = join(dir, 'recording.mkv')
  await makeRecording(input, { audio: MONO, seconds: 4 })
  const cacheDir = join(dir, 'cache')
  return {
    input,
    cacheDir,
    options: { ffmpegPath: bundled.ffmpegPath, input, cacheDir, bitrate: BITRATE }
  }
}

function prepareRuns(cacheDir: string): number {
  const file = join(cacheDir, `audio-${BITRATE}.aac`)
  return vi.mocked(runFfmpegArgs).mock.calls.filter(([, args]) => {
    const output = args.at(-1) ?? ''
    return output.startsWith(file) && output.endsWith('.part')
  }).length
}

const CUTS: [number, number][] = [
  [1234.5, 5000],
  [5100, 9000],
  [9033.3, 9100],
  [9200, 12_000]
]

let mono: string | undefined
async function monoRecording(): Promise<string> {
  if (!mono) {
    const file = join(root, 'mono.mkv')
    await makeRecording(file, { audio: MONO, seconds: 12 })
    mono = file
  }
  return mono
}

/** The 12 s mono recording's audio for `keepMs`, spliced into its own folder `name`. */
async function spliceMono(
  name: string,
  keepMs: readonly (readonly [number, number])[],
  tools: TestFfmpeg = bundled
): Promise<{ input: string; dir: string; audio: TimelineAudio }> {
  const input = await monoRecording()
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  const audio = await exportAudio({
    ffmpegPath: tools.ffmpegPath,
    ffprobePath: tools.ffprobePath,
    input,
    cacheDir: join(dir, 'cache'),
    bitrate: BITRATE,
    keepMs,
    durationMs: 12_000,
    workDir: dir
  })
  return { input, dir, audio }
}

/**
 * Decoded samples of `file` on the recording's clock as the export places them — the first
 * decoded sample at its own time (audioStartMs): index n is the audio at n / RATE s.
 */
async function onRecordingClock(
  tools: TestFfmpeg,
  file: string,
  channels: number
): Promise<Float32Array> {
  const [pcm, startMs] = await Promise.all([decode(file), audioStartMs(tools.ffprobePath, file)])
  const skip = Math.round((-(startMs ?? 0) * RATE) / 1000)
  return skip >= 0
    ? pcm.subarray(skip * channels)
    : Float32Array.from([...new Float32Array(-skip * channels), ...pcm])
}

interface Project {
  readonly dir: string
  readonly facts: RecordingFacts
}

/**
 * A finished recording as the app has it: a MediaRecorder-like H.264 capture (baseline, full
 * range, a keyframe a second, jittered ms frame times) with the signal as Opus, in Matroska,
 * stream-copied into recording.mp4, with its facts.
 */
async function makeProject(
  name: string,
  audio: string,
  seconds: number,
  channels?: number
): Promise<Project> {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  const capture = join(dir, 'capture.mkv')
  // prettier-ignore
  await run(bundled.ffmpegPath, [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30',
    '-f', 'lavfi', '-i', audio,
    '-t', String(seconds),
    '-vf', "setpts='(N/30+0.004*sin(N))/TB'",
    '-c:v', 'libx264', '-preset', 'ultrafast', '-profile:v', 'baseline', '-level:v', '3.1',
    '-pix_fmt', 'yuvj420p', '-g', '30', '-keyint_min', '30', '-sc_threshold', '0',
    // The millisecond clock is the picture's only: given to the audio too, it cuts the Opus short.
    '-bsf:v', 'dump_extra', '-enc_time_base:v', '1:1000', '-vsync', 'vfr',
    ...(channels ? ['-ac', String(channels)] : []),
    '-c:a', 'libopus', '-b:a', '128k',
    '-f', 'matroska', capture
  ])
  return finishIntoMp4(bundled, dir, name, capture, { audio: true, width: 320, height: 240 })
}

async function exportProject(
  project: Project,
  e: Edits,
  out: string,
  extra: { cacheDir?: string | null } = {}
): Promise<Awaited<ReturnType<typeof runExport>>> {
  return runExport({
    projectDir: project.dir,
    facts: project.facts,
    edits: e,
    preset: { size: 'source', quality: 'standard' },
    outFile: join(project.dir, 'exports', out),
    ffmpegPath: bundled.ffmpegPath,
    ffprobePath: bundled.ffprobePath,
    ...extra
  })
}

/** What ffmpeg says at level error decoding every stream of `file` (frames keep their times). */
async function decodeErrors(file: string): Promise<string> {
  // prettier-ignore
  const { stderr } = await run(bundled.ffmpegPath, [
    '-hide_banner', '-nostdin', '-v', 'error', '-i', file, '-map', '0',
    '-vsync', 'passthrough', '-enc_time_base', '-1', '-f', 'null', '-'
  ])
  return stderr.trim()
}

async function audioStream(
  file: string
): Promise<{ codec_name: string; channels: number; duration: string }> {
  // prettier-ignore
  const { stdout } = await run(bundled.ffprobePath, [
    '-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=codec_name,channels,duration',
    '-of', 'json', file
  ])
  const stream = (
    JSON.parse(stdout) as { streams: { codec_name: string; channels: number; duration: string }[] }
  ).streams[0]
  if (!stream) throw new Error(`${file} has no audio`)
  return stream
}

function rms(x: Float32Array): number {
  let e = 0
  for (const v of x) e += v * v
  return Math.sqrt(e / Math.max(1, x.length))
}

/** The plan the export used, rebuilt from the same inputs (and the prepared file it left). */
async function planOf(project: Project, keep: [number, number][]): Promise<AudioSplicePlan> {
  const input = join(project.dir, project.facts.file)
  const prepared = parseAdts(await readFile(join(project.dir, 'cache', `audio-${BITRATE}.aac`)))
  return planAudioSplice({
    keepMs: keep,
    sampleRate: RATE,
    audioStartMs: (await audioStartMs(bundled.ffprobePath, input)) ?? 0,
    preparedFrames: prepared.frames.length
  })
}

describe('spliced export audio', () => {
  it.each([
    ['bundled ffmpeg', bundled],
    ['system ffmpeg', system]
  ] as const)(
    'is seamless at every join, sample-aligned, mostly copied (%s)',
    async (name, tools) => {
      const { input, dir, audio } = await spliceMono(`seams-${name.split(' ')[0]}`, CUTS, tools)
      const cacheDir = join(dir, 'cache')
      const { plan } = audio
      expect(plan.copiedFrames / plan.totalFrames).toBeGreaterThan(0.9)
      // The trimmed start and the three cuts (the two close ones share a window).
      expect(plan.windows.length).toBeGreaterThanOrEqual(3)
      const out = join(dir, 'out.mp4')
      await mux(tools, input, audio, out)
      const [got, source] = await Promise.all([decode(out), decode(input)])
      const want = expectedPcm(plan, source, 1)
      // At most the last frame's padding more.
      expect(got.length - want.length).toBeGreaterThanOrEqual(0)
      expect(got.length - want.length).toBeLessThan(AAC_FRAME_SAMPLES)
      const result = compare(got, want, 1, boundaries(plan))
      const lags = pieceLags(plan, got, want, 1)
      expect(result.windows).toBeGreaterThan(900)
      expect(result.signal).toBeGreaterThan(0.25)
      expect(result.worst).toBeLessThan(NOISE_BOUND)
      expect(lags).toHaveLength(3)
      for (const lag of lags) expect(Math.abs(lag)).toBeLessThanOrEqual(2)
      // The output's start: its first 200 ms against the timeline's.
      expect(Math.abs(bestLag(got, want, 1, 0, RATE / 5))).toBeLessThanOrEqual(2)

      // The same check catches a bad join: windows encoded without pre-roll start cold, so their
      // first frame does not overlap-add cleanly with the copied frame before it (measured about
      // 0.1). Guard frames 0 would not show it: on this signal those joins measure as clean.
      const prepared = await preparedAudio({
        ffmpegPath: tools.ffmpegPath,
        input,
        cacheDir,
        bitrate: BITRATE
      })
      const cold = planAudioSplice({
        keepMs: CUTS,
        sampleRate: RATE,
        audioStartMs: (await audioStartMs(tools.ffprobePath, input)) ?? 0,
        preparedFrames: prepared.stream.frames.length,
        prerollFrames: 0
      })
      const bad = await spliceWithPlan(tools, input, prepared, cold, join(dir, 'cold'))
      await mux(tools, input, bad, join(dir, 'cold.mp4'))
      const badResult = compare(
        await decode(join(dir, 'cold.mp4')),
        expectedPcm(cold, source, 1),
        1,
        boundaries(cold)
      )
      expect(badResult.worst).toBeGreaterThan(10 * NOISE_BOUND)
    }
  )

  it("keeps a kept stretch in the recording's last frames audible", async () => {
    // 10 ms kept at the very end: its piece starts inside the prepared stream's last frame but
    // one, where the recording's end is not known to the sample.
    const { input, dir, audio } = await spliceMono('tail', [
      [0, 6000],
      [11_990, 12_000]
    ])
    const out = join(dir, 'out.mp4')
    await mux(bundled, input, audio, out)
    const got = await decode(out)
    const tail = audio.plan.pieces.at(-1)!
    expect(tail.kind).toBe('source')
    const start = tail.at - audio.plan.leadSamples
    const stretch = got.subarray(start, start + tail.length)
    expect(stretch.length).toBe(tail.length)
    const rms = Math.sqrt(stretch.reduce((n, v) => n + v * v, 0) / stretch.length)
    // The chirp is about 0.3 RMS; silence in its place would be 0.
    expect(rms).toBeGreaterThan(0.1)
  })

  it('copies an unedited recording whole, in step with the recording clock', async () => {
    const { input, dir, audio } = await spliceMono('unedited', [[0, 12_000]])
    const { plan } = audio
    expect(plan.windows.length).toBeLessThanOrEqual(1)
    for (const w of plan.windows)
      expect(w.startSample).toBeGreaterThanOrEqual(plan.lengthSamples - 8 * AAC_FRAME_SAMPLES)
    expect(plan.totalFrames - plan.copiedFrames).toBeLessThanOrEqual(4)
    expect(plan.runs[0]).toEqual({
      kind: 'prepared',
      fromFrame: 0,
      count: expect.any(Number) as number
    })
    const out = join(dir, 'out.mp4')
    await mux(bundled, input, audio, out)
    const [got, want] = await Promise.all([decode(out), onRecordingClock(bundled, input, 1)])
    const result = compare(got, want, 1, [0, Math.min(got.length, want.length)])
    const lag = bestLag(got, want, 1, 0, RATE / 5)
    expect(result.windows).toBeGreaterThan(1100)
    expect(result.worst).toBeLessThan(NOISE_BOUND)
    expect(Math.abs(lag)).toBeLessThanOrEqual(2)
  })

  it('prepares a long recording in two halves at once, joined without a seam', async () => {
    const dir = join(root, 'halves')
    mkdirSync(dir, { recursive: true })
    const input = join(dir, 'recording.mkv')
    await makeRecording(input, { audio: MONO, seconds: 12 })
    const base = { ffmpegPath: bundled.ffmpegPath, input, bitrate: BITRATE }
    const single = await preparedAudio({ ...base, cacheDir: join(dir, 'single') })
    const halvesDir = join(dir, 'halves')
    // Halves from 5 s on here (60 s in the app), so the 12 s recording is split near 6 s.
    const halves = await preparedAudio({
      ...base,
      cacheDir: halvesDir,
      durationMs: 12_000,
      splitFromMs: 5000
    })
    const runs = vi
      .mocked(runFfmpegArgs)
      .mock.calls.map(([, args]) => args.at(-1) ?? '')
      .filter((output) => output.startsWith(join(halvesDir, `audio-${BITRATE}.aac`)))
    expect(runs.map((output) => output.slice(-2)).sort()).toEqual(['.1', '.2'])
    expect(halves.stream.frames).toHaveLength(single.stream.frames.length)
    expect(readdirSync(halvesDir).sort()).toEqual([`audio-${BITRATE}.aac`, `audio-${BITRATE}.json`])
    // Two encodes of the same samples: they differ by codec noise only, the join near 6 s
    // (frame 281) included, and line up to the sample.
    const [a, b] = await Promise.all([decode(single.file), decode(halves.file)])
    const compared = compare(b, a, 1, [0, a.length])
    expect(compared.windows).toBeGreaterThan(1000)
    expect(compared.worst).toBeLessThan(NOISE_BOUND)
    expect(bestLag(b, a, 1, 281 * AAC_FRAME_SAMPLES - RATE / 10, RATE / 5)).toBe(0)
  })

  it('prepares once: reuses the cache, remakes it for a changed recording, shares one job', async () => {
    const { input, cacheDir, options } = await shortRecording('cache-test')
    const file = join(cacheDir, `audio-${BITRATE}.aac`)
    const record = join(cacheDir, `audio-${BITRATE}.json`)

    // Two callers at once share one job: one ffmpeg run.
    const [a, b] = await Promise.all([preparedAudio(options), preparedAudio(options)])
    expect(prepareRuns(cacheDir)).toBe(1)
    expect(a.file).toBe(file)
    expect(b.file).toBe(file)
    expect(b.stream).toEqual(a.stream)
    // 4 s at 48 kHz: 188 frames, the priming frame and the last partial one.
    expect(a.stream.frames.length).toBeGreaterThanOrEqual(188)
    expect(a.stream.frames.length).toBeLessThanOrEqual(192)
    expect(a.stream).toMatchObject({ sampleRate: RATE, channels: 1 })
    const made = statSync(file).mtimeMs

    // Again: straight from the cache, no ffmpeg, nothing written.
    const again = await preparedAudio(options)
    expect(prepareRuns(cacheDir)).toBe(1)
    expect(again.stream).toEqual(a.stream)
    expect(statSync(file).mtimeMs).toBe(made)
    expect(readdirSync(cacheDir).sort()).toEqual([`audio-${BITRATE}.aac`, `audio-${BITRATE}.json`])

    // The recording changes (a new mtime, same size): made again, and its record follows.
    const past = new Date(Date.now() - 3_600_000)
    utimesSync(input, past, past)
    const remade = await preparedAudio(options)
    expect(prepareRuns(cacheDir)).toBe(2)
    expect(remade.stream.frames.length).toBe(a.stream.frames.length)
    expect(JSON.parse(await readFile(record, 'utf8'))).toMatchObject({
      mtimeMs: statSync(input).mtimeMs,
      sizeBytes: statSync(input).size
    })
    await preparedAudio(options)
    expect(prepareRuns(cacheDir)).toBe(2)
  })

  it('lets a waiter give up (cancelled) while the job finishes for the others', async () => {
    const { cacheDir, options } = await shortRecording('cancel-test')
    const controller = new AbortController()
    let heard = 0
    // The job is started by a caller that gives no length (as the background job after Stop
    // does); the other measures progress against its own length and gives up on the job's first
    // progress: it is surely waiting then, and the job under way.
    const stays = preparedAudio(options)
    const leaves = preparedAudio({
      ...options,
      durationMs: 4000,
      signal: controller.signal,
      onProgress: () => {
        heard++
        controller.abort()
      }
    })
    const [kept, left] = await Promise.allSettled([stays, leaves])
    expect(heard).toBeGreaterThanOrEqual(1)
    expect(left.status).toBe('rejected')
    const error = (left as PromiseRejectedResult).reason as unknown
    expect(error).toBeInstanceOf(SidecastError)
    expect((error as SidecastError).code).toBe('cancelled')
    expect(kept.status).toBe('fulfilled')
    expect(prepareRuns(cacheDir)).toBe(1)
    expect(readdirSync(cacheDir).sort()).toEqual([`audio-${BITRATE}.aac`, `audio-${BITRATE}.json`])
    // The job's result is the cache's now.
    const after = await preparedAudio(options)
    expect(after.stream).toEqual((kept as PromiseFulfilledResult<PreparedAudio>).value.stream)
    expect(prepareRuns(cacheDir)).toBe(1)
  })

  it('splices stereo the same way; refuses 6 channels by name', async () => {
    const dir = join(root, 'channels')
    for (const sub of ['work-stereo', 'work-six']) mkdirSync(join(dir, sub), { recursive: true })
    const stereo = join(dir, 'stereo.mkv')
    const six = join(dir, 'six.mkv')
    await Promise.all([
      makeRecording(stereo, { audio: STEREO, seconds: 6 }),
      makeRecording(six, { audio: MONO, seconds: 3, channels: 6 })
    ])
    const keepMs: [number, number][] = [
      [500.5, 2500],
      [2600.7, 4000],
      [4100, 6000]
    ]
    const audio = await exportAudio({
      ffmpegPath: bundled.ffmpegPath,
      ffprobePath: bundled.ffprobePath,
      input: stereo,
      cacheDir: join(dir, 'cache-stereo'),
      bitrate: BITRATE,
      keepMs,
      durationMs: 6000,
      workDir: join(dir, 'work-stereo')
    })
    expect(audio.plan.copiedFrames / audio.plan.totalFrames).toBeGreaterThan(0.8)
    const out = join(dir, 'stereo.mp4')
    await mux(bundled, stereo, audio, out)
    expect((await audioStream(out)).channels).toBe(2)
    const [got, source] = await Promise.all([decode(out), decode(stereo)])
    const want = expectedPcm(audio.plan, source, 2)
    const result = compare(got, want, 2, boundaries(audio.plan))
    const lags = pieceLags(audio.plan, got, want, 2)
    expect(result.windows).toBeGreaterThan(400)
    expect(result.worst).toBeLessThan(NOISE_BOUND)
    expect(lags.length).toBeGreaterThanOrEqual(2)
    for (const lag of lags) expect(Math.abs(lag)).toBeLessThanOrEqual(2)

    const refused = await exportAudio({
      ffmpegPath: bundled.ffmpegPath,
      ffprobePath: bundled.ffprobePath,
      input: six,
      cacheDir: join(dir, 'cache-six'),
      bitrate: BITRATE,
      keepMs: [
        [0, 1000],
        [1500, 3000]
      ],
      durationMs: 3000,
      workDir: join(dir, 'work-six')
    }).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(Error)
    expect((refused as Error).message).toMatch(/6 channels/)
  })
})

describe('exports through runExport', () => {
  let app: Project | undefined
  const appProject = async (): Promise<Project> => (app ??= await makeProject('app', MONO, 6))
  const KEEP: [number, number][] = [
    [0, 2000],
    [2600, 6000]
  ]

  it('a smart export (a cut and a callout) splices the prepared audio, seamlessly', async () => {
    const project = await appProject()
    const result = await exportProject(project, edits(KEEP, [rect('c', 4000, 4400)]), 'smart.mp4')
    expect(result.render.mode).toBe('smart')
    expect(result.mode).toBe('smart')
    expect(result.audio).toEqual({ how: 'spliced' })
    expect(await decodeErrors(result.outFile)).toBe('')
    const plan = await planOf(project, KEEP)
    const [got, source] = await Promise.all([
      decode(result.outFile),
      decode(join(project.dir, project.facts.file))
    ])
    const want = expectedPcm(plan, source, 1)
    const compared = compare(got, want, 1, boundaries(plan))
    const lags = pieceLags(plan, got, want, 1)
    expect(compared.windows).toBeGreaterThan(400)
    expect(compared.worst).toBeLessThan(NOISE_BOUND)
    expect(lags).toHaveLength(2)
    for (const lag of lags) expect(Math.abs(lag)).toBeLessThanOrEqual(2)

    // Without a cache folder the timeline's audio is encoded whole, as before. The splice agrees
    // with it, but for where each puts the recording's first sample: the whole encode trims on
    // the stream's start_time, which counts the samples Opus's decoder drops (pre-skip); the
    // splice puts the first decoded sample where a player does (audioStartMs). Past that constant,
    // they agree where the timeline starts (nothing moved) and after the cut, where the plan
    // moved the range onto the frame grid by at most half a frame.
    // prettier-ignore
    const probed = await run(bundled.ffprobePath, [
      '-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=start_time',
      '-of', 'csv=p=0', join(project.dir, project.facts.file)
    ])
    const firstMs = await audioStartMs(bundled.ffprobePath, join(project.dir, project.facts.file))
    const preSkip = Math.round(
      ((firstMs ?? 0) - Number(probed.stdout.trim()) * 1000) * (RATE / 1000)
    )
    expect(preSkip).toBe(312)
    const encoded = await exportProject(
      project,
      edits(KEEP, [rect('c', 4000, 4400)]),
      'smart-encoded.mp4',
      { cacheDir: null }
    )
    expect(encoded.render.mode).toBe('smart')
    // No splice was tried, so there is no reason to give.
    expect(encoded.audio).toEqual({ how: 'encoded' })
    const whole = await decode(encoded.outFile)
    let exact = 0
    const sources = plan.pieces.filter((p) => p.kind === 'source')
    expect(sources).toHaveLength(KEEP.length)
    const moved = sources.map((p, i) => {
      const [startMs, endMs] = KEEP[i]!
      // The first range is placed exactly (its piece starts `leadSamples` early); later ones move.
      const shift = i === 0 ? p.at : p.at - plan.leadSamples - exact
      exact += Math.round((endMs * RATE) / 1000) - Math.round((startMs * RATE) / 1000)
      const from = p.at - plan.leadSamples + MARGIN
      return { shift, lag: bestLag(got, whole, 1, from, RATE / 5, AAC_FRAME_SAMPLES / 2 + 64) }
    })
    expect(moved).toHaveLength(2)
    expect(moved[0]?.shift).toBe(0)
    for (const { shift, lag } of moved) {
      expect(Math.abs(shift)).toBeLessThanOrEqual(AAC_FRAME_SAMPLES / 2)
      expect(Math.abs(lag + shift + preSkip)).toBeLessThanOrEqual(2)
    }
  })

  it('the no-edit copy path copies the prepared audio too, in step with the recording', async () => {
    const project = await appProject()
    const result = await exportProject(project, edits([]), 'copy.mp4')
    expect(result.mode).toBe('copy')
    expect(result.audio).toEqual({ how: 'spliced' })
    expect(await decodeErrors(result.outFile)).toBe('')
    const input = join(project.dir, project.facts.file)
    const [got, want] = await Promise.all([
      decode(result.outFile),
      onRecordingClock(bundled, input, 1)
    ])
    const compared = compare(got, want, 1, [0, Math.min(got.length, want.length)])
    const lag = bestLag(got, want, 1, RATE, RATE / 5)
    expect(compared.windows).toBeGreaterThan(500)
    expect(compared.worst).toBeLessThan(NOISE_BOUND)
    expect(Math.abs(lag)).toBeLessThanOrEqual(2)

    const encoded = await exportProject(project, edits([]), 'copy-encoded.mp4', { cacheDir: null })
    expect(encoded.mode).toBe('copy')
    expect(encoded.audio).toEqual({ how: 'encoded' })
    expect(await decodeErrors(encoded.outFile)).toBe('')
  })

  it('6-channel audio is encoded whole, and says why; the file is still right', async () => {
    const project = await makeProject('six', MONO, 4, 6)
    const keep: [number, number][] = [
      [0, 1500],
      [2000, 4000]
    ]
    const result = await exportProject(project, edits(keep, [rect('c', 2500, 2900)]), 'six.mp4')
    expect(result.render.mode).toBe('smart')
    expect(result.audio.how).toBe('encoded')
    expect(result.audio.why).toMatch(/6 channels/)
    expect(await decodeErrors(result.outFile)).toBe('')
    const stream = await audioStream(result.outFile)
    expect(stream).toMatchObject({ codec_name: 'aac', channels: 6 })
    expect(Math.abs(Number(stream.duration) * 1000 - 3500)).toBeLessThanOrEqual(50)
    const pcm = await decode(result.outFile)
    expect(rms(pcm)).toBeGreaterThan(0.02)
  })
})
