/**
 * Pure maths of the timeline: pointer position ↔ recording time, frame steps, ruler ticks and
 * the limits of dragging a callout's bar. The timeline always spans the whole recording.
 */
import type { NormalizedKeep, TimeRange } from '../../../../shared/timeline'
import { MIN_ANNOTATION_MS } from '../editor-state'

/** The editor steps in frames of a 30 fps clock (recordings are 30 fps or close to it). */
export const FRAME_MS = 1000 / 30

/** The recording time at `x` pixels from the left of a timeline `width` pixels wide. */
export function timeAtX(x: number, width: number, durationMs: number): number {
  if (width <= 0 || durationMs <= 0) return 0
  return Math.round(clamp(x / width, 0, 1) * durationMs)
}

/** The x position (pixels from the left) of `ms` on a timeline `width` pixels wide. */
export function xAtTime(ms: number, width: number, durationMs: number): number {
  if (durationMs <= 0) return 0
  return clamp(ms / durationMs, 0, 1) * width
}

/** `ms` as a percentage of the recording, for CSS positions (0–100). */
export function percentAt(ms: number, durationMs: number): number {
  return durationMs > 0 ? clamp(ms / durationMs, 0, 1) * 100 : 0
}

/** Where a time range sits on the timeline, as CSS `left` and `width` percentages. */
export function spanStyle(
  startMs: number,
  endMs: number,
  durationMs: number
): { left: string; width: string } {
  const left = percentAt(startMs, durationMs)
  return { left: `${left}%`, width: `${percentAt(endMs, durationMs) - left}%` }
}

/**
 * One step from `ms`: a frame (1/30 s) or, with `big`, a second; lands on a frame boundary and
 * stays inside the recording.
 */
export function stepTime(ms: number, direction: -1 | 1, big: boolean, durationMs: number): number {
  if (big) return clamp(Math.round(ms + direction * 1000), 0, durationMs)
  // The frame the playhead is in, then the next or previous one.
  const frame = Math.floor((ms + 0.5) / FRAME_MS)
  const next = Math.round((frame + direction) * FRAME_MS)
  return clamp(next, 0, durationMs)
}

const TICK_STEPS_MS = [
  100, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000,
  900_000, 1_800_000, 3_600_000
]

/** The ruler's interval: the smallest that keeps labels at least `minGapPx` apart. */
export function tickStepMs(durationMs: number, widthPx: number, minGapPx = 70): number {
  if (durationMs <= 0 || widthPx <= 0) return 1000
  const msPerPx = durationMs / widthPx
  return TICK_STEPS_MS.find((step) => step / msPerPx >= minGapPx) ?? 3_600_000
}

/** The ruler's tick times, 0 up to the duration. */
export function ticks(durationMs: number, stepMs: number): number[] {
  const result: number[] = []
  if (stepMs <= 0) return result
  for (let t = 0; t <= durationMs; t += stepMs) result.push(t)
  return result
}

/** What a drag on a callout's bar changes. */
export type BarDragMode = 'move' | 'start' | 'end'

/**
 * The time range of a bar dragged by `deltaMs` from `[startMs, endMs)`: moved whole, or one end
 * moved, staying inside the recording and at least MIN_ANNOTATION_MS long.
 */
export function dragBar(
  mode: BarDragMode,
  startMs: number,
  endMs: number,
  deltaMs: number,
  durationMs: number
): { startMs: number; endMs: number } {
  const length = endMs - startMs
  const min = Math.min(MIN_ANNOTATION_MS, durationMs)
  if (mode === 'move') {
    const start = clamp(Math.round(startMs + deltaMs), 0, Math.max(0, durationMs - length))
    return { startMs: start, endMs: start + length }
  }
  if (mode === 'start') {
    return { startMs: clamp(Math.round(startMs + deltaMs), 0, endMs - min), endMs }
  }
  return { startMs, endMs: clamp(Math.round(endMs + deltaMs), startMs + min, durationMs) }
}

/** The parts of the recording that are not kept (trimmed ends and cuts), in order. */
export function cutParts(keep: NormalizedKeep, durationMs: number): TimeRange[] {
  const parts: TimeRange[] = []
  let from = 0
  for (const [start, end] of keep) {
    if (start > from) parts.push([from, start])
    from = end
  }
  if (from < durationMs) parts.push([from, durationMs])
  return parts
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}
