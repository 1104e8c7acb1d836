/**
 * Runs a smart plan (smart-plan.ts): splits the copied stretches out of the recording packet for
 * packet, re-encodes the touched ones through the export's filter graph, joins them with the
 * timeline's audio into the MP4 and verifies the result (render-verify.ts) before it counts.
 * Any failure here is thrown; run-export.ts then makes the file by a full re-encode instead.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Edits } from '../../shared/edits'
import type { ExportPreset } from '../../shared/export-preset'
import type { RecordingFacts } from '../../shared/project'
import { runFfmpegArgs } from '../ffmpeg/run-ffmpeg'
import type { OverlayPosition } from './export-plan'
import { concatList, encodeSegmentArgs, joinArgs, splitArgs, splitTimes } from './smart-commands'
import type { SmartPlan } from './smart-plan'

type Smart = Extract<SmartPlan, { smart: true }>

export interface SmartRenderOptions {
  readonly plan: Smart
  readonly facts: RecordingFacts
  readonly edits: Edits
  readonly preset: ExportPreset
  readonly ffmpegPath: string
  /** The recording. */
  readonly input: string
  /** Where the MP4 is written (the caller renames it into place). */
  readonly output: string
  /** A private, empty folder for the stretches; the caller removes it. */
  readonly workDir: string
  /** The callout PNGs already rasterised into `overlayDir`: annotation id → file and position. */
  readonly overlays: ReadonlyMap<string, { readonly file: string; readonly at: OverlayPosition }>
  readonly overlayDir: string
  /** 0–1 of the whole job. */
  readonly onProgress?: (fraction: number) => void
  readonly signal?: AbortSignal
}

/** Relative cost of the steps, in encoded-millisecond units: copying and muxing are cheap. */
const COPY_COST = 0.03
const JOIN_COST = 0.06

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
  const report = (stepDone: number): void =>
    options.onProgress?.(Math.min(1, (done + stepDone) / Math.max(1, total)))
  const run = (args: string[], weight: number, stepMs: number): Promise<void> =>
    runFfmpegArgs(options.ffmpegPath, args, {
      signal,
      task: 'export the video',
      errorCode: 'export-failed',
      onProgress: ({ outTimeMs }) => report((weight * Math.min(outTimeMs, stepMs)) / stepMs)
    }).then(() => {
      done += weight
      report(0)
    })

  // 1. The copied stretches, packet for packet.
  const copies = plan.segments.filter((s) => s.kind === 'copy')
  const times = splitTimes(plan.segments)
  const listFile = join(workDir, 'split.csv')
  await run(
    splitArgs(options.input, times, join(workDir, 'split-%05d.mkv'), listFile),
    COPY_COST * sourceMs,
    sourceMs
  )
  const pieces = parseSegmentList(await readFile(listFile, 'utf8'))
  const bounds = [0, ...times]
  const fileOf = new Map<number, string>()
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

  // 2. The re-encoded stretches.
  let n = 0
  for (const segment of plan.segments) {
    if (segment.kind !== 'encode') continue
    const file = join(workDir, `encode-${String(++n).padStart(4, '0')}.mkv`)
    const { args } = encodeSegmentArgs({
      facts: options.facts,
      edits: options.edits,
      preset: options.preset,
      segment,
      encoding: plan.encoding,
      input: options.input,
      output: file,
      overlays: options.overlays,
      overlayDir: options.overlayDir
    })
    await run(args, segment.durationMs, segment.durationMs)
    fileOf.set(segment.outputStartMs, file)
  }

  // 3. Joined, with the audio encoded once.
  const concat = join(workDir, 'join.ffconcat')
  await writeFile(
    concat,
    concatList(
      plan.segments.map((s) => ({ file: fileOf.get(s.outputStartMs)!, durationMs: s.durationMs }))
    )
  )
  await run(
    joinArgs({
      facts: options.facts,
      edits: options.edits,
      preset: options.preset,
      listFile: concat,
      input: options.input,
      output: options.output
    }),
    JOIN_COST * plan.outputDurationMs,
    plan.outputDurationMs
  )
}
