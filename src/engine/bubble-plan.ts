/**
 * The camera bubble in the export, as data: recording facts (with `camera`) + edits + kept ranges
 * → where and when the bubble is drawn and the filters that draw it. Pure, like export-plan.ts,
 * so the full export, each smart-rendered stretch and the unit tests share every decision.
 *
 * The graph (inputs: the camera file, then two still PNGs drawn once by callout-raster.ts):
 *
 *   [cam]  select(kept ∩ camera) → setpts(camera time → output time) → scale to cover the square
 *          → centre-crop → yuva420p                                             [bubcam]
 *   [mask] the shape's coverage as alpha (anti-aliased by resvg) → yuva420p     [bubmask]
 *   [bubcam][bubmask] blend: colour from the camera, alpha from the mask        [bub]
 *   [screen][bub]  overlay at the box, enabled over the shown output ranges
 *   [..][ring]     overlay of the border ring, same place, same ranges
 *
 * Why not trim/concat like the screen's cuts: the camera may start late or stop early, so each
 * concatenated piece would need padding to its kept range's exact length or everything after it
 * would drift. Instead each camera frame is given its output time directly (one `setpts`
 * expression, piecewise per kept range) and frames outside the kept ranges are dropped; overlay
 * then shows, at every output frame, the latest camera frame at or before it, on the same
 * planned output clock the callouts' `enable` ranges use. Nothing accumulates across cuts.
 *
 * Why blend for the mask: alphamerge in ffmpeg 4.1 (the bundled one) pairs frames one to one, so
 * a still mask would mask only the first frame; blend syncs its inputs by time and repeats the
 * still (all planes from the camera, the alpha plane from the mask).
 */
import {
  BUBBLE_BORDER_COLOR,
  bubbleBorderPx,
  bubbleBox,
  bubbleRadiusPx,
  bubbleShownRanges,
  effectiveBubble,
  type BubbleBox
} from '../shared/bubble'
import type { Bubble, BubbleShape } from '../shared/edits'
import type { CameraFacts } from '../shared/project'
import {
  mapRangeToOutput,
  mergeRanges,
  type NormalizedKeep,
  type TimeRange
} from '../shared/timeline'

/** What the bubble plan needs to know about the recording. */
export interface BubbleSource {
  /** The screen recording's frame size and length. */
  readonly width: number
  readonly height: number
  readonly durationMs: number
  /** The camera's facts; absent: no camera, no bubble. */
  readonly camera?: Pick<CameraFacts, 'file' | 'offsetMs' | 'durationMs' | 'offRanges'>
}

/** One kept stretch of camera pictures: which camera frames, and where they land in the output. */
export interface CameraPiece {
  /** Camera input time (ms, after any input seek), half-open: the frames taken. */
  readonly fromMs: number
  readonly toMs: number
  /** Added to a taken frame's input time to give its output time, ms. */
  readonly shiftMs: number
}

/** The bubble as the export draws it. */
export interface BubblePlan {
  /** Where, in SOURCE pixels (drawn before the preset's scaling, like callouts). */
  readonly box: BubbleBox
  readonly shape: BubbleShape
  readonly radiusPx: number
  readonly borderPx: number
  readonly borderColor: string
  /** When it shows, on the output clock (integer ms, half-open, merged). Never empty. */
  readonly outputRanges: readonly TimeRange[]
  /** The camera file as in the facts (relative to the project folder). */
  readonly cameraFile: string
  /** Where the camera input is opened (`-ss`), ms of camera time; 0: from its start. */
  readonly cameraSeekMs: number
  /** The camera frames used, in order, each with its move onto the output clock. */
  readonly pieces: readonly CameraPiece[]
  /** File names of the stills the graph reads (rasterised by rasterizeBubble at box.size). */
  readonly maskFile: string
  readonly ringFile: string
}

/**
 * How far before its first kept moment the first piece takes camera frames: the frame showing at
 * that moment was captured up to a camera frame earlier, and without it the output's first
 * frames would have no bubble yet (overlay shows nothing before the camera's first frame). These
 * frames fall before the piece's output start, where the bubble is not enabled or the output
 * has not begun.
 */
export const BUBBLE_LEAD_MS = 250

export const BUBBLE_MASK_FILE = 'bubble-mask.png'
export const BUBBLE_RING_FILE = 'bubble-ring.png'

/**
 * Where the bubble shows on the recording's clock: nothing without a camera, or for a camera of
 * unknown length (its facts must have been probed).
 */
export function bubbleShownOnRecording(
  source: BubbleSource,
  bubble: Bubble | undefined
): { readonly bubble: Bubble; readonly shown: TimeRange[] } | null {
  const camera = source.camera
  if (!camera) return null
  const frame = { width: source.width, height: source.height }
  const placed = effectiveBubble(bubble, frame, camera)
  const shown = bubbleShownRanges(placed, camera, source.durationMs)
  return shown.length > 0 ? { bubble: placed, shown } : null
}

/**
 * The bubble for an output made of `keep` (on the recording's clock; the output starts with its
 * first range), or null when it shows nowhere in it. `cameraSeekMs`: the camera input is opened
 * that far in (a smart-rendered stretch starts mid-recording; see cameraSeekFor).
 */
export function planBubble(
  source: BubbleSource,
  bubble: Bubble | undefined,
  keep: NormalizedKeep,
  cameraSeekMs = 0
): BubblePlan | null {
  const placed = bubbleShownOnRecording(source, bubble)
  const camera = source.camera
  if (!placed || !camera) return null
  const outputRanges = mergeRanges(
    placed.shown.flatMap(([start, end]) => mapRangeToOutput(start, end, keep)),
    0,
    Number.POSITIVE_INFINITY
  )
  if (outputRanges.length === 0) return null

  // Camera input time t is recording time t + inputZero (its seek plus its offset).
  const inputZero = cameraSeekMs + camera.offsetMs
  const cameraEnd = camera.offsetMs + (camera.durationMs ?? 0)
  const pieces: CameraPiece[] = []
  let outStart = 0
  for (const [start, end] of keep) {
    const from = Math.max(start, inputZero)
    const to = Math.min(end, cameraEnd)
    if (to > from) {
      pieces.push({
        fromMs: from - inputZero,
        toMs: to - inputZero,
        shiftMs: inputZero - start + outStart
      })
    }
    outStart += end - start
  }
  if (pieces.length === 0) return null
  const first = pieces[0]!
  pieces[0] = { ...first, fromMs: Math.max(0, first.fromMs - BUBBLE_LEAD_MS) }

  const box = bubbleBox(placed.bubble, { width: source.width, height: source.height })
  return {
    box,
    shape: placed.bubble.shape,
    radiusPx: bubbleRadiusPx(placed.bubble.shape, box.size),
    borderPx: bubbleBorderPx(box.size),
    borderColor: BUBBLE_BORDER_COLOR,
    outputRanges,
    cameraFile: camera.file,
    cameraSeekMs,
    pieces,
    maskFile: BUBBLE_MASK_FILE,
    ringFile: BUBBLE_RING_FILE
  }
}

/**
 * Where a smart-rendered stretch starting at `sourceStartMs` opens the camera: at the camera time
 * of its start, less BUBBLE_LEAD_MS for the frame already showing then.
 */
export function cameraSeekFor(
  camera: Pick<CameraFacts, 'offsetMs'> | undefined,
  sourceStartMs: number
): number {
  return camera ? Math.max(0, sourceStartMs - camera.offsetMs - BUBBLE_LEAD_MS) : 0
}

function secs(ms: number): string {
  return (ms / 1000).toFixed(3)
}

/** `select`: the camera frames of the pieces (input time `t`). */
export function cameraSelectExpression(pieces: readonly CameraPiece[]): string {
  return `'${pieces.map((p) => `gte(t,${secs(p.fromMs)})*lt(t,${secs(p.toMs)})`).join('+')}'`
}

/** `setpts`: each taken frame moved onto the output clock by its piece's shift. */
export function cameraPtsExpression(pieces: readonly CameraPiece[]): string {
  const term = (p: CameraPiece): string =>
    p.shiftMs === 0 ? 'T' : p.shiftMs > 0 ? `T+${secs(p.shiftMs)}` : `T-${secs(-p.shiftMs)}`
  let expr = term(pieces[pieces.length - 1]!)
  for (let i = pieces.length - 2; i >= 0; i--) {
    const p = pieces[i]!
    expr = `if(lt(T,${secs(p.toMs)}),${term(p)},${expr})`
  }
  return `'(${expr})/TB'`
}

/**
 * The bubble's filter chains over `[base]`, giving `[out]`. Inputs: `camera`, `mask`, `ring` are
 * ffmpeg input indexes; `enable` is the overlay's enable expression for the plan's ranges.
 * `[base]` must be limited-range yuv420p, as the camera is (buildGraph sees to it): overlay
 * blends bytes.
 */
export function bubbleChains(
  plan: BubblePlan,
  inputs: { readonly camera: number; readonly mask: number; readonly ring: number },
  base: string,
  out: string,
  enable: string
): string[] {
  const s = plan.box.size
  const { x, y } = plan.box
  return [
    `[${inputs.camera}:v]select=${cameraSelectExpression(plan.pieces)},` +
      `setpts=${cameraPtsExpression(plan.pieces)},` +
      `scale=${s}:${s}:force_original_aspect_ratio=increase,crop=${s}:${s},setsar=1,` +
      `format=yuva420p[bubcam]`,
    `[${inputs.mask}:v]format=yuva420p[bubmask]`,
    // Colour planes from the camera (opacity 1), the alpha plane from the mask (opacity 0).
    `[bubcam][bubmask]blend=all_mode=normal:all_opacity=1:c3_opacity=0[bub]`,
    // eof_action=pass: after the camera's last frame the screen shows alone (enable ends there too).
    `[${base}][bub]overlay=${x}:${y}:eof_action=pass:enable=${enable}[bubbed]`,
    `[bubbed][${inputs.ring}:v]overlay=${x}:${y}:eof_action=repeat:enable=${enable}[${out}]`
  ]
}

/**
 * The SVGs of the bubble's stills, `size`×`size`: the mask (the shape, white, anti-aliased edge)
 * and the border ring (`borderPx` wide, drawn inside the shape's edge).
 */
export function bubbleSvgs(
  plan: Pick<BubblePlan, 'box' | 'radiusPx' | 'borderPx' | 'borderColor'>
): {
  mask: string
  ring: string
} {
  const s = plan.box.size
  const r = plan.radiusPx
  const b = plan.borderPx
  const head = `<svg xmlns="http://www.w3.org/2000/svg" width="${s}" height="${s}" viewBox="0 0 ${s} ${s}">`
  const mask = `${head}<rect x="0" y="0" width="${s}" height="${s}" rx="${r}" ry="${r}" fill="#ffffff"/></svg>`
  const inner = Math.max(0, r - b / 2)
  const ring =
    `${head}<rect x="${b / 2}" y="${b / 2}" width="${s - b}" height="${s - b}" rx="${inner}" ry="${inner}" ` +
    `fill="none" stroke="${plan.borderColor}" stroke-width="${b}"/></svg>`
  return { mask, ring }
}
