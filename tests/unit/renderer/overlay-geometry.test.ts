/**
 * The overlay's pure maths: visibility, drawing order, hit-testing, handles, resizing, moving
 * (several together, kept inside the frame), nudging and drawing new annotations.
 */
import { describe, expect, it } from 'vitest'
import {
  boundsOf,
  clampDelta,
  draftFromDrag,
  drawOrder,
  handleAt,
  handlesOf,
  hitTest,
  hits,
  moveChanges,
  movePatch,
  nextStepNumber,
  nudgeChanges,
  resizeBox,
  resizePatch,
  tidyBox,
  visibleAt,
  withPatches,
  type DraftOptions,
  type Point
} from '../../../src/renderer/src/editor/overlay/geometry'
import { drawOverlay } from '../../../src/shared/callouts/draw'
import { loadEdits, type Annotation } from '../../../src/shared/edits'

const FRAME = { width: 1000, height: 500 }
const T = { startMs: 0, endMs: 1000 }

const rect: Annotation = { id: 'r', type: 'rect', ...T, x: 0.1, y: 0.1, w: 0.2, h: 0.2 }
const spot: Annotation = { id: 'h', type: 'highlight', ...T, x: 0.5, y: 0.5, w: 0.2, h: 0.2 }
const blur: Annotation = { id: 'b', type: 'blur', ...T, x: 0.12, y: 0.12, w: 0.1, h: 0.1 }
const arrow: Annotation = { id: 'a', type: 'arrow', ...T, x1: 0.1, y1: 0.8, x2: 0.4, y2: 0.8 }
const step: Annotation = { id: 's', type: 'step', ...T, x: 0.8, y: 0.2, n: 2 }
const callout: Annotation = {
  id: 'c',
  type: 'callout',
  ...T,
  x: 0.6,
  y: 0.6,
  w: 0.3,
  h: 0.1,
  text: 'Hello',
  pointX: 0.5,
  pointY: 0.95
}

/** Every annotation must still load: geometry never produces what loadEdits refuses. */
function assertLoads(annotations: readonly Annotation[]): void {
  expect(() => loadEdits({ version: 1, annotations })).not.toThrow()
}

describe('visibleAt', () => {
  it.each([
    { ms: 999, visible: ['x'] },
    { ms: 1000, visible: ['x', 'y'] },
    { ms: 1999, visible: ['y'] },
    { ms: 2000, visible: [] }
  ])('half-open ranges at $ms ms', ({ ms, visible }) => {
    const list: Annotation[] = [
      { ...rect, id: 'x', startMs: 0, endMs: 1000 + 1 },
      { ...rect, id: 'y', startMs: 1000, endMs: 2000 }
    ]
    expect(visibleAt(list, ms).map((a) => a.id)).toEqual(visible)
  })
})

describe('drawOrder', () => {
  it('matches the order drawOverlay paints in', () => {
    const list = [arrow, spot, rect, blur, step, callout]
    const painted = [...drawOverlay(list, FRAME).matchAll(/data-annotation-id="([^"]+)"/g)].map(
      (m) => m[1]
    )
    expect(drawOrder(list).map((a) => a.id)).toEqual(painted)
  })
})

describe('hitTest', () => {
  const all = [spot, rect, blur, arrow, step, callout]
  const tol = 4 // frame pixels
  it.each<{ name: string; p: Point; expected: string | null }>([
    { name: 'inside a box', p: { x: 0.25, y: 0.25 }, expected: 'r' },
    { name: 'just outside a box, within tolerance', p: { x: 0.303, y: 0.2 }, expected: 'r' },
    { name: 'beyond tolerance', p: { x: 0.32, y: 0.2 }, expected: null },
    {
      name: 'a box is drawn over a blur, so it wins where they overlap',
      p: { x: 0.15, y: 0.15 },
      expected: 'r'
    },
    { name: 'inside a spotlight', p: { x: 0.55, y: 0.55 }, expected: 'h' },
    { name: 'never on the dimmed rest of the frame', p: { x: 0.02, y: 0.5 }, expected: null },
    { name: 'on an arrow shaft', p: { x: 0.25, y: 0.802 }, expected: 'a' },
    { name: 'beside an arrow', p: { x: 0.25, y: 0.86 }, expected: null },
    { name: 'on a step badge', p: { x: 0.805, y: 0.21 }, expected: 's' },
    { name: 'on a callout bubble', p: { x: 0.7, y: 0.65 }, expected: 'c' },
    { name: 'on a callout tail', p: { x: 0.55, y: 0.8 }, expected: 'c' },
    { name: 'a callout over a spotlight is on top', p: { x: 0.65, y: 0.65 }, expected: 'c' }
  ])('$name', ({ p, expected }) => {
    expect(hitTest(all, p, FRAME, tol)).toBe(expected)
  })

  it('the later of two overlapping annotations of one layer is on top', () => {
    const under = { ...rect, id: 'under' }
    const over = { ...rect, id: 'over' }
    expect(hitTest([under, over], { x: 0.2, y: 0.2 }, FRAME, 0)).toBe('over')
  })

  it('a blur sits above a spotlight whatever the list order', () => {
    const b = { ...blur, x: 0.5, y: 0.5 }
    expect(hitTest([b, spot], { x: 0.55, y: 0.55 }, FRAME, 0)).toBe('b')
  })

  it('a callout without a pointer has no tail to hit', () => {
    const { pointX: _x, pointY: _y, ...plain } = callout as Extract<Annotation, { type: 'callout' }>
    expect(hits(plain, { x: 0.55, y: 0.8 }, FRAME, tol)).toBe(false)
  })
})

describe('handles', () => {
  it('a box has eight, an arrow two ends, a step none, a pointing callout its tip too', () => {
    expect(handlesOf(rect).map((h) => h.handle)).toEqual([
      'nw',
      'n',
      'ne',
      'e',
      'se',
      's',
      'sw',
      'w'
    ])
    expect(handlesOf(arrow).map((h) => h.handle)).toEqual(['tail', 'head'])
    expect(handlesOf(step)).toEqual([])
    expect(handlesOf(callout).map((h) => h.handle)).toContain('point')
  })

  it.each([
    { p: { x: 0.3, y: 0.3 }, handle: 'se' },
    { p: { x: 0.2, y: 0.1 }, handle: 'n' },
    { p: { x: 0.104, y: 0.205 }, handle: 'w' },
    { p: { x: 0.2, y: 0.2 }, handle: null }
  ])('the handle at $p is $handle', ({ p, handle }) => {
    expect(handleAt([rect], p, FRAME, 6)?.handle ?? null).toBe(handle)
  })
})

describe('resizeBox', () => {
  const box = { x: 0.2, y: 0.2, w: 0.4, h: 0.4 }
  it.each([
    { handle: 'se', dx: 0.1, dy: 0.1, expected: { x: 0.2, y: 0.2, w: 0.5, h: 0.5 } },
    { handle: 'nw', dx: -0.1, dy: -0.1, expected: { x: 0.1, y: 0.1, w: 0.5, h: 0.5 } },
    { handle: 'e', dx: 0.1, dy: 0.3, expected: { x: 0.2, y: 0.2, w: 0.5, h: 0.4 } },
    { handle: 'n', dx: 0.3, dy: 0.1, expected: { x: 0.2, y: 0.3, w: 0.4, h: 0.3 } },
    // Past the frame's edge: stops at it.
    { handle: 'se', dx: 0.9, dy: 0.9, expected: { x: 0.2, y: 0.2, w: 0.8, h: 0.8 } },
    { handle: 'w', dx: -0.5, dy: 0, expected: { x: 0, y: 0.2, w: 0.6, h: 0.4 } },
    // Past the opposite edge: stops at the minimum size (10 px: 0.01 of 1000, 0.02 of 500).
    { handle: 'e', dx: -0.9, dy: 0, expected: { x: 0.2, y: 0.2, w: 0.01, h: 0.4 } },
    { handle: 's', dx: 0, dy: -0.9, expected: { x: 0.2, y: 0.2, w: 0.4, h: 0.02 } },
    { handle: 'n', dx: 0, dy: 0.9, expected: { x: 0.2, y: 0.58, w: 0.4, h: 0.02 } }
  ] as const)('$handle by ($dx, $dy)', ({ handle, dx, dy, expected }) => {
    const got = resizeBox(box, handle, dx, dy, FRAME, 10)
    for (const key of ['x', 'y', 'w', 'h'] as const) expect(got[key]).toBeCloseTo(expected[key], 5)
  })

  it('moves an arrow end and a callout tip, clamped to the frame', () => {
    expect(resizePatch(arrow, 'head', 0.7, -0.1, FRAME, 10)).toEqual({ x2: 1, y2: 0.7 })
    expect(resizePatch(arrow, 'tail', -0.5, 0, FRAME, 10)).toEqual({ x1: 0, y1: 0.8 })
    expect(resizePatch(callout, 'point', 0.1, 0.2, FRAME, 10)).toEqual({ pointX: 0.6, pointY: 1 })
    expect(resizePatch(step, 'se', 0.1, 0.1, FRAME, 10)).toEqual({})
  })
})

describe('moving', () => {
  it.each([
    { name: 'free', dx: 0.1, dy: -0.05, expected: { dx: 0.1, dy: -0.05 } },
    // rect's right edge is at 0.3 and the arrow's tail at x 0.1: left stops at -0.1.
    { name: 'stops together at the left edge', dx: -0.5, dy: 0, expected: { dx: -0.1, dy: 0 } },
    // The arrow sits at y 0.8: down stops at +0.2.
    { name: 'stops together at the bottom', dx: 0, dy: 0.5, expected: { dx: 0, dy: 0.2 } }
  ])('clampDelta: $name', ({ dx, dy, expected }) => {
    const d = clampDelta([rect, arrow], dx, dy, FRAME)
    expect(d.dx).toBeCloseTo(expected.dx, 9)
    expect(d.dy).toBeCloseTo(expected.dy, 9)
  })

  it('keeps a step badge inside the frame', () => {
    const r = boundsOf(step, FRAME)
    const d = clampDelta([step], 1, -1, FRAME)
    expect(step.x + d.dx + r.w / 2).toBeCloseTo(1, 9)
    expect((step as { y: number }).y + d.dy - r.h / 2).toBeCloseTo(0, 9)
  })

  it('never drags in something already past an edge, nor pushes it further', () => {
    const outside: Annotation = { ...step, x: 0.999 }
    expect(clampDelta([outside], 0.1, 0, FRAME).dx).toBe(0)
    expect(clampDelta([outside], -0.1, 0, FRAME).dx).toBeCloseTo(-0.1, 9)
  })

  it('moves a callout with its tip', () => {
    const patch = movePatch(callout, -0.1, -0.1)
    expect(patch).toEqual({ x: 0.5, y: 0.5, pointX: 0.4, pointY: 0.85 })
  })

  it('a box flush with the right edge stays loadable after moving', () => {
    const flush: Annotation = { ...rect, x: 0.66667, w: 0.33333 }
    const changes = moveChanges([flush], 0.3, 0, FRAME)
    const moved = withPatches([flush], new Map(changes.map((c) => [c.id, c.patch])))
    assertLoads(moved)
    expect(changes).toEqual([]) // already at the edge: nothing to do
  })

  it('moves several by the same amount and reports nothing at an edge', () => {
    const changes = moveChanges([rect, step], 0.05, 0, FRAME)
    expect(changes).toEqual([
      { id: 'r', patch: { x: 0.15, y: 0.1 } },
      { id: 's', patch: { x: 0.85, y: 0.2 } }
    ])
    expect(moveChanges([{ ...rect, x: 0 }], -0.1, 0, FRAME)).toEqual([])
  })
})

describe('nudgeChanges', () => {
  it.each([
    { key: 'ArrowRight', shift: false, patch: { x: 0.101, y: 0.1 } },
    { key: 'ArrowLeft', shift: true, patch: { x: 0.09, y: 0.1 } },
    { key: 'ArrowDown', shift: false, patch: { x: 0.1, y: 0.102 } },
    { key: 'ArrowUp', shift: true, patch: { x: 0.1, y: 0.08 } }
  ])('$key (shift $shift) moves 1 or 10 frame pixels', ({ key, shift, patch }) => {
    expect(nudgeChanges([rect], key, shift, FRAME)).toEqual([{ id: 'r', patch }])
  })

  it('ignores other keys, an empty selection and the frame edge', () => {
    expect(nudgeChanges([rect], 'Enter', false, FRAME)).toEqual([])
    expect(nudgeChanges([], 'ArrowUp', false, FRAME)).toEqual([])
    expect(nudgeChanges([{ ...rect, y: 0 }], 'ArrowUp', false, FRAME)).toEqual([])
  })
})

describe('draftFromDrag', () => {
  const options: DraftOptions = { clickPx: 6, minPx: 12, nextStep: 4 }

  it.each([
    {
      name: 'a box from the drag corners, any direction',
      tool: 'rect',
      start: { x: 0.5, y: 0.6 },
      end: { x: 0.2, y: 0.3 },
      expected: { type: 'rect', x: 0.2, y: 0.3, w: 0.3, h: 0.3 }
    },
    {
      name: 'a click makes a default-size box centred on it',
      tool: 'rect',
      start: { x: 0.5, y: 0.5 },
      end: { x: 0.501, y: 0.5 },
      // 0.3 × 0.2 of the frame height: 150 × 100 px of 1000 × 500.
      expected: { type: 'rect', x: 0.426, y: 0.4, w: 0.15, h: 0.2 }
    },
    {
      name: 'a click near a corner keeps the box inside',
      tool: 'blur',
      start: { x: 0.99, y: 0.99 },
      end: { x: 0.99, y: 0.99 },
      expected: { type: 'blur', x: 0.85, y: 0.88, w: 0.15, h: 0.12 }
    },
    {
      name: 'a tiny drag grows to the minimum size',
      tool: 'highlight',
      start: { x: 0.5, y: 0.5 },
      end: { x: 0.505, y: 0.51 },
      expected: { type: 'highlight', x: 0.5, y: 0.5, w: 0.012, h: 0.024 }
    },
    {
      name: 'a drag beyond the frame is clamped',
      tool: 'rect',
      start: { x: 0.8, y: 0.8 },
      end: { x: 1.4, y: 1.2 },
      expected: { type: 'rect', x: 0.8, y: 0.8, w: 0.2, h: 0.2 }
    },
    {
      name: 'an arrow from press (tail) to release (head)',
      tool: 'arrow',
      start: { x: 0.1, y: 0.2 },
      end: { x: 0.4, y: 0.5 },
      expected: { type: 'arrow', x1: 0.1, y1: 0.2, x2: 0.4, y2: 0.5 }
    },
    {
      name: 'a clicked arrow points at the spot from the upper left',
      tool: 'arrow',
      start: { x: 0.5, y: 0.5 },
      end: { x: 0.5, y: 0.5 },
      expected: { type: 'arrow', x1: 0.44, y1: 0.38, x2: 0.5, y2: 0.5 }
    },
    {
      name: 'a clicked arrow near the top left points from the other side',
      tool: 'arrow',
      start: { x: 0.01, y: 0.02 },
      end: { x: 0.01, y: 0.02 },
      expected: { type: 'arrow', x1: 0.07, y1: 0.14, x2: 0.01, y2: 0.02 }
    },
    {
      name: 'a step where the pointer is released, with the next number',
      tool: 'step',
      start: { x: 0.3, y: 0.3 },
      end: { x: 0.31, y: 0.32 },
      expected: { type: 'step', x: 0.31, y: 0.32, n: 4 }
    }
  ] as const)('$name', ({ tool, start, end, expected }) => {
    const draft = draftFromDrag(tool, start, end, FRAME, options)
    expect(draft.type).toBe(expected.type)
    for (const [key, value] of Object.entries(expected)) {
      if (typeof value === 'number') {
        expect((draft as unknown as Record<string, number>)[key]).toBeCloseTo(value, 4)
      }
    }
    assertLoads([{ ...draft, id: 'new', startMs: 0, endMs: 3000 } as Annotation])
  })

  it('a callout starts with text, ready to be replaced', () => {
    const draft = draftFromDrag('callout', { x: 0.2, y: 0.2 }, { x: 0.6, y: 0.4 }, FRAME, options)
    expect(draft).toMatchObject({ type: 'callout', x: 0.2, y: 0.2, text: 'Text' })
  })

  it('nextStepNumber is one more than the highest step', () => {
    expect(nextStepNumber([])).toBe(1)
    expect(nextStepNumber([rect, step, { ...step, id: 's2', n: 7 }])).toBe(8)
  })
})

describe('tidyBox', () => {
  it.each([
    {
      box: { x: 0.123456789, y: 0.5, w: 0.3, h: 0.2 },
      expected: { x: 0.12346, y: 0.5, w: 0.3, h: 0.2 }
    },
    { box: { x: 0.9, y: 0.9, w: 0.3, h: 0.2 }, expected: { x: 0.7, y: 0.8, w: 0.3, h: 0.2 } },
    { box: { x: -0.1, y: 0, w: 1.5, h: 1 }, expected: { x: 0, y: 0, w: 1, h: 1 } }
  ])('$box → $expected', ({ box, expected }) => {
    const got = tidyBox(box)
    for (const key of ['x', 'y', 'w', 'h'] as const) expect(got[key]).toBeCloseTo(expected[key], 9)
    expect(got.x + got.w).toBeLessThanOrEqual(1 + 1e-9)
  })
})
