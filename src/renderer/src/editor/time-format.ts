/** How the editor writes times: the playhead to the hundredth, ranges and lengths to the second. */
import { formatDuration } from '../format'

/**
 * A playhead time, `m:ss.cc` (or `h:mm:ss.cc` from an hour on), truncated so it never shows a
 * moment that has not been reached yet; e.g. 62345 → "1:02.34".
 */
export function formatClock(ms: number): string {
  const safe = Number.isFinite(ms) ? Math.max(0, ms) : 0
  const hundredths = Math.floor(safe / 10) % 100
  return `${formatDuration(safe)}.${String(hundredths).padStart(2, '0')}`
}

/** A range for labels, e.g. "0:02–0:05" (to the second). */
export function formatRange(startMs: number, endMs: number): string {
  return `${formatDuration(startMs)}–${formatDuration(endMs)}`
}

/** "Kept 0:42 of 1:00": the output's length and the recording's. */
export function formatKept(keptMs: number, durationMs: number): string {
  return `Kept ${formatDuration(keptMs)} of ${formatDuration(durationMs)}`
}
