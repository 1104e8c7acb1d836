/**
 * Runs a smart plan (smart-plan.ts): splits the copied stretches out of the recording packet for
 * packet, re-encodes the touched ones through the export's filter graph, and joins them into the
 * MP4 with the timeline's audio — spliced from the recording's prepared AAC (timeline-audio.ts)
 * beside the video work, or, when that cannot be done, encoded whole in the join. run-export.ts
 * verifies the result (render-verify.ts) before it counts; any failure here is thrown, and
 * run-export.ts then makes the file by a full re-encode instead.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Edits } from '../shared/edits'
import type { ExportPreset } from '../shared/export-preset'
import type { RecordingFacts } from '../shared/project'
import { SidecastError } from '../shared/errors'
import { normalizeKeep } from '../shared/timeline'
import { runFfmpegArgs } from './run-ffmpeg'
import type { OverlayPosition } from './export-plan'
import { QUALITY_PARAMS } from './presets'
import {
  concatList,
  encodeSegmentArgs,
  joinArgs,
  joinCopyArgs,
  splitArgs,
  splitTimes
} from './smart-commands'
import type { SmartPlan } from './smart-plan'
import { exportAudio, type TimelineAudio } from './timeline-audio'

type Smart = Extract<SmartPlan, { smart: true }>

export interface SmartRenderOptions {
  readonly plan: Smart
  readonly facts: RecordingFacts
  readonly edits: Edits
  readonly preset: ExportPreset
  readonly ffmpegPath: string
  readonly ffprobePath: string
  /**
   * Where the recording's prepared audio is kept (timeline-audio.ts); null encodes the
   * timeline's audio whole in the join, as before prepared audio.
   */
  readonly cacheDir: string | null
  /** The recording. */
  readonly input: string
  /** Where the MP4 is written (the caller renames it into place). */
  readonly output: string
  /** A private, empty folder for the stretches; the caller removes it. */
  readonly workDir: string
  /** The callout PNGs already rasterised into `overlayDir`: annotation id → file and position. */
  readonly overlays: ReadonlyMap<string, { readonly file: string; readonly at: OverlayPosition }>
  readonly overlayDir: string
  /** The camera file as ffmpeg opens it, when the facts have a camera (the bubble). */
  readonly cameraPath?: string
  /** 0–1 of the whole job. */
  readonly onProgress?: (fraction: number) => void
  readonly signal?: AbortSignal
  /** Why the audio was encoded whole rather than spliced (the result's `audio` says it). */
  readonly onAudioFallback?: (reason: string) => void
  /** How long each step took, ms (the benchmark shows where the time goes). */
  readonly onStep?: (step: SmartStep, ms: number) => void
}

export type SmartStep = 'split' | 'encode' | 'audio' | 'join' | 'verify'

/** Relative cost of the steps, in encoded-millisecond units: copying and muxing are cheap. */
const COPY_COST = 0.03
const JOIN_COST = 0.06

/** Re-encoded stretches run at once. */
const ENCODE_PARALLEL = 2

/**
 * Runs `work` on every item, at most `limit` at a time. The first failure stops the rest
 * (`onFailure`, e.g. to cancel the ones running) and is the one thrown.
 */
async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
  onFailure: () => void
): Promise<void> {
  let next = 0
  let failure: { error: unknown } | null = null
  const worker = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const item = items[next++]!
      await work(item).catch((error: unknown) => {
        if (failure) return
        failure = { error }
        onFailure()
      })
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
  if (failure) throw (failure as { error: unknown }).error
}

/** A split file's start and end from the segment muxer's CSV list ("name,start,end"). */
function parseSegmentList(text: string): { file: string; startMs: number; endMs: number }[] {
  return text
    .split('\n')
    .map((line) => line.trim().split(','))
    .filter((fields) => fields.length >= 3)
    .map(([file = '', start = '', end = '']) => ({
      file,
      startMs: Number(start) * 1000,
      endMs: Number(end) * 1000
    }))
}

export async function smartRender(options: SmartRenderOptions): Promise<void> {
  const { plan, workDir, signal } = options
  const sourceMs = Math.max(1, options.facts.durationMs ?? plan.outputDurationMs)
  const encodedMs = plan.segments
    .filter((s) => s.kind === 'encode')
    .reduce((n, s) => n + s.durationMs, 0)
  const total = encodedMs + COPY_COST * sourceMs + JOIN_COST * plan.outputDurationMs
  let done = 0
  /** Steps under way: how much of each one's weight is done. */
  const partial = new Map<number, number>()
  let steps = 0
  // The audio is made alongside the video (one more core's work); the bar shows the slower.
  let audioFraction = 1
  let videoFraction = 0
  const show = (): void => options.onProgress?.(Math.min(videoFraction, audioFraction))
  const report = (): void => {
    const under = [...partial.values()].reduce((n, v) => n + v, 0)
    videoFraction = Math.min(1, (done + under) / Math.max(1, total))
    show()
  }
  // The video steps stop together: a failed stretch cancels the one encoded beside it.
  const videoStop = new AbortController()
  const stopVideo = (): void => videoStop.abort()
  signal?.addEventListener('abort', stopVideo, { once: true })
  const run = (args: string[], weight: number, stepMs: number): Promise<void> => {
    const id = steps++
    return runFfmpegArgs(options.ffmpegPath, args, {
      signal: videoStop.signal,
      task: 'export the video',
      errorCode: 'export-failed',
      onProgress: ({ outTimeMs }) => {
        partial.set(id, (weight * Math.min(outTimeMs, stepMs)) / stepMs)
        report()
      }
    }).then(() => {
      partial.delete(id)
      done += weight
      report()
    })
  }

  /** Each stretch's file, by where it starts in the output. */
  const fileOf = new Map<number, string>()

  // 0. The timeline's audio, from the prepared audio, while the video is made.
  const audioStop = new AbortController()
  const stopAudio = (): void => audioStop.abort()
  signal?.addEventListener('abort', stopAudio, { once: true })
  const bitrate = QUALITY_PARAMS[options.preset.quality].audioBitrate
  // null: not tried (no audio, or no cache); a string: why it could not be made.
  let audioJob: Promise<TimelineAudio | string | null> = Promise.resolve(null)
  if (options.facts.audioCodec && options.cacheDir) {
    audioFraction = 0
    audioJob = exportAudio({
      ffmpegPath: options.ffmpegPath,
      ffprobePath: options.ffprobePath,
      input: options.input,
      cacheDir: options.cacheDir,
      bitrate,
      keepMs: normalizeKeep(options.edits.keep, sourceMs),
      durationMs: sourceMs,
      workDir,
      signal: audioStop.signal,
      onProgress: (fraction) => {
        audioFraction = fraction
        show()
      }
    }).then(
      (audio) => audio,
      (error: unknown) => (error instanceof Error ? error.message : String(error))
    )
  }
  const timed = async <T>(step: SmartStep, work: () => Promise<T>): Promise<T> => {
    const started = performance.now()
    const value = await work()
    options.onStep?.(step, performance.now() - started)
    return value
  }
  void timed('audio', () => audioJob)
  try {
    try {
      await renderVideo()
    } catch (error) {
      audioStop.abort()
      await audioJob
      throw error
    }
    const audio = await audioJob
    if (signal?.aborted) throw new SidecastError('cancelled', 'Cancelled: export the video.')
    audioFraction = 1

    // 3. Joined: the video stretches end to end, with the spliced audio copied — or, when it could
    // not be made, the timeline's audio encoded once in the same run.
    const concat = join(workDir, 'join.ffconcat')
    await writeFile(
      concat,
      concatList(
        plan.segments.map((s) => ({ file: fileOf.get(s.outputStartMs)!, durationMs: s.durationMs }))
      )
    )
    if (typeof audio === 'string') options.onAudioFallback?.(audio)
    await timed('join', () =>
      run(
        audio === null || typeof audio === 'string'
          ? joinArgs({
              facts: options.facts,
              edits: options.edits,
              preset: options.preset,
              listFile: concat,
              input: options.input,
              output: options.output
            })
          : joinCopyArgs({ listFile: concat, audio, output: options.output }),
        JOIN_COST * plan.outputDurationMs,
        plan.outputDurationMs
      )
    )
  } finally {
    signal?.removeEventListener('abort', stopAudio)
    signal?.removeEventListener('abort', stopVideo)
  }

  async function renderVideo(): Promise<void> {
    // 1. The copied stretches, packet for packet (mostly disk work), beside 2.
    const split = async (): Promise<void> => {
      const copies = plan.segments.filter((s) => s.kind === 'copy')
      const times = splitTimes(plan.segments)
      const listFile = join(workDir, 'split.csv')
      await timed('split', () =>
        run(
          splitArgs(options.input, times, join(workDir, 'split-%05d.mkv'), listFile),
          COPY_COST * sourceMs,
          sourceMs
        )
      )
      const pieces = parseSegmentList(await readFile(listFile, 'utf8'))
      const bounds = [0, ...times]
      for (const copy of copies) {
        const at = bounds.findIndex((t) => Math.abs(t - copy.sourceStartMs) < 1e-6)
        const piece = pieces[at]
        // The split must have started this file on the copy's own keyframe, or the join is off.
        if (at < 0 || !piece || Math.abs(piece.startMs - copy.sourceStartMs) > 1) {
          throw new Error(
            `the copied stretch at ${Math.round(copy.sourceStartMs)} ms did not split on its keyframe`
          )
        }
        fileOf.set(copy.outputStartMs, join(workDir, piece.file))
      }
    }

    // 2. The re-encoded stretches, two at a time: a short stretch's decode, filters and the
    // encoder's start and end leave a core idle, which the other stretch takes.
    const encodes = plan.segments
      .filter((s) => s.kind === 'encode')
      .map((segment, n) => {
        const file = join(workDir, `encode-${String(n + 1).padStart(4, '0')}.mkv`)
        fileOf.set(segment.outputStartMs, file)
        const { args } = encodeSegmentArgs({
          facts: options.facts,
          edits: options.edits,
          preset: options.preset,
          segment,
          encoding: plan.encoding,
          input: options.input,
          output: file,
          overlays: options.overlays,
          overlayDir: options.overlayDir,
          ...(options.cameraPath ? { cameraPath: options.cameraPath } : {})
        })
        return { args, durationMs: segment.durationMs }
      })
    const encode = (): Promise<void> =>
      timed('encode', () =>
        inParallel(
          encodes,
          ENCODE_PARALLEL,
          ({ args, durationMs }) => run(args, durationMs, durationMs),
          stopVideo
        )
      )
    await inParallel([split, encode], 2, (step) => step(), stopVideo)
  }
}
