/**
 * Export as data: recording facts + edits + preset → the ffmpeg arguments that make the MP4.
 * Pure (no files, no processes), so every decision here is unit-tested and the benchmark can run
 * the very same command by hand.
 *
 * One filter graph does everything in a fixed order: cut (trim/atrim + concat), blur (ffmpeg,
 * because it needs the pixels), the camera bubble (bubble-plan.ts: above the screen, below the
 * callouts, as the editor draws it), callouts (pre-rasterised PNGs overlaid over their output
 * time ranges), then scale to the preset and even out the frame for yuv420p. Blur, bubble and
 * callouts are placed at the SOURCE size before scaling, so they land exactly where the editor
 * drew them.
 */
import { join } from 'node:path'
import { blurBox, blurRadiusPx, pixelBlockPx, type BlurBox } from '../shared/callouts/blur'
import { drawLayer, needsPixels } from '../shared/callouts/draw'
import { withDefaults, type Annotation, type BlurAnnotation, type Edits } from '../shared/edits'
import { SidecastError } from '../shared/errors'
import type { RecordingFacts } from '../shared/project'
import {
  isWholeRecording,
  keptDurationMs,
  mapRangeToOutput,
  normalizeKeep,
  type NormalizedKeep,
  type TimeRange
} from '../shared/timeline'
import { QUALITY_PARAMS, outputDimensions, type FrameDimensions } from './presets'
import { bubbleChains, planBubble, type BubblePlan } from './bubble-plan'
import { type ExportPreset } from '../shared/export-preset'

export interface PlanExportOptions {
  /** The recording's facts; `width`, `height`, `durationMs` and `videoCodec` must be probed. */
  readonly facts: RecordingFacts
  readonly edits: Edits
  readonly preset: ExportPreset
  /** The recording file as ffmpeg should open it; defaults to `facts.file` (relative). */
  readonly inputPath?: string
  /** Where ffmpeg writes the MP4 (the muxer is forced, so any extension works, e.g. `.part`). */
  readonly outputPath: string
  /** Folder the overlay PNGs will be written to (see `overlays`); default: file names as they are. */
  readonly overlayDir?: string
  /** Re-encode even when the video stream could be copied as it is (a forced full export). */
  readonly forceEncode?: boolean
  /**
   * Where each overlay PNG sits in the source frame, by file name, when it was cropped to what it
   * draws (run-export does); absent: at 0,0, i.e. a full-frame PNG.
   */
  readonly overlayPositions?: Readonly<Record<string, OverlayPosition>>
  /**
   * The camera file as ffmpeg should open it; defaults to `facts.camera.file` (relative). A
   * recording whose facts have no `camera` (or one of unknown length) has no bubble: run-export
   * leaves the camera out of the facts when its file is missing.
   */
  readonly cameraPath?: string
}

/** Top-left corner of a cropped overlay in source pixels. */
export interface OverlayPosition {
  readonly x: number
  readonly y: number
}

/** One full-frame PNG of callouts, shown over one output time range. */
export interface OverlayPlan {
  /** The annotation drawn into this PNG (a list, drawn with drawOverlay; today always one). */
  readonly annotationIds: readonly string[]
  /** When it shows, on the output clock: integer ms, half-open, one range per kept part. */
  readonly outputRanges: readonly TimeRange[]
  /** The PNG's file name inside `overlayDir`; it must be rasterised at the SOURCE frame size. */
  readonly file: string
}

export interface ExportPlan {
  /** `copy`: the video stream is copied as it is (no edits, H.264, size kept). */
  readonly mode: 'copy' | 'encode'
  /** ffmpeg's arguments after the binary. */
  readonly args: readonly string[]
  /** The `-filter_complex` graph, or null in copy mode. */
  readonly filterGraph: string | null
  /** The output's length: the sum of the kept ranges. */
  readonly outputDurationMs: number
  /** The output frame size. */
  readonly output: FrameDimensions
  /** The PNGs the graph reads, in input order (input 1, 2, …); empty in copy mode. */
  readonly overlays: readonly OverlayPlan[]
  /**
   * The camera bubble, when it shows somewhere in the output: its inputs follow the overlays
   * (camera, mask PNG, ring PNG; the PNGs in `overlayDir`). Null when it shows nowhere.
   */
  readonly bubble: BubblePlan | null
}

/** The bubble and the ffmpeg inputs its chains read (see bubbleChains). */
export interface BubbleGraph {
  readonly plan: BubblePlan
  readonly inputs: { readonly camera: number; readonly mask: number; readonly ring: number }
}

/** What the plan needs from the facts, checked. */
export interface KnownFacts {
  readonly width: number
  readonly height: number
  readonly durationMs: number
  readonly videoCodec: string
  readonly audioCodec: string | null
}

export function knownFacts(facts: RecordingFacts): KnownFacts {
  const { width, height, durationMs, videoCodec } = facts
  if (!width || !height || !durationMs || !videoCodec) {
    throw new SidecastError(
      'export-failed',
      "The recording's size and length are not known yet, so it cannot be exported. Open it in Sidecast once so it is checked (the recording is safe)."
    )
  }
  return { width, height, durationMs, videoCodec, audioCodec: facts.audioCodec ?? null }
}

/** Seconds with millisecond precision, as the filter graph and `-t` take them. */
export function seconds(ms: number): string {
  return (ms / 1000).toFixed(3)
}

/**
 * A filter's `enable` expression for output ranges. Half-open like every range in Sidecast
 * (`between` would also show the callout on the frame that starts exactly at its end).
 */
export function enableExpression(ranges: readonly TimeRange[]): string {
  const terms = ranges.map(([a, b]) => `gte(t,${seconds(a)})*lt(t,${seconds(b)})`)
  return `'${terms.join('+')}'`
}

/**
 * One PNG per callout, cropped to what it draws, shown over its own output ranges (a callout
 * across a cut has one range per side). The overlays are stacked in the editor's drawing order
 * (drawLayer, then the edits' order), and stacking "over" layers one by one gives the same
 * pixels as drawing them together, so every moment looks as the editor shows it. Small tight
 * PNGs keep both the drawing before ffmpeg starts and the blending per frame cheap.
 */
export function planOverlays(
  annotations: readonly Annotation[],
  keep: NormalizedKeep
): OverlayPlan[] {
  return annotations
    .map((a, index) => ({ a, index, ranges: mapRangeToOutput(a.startMs, a.endMs, keep) }))
    .filter(({ a, ranges }) => !needsPixels(a) && ranges.length > 0)
    .sort((p, q) => drawLayer(p.a) - drawLayer(q.a) || p.index - q.index)
    .map(({ a, ranges }, i) => ({
      annotationIds: [a.id],
      outputRanges: ranges,
      file: `callouts-${String(i + 1).padStart(3, '0')}.png`
    }))
}

/** The blur's box, or null when it is too small to blur (under 4 pixels either way). */
export function blurPixelBox(a: BlurAnnotation, frame: FrameDimensions): BlurBox | null {
  const box = blurBox(a, frame)
  return box.w >= 4 && box.h >= 4 ? box : null
}

/** The filters that blur (or pixelate) a cropped box. */
export function blurFilters(a: BlurAnnotation, box: BlurBox, frame: FrameDimensions): string {
  if (withDefaults(a).mode === 'pixelate') {
    const block = pixelBlockPx(a, frame.height)
    const sw = Math.max(1, Math.round(box.w / block))
    const sh = Math.max(1, Math.round(box.h / block))
    return `scale=${sw}:${sh}:flags=area,scale=${box.w}:${box.h}:flags=neighbor`
  }
  return `boxblur=luma_radius=${blurRadiusPx(a, frame.height, box)}:luma_power=3`
}

/** The audio of the kept ranges from input `input`, joined, as `[acut]`: the cut half of the graph. */
export function audioCutGraph(keep: NormalizedKeep, whole: boolean, input: number): string {
  if (whole) return `[${input}:a]asetpts=PTS-STARTPTS[acut]`
  if (keep.length === 1) {
    const [start, end] = keep[0]!
    return `[${input}:a]atrim=start=${seconds(start)}:end=${seconds(end)},asetpts=PTS-STARTPTS[acut]`
  }
  const chains = keep.map(
    ([start, end], i) =>
      `[${input}:a]atrim=start=${seconds(start)}:end=${seconds(end)},asetpts=PTS-STARTPTS[a${i}]`
  )
  const pads = keep.map((_, i) => `[a${i}]`).join('')
  return [...chains, `${pads}concat=n=${keep.length}:v=0:a=1[acut]`].join(';')
}

interface GraphResult {
  readonly graph: string
  readonly audio: boolean
}

/**
 * The export's filter graph: cuts, blur, callouts, size. Smart rendering runs it on each
 * re-encoded stretch (with the stretch as the only kept range and times shifted to it), so a
 * stretch is drawn exactly as the full export draws it; it keeps the source's `pixFmt` there.
 */
export function buildGraph(
  facts: KnownFacts,
  keep: NormalizedKeep,
  whole: boolean,
  annotations: readonly Annotation[],
  overlays: readonly OverlayPlan[],
  output: FrameDimensions,
  positions: Readonly<Record<string, OverlayPosition>>,
  pixFmt = 'yuv420p',
  bubble: BubbleGraph | null = null
): GraphResult {
  const audio = facts.audioCodec !== null
  const chains: string[] = []

  // 1. Cuts. The same millisecond bounds for video and audio keep them in sync across cuts.
  if (whole) {
    chains.push('[0:v]setpts=PTS-STARTPTS[vcut]')
    if (audio) chains.push('[0:a]asetpts=PTS-STARTPTS[acut]')
  } else {
    const single = keep.length === 1
    keep.forEach(([start, end], i) => {
      const bounds = `start=${seconds(start)}:end=${seconds(end)}`
      chains.push(`[0:v]trim=${bounds},setpts=PTS-STARTPTS[${single ? 'vcut' : `v${i}`}]`)
      if (audio) {
        chains.push(`[0:a]atrim=${bounds},asetpts=PTS-STARTPTS[${single ? 'acut' : `a${i}`}]`)
      }
    })
    if (!single) {
      const pads = keep.map((_, i) => (audio ? `[v${i}][a${i}]` : `[v${i}]`)).join('')
      const outs = audio ? '[vcut][acut]' : '[vcut]'
      chains.push(`${pads}concat=n=${keep.length}:v=1:a=${audio ? 1 : 0}${outs}`)
    }
  }

  let current = 'vcut'
  const frame = { width: facts.width, height: facts.height }

  // 2. Blur, on the source's pixels, over each blur's output ranges.
  annotations.forEach((a, i) => {
    if (a.type !== 'blur') return
    const ranges = mapRangeToOutput(a.startMs, a.endMs, keep)
    const box = blurPixelBox(a, frame)
    if (ranges.length === 0 || !box) return
    const next = `vblur${i}`
    chains.push(
      `[${current}]split=2[${next}base][${next}src]`,
      `[${next}src]crop=${box.w}:${box.h}:${box.x}:${box.y},${blurFilters(a, box, frame)}[${next}box]`,
      `[${next}base][${next}box]overlay=${box.x}:${box.y}:enable=${enableExpression(ranges)}[${next}]`
    )
    current = next
  })

  // Overlay blends bytes: the camera and the callout PNGs come in limited range, so a full-range
  // recording (Chromium's yuvj420p) is brought to limited range first, or white callouts would
  // come out grey (235) and the camera washed out. The last `format` gives the wanted one again.
  if (bubble || overlays.length > 0) {
    chains.push(`[${current}]format=yuv420p[vlimited]`)
    current = 'vlimited'
  }

  // 3. The camera bubble, above the screen (and its blur) and below the callouts, as the editor
  // stacks them.
  if (bubble) {
    const when = enableExpression(bubble.plan.outputRanges)
    chains.push(...bubbleChains(bubble.plan, bubble.inputs, current, 'vbubble', when))
    current = 'vbubble'
  }

  // 4. Callouts: input k+1 is overlays[k], a single still frame; overlay repeats it after its
  // end (eof_action=repeat), so it is decoded once instead of once per video frame. A PNG
  // cropped to what it draws is blended only over that area, which is most of export's speed.
  overlays.forEach((o, k) => {
    const next = `vcallout${k}`
    const when = enableExpression(o.outputRanges)
    const at = positions[o.file] ?? { x: 0, y: 0 }
    chains.push(
      `[${current}][${k + 1}:v]overlay=${at.x}:${at.y}:eof_action=repeat:enable=${when}[${next}]`
    )
    current = next
  })

  // 5. Size. Scaling to the preset gives even dimensions directly; an odd source kept at its
  // size loses its last column/row instead of being resampled, which would soften all its text.
  const finish: string[] = []
  const even = (n: number): number => n - (n % 2)
  const scaled = output.width !== even(facts.width) || output.height !== even(facts.height)
  if (scaled) finish.push(`scale=${output.width}:${output.height}`, 'setsar=1')
  else if (output.width !== facts.width || output.height !== facts.height) {
    finish.push(`crop=${output.width}:${output.height}:0:0`)
  }
  finish.push(`format=${pixFmt}`)
  chains.push(`[${current}]${finish.join(',')}[vout]`)
  return { graph: chains.join(';'), audio }
}

// No -nostdin: a cancel asks ffmpeg to stop by writing `q` to its stdin.
export const COMMON_HEAD = ['-hide_banner', '-y', '-loglevel', 'error']
// The muxer is forced because the output is written to a `.part` name first.
// prettier-ignore
export const COMMON_TAIL = ['-movflags', '+faststart', '-f', 'mp4', '-progress', 'pipe:1', '-nostats']

/** Turns facts + edits + preset into the ffmpeg job that exports them. */
export function planExport(options: PlanExportOptions): ExportPlan {
  const facts = knownFacts(options.facts)
  const { edits, preset } = options
  const keep = normalizeKeep(edits.keep, facts.durationMs)
  if (keep.length === 0) {
    throw new SidecastError(
      'nothing-kept',
      'The edits keep nothing of the recording, so there is nothing to export. Widen the trim (the recording is safe).'
    )
  }
  const whole = isWholeRecording(edits.keep, facts.durationMs)
  const outputDurationMs = keptDurationMs(keep)
  const output = outputDimensions(facts, preset.size)
  const quality = QUALITY_PARAMS[preset.quality]
  const input = options.inputPath ?? options.facts.file
  const audioOut =
    facts.audioCodec === null
      ? ['-an']
      : facts.audioCodec === 'aac'
        ? ['-c:a', 'copy']
        : ['-c:a', 'aac', '-b:a', quality.audioBitrate]

  const sizeKept = output.width === facts.width && output.height === facts.height
  // Small asks for a smaller file than the recording, which only an encode can give.
  const copyable = facts.videoCodec === 'h264' && sizeKept && preset.quality !== 'small'
  const bubble = planBubble({ ...facts, camera: options.facts.camera }, edits.bubble, keep)
  if (whole && edits.annotations.length === 0 && !bubble && copyable && !options.forceEncode) {
    // prettier-ignore
    const args = [
      ...COMMON_HEAD,
      '-i', input,
      '-map', '0:v:0', '-map', '0:a:0?',
      '-c:v', 'copy', ...audioOut,
      ...COMMON_TAIL, options.outputPath
    ]
    return {
      mode: 'copy',
      args,
      filterGraph: null,
      outputDurationMs,
      output,
      overlays: [],
      bubble: null
    }
  }

  const overlays = planOverlays(edits.annotations, keep)
  const bubbleInputs = {
    camera: overlays.length + 1,
    mask: overlays.length + 2,
    ring: overlays.length + 3
  }
  const { graph, audio } = buildGraph(
    facts,
    keep,
    whole,
    edits.annotations,
    overlays,
    output,
    options.overlayPositions ?? {},
    'yuv420p',
    bubble ? { plan: bubble, inputs: bubbleInputs } : null
  )
  const overlayPath = (file: string): string =>
    options.overlayDir ? join(options.overlayDir, file) : file
  // prettier-ignore
  const bubbleArgs = bubble
    ? [
        '-i', options.cameraPath ?? bubble.cameraFile,
        '-i', overlayPath(bubble.maskFile),
        '-i', overlayPath(bubble.ringFile)
      ]
    : []
  // Re-encoding audio is required after a cut or filter, even from AAC.
  const audioEncode = audio ? ['-map', '[acut]', '-c:a', 'aac', '-b:a', quality.audioBitrate] : []
  // prettier-ignore
  const args = [
    ...COMMON_HEAD,
    '-i', input,
    ...overlays.flatMap((o) => ['-i', overlayPath(o.file)]),
    ...bubbleArgs,
    '-filter_complex', graph,
    '-map', '[vout]',
    ...audioEncode,
    ...(audio ? [] : ['-an']),
    '-c:v', 'libx264', '-preset', quality.x264Preset, '-crf', String(quality.crf),
    '-pix_fmt', 'yuv420p',
    // Keep the filter graph's timestamps (a MediaRecorder source is variable frame rate);
    // forcing a constant rate would duplicate or drop frames around every cut.
    '-vsync', 'vfr',
    '-max_muxing_queue_size', '4096',
    ...COMMON_TAIL, options.outputPath
  ]
  return { mode: 'encode', args, filterGraph: graph, outputDurationMs, output, overlays, bubble }
}
