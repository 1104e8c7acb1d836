/**
 * The one drawing of every annotation type: annotation + frame size → SVG text.
 *
 * The editor shows this SVG over the player, export rasterises it (resvg) and burns it in, and
 * the library page can show it too, so what the user sees is what the export contains. Only
 * plain SVG features that Chromium and resvg render alike are used: paths, polygons, circles,
 * text with an explicit font, nested `<svg>` for clipping. No filters, markers or ids, so
 * fragments can sit side by side in one document without clashing.
 *
 * Every size derives from the frame height, so a callout looks the same at 720p and 4K.
 */
import { withDefaults, type Annotation, type WithDefaults } from '../edits'
import {
  attrs,
  escapeXml,
  num,
  points,
  roundedRectPath,
  safeColor,
  textColorOn
} from './svg-markup'
import {
  ARROW_HEAD_HALF_WIDTH,
  ARROW_HEAD_MAX_SHARE,
  arrowHeadLengthPx,
  calloutTailHalfPx,
  calloutTextPx,
  clamp,
  FALLBACK_COLOR,
  finite,
  fontPx,
  framePx,
  stepBadgePx,
  strokePx
} from './sizes'
import { wrapText } from './wrap-text'

export interface FrameSize {
  /** Frame width in pixels. */
  readonly width: number
  /** Frame height in pixels. */
  readonly height: number
}

/** The font shipped in resources/fonts; the rasteriser loads exactly these files. */
export const CALLOUT_FONT_FAMILY = "'DejaVu Sans', sans-serif"

/** Spotlight dimming used when an annotation's is not a number. */
const FALLBACK_DIM = 0.6

/** The dark edge that keeps a bright stroke readable on a bright background, and vice versa. */
const HALO = 'stroke="#000000" stroke-opacity="0.35"'

type Of<T extends Annotation['type']> = WithDefaults<Extract<Annotation, { type: T }>>

interface Metrics {
  readonly W: number
  readonly H: number
  /** Extra width of the halo on each side of a stroke, in pixels. */
  readonly halo: number
}

function metrics(frame: FrameSize): Metrics {
  const W = framePx(frame.width)
  const H = framePx(frame.height)
  return { W, H, halo: Math.max(1, H * 0.0022) }
}

function colorOf(a: { color: string }): string {
  return safeColor(a.color, FALLBACK_COLOR)
}

interface PixelBox {
  readonly x: number
  readonly y: number
  readonly w: number
  readonly h: number
}

/** The box in pixels; a box dragged "backwards" (negative size) is turned the right way round. */
function pixelBox(a: { x: number; y: number; w: number; h: number }, m: Metrics): PixelBox {
  const x = finite(a.x, 0) * m.W
  const y = finite(a.y, 0) * m.H
  const w = finite(a.w, 0) * m.W
  const h = finite(a.h, 0) * m.H
  return { x: Math.min(x, x + w), y: Math.min(y, y + h), w: Math.abs(w), h: Math.abs(h) }
}

function cornerRadius(box: PixelBox, m: Metrics, stroke = 0): number {
  return Math.min(stroke * 1.5 + m.H * 0.004, box.w / 2, box.h / 2)
}

function group(a: Annotation, body: string): string {
  return `<g ${attrs([
    ['data-annotation-id', String(a.id)],
    ['data-annotation-type', a.type]
  ])}>${body}</g>`
}

function drawRect(a: Of<'rect'>, m: Metrics): string {
  const box = pixelBox(a, m)
  const stroke = strokePx(a.strokeWidth, m.H)
  const halo = Math.max(m.halo, stroke * 0.45)
  const d = roundedRectPath(box.x, box.y, box.w, box.h, cornerRadius(box, m, stroke))
  return (
    `<path d="${d}" fill="none" ${HALO} stroke-width="${num(stroke + 2 * halo)}" stroke-linejoin="round"/>` +
    `<path d="${d}" fill="none" stroke="${colorOf(a)}" stroke-width="${num(stroke)}" stroke-linejoin="round"/>`
  )
}

function drawHighlight(a: Of<'highlight'>, m: Metrics): string {
  const box = pixelBox(a, m)
  const dim = clamp(finite(a.dim, FALLBACK_DIM), 0, 1)
  const hole = roundedRectPath(box.x, box.y, box.w, box.h, cornerRadius(box, m))
  // Even-odd: the whole frame minus the box, so only the outside is dimmed.
  const shade = `M0 0H${num(m.W)}V${num(m.H)}H0Z${hole}`
  const border = Math.max(1, m.H * 0.002)
  return (
    `<path d="${shade}" fill="${safeColor(a.color, '#000000')}" fill-opacity="${num(dim)}" fill-rule="evenodd"/>` +
    `<path d="${hole}" fill="none" stroke="#ffffff" stroke-opacity="0.85" stroke-width="${num(border)}"/>`
  )
}

function drawBlurPlaceholder(a: Of<'blur'>, m: Metrics): string {
  const box = pixelBox(a, m)
  const d = roundedRectPath(box.x, box.y, box.w, box.h, cornerRadius(box, m))
  const width = Math.max(1, m.H * 0.002)
  const dash = Math.max(3, m.H * 0.008)
  return (
    `<path d="${d}" fill="none" ${HALO} stroke-width="${num(width + 2)}"/>` +
    `<path d="${d}" fill="none" stroke="#ffffff" stroke-width="${num(width)}" stroke-dasharray="${num(dash)} ${num(dash)}"/>`
  )
}

function drawArrow(a: Of<'arrow'>, m: Metrics): string {
  const x1 = finite(a.x1, 0) * m.W
  const y1 = finite(a.y1, 0) * m.H
  const x2 = finite(a.x2, 0) * m.W
  const y2 = finite(a.y2, 0) * m.H
  const length = Math.hypot(x2 - x1, y2 - y1)
  if (length < 1) return ''
  const ux = (x2 - x1) / length
  const uy = (y2 - y1) / length
  const nx = -uy
  const ny = ux
  // The head keeps its proportions and shrinks only when the arrow is too short for it.
  const stroke = strokePx(a.strokeWidth, m.H)
  const halo = Math.max(m.halo, stroke * 0.45)
  const headLength = Math.min(arrowHeadLengthPx(stroke, m.H), length * ARROW_HEAD_MAX_SHARE)
  const headHalf = headLength * ARROW_HEAD_HALF_WIDTH
  const shaftHalf = Math.min(stroke / 2, headHalf * 0.6)
  // The shaft joins the head a little ahead of its back corners: a swept, barbed head.
  const neck = headLength * 0.78
  const at = (along: number, across: number): [number, number] => [
    x2 - ux * along + nx * across,
    y2 - uy * along + ny * across
  ]
  const outline = points([
    [x1 + nx * shaftHalf, y1 + ny * shaftHalf],
    at(neck, shaftHalf),
    at(headLength, headHalf),
    [x2, y2],
    at(headLength, -headHalf),
    at(neck, -shaftHalf),
    [x1 - nx * shaftHalf, y1 - ny * shaftHalf]
  ])
  return (
    `<polygon points="${outline}" fill="none" ${HALO} stroke-width="${num(2 * halo)}" stroke-linejoin="round"/>` +
    `<polygon points="${outline}" fill="${colorOf(a)}"/>`
  )
}

/** The tail from the bubble's nearest side to the point, or null when the point is inside. */
function calloutTail(
  box: PixelBox,
  px: number,
  py: number,
  radius: number,
  fontSize: number,
  m: Metrics
): [number, number][] | null {
  const right = box.x + box.w
  const bottom = box.y + box.h
  const dx = px < box.x ? box.x - px : px > right ? px - right : 0
  const dy = py < box.y ? box.y - py : py > bottom ? py - bottom : 0
  if (dx === 0 && dy === 0) return null
  const wanted = calloutTailHalfPx(fontSize, m.H)
  // The base sits slightly inside the bubble so the fills join without a seam.
  const inset = Math.min(m.halo * 2 + 1, box.w / 2, box.h / 2)
  if (dy >= dx) {
    const half = clamp(wanted, 0, Math.max(0, box.w / 2 - radius))
    const cx = clamp(px, box.x + radius + half, right - radius - half)
    const edge = py < box.y ? box.y + inset : bottom - inset
    return [
      [cx - half, edge],
      [px, py],
      [cx + half, edge]
    ]
  }
  const half = clamp(wanted, 0, Math.max(0, box.h / 2 - radius))
  const cy = clamp(py, box.y + radius + half, bottom - radius - half)
  const edge = px < box.x ? box.x + inset : right - inset
  return [
    [edge, cy - half],
    [px, py],
    [edge, cy + half]
  ]
}

function drawCallout(a: Of<'callout'>, m: Metrics): string {
  const box = pixelBox(a, m)
  const fs = fontPx(a.fontSize, m.H)
  const color = colorOf(a)
  const { pad, lineHeight, radius: round } = calloutTextPx(fs)
  const radius = Math.min(round, box.w / 2, box.h / 2)
  const bubble = roundedRectPath(box.x, box.y, box.w, box.h, radius)
  const hasPoint = typeof a.pointX === 'number' && typeof a.pointY === 'number'
  const tail = hasPoint
    ? calloutTail(box, finite(a.pointX, 0) * m.W, finite(a.pointY, 0) * m.H, radius, fs, m)
    : null
  const tailPoints = tail ? points(tail) : ''
  const haloWidth = num(2 * m.halo)

  let out = `<path d="${bubble}" fill="none" ${HALO} stroke-width="${haloWidth}" stroke-linejoin="round"/>`
  if (tail) {
    out += `<polygon points="${tailPoints}" fill="none" ${HALO} stroke-width="${haloWidth}" stroke-linejoin="round"/>`
  }
  out += `<path d="${bubble}" fill="${color}"/>`
  if (tail) out += `<polygon points="${tailPoints}" fill="${color}"/>`

  const lines = wrapText(typeof a.text === 'string' ? a.text : '', {
    maxWidth: box.w - 2 * pad,
    fontSize: fs,
    maxLines: Math.max(1, Math.floor((box.h - 2 * pad + (lineHeight - fs)) / lineHeight))
  })
  if (lines.every((line) => line === '')) return out

  const blockHeight = lines.length * lineHeight
  const top = Math.max(pad, (box.h - blockHeight) / 2)
  // Cap height of DejaVu Sans is ~0.73 em: this puts capitals in the middle of each line box.
  const baseline = (i: number): number => top + i * lineHeight + lineHeight / 2 + fs * 0.36
  const textAttrs = attrs([
    ['font-family', CALLOUT_FONT_FAMILY],
    ['font-size', fs],
    ['font-weight', 'bold'],
    ['fill', textColorOn(color)],
    ['text-anchor', 'middle']
  ])
  // A nested <svg> clips its content to the bubble without needing an id for a clipPath.
  out += `<svg x="${num(box.x)}" y="${num(box.y)}" width="${num(box.w)}" height="${num(box.h)}" overflow="hidden">`
  lines.forEach((line, i) => {
    if (line === '') return
    out += `<text x="${num(box.w / 2)}" y="${num(baseline(i))}" ${textAttrs}>${escapeXml(line)}</text>`
  })
  return `${out}</svg>`
}

function drawStep(a: Of<'step'>, m: Metrics): string {
  const cx = finite(a.x, 0) * m.W
  const cy = finite(a.y, 0) * m.H
  const fs = fontPx(a.fontSize, m.H)
  const color = colorOf(a)
  // fontSize is the size of a single digit; the badge is sized from it.
  const { radius: r, ring } = stepBadgePx(fs)
  const label = Number.isFinite(a.n) ? String(Math.round(a.n)) : '?'
  // Two and more digits shrink so they stay inside the badge.
  const size = fs * (label.length <= 1 ? 1 : label.length === 2 ? 0.83 : 0.63)
  return (
    `<circle cx="${num(cx)}" cy="${num(cy)}" r="${num(r)}" fill="none" ${HALO} stroke-width="${num(ring + 2 * m.halo)}"/>` +
    `<circle cx="${num(cx)}" cy="${num(cy)}" r="${num(r)}" fill="${color}" stroke="#ffffff" stroke-width="${num(ring)}"/>` +
    `<text ${attrs([
      ['x', cx],
      ['y', cy + size * 0.36],
      ['font-family', CALLOUT_FONT_FAMILY],
      ['font-size', size],
      ['font-weight', 'bold'],
      ['fill', textColorOn(color)],
      ['text-anchor', 'middle']
    ])}>${escapeXml(label)}</text>`
  )
}

/**
 * True when an annotation works on the video's pixels (blur): export does it with ffmpeg
 * filters and the editor with a CSS backdrop blur; the SVG only draws a placeholder outline.
 */
export function needsPixels(a: Annotation): boolean {
  return a.type === 'blur'
}

/** One annotation as an SVG `<g>` fragment in frame pixels; '' for a type this build doesn't know. */
export function drawAnnotation(a: Annotation, frame: FrameSize): string {
  const m = metrics(frame)
  switch (a.type) {
    case 'rect':
      return group(a, drawRect(withDefaults(a), m))
    case 'highlight':
      return group(a, drawHighlight(withDefaults(a), m))
    case 'blur':
      return group(a, drawBlurPlaceholder(withDefaults(a), m))
    case 'arrow':
      return group(a, drawArrow(withDefaults(a), m))
    case 'callout':
      return group(a, drawCallout(withDefaults(a), m))
    case 'step':
      return group(a, drawStep(withDefaults(a), m))
    default:
      // Files from a newer version may carry types this build cannot draw; skip them quietly.
      return ''
  }
}

export interface DrawOverlayOptions {
  /**
   * Draw the dashed placeholder of annotations that need the video's pixels (blur). Default
   * true for the editor; export passes false because ffmpeg does the real blur.
   */
  readonly pixelPlaceholders?: boolean
}

/**
 * Which layer an annotation is drawn in, lowest first: spotlights go underneath so they never
 * dim the arrows and boxes drawn with them. Export stacks its overlays in the same order.
 */
export function drawLayer(a: Annotation): number {
  return a.type === 'highlight' ? 0 : a.type === 'blur' ? 1 : 2
}

/** A complete, standalone SVG document of `annotations` over a frame of the given size. */
export function drawOverlay(
  annotations: readonly Annotation[],
  frame: FrameSize,
  options: DrawOverlayOptions = {}
): string {
  const W = Math.max(1, Math.round(finite(frame.width, 1)))
  const H = Math.max(1, Math.round(finite(frame.height, 1)))
  const shown = annotations
    .filter((a) => options.pixelPlaceholders !== false || !needsPixels(a))
    .map((a, index) => ({ a, index }))
    .sort((p, q) => drawLayer(p.a) - drawLayer(q.a) || p.index - q.index)
  const body = shown.map(({ a }) => drawAnnotation(a, { width: W, height: H })).join('')
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">` +
    `${body}</svg>`
  )
}
