import { describe, expect, it } from 'vitest'
import type { Annotation, Edits } from '../../../src/shared/edits'
import { loadEdits, serializeEdits } from '../../../src/shared/edits'
import {
  DEFAULT_ANNOTATION_MS,
  DUPLICATE_OFFSET,
  HISTORY_LIMIT,
  canRedo,
  canUndo,
  createEditorState,
  editorReducer,
  keptMs,
  markedRange,
  offsetGeometry,
  toEdits,
  type EditorAction,
  type EditorState
} from '../../../src/renderer/src/editor/editor-state'

const DURATION = 60_000

const rect = (id: string, startMs = 1000, endMs = 4000, extra: object = {}): Annotation => ({
  id,
  type: 'rect',
  startMs,
  endMs,
  x: 0.1,
  y: 0.1,
  w: 0.2,
  h: 0.2,
  ...extra
})

const step = (id: string, n: number, startMs = 0, endMs = 3000): Annotation => ({
  id,
  type: 'step',
  startMs,
  endMs,
  x: 0.5,
  y: 0.5,
  n
})

function editsWith(annotations: Annotation[] = [], keep: Edits['keep'] = []): Edits {
  return { version: 2, keep, annotations }
}

function start(annotations: Annotation[] = [], keep: Edits['keep'] = []): EditorState {
  return createEditorState(editsWith(annotations, keep), DURATION)
}

function apply(state: EditorState, ...actions: EditorAction[]): EditorState {
  return actions.reduce(editorReducer, state)
}

const ids = (s: EditorState): string[] => s.doc.annotations.map((a) => a.id)
const keepOf = (s: EditorState): number[][] => s.doc.keep.map(([a, b]) => [a, b])
const find = (s: EditorState, id: string): Record<string, unknown> =>
  s.doc.annotations.find((a) => a.id === id) as unknown as Record<string, unknown>

describe('createEditorState / toEdits', () => {
  it('spells out an empty keep as the whole recording and saves it back as empty', () => {
    const s = start()
    expect(keepOf(s)).toEqual([[0, DURATION]])
    expect(toEdits(s).keep).toEqual([])
    expect(keptMs(s)).toBe(DURATION)
  })

  it('keeps unknown keys of the file and of annotations', () => {
    const edits = {
      ...editsWith([rect('a', 0, 1000, { futureField: 7 })], [[1000, 50_000]]),
      addedByATool: { x: 1 }
    } as unknown as Edits
    const out = toEdits(createEditorState(edits, DURATION)) as unknown as Record<string, unknown>
    expect(out.addedByATool).toEqual({ x: 1 })
    expect(out.keep).toEqual([[1000, 50_000]])
    expect((out.annotations as Record<string, unknown>[])[0]?.futureField).toBe(7)
  })

  it('writes an annotation of a type from a newer Sidecast back untouched after editing', () => {
    const zoom = {
      id: 'z1',
      type: 'zoom',
      startMs: 2000,
      endMs: 5000,
      x: 0.25,
      y: 0.25,
      scale: 2,
      easing: { in: 'ease-out', ms: 300 }
    }
    const file = {
      version: 1,
      keep: [],
      annotations: [rect('a'), zoom, step('s', 1)]
    }
    const loaded = loadEdits(JSON.parse(JSON.stringify(file)), { durationMs: DURATION })
    const s = apply(
      createEditorState(loaded, DURATION),
      { type: 'change', changes: [{ id: 'a', patch: { x: 0.5 } }], phase: 'commit' },
      { type: 'create', draft: { type: 'rect', x: 0.1, y: 0.1, w: 0.1, h: 0.1 }, id: 'n', atMs: 0 }
    )
    expect(ids(s)).toEqual(['a', 's', 'n'])
    const written = JSON.parse(serializeEdits(toEdits(s))) as { annotations: { id: string }[] }
    expect(written.annotations.map((a) => a.id)).toEqual(['a', 'z1', 's', 'n'])
    // Untouched: the same keys in the same order, the same values.
    expect(JSON.stringify(written.annotations[1])).toBe(JSON.stringify(zoom))
    expect(written).not.toHaveProperty('unknownAnnotations')
  })

  it('produces edits that load back unchanged', () => {
    const s = apply(
      start([rect('a'), step('s', 1)]),
      { type: 'set-range', startMs: 10_000, endMs: 20_000 },
      { type: 'cut' },
      { type: 'trim', edge: 'in', atMs: 2000, phase: 'commit' }
    )
    const saved = toEdits(s)
    const reloaded = loadEdits(JSON.parse(serializeEdits(saved)), { durationMs: DURATION })
    expect(reloaded).toEqual(saved)
  })
})

describe('creating annotations', () => {
  const draft = { type: 'rect', x: 0.2, y: 0.3, w: 0.1, h: 0.1 } as const

  it.each([
    {
      name: 'at the playhead for 3 s',
      atMs: 5000.4,
      start: 5000,
      end: 5000 + DEFAULT_ANNOTATION_MS
    },
    { name: 'clamped to the end of the recording', atMs: 58_500, start: 58_500, end: DURATION },
    {
      name: 'at least 100 ms long at the very end',
      atMs: DURATION,
      start: DURATION - 100,
      end: DURATION
    },
    { name: 'never before 0', atMs: -50, start: 0, end: DEFAULT_ANNOTATION_MS }
  ])('$name', ({ atMs, start: startMs, end }) => {
    const s = apply(start(), { type: 'create', draft, id: 'n1', atMs })
    expect(find(s, 'n1')).toMatchObject({ id: 'n1', type: 'rect', startMs, endMs: end, x: 0.2 })
    expect(s.selectedIds).toEqual(['n1'])
    expect(s.revision).toBe(1)
    expect(canUndo(s)).toBe(true)
  })

  it('writes only style fields that differ from the format defaults', () => {
    const s = apply(start(), {
      type: 'create',
      draft,
      id: 'n1',
      atMs: 0,
      style: { color: '#e5484d', strokeWidth: 0.02 }
    })
    expect(find(s, 'n1')).not.toHaveProperty('color')
    expect(find(s, 'n1').strokeWidth).toBe(0.02)
  })

  it('takes the style defaults for its type, the drawn geometry winning over them', () => {
    const s = apply(start(), {
      type: 'create',
      draft,
      id: 'n1',
      atMs: 0,
      style: { color: '#00ff00', strokeWidth: 0.01, x: 0.9 }
    })
    expect(find(s, 'n1')).toMatchObject({ color: '#00ff00', strokeWidth: 0.01, x: 0.2 })
  })

  it.each([
    { name: 'the first step is 1', existing: [], n: 1 },
    { name: 'one more than the highest', existing: [step('a', 1), step('b', 4)], n: 5 },
    { name: 'ignores other types', existing: [rect('r')], n: 1 }
  ])('numbers steps automatically: $name', ({ existing, n }) => {
    const s = apply(start(existing), {
      type: 'create',
      draft: { type: 'step', x: 0.5, y: 0.5, n: 99 },
      id: 'new',
      atMs: 0
    })
    expect(find(s, 'new').n).toBe(n)
  })

  it('refuses an id that is already used', () => {
    const before = start([rect('a')])
    expect(apply(before, { type: 'create', draft, id: 'a', atMs: 0 })).toBe(before)
  })
})

describe('changing annotations', () => {
  it.each([
    {
      name: 'move in time',
      patch: { startMs: 2000, endMs: 5000 },
      expected: { startMs: 2000, endMs: 5000 }
    },
    { name: 'resize the end', patch: { endMs: 9000 }, expected: { startMs: 1000, endMs: 9000 } },
    { name: 'resize the start', patch: { startMs: 500 }, expected: { startMs: 500, endMs: 4000 } },
    { name: 'move in space', patch: { x: 0.5, y: 0.6 }, expected: { x: 0.5, y: 0.6 } },
    { name: 'times rounded', patch: { startMs: 1500.6 }, expected: { startMs: 1501 } },
    {
      name: 'kept inside the recording',
      patch: { startMs: -10, endMs: 70_000 },
      expected: { startMs: 0, endMs: DURATION }
    },
    {
      name: 'end after start',
      patch: { startMs: 5000, endMs: 5000 },
      expected: { startMs: 5000, endMs: 5001 }
    }
  ])('$name', ({ patch, expected }) => {
    const s = apply(start([rect('a')]), {
      type: 'change',
      changes: [{ id: 'a', patch }],
      phase: 'commit'
    })
    expect(find(s, 'a')).toMatchObject(expected)
    expect(s.past).toHaveLength(1)
  })

  it('keeps unknown keys and the id and type', () => {
    const s = apply(start([rect('a', 0, 1000, { extra: 'kept' })]), {
      type: 'change',
      changes: [{ id: 'a', patch: { x: 0.3, id: 'other', type: 'arrow' } as never }],
      phase: 'commit'
    })
    expect(find(s, 'a')).toMatchObject({ id: 'a', type: 'rect', x: 0.3, extra: 'kept' })
  })

  it('ignores unknown ids and adds no undo step for a change that changes nothing', () => {
    const before = start([rect('a')])
    const unknown = apply(before, {
      type: 'change',
      changes: [{ id: 'nope', patch: { x: 0.5 } }],
      phase: 'commit'
    })
    expect(unknown.doc).toBe(before.doc)
    expect(unknown.past).toHaveLength(0)
    const same = apply(before, {
      type: 'change',
      changes: [{ id: 'a', patch: { x: 0.1 } }],
      phase: 'commit'
    })
    expect(same.past).toHaveLength(0)
    expect(same.revision).toBe(0)
  })
})

describe('gestures', () => {
  const move = (x: number, phase: 'preview' | 'commit'): EditorAction => ({
    type: 'change',
    changes: [{ id: 'a', patch: { x } }],
    phase
  })

  it('previews show at once without an undo step or a save', () => {
    const s = apply(start([rect('a')]), move(0.2, 'preview'), move(0.3, 'preview'))
    expect(find(s, 'a').x).toBe(0.3)
    expect(s.past).toHaveLength(0)
    expect(s.revision).toBe(0)
    expect(s.gestureBase).not.toBeNull()
  })

  it('the commit makes the whole gesture one undo step back to before it', () => {
    const s = apply(
      start([rect('a')]),
      move(0.2, 'preview'),
      move(0.3, 'preview'),
      move(0.4, 'preview'),
      move(0.45, 'commit')
    )
    expect(find(s, 'a').x).toBe(0.45)
    expect(s.past).toHaveLength(1)
    expect(s.revision).toBe(1)
    expect(s.gestureBase).toBeNull()
    const undone = apply(s, { type: 'undo' })
    expect(find(undone, 'a').x).toBe(0.1)
    expect(canUndo(undone)).toBe(false)
  })

  it('a gesture that ends where it started adds no step', () => {
    const s = apply(start([rect('a')]), move(0.3, 'preview'), move(0.1, 'commit'))
    expect(s.past).toHaveLength(0)
    expect(s.revision).toBe(0)
  })

  it('cancel drops the previews', () => {
    const s = apply(start([rect('a')]), move(0.3, 'preview'), { type: 'cancel-gesture' })
    expect(find(s, 'a').x).toBe(0.1)
    expect(s.gestureBase).toBeNull()
    expect(s.past).toHaveLength(0)
  })

  it('undo in the middle of a gesture undoes the gesture', () => {
    const s = apply(start([rect('a')]), move(0.3, 'preview'), { type: 'undo' })
    expect(find(s, 'a').x).toBe(0.1)
    expect(canRedo(s)).toBe(true)
    expect(find(apply(s, { type: 'redo' }), 'a').x).toBe(0.3)
  })
})

describe('delete, duplicate, copy and paste', () => {
  it('deletes the selection, or the given ids', () => {
    const s0 = start([rect('a'), rect('b'), rect('c')])
    const s1 = apply(s0, { type: 'select', ids: ['a', 'c'] }, { type: 'delete' })
    expect(ids(s1)).toEqual(['b'])
    expect(s1.selectedIds).toEqual([])
    const s2 = apply(s0, { type: 'select', ids: ['a'] }, { type: 'delete', ids: ['b'] })
    expect(ids(s2)).toEqual(['a', 'c'])
    expect(s2.selectedIds).toEqual(['a'])
  })

  it('deleting nothing is not a step', () => {
    const s0 = start([rect('a')])
    expect(apply(s0, { type: 'delete' })).toBe(s0)
    expect(apply(s0, { type: 'delete', ids: ['zzz'] })).toBe(s0)
  })

  it('duplicates with the same time range, moved slightly, selected', () => {
    const s = apply(
      start([rect('a', 1000, 4000)]),
      { type: 'select', ids: ['a'] },
      { type: 'duplicate', ids: ['a2'] }
    )
    expect(ids(s)).toEqual(['a', 'a2'])
    expect(find(s, 'a2')).toMatchObject({
      type: 'rect',
      startMs: 1000,
      endMs: 4000,
      x: 0.1 + DUPLICATE_OFFSET,
      y: 0.1 + DUPLICATE_OFFSET,
      w: 0.2,
      h: 0.2
    })
    expect(s.selectedIds).toEqual(['a2'])
    expect(s.past).toHaveLength(1)
  })

  it('duplicated steps get new numbers', () => {
    const s = apply(
      start([step('a', 1), step('b', 2)]),
      { type: 'select', ids: ['a', 'b'] },
      { type: 'duplicate', ids: ['c', 'd'] }
    )
    expect(find(s, 'c').n).toBe(3)
    expect(find(s, 'd').n).toBe(4)
  })

  it('copy then paste at the playhead keeps relative timing and renumbers steps', () => {
    const s = apply(
      start([rect('a', 1000, 2000), step('s', 1, 1500, 2500)]),
      { type: 'select', ids: ['a', 's'] },
      { type: 'copy' },
      { type: 'paste', atMs: 30_000, ids: ['p1', 'p2'] }
    )
    expect(find(s, 'p1')).toMatchObject({ startMs: 30_000, endMs: 31_000, x: 0.1 })
    expect(find(s, 'p2')).toMatchObject({ startMs: 30_500, endMs: 31_500, n: 2 })
    expect(s.selectedIds).toEqual(['p1', 'p2'])
    expect(s.past).toHaveLength(1)
  })

  it('copy is not an edit and survives undo', () => {
    const s = apply(start([rect('a')]), { type: 'select', ids: ['a'] }, { type: 'copy' })
    expect(s.past).toHaveLength(0)
    expect(s.revision).toBe(0)
    const after = apply(s, { type: 'delete' }, { type: 'undo' })
    expect(after.clipboard.map((a) => a.id)).toEqual(['a'])
  })

  it('paste near the end stays inside the recording', () => {
    const s = apply(
      start([rect('a', 0, 5000)]),
      { type: 'select', ids: ['a'] },
      { type: 'copy' },
      { type: 'paste', atMs: 58_000, ids: ['p'] }
    )
    expect(find(s, 'p')).toMatchObject({ startMs: DURATION - 5000, endMs: DURATION })
  })

  it('paste over its original moves a little; elsewhere it keeps its place', () => {
    const base = apply(
      start([rect('a', 1000, 4000)]),
      { type: 'select', ids: ['a'] },
      {
        type: 'copy'
      }
    )
    const over = apply(base, { type: 'paste', atMs: 2000, ids: ['p'] })
    expect(find(over, 'p').x).toBeCloseTo(0.1 + DUPLICATE_OFFSET)
    const later = apply(base, { type: 'paste', atMs: 20_000, ids: ['p'] })
    expect(find(later, 'p').x).toBe(0.1)
  })

  it('paste with nothing copied does nothing; a taken id gets a fresh one', () => {
    const s0 = start([rect('a')])
    expect(apply(s0, { type: 'paste', atMs: 0, ids: ['x'] })).toBe(s0)
    const s = apply(
      s0,
      { type: 'select', ids: ['a'] },
      { type: 'copy' },
      { type: 'paste', atMs: 9000, ids: ['a'] }
    )
    expect(new Set(ids(s)).size).toBe(2)
  })
})

describe('discarding a new callout left without text', () => {
  const callout = {
    type: 'callout' as const,
    x: 0.1,
    y: 0.1,
    w: 0.3,
    h: 0.1,
    text: 'Text'
  }

  it('goes as if never drawn: no undo step for it, the revision moves on to save', () => {
    const before = start([rect('r')])
    const created = apply(before, { type: 'create', draft: callout, id: 'c', atMs: 0 })
    const s = apply(created, { type: 'discard-new', id: 'c' })
    expect(ids(s)).toEqual(['r'])
    expect(s.selectedIds).toEqual([])
    expect(canUndo(s)).toBe(false)
    expect(s.revision).toBeGreaterThan(created.revision)
  })

  it('is a delete (one undo step) when something else changed since it was drawn', () => {
    const s = apply(
      start([rect('r')]),
      { type: 'create', draft: callout, id: 'c', atMs: 0 },
      { type: 'change', changes: [{ id: 'r', patch: { x: 0.5 } }], phase: 'commit' },
      { type: 'discard-new', id: 'c' }
    )
    expect(ids(s)).toEqual(['r'])
    expect(find(s, 'r').x).toBe(0.5)
    const undone = apply(s, { type: 'undo' })
    expect(ids(undone)).toEqual(['r', 'c'])
  })

  it('does nothing for an id that is not there', () => {
    const s = start([rect('r')])
    expect(apply(s, { type: 'discard-new', id: 'gone' })).toBe(s)
  })
})

describe('offsetGeometry', () => {
  it.each([
    {
      name: 'a box moves right and down',
      a: rect('r'),
      expected: { x: 0.12, y: 0.12 }
    },
    {
      name: 'a box at the right edge moves left',
      a: rect('r', 0, 1, { x: 0.8, w: 0.2 }),
      expected: { x: 0.78, y: 0.12 }
    },
    {
      name: 'an arrow moves both ends',
      a: { id: 'a', type: 'arrow', startMs: 0, endMs: 1, x1: 0.1, y1: 0.2, x2: 0.3, y2: 0.4 },
      expected: { x1: 0.12, y1: 0.22, x2: 0.32, y2: 0.42 }
    },
    {
      name: 'a callout takes its pointer along',
      a: {
        id: 'c',
        type: 'callout',
        startMs: 0,
        endMs: 1,
        x: 0.1,
        y: 0.1,
        w: 0.2,
        h: 0.1,
        text: 'Hi',
        pointX: 0.5,
        pointY: 0.5
      },
      expected: { x: 0.12, y: 0.12, pointX: 0.52, pointY: 0.52 }
    },
    { name: 'a step in the corner moves in', a: step('s', 1), expected: { x: 0.52, y: 0.52 } }
  ])('$name', ({ a, expected }) => {
    const moved = offsetGeometry(a as Annotation, 0.02) as unknown as Record<string, number>
    for (const [key, value] of Object.entries(expected)) expect(moved[key]).toBeCloseTo(value)
  })
})

describe('cuts, trims and restore', () => {
  it.each([
    {
      name: 'cut from the middle',
      actions: [{ type: 'set-range', startMs: 10_000, endMs: 20_000 }],
      keep: [
        [0, 10_000],
        [20_000, DURATION]
      ]
    },
    {
      name: 'marks in either order',
      actions: [{ type: 'set-range', startMs: 20_000, endMs: 10_000 }],
      keep: [
        [0, 10_000],
        [20_000, DURATION]
      ]
    },
    {
      name: '[ and ] at the playhead',
      actions: [
        { type: 'mark', edge: 'in', atMs: 5000 },
        { type: 'mark', edge: 'out', atMs: 6000 }
      ],
      keep: [
        [0, 5000],
        [6000, DURATION]
      ]
    },
    {
      name: 'only [ cuts to the end',
      actions: [{ type: 'mark', edge: 'in', atMs: 50_000 }],
      keep: [[0, 50_000]]
    },
    {
      name: 'only ] cuts from the start',
      actions: [{ type: 'mark', edge: 'out', atMs: 1000 }],
      keep: [[1000, DURATION]]
    }
  ] as { name: string; actions: EditorAction[]; keep: number[][] }[])(
    '$name',
    ({ actions, keep }) => {
      const s = apply(start(), ...actions, { type: 'cut' })
      expect(keepOf(s)).toEqual(keep)
      expect(s.marks).toEqual({ in: null, out: null })
      expect(s.past).toHaveLength(1)
    }
  )

  it('any number of cuts, each undoable', () => {
    let s = start()
    for (const [a, b] of [
      [5000, 6000],
      [10_000, 12_000],
      [30_000, 31_000]
    ] as const) {
      s = apply(s, { type: 'set-range', startMs: a, endMs: b }, { type: 'cut' })
    }
    expect(keepOf(s)).toHaveLength(4)
    expect(keptMs(s)).toBe(DURATION - 4000)
    s = apply(s, { type: 'undo' })
    expect(keptMs(s)).toBe(DURATION - 3000)
    s = apply(s, { type: 'undo' }, { type: 'undo' })
    expect(keepOf(s)).toEqual([[0, DURATION]])
  })

  it('refuses to cut everything and says why', () => {
    const s = apply(start(), { type: 'set-range', startMs: 0, endMs: DURATION }, { type: 'cut' })
    expect(keepOf(s)).toEqual([[0, DURATION]])
    expect(s.problem).toMatch(/whole recording/)
    expect(s.past).toHaveLength(0)
    expect(apply(s, { type: 'dismiss-problem' }).problem).toBeNull()
  })

  it('cut without a selection says how to select', () => {
    const s = apply(start(), { type: 'cut' })
    expect(s.problem).toMatch(/Shift\+drag/)
    expect(s.past).toHaveLength(0)
  })

  it('an empty range clears the marks', () => {
    const s = apply(start(), { type: 'set-range', startMs: 5000, endMs: 5000 })
    expect(markedRange(s.marks, DURATION)).toBeNull()
  })

  it('[ after ] drops the ] and ] before [ drops the [', () => {
    const s1 = apply(
      start(),
      { type: 'mark', edge: 'out', atMs: 5000 },
      { type: 'mark', edge: 'in', atMs: 8000 }
    )
    expect(s1.marks).toEqual({ in: 8000, out: null })
    const s2 = apply(
      start(),
      { type: 'mark', edge: 'in', atMs: 8000 },
      { type: 'mark', edge: 'out', atMs: 5000 }
    )
    expect(s2.marks).toEqual({ in: null, out: 5000 })
  })

  it('restores a cut part', () => {
    const s = apply(
      start(),
      { type: 'set-range', startMs: 10_000, endMs: 20_000 },
      { type: 'cut' },
      { type: 'restore', range: [10_000, 20_000] }
    )
    expect(keepOf(s)).toEqual([[0, DURATION]])
    expect(s.past).toHaveLength(2)
  })

  it.each([
    { name: 'in', edge: 'in', atMs: 2000, keep: [[2000, DURATION]] },
    { name: 'out', edge: 'out', atMs: 50_000, keep: [[0, 50_000]] },
    {
      name: 'in past the out point stops short of it',
      edge: 'in',
      atMs: 70_000,
      keep: [[DURATION - 100, DURATION]]
    },
    { name: 'out before the in point stops short of it', edge: 'out', atMs: -5, keep: [[0, 100]] }
  ] as const)('trims $name', ({ edge, atMs, keep }) => {
    const s = apply(start(), { type: 'trim', edge, atMs, phase: 'commit' })
    expect(keepOf(s)).toEqual(keep)
  })

  it('a trim drag is measured from where it started, so it never eats a cut', () => {
    const cut = apply(
      start(),
      { type: 'set-range', startMs: 10_000, endMs: 20_000 },
      { type: 'cut' }
    )
    const s = apply(
      cut,
      { type: 'trim', edge: 'in', atMs: 25_000, phase: 'preview' },
      { type: 'trim', edge: 'in', atMs: 3000, phase: 'preview' },
      { type: 'trim', edge: 'in', atMs: 2000, phase: 'commit' }
    )
    expect(keepOf(s)).toEqual([
      [2000, 10_000],
      [20_000, DURATION]
    ])
    expect(s.past).toHaveLength(2)
    expect(keepOf(apply(s, { type: 'undo' }))).toEqual(keepOf(cut))
  })

  it('trimming never moves annotations', () => {
    const s = apply(start([rect('a', 1000, 4000)]), {
      type: 'trim',
      edge: 'in',
      atMs: 3000,
      phase: 'commit'
    })
    expect(find(s, 'a')).toMatchObject({ startMs: 1000, endMs: 4000 })
  })
})

describe('undo and redo', () => {
  it('undoes and redoes edits and kept ranges in order', () => {
    const s0 = start()
    const s3 = apply(
      s0,
      { type: 'create', draft: { type: 'rect', x: 0, y: 0, w: 0.1, h: 0.1 }, id: 'a', atMs: 0 },
      { type: 'trim', edge: 'out', atMs: 40_000, phase: 'commit' },
      { type: 'change', changes: [{ id: 'a', patch: { x: 0.5 } }], phase: 'commit' }
    )
    const u1 = apply(s3, { type: 'undo' })
    expect(find(u1, 'a').x).toBe(0)
    expect(keepOf(u1)).toEqual([[0, 40_000]])
    const u2 = apply(u1, { type: 'undo' })
    expect(keepOf(u2)).toEqual([[0, DURATION]])
    const u3 = apply(u2, { type: 'undo' })
    expect(ids(u3)).toEqual([])
    expect(canUndo(u3)).toBe(false)
    expect(apply(u3, { type: 'undo' })).toBe(u3)
    const r3 = apply(u3, { type: 'redo' }, { type: 'redo' }, { type: 'redo' })
    expect(r3.doc).toEqual(s3.doc)
    expect(canRedo(r3)).toBe(false)
  })

  it('every undo and redo counts as a change to save', () => {
    const s = apply(
      start([rect('a')]),
      { type: 'delete', ids: ['a'] },
      { type: 'undo' },
      { type: 'redo' }
    )
    expect(s.revision).toBe(3)
  })

  it('a new change clears the redo stack', () => {
    const s = apply(
      start([rect('a')]),
      { type: 'delete', ids: ['a'] },
      { type: 'undo' },
      { type: 'trim', edge: 'in', atMs: 100, phase: 'commit' }
    )
    expect(canRedo(s)).toBe(false)
  })

  it('undo drops selected ids that no longer exist', () => {
    const s = apply(
      start(),
      { type: 'create', draft: { type: 'rect', x: 0, y: 0, w: 0.1, h: 0.1 }, id: 'a', atMs: 0 },
      { type: 'undo' }
    )
    expect(s.selectedIds).toEqual([])
  })

  it(`remembers the last ${HISTORY_LIMIT} steps`, () => {
    let s = start([rect('a')])
    for (let i = 1; i <= HISTORY_LIMIT + 20; i++) {
      s = apply(s, {
        type: 'change',
        changes: [{ id: 'a', patch: { startMs: i } }],
        phase: 'commit'
      })
    }
    expect(s.past).toHaveLength(HISTORY_LIMIT)
    for (let i = 0; i < HISTORY_LIMIT + 5; i++) s = apply(s, { type: 'undo' })
    expect(find(s, 'a').startMs).toBe(20)
    expect(canUndo(s)).toBe(false)
  })
})

describe('selection', () => {
  it.each([
    { name: 'existing ids only', select: ['a', 'zzz'], expected: ['a'] },
    { name: 'no duplicates', select: ['b', 'b', 'a'], expected: ['b', 'a'] },
    { name: 'nothing', select: [], expected: [] }
  ])('$name', ({ select, expected }) => {
    const s = apply(start([rect('a'), rect('b')]), { type: 'select', ids: select })
    expect(s.selectedIds).toEqual(expected)
    expect(s.past).toHaveLength(0)
  })
})
