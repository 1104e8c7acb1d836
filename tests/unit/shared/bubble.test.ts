/** The camera bubble's shared geometry and timing (src/shared/bubble.ts), table-style. */
import { describe, expect, it } from 'vitest'
import {
  BUBBLE_BORDER_COLOR,
  BUBBLE_MARGIN,
  CORNERS,
  DEFAULT_BUBBLE_SIZE,
  bubbleBorderPx,
  bubbleBox,
  bubbleHiddenAt,
  bubbleRadiusPx,
  bubbleShownRanges,
  cornerSpot,
  defaultBubble,
  effectiveBubble,
  hideBubbleFrom,
  placeBubble,
  resizeBubble,
  showBubbleFrom,
  snapBubble,
  type FrameSize
} from '../../../src/shared/bubble'
import { BUBBLE_MAX_SIZE, BUBBLE_MIN_SIZE, type Bubble } from '../../../src/shared/edits'
import type { TimeRange } from '../../../src/shared/timeline'

const HD: FrameSize = { width: 1920, height: 1080 }
const PORTRAIT: FrameSize = { width: 1080, height: 1920 }

function bubble(over: Partial<Bubble> = {}): Bubble {
  return { x: 0.5, y: 0.5, size: 0.22, shape: 'circle', hidden: [], ...over }
}

describe('bubbleBox', () => {
  it('turns fractions into whole pixels: left from the width, top and side from the height', () => {
    // 0.22 × 1080 = 237.6 → the nearest even side, 238.
    expect(bubbleBox(bubble(), HD)).toEqual({ x: 960, y: 540, size: 238 })
    expect(bubbleBox(bubble({ x: 0.1, y: 0.2, size: 0.1 }), HD)).toEqual({
      x: 192,
      y: 216,
      size: 108
    })
  })

  it('rounds the side to an even number of pixels (ffmpeg scales and crops in pairs)', () => {
    // 0.101 × 1000 = 101 px: odd, goes up to 102.
    expect(bubbleBox(bubble({ size: 0.101 }), { width: 1000, height: 1000 }).size).toBe(102)
    const frames: FrameSize[] = [
      HD,
      PORTRAIT,
      { width: 999, height: 1001 },
      { width: 501, height: 777 }
    ]
    for (const frame of frames) {
      for (let size = BUBBLE_MIN_SIZE; size <= BUBBLE_MAX_SIZE; size += 0.0137) {
        const box = bubbleBox(bubble({ size }), frame)
        expect(box.size % 2, `${frame.width}×${frame.height} size ${size}`).toBe(0)
        expect(box.size).toBeGreaterThanOrEqual(2)
      }
    }
  })

  it('puts the corner on even pixels (ffmpeg overlays yuv420p only there), still inside the frame', () => {
    // 0.016875 × 640 = 10.8 and 0.08 × 360 = 28.8: at 11 and 29 export would draw it a pixel off.
    expect(
      bubbleBox(bubble({ x: 0.016875, y: 0.08, size: 0.22 }), { width: 640, height: 360 })
    ).toEqual({
      x: 10,
      y: 28,
      size: 80
    })
    const frames: FrameSize[] = [HD, { width: 641, height: 361 }, { width: 999, height: 777 }]
    for (const frame of frames) {
      for (let x = 0; x <= 1; x += 0.0173) {
        const box = bubbleBox(bubble({ x, y: 1 - x }), frame)
        expect(box.x % 2, `${frame.width}×${frame.height} x ${x}`).toBe(0)
        expect(box.y % 2, `${frame.width}×${frame.height} x ${x}`).toBe(0)
        expect(box.x + box.size).toBeLessThanOrEqual(frame.width)
        expect(box.y + box.size).toBeLessThanOrEqual(frame.height)
      }
    }
  })

  it.each<[string, Partial<Bubble>, FrameSize, { x: number; y: number; size: number }]>([
    ['past the right and bottom edges', { x: 1, y: 1 }, HD, { x: 1682, y: 842, size: 238 }],
    ['before the left and top edges', { x: -0.2, y: -0.1 }, HD, { x: 0, y: 0, size: 238 }],
    // 0.6 × 1920 = 1152 would be wider than the 1080 frame: the side is the frame's width.
    [
      'wider than a portrait frame',
      { x: 0.5, y: 0.9, size: 0.6 },
      PORTRAIT,
      { x: 0, y: 840, size: 1080 }
    ],
    // An odd-sized frame: the side is the largest even number that fits (500 of 501).
    [
      'larger than an odd, narrow frame',
      { x: 0, y: 0, size: 0.6 },
      { width: 501, height: 1001 },
      { x: 0, y: 0, size: 500 }
    ]
  ])('stays inside the frame: %s', (_name, over, frame, box) => {
    const result = bubbleBox(bubble(over), frame)
    expect(result).toEqual(box)
    expect(result.x + result.size).toBeLessThanOrEqual(frame.width)
    expect(result.y + result.size).toBeLessThanOrEqual(frame.height)
  })

  it('gives a frame too small for any bubble a 2-pixel box at its corner, never a negative one', () => {
    expect(bubbleBox(bubble({ x: 0.9, y: 0.9 }), { width: 1, height: 1 })).toEqual({
      x: 0,
      y: 0,
      size: 2
    })
  })
})

describe('bubbleBorderPx and bubbleRadiusPx', () => {
  it.each([
    [238, 5], // 2 % of 238 = 4.76
    [500, 10],
    [20, 1], // 0.4 rounds to 0: at least one pixel
    [2, 1]
  ])('a %i px bubble has a %i px border', (size, border) => {
    expect(bubbleBorderPx(size)).toBe(border)
  })

  it('rounds a circle fully and a rounded square by a fifth of its side', () => {
    expect(bubbleRadiusPx('circle', 238)).toBe(119)
    expect(bubbleRadiusPx('rounded', 238)).toBeCloseTo(47.6, 9)
    expect(bubbleRadiusPx('rounded', 100)).toBeCloseTo(20, 9)
  })

  it('draws the border in white', () => {
    expect(BUBBLE_BORDER_COLOR).toMatch(/^#[0-9a-f]{6}$/)
    expect(BUBBLE_BORDER_COLOR).toBe('#ffffff')
  })
})

describe('cornerSpot', () => {
  it.each<[(typeof CORNERS)[number], { x: number; y: number }]>([
    // 0.03 of the height across is 0.016875 of a 16:9 width; the side 0.22 is 0.12375 of it.
    ['top-left', { x: 0.016875, y: 0.03 }],
    ['top-right', { x: 0.859375, y: 0.03 }],
    ['bottom-left', { x: 0.016875, y: 0.75 }],
    ['bottom-right', { x: 0.859375, y: 0.75 }]
  ])('%s of a 16:9 frame', (corner, spot) => {
    const result = cornerSpot(corner, 0.22, HD)
    expect(result.x).toBeCloseTo(spot.x, 6)
    expect(result.y).toBeCloseTo(spot.y, 6)
  })

  it('leaves the same gap, in pixels, to both edges it sits against', () => {
    const margin = BUBBLE_MARGIN * HD.height // 32.4 px
    for (const corner of CORNERS) {
      const box = bubbleBox(bubble(cornerSpot(corner, 0.22, HD)), HD)
      const gapX = corner.endsWith('left') ? box.x : HD.width - box.x - box.size
      const gapY = corner.startsWith('top') ? box.y : HD.height - box.y - box.size
      expect(Math.abs(gapX - margin), corner).toBeLessThanOrEqual(1)
      expect(Math.abs(gapY - margin), corner).toBeLessThanOrEqual(1)
    }
  })

  it('never puts a bubble wider than the frame at a negative left edge', () => {
    expect(cornerSpot('bottom-right', 0.6, { width: 500, height: 1000 })).toEqual({ x: 0, y: 0.37 })
  })
})

describe('defaultBubble and effectiveBubble', () => {
  it('starts as a circle in the bottom-left corner, shown throughout', () => {
    expect(defaultBubble(HD)).toEqual({
      x: 0.016875,
      y: 0.75,
      size: DEFAULT_BUBBLE_SIZE,
      shape: 'circle',
      hidden: []
    })
  })

  it('is hidden where the camera was switched off while recording (merged, sorted)', () => {
    const camera = {
      offRanges: [
        [5000, 6000],
        [1000, 2000],
        [1500, 2500]
      ] as const
    }
    expect(defaultBubble(HD, camera).hidden).toEqual([
      [1000, 2500],
      [5000, 6000]
    ])
  })

  it('is the placed bubble when there is one, else the default', () => {
    const placed = bubble({ shape: 'rounded' })
    expect(effectiveBubble(placed, HD, { offRanges: [[0, 10]] })).toBe(placed)
    expect(effectiveBubble(undefined, HD, { offRanges: [[0, 10]] })).toEqual({
      ...defaultBubble(HD),
      hidden: [[0, 10]]
    })
  })
})

describe('snapBubble', () => {
  const topRight = cornerSpot('top-right', 0.22, HD)

  it('pulls a bubble dropped near a corner onto its spot, keeping the rest', () => {
    const near = bubble({
      x: topRight.x - 0.01,
      y: topRight.y + 0.01,
      shape: 'rounded',
      hidden: [[1, 2]]
    })
    expect(snapBubble(near, HD)).toEqual({ ...near, ...topRight })
  })

  it('measures the pull in frame heights, the same across as down', () => {
    // 0.035 of the height to the right of the spot: within the 0.04 pull.
    const across = bubble({ x: topRight.x - 0.035 / (16 / 9), y: topRight.y })
    expect(snapBubble(across, HD)).toEqual({ ...across, ...topRight })
    // 0.045 of the height: outside it.
    const further = bubble({ x: topRight.x - 0.045 / (16 / 9), y: topRight.y })
    expect(snapBubble(further, HD)).toBe(further)
  })

  it('leaves a bubble far from every corner where it is', () => {
    const middle = bubble()
    expect(snapBubble(middle, HD)).toBe(middle)
    const belowSpot = bubble({ ...topRight, y: topRight.y + 0.05 })
    expect(snapBubble(belowSpot, HD)).toBe(belowSpot)
  })

  it('snaps each corner', () => {
    for (const corner of CORNERS) {
      const spot = cornerSpot(corner, 0.3, HD)
      const snapped = snapBubble(bubble({ size: 0.3, x: spot.x + 0.005, y: spot.y - 0.005 }), HD)
      expect({ x: snapped.x, y: snapped.y }, corner).toEqual(spot)
    }
  })
})

describe('placeBubble', () => {
  it.each<[string, number, number, FrameSize, { x: number; y: number }]>([
    ['inside: as given', 0.3, 0.4, HD, { x: 0.3, y: 0.4 }],
    ['before the edges: at them', -0.2, -1, HD, { x: 0, y: 0 }],
    // The side 0.22 of the height is 0.12375 of the width: the left edge can be at most 0.87625.
    ['past the edges: flush with them', 0.95, 2, HD, { x: 0.87625, y: 0.78 }],
    // Wider than the frame: at its left edge.
    ['wider than a portrait frame', 0.3, 0.1, PORTRAIT, { x: 0, y: 0.1 }]
  ])('%s', (_name, x, y, frame, spot) => {
    const b = bubble({ size: frame === PORTRAIT ? 0.6 : 0.22, shape: 'rounded', hidden: [[5, 9]] })
    const placed = placeBubble(b, x, y, frame)
    expect(placed).toEqual({ ...b, ...spot })
  })

  it('rounds to six decimals (files stay readable)', () => {
    const placed = placeBubble(bubble(), 0.123456789, 0.987654321 - 0.5, HD)
    expect(placed.x).toBe(0.123457)
    expect(placed.y).toBe(0.487654)
  })
})

describe('resizeBubble', () => {
  it.each<[string, number, FrameSize, number]>([
    ['within the limits: as asked', 0.3, HD, 0.3],
    ['too big: the largest', 0.9, HD, BUBBLE_MAX_SIZE],
    ['too small: the smallest', 0.01, HD, BUBBLE_MIN_SIZE],
    // A 9:16 frame is 0.5625 of its height wide: no bubble may be wider than that.
    ['in a portrait frame: no wider than it', 0.6, PORTRAIT, 0.5625]
  ])('%s', (_name, size, frame, expected) => {
    expect(resizeBubble(bubble({ x: 0, y: 0 }), size, frame).size).toBeCloseTo(expected, 6)
  })

  it('keeps the top-left corner while it fits', () => {
    const resized = resizeBubble(bubble({ x: 0.1, y: 0.2, shape: 'rounded' }), 0.3, HD)
    expect(resized).toEqual(bubble({ x: 0.1, y: 0.2, size: 0.3, shape: 'rounded' }))
  })

  it('moves a grown bubble in from the edges so it stays inside the frame', () => {
    const corner = bubble({ ...cornerSpot('bottom-right', 0.22, HD) })
    const grown = resizeBubble(corner, 0.4, HD)
    expect(grown.size).toBe(0.4)
    expect(grown.x).toBeCloseTo(1 - 0.4 / (16 / 9), 6)
    expect(grown.y).toBeCloseTo(0.6, 6)
    const box = bubbleBox(grown, HD)
    expect(box.x + box.size).toBeLessThanOrEqual(HD.width)
    expect(box.y + box.size).toBeLessThanOrEqual(HD.height)
  })
})

describe('hiding and showing from the playhead', () => {
  const DURATION = 10_000

  it('bubbleHiddenAt: half-open ranges', () => {
    const b = bubble({ hidden: [[1000, 2000]] })
    expect([999, 1000, 1999, 2000].map((ms) => bubbleHiddenAt(b, ms))).toEqual([
      false,
      true,
      true,
      false
    ])
    expect(bubbleHiddenAt(bubble(), 0)).toBe(false)
  })

  it('a sequence of Hide from here / Show from here makes the expected stretches', () => {
    type Step = ['hide' | 'show', number, TimeRange[]]
    const steps: Step[] = [
      ['hide', 2000, [[2000, 10_000]]],
      ['show', 5000, [[2000, 5000]]],
      [
        'hide',
        7000,
        [
          [2000, 5000],
          [7000, 10_000]
        ]
      ],
      [
        'show',
        8000,
        [
          [2000, 5000],
          [7000, 8000]
        ]
      ],
      // Hiding before a hidden stretch hides up to it (and joins it).
      [
        'hide',
        1000,
        [
          [1000, 5000],
          [7000, 8000]
        ]
      ],
      [
        'hide',
        6000,
        [
          [1000, 5000],
          [6000, 8000]
        ]
      ],
      // Showing from the very start of a hidden stretch shows all of it.
      ['show', 1000, [[6000, 8000]]],
      // Showing where it is shown changes nothing.
      ['show', 500, [[6000, 8000]]],
      [
        'hide',
        9999,
        [
          [6000, 8000],
          [9999, 10_000]
        ]
      ]
    ]
    let b = bubble()
    for (const [what, ms, hidden] of steps) {
      b = what === 'hide' ? hideBubbleFrom(b, ms, DURATION) : showBubbleFrom(b, ms)
      expect(b.hidden, `${what} at ${ms}`).toEqual(hidden)
      expect(bubbleHiddenAt(b, ms), `${what} at ${ms}`).toBe(what === 'hide')
    }
  })

  it('hiding at or after the end changes nothing', () => {
    const b = bubble({ hidden: [[1000, 2000]] })
    expect(hideBubbleFrom(b, DURATION, DURATION)).toBe(b)
    expect(hideBubbleFrom(b, DURATION + 5, DURATION)).toBe(b)
  })

  it('hiding where it is already hidden changes nothing (the shown stretch after stays shown)', () => {
    const b = bubble({
      hidden: [
        [1000, 2000],
        [5000, 6000]
      ]
    })
    expect(hideBubbleFrom(b, 1500, DURATION).hidden).toEqual(b.hidden)
    expect(hideBubbleFrom(b, 5000, DURATION).hidden).toEqual(b.hidden)
  })

  it('keeps to whole milliseconds when the playhead is between two (edits.json refuses fractions)', () => {
    const hidden = hideBubbleFrom(bubble(), 2000.4, DURATION)
    expect(hidden.hidden).toEqual([[2000, 10_000]])
    expect(showBubbleFrom(hidden, 4999.6).hidden).toEqual([[2000, 5000]])
  })

  it('keeps the rest of the bubble', () => {
    const b = bubble({ x: 0.1, shape: 'rounded' })
    const { hidden: _h, ...rest } = hideBubbleFrom(b, 10, DURATION)
    const { hidden: _b, ...before } = b
    expect(rest).toEqual(before)
  })
})

describe('bubbleShownRanges', () => {
  const REC = 10_000
  it.each<[string, TimeRange[], { offsetMs: number; durationMs?: number }, TimeRange[]]>([
    ['the camera throughout', [], { offsetMs: 0, durationMs: REC }, [[0, REC]]],
    ['a camera starting late', [], { offsetMs: 1500, durationMs: REC }, [[1500, REC]]],
    // Started 2 s before the screen and lasted 8 s: on the recording's clock, 0 to 6 s.
    [
      'a camera starting first and ending early',
      [],
      { offsetMs: -2000, durationMs: 8000 },
      [[0, 6000]]
    ],
    [
      'hidden stretches, one running past the end',
      [
        [3000, 4000],
        [9000, 12_000]
      ],
      { offsetMs: 0, durationMs: REC },
      [
        [0, 3000],
        [4000, 9000]
      ]
    ],
    [
      'hidden over the camera’s start',
      [[0, 1000]],
      { offsetMs: 500, durationMs: 5000 },
      [[1000, 5500]]
    ],
    ['hidden throughout', [[0, REC]], { offsetMs: 0, durationMs: REC }, []],
    ['a camera of unknown length', [], { offsetMs: 0 }, []],
    ['a camera of no length', [], { offsetMs: 0, durationMs: 0 }, []],
    ['a camera starting after the recording ends', [], { offsetMs: 12_000, durationMs: 3000 }, []],
    ['a camera ending before the recording starts', [], { offsetMs: -5000, durationMs: 4000 }, []]
  ])('%s', (_name, hidden, camera, shown) => {
    expect(bubbleShownRanges({ hidden }, camera, REC)).toEqual(shown)
  })
})
