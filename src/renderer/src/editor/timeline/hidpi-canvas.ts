/**
 * Sizes `canvas` to draw `width` × `height` CSS pixels sharply at the screen's pixel density, and
 * clears it. Returns its 2D context and the density, or null when it has no 2D context.
 */
export function prepareCanvas(
  canvas: HTMLCanvasElement,
  width: number,
  height: number
): { ctx: CanvasRenderingContext2D; dpr: number } | null {
  const dpr = window.devicePixelRatio || 1
  canvas.width = Math.round(width * dpr)
  canvas.height = Math.round(height * dpr)
  const ctx = canvas.getContext('2d')
  if (!ctx) return null
  ctx.clearRect(0, 0, canvas.width, canvas.height)
  return { ctx, dpr }
}
