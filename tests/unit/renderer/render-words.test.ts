import { describe, expect, it } from 'vitest'
import type { RenderSummary } from '../../../src/shared/ipc'
import { renderWords } from '../../../src/renderer/src/export/render-words'

function smart(copiedFraction: number): RenderSummary {
  return { mode: 'smart', copiedFraction, reason: null }
}

function full(reason: string | null): RenderSummary {
  return { mode: 'full', copiedFraction: 0, reason }
}

describe('renderWords: how a finished export was made', () => {
  it.each<[string, RenderSummary | undefined, string | null]>([
    ['main did not say', undefined, null],
    ['smart, most copied', smart(0.962), 'Fast export: 96% copied'],
    [
      'smart, rounded down: anything re-encoded is never 100%',
      smart(0.9996),
      'Fast export: 99% copied'
    ],
    ['smart, nothing re-encoded (no edits)', smart(1), 'Fast export: 100% copied'],
    ['smart, a sliver copied is not 0%', smart(0.004), 'Fast export: under 1% copied'],
    ['smart, nothing copied', smart(0), 'Fast export: 0% copied'],
    ['smart, out of range clamps', smart(1.2), 'Fast export: 100% copied'],
    ['smart, no number', smart(Number.NaN), 'Fast export'],
    [
      'full, a reason as a sentence',
      full('The size preset scales the video.'),
      'Full export: the size preset scales the video'
    ],
    [
      'full, a reason starting with a codec keeps its capitals',
      full('VP9 video cannot be copied into MP4'),
      'Full export: VP9 video cannot be copied into MP4'
    ],
    [
      'full, H.264 is a name',
      full('H.264 layout not recognised'),
      'Full export: H.264 layout not recognised'
    ],
    [
      'full, an environment variable',
      full('SIDECAST_SMART_RENDER=0 is set'),
      'Full export: SIDECAST_SMART_RENDER=0 is set'
    ],
    ['full, a one-letter first word', full('A cut needs …'), 'Full export: a cut needs …'],
    ['full, no reason given', full(null), 'Full export: every frame re-encoded'],
    ['full, a blank reason', full('  . '), 'Full export: every frame re-encoded']
  ])('%s', (_case, render, words) => {
    expect(renderWords(render)).toBe(words)
  })
})
