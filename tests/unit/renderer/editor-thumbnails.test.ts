import { describe, expect, it } from 'vitest'
import {
  LAST_FRAME_MARGIN_MS,
  clampToLastFrame,
  coarseToFine,
  standInFor,
  thumbnailTimes
} from '../../../src/renderer/src/editor/timeline/thumbnail-times'

describe('thumbnail times', () => {
  it('never seek past the last frame (a seek there draws black)', () => {
    // 48 slots over 3 s: the last slot's middle is 31 ms from the end, past the last frame.
    const times = thumbnailTimes(3000, 48)
    expect(times).toHaveLength(48)
    expect(Math.max(...times)).toBe(3000 - LAST_FRAME_MARGIN_MS)
    expect(times[0]).toBe(31)
  })

  it.each([
    { time: 500, duration: 3000, expected: 500 },
    { time: 2950, duration: 3000, expected: 2900 },
    { time: 3000, duration: 3000, expected: 2900 },
    { time: 10_000, duration: 3000, expected: 2900 },
    { time: 40, duration: 50, expected: 0 },
    { time: 2000, duration: Infinity, expected: 2000 }
  ])('clampToLastFrame($time, $duration) = $expected', ({ time, duration, expected }) => {
    expect(clampToLastFrame(time, duration)).toBe(expected)
  })

  it('keep the middle of each slice when it is far from the end', () => {
    expect(thumbnailTimes(10_000, 4)).toEqual([1250, 3750, 6250, 8750])
  })
})

describe('filling the strip', () => {
  it('fetches coarse to fine, every slot once', () => {
    expect(coarseToFine(8)).toEqual([0, 4, 2, 6, 1, 3, 5, 7])
    const order = coarseToFine(13)
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 13 }, (_, i) => i))
    expect(order.slice(0, 2)).toEqual([0, 8])
    expect(coarseToFine(1)).toEqual([0])
    expect(coarseToFine(0)).toEqual([])
  })

  it('shows the nearest loaded frame in a slot still empty', () => {
    const loaded = [false, false, true, false, false, true, false]
    expect([0, 1, 2, 3, 4, 5, 6].map((i) => standInFor(i, loaded))).toEqual([2, 2, 2, 2, 2, 5, 5])
    expect(standInFor(3, [false, false])).toBe(-1)
  })
})
