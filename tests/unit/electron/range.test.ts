import { describe, expect, it } from 'vitest'
import { parseRange } from '../../../src/shared/http-range'

describe('parseRange', () => {
  it.each([
    // header, size, expected
    [undefined, 1000, null],
    ['', 1000, null],
    ['bytes=0-99', 1000, { start: 0, end: 99 }],
    ['bytes=0-0', 1000, { start: 0, end: 0 }],
    ['bytes=500-', 1000, { start: 500, end: 999 }],
    ['bytes=0-', 1000, { start: 0, end: 999 }],
    ['bytes=900-5000', 1000, { start: 900, end: 999 }],
    ['bytes=-100', 1000, { start: 900, end: 999 }],
    ['bytes=-5000', 1000, { start: 0, end: 999 }],
    [' bytes=10-20 ', 1000, { start: 10, end: 20 }],
    ['bytes=1000-', 1000, 'unsatisfiable'],
    ['bytes=1000-1001', 1000, 'unsatisfiable'],
    ['bytes=-0', 1000, 'unsatisfiable'],
    ['bytes=0-', 0, 'unsatisfiable'],
    ['bytes=-10', 0, 'unsatisfiable'],
    // Not understood: served whole (RFC 9110 lets a server ignore such a Range).
    ['bytes=20-10', 1000, null],
    ['bytes=-', 1000, null],
    ['bytes=a-b', 1000, null],
    ['items=0-10', 1000, null],
    ['bytes=0-10,20-30', 1000, null],
    ['bytes=99999999999999999999-', 1000, null]
  ] as const)('%j of %d bytes → %j', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected)
  })
})
