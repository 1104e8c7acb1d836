/**
 * The camera bubble's geometry and timing, shared by the editor, the export (src/engine), the
 * library's render and its watch page, so the bubble lands on the same pixels everywhere.
 * Pure functions over `Bubble` (edits.ts) and the recording's camera facts (project.ts).
 */
import { BUBBLE_MAX_SIZE, BUBBLE_MIN_SIZE, type Bubble, type BubbleShape } from './edits'
import type { CameraFacts } from './project'
import { mergeRanges, type TimeRange } from './timeline'

/** A frame's size in pixels. */
export interface FrameSize {
  readonly width: number
  readonly height: number
}

/** The bubble in pixels of a frame: its top-left corner and its side, whole pixels. */
export interface BubbleBox {
  readonly x: number
  readonly y: number
  readonly size: number
}

/** Default side, as a fraction of the frame's height. */
export const DEFAULT_BUBBLE_SIZE = 0.22
/** Gap between a snapped bubble and the frame's edge, as a fraction of the frame's height. */
export const BUBBLE_MARGIN = 0.03
/** Border width as a fraction of the bubble's side (at least one pixel). */
export const BUBBLE_BORDER = 0.02
/** Border colour, `#rrggbb`. */
export const BUBBLE_BORDER_COLOR = '#ffffff'
/** Corner radius of a `rounded` bubble, as a fraction of its side. */
export const BUBBLE_CORNER = 0.2
/** A dragged bubble closer than this to a corner's spot (fraction of the frame's height) snaps to it. */
export const BUBBLE_SNAP = 0.04

/**
 * The bubble's pixel box in `frame`: side and corner rounded to even numbers, kept inside the
 * frame. Even, because the export overlays it on yuv420p, where ffmpeg's overlay puts a picture
 * only at even x and y (an odd x would land a pixel left of where the editor draws it).
 */
export function bubbleBox(bubble: Pick<Bubble, 'x' | 'y' | 'size'>, frame: FrameSize): BubbleBox {
  const most = Math.max(2, Math.min(frame.width, frame.height))
  const size = Math.min(
    most - (most % 2),
    Math.max(2, 2 * Math.round((bubble.size * frame.height) / 2))
  )
  const x = clamp(even(bubble.x * frame.width), 0, evenFloor(frame.width - size))
  const y = clamp(even(bubble.y * frame.height), 0, evenFloor(frame.height - size))
  return { x, y, size }
}

/** The nearest even whole number. */
function even(value: number): number {
  return 2 * Math.round(value / 2)
}

/** The largest even whole number not above `value`, or 0. */
function evenFloor(value: number): number {
  return Math.max(0, 2 * Math.floor(value / 2))
}

/** Border width in pixels for a bubble of `sizePx`. */
export function bubbleBorderPx(sizePx: number): number {
  return Math.max(1, Math.round(sizePx * BUBBLE_BORDER))
}

/** Corner radius in pixels (half the side for a circle). */
export function bubbleRadiusPx(shape: BubbleShape, sizePx: number): number {
  return shape === 'circle' ? sizePx / 2 : sizePx * BUBBLE_CORNER
}

/**
 * The bubble a recording with a camera starts with: a circle in the bottom-left corner, hidden
 * where the camera was switched off while recording (`camera.offRanges`).
 */
export function defaultBubble(frame: FrameSize, camera?: Pick<CameraFacts, 'offRanges'>): Bubble {
  const corner = cornerSpot('bottom-left', DEFAULT_BUBBLE_SIZE, frame)
  return {
    ...corner,
    size: DEFAULT_BUBBLE_SIZE,
    shape: 'circle',
    hidden: mergeRanges(camera?.offRanges ?? [], 0, Number.POSITIVE_INFINITY)
  }
}

export type Corner = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right'
export const CORNERS: readonly Corner[] = ['top-left', 'top-right', 'bottom-left', 'bottom-right']

/** Top-left of a bubble of `size` sitting in `corner`, BUBBLE_MARGIN from both edges. */
export function cornerSpot(
  corner: Corner,
  size: number,
  frame: FrameSize
): { readonly x: number; readonly y: number } {
  const aspect = frame.width / frame.height
  const marginX = BUBBLE_MARGIN / aspect
  const sideX = size / aspect
  const left = corner.endsWith('left')
  const top = corner.startsWith('top')
  return {
    x: round6(left ? marginX : Math.max(0, 1 - marginX - sideX)),
    y: round6(top ? BUBBLE_MARGIN : Math.max(0, 1 - BUBBLE_MARGIN - size))
  }
}

/** The bubble moved to a corner when it is within BUBBLE_SNAP of it, else as it is. */
export function snapBubble(bubble: Bubble, frame: FrameSize): Bubble {
  const aspect = frame.width / frame.height
  for (const corner of CORNERS) {
    const spot = cornerSpot(corner, bubble.size, frame)
    // Distance in frame heights, so the pull is the same across and down.
    const dx = (bubble.x - spot.x) * aspect
    const dy = bubble.y - spot.y
    if (Math.hypot(dx, dy) <= BUBBLE_SNAP) return { ...bubble, ...spot }
  }
  return bubble
}

/** The bubble moved so that it lies inside the frame (x, y within 0 and 1 − its side). */
export function placeBubble(bubble: Bubble, x: number, y: number, frame: FrameSize): Bubble {
  const aspect = frame.width / frame.height
  return {
    ...bubble,
    x: round6(clamp(x, 0, Math.max(0, 1 - bubble.size / aspect))),
    y: round6(clamp(y, 0, Math.max(0, 1 - bubble.size)))
  }
}

/** The bubble resized (clamped to the allowed sizes), its top-left corner kept. */
export function resizeBubble(bubble: Bubble, size: number, frame: FrameSize): Bubble {
  const next = round6(
    clamp(size, BUBBLE_MIN_SIZE, Math.min(BUBBLE_MAX_SIZE, frame.width / frame.height))
  )
  return placeBubble({ ...bubble, size: next }, bubble.x, bubble.y, frame)
}

/** True when the bubble is hidden at `ms` (recording clock). */
export function bubbleHiddenAt(bubble: Pick<Bubble, 'hidden'>, ms: number): boolean {
  return bubble.hidden.some(([start, end]) => ms >= start && ms < end)
}

/**
 * Hides the bubble from `ms` on, until the next moment it was already hidden (or the end), so
 * "Hide from here" and then "Show from here" later makes a hidden stretch. `durationMs`: the
 * recording's length. Where it is hidden already, nothing changes. `ms` (a playhead) is rounded
 * to a whole millisecond, as edits.json stores them.
 */
export function hideBubbleFrom(bubble: Bubble, ms: number, durationMs: number): Bubble {
  const at = Math.round(ms)
  if (bubbleHiddenAt(bubble, at)) return bubble
  const next = bubble.hidden.find(([start]) => start > at)
  const end = next ? next[0] : durationMs
  if (end <= at) return bubble
  return {
    ...bubble,
    hidden: mergeRanges([...bubble.hidden, [at, end]], 0, Number.POSITIVE_INFINITY)
  }
}

/**
 * Shows the bubble from `ms` (rounded to a whole millisecond) on, until the end of the hidden
 * stretch `ms` is in.
 */
export function showBubbleFrom(bubble: Bubble, ms: number): Bubble {
  const at = Math.round(ms)
  const hidden: TimeRange[] = []
  for (const [start, end] of bubble.hidden) {
    if (at >= start && at < end) {
      if (at > start) hidden.push([start, at])
    } else hidden.push([start, end])
  }
  return { ...bubble, hidden }
}

/**
 * Where the bubble shows, on the recording's clock: where the camera has pictures (from its
 * offset for its length) minus the hidden ranges, within the recording. Empty for a camera of
 * unknown length.
 */
export function bubbleShownRanges(
  bubble: Pick<Bubble, 'hidden'>,
  camera: Pick<CameraFacts, 'offsetMs' | 'durationMs'>,
  recordingMs: number
): TimeRange[] {
  if (camera.durationMs === undefined || camera.durationMs <= 0) return []
  const from = Math.max(0, camera.offsetMs)
  const to = Math.min(recordingMs, camera.offsetMs + camera.durationMs)
  if (to <= from) return []
  const shown: TimeRange[] = []
  let at = from
  for (const [start, end] of mergeRanges(bubble.hidden, from, to)) {
    if (start > at) shown.push([at, start])
    at = Math.max(at, end)
  }
  if (at < to) shown.push([at, to])
  return shown
}

/** The bubble to draw for these edits: the one placed by the user, or the default. */
export function effectiveBubble(
  bubble: Bubble | undefined,
  frame: FrameSize,
  camera?: Pick<CameraFacts, 'offRanges'>
): Bubble {
  return bubble ?? defaultBubble(frame, camera)
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6
}
