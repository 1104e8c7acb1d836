/**
 * The export's AAC audio at copy speed (the plan is audio-splice.ts):
 *
 *  - prepared audio: the recording's whole audio encoded to AAC once, at an export quality's
 *    bitrate, and kept in the project's `cache/` folder (remade when the recording changes).
 *    Sidecast starts it in the background when a recording is finished, so it is usually ready
 *    before the first export; an export that needs it sooner waits for the same job.
 *  - the timeline: the prepared frames, copied, plus the short windows the plan re-encodes —
 *    one ffmpeg run decodes the recording's audio once for all of them — spliced frame by
 *    frame into one ADTS stream that the export's mux copies into the MP4.
 *
 * Bitrates are few (one per export quality), so a recording has at most three prepared files.
 */
import { randomUUID } from 'node:crypto'
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { SidecastError } from '../shared/errors'
import { runFfmpegArgs } from './run-ffmpeg'
import { audioStartMs } from './smart-probes'
import { readTextIfExists, writeJsonAtomic } from './atomic-file'
import {
  AAC_FRAME_SAMPLES,
  parseAdts,
  piecesIn,
  planAudioSplice,
  type AdtsStream,
  type AudioSplicePlan
} from './audio-splice'
import { COMMON_HEAD } from './export-plan'

/** The project's folder of things Sidecast can remake (safe to delete). */
export const CACHE_FOLDER = 'cache'

export interface PreparedAudio {
  readonly file: string
  readonly stream: AdtsStream
}

export interface PrepareAudioOptions {
  readonly ffmpegPath: string
  /** The recording. */
  readonly input: string
  /** Where prepared files are kept (the project's `cache/`). */
  readonly cacheDir: string
  /** AAC bitrate, as ffmpeg takes it (`160k`). */
  readonly bitrate: string
  /** Background work (after Stop): ffmpeg runs at a lower priority. */
  readonly lowPriority?: boolean
  /** Stops waiting (the job itself goes on for whoever else waits, and for next time). */
  readonly signal?: AbortSignal
  /** 0–1 of the encode, with the recording's length in ms to measure it against. */
  readonly onProgress?: (fraction: number) => void
  readonly durationMs?: number
  /** From this length (`durationMs`) on, the audio is made in two halves at once; default 60 s. */
  readonly splitFromMs?: number
}

interface CacheRecord {
  readonly version: 1
  readonly sizeBytes: number
  readonly mtimeMs: number
  readonly ffmpeg: string
}

/**
 * The prepare job's ffmpeg arguments: the first audio stream, every sample (or those in
 * [startSample, endSample) of it), to ADTS.
 */
export function prepareArgs(
  input: string,
  bitrate: string,
  output: string,
  range: { readonly startSample?: number; readonly endSample?: number } = {}
): string[] {
  const trim = [
    ...(range.startSample !== undefined ? [`start_sample=${range.startSample}`] : []),
    ...(range.endSample !== undefined ? [`end_sample=${range.endSample}`] : [])
  ]
  // prettier-ignore
  return [
    ...COMMON_HEAD,
    '-i', input,
    '-map', '0:a:0', '-vn', '-sn', '-dn',
    ...(trim.length > 0 ? ['-af', `atrim=${trim.join(':')}`] : []),
    '-c:a', 'aac', '-b:a', bitrate,
    '-f', 'adts', '-progress', 'pipe:1', '-nostats', output
  ]
}

/**
 * A recording at least this long is prepared in two halves at once (one per core), spliced like
 * an export's windows: the second half starts PREPARE_PREROLL frames early and the first ends a
 * few frames late, on the same samples, so the join is seamless (after the pre-roll ffmpeg's
 * encoder writes the bytes a single pass would).
 */
export const PREPARE_SPLIT_MS = 60_000
const PREPARE_PREROLL = 32
const PREPARE_POSTROLL = 4
/** Opus always decodes at 48 kHz; for other audio the halves are only less even. */
const ASSUMED_RATE = 48_000

type Listeners = Set<(outTimeMs: number) => void>

interface Job {
  readonly done: Promise<PreparedAudio>
  readonly listeners: Listeners
  readonly controller: AbortController
}

const jobs = new Map<string, Job>()

function names(cacheDir: string, bitrate: string): { file: string; record: string } {
  const safe = bitrate.replace(/[^0-9a-z]/gi, '')
  return {
    file: join(cacheDir, `audio-${safe}.aac`),
    record: join(cacheDir, `audio-${safe}.json`)
  }
}

async function cached(options: PrepareAudioOptions): Promise<PreparedAudio | null> {
  const { file, record } = names(options.cacheDir, options.bitrate)
  const [text, recording] = await Promise.all([
    readTextIfExists(record).catch(() => null),
    stat(options.input).catch(() => null)
  ])
  if (!text || !recording) return null
  try {
    const saved = JSON.parse(text) as Partial<CacheRecord>
    if (
      saved.version !== 1 ||
      saved.sizeBytes !== recording.size ||
      saved.mtimeMs !== recording.mtimeMs ||
      saved.ffmpeg !== options.ffmpegPath
    ) {
      return null
    }
    return { file, stream: parseAdts(await readFile(file)) }
  } catch {
    return null
  }
}

async function make(
  options: PrepareAudioOptions,
  listeners: Listeners,
  signal: AbortSignal
): Promise<PreparedAudio> {
  const { file, record } = names(options.cacheDir, options.bitrate)
  await mkdir(options.cacheDir, { recursive: true })
  const before = await stat(options.input)
  // Its own name: `npm run render` in another process may be making the same file.
  const part = `${file}.${process.pid}-${randomUUID().slice(0, 8)}.part`
  const halves = [`${part}.1`, `${part}.2`]
  try {
    const splitFrom = options.splitFromMs ?? PREPARE_SPLIT_MS
    const split = options.durationMs !== undefined && options.durationMs >= splitFrom
    const tell = (outTimeMs: number): void => {
      for (const listener of listeners) listener(outTimeMs)
    }
    let bytes = split
      ? await encodeHalves(options, tell, signal, halves, options.durationMs ?? 0)
      : null
    if (bytes) await writeFile(part, bytes)
    else {
      await encodeRange(options, signal, part, {}, tell)
      bytes = await readFile(part)
    }
    const stream = parseAdts(bytes)
    await rename(part, file)
    const saved: CacheRecord = {
      version: 1,
      sizeBytes: before.size,
      mtimeMs: before.mtimeMs,
      ffmpeg: options.ffmpegPath
    }
    await writeJsonAtomic(record, saved)
    return { file, stream }
  } finally {
    await Promise.all([part, ...halves].map((f) => rm(f, { force: true })))
  }
}

/** One ffmpeg run of the prepare job, telling how far it is (ms of audio encoded). */
function encodeRange(
  options: PrepareAudioOptions,
  signal: AbortSignal,
  output: string,
  range: { startSample?: number; endSample?: number },
  onOutTime: (outTimeMs: number) => void
): Promise<void> {
  return runFfmpegArgs(
    options.ffmpegPath,
    prepareArgs(options.input, options.bitrate, output, range),
    {
      task: "prepare the recording's audio",
      errorCode: 'export-failed',
      signal,
      lowPriority: options.lowPriority,
      onProgress: ({ outTimeMs }) => onOutTime(outTimeMs)
    }
  )
}

/**
 * The prepared stream made as two halves at once and spliced at a frame boundary near the
 * middle; null when the halves do not fit together as planned (the caller then makes it in one
 * pass).
 */
async function encodeHalves(
  options: PrepareAudioOptions,
  tell: (outTimeMs: number) => void,
  signal: AbortSignal,
  files: readonly string[],
  durationMs: number
): Promise<Buffer | null> {
  const n = AAC_FRAME_SAMPLES
  const middle = Math.floor((durationMs / 2 / 1000) * (ASSUMED_RATE / n))
  const done = [0, 0]
  // Progress adds up over the two halves.
  const report = (half: number) => (outTimeMs: number) => {
    done[half] = outTimeMs
    tell(done[0]! + done[1]!)
  }
  // Both settle before anything is decided: no ffmpeg is left writing when the job ends.
  const runs = await Promise.allSettled([
    encodeRange(
      options,
      signal,
      files[0]!,
      { endSample: (middle + PREPARE_POSTROLL) * n },
      report(0)
    ),
    encodeRange(
      options,
      signal,
      files[1]!,
      { startSample: (middle - PREPARE_PREROLL) * n },
      report(1)
    )
  ])
  const failed = runs.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) throw failed.reason
  const [first, second] = await Promise.all(files.map((f) => readFile(f)))
  let a: AdtsStream
  let b: AdtsStream
  try {
    a = parseAdts(first!)
    b = parseAdts(second!)
  } catch {
    return null // e.g. the audio ends before the middle: the second half is empty
  }
  // The first half's frames 0..middle (its priming frame, then up to sample middle·1024); the
  // second's from its frame for that sample on (frame k starts at (middle − preroll + k − 1)·1024).
  const keepA = a.frames.slice(0, middle + 1)
  const keepB = b.frames.slice(PREPARE_PREROLL + 1)
  if (keepA.length !== middle + 1 || keepB.length === 0) return null
  if (a.sampleRate !== b.sampleRate || a.channels !== b.channels) return null
  return Buffer.concat([
    ...keepA.map((f) => first!.subarray(f.offset, f.offset + f.length)),
    ...keepB.map((f) => second!.subarray(f.offset, f.offset + f.length))
  ])
}

/**
 * The recording's prepared audio at `bitrate`: from the cache, from a job already under way, or
 * made now. Rejects when the recording has no audio ffmpeg can read.
 */
export async function preparedAudio(options: PrepareAudioOptions): Promise<PreparedAudio> {
  const key = `${options.cacheDir}\n${options.bitrate}`
  let job = jobs.get(key)
  if (!job) {
    const hit = await cached(options)
    if (hit) return hit
    job = jobs.get(key)
  }
  if (!job) {
    const listeners: Listeners = new Set()
    const controller = new AbortController()
    const done = make(options, listeners, controller.signal).finally(() => jobs.delete(key))
    job = { listeners, done, controller }
    jobs.set(key, job)
    // Nobody may be waiting when it fails (a background job): the failure is the waiter's.
    done.catch(() => undefined)
  }
  const { onProgress, signal } = options
  const running = job
  // Each waiter measures against its own idea of the length (a background job may have none).
  const total = options.durationMs
  const listener =
    onProgress && total && total > 0
      ? (outTimeMs: number): void => onProgress(Math.min(1, outTimeMs / total))
      : null
  if (listener) running.listeners.add(listener)
  try {
    if (!signal) return await running.done
    if (signal.aborted) throw new SidecastError('cancelled', 'Cancelled: export the video.')
    return await new Promise<PreparedAudio>((resolve, reject) => {
      const abort = (): void =>
        reject(new SidecastError('cancelled', 'Cancelled: export the video.'))
      signal.addEventListener('abort', abort, { once: true })
      running.done.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort))
    })
  } finally {
    if (listener) running.listeners.delete(listener)
  }
}

/** Stops every prepare job (the app is quitting); their waiters get 'cancelled'. */
export async function stopPreparingAudio(): Promise<void> {
  const running = [...jobs.values()]
  for (const job of running) job.controller.abort()
  await Promise.all(running.map((job) => job.done.catch(() => undefined)))
}

const LAYOUTS: Readonly<Record<number, string>> = { 1: 'mono', 2: 'stereo' }

/**
 * One ffmpeg run that encodes every window of the plan: the recording's audio is decoded once
 * and split, each window is its pieces (recording samples or silence) end to end, padded to its
 * exact length, and written as ADTS.
 */
export function windowArgs(options: {
  readonly input: string
  readonly plan: AudioSplicePlan
  readonly stream: AdtsStream
  readonly bitrate: string
  readonly outputs: readonly string[]
}): string[] {
  const { plan, stream } = options
  const layout = LAYOUTS[stream.channels]
  if (!layout) throw new Error(`audio with ${stream.channels} channels is not spliced`)
  const rate = plan.sampleRate
  // Past this the recording has no samples (the prepared stream's frames cover them all). Before
  // it, a piece may still end early where the recording does: only silence can follow it (the
  // pieces read the recording in order), and the window's apad makes that silence.
  const sourceLength = (stream.frames.length - 1) * AAC_FRAME_SAMPLES
  const chains: string[] = []
  const taps: string[] = []
  plan.windows.forEach((window, w) => {
    const parts: string[] = []
    const silence = (length: number): void => {
      const label = `w${w}p${parts.length}`
      chains.push(`anullsrc=r=${rate}:cl=${layout},atrim=end_sample=${length}[${label}]`)
      parts.push(`[${label}]`)
    }
    for (const piece of piecesIn(plan.pieces, window.startSample, window.endSample)) {
      if (piece.kind === 'silence') {
        silence(piece.length)
        continue
      }
      let { from, length } = piece
      if (from < 0) {
        silence(Math.min(length, -from))
        length -= Math.min(length, -from)
        from = 0
      }
      if (length <= 0) continue
      if (from >= sourceLength) {
        silence(length)
        continue
      }
      const label = `w${w}p${parts.length}`
      const tap = `s${taps.length}`
      taps.push(`[${tap}]`)
      chains.push(
        `[${tap}]atrim=start_sample=${from}:end_sample=${from + length},asetpts=PTS-STARTPTS[${label}]`
      )
      parts.push(`[${label}]`)
    }
    const length = window.endSample - window.startSample
    chains.push(
      `${parts.join('')}concat=n=${parts.length}:v=0:a=1,` +
        `apad=whole_len=${length},atrim=end_sample=${length}[w${w}]`
    )
  })
  const split =
    taps.length === 0
      ? []
      : taps.length === 1
        ? [`[0:a:0]anull${taps[0]}`]
        : [`[0:a:0]asplit=${taps.length}${taps.join('')}`]
  const graph = [...split, ...chains].join(';')
  // prettier-ignore
  return [
    ...COMMON_HEAD,
    ...(taps.length > 0 ? ['-i', options.input] : []),
    '-filter_complex', graph,
    ...options.outputs.flatMap((output, w) => [
      '-map', `[w${w}]`, '-c:a', 'aac', '-b:a', options.bitrate, '-f', 'adts', output
    ])
  ]
}

/** A stretch of bytes of the spliced stream: from the prepared stream (-1) or a window. */
export interface SpliceRange {
  readonly source: number
  readonly offset: number
  readonly length: number
}

/**
 * Where the spliced stream's bytes come from: each run's frames are one stretch of its stream's
 * file (ADTS frames follow one another). Throws naming a frame a stream does not have.
 */
export function spliceRanges(
  plan: AudioSplicePlan,
  prepared: AdtsStream,
  windows: readonly AdtsStream[]
): SpliceRange[] {
  return plan.runs.map((run) => {
    const from = run.kind === 'prepared' ? prepared : windows[run.window]
    if (!from) {
      throw new Error(`the audio window ${run.kind === 'window' ? run.window : ''} is missing`)
    }
    const last = run.fromFrame + run.count - 1
    const first = from.frames[run.fromFrame]
    const end = from.frames[last]
    if (!first || !end) {
      const missing = first ? last : run.fromFrame
      throw new Error(
        `the ${run.kind === 'prepared' ? 'prepared audio' : 'audio window'} has no frame ${missing}`
      )
    }
    return {
      source: run.kind === 'prepared' ? -1 : run.window,
      offset: first.offset,
      length: end.offset + end.length - first.offset
    }
  })
}

/** The spliced stream's bytes: each run's frames from the prepared stream or its window. */
export function spliceFrames(
  plan: AudioSplicePlan,
  prepared: { readonly bytes: Uint8Array; readonly stream: AdtsStream },
  windows: readonly { readonly bytes: Uint8Array; readonly stream: AdtsStream }[]
): Buffer {
  const ranges = spliceRanges(
    plan,
    prepared.stream,
    windows.map((w) => w.stream)
  )
  return Buffer.concat(
    ranges.map((r) => {
      const bytes = r.source < 0 ? prepared.bytes : windows[r.source]!.bytes
      return bytes.subarray(r.offset, r.offset + r.length)
    })
  )
}

/**
 * Writes the spliced stream to `output`, copying the prepared stream's stretches from its file
 * a megabyte at a time (an hour of it is 70 MB: never all in memory).
 */
async function writeSplice(
  ranges: readonly SpliceRange[],
  preparedFile: string,
  windows: readonly Uint8Array[],
  output: string
): Promise<void> {
  const [source, target] = await Promise.all([open(preparedFile, 'r'), open(output, 'w')])
  try {
    const buffer = Buffer.alloc(1024 * 1024)
    for (const range of ranges) {
      if (range.source >= 0) {
        await target.write(
          windows[range.source]!.subarray(range.offset, range.offset + range.length)
        )
        continue
      }
      for (let done = 0; done < range.length;) {
        const want = Math.min(buffer.length, range.length - done)
        const { bytesRead } = await source.read(buffer, 0, want, range.offset + done)
        if (bytesRead === 0) throw new Error('the prepared audio is shorter than its frames')
        await target.write(buffer.subarray(0, bytesRead))
        done += bytesRead
      }
    }
  } finally {
    await Promise.all([source.close(), target.close()])
  }
}

export interface TimelineAudio {
  /** The ADTS stream of the whole timeline. */
  readonly file: string
  /** What the MP4 mux gives ffmpeg as `-itsoffset` for it (priming and lead hidden), seconds. */
  readonly offsetSeconds: string
  readonly plan: AudioSplicePlan
}

/**
 * The timeline's audio as one ADTS stream in `workDir`, from the prepared audio and the
 * windows the plan re-encodes.
 */
export async function timelineAudio(options: {
  readonly ffmpegPath: string
  readonly input: string
  readonly prepared: PreparedAudio
  readonly keepMs: readonly (readonly [number, number])[]
  readonly audioStartMs: number
  readonly bitrate: string
  readonly workDir: string
  readonly signal?: AbortSignal
}): Promise<TimelineAudio> {
  const { prepared } = options
  const plan = planAudioSplice({
    keepMs: options.keepMs,
    sampleRate: prepared.stream.sampleRate,
    audioStartMs: options.audioStartMs,
    preparedFrames: prepared.stream.frames.length
  })
  const outputs = plan.windows.map((_, w) => join(options.workDir, `audio-window-${w}.aac`))
  if (outputs.length > 0) {
    await runFfmpegArgs(
      options.ffmpegPath,
      windowArgs({
        input: options.input,
        plan,
        stream: prepared.stream,
        bitrate: options.bitrate,
        outputs
      }),
      { signal: options.signal, task: 'export the audio', errorCode: 'export-failed' }
    )
  }
  const windows = await Promise.all(outputs.map((file) => readFile(file)))
  const ranges = spliceRanges(
    plan,
    prepared.stream,
    windows.map((bytes) => parseAdts(bytes))
  )
  const file = join(options.workDir, 'audio-timeline.aac')
  await writeSplice(ranges, prepared.file, windows, file)
  const hidden = (AAC_FRAME_SAMPLES + plan.leadSamples) / plan.sampleRate
  return { file, offsetSeconds: (-hidden).toFixed(6), plan }
}

export interface ExportAudioOptions {
  readonly ffmpegPath: string
  readonly ffprobePath: string
  /** The recording. */
  readonly input: string
  /** Where the prepared audio is kept (the project's `cache/`). */
  readonly cacheDir: string
  readonly bitrate: string
  /** The kept ranges on the recording's clock, ms (normalizeKeep). */
  readonly keepMs: readonly (readonly [number, number])[]
  /** The recording's length, ms (measures the prepare job's progress). */
  readonly durationMs: number
  /** A private folder for the windows and the spliced stream. */
  readonly workDir: string
  readonly signal?: AbortSignal
  /** 0–1: the prepare job (when it has to run) and then the windows. */
  readonly onProgress?: (fraction: number) => void
}

/**
 * An export's whole audio, ready to be copied into its MP4: prepared (or waited for), then
 * spliced. Throws when it cannot be made this way; the export then encodes the audio whole.
 */
export async function exportAudio(options: ExportAudioOptions): Promise<TimelineAudio> {
  const { signal, onProgress } = options
  const [prepared, startMs] = await Promise.all([
    preparedAudio({
      ffmpegPath: options.ffmpegPath,
      input: options.input,
      cacheDir: options.cacheDir,
      bitrate: options.bitrate,
      durationMs: options.durationMs,
      ...(signal ? { signal } : {}),
      ...(onProgress ? { onProgress: (f: number) => onProgress(f * 0.9) } : {})
    }),
    audioStartMs(options.ffprobePath, options.input, signal)
  ])
  if (startMs === null) throw new Error('the recording has no audio stream')
  onProgress?.(0.9)
  const audio = await timelineAudio({
    ffmpegPath: options.ffmpegPath,
    input: options.input,
    prepared,
    keepMs: options.keepMs,
    audioStartMs: startMs,
    bitrate: options.bitrate,
    workDir: options.workDir,
    ...(signal ? { signal } : {})
  })
  onProgress?.(1)
  return audio
}
