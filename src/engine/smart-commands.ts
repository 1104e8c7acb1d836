/**
 * The ffmpeg jobs of a smart render, as data (smart-render.ts runs them):
 *  1. split: the recording's video packets, stream-copied into one file per copied stretch;
 *  2. encode: each re-encoded stretch through the full export's own filter graph, with x264
 *     settings that join the copied packets cleanly (smart-plan.ts JoinEncoding);
 *  3. join: the stretches end to end (ffmpeg's concat demuxer, each with its planned length) into
 *     the MP4, with the whole timeline's audio encoded once to AAC alongside.
 */
import { join } from 'node:path'
import type { Edits } from '../shared/edits'
import type { ExportPreset } from '../shared/export-preset'
import type { RecordingFacts } from '../shared/project'
import { isWholeRecording, normalizeKeep } from '../shared/timeline'
import {
  COMMON_HEAD,
  COMMON_TAIL,
  audioCutGraph,
  buildGraph,
  knownFacts,
  planOverlays,
  type OverlayPlan,
  type OverlayPosition
} from './export-plan'
import { cameraSeekFor, planBubble } from './bubble-plan'
import { QUALITY_PARAMS, outputDimensions } from './presets'
import type { JoinEncoding, SmartSegment } from './smart-plan'

/** Seconds with microsecond precision, rounded down (a keyframe's time never rounds past it). */
export function preciseSeconds(ms: number): string {
  return (Math.floor(ms * 1000 + 1e-6) / 1e6).toFixed(6)
}

/** The split job's cut times: every start and end of a copied stretch (not 0, not the end). */
export function splitTimes(segments: readonly SmartSegment[]): number[] {
  const times = new Set<number>()
  for (const s of segments) {
    if (s.kind !== 'copy') continue
    if (s.sourceStartMs > 0) times.add(s.sourceStartMs)
    if (segments[segments.length - 1] !== s) times.add(s.sourceEndMs)
  }
  return [...times].sort((a, b) => a - b)
}

/**
 * Splits the video stream at `times` without decoding: the segment muxer starts a file at the
 * first keyframe at or after each time, and the times are keyframes, so each file holds exactly
 * its GOPs' packets. h264_mp4toannexb writes the parameter sets in front of an IDR only where
 * the recording has none there (Chromium's OpenH264 always has them), so a copied stretch
 * decodes wherever it lands, and the packets stay the recording's bytes.
 */
export function splitArgs(
  input: string,
  times: readonly number[],
  pattern: string,
  listFile: string
): string[] {
  // prettier-ignore
  return [
    ...COMMON_HEAD,
    '-i', input,
    '-map', '0:v:0', '-c:v', 'copy', '-bsf:v', 'h264_mp4toannexb', '-an',
    '-f', 'segment', '-segment_format', 'matroska',
    ...(times.length > 0 ? ['-segment_times', times.map(preciseSeconds).join(',')] : []),
    '-reset_timestamps', '1',
    '-segment_list', listFile, '-segment_list_type', 'csv',
    '-progress', 'pipe:1', '-nostats',
    pattern
  ]
}

export interface EncodeSegmentOptions {
  readonly facts: RecordingFacts
  readonly edits: Edits
  readonly preset: ExportPreset
  readonly segment: SmartSegment
  readonly encoding: JoinEncoding
  readonly input: string
  readonly output: string
  /** The callout PNGs, rasterised once for the whole export: annotation id → file and position. */
  readonly overlays: ReadonlyMap<string, { readonly file: string; readonly at: OverlayPosition }>
  /** The folder of the callout PNGs and of the bubble's mask and ring (bubble-plan.ts). */
  readonly overlayDir: string
  /** The camera file as ffmpeg opens it (the bubble, when `facts.camera` shows in the stretch). */
  readonly cameraPath?: string
}

/**
 * One re-encoded stretch: the recording from the stretch's start (`-ss`, frame-accurate), the
 * export's graph with the stretch as its only kept range and every annotation shifted by the
 * same amount, so blur and callouts land on the very frames the full export draws them on. The
 * camera bubble is planned for the stretch on the recording's clock (its keep is the stretch),
 * with the camera opened where the stretch's pictures start (`-ss`), so its frames land on the
 * same output times as in the full export.
 */
export function encodeSegmentArgs(options: EncodeSegmentOptions): {
  args: string[]
  overlays: OverlayPlan[]
} {
  const facts = { ...knownFacts(options.facts), audioCodec: null }
  const { segment, encoding } = options
  const shift = segment.sourceStartMs
  const length = segment.sourceEndMs - segment.sourceStartMs
  const keep = normalizeKeep([[0, length]], length)
  const annotations = options.edits.annotations
    .filter((a) => a.startMs < segment.sourceEndMs && a.endMs > segment.sourceStartMs)
    .map((a) => ({ ...a, startMs: a.startMs - shift, endMs: a.endMs - shift }))
  const overlays = planOverlays(annotations, keep).map((o) => ({
    ...o,
    file: options.overlays.get(o.annotationIds[0] ?? '')?.file ?? o.file
  }))
  const positions: Record<string, OverlayPosition> = {}
  for (const { file, at } of options.overlays.values()) positions[file] = at
  const output = outputDimensions(facts, options.preset.size)
  const camera = options.facts.camera
  const seekMs = cameraSeekFor(camera, segment.sourceStartMs)
  const bubble = planBubble(
    { width: facts.width, height: facts.height, durationMs: facts.durationMs, camera },
    options.edits.bubble,
    normalizeKeep([[segment.sourceStartMs, segment.sourceEndMs]], facts.durationMs),
    seekMs
  )
  const bubbleInputs = {
    camera: overlays.length + 1,
    mask: overlays.length + 2,
    ring: overlays.length + 3
  }
  // prettier-ignore
  const bubbleArgs = bubble
    ? [
        ...(bubble.cameraSeekMs > 0 ? ['-ss', preciseSeconds(bubble.cameraSeekMs)] : []),
        '-i', options.cameraPath ?? bubble.cameraFile,
        '-i', join(options.overlayDir, bubble.maskFile),
        '-i', join(options.overlayDir, bubble.ringFile)
      ]
    : []
  const { graph } = buildGraph(
    facts,
    keep,
    false,
    annotations,
    overlays,
    output,
    positions,
    encoding.pixFmt,
    bubble ? { plan: bubble, inputs: bubbleInputs } : null
  )
  const withSar = encoding.sar ? graph.replace(/\[vout\]$/, `,setsar=${encoding.sar}[vout]`) : graph
  const quality = QUALITY_PARAMS[options.preset.quality]
  // prettier-ignore
  const args = [
    ...COMMON_HEAD,
    '-ss', preciseSeconds(segment.sourceStartMs), '-i', options.input,
    ...overlays.flatMap((o) => ['-i', join(options.overlayDir, o.file)]),
    ...bubbleArgs,
    '-filter_complex', withSar,
    '-map', '[vout]', '-an',
    '-c:v', 'libx264', '-preset', quality.x264Preset, '-crf', String(quality.crf),
    '-profile:v', encoding.profile,
    ...(encoding.level ? ['-level:v', encoding.level] : []),
    '-bf', '0', '-g', String(encoding.gopFrames),
    '-x264-params', `sps-id=${encoding.spsId}`,
    '-pix_fmt', encoding.pixFmt,
    // Parameter sets in front of every IDR, as the recording has them: a decoder meets each
    // stretch's sets just before its first picture, wherever it starts reading.
    '-bsf:v', 'dump_extra',
    '-enc_time_base', encoding.timeBase, '-vsync', 'vfr',
    '-f', 'matroska', '-progress', 'pipe:1', '-nostats', options.output
  ]
  return { args, overlays }
}

/** The concat demuxer's list: each stretch's file with its planned length (VFR-safe joins). */
export function concatList(
  entries: readonly { readonly file: string; readonly durationMs: number }[]
): string {
  const quote = (path: string): string => `'${path.replace(/'/g, "'\\''")}'`
  const lines = ['ffconcat version 1.0']
  for (const e of entries) {
    lines.push(`file ${quote(e.file)}`, `duration ${preciseSeconds(e.durationMs)}`)
  }
  return `${lines.join('\n')}\n`
}

/** Joins the stretches into the MP4 and encodes the kept audio once, in the same run. */
export function joinArgs(options: {
  readonly facts: RecordingFacts
  readonly edits: Edits
  readonly preset: ExportPreset
  readonly listFile: string
  readonly input: string
  readonly output: string
}): string[] {
  const facts = knownFacts(options.facts)
  const keep = normalizeKeep(options.edits.keep, facts.durationMs)
  const whole = isWholeRecording(options.edits.keep, facts.durationMs)
  const audio = facts.audioCodec !== null
  const bitrate = QUALITY_PARAMS[options.preset.quality].audioBitrate
  // prettier-ignore
  return [
    ...COMMON_HEAD,
    '-f', 'concat', '-safe', '0', '-i', options.listFile,
    ...(audio ? ['-i', options.input, '-filter_complex', audioCutGraph(keep, whole, 1)] : []),
    '-map', '0:v:0', '-c:v', 'copy',
    ...(audio ? ['-map', '[acut]', '-c:a', 'aac', '-b:a', bitrate] : ['-an']),
    ...COMMON_TAIL, options.output
  ]
}

/** Joins the stretches into the MP4 with the timeline's spliced audio (timeline-audio.ts) copied. */
export function joinCopyArgs(options: {
  readonly listFile: string
  readonly audio: { readonly file: string; readonly offsetSeconds: string }
  readonly output: string
}): string[] {
  // prettier-ignore
  return [
    ...COMMON_HEAD,
    '-f', 'concat', '-safe', '0', '-i', options.listFile,
    // The offset hides the priming frame and the lead (an edit list in the MP4).
    '-itsoffset', options.audio.offsetSeconds, '-f', 'aac', '-i', options.audio.file,
    '-map', '0:v:0', '-map', '1:a:0', '-c', 'copy',
    ...COMMON_TAIL, options.output
  ]
}
