/**
 * The overlay's pure maths: what is visible, what is under the pointer, and how a drag turns into
 * geometry (drawing, moving, resizing, nudging). No DOM here, so it is unit-tested table-style.
 *
 * Points and boxes are fractions of the frame (0–1) like the annotations themselves; distances
 * that must feel the same on screen (hit tolerance, handle size, minimum size) are given in frame
 * pixels, which the component converts from CSS pixels.
 */
import { drawLayer, type FrameSize } from '../../../../shared/callouts/draw'
import {
  ARROW_HEAD_HALF_WIDTH,
  arrowHeadLengthPx,
  calloutTailHalfPx,
  fontPx,
  stepOuterRadiusPx,
  strokePx
} from '../../../../shared/callouts/sizes'
import {
  withDefaults,
  type Annotation,
  type AnnotationType,
  type Box
} from '../../../../shared/edits'
import type { AnnotationChange, AnnotationDraft } from './types'

/** A point as fractions of the frame, origin top-left. */
export interface Point {
  readonly x: number
  readonly y: number
}

/** The fields a gesture may change on one annotation. */
export type GeometryPatch = AnnotationChange['patch']

/** The eight resize handles of a box, by compass direction. */
export type BoxHandle = 'nw' | 'n' | 'ne' | 'e' | 'se' | 's' | 'sw' | 'w'
/** Any handle: a box's eight, an arrow's `tail` and `head`, a callout's `point`er tip. */
export type Handle = BoxHandle | 'tail' | 'head' | 'point'

export const BOX_HANDLES: readonly BoxHandle[] = ['nw', 'n', 'ne', 'e', 'se', 's', 'sw', 'w']

/** Types drawn from a box dragged corner to corner. */
const BOX_TYPES: ReadonlySet<AnnotationType> = new Set(['rect', 'highlight', 'blur', 'callout'])

/** Text a new callout starts with; it opens for editing with this text selected. */
export const NEW_CALLOUT_TEXT = 'Text'

// ---- small helpers ----

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}

/** Frame fractions are stored to 5 decimals: finer than a pixel at 8K, and tidy in edits.json. */
export function roundFraction(value: number): number {
  return Math.round(value * 1e5) / 1e5
}

function frameW(frame: FrameSize): number {
  return Math.max(1, frame.width)
}

function frameH(frame: FrameSize): number {
  return Math.max(1, frame.height)
}

function isBoxAnnotation(a: Annotation): a is Extract<Annotation, Box> {
  return BOX_TYPES.has(a.type)
}

/** A box rounded and kept inside the frame, exactly as loadEdits checks it (`x + w ≤ 1`). */
export function tidyBox(box: Box): Box {
  const w = clamp(roundFraction(box.w), 1e-5, 1)
  const h = clamp(roundFraction(box.h), 1e-5, 1)
  return {
    x: clamp(roundFraction(box.x), 0, 1 - w),
    y: clamp(roundFraction(box.y), 0, 1 - h),
    w,
    h
  }
}

function tidyCoord(value: number): number {
  return clamp(roundFraction(value), 0, 1)
}

// ---- visibility and order ----

/** Whether `a` shows at `ms`: its range is half-open, `[startMs, endMs)`. */
export function isVisibleAt(a: Annotation, ms: number): boolean {
  return a.startMs <= ms && ms < a.endMs
}

/** The annotations shown at `ms`, in list order. */
export function visibleAt(annotations: readonly Annotation[], ms: number): Annotation[] {
  return annotations.filter((a) => isVisibleAt(a, ms))
}

/** The order the drawing paints them in (src/shared/callouts/draw.ts); the last is on top. */
export function drawOrder(annotations: readonly Annotation[]): Annotation[] {
  return annotations
    .map((a, index) => ({ a, index }))
    .sort((p, q) => drawLayer(p.a) - drawLayer(q.a) || p.index - q.index)
    .map(({ a }) => a)
}

// ---- sizes the drawing uses (src/shared/callouts/sizes.ts), in frame pixels ----

/** Radius of a step badge including its ring, in frame pixels. */
export function stepRadiusPx(fontSize: number, frame: FrameSize): number {
  return stepOuterRadiusPx(fontPx(fontSize, frameH(frame)))
}

/** How far an arrow's head reaches either side of its tip, in frame pixels. */
function arrowHeadHalfPx(strokeWidth: number, frame: FrameSize): number {
  const H = frameH(frame)
  return arrowHeadLengthPx(strokePx(strokeWidth, H), H) * ARROW_HEAD_HALF_WIDTH
}

// ---- bounds and hit-testing ----

/** The box an annotation covers (fractions), for focus rings, outlines and blur previews. */
export function boundsOf(a: Annotation, frame: FrameSize): Box {
  const W = frameW(frame)
  const H = frameH(frame)
  if (isBoxAnnotation(a)) {
    return {
      x: Math.min(a.x, a.x + a.w),
      y: Math.min(a.y, a.y + a.h),
      w: Math.abs(a.w),
      h: Math.abs(a.h)
    }
  }
  if (a.type === 'arrow') {
    const pad = arrowHeadHalfPx(withDefaults(a).strokeWidth, frame) / H
    const padX = (pad * H) / W
    const left = Math.min(a.x1, a.x2) - padX
    const top = Math.min(a.y1, a.y2) - pad
    return {
      x: left,
      y: top,
      w: Math.abs(a.x2 - a.x1) + 2 * padX,
      h: Math.abs(a.y2 - a.y1) + 2 * pad
    }
  }
  const r = stepRadiusPx(withDefaults(a).fontSize, frame)
  return { x: a.x - r / W, y: a.y - r / H, w: (2 * r) / W, h: (2 * r) / H }
}

function distanceToSegment(
  px: number,
  py: number,
  ax: number,
  ay: number,
  bx: number,
  by: number
): number {
  const dx = bx - ax
  const dy = by - ay
  const lengthSq = dx * dx + dy * dy
  const t = lengthSq === 0 ? 0 : clamp(((px - ax) * dx + (py - ay) * dy) / lengthSq, 0, 1)
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy))
}

function insidePx(box: Box, px: number, py: number, frame: FrameSize, margin: number): boolean {
  const W = frameW(frame)
  const H = frameH(frame)
  const b = { x: Math.min(box.x, box.x + box.w), y: Math.min(box.y, box.y + box.h) }
  const left = b.x * W - margin
  const top = b.y * H - margin
  const right = (b.x + Math.abs(box.w)) * W + margin
  const bottom = (b.y + Math.abs(box.h)) * H + margin
  return px >= left && px <= right && py >= top && py <= bottom
}

/**
 * Whether the pointer at `p` touches `a`'s geometry. `tolerancePx` (frame pixels) widens thin
 * things so they can be grabbed; a spotlight is hit only inside its box, never on the dimmed rest.
 */
export function hits(a: Annotation, p: Point, frame: FrameSize, tolerancePx: number): boolean {
  const W = frameW(frame)
  const H = frameH(frame)
  const px = p.x * W
  const py = p.y * H
  switch (a.type) {
    case 'highlight':
      return insidePx(a, px, py, frame, 0)
    case 'blur':
      return insidePx(a, px, py, frame, tolerancePx)
    case 'rect':
      return insidePx(a, px, py, frame, tolerancePx + strokePx(withDefaults(a).strokeWidth, H) / 2)
    case 'callout': {
      if (insidePx(a, px, py, frame, tolerancePx)) return true
      if (typeof a.pointX !== 'number' || typeof a.pointY !== 'number') return false
      // The tail: from the bubble's nearest point to the tip.
      const tipX = a.pointX * W
      const tipY = a.pointY * H
      const baseX = clamp(tipX, a.x * W, (a.x + a.w) * W)
      const baseY = clamp(tipY, a.y * H, (a.y + a.h) * H)
      // The tail narrows to the tip: half its base's half width is near it on average.
      const half = calloutTailHalfPx(fontPx(withDefaults(a).fontSize, H), H) / 2
      return distanceToSegment(px, py, baseX, baseY, tipX, tipY) <= tolerancePx + half
    }
    case 'arrow': {
      const { strokeWidth } = withDefaults(a)
      const x2 = a.x2 * W
      const y2 = a.y2 * H
      const shaft = distanceToSegment(px, py, a.x1 * W, a.y1 * H, x2, y2)
      if (shaft <= tolerancePx + strokePx(strokeWidth, H) / 2) return true
      // The head is wider than the shaft: near the tip counts too.
      return Math.hypot(px - x2, py - y2) <= tolerancePx + arrowHeadHalfPx(strokeWidth, frame)
    }
    case 'step':
      return (
        Math.hypot(px - a.x * W, py - a.y * H) <=
        stepRadiusPx(withDefaults(a).fontSize, frame) + tolerancePx
      )
    default:
      return false
  }
}

/** The id of the topmost annotation (in drawing order) under the pointer, or null. */
export function hitTest(
  visible: readonly Annotation[],
  p: Point,
  frame: FrameSize,
  tolerancePx: number
): string | null {
  const order = drawOrder(visible)
  for (let i = order.length - 1; i >= 0; i--) {
    const a = order[i] as Annotation
    if (hits(a, p, frame, tolerancePx)) return a.id
  }
  return null
}

// ---- handles ----

export interface HandleSpot {
  readonly id: string
  readonly handle: Handle
  /** Where the handle sits, as fractions of the frame. */
  readonly x: number
  readonly y: number
}

/** The handles a selected annotation shows: a box's eight, an arrow's two ends; a step none. */
export function handlesOf(a: Annotation): HandleSpot[] {
  if (a.type === 'arrow') {
    return [
      { id: a.id, handle: 'tail', x: a.x1, y: a.y1 },
      { id: a.id, handle: 'head', x: a.x2, y: a.y2 }
    ]
  }
  if (!isBoxAnnotation(a)) return []
  const { x, y, w, h } = a
  const at: Record<BoxHandle, [number, number]> = {
    nw: [x, y],
    n: [x + w / 2, y],
    ne: [x + w, y],
    e: [x + w, y + h / 2],
    se: [x + w, y + h],
    s: [x + w / 2, y + h],
    sw: [x, y + h],
    w: [x, y + h / 2]
  }
  const spots: HandleSpot[] = BOX_HANDLES.map((handle) => ({
    id: a.id,
    handle,
    x: at[handle][0],
    y: at[handle][1]
  }))
  if (a.type === 'callout' && typeof a.pointX === 'number' && typeof a.pointY === 'number') {
    spots.push({ id: a.id, handle: 'point', x: a.pointX, y: a.pointY })
  }
  return spots
}

/**
 * The handle under the pointer among the selected annotations' handles, or null. A handle is a
 * square `radiusPx` (frame pixels) from its centre each way; the topmost annotation wins.
 */
export function handleAt(
  selected: readonly Annotation[],
  p: Point,
  frame: FrameSize,
  radiusPx: number
): HandleSpot | null {
  const W = frameW(frame)
  const H = frameH(frame)
  const order = drawOrder(selected)
  for (let i = order.length - 1; i >= 0; i--) {
    const spots = handlesOf(order[i] as Annotation)
    // Later handles (the callout's tip) sit on top of earlier ones.
    for (let k = spots.length - 1; k >= 0; k--) {
      const spot = spots[k] as HandleSpot
      if (Math.abs((spot.x - p.x) * W) <= radiusPx && Math.abs((spot.y - p.y) * H) <= radiusPx) {
        return spot
      }
    }
  }
  return null
}

/** The CSS cursor for a handle. */
export function handleCursor(handle: Handle): string {
  switch (handle) {
    case 'n':
    case 's':
      return 'ns-resize'
    case 'e':
    case 'w':
      return 'ew-resize'
    case 'nw':
    case 'se':
      return 'nwse-resize'
    case 'ne':
    case 'sw':
      return 'nesw-resize'
    default:
      return 'crosshair'
  }
}

// ---- resizing ----

/**
 * A box with the edges of `handle` moved by (dx, dy), kept inside the frame and never smaller
 * than `minPx` (frame pixels) a side: an edge stops at the opposite one rather than flipping.
 */
export function resizeBox(
  box: Box,
  handle: BoxHandle,
  dx: number,
  dy: number,
  frame: FrameSize,
  minPx: number
): Box {
  const minW = Math.min(1, minPx / frameW(frame))
  const minH = Math.min(1, minPx / frameH(frame))
  let left = box.x
  let top = box.y
  let right = box.x + box.w
  let bottom = box.y + box.h
  if (handle.includes('w')) left = clamp(left + dx, 0, Math.max(0, right - minW))
  if (handle.includes('e')) right = clamp(right + dx, Math.min(1, left + minW), 1)
  if (handle.includes('n')) top = clamp(top + dy, 0, Math.max(0, bottom - minH))
  if (handle.includes('s')) bottom = clamp(bottom + dy, Math.min(1, top + minH), 1)
  return tidyBox({ x: left, y: top, w: right - left, h: bottom - top })
}

/** The patch that drags `handle` of `a` by (dx, dy) fractions of the frame. */
export function resizePatch(
  a: Annotation,
  handle: Handle,
  dx: number,
  dy: number,
  frame: FrameSize,
  minPx: number
): GeometryPatch {
  if (a.type === 'arrow') {
    if (handle === 'tail') return { x1: tidyCoord(a.x1 + dx), y1: tidyCoord(a.y1 + dy) }
    if (handle === 'head') return { x2: tidyCoord(a.x2 + dx), y2: tidyCoord(a.y2 + dy) }
    return {}
  }
  if (a.type === 'callout' && handle === 'point') {
    if (typeof a.pointX !== 'number' || typeof a.pointY !== 'number') return {}
    return { pointX: tidyCoord(a.pointX + dx), pointY: tidyCoord(a.pointY + dy) }
  }
  if (!isBoxAnnotation(a) || !(BOX_HANDLES as readonly string[]).includes(handle)) return {}
  return resizeBox(a, handle as BoxHandle, dx, dy, frame, minPx)
}

// ---- moving ----

interface Extent {
  readonly left: number
  readonly top: number
  readonly right: number
  readonly bottom: number
}

/** What must stay inside the frame when `a` moves (fractions). */
function moveExtent(a: Annotation, frame: FrameSize): Extent {
  if (isBoxAnnotation(a)) {
    let extent = { left: a.x, top: a.y, right: a.x + a.w, bottom: a.y + a.h }
    if (a.type === 'callout' && typeof a.pointX === 'number' && typeof a.pointY === 'number') {
      extent = {
        left: Math.min(extent.left, a.pointX),
        top: Math.min(extent.top, a.pointY),
        right: Math.max(extent.right, a.pointX),
        bottom: Math.max(extent.bottom, a.pointY)
      }
    }
    return extent
  }
  if (a.type === 'arrow') {
    return {
      left: Math.min(a.x1, a.x2),
      top: Math.min(a.y1, a.y2),
      right: Math.max(a.x1, a.x2),
      bottom: Math.max(a.y1, a.y2)
    }
  }
  // A step keeps its whole badge inside when it fits.
  const r = stepRadiusPx(withDefaults(a).fontSize, frame)
  const rx = Math.min(0.5, r / frameW(frame))
  const ry = Math.min(0.5, r / frameH(frame))
  return { left: a.x - rx, top: a.y - ry, right: a.x + rx, bottom: a.y + ry }
}

/**
 * The largest part of (dx, dy) that keeps every annotation inside the frame, so several move
 * together and stop together at an edge. Something already past an edge is never pushed further
 * out, nor pulled in by a move that did not ask for it.
 */
export function clampDelta(
  annotations: readonly Annotation[],
  dx: number,
  dy: number,
  frame: FrameSize
): { dx: number; dy: number } {
  let minDx = -Infinity
  let maxDx = Infinity
  let minDy = -Infinity
  let maxDy = Infinity
  for (const a of annotations) {
    const e = moveExtent(a, frame)
    minDx = Math.max(minDx, -e.left)
    maxDx = Math.min(maxDx, 1 - e.right)
    minDy = Math.max(minDy, -e.top)
    maxDy = Math.min(maxDy, 1 - e.bottom)
  }
  return {
    dx: clamp(dx, Math.min(0, minDx), Math.max(0, maxDx)),
    dy: clamp(dy, Math.min(0, minDy), Math.max(0, maxDy))
  }
}

/** The patch moving `a` by (dx, dy) fractions of the frame; a callout's tip moves with it. */
export function movePatch(a: Annotation, dx: number, dy: number): GeometryPatch {
  if (isBoxAnnotation(a)) {
    const box = tidyBox({ x: a.x + dx, y: a.y + dy, w: a.w, h: a.h })
    const patch: { x: number; y: number; pointX?: number; pointY?: number } = { x: box.x, y: box.y }
    if (a.type === 'callout' && typeof a.pointX === 'number' && typeof a.pointY === 'number') {
      patch.pointX = tidyCoord(a.pointX + dx)
      patch.pointY = tidyCoord(a.pointY + dy)
    }
    return patch
  }
  if (a.type === 'arrow') {
    return {
      x1: tidyCoord(a.x1 + dx),
      y1: tidyCoord(a.y1 + dy),
      x2: tidyCoord(a.x2 + dx),
      y2: tidyCoord(a.y2 + dy)
    }
  }
  return { x: tidyCoord(a.x + dx), y: tidyCoord(a.y + dy) }
}

/** Moves all of `annotations` by (dx, dy), clamped together; [] when nothing would move. */
export function moveChanges(
  annotations: readonly Annotation[],
  dx: number,
  dy: number,
  frame: FrameSize
): AnnotationChange[] {
  const d = clampDelta(annotations, dx, dy, frame)
  if (d.dx === 0 && d.dy === 0) return []
  return annotations.map((a) => ({ id: a.id, patch: movePatch(a, d.dx, d.dy) }))
}

const NUDGE_KEYS: Record<string, [number, number]> = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, -1],
  ArrowDown: [0, 1]
}

/** Whether `key` is one of the arrow keys that nudge the selection. */
export function isNudgeKey(key: string): boolean {
  return key in NUDGE_KEYS
}

/** The changes an arrow key makes: 1 frame pixel, 10 with Shift; [] at the frame's edge. */
export function nudgeChanges(
  selected: readonly Annotation[],
  key: string,
  shift: boolean,
  frame: FrameSize
): AnnotationChange[] {
  const direction = NUDGE_KEYS[key]
  if (!direction || selected.length === 0) return []
  const step = shift ? 10 : 1
  return moveChanges(
    selected,
    (direction[0] * step) / frameW(frame),
    (direction[1] * step) / frameH(frame),
    frame
  )
}

// ---- drawing new annotations ----

export interface DraftOptions {
  /** A drag shorter than this (frame pixels) is a click: a default-size shape at the spot. */
  readonly clickPx: number
  /** The smallest side of a drawn box, and the shortest arrow (frame pixels). */
  readonly minPx: number
  /** The number a new step badge shows. */
  readonly nextStep: number
}

/** Width × height of a box made by a click, in multiples of the frame's height. */
const CLICK_SIZES: Record<'rect' | 'highlight' | 'blur' | 'callout', [number, number]> = {
  rect: [0.3, 0.2],
  highlight: [0.4, 0.28],
  blur: [0.3, 0.12],
  // Two lines of default-size text fit.
  callout: [0.5, 0.13]
}

/** Length of an arrow made by a click along each axis, in multiples of the frame's height. */
const CLICK_ARROW = 0.12

/** The number for the next step badge: one more than the highest so far. */
export function nextStepNumber(annotations: readonly Annotation[]): number {
  let highest = 0
  for (const a of annotations) if (a.type === 'step' && a.n > highest) highest = a.n
  return highest + 1
}

function boxFromDrag(
  type: keyof typeof CLICK_SIZES,
  start: Point,
  end: Point,
  frame: FrameSize,
  options: DraftOptions
): Box {
  const W = frameW(frame)
  const H = frameH(frame)
  const dragged = Math.hypot((end.x - start.x) * W, (end.y - start.y) * H) >= options.clickPx
  if (!dragged) {
    const [kw, kh] = CLICK_SIZES[type]
    const w = Math.min(1, (kw * H) / W)
    const h = Math.min(1, kh)
    return tidyBox({ x: clamp(end.x - w / 2, 0, 1 - w), y: clamp(end.y - h / 2, 0, 1 - h), w, h })
  }
  const minW = Math.min(1, options.minPx / W)
  const minH = Math.min(1, options.minPx / H)
  const left = clamp(Math.min(start.x, end.x), 0, 1)
  const top = clamp(Math.min(start.y, end.y), 0, 1)
  const w = Math.max(minW, clamp(Math.max(start.x, end.x), 0, 1) - left)
  const h = Math.max(minH, clamp(Math.max(start.y, end.y), 0, 1) - top)
  // A box too small near the right or bottom edge grows inwards.
  return tidyBox({ x: Math.min(left, 1 - w), y: Math.min(top, 1 - h), w, h })
}

function arrowFromDrag(
  start: Point,
  end: Point,
  frame: FrameSize,
  options: DraftOptions
): { x1: number; y1: number; x2: number; y2: number } {
  const W = frameW(frame)
  const H = frameH(frame)
  const head = { x: clamp(end.x, 0, 1), y: clamp(end.y, 0, 1) }
  let tail = { x: clamp(start.x, 0, 1), y: clamp(start.y, 0, 1) }
  const length = Math.hypot((head.x - tail.x) * W, (head.y - tail.y) * H)
  if (length < options.clickPx) {
    // A click: an arrow pointing at the spot from the upper left, or from whichever side fits.
    const ox = (CLICK_ARROW * H) / W
    const oy = CLICK_ARROW
    tail = {
      x: head.x - ox >= 0 ? head.x - ox : Math.min(1, head.x + ox),
      y: head.y - oy >= 0 ? head.y - oy : Math.min(1, head.y + oy)
    }
  } else if (length < options.minPx) {
    const k = options.minPx / length
    tail = {
      x: clamp(head.x + (tail.x - head.x) * k, 0, 1),
      y: clamp(head.y + (tail.y - head.y) * k, 0, 1)
    }
  }
  return {
    x1: tidyCoord(tail.x),
    y1: tidyCoord(tail.y),
    x2: tidyCoord(head.x),
    y2: tidyCoord(head.y)
  }
}

/**
 * The annotation a drawing gesture makes, from where the pointer went down (`start`) to where it
 * came up (`end`), both fractions of the frame. Boxes span the drag's corners; an arrow runs from
 * the press (tail) to the release (head); a step sits where the pointer is released. The editor
 * adds the id, time range and style.
 */
export function draftFromDrag(
  tool: AnnotationType,
  start: Point,
  end: Point,
  frame: FrameSize,
  options: DraftOptions
): AnnotationDraft {
  switch (tool) {
    case 'rect':
    case 'highlight':
    case 'blur':
      return { type: tool, ...boxFromDrag(tool, start, end, frame, options) }
    case 'callout':
      return {
        type: 'callout',
        ...boxFromDrag('callout', start, end, frame, options),
        text: NEW_CALLOUT_TEXT
      }
    case 'arrow':
      return { type: 'arrow', ...arrowFromDrag(start, end, frame, options) }
    case 'step':
      return {
        type: 'step',
        x: tidyCoord(end.x),
        y: tidyCoord(end.y),
        n: Math.max(1, Math.round(options.nextStep))
      }
  }
}

/** The rubber band shown while drawing: the box a release here would make (fractions). */
export function dragBox(start: Point, end: Point): Box {
  const left = clamp(Math.min(start.x, end.x), 0, 1)
  const top = clamp(Math.min(start.y, end.y), 0, 1)
  return {
    x: left,
    y: top,
    w: clamp(Math.max(start.x, end.x), 0, 1) - left,
    h: clamp(Math.max(start.y, end.y), 0, 1) - top
  }
}

/** Applies patches (by id) over annotations, for showing a gesture before the editor has it. */
export function withPatches(
  annotations: readonly Annotation[],
  patches: ReadonlyMap<string, GeometryPatch>
): Annotation[] {
  if (patches.size === 0) return annotations as Annotation[]
  return annotations.map((a) => {
    const patch = patches.get(a.id)
    return patch ? ({ ...a, ...patch } as Annotation) : a
  })
}
