/**
 * The camera bubble in the editor: its place in the editor's document (undo, redo, gestures,
 * selection, what is saved) and the overlay's pure model (layout over the shown video, when it
 * shows, drag / resize / nudge, the camera video following the recording).
 */
import { describe, expect, it } from 'vitest'
import {
  bubbleBox,
  cornerSpot,
  effectiveBubble,
  hideBubbleFrom,
  placeBubble,
  showBubbleFrom,
  type FrameSize
} from '../../../src/shared/bubble'
import { loadEdits, serializeEdits, type Annotation, type Bubble } from '../../../src/shared/edits'
import type { CameraSummary } from '../../../src/shared/project'
import { commandResult } from '../../../src/renderer/src/editor/editor-commands'
import {
  canUndo,
  createEditorState,
  editorReducer,
  toEdits,
  type EditorAction,
  type EditorState
} from '../../../src/renderer/src/editor/editor-state'
import {
  CAMERA_DRIFT_S,
  bubbleLaneLabel,
  bubbleLayout,
  bubbleShownAt,
  cameraSync,
  cameraTimeAt,
  dragBubble,
  nudgeBubble,
  resizeBubbleBy
} from '../../../src/renderer/src/editor/overlay/bubble-model'

const DURATION = 10_000
const HD: FrameSize = { width: 1920, height: 1080 }
const camera: CameraSummary = {
  url: 'sidecast-media://p/camera.webm',
  offsetMs: 500,
  durationMs: 8000,
  width: 640,
  height: 480,
  offRanges: [[6000, 7000]],
  endedBecause: null
}
const rect: Annotation = {
  id: 'r',
  type: 'rect',
  startMs: 0,
  endMs: 3000,
  x: 0.1,
  y: 0.1,
  w: 0.2,
  h: 0.2
}
const placed: Bubble = { x: 0.6, y: 0.1, size: 0.3, shape: 'rounded', hidden: [[1000, 2000]] }

function start(bubble?: Bubble): EditorState {
  return createEditorState(
    { version: 2, keep: [], annotations: [rect], ...(bubble ? { bubble } : {}) },
    DURATION
  )
}

function apply(state: EditorState, ...actions: EditorAction[]): EditorState {
  return actions.reduce(editorReducer, state)
}

/** What the workspace does: the bubble to change is the placed one, or the default. */
function current(state: EditorState): Bubble {
  return effectiveBubble(state.doc.bubble, HD, camera)
}

describe('the bubble in the editor’s document', () => {
  it('is read from the edits and saved back, unknown bubble keys and all', () => {
    const withFuture = { ...placed, zoom: 2 } as unknown as Bubble
    const s = start(withFuture)
    expect(s.doc.bubble).toEqual(withFuture)
    expect(s.extra).not.toHaveProperty('bubble')
    expect(toEdits(s).bubble).toEqual(withFuture)
  })

  it('stays absent (the default placement) until the user changes it, whatever else changes', () => {
    const s = apply(start(), {
      type: 'change',
      changes: [{ id: 'r', patch: { x: 0.3 } }],
      phase: 'commit'
    })
    expect(toEdits(s)).not.toHaveProperty('bubble')
    expect(serializeEdits(toEdits(s))).not.toContain('bubble')
  })

  it('its first change writes the whole bubble, from the default (hidden where the camera was off)', () => {
    const s0 = start()
    const moved = placeBubble(current(s0), 0.4, 0.3, HD)
    const s = apply(s0, { type: 'bubble', bubble: moved, phase: 'commit' })
    expect(toEdits(s).bubble).toEqual({
      x: 0.4,
      y: 0.3,
      size: 0.22,
      shape: 'circle',
      hidden: [[6000, 7000]]
    })
    expect(s.revision).toBe(s0.revision + 1)
    // Undo brings back "no bubble in the file", not the default written out.
    const undone = apply(s, { type: 'undo' })
    expect(toEdits(undone)).not.toHaveProperty('bubble')
    expect(toEdits(apply(undone, { type: 'redo' })).bubble).toEqual(toEdits(s).bubble)
  })

  it('a drag previews without an undo step, then its commit is one step back to before it', () => {
    const s0 = start(placed)
    const a = placeBubble(placed, 0.5, 0.2, HD)
    const b = placeBubble(placed, 0.4, 0.3, HD)
    const dragging = apply(
      s0,
      { type: 'bubble', bubble: a, phase: 'preview' },
      { type: 'bubble', bubble: b, phase: 'preview' }
    )
    expect(dragging.doc.bubble).toEqual(b)
    expect(dragging.revision).toBe(s0.revision)
    expect(dragging.past).toHaveLength(0)
    const done = apply(dragging, { type: 'bubble', bubble: b, phase: 'commit' })
    expect(done.past).toHaveLength(1)
    expect(done.revision).toBe(s0.revision + 1)
    expect(apply(done, { type: 'undo' }).doc.bubble).toEqual(placed)
  })

  it('a cancelled drag goes back to where it was, with no step', () => {
    const s = apply(
      start(),
      { type: 'bubble', bubble: placed, phase: 'preview' },
      { type: 'cancel-gesture' }
    )
    expect(s.doc.bubble).toBeUndefined()
    expect(canUndo(s)).toBe(false)
  })

  it('a change that changes nothing (a fresh but equal bubble) adds no step', () => {
    const s = apply(start(placed), {
      type: 'bubble',
      bubble: { ...placed, hidden: [[1000, 2000]] },
      phase: 'commit'
    })
    expect(s.past).toHaveLength(0)
    expect(s.revision).toBe(0)
  })

  it('shape, hide and show are steps each; what is saved loads back the same', () => {
    const s0 = start()
    const s1 = apply(s0, {
      type: 'bubble',
      bubble: { ...current(s0), shape: 'rounded' },
      phase: 'commit'
    })
    // The playhead is rarely on a whole millisecond.
    const s2 = apply(s1, {
      type: 'bubble',
      bubble: hideBubbleFrom(current(s1), 2500.37, DURATION),
      phase: 'commit'
    })
    const s3 = apply(s2, {
      type: 'bubble',
      bubble: showBubbleFrom(current(s2), 4000.6),
      phase: 'commit'
    })
    expect(s3.past).toHaveLength(3)
    // Hiding from 2.5 s ran up to the camera-off stretch and joined it; showing from 4 s shows
    // the rest of that joined stretch.
    expect(current(s2).hidden).toEqual([[2500, 7000]])
    expect(current(s3)).toMatchObject({ shape: 'rounded', hidden: [[2500, 4001]] })
    const saved = toEdits(s3)
    expect(loadEdits(JSON.parse(serializeEdits(saved)), { durationMs: DURATION })).toEqual(saved)
    expect(current(apply(s3, { type: 'undo' })).hidden).toEqual([[2500, 7000]])
  })
})

describe('selecting the bubble', () => {
  it('selects it alone; selecting annotations, drawing one or Escape lets it go', () => {
    const picked = apply(start(), { type: 'select', ids: ['r'] }, { type: 'select-bubble' })
    expect(picked.bubbleSelected).toBe(true)
    expect(picked.selectedIds).toEqual([])
    expect(apply(picked, { type: 'select', ids: ['r'] })).toMatchObject({
      bubbleSelected: false,
      selectedIds: ['r']
    })
    expect(apply(picked, { type: 'select', ids: [] }).bubbleSelected).toBe(false)
    const drawn = apply(picked, {
      type: 'create',
      draft: { type: 'rect', x: 0.5, y: 0.5, w: 0.1, h: 0.1 },
      id: 'n',
      atMs: 0
    })
    expect(drawn.bubbleSelected).toBe(false)
    expect(drawn.selectedIds).toEqual(['n'])
  })

  it('is not an edit, and stays through undo and redo of its changes', () => {
    const s0 = apply(start(), { type: 'select-bubble' })
    expect(s0.revision).toBe(0)
    expect(apply(s0, { type: 'select-bubble' })).toBe(s0)
    const s = apply(
      s0,
      { type: 'bubble', bubble: placed, phase: 'commit' },
      { type: 'undo' },
      { type: 'redo' }
    )
    expect(s.bubbleSelected).toBe(true)
  })

  it('Escape deselects it; Delete and Duplicate leave it alone (the bubble cannot be deleted)', () => {
    const s = apply(start(), { type: 'select-bubble' })
    const ctx = {
      state: s,
      tool: 'select' as const,
      currentMs: 0,
      inMs: 0,
      outMs: DURATION,
      newId: () => 'x'
    }
    expect(commandResult('escape', ctx)).toEqual({
      type: 'dispatch',
      action: { type: 'select', ids: [] }
    })
    expect(commandResult('delete', ctx)).toBeNull()
    expect(commandResult('duplicate', ctx)).toEqual({ type: 'none' })
    expect(apply(s, { type: 'delete' })).toBe(s)
  })
})

describe('bubbleLayout: the bubble over the video as shown', () => {
  it('is bubbleBox() as percentages of the frame, the border and corners scaled to the display', () => {
    const bubble: Bubble = { x: 0.5, y: 0.5, size: 0.22, shape: 'rounded', hidden: [] }
    const box = bubbleBox(bubble, HD) // 960, 540, 238
    // Shown at half size: 960 CSS px wide.
    const layout = bubbleLayout(bubble, HD, 960)
    expect(layout.left).toBe('50%')
    expect(layout.top).toBe('50%')
    expect(parseFloat(layout.width)).toBeCloseTo((box.size / 1920) * 100, 9)
    expect(parseFloat(layout.height)).toBeCloseTo((box.size / 1080) * 100, 9)
    expect(layout.borderPx).toBeCloseTo(5 / 2, 9) // 5 px in the frame
    expect(layout.radiusPx).toBeCloseTo((238 * 0.2) / 2, 9)
    expect(bubbleLayout({ ...bubble, shape: 'circle' }, HD, 1920).radiusPx).toBe(119)
  })

  it('is a square in CSS pixels whatever the frame’s aspect', () => {
    const frame = { width: 1280, height: 1024 }
    const layout = bubbleLayout(
      { x: 0.1, y: 0.1, size: 0.4, shape: 'circle', hidden: [] },
      frame,
      640
    )
    const shownHeight = 640 * (1024 / 1280)
    expect((parseFloat(layout.width) / 100) * 640).toBeCloseTo(
      (parseFloat(layout.height) / 100) * shownHeight,
      9
    )
  })
})

describe('when the bubble shows', () => {
  it.each<[number, number | null]>([
    [0, null], // before the camera's first frame (offset 500)
    [499, null],
    [500, 0],
    [1500, 1],
    [8499, 7.999],
    [8500, null] // its last frame ended
  ])('at %i ms the camera shows its time %s s', (ms, time) => {
    const t = cameraTimeAt(camera, ms)
    if (time === null) expect(t).toBeNull()
    else expect(t).toBeCloseTo(time, 9)
  })

  it('a camera that started first is shown from the recording’s start; one of unknown length nowhere (as in export)', () => {
    expect(cameraTimeAt({ offsetMs: -2000, durationMs: 5000 }, 0)).toBe(2)
    expect(cameraTimeAt({ offsetMs: 0, durationMs: null }, 1000)).toBeNull()
  })

  it('is where the camera has a picture and the bubble is not hidden', () => {
    const bubble: Bubble = { ...placed, hidden: [[1000, 2000]] }
    expect(
      [400, 600, 1000, 1999, 2000, 8600].map((ms) => bubbleShownAt(bubble, camera, ms))
    ).toEqual([false, true, false, false, true, false])
  })
})

describe('drag, resize and nudge', () => {
  const b: Bubble = { x: 0.4, y: 0.4, size: 0.2, shape: 'circle', hidden: [] }

  it('a drag moves from where it started, kept inside the frame', () => {
    expect(dragBubble(b, 0.1, -0.05, HD)).toMatchObject({ x: 0.5, y: 0.35, size: 0.2 })
    expect(dragBubble(b, 5, 5, HD)).toMatchObject({ x: 1 - 0.2 / (16 / 9), y: 0.8 })
    expect(dragBubble(b, -5, -5, HD)).toMatchObject({ x: 0, y: 0 })
  })

  it('the corner handle grows or shrinks the side by the larger of the two moves (in frame heights)', () => {
    // 0.09 of the width across is 0.16 of the height; 0.05 down is less.
    expect(resizeBubbleBy(b, 0.09, 0.05, HD).size).toBeCloseTo(0.36, 6)
    expect(resizeBubbleBy(b, 0.01, 0.1, HD).size).toBeCloseTo(0.3, 6)
    expect(resizeBubbleBy(b, 0, -0.1, HD).size).toBeCloseTo(0.1, 6)
    expect(resizeBubbleBy(b, 0, -1, HD).size).toBe(0.05)
    expect(resizeBubbleBy(b, 0, 1, HD).size).toBe(0.6)
    // Its top-left stays where there is room.
    expect(resizeBubbleBy(b, 0, 0.1, HD)).toMatchObject({ x: 0.4, y: 0.4 })
  })

  it.each<[string, boolean, number, number]>([
    // Two: the bubble sits on even pixels (bubbleBox).
    ['ArrowRight', false, 2, 0],
    ['ArrowLeft', false, -2, 0],
    ['ArrowDown', true, 0, 10],
    ['ArrowUp', true, 0, -10]
  ])('%s (Shift %s) moves it %i, %i frame pixels', (key, shift, dx, dy) => {
    const moved = nudgeBubble(b, key, shift, HD)
    expect(moved).not.toBeNull()
    const before = bubbleBox(b, HD)
    const after = bubbleBox(moved as Bubble, HD)
    expect(after.x - before.x).toBe(dx)
    expect(after.y - before.y).toBe(dy)
  })

  it('other keys are not nudges; at the edge it stays', () => {
    expect(nudgeBubble(b, 'Enter', false, HD)).toBeNull()
    const corner = { ...b, ...cornerSpot('top-left', 0.2, HD), x: 0, y: 0 }
    expect(nudgeBubble(corner, 'ArrowLeft', false, HD)).toMatchObject({ x: 0, y: 0 })
  })
})

describe('cameraSync: the camera video follows the recording', () => {
  const timing = { offsetMs: 500, durationMs: 8000 }
  it.each<[string, number, boolean, { currentTime: number; paused: boolean }, unknown]>([
    [
      'paused: shows the same moment',
      1500,
      false,
      { currentTime: 0, paused: true },
      { seekTo: 1, play: false }
    ],
    [
      'paused, already there: nothing',
      1500,
      false,
      { currentTime: 1, paused: true },
      { seekTo: null, play: false }
    ],
    [
      'the recording paused: the camera pauses on the same moment, though it read as there (it plays on until paused)',
      1500,
      false,
      { currentTime: 1, paused: false },
      { seekTo: 1, play: false }
    ],
    [
      'the recording paused, the camera a little behind: sent to the same moment',
      1500,
      false,
      { currentTime: 0.9985, paused: false },
      { seekTo: 1, play: false }
    ],
    [
      'starting to play: from the right frame',
      2500,
      true,
      { currentTime: 0.5, paused: true },
      { seekTo: 2, play: true }
    ],
    [
      'playing within the drift allowed: left alone',
      2500,
      true,
      { currentTime: 2 - CAMERA_DRIFT_S / 2, paused: false },
      { seekTo: null, play: true }
    ],
    [
      'playing, drifted: put back in step',
      2500,
      true,
      { currentTime: 1.5, paused: false },
      { seekTo: 2, play: true }
    ],
    [
      'before the camera starts: waits at its first frame',
      200,
      true,
      { currentTime: 3, paused: false },
      { seekTo: 0, play: false }
    ],
    [
      'before the camera starts, already resting on its first frame: nothing',
      200,
      false,
      { currentTime: 0, paused: true },
      { seekTo: null, play: false }
    ],
    [
      'before the camera starts, playing at its first frame: stopped there',
      200,
      true,
      { currentTime: 0, paused: false },
      { seekTo: 0, play: false }
    ],
    [
      'after it ended: stops',
      9000,
      true,
      { currentTime: 7.9, paused: false },
      { seekTo: null, play: false }
    ]
  ])('%s', (_name, ms, playing, cameraNow, expected) => {
    expect(cameraSync(timing, ms, playing, cameraNow)).toEqual(expected)
  })

  it('is never mirrored time: camera time = recording time − offset, also for a negative offset', () => {
    expect(
      cameraSync({ offsetMs: -1000, durationMs: 9000 }, 0, false, { currentTime: 0, paused: true })
    ).toEqual({
      seekTo: 1,
      play: false
    })
  })
})

describe('the bubble’s timeline lane', () => {
  it('names where the bubble shows', () => {
    expect(bubbleLaneLabel([])).toBe('Camera bubble timeline: hidden throughout')
    expect(
      bubbleLaneLabel([
        [400, 2000],
        [3000, 8500]
      ])
    ).toMatch(/^Camera bubble timeline: shown .+, .+$/)
  })
})
