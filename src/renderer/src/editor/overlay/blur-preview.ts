/**
 * How strong the editor's CSS backdrop blur is, so the live preview looks like what export's
 * ffmpeg filters make: the same numbers (src/shared/callouts/blur.ts) drive both.
 */
import { blurBox, blurRadiusPx, pixelBlockPx } from '../../../../shared/callouts/blur'
import type { FrameSize } from '../../../../shared/callouts/draw'
import { withDefaults, type BlurAnnotation } from '../../../../shared/edits'

/** Export's box blur radius in frame pixels: `boxblur=luma_radius=<this>:luma_power=3`. */
export function exportBlurRadiusPx(a: BlurAnnotation, frame: FrameSize): number {
  const height = Math.max(1, frame.height)
  return blurRadiusPx(a, height, blurBox(a, { width: Math.max(1, frame.width), height }))
}

/** Export's pixelate block size in frame pixels. */
export function exportPixelBlockPx(a: BlurAnnotation, frame: FrameSize): number {
  return pixelBlockPx(a, Math.max(1, frame.height))
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
