/**
 * What a person watched (server/src/learn/watched-ranges.ts): reports merged with what is stored
 * into sorted, disjoint ranges on [0, duration]; touching means a gap of at most 250 ms; a record
 * keeps at most a bounded number of ranges by closing the smallest gaps.
 */
import { describe, expect, it } from 'vitest'
import {
  MAX_STORED_RANGES,
  mergeRanges,
  rangesLength,
  TOUCHING_GAP_MS
} from '../../../server/src/learn/watched-ranges'

describe('mergeRanges', () => {
  it('joins overlapping ranges and keeps separate ones apart, sorted', () => {
    expect(
      mergeRanges(
        [[0, 1000]],
        [
          [5000, 6000],
          [500, 2000],
          [3000, 4000]
        ],
        10_000
      )
    ).toEqual([
      [0, 2000],
      [3000, 4000],
      [5000, 6000]
    ])
  })

  it('a range inside another changes nothing', () => {
    expect(mergeRanges([[1000, 9000]], [[2000, 3000]], 10_000)).toEqual([[1000, 9000]])
  })

  it('joins ranges at most TOUCHING_GAP_MS apart, not one ms more', () => {
    expect(TOUCHING_GAP_MS).toBe(250)
    expect(mergeRanges([[0, 1000]], [[1250, 2000]], 10_000)).toEqual([[0, 2000]])
    expect(mergeRanges([[0, 1000]], [[1000, 2000]], 10_000)).toEqual([[0, 2000]])
    expect(mergeRanges([[0, 1000]], [[1251, 2000]], 10_000)).toEqual([
      [0, 1000],
      [1251, 2000]
    ])
  })

  it('clamps to [0, duration] and drops what is empty or reversed after that', () => {
    expect(
      mergeRanges(
        [],
        [
          [-500, 1000],
          [9000, 12_000],
          [11_000, 13_000],
          [4000, 4000],
          [6000, 5000]
        ],
        10_000
      )
    ).toEqual([
      [0, 1000],
      [9000, 10_000]
    ])
  })

  it('clamps what was stored when the video became shorter, and rounds to whole ms', () => {
    expect(mergeRanges([[0, 8000]], [[100.4, 200.6]], 5000)).toEqual([[0, 5000]])
    expect(mergeRanges([], [[100.4, 999.6]], 5000)).toEqual([[100, 1000]])
  })

  it('drops ranges with NaN and treats a bad duration as 0 (nothing watched)', () => {
    expect(mergeRanges([], [[Number.NaN, 1000]], 5000)).toEqual([])
    expect(mergeRanges([[0, 1000]], [], Number.NaN)).toEqual([])
    expect(mergeRanges([[0, 1000]], [], -5)).toEqual([])
  })

  it('order of reports does not matter', () => {
    const a: [number, number][] = [
      [7000, 8000],
      [0, 500],
      [3000, 3600]
    ]
    const b: [number, number][] = [
      [450, 3100],
      [9000, 9500]
    ]
    expect(mergeRanges(a, b, 10_000)).toEqual(mergeRanges(b, a, 10_000))
    expect(mergeRanges(a, b, 10_000)).toEqual([
      [0, 3600],
      [7000, 8000],
      [9000, 9500]
    ])
  })

  it('past the cap closes the smallest gaps first', () => {
    const ranges: [number, number][] = [
      [0, 100],
      [1000, 1100], // gap 900
      [1500, 1600], // gap 400
      [5000, 5100], // gap 3400
      [5700, 5800] // gap 600
    ]
    expect(mergeRanges([], ranges, 10_000, 3)).toEqual([
      [0, 100],
      [1000, 1600],
      [5000, 5800]
    ])
    expect(mergeRanges([], ranges, 10_000, 1)).toEqual([[0, 5800]])
  })

  it('keeps at most MAX_STORED_RANGES however a person jumps around', () => {
    const many: [number, number][] = []
    for (let i = 0; i < 2000; i++) many.push([i * 1000, i * 1000 + 100])
    const merged = mergeRanges([], many, 2_000_000)
    expect(merged).toHaveLength(MAX_STORED_RANGES)
    expect(merged[0]?.[0]).toBe(0)
    expect(merged[merged.length - 1]?.[1]).toBe(1999 * 1000 + 100)
    for (let i = 1; i < merged.length; i++) {
      const [start] = merged[i] as [number, number]
      const [, previousEnd] = merged[i - 1] as [number, number]
      expect(start).toBeGreaterThan(previousEnd)
    }
  })
})

describe('rangesLength', () => {
  it('sums disjoint ranges', () => {
    expect(
      rangesLength([
        [0, 1000],
        [2000, 2500]
      ])
    ).toBe(1500)
    expect(rangesLength([])).toBe(0)
  })
})
