/**
 * What one person watched of one video, as ranges [startMs, endMs) on the watched media's clock
 * (learn-types.ts WatchRecord). Pure: the API checks the shape of a report (numbers, at most
 * LEARN_LIMITS.watchedRanges ranges); this merges a report into what is stored.
 */

export type Range = readonly [number, number]

/**
 * Ranges closer than this are one: a player reports the stretch it played in pieces (a timer, a
 * pause, a seek back by a frame), and a gap of a quarter second is not "skipped".
 */
export const TOUCHING_GAP_MS = 250

/**
 * The most ranges one person's record keeps. Past it the smallest gaps are closed first (the
 * record errs towards "watched"), so a row stays small however a person jumps around.
 */
export const MAX_STORED_RANGES = 500

/**
 * `existing` and `added` as one sorted list of disjoint ranges: each range clamped to
 * [0, durationMs] and rounded to whole ms; empty ranges (start ≥ end after clamping, which
 * includes reversed ones) and ranges with a non-finite end are dropped; ranges that overlap or
 * are at most TOUCHING_GAP_MS apart are joined; then at most `maxRanges` are kept by closing the
 * smallest gaps (the earliest first among equal ones).
 */
export function mergeRanges(
  existing: readonly Range[],
  added: readonly Range[],
  durationMs: number,
  maxRanges: number = MAX_STORED_RANGES
): [number, number][] {
  const limit = Number.isFinite(durationMs) ? Math.max(0, Math.round(durationMs)) : 0
  const clamped: [number, number][] = []
  for (const [a, b] of [...existing, ...added]) {
    if (Number.isNaN(a) || Number.isNaN(b)) continue
    const start = Math.min(Math.max(Math.round(a), 0), limit)
    const end = Math.min(Math.max(Math.round(b), 0), limit)
    if (end > start) clamped.push([start, end])
  }
  clamped.sort((x, y) => x[0] - y[0] || x[1] - y[1])
  const merged: [number, number][] = []
  for (const range of clamped) {
    const last = merged[merged.length - 1]
    if (last && range[0] - last[1] <= TOUCHING_GAP_MS) last[1] = Math.max(last[1], range[1])
    else merged.push([range[0], range[1]])
  }
  return capRanges(merged, Math.max(1, Math.trunc(maxRanges)))
}

/** Joins across the smallest gaps until at most `max` ranges are left. */
function capRanges(ranges: [number, number][], max: number): [number, number][] {
  const joins = ranges.length - max
  if (joins <= 0) return ranges
  // Gap i lies between range i and range i + 1.
  const gaps = ranges.slice(1).map((r, i) => ({ i, size: r[0] - (ranges[i] as Range)[1] }))
  gaps.sort((x, y) => x.size - y.size || x.i - y.i)
  const closed = new Set(gaps.slice(0, joins).map((g) => g.i))
  const out: [number, number][] = []
  ranges.forEach((r, i) => {
    const last = out[out.length - 1]
    if (last && closed.has(i - 1)) last[1] = r[1]
    else out.push([r[0], r[1]])
  })
  return out
}

/** How much the ranges cover, ms (they are disjoint, as mergeRanges makes them). */
export function rangesLength(ranges: readonly Range[]): number {
  return ranges.reduce((sum, [a, b]) => sum + Math.max(0, b - a), 0)
}
