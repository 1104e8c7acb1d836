import { describe, expect, it } from 'vitest'
import { SidecastError } from '../../../src/shared/errors'
import {
  cutRange,
  isWholeRecording,
  keptDurationMs,
  mapRangeToOutput,
  nextPlayableTime,
  normalizeKeep,
  snapToFrame,
  toOutputTime,
  toRecordingTime,
  trimIn,
  trimOut,
  type TimeRange
} from '../../../src/shared/timeline'

const DURATION = 10_000

describe('normalizeKeep', () => {
  const cases: [string, readonly TimeRange[] | undefined, number, TimeRange[]][] = [
    ['absent means the whole recording', undefined, DURATION, [[0, DURATION]]],
    ['empty means the whole recording', [], DURATION, [[0, DURATION]]],
    [
      'already tidy',
      [
        [0, 1000],
        [2000, 3000]
      ],
      DURATION,
      [
        [0, 1000],
        [2000, 3000]
      ]
    ],
    [
      'unsorted',
      [
        [5000, 6000],
        [1000, 2000]
      ],
      DURATION,
      [
        [1000, 2000],
        [5000, 6000]
      ]
    ],
    [
      'overlapping',
      [
        [1000, 3000],
        [2000, 4000]
      ],
      DURATION,
      [[1000, 4000]]
    ],
    [
      'one inside another',
      [
        [1000, 5000],
        [2000, 3000]
      ],
      DURATION,
      [[1000, 5000]]
    ],
    [
      'touching',
      [
        [1000, 2000],
        [2000, 3000]
      ],
      DURATION,
      [[1000, 3000]]
    ],
    ['past the end', [[8000, 12_000]], DURATION, [[8000, DURATION]]],
    [
      'entirely past the end',
      [
        [1000, 2000],
        [11_000, 12_000]
      ],
      DURATION,
      [[1000, 2000]]
    ],
    ['negative start', [[-500, 1000]], DURATION, [[0, 1000]]],
    [
      'zero-length ranges dropped',
      [
        [1000, 1000],
        [2000, 3000]
      ],
      DURATION,
      [[2000, 3000]]
    ],
    [
      'backwards ranges dropped',
      [
        [3000, 2000],
        [4000, 5000]
      ],
      DURATION,
      [[4000, 5000]]
    ],
    ['nothing inside the recording', [[11_000, 12_000]], DURATION, []],
    ['no duration, no range', [], 0, []],
    [
      'several merges',
      [
        [0, 10],
        [5, 20],
        [20, 30],
        [40, 50]
      ],
      DURATION,
      [
        [0, 30],
        [40, 50]
      ]
    ]
  ]
  it.each(cases)('%s', (_name, keep, duration, expected) => {
    expect(normalizeKeep(keep, duration)).toEqual(expected)
  })
})

describe('isWholeRecording', () => {
  const cases: [readonly TimeRange[], boolean][] = [
    [[], true],
    [[[0, DURATION]], true],
    [
      [
        [0, 5000],
        [5000, DURATION]
      ],
      true
    ],
    [[[0, 20_000]], true],
    [[[1, DURATION]], false],
    [
      [
        [0, 5000],
        [6000, DURATION]
      ],
      false
    ]
  ]
  it.each(cases)('%j → %s', (keep, expected) => {
    expect(isWholeRecording(keep, DURATION)).toBe(expected)
  })
})

// Kept: 1–3 s, 5–6 s, 8–10 s of a 10 s recording → 5 s of output.
const KEEP = normalizeKeep(
  [
    [1000, 3000],
    [5000, 6000],
    [8000, 10_000]
  ],
  DURATION
)

describe('keptDurationMs', () => {
  it.each([
    [normalizeKeep([], DURATION), DURATION],
    [KEEP, 5000],
    [normalizeKeep([[11_000, 12_000]], DURATION), 0]
  ])('%j → %d', (keep, expected) => {
    expect(keptDurationMs(keep)).toBe(expected)
  })
})

describe('toOutputTime', () => {
  it.each([
    [0, null],
    [999, null],
    [1000, 0],
    [2500, 1500],
    [2999, 1999],
    [3000, null],
    [4000, null],
    [5000, 2000],
    [5999, 2999],
    [6000, null],
    [8000, 3000],
    [9999, 4999],
    [10_000, 5000], // the end of the last kept range is the output's end
    [10_001, null]
  ])('recording %d ms → output %s', (recordingMs, expected) => {
    expect(toOutputTime(recordingMs, KEEP)).toBe(expected)
  })

  it('is the identity without cuts', () => {
    const whole = normalizeKeep([], DURATION)
    for (const t of [0, 1, 4321, DURATION]) expect(toOutputTime(t, whole)).toBe(t)
  })
})

describe('toRecordingTime', () => {
  it.each([
    [-100, 1000],
    [0, 1000],
    [1500, 2500],
    [1999, 2999],
    [2000, 5000], // a boundary shows the later range's first frame
    [2999, 5999],
    [3000, 8000],
    [4999, 9999],
    [5000, 10_000],
    [9000, 10_000]
  ])('output %d ms → recording %d ms', (outputMs, expected) => {
    expect(toRecordingTime(outputMs, KEEP)).toBe(expected)
  })

  it('inverts toOutputTime for every kept moment', () => {
    for (let t = 0; t <= DURATION; t += 250) {
      const out = toOutputTime(t, KEEP)
      if (out !== null) expect(toRecordingTime(out, KEEP)).toBe(t)
    }
  })
})

describe('mapRangeToOutput', () => {
  const cases: [string, number, number, TimeRange[]][] = [
    ['inside one kept range', 1500, 2500, [[500, 1500]]],
    ['entirely cut', 3500, 4500, []],
    ['before everything kept', 0, 1000, []],
    ['starts in a cut', 4000, 5500, [[2000, 2500]]],
    ['ends in a cut', 2500, 4000, [[1500, 2000]]],
    ['spans one cut', 2500, 5500, [[1500, 2500]]],
    ['spans several cuts', 2000, 9000, [[1000, 4000]]],
    ['the whole recording', 0, DURATION, [[0, 5000]]],
    ['past the end', 9500, 12_000, [[4500, 5000]]],
    ['empty span', 2000, 2000, []]
  ]
  it.each(cases)('%s', (_name, start, end, expected) => {
    expect(mapRangeToOutput(start, end, KEEP)).toEqual(expected)
  })

  it('lasts exactly the kept part of the span', () => {
    const pieces = mapRangeToOutput(2500, 9000, KEEP)
    const shown = pieces.reduce((sum, [s, e]) => sum + (e - s), 0)
    // 2.5–3 s, 5–6 s and 8–9 s are kept.
    expect(shown).toBe(500 + 1000 + 1000)
  })
})

describe('cutRange', () => {
  const cases: [string, readonly TimeRange[], number, number, TimeRange[]][] = [
    [
      'a middle cut from the whole',
      [],
      4000,
      6000,
      [
        [0, 4000],
        [6000, DURATION]
      ]
    ],
    [
      'a second cut',
      [
        [0, 4000],
        [6000, DURATION]
      ],
      7000,
      8000,
      [
        [0, 4000],
        [6000, 7000],
        [8000, DURATION]
      ]
    ],
    [
      'a cut across an earlier cut',
      [
        [0, 4000],
        [6000, DURATION]
      ],
      3000,
      7000,
      [
        [0, 3000],
        [7000, DURATION]
      ]
    ],
    ['a cut at the start', [], 0, 1000, [[1000, DURATION]]],
    ['a cut at the end', [], 9000, DURATION, [[0, 9000]]],
    ['a cut past the end is clamped', [], 9000, 20_000, [[0, 9000]]],
    [
      'a cut inside a cut changes nothing',
      [
        [0, 4000],
        [6000, DURATION]
      ],
      4500,
      5500,
      [
        [0, 4000],
        [6000, DURATION]
      ]
    ],
    ['an empty cut changes nothing', [], 5000, 5000, [[0, DURATION]]],
    ['a backwards cut changes nothing', [], 6000, 5000, [[0, DURATION]]],
    [
      'a cut removing a whole kept range',
      [
        [0, 2000],
        [3000, 4000],
        [5000, 6000]
      ],
      2500,
      4500,
      [
        [0, 2000],
        [5000, 6000]
      ]
    ]
  ]
  it.each(cases)('%s', (_name, keep, start, end, expected) => {
    expect(cutRange(keep, start, end, DURATION)).toEqual(expected)
  })

  it.each([
    ['everything', [], 0, DURATION],
    ['more than everything', [], -100, 20_000],
    ['all that is left', [[2000, 3000]], 1000, 4000]
  ] as [string, TimeRange[], number, number][])(
    'refuses to cut %s (an empty list would mean the whole recording)',
    (_name, keep, start, end) => {
      expect(() => cutRange(keep, start, end, DURATION)).toThrow(SidecastError)
      expect(() => cutRange(keep, start, end, DURATION)).toThrow(/whole recording/)
    }
  )
})

describe('trimIn and trimOut', () => {
  const withCut: TimeRange[] = [
    [1000, 4000],
    [6000, 9000]
  ]
  const inCases: [string, readonly TimeRange[], number, TimeRange[]][] = [
    ['from the whole', [], 2000, [[2000, DURATION]]],
    [
      'later, inside the first range',
      withCut,
      2000,
      [
        [2000, 4000],
        [6000, 9000]
      ]
    ],
    [
      'earlier, undoing part of the trim',
      withCut,
      500,
      [
        [500, 4000],
        [6000, 9000]
      ]
    ],
    [
      'back to the very start',
      withCut,
      0,
      [
        [0, 4000],
        [6000, 9000]
      ]
    ],
    ['inside a cut: the output starts after it', withCut, 5000, [[6000, 9000]]],
    ['past a cut, inside a later range', withCut, 7000, [[7000, 9000]]],
    ['negative is clamped to 0', [], -50, [[0, DURATION]]]
  ]
  it.each(inCases)('trimIn %s', (_name, keep, at, expected) => {
    expect(trimIn(keep, at, DURATION)).toEqual(expected)
  })

  const outCases: [string, readonly TimeRange[], number, TimeRange[]][] = [
    ['from the whole', [], 8000, [[0, 8000]]],
    [
      'earlier, inside the last range',
      withCut,
      8000,
      [
        [1000, 4000],
        [6000, 8000]
      ]
    ],
    [
      'later, undoing part of the trim',
      withCut,
      9500,
      [
        [1000, 4000],
        [6000, 9500]
      ]
    ],
    [
      'to the very end',
      withCut,
      DURATION,
      [
        [1000, 4000],
        [6000, DURATION]
      ]
    ],
    [
      'past the end is clamped',
      withCut,
      99_000,
      [
        [1000, 4000],
        [6000, DURATION]
      ]
    ],
    ['inside a cut: the output ends before it', withCut, 5000, [[1000, 4000]]],
    ['before a cut, inside an earlier range', withCut, 2000, [[1000, 2000]]]
  ]
  it.each(outCases)('trimOut %s', (_name, keep, at, expected) => {
    expect(trimOut(keep, at, DURATION)).toEqual(expected)
  })

  it('refuses a trim that leaves nothing', () => {
    expect(() => trimIn(withCut, 9000, DURATION)).toThrow(/whole recording/)
    expect(() => trimOut(withCut, 1000, DURATION)).toThrow(/whole recording/)
  })
})

describe('nextPlayableTime', () => {
  it.each([
    [0, 1000],
    [999, 1000],
    [1000, 1000],
    [2999, 2999],
    [3000, 5000],
    [4000, 5000],
    [5500, 5500],
    [6000, 8000],
    [9999, 9999],
    [10_000, null],
    [12_000, null]
  ])('at %d ms → %s', (recordingMs, expected) => {
    expect(nextPlayableTime(recordingMs, KEEP)).toBe(expected)
  })
})

describe('snapToFrame', () => {
  it.each([
    [0, 30, 0],
    [16, 30, 0],
    [17, 30, 33],
    [34, 30, 33],
    [50, 30, 67],
    [1000, 30, 1000],
    [1010, 25, 1000],
    [1021, 25, 1040],
    [1234, 60, 1233],
    [1234.4, 0, 1234], // no frame rate known: whole milliseconds
    [1234, Number.NaN, 1234]
  ])('%d ms at %d fps → %d ms', (ms, fps, expected) => {
    expect(snapToFrame(ms, fps)).toBe(expected)
  })
})
