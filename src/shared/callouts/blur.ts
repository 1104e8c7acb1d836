/**
 * The numbers of a blur annotation in frame pixels, shared by export (ffmpeg's crop and
 * boxblur / pixelate filters) and the editor's live CSS preview, so the two agree by construction.
 */
import { withDefaults, type BlurAnnotation } from '../edits'

/** A box in whole pixels. */
export interface BlurBox {
  readonly x: number
  readonly y: number
  readonly w: number
  readonly h: number
}

/**
 * The blurred box in whole frame pixels, widened to even coordinates so yuv420p's half-size
 * chroma lines up, clamped to the (even) frame.
 */
export function blurBox(
  a: BlurAnnotation,
  frame: { readonly width: number; readonly height: number }
): BlurBox {
  const down = (n: number): number => Math.floor(n / 2) * 2
  const x = down(Math.max(0, a.x * frame.width))
  const y = down(Math.max(0, a.y * frame.height))
  const right = Math.min(down(frame.width), Math.ceil(((a.x + a.w) * frame.width) / 2) * 2)
  const bottom = Math.min(down(frame.height), Math.ceil(((a.y + a.h) * frame.height) / 2) * 2)
  return { x, y, w: right - x, h: bottom - y }
}

/**
 * The box blur radius in frame pixels. Strength scales with the frame height so a blur looks the
 * same at any size; ffmpeg's boxblur refuses a radius above half the smaller side of the
 * (half-size) chroma plane, hence the cap.
 */
export function blurRadiusPx(a: BlurAnnotation, frameHeight: number, box: BlurBox): number {
  const wanted = Math.max(1, Math.round(withDefaults(a).strength * frameHeight * 0.03))
  return Math.max(1, Math.min(wanted, Math.floor(Math.min(box.w, box.h) / 4)))
}

/** The pixelate block size in frame pixels. */
export function pixelBlockPx(a: BlurAnnotation, frameHeight: number): number {
  return Math.max(2, Math.round(withDefaults(a).strength * frameHeight * 0.04))
}
