/**
 * Kept ranges and the mapping between recording time and output time.
 *
 * Edits never move anything on the recording's clock: a cut only changes which ranges are kept,
 * and everything shown to the user in output time (the timeline, the exported file) is derived
 * here. All times are integer milliseconds; ranges are half-open, `[startMs, endMs)`.
 */
import { SidecastError } from './errors'

/** A span of time, `[startMs, endMs)`, in integer milliseconds. */
export type TimeRange = readonly [startMs: number, endMs: number]

/**
 * Kept ranges as they are stored in `edits.json`: an empty list means the whole recording.
 */
export type StoredKeep = readonly TimeRange[]

/**
 * Kept ranges spelled out: sorted, merged, clamped to the recording and never "empty means all".
 * Only `normalizeKeep` and the editing operations make one, so the stored form's "empty means
 * the whole recording" can never be mistaken for "nothing kept" by the mapping functions.
 */
export type NormalizedKeep = readonly TimeRange[] & { readonly __normalizedKeep: true }

/**
 * Spells out stored kept ranges for a recording of `durationMs`: sorted, merged where they touch
 * or overlap, clamped to `[0, durationMs]`, empty ranges dropped. An empty or absent list means
 * the whole recording. Returns an empty list only when every given range lies outside the
 * recording (or the recording has no duration): nothing is kept.
 */
export function normalizeKeep(
  keep: StoredKeep | null | undefined,
  durationMs: number
): NormalizedKeep {
  const duration = Math.max(0, durationMs)
  if (!keep || keep.length === 0) return asNormalized(duration > 0 ? [[0, duration]] : [])
  return asNormalized(mergeRanges(keep, 0, duration))
}

/**
 * Sorts, clamps to `[min, max]`, drops empty ranges and merges touching or overlapping ones.
 * Exported for the edits loader, which tidies a file's ranges before it knows the duration.
 */
export function mergeRanges(ranges: readonly TimeRange[], min: number, max: number): TimeRange[] {
  const clamped = ranges
    .map(([start, end]): TimeRange => [Math.max(min, start), Math.min(max, end)])
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
  const merged: [number, number][] = []
  for (const [start, end] of clamped) {
    const last = merged[merged.length - 1]
    if (last && start <= last[1]) last[1] = Math.max(last[1], end)
    else merged.push([start, end])
  }
  return merged
}

/** True when the kept ranges are exactly the whole recording (no trim, no cut). */
export function isWholeRecording(keep: StoredKeep, durationMs: number): boolean {
  const normalized = normalizeKeep(keep, durationMs)
  const only = normalized[0]
  return normalized.length === 1 && only !== undefined && only[0] === 0 && only[1] >= durationMs
}

/** The output's length: the sum of the kept ranges. */
export function keptDurationMs(keep: NormalizedKeep): number {
  return keep.reduce((sum, [start, end]) => sum + (end - start), 0)
}

/**
 * Where a moment of the recording lands in the output, or null when it is cut. The end of the
 * last kept range maps to the output's end, so a playhead parked at the end still has a time.
 */
export function toOutputTime(recordingMs: number, keep: NormalizedKeep): number | null {
  let offset = 0
  for (const [start, end] of keep) {
    if (recordingMs >= start && recordingMs < end) return offset + (recordingMs - start)
    offset += end - start
  }
  const last = keep[keep.length - 1]
  return last && recordingMs === last[1] ? offset : null
}

/**
 * The moment of the recording shown at `outputMs` of the output. Clamped to the output: before
 * the start is the first kept moment, past the end is the end of the last kept range. At the
 * boundary between two kept ranges the answer is the start of the later one (the frame shown).
 */
export function toRecordingTime(outputMs: number, keep: NormalizedKeep): number {
  const first = keep[0]
  if (!first) return 0
  if (outputMs <= 0) return first[0]
  let offset = 0
  for (const [start, end] of keep) {
    const length = end - start
    if (outputMs < offset + length) return start + (outputMs - offset)
    offset += length
  }
  return keep[keep.length - 1]?.[1] ?? 0
}

/**
 * The output ranges in which a span of the recording (say, a callout's) is shown. The parts of
 * the span that are cut disappear; the parts either side of a cut join up in the output, so
 * adjacent pieces are merged. A span that is entirely cut gives an empty list.
 */
export function mapRangeToOutput(
  startMs: number,
  endMs: number,
  keep: NormalizedKeep
): TimeRange[] {
  const pieces: [number, number][] = []
  let offset = 0
  for (const [start, end] of keep) {
    const from = Math.max(start, startMs)
    const to = Math.min(end, endMs)
    if (to > from) {
      const piece: [number, number] = [offset + (from - start), offset + (to - start)]
      const last = pieces[pieces.length - 1]
      if (last && last[1] === piece[0]) last[1] = piece[1]
      else pieces.push(piece)
    }
    offset += end - start
  }
  return pieces
}

/**
 * Removes `[startMs, endMs)` of the recording from the kept ranges (stored form in, spelled-out
 * form out). Throws a SidecastError (`nothing-kept`) rather than cut everything, because an
 * empty list stored in `edits.json` would mean the whole recording again.
 */
export function cutRange(
  keep: StoredKeep,
  startMs: number,
  endMs: number,
  durationMs: number
): NormalizedKeep {
  const current = normalizeKeep(keep, durationMs)
  const from = Math.max(0, startMs)
  const to = Math.min(durationMs, endMs)
  if (to <= from) return current
  const result: TimeRange[] = []
  for (const [start, end] of current) {
    if (end <= from || start >= to) {
      result.push([start, end])
      continue
    }
    if (start < from) result.push([start, from])
    if (end > to) result.push([to, end])
  }
  return requireSomethingKept(result)
}

/**
 * Sets where the output starts (the "in" point) to `atMs` of the recording: everything kept
 * before it is removed. Moving the in point earlier, into the leading trimmed part, extends the
 * first kept range back to `atMs`; cuts in the middle are never undone by a trim.
 */
export function trimIn(keep: StoredKeep, atMs: number, durationMs: number): NormalizedKeep {
  const current = normalizeKeep(keep, durationMs)
  const at = clamp(atMs, 0, durationMs)
  const first = current[0]
  if (first && at < first[0]) return asNormalized([[at, first[1]], ...current.slice(1)])
  return cutRange(current, 0, at, durationMs)
}

/**
 * Sets where the output ends (the "out" point) to `atMs` of the recording: everything kept after
 * it is removed. Moving the out point later, into the trailing trimmed part, extends the last
 * kept range to `atMs`; cuts in the middle are never undone by a trim.
 */
export function trimOut(keep: StoredKeep, atMs: number, durationMs: number): NormalizedKeep {
  const current = normalizeKeep(keep, durationMs)
  const at = clamp(atMs, 0, durationMs)
  const last = current[current.length - 1]
  if (last && at > last[1]) return asNormalized([...current.slice(0, -1), [last[0], at]])
  return cutRange(current, at, durationMs, durationMs)
}

/**
 * Where playback should be at `recordingMs` when it skips what is cut: the time itself when it
 * is kept, else the start of the next kept range, or null when nothing kept follows (the end).
 */
export function nextPlayableTime(recordingMs: number, keep: NormalizedKeep): number | null {
  for (const [start, end] of keep) {
    if (recordingMs < start) return start
    if (recordingMs < end) return recordingMs
  }
  return null
}

/** Rounds `ms` to the nearest frame boundary at `fps`, in whole milliseconds. */
export function snapToFrame(ms: number, fps: number): number {
  if (!Number.isFinite(fps) || fps <= 0) return Math.round(ms)
  const frame = Math.round((ms * fps) / 1000)
  return Math.round((frame * 1000) / fps)
}

function requireSomethingKept(ranges: readonly TimeRange[]): NormalizedKeep {
  if (ranges.length === 0) {
    throw new SidecastError(
      'nothing-kept',
      'That would remove the whole recording. Keep at least part of it, or delete the project instead.'
    )
  }
  return asNormalized(ranges)
}

function asNormalized(ranges: readonly TimeRange[]): NormalizedKeep {
  return ranges as NormalizedKeep
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}
