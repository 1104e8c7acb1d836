import { describe, expect, it } from 'vitest'
import { normalizeKeep } from '../../../src/shared/timeline'
import type { Annotation } from '../../../src/shared/edits'
import { packLanes } from '../../../src/renderer/src/editor/timeline/lanes'
import { barLabel, TOOLS } from '../../../src/renderer/src/editor/labels'
import {
  SHORTCUTS,
  ariaKeys,
  comboLabel,
  commandForKey,
  type KeyInput
} from '../../../src/renderer/src/editor/shortcuts'
import {
  FRAME_MS,
  cutParts,
  dragBar,
  percentAt,
  stepTime,
  tickStepMs,
  TICK_STEPS_MS,
  formatTickLabel,
  rulerTicks,
  barPieces,
  ticks,
  timeAtX,
  xAtTime
} from '../../../src/renderer/src/editor/timeline/timeline-geometry'
import { formatClock, formatKept, formatRange } from '../../../src/renderer/src/editor/time-format'
import {
  bucketCount,
  computePeaks,
  peaksForWidth
} from '../../../src/renderer/src/editor/timeline/waveform-peaks'

describe('time formatting', () => {
  it.each([
    [0, '0:00.00'],
    [1234, '0:01.23'],
    [1239.9, '0:01.23'],
    [62_345, '1:02.34'],
    [3_723_450, '1:02:03.45'],
    [-5, '0:00.00'],
    [Number.NaN, '0:00.00']
  ])('formatClock(%s) = %s', (ms, text) => {
    expect(formatClock(ms)).toBe(text)
  })

  it.each([
    [42_000, 60_000, 'Kept 0:42 of 1:00'],
    [60_000, 60_000, 'Kept 1:00 of 1:00'],
    [3_600_000, 7_200_000, 'Kept 1:00:00 of 2:00:00']
  ])('formatKept(%s, %s) = %s', (kept, total, text) => {
    expect(formatKept(kept, total)).toBe(text)
  })

  it('formatRange', () => {
    expect(formatRange(2000, 5500)).toBe('0:02–0:05')
  })
})

describe('pointer x ↔ time', () => {
  it.each([
    { x: 0, width: 500, duration: 60_000, ms: 0 },
    { x: 250, width: 500, duration: 60_000, ms: 30_000 },
    { x: 500, width: 500, duration: 60_000, ms: 60_000 },
    { x: -20, width: 500, duration: 60_000, ms: 0 },
    { x: 900, width: 500, duration: 60_000, ms: 60_000 },
    { x: 1, width: 3, duration: 1000, ms: 333 },
    { x: 10, width: 0, duration: 1000, ms: 0 }
  ])('timeAtX($x of $width) = $ms', ({ x, width, duration, ms }) => {
    expect(timeAtX(x, width, duration)).toBe(ms)
  })

  it.each([
    { ms: 0, width: 800, duration: 60_000, x: 0 },
    { ms: 15_000, width: 800, duration: 60_000, x: 200 },
    { ms: 90_000, width: 800, duration: 60_000, x: 800 },
    { ms: 10, width: 800, duration: 0, x: 0 }
  ])('xAtTime($ms) = $x', ({ ms, width, duration, x }) => {
    expect(xAtTime(ms, width, duration)).toBe(x)
  })

  it('round-trips within a pixel', () => {
    for (const ms of [0, 1234, 33_333, 59_999]) {
      const back = timeAtX(xAtTime(ms, 777, 60_000), 777, 60_000)
      expect(Math.abs(back - ms)).toBeLessThanOrEqual(60_000 / 777)
    }
  })

  it('percentAt clamps', () => {
    expect(percentAt(30_000, 60_000)).toBe(50)
    expect(percentAt(-1, 60_000)).toBe(0)
    expect(percentAt(61_000, 60_000)).toBe(100)
  })
})

describe('stepTime', () => {
  it.each([
    { name: 'a frame forward from 0', ms: 0, dir: 1, big: false, expected: 33 },
    { name: 'two frames forward land on frame 2', ms: 33, dir: 1, big: false, expected: 67 },
    { name: 'a frame back', ms: 67, dir: -1, big: false, expected: 33 },
    { name: 'from between frames, the next boundary', ms: 50, dir: 1, big: false, expected: 67 },
    { name: 'not before 0', ms: 10, dir: -1, big: false, expected: 0 },
    { name: 'not past the end', ms: 59_990, dir: 1, big: false, expected: 60_000 },
    { name: 'a second forward', ms: 1500, dir: 1, big: true, expected: 2500 },
    { name: 'a second back, clamped', ms: 400, dir: -1, big: true, expected: 0 }
  ] as const)('$name', ({ ms, dir, big, expected }) => {
    expect(stepTime(ms, dir, big, 60_000)).toBe(expected)
  })

  it('thirty frame steps are one second', () => {
    let t = 0
    for (let i = 0; i < 30; i++) t = stepTime(t, 1, false, 60_000)
    expect(t).toBe(1000)
    expect(FRAME_MS).toBeCloseTo(33.333, 2)
  })
})

describe('ruler ticks', () => {
  it.each([
    { duration: 60_000, width: 900, step: 5000 },
    { duration: 10_000, width: 1000, step: 1000 },
    { duration: 3_600_000, width: 1000, step: 300_000 },
    { duration: 2000, width: 1000, step: 200 },
    { duration: 3000, width: 700, step: 500 },
    { duration: 1000, width: 1000, step: 100 }
  ])('$duration ms over $width px → every $step ms', ({ duration, width, step }) => {
    const chosen = tickStepMs(duration, width)
    expect(chosen).toBe(step)
    expect((chosen / duration) * width).toBeGreaterThanOrEqual(70)
  })

  it('ticks from 0 to the end', () => {
    expect(ticks(12_000, 5000)).toEqual([0, 5000, 10_000])
    expect(ticks(10_000, 5000)).toEqual([0, 5000, 10_000])
    // Multiples, not sums: no drift at tenths of a second.
    expect(ticks(1000, 200)).toEqual([0, 200, 400, 600, 800, 1000])
  })

  it('every step on the ladder is a whole number of its label unit', () => {
    for (const step of TICK_STEPS_MS) {
      expect(step % (step < 1000 ? 100 : 1000)).toBe(0)
    }
  })

  it('labels at the step’s precision: tenths under a second', () => {
    expect(formatTickLabel(1500, 500)).toBe('0:01.5')
    expect(formatTickLabel(0, 100)).toBe('0:00.0')
    expect(formatTickLabel(65_000, 5000)).toBe('1:05')
    expect(formatTickLabel(3_600_000, 600_000)).toBe('1:00:00')
  })

  // The bug: "0:00 0:00 0:01 0:01" on a 2 s clip.
  it.each([
    { duration: 800, width: 1000 },
    { duration: 2000, width: 1000 },
    { duration: 3000, width: 600 },
    { duration: 3000, width: 1400 },
    { duration: 7300, width: 500 },
    { duration: 61_000, width: 900 },
    { duration: 5_400_000, width: 1200 },
    { duration: 13_000_000, width: 300 }
  ])('no two labels read the same: $duration ms over $width px', ({ duration, width }) => {
    const labels = rulerTicks(normalizeKeep([], duration), duration, width)
      .map((t) => t.label)
      .filter((l) => l !== '')
    expect(labels.length).toBeGreaterThan(1)
    expect(new Set(labels).size).toBe(labels.length)
  })

  it('counts the video’s time over kept parts, no ticks over cut ones', () => {
    // 10 s recording, 1–4 s and 6–9 s kept: 6 s of video, a tick a second.
    const keep = normalizeKeep(
      [
        [1000, 4000],
        [6000, 9000]
      ],
      10_000
    )
    const t = rulerTicks(keep, 10_000, 1000)
    expect(t.map((x) => x.label)).toEqual(['0:00', '0:01', '0:02', '0:03', '0:04', '0:05', '0:06'])
    // 0:03 is where the second kept part starts (the frame shown after the cut).
    expect(t.map((x) => x.atMs)).toEqual([1000, 2000, 3000, 6000, 7000, 8000, 9000])
    expect(t.some((x) => (x.atMs > 4000 && x.atMs < 6000) || x.atMs < 1000)).toBe(false)
  })

  it('leaves out a label too near the end to fit', () => {
    const t = rulerTicks(normalizeKeep([], 10_000), 10_000, 1000)
    expect(t[t.length - 1]).toEqual({ atMs: 10_000, label: '' })
  })
})

describe('callout bars across cuts', () => {
  const keep = normalizeKeep(
    [
      [0, 4000],
      [5000, 10_000]
    ],
    10_000
  )
  it.each([
    { name: 'inside one kept part: whole', start: 1000, end: 3000, pieces: [{ from: 0, to: 1 }] },
    {
      name: 'across a cut: two pieces',
      start: 2000,
      end: 6000,
      pieces: [
        { from: 0, to: 0.5 },
        { from: 0.75, to: 1 }
      ]
    },
    { name: 'starting in a cut', start: 4500, end: 5500, pieces: [{ from: 0.5, to: 1 }] },
    { name: 'all in a cut: nothing', start: 4100, end: 4900, pieces: [] },
    { name: 'empty range', start: 3000, end: 3000, pieces: [] }
  ])('$name', ({ start, end, pieces }) => {
    expect(barPieces(start, end, keep)).toEqual(pieces)
  })

  it('a trimmed start cuts the front of a bar', () => {
    expect(barPieces(0, 2000, normalizeKeep([[1000, 10_000]], 10_000))).toEqual([
      { from: 0.5, to: 1 }
    ])
  })
})

describe('dragBar', () => {
  it.each([
    { mode: 'move', delta: 1000, expected: { startMs: 2000, endMs: 5000 } },
    { mode: 'move', delta: -5000, expected: { startMs: 0, endMs: 3000 } },
    { mode: 'move', delta: 99_000, expected: { startMs: 57_000, endMs: 60_000 } },
    { mode: 'start', delta: 500, expected: { startMs: 1500, endMs: 4000 } },
    { mode: 'start', delta: 5000, expected: { startMs: 3900, endMs: 4000 } },
    { mode: 'start', delta: -2000, expected: { startMs: 0, endMs: 4000 } },
    { mode: 'end', delta: -2999, expected: { startMs: 1000, endMs: 1100 } },
    { mode: 'end', delta: 70_000, expected: { startMs: 1000, endMs: 60_000 } },
    { mode: 'move', delta: 0.6, expected: { startMs: 1001, endMs: 4001 } }
  ] as const)('$mode by $delta', ({ mode, delta, expected }) => {
    expect(dragBar(mode, 1000, 4000, delta, 60_000)).toEqual(expected)
  })
})

describe('cutParts', () => {
  it.each([
    { keep: [], parts: [] },
    { keep: [[1000, 60_000]], parts: [[0, 1000]] },
    {
      keep: [
        [0, 10_000],
        [20_000, 50_000]
      ],
      parts: [
        [10_000, 20_000],
        [50_000, 60_000]
      ]
    }
  ])('keep $keep', ({ keep, parts }) => {
    expect(cutParts(normalizeKeep(keep as [number, number][], 60_000), 60_000)).toEqual(parts)
  })
})

describe('packLanes', () => {
  const item = (id: string, startMs: number, endMs: number) => ({ id, startMs, endMs })

  it.each([
    { name: 'nothing', items: [], lanes: {}, count: 0 },
    { name: 'one', items: [item('a', 0, 10)], lanes: { a: 0 }, count: 1 },
    {
      name: 'apart share a lane',
      items: [item('a', 0, 10), item('b', 20, 30)],
      lanes: { a: 0, b: 0 },
      count: 1
    },
    {
      name: 'touching (half-open) share a lane',
      items: [item('a', 0, 10), item('b', 10, 20)],
      lanes: { a: 0, b: 0 },
      count: 1
    },
    {
      name: 'overlapping take two',
      items: [item('a', 0, 10), item('b', 5, 15)],
      lanes: { a: 0, b: 1 },
      count: 2
    },
    {
      name: 'a freed lane is reused',
      items: [item('a', 0, 10), item('b', 5, 30), item('c', 12, 20), item('d', 25, 40)],
      lanes: { a: 0, b: 1, c: 0, d: 0 },
      count: 2
    },
    {
      name: 'list order does not matter, start time does',
      items: [item('late', 50, 60), item('early', 0, 55)],
      lanes: { early: 0, late: 1 },
      count: 2
    },
    {
      name: 'three at once',
      items: [item('a', 0, 100), item('b', 10, 100), item('c', 20, 100)],
      lanes: { a: 0, b: 1, c: 2 },
      count: 3
    }
  ])('$name', ({ items, lanes, count }) => {
    const packed = packLanes(items)
    expect(Object.fromEntries(packed.laneOf)).toEqual(lanes)
    expect(packed.count).toBe(count)
  })

  it('never puts two overlapping items on one lane', () => {
    const items = Array.from({ length: 40 }, (_, i) => {
      const start = (i * 7919) % 1000
      return item(`i${i}`, start, start + 50 + ((i * 31) % 200))
    })
    const { laneOf } = packLanes(items)
    for (const a of items) {
      for (const b of items) {
        if (a === b || laneOf.get(a.id) !== laneOf.get(b.id)) continue
        expect(a.endMs <= b.startMs || b.endMs <= a.startMs).toBe(true)
      }
    }
  })
})

describe('waveform peaks', () => {
  it('the loudest sample of each slice, scaled so the loudest is 1', () => {
    const samples = Float32Array.from([0, 0.1, -0.2, 0.1, 0.5, -0.4, 0, 0])
    expect([...computePeaks([samples], 4)]).toEqual([
      expect.closeTo(0.2, 5),
      expect.closeTo(0.4, 5),
      expect.closeTo(1, 5),
      0
    ])
  })

  it('takes the louder channel', () => {
    const left = Float32Array.from([0.1, 0.1, 0.1, 0.1])
    const right = Float32Array.from([0, 0, 0.4, 0])
    expect([...computePeaks([left, right], 2)]).toEqual([
      expect.closeTo(0.25, 5),
      expect.closeTo(1, 5)
    ])
  })

  it.each([
    {
      name: 'silence stays 0',
      channels: [new Float32Array(100)],
      buckets: 5,
      expected: [0, 0, 0, 0, 0]
    },
    { name: 'no audio', channels: [], buckets: 3, expected: [0, 0, 0] },
    { name: 'no buckets', channels: [Float32Array.from([1])], buckets: 0, expected: [] },
    {
      name: 'more buckets than samples',
      channels: [Float32Array.from([0.5, -1])],
      buckets: 4,
      expected: [0.5, 0.5, 1, 1]
    }
  ])('$name', ({ channels, buckets, expected }) => {
    expect([...computePeaks(channels, buckets)]).toEqual(expected)
  })

  it('resamples to a width keeping the loudest', () => {
    const peaks = Float32Array.from([0.1, 0.9, 0.2, 0.3, 0.5, 0.4])
    expect([...peaksForWidth(peaks, 3)]).toEqual([
      expect.closeTo(0.9, 5),
      expect.closeTo(0.3, 5),
      expect.closeTo(0.5, 5)
    ])
    expect(peaksForWidth(peaks, 12)).toHaveLength(12)
    expect([...peaksForWidth(new Float32Array(0), 3)]).toEqual([0, 0, 0])
  })

  it.each([
    [0, 1],
    [1000, 50],
    [60_000, 3000],
    [10 * 3_600_000, 20_000]
  ])('bucketCount(%s) = %s', (ms, count) => {
    expect(bucketCount(ms)).toBe(count)
  })
})

describe('shortcuts', () => {
  const key = (k: string, mods: Partial<KeyInput> = {}): KeyInput => ({
    key: k,
    ctrlKey: false,
    metaKey: false,
    shiftKey: false,
    altKey: false,
    ...mods
  })

  it.each([
    [key(' '), 'play-toggle'],
    [key('ArrowLeft'), 'frame-back'],
    [key('ArrowRight'), 'frame-forward'],
    [key('ArrowLeft', { shiftKey: true }), 'second-back'],
    [key('ArrowRight', { shiftKey: true }), 'second-forward'],
    [key('Home'), 'go-start'],
    [key('End'), 'go-end'],
    [key('i'), 'trim-in'],
    [key('I', { shiftKey: true }), null],
    [key('o'), 'trim-out'],
    [key('['), 'mark-in'],
    [key(']'), 'mark-out'],
    [key('x'), 'cut'],
    [key('X'), 'cut'],
    [key('v'), 'tool:select'],
    [key('a'), 'tool:arrow'],
    [key('r'), 'tool:rect'],
    [key('t'), 'tool:callout'],
    [key('h'), 'tool:highlight'],
    [key('b'), 'tool:blur'],
    [key('n'), 'tool:step'],
    [key('Delete'), 'delete'],
    [key('Backspace'), 'delete'],
    [key('d', { ctrlKey: true }), 'duplicate'],
    [key('d', { metaKey: true }), 'duplicate'],
    [key('c', { ctrlKey: true }), 'copy'],
    [key('v', { ctrlKey: true }), 'paste'],
    [key('z', { ctrlKey: true }), 'undo'],
    [key('z', { metaKey: true }), 'undo'],
    [key('Z', { ctrlKey: true, shiftKey: true }), 'redo'],
    [key('y', { ctrlKey: true }), 'redo'],
    [key('?', { shiftKey: true }), 'help'],
    [key('Escape'), 'escape'],
    [key('a', { altKey: true }), null],
    [key('r', { ctrlKey: true, shiftKey: true }), null],
    [key('q'), null],
    [key('d'), null]
  ] as const)('%o → %s', (input, command) => {
    expect(commandForKey(input)).toBe(command)
  })

  it('every command the handler knows is listed once for the help overlay', () => {
    const commands = SHORTCUTS.map((s) => s.command)
    expect(new Set(commands).size).toBe(commands.length)
    for (const { tool } of TOOLS) expect(commands).toContain(`tool:${tool}`)
  })

  it('labels keys for people and for aria-keyshortcuts', () => {
    const redo = SHORTCUTS.find((s) => s.command === 'redo')
    expect(redo && comboLabel(redo.keys[0]!, false)).toEqual(['Ctrl', 'Shift', 'Z'])
    expect(redo && comboLabel(redo.keys[0]!, true)).toEqual(['Cmd', 'Shift', 'Z'])
    expect(ariaKeys('redo', false)).toBe('Control+Shift+Z Control+Y')
    expect(ariaKeys('tool:arrow', false)).toBe('A')
    expect(ariaKeys('play-toggle', false)).toBe('Space')
  })
})

describe('bar labels', () => {
  it('names the callout and when it shows', () => {
    const a = { id: 'a', type: 'arrow', startMs: 2000, endMs: 5000, x1: 0, y1: 0, x2: 1, y2: 1 }
    expect(barLabel('Arrow 1', a as Annotation)).toBe('Arrow 1, 0:02–0:05')
  })

  it('has a distinct tool name per tool', () => {
    expect(new Set(TOOLS.map((t) => t.name)).size).toBe(TOOLS.length)
  })
})
