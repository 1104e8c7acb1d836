/** Lane packing for the timeline's callout bars: overlapping time ranges go on separate rows. */

export interface Timed {
  readonly id: string
  readonly startMs: number
  readonly endMs: number
}

export interface Lanes {
  /** The row of each id, 0 at the top. */
  readonly laneOf: ReadonlyMap<string, number>
  /** How many rows are used (0 with no items). */
  readonly count: number
}

/**
 * Puts each item on the first row where it overlaps nothing, in order of start time (ties in
 * list order), so rows stay as few as the busiest moment needs. Ranges are half-open: one ending
 * where another starts share a row.
 */
export function packLanes(items: readonly Timed[]): Lanes {
  const order = items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => a.item.startMs - b.item.startMs || a.index - b.index)
  const laneEnds: number[] = []
  const laneOf = new Map<string, number>()
  for (const { item } of order) {
    let lane = laneEnds.findIndex((end) => end <= item.startMs)
    if (lane === -1) {
      lane = laneEnds.length
      laneEnds.push(item.endMs)
    } else {
      laneEnds[lane] = item.endMs
    }
    laneOf.set(item.id, lane)
  }
  return { laneOf, count: laneEnds.length }
}
