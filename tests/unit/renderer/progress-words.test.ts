/** The words of a running export or upload: the phase first, time left only with an estimate. */
import { describe, expect, it } from 'vitest'
import {
  isStarting,
  progressLine,
  progressValueText,
  timeLeftWords
} from '../../../src/renderer/src/share/progress-words'

describe('progress words', () => {
  it('is starting until something is measured', () => {
    expect(isStarting(0)).toBe(true)
    expect(isStarting(Number.NaN)).toBe(true)
    expect(isStarting(0.001)).toBe(false)
  })

  it.each([
    [0, null, 'Preparing…'],
    [0, 5000, 'Preparing…'],
    [0.11, null, 'Exporting · 11%'],
    [0.42, 60_000, 'Exporting · 42% · 1 min left'],
    [0.9, 1200, 'Exporting · 90% · 2 s left']
  ])('fraction %d, eta %s → %s', (fraction, etaMs, line) => {
    expect(progressLine({ phase: 'Exporting', starting: 'Preparing…', fraction, etaMs })).toBe(line)
  })

  it('puts extras (a speed) before the time left', () => {
    expect(
      progressLine({
        phase: 'Uploading',
        starting: 'Starting…',
        fraction: 0.5,
        etaMs: 12_000,
        extras: ['4.2 MB/s']
      })
    ).toBe('Uploading · 50% · 4.2 MB/s · 12 s left')
  })

  it('gives screen readers the phase, then the percentage and the time left when known', () => {
    expect(progressValueText(0, null, 'Preparing…')).toBe('Preparing…')
    expect(progressValueText(0.3, null, 'Preparing…')).toBe('30%')
    expect(progressValueText(0.3, 90_000, 'Preparing…')).toBe('30%, 2 min left')
  })

  it('never says "estimating"', () => {
    expect(timeLeftWords(null)).toBeNull()
    expect(timeLeftWords(-1)).toBeNull()
  })
})
