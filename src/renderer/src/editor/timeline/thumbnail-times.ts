/**
 * Which frames the timeline's strip shows and in what order (thumbnail-loader.ts fetches them):
 * times short of the end, where a seek past the last decodable frame would draw black; slots
 * coarse to fine; and the stand-in for a slot whose frame has not come yet. Pure, no DOM.
 */

/**
 * How far before the end the last frame is looked for. A recording's length (its container's,
 * or its audio's) can run past its last video frame by a frame or two; a seek there shows black.
 */
export const LAST_FRAME_MARGIN_MS = 100

/** `timeMs`, no later than the last frame that can be shown (`marginMs` before the end). */
export function clampToLastFrame(
  timeMs: number,
  durationMs: number,
  marginMs = LAST_FRAME_MARGIN_MS
): number {
  return Math.max(0, Math.min(timeMs, durationMs - marginMs))
}

/** `count` times, each in the middle of its slice of the recording, never past the last frame. */
export function thumbnailTimes(durationMs: number, count: number): number[] {
  const n = Math.max(0, Math.floor(count))
  return Array.from({ length: n }, (_, i) =>
    Math.round(clampToLastFrame(((i + 0.5) * durationMs) / n, durationMs))
  )
}

/**
 * The order to fetch `count` slots in, coarse to fine: the first, then every 16th, 8th, … so
 * the strip fills evenly rather than left to right.
 */
export function coarseToFine(count: number): number[] {
  const n = Math.max(0, Math.floor(count))
  const order: number[] = []
  const seen = new Set<number>()
  let step = 1
  while (step * 2 < n) step *= 2
  for (; step >= 1; step /= 2) {
    for (let i = 0; i < n; i += step) {
      if (!seen.has(i)) {
        seen.add(i)
        order.push(i)
      }
    }
  }
  return order
}

/**
 * The slot whose frame stands in for slot `index` until its own arrives: the nearest loaded one
 * before it (the picture a moment earlier), else after it; -1 when none is loaded yet.
 */
export function standInFor(index: number, loaded: readonly boolean[]): number {
  for (let i = index; i >= 0; i--) if (loaded[i]) return i
  for (let i = index + 1; i < loaded.length; i++) if (loaded[i]) return i
  return -1
}
