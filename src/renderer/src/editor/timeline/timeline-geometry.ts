/**
 * Pure maths of the timeline: pointer position ↔ recording time, frame steps, ruler ticks (on the
 * video's clock), the pieces of a callout's bar that survive the cuts and the limits of dragging a
 * bar. The timeline always spans the whole recording; cut parts stay on it, hatched.
 */
import { toRecordingTime, type NormalizedKeep, type TimeRange } from '../../../../shared/timeline'
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

/**
 * The ruler's nice-number ladder. Under a second a label shows tenths ("0:01.5"), from a second
 * on whole seconds ("0:05"), so each step is a whole number of its label's unit and no two
 * labels read the same.
 */
export const TICK_STEPS_MS = [
  100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000,
  900_000, 1_800_000, 3_600_000
]

/**
 * The ruler's interval: the smallest on the ladder that keeps labels at least `minGapPx` apart
 * on a timeline that shows `durationMs` over `widthPx`.
 */
export function tickStepMs(durationMs: number, widthPx: number, minGapPx = 70): number {
  if (durationMs <= 0 || widthPx <= 0) return 1000
  const msPerPx = durationMs / widthPx
  return TICK_STEPS_MS.find((step) => step / msPerPx >= minGapPx) ?? 3_600_000
}

/** The ruler's tick times, 0 up to the duration. */
export function ticks(durationMs: number, stepMs: number): number[] {
  const result: number[] = []
  if (stepMs <= 0) return result
  for (let i = 0; i * stepMs <= durationMs; i++) result.push(i * stepMs)
  return result
}

/** A ruler label at the step's precision: "0:05", "1:00:00"; tenths under a second ("0:01.5"). */
export function formatTickLabel(ms: number, stepMs: number): string {
  const safe = Math.max(0, Math.round(ms))
  const total = Math.floor(safe / 1000)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const ss = String(total % 60).padStart(2, '0')
  const clock = h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
  return stepMs < 1000 ? `${clock}.${Math.floor((safe % 1000) / 100)}` : clock
}

export interface RulerTick {
  /** Where it sits, on the recording's clock (the timeline spans the whole recording). */
  readonly atMs: number
  /** Its label, on the video's clock (after cuts); empty when too near the end to fit. */
  readonly label: string
}

/**
 * The ruler on the video's clock, the one the timecode and the export use: a tick every `step`
 * of the edited video, placed over the kept parts of the recording (cut parts have no time in
 * the video, so no ticks). The step is chosen for the whole recording's width, so ticks are at
 * least as far apart as the ladder asked for.
 */
export function rulerTicks(keep: NormalizedKeep, durationMs: number, widthPx: number): RulerTick[] {
  const step = tickStepMs(durationMs, widthPx)
  const kept = keep.reduce((sum, [start, end]) => sum + (end - start), 0)
  return ticks(kept, step).map((outputMs) => {
    const atMs = toRecordingTime(outputMs, keep)
    return { atMs, label: atMs < durationMs - step / 3 ? formatTickLabel(outputMs, step) : '' }
  })
}

/**
 * The pieces of a callout's bar that show in the video: `[startMs, endMs)` without the cut
 * parts, as fractions of the bar (0–1), in order. Empty when the whole callout is cut.
 */
export function barPieces(
  startMs: number,
  endMs: number,
  keep: NormalizedKeep
): { readonly from: number; readonly to: number }[] {
  const length = endMs - startMs
  if (length <= 0) return []
  const pieces: { from: number; to: number }[] = []
  for (const [start, end] of keep) {
    const s = Math.max(start, startMs)
    const e = Math.min(end, endMs)
    if (e > s) pieces.push({ from: (s - startMs) / length, to: (e - startMs) / length })
  }
  return pieces
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
