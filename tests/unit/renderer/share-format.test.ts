import { describe, expect, it } from 'vitest'
import {
  fileName,
  formatPercent,
  formatShortUrl,
  formatSpeed,
  formatTimeLeft,
  percentOf
} from '../../../src/renderer/src/format'
import { libraryMissing } from '../../../src/renderer/src/share/library-status'

describe('formatSpeed', () => {
  it.each([
    [null, null],
    [0, null],
    [-5, null],
    [Number.NaN, null],
    [400, '1 kB/s'],
    [12_345, '12 kB/s'],
    [999_499, '999 kB/s'],
    [1_000_000, '1.0 MB/s'],
    [4_200_000, '4.2 MB/s'],
    [123_456_789, '123.5 MB/s'],
    [2_500_000_000, '2.50 GB/s']
  ])('%s B/s → %s', (bps, expected) => {
    expect(formatSpeed(bps)).toBe(expected)
  })
})

describe('formatTimeLeft', () => {
  it.each([
    [null, null],
    [-1, null],
    [Number.POSITIVE_INFINITY, null],
    [0, '1 s left'],
    [200, '1 s left'],
    [12_000, '12 s left'],
    [12_001, '13 s left'],
    [59_000, '59 s left'],
    [60_000, '1 min left'],
    [72_000, '1 min left'],
    [90_000, '2 min left'],
    [59 * 60_000, '59 min left'],
    [3_600_000, '1 h left'],
    [3_900_000, '1 h 5 min left'],
    [2 * 3_600_000 + 30 * 60_000, '2 h 30 min left']
  ])('%s ms → %s', (ms, expected) => {
    expect(formatTimeLeft(ms)).toBe(expected)
  })
})

describe('formatPercent', () => {
  it.each([
    [0, '0%'],
    [0.004, '0%'],
    [0.29, '29%'],
    [0.42, '42%'],
    [0.999, '99%'],
    [1, '100%'],
    [1.3, '100%'],
    [-0.2, '0%'],
    [Number.NaN, '0%']
  ])('%s → %s', (fraction, expected) => {
    expect(formatPercent(fraction)).toBe(expected)
  })

  it('percentOf gives the same number as the text', () => {
    for (let i = 0; i <= 100; i++) expect(formatPercent(i / 100)).toBe(`${percentOf(i / 100)}%`)
    for (let i = 0; i <= 100; i++) expect(percentOf(i / 100)).toBe(i)
  })
})

describe('formatShortUrl', () => {
  it.each([
    ['https://library.example.com/v/abc', 'library.example.com/v/abc'],
    ['http://127.0.0.1:8080/v/1/', '127.0.0.1:8080/v/1'],
    ['library.example.com', 'library.example.com']
  ])('%s → %s', (url, expected) => {
    expect(formatShortUrl(url)).toBe(expected)
  })

  it('elides the middle of a long link and keeps its start and end', () => {
    const url = 'https://library.example.com/v/8f3a9c21d7e04b6b9a1c2d3e4f5a6b7c'
    const short = formatShortUrl(url, 30)
    expect(short.length).toBe(30)
    expect(short.startsWith('library.example.com/')).toBe(true)
    expect(short.endsWith('6b7c')).toBe(true)
    expect(short).toContain('…')
  })
})

describe('fileName', () => {
  it.each([
    ['/a/b/clip.mp4', 'clip.mp4'],
    ['C:\\Users\\ada\\exports\\demo (2).mp4', 'demo (2).mp4'],
    ['plain.mp4', 'plain.mp4']
  ])('%s → %s', (path, expected) => {
    expect(fileName(path)).toBe(expected)
  })
})

describe('libraryMissing', () => {
  const base = {
    tokenEncrypted: true,
    managed: { url: false, token: false },
    shareWhileRecording: false,
    shareWhileRecordingManaged: false
  }
  it.each([
    [{ url: '', hasToken: false }, /address and an access token/],
    [{ url: '', hasToken: true }, /address\.$/],
    [{ url: 'https://lib.example', hasToken: false }, /access token/],
    [{ url: 'https://lib.example', hasToken: true }, null]
  ])('%o', (config, expected) => {
    const result = libraryMissing({ ...base, ...config })
    if (expected === null) expect(result).toBeNull()
    else expect(result).toMatch(expected)
  })
})
