/**
 * How strong the editor's CSS backdrop blur is, so the live preview looks like what export's
 * ffmpeg filters make (src/main/export/export-plan.ts, `blurFilters`; the renderer cannot import
 * main's code, so the numbers are repeated here and a unit test holds the two together).
 */
import type { FrameSize } from '../../../../shared/callouts/draw'
import { withDefaults, type BlurAnnotation } from '../../../../shared/edits'

/** The blurred box in whole frame pixels, aligned to 2 as export crops it (`blurPixelBox`). */
function exportBox(a: BlurAnnotation, frame: FrameSize): { w: number; h: number } {
  const W = Math.max(1, frame.width)
  const H = Math.max(1, frame.height)
  const down = (n: number): number => Math.floor(n / 2) * 2
  const x = down(Math.max(0, a.x * W))
  const y = down(Math.max(0, a.y * H))
  const right = Math.min(down(W), Math.ceil(((a.x + a.w) * W) / 2) * 2)
  const bottom = Math.min(down(H), Math.ceil(((a.y + a.h) * H) / 2) * 2)
  return { w: right - x, h: bottom - y }
}

/** Export's box blur radius in frame pixels: `boxblur=luma_radius=<this>:luma_power=3`. */
export function exportBlurRadiusPx(a: BlurAnnotation, frame: FrameSize): number {
  const { strength } = withDefaults(a)
  const box = exportBox(a, frame)
  const wanted = Math.max(1, Math.round(strength * Math.max(1, frame.height) * 0.03))
  return Math.max(1, Math.min(wanted, Math.floor(Math.min(box.w, box.h) / 4)))
}

/** Export's pixelate block size in frame pixels. */
export function exportPixelBlockPx(a: BlurAnnotation, frame: FrameSize): number {
  return Math.max(2, Math.round(withDefaults(a).strength * Math.max(1, frame.height) * 0.04))
}

/**
 * The CSS `blur()` radius (a Gaussian's standard deviation) in frame pixels. Three passes of a
 * box blur of radius r have the variance r(r + 1), so σ = √(r(r + 1)) matches export's blur
 * closely. Pixelate is approximated by a blur of half a block: CSS has no mosaic filter, and the
 * preview only needs to show that the area will be unreadable.
 */
export function previewBlurSigmaPx(a: BlurAnnotation, frame: FrameSize): number {
  if (withDefaults(a).mode === 'pixelate') return exportPixelBlockPx(a, frame) / 2
  const r = exportBlurRadiusPx(a, frame)
  return Math.sqrt(r * (r + 1))
}

/** The backdrop-filter for a blur shown `renderedHeight` CSS pixels tall for a frame this size. */
export function previewBackdropFilter(
  a: BlurAnnotation,
  frame: FrameSize,
  renderedHeight: number
): string {
  const scale = renderedHeight > 0 ? renderedHeight / Math.max(1, frame.height) : 1
  const px = Math.round(previewBlurSigmaPx(a, frame) * scale * 100) / 100
  return `blur(${px}px)`
}
