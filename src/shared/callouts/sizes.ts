/**
 * The sizes of the callout drawing in frame pixels, written once: the drawing (draw.ts) draws
 * with them, and the editor hit-tests, outlines and edits text in place with them, so what can be
 * grabbed on screen is exactly what is drawn (and exported).
 *
 * Every size derives from the frame height, so a callout looks the same at 720p and 4K. Values
 * that are not what edits.ts promises (an object that skipped `loadEdits`) fall back to the
 * defaults: the drawing must never throw or emit broken markup in the middle of playback.
 */

/** Colour drawn when an annotation's colour is not `#rrggbb`. */
export const FALLBACK_COLOR = '#e5484d'
/** Line width used when an annotation's is not a number (fraction of the frame height). */
const FALLBACK_STROKE = 0.005
/** Font size used when an annotation's is not a number (fraction of the frame height). */
const FALLBACK_FONT_SIZE = 0.03

/** The thinnest line, px: thinner would vanish when scaled down. */
export const MIN_STROKE_PX = 1
/** The thickest line, as a fraction of the frame height. */
export const MAX_STROKE_OF_HEIGHT = 1 / 8
/** The smallest text, px: smaller is unreadable. */
export const MIN_FONT_PX = 6
/** The largest text, as a fraction of the frame height. */
export const MAX_FONT_OF_HEIGHT = 1 / 2

/** A step badge's radius, in multiples of its font size (the size of a single digit). */
export const STEP_RADIUS_EM = 0.87
/** A step badge's white ring, as a fraction of its radius (never under `STEP_RING_MIN_PX`). */
export const STEP_RING_OF_RADIUS = 0.12
/** The thinnest step ring, px. */
export const STEP_RING_MIN_PX = 1.5

/** Half the width of an arrow's head, as a fraction of the head's length. */
export const ARROW_HEAD_HALF_WIDTH = 0.6
/** The most of a short arrow's length its head may take (it shrinks to fit). */
export const ARROW_HEAD_MAX_SHARE = 0.6

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}

/** `value` when it is a finite number, else `fallback`. */
export function finite(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback
}

/** A frame side in pixels, at least 1. */
export function framePx(side: unknown): number {
  return Math.max(1, finite(side, 1))
}

/** Line width in pixels, from `strokeWidth` (a fraction of the frame height). */
export function strokePx(strokeWidth: unknown, frameHeight: number): number {
  const H = framePx(frameHeight)
  return clamp(finite(strokeWidth, FALLBACK_STROKE) * H, MIN_STROKE_PX, H * MAX_STROKE_OF_HEIGHT)
}

/** Font size in pixels, from `fontSize` (a fraction of the frame height). */
export function fontPx(fontSize: unknown, frameHeight: number): number {
  const H = framePx(frameHeight)
  return clamp(finite(fontSize, FALLBACK_FONT_SIZE) * H, MIN_FONT_PX, H * MAX_FONT_OF_HEIGHT)
}

/** A step badge of font size `fontPx`: its radius and the width of its ring, px. */
export function stepBadgePx(fontPx: number): { readonly radius: number; readonly ring: number } {
  const radius = fontPx * STEP_RADIUS_EM
  return { radius, ring: Math.max(STEP_RING_MIN_PX, radius * STEP_RING_OF_RADIUS) }
}

/** How far a step badge reaches from its centre, ring included, px. */
export function stepOuterRadiusPx(fontPx: number): number {
  const { radius, ring } = stepBadgePx(fontPx)
  return radius + ring / 2
}

/** The length of an arrow's head for a line `strokePx` wide, before it shrinks to fit, px. */
export function arrowHeadLengthPx(strokePx: number, frameHeight: number): number {
  return strokePx * 4 + framePx(frameHeight) * 0.012
}

/** A text bubble's padding, line height and corner radius for text `fontPx` high, px. */
export function calloutTextPx(fontPx: number): {
  readonly pad: number
  readonly lineHeight: number
  readonly radius: number
} {
  return { pad: fontPx * 0.55, lineHeight: fontPx * 1.25, radius: fontPx * 0.45 }
}

/** Half the width of a text bubble's tail where it leaves the bubble, px. */
export function calloutTailHalfPx(fontPx: number, frameHeight: number): number {
  return Math.max(fontPx * 0.7, framePx(frameHeight) * 0.014)
}
