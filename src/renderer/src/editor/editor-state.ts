/**
 * The editor's document and its history, as a pure reducer (no React, no DOM), so every edit,
 * undo and redo is a plain function of the previous state and can be tested table-style.
 *
 * The document is what `edits.json` holds: the kept ranges (always spelled out here) and the
 * annotations. Every committed change pushes the previous document onto the undo stack; a
 * gesture (a drag) sends `preview` changes that show at once and then one `commit` that makes the
 * whole gesture a single undo step. Ids for new annotations come in with the action, so the
 * reducer stays pure (React may call it twice).
 */
import {
  ANNOTATION_DEFAULTS,
  EDITS_VERSION,
  type Annotation,
  type AnnotationType,
  type Bubble,
  type Edits
} from '../../../shared/edits'
import {
  cutRange,
  isWholeRecording,
  keptDurationMs,
  normalizeKeep,
  trimIn,
  trimOut,
  type NormalizedKeep,
  type TimeRange
} from '../../../shared/timeline'
import type { AnnotationChange, AnnotationDraft, ChangePhase } from './overlay/types'

/** How long a new annotation shows, ms. */
export const DEFAULT_ANNOTATION_MS = 3000
/** The shortest an annotation can be, ms. */
export const MIN_ANNOTATION_MS = 100
/** The shortest part a trim may leave, ms. */
export const MIN_KEEP_MS = 100
/** Undo steps remembered; older ones are forgotten. */
export const HISTORY_LIMIT = 200
/** How far a duplicate (or a paste over its original) is moved, as a fraction of the frame. */
export const DUPLICATE_OFFSET = 0.02

/** What is saved: kept ranges, annotations and the camera bubble. */
export interface EditorDoc {
  readonly keep: NormalizedKeep
  readonly annotations: readonly Annotation[]
  /**
   * The camera bubble as the user placed it; absent until its first change (the default
   * placement applies: effectiveBubble in shared/bubble.ts).
   */
  readonly bubble?: Bubble
}

/** In and out marks of the time range to cut (set with [ and ], or a Shift-drag). */
export interface RangeMarks {
  readonly in: number | null
  readonly out: number | null
}

export interface EditorState {
  /** The recording's duration, ms. */
  readonly durationMs: number
  readonly doc: EditorDoc
  /** Keys of edits.json this version does not know; written back untouched. */
  readonly extra: Readonly<Record<string, unknown>>
  readonly selectedIds: readonly string[]
  /** The camera bubble is selected (never together with annotations). */
  readonly bubbleSelected: boolean
  readonly marks: RangeMarks
  /** Documents before each undoable change, oldest first. */
  readonly past: readonly EditorDoc[]
  /** Documents undone, the next redo last. */
  readonly future: readonly EditorDoc[]
  /** The document before the gesture in progress, or null when none is. */
  readonly gestureBase: EditorDoc | null
  /** Annotations copied with Copy, pasted with Paste (in memory only). */
  readonly clipboard: readonly Annotation[]
  /** Goes up with every committed change to the document (commit, undo, redo): autosave's cue. */
  readonly revision: number
  /** Why the last action did nothing, in words for the user, or null. */
  readonly problem: string | null
}

export type EditorAction =
  /** Selects these annotations (and not the bubble). */
  | { readonly type: 'select'; readonly ids: readonly string[] }
  /** Selects the camera bubble (and no annotation). */
  | { readonly type: 'select-bubble' }
  /**
   * The camera bubble becomes `bubble` (the whole of it: the editor starts from effectiveBubble
   * when the file has none). A drag previews, then commits once, like annotation changes.
   */
  | { readonly type: 'bubble'; readonly bubble: Bubble; readonly phase: ChangePhase }
  | {
      readonly type: 'create'
      readonly draft: AnnotationDraft
      /** The new annotation's id. */
      readonly id: string
      /** The playhead (recording clock): the new annotation starts here. */
      readonly atMs: number
      /** Style fields for the new annotation's type (the inspector's defaults). */
      readonly style?: Readonly<Record<string, unknown>>
    }
  | {
      readonly type: 'change'
      readonly changes: readonly AnnotationChange[]
      readonly phase: ChangePhase
    }
  | { readonly type: 'delete'; readonly ids?: readonly string[] }
  /**
   * A just-drawn callout left without text goes: as if it was never drawn (its creation's undo
   * step goes too) when nothing else changed since; otherwise as a delete.
   */
  | { readonly type: 'discard-new'; readonly id: string }
  /** Copies of the selection; `ids` are the new ids, one per selected annotation. */
  | { readonly type: 'duplicate'; readonly ids: readonly string[] }
  | { readonly type: 'copy' }
  /** The clipboard at the playhead; `ids` are the new ids, one per clipboard item. */
  | { readonly type: 'paste'; readonly atMs: number; readonly ids: readonly string[] }
  | { readonly type: 'mark'; readonly edge: 'in' | 'out'; readonly atMs: number }
  | { readonly type: 'set-range'; readonly startMs: number; readonly endMs: number }
  | { readonly type: 'clear-range' }
  | { readonly type: 'cut' }
  | { readonly type: 'restore'; readonly range: TimeRange }
  | {
      readonly type: 'trim'
      readonly edge: 'in' | 'out'
      readonly atMs: number
      readonly phase: ChangePhase
    }
  /** Drops the previews of an unfinished gesture (a drag that was cancelled). */
  | { readonly type: 'cancel-gesture' }
  | { readonly type: 'undo' }
  | { readonly type: 'redo' }
  | { readonly type: 'dismiss-problem' }

/** The editor's state for loaded edits of a recording lasting `durationMs`. */
export function createEditorState(edits: Edits, durationMs: number): EditorState {
  const duration = Math.max(0, Math.round(durationMs))
  const { version: _version, keep, annotations, bubble, ...extra } = edits
  let normalized = normalizeKeep(keep, duration)
  // A file keeping nothing inside the recording is refused by loadEdits; never start empty.
  if (normalized.length === 0) normalized = normalizeKeep([], duration)
  return {
    durationMs: duration,
    doc: {
      keep: normalized,
      annotations: [...annotations],
      ...(bubble !== undefined ? { bubble } : {})
    },
    extra,
    selectedIds: [],
    bubbleSelected: false,
    marks: { in: null, out: null },
    past: [],
    future: [],
    gestureBase: null,
    clipboard: [],
    revision: 0,
    problem: null
  }
}

/** The edits to save: the whole recording is stored as no kept ranges; unknown keys kept. */
export function toEdits(state: EditorState): Edits {
  const { keep, annotations, bubble } = state.doc
  return {
    ...state.extra,
    version: EDITS_VERSION,
    keep: isWholeRecording(keep, state.durationMs) ? [] : keep.map(([s, e]): TimeRange => [s, e]),
    annotations,
    ...(bubble !== undefined ? { bubble } : {})
  }
}

export function canUndo(state: EditorState): boolean {
  return state.past.length > 0 || state.gestureBase !== null
}

export function canRedo(state: EditorState): boolean {
  return state.future.length > 0
}

/** The output's length, ms. */
export function keptMs(state: EditorState): number {
  return keptDurationMs(state.doc.keep)
}

/**
 * The range the marks select: from the in mark (or the start) to the out mark (or the end), or
 * null when no mark is set or the range is empty.
 */
export function markedRange(marks: RangeMarks, durationMs: number): TimeRange | null {
  if (marks.in === null && marks.out === null) return null
  const start = marks.in ?? 0
  const end = marks.out ?? durationMs
  return end > start ? [start, end] : null
}

/** The selected annotations, in document (drawing) order. */
export function selectedAnnotations(state: EditorState): Annotation[] {
  const ids = new Set(state.selectedIds)
  return state.doc.annotations.filter((a) => ids.has(a.id))
}

export function editorReducer(state: EditorState, action: EditorAction): EditorState {
  switch (action.type) {
    case 'select': {
      const existing = new Set(state.doc.annotations.map((a) => a.id))
      const ids = unique(action.ids).filter((id) => existing.has(id))
      return sameList(ids, state.selectedIds) && !state.bubbleSelected
        ? state
        : { ...state, selectedIds: ids, bubbleSelected: false }
    }
    case 'select-bubble':
      return state.bubbleSelected && state.selectedIds.length === 0
        ? state
        : { ...state, selectedIds: [], bubbleSelected: true }
    case 'bubble': {
      const doc = sameBubble(state.doc.bubble, action.bubble)
        ? state.doc
        : { ...state.doc, bubble: action.bubble }
      return action.phase === 'preview' ? previewDoc(state, doc) : commitDoc(state, doc)
    }
    case 'create': {
      const annotation = newAnnotation(state, action)
      if (!annotation) return state
      const next = commitDoc(state, {
        ...state.doc,
        annotations: [...state.doc.annotations, annotation]
      })
      return { ...next, selectedIds: [annotation.id], bubbleSelected: false }
    }
    case 'change': {
      const annotations = applyChanges(state.doc.annotations, action.changes, state.durationMs)
      const doc = annotations === state.doc.annotations ? state.doc : { ...state.doc, annotations }
      return action.phase === 'preview' ? previewDoc(state, doc) : commitDoc(state, doc)
    }
    case 'delete': {
      const ids = new Set(action.ids ?? state.selectedIds)
      if (ids.size === 0) return state
      const annotations = state.doc.annotations.filter((a) => !ids.has(a.id))
      if (annotations.length === state.doc.annotations.length) return state
      const next = commitDoc(state, { ...state.doc, annotations })
      return { ...next, selectedIds: next.selectedIds.filter((id) => !ids.has(id)) }
    }
    case 'discard-new': {
      const settled = settleGesture(state)
      const annotations = settled.doc.annotations.filter((a) => a.id !== action.id)
      if (annotations.length === settled.doc.annotations.length) return state
      const doc = { ...settled.doc, annotations }
      const selectedIds = settled.selectedIds.filter((id) => id !== action.id)
      const previous = settled.past[settled.past.length - 1]
      if (previous && sameDoc(previous, doc)) {
        return {
          ...settled,
          doc: previous,
          past: settled.past.slice(0, -1),
          selectedIds,
          revision: settled.revision + 1,
          problem: null
        }
      }
      return { ...commitDoc(settled, doc), selectedIds }
    }
    case 'duplicate': {
      const sources = selectedAnnotations(state)
      if (sources.length === 0) return state
      let nextStep = highestStep(state.doc.annotations) + 1
      const copies = sources.map((a, i) => {
        const copy = withNewId(a, action.ids[i] ?? `${a.id}-copy-${state.revision}-${i}`)
        const moved = offsetGeometry(copy, DUPLICATE_OFFSET)
        return moved.type === 'step' ? { ...moved, n: nextStep++ } : moved
      })
      const next = commitDoc(state, {
        ...state.doc,
        annotations: [...state.doc.annotations, ...copies]
      })
      return { ...next, selectedIds: copies.map((c) => c.id) }
    }
    case 'copy': {
      const selected = selectedAnnotations(state)
      return selected.length === 0 ? state : { ...state, clipboard: selected }
    }
    case 'paste': {
      if (state.clipboard.length === 0) return state
      const copies = pasted(state, action.atMs, action.ids)
      const next = commitDoc(state, {
        ...state.doc,
        annotations: [...state.doc.annotations, ...copies]
      })
      return { ...next, selectedIds: copies.map((c) => c.id), bubbleSelected: false }
    }
    case 'mark': {
      const at = clampInt(action.atMs, 0, state.durationMs)
      const marks =
        action.edge === 'in'
          ? {
              in: at,
              out: state.marks.out !== null && state.marks.out > at ? state.marks.out : null
            }
          : { in: state.marks.in !== null && state.marks.in < at ? state.marks.in : null, out: at }
      return { ...state, marks, problem: null }
    }
    case 'set-range': {
      const a = clampInt(Math.min(action.startMs, action.endMs), 0, state.durationMs)
      const b = clampInt(Math.max(action.startMs, action.endMs), 0, state.durationMs)
      const marks = b > a ? { in: a, out: b } : { in: null, out: null }
      return { ...state, marks, problem: null }
    }
    case 'clear-range':
      return state.marks.in === null && state.marks.out === null
        ? state
        : { ...state, marks: { in: null, out: null } }
    case 'cut': {
      const range = markedRange(state.marks, state.durationMs)
      if (!range) {
        return {
          ...state,
          problem:
            'Select the part to cut first: Shift+drag on the timeline, or press [ and ] at its start and end.'
        }
      }
      const keep = tryKeep(() => cutRange(state.doc.keep, range[0], range[1], state.durationMs))
      if (typeof keep === 'string') return { ...state, problem: keep }
      const next = commitDoc(state, { ...state.doc, keep })
      return { ...next, marks: { in: null, out: null } }
    }
    case 'restore': {
      const [start, end] = action.range
      const keep = normalizeKeep([...state.doc.keep, [start, end]], state.durationMs)
      return commitDoc(state, { ...state.doc, keep })
    }
    case 'trim': {
      // A drag is measured from where it started, so passing over a cut does not remove it.
      const base = state.gestureBase?.keep ?? state.doc.keep
      const keep = tryKeep(() => trimmed(base, action.edge, action.atMs, state.durationMs))
      if (typeof keep === 'string') return { ...state, problem: keep }
      const doc = sameKeep(keep, state.doc.keep) ? state.doc : { ...state.doc, keep }
      return action.phase === 'preview' ? previewDoc(state, doc) : commitDoc(state, doc)
    }
    case 'cancel-gesture':
      return state.gestureBase ? { ...state, doc: state.gestureBase, gestureBase: null } : state
    case 'undo': {
      const settled = settleGesture(state)
      const previous = settled.past[settled.past.length - 1]
      if (!previous) return settled
      return restored(settled, previous, {
        past: settled.past.slice(0, -1),
        future: [...settled.future, settled.doc]
      })
    }
    case 'redo': {
      const settled = settleGesture(state)
      const following = settled.future[settled.future.length - 1]
      if (!following) return settled
      return restored(settled, following, {
        past: [...settled.past, settled.doc],
        future: settled.future.slice(0, -1)
      })
    }
    case 'dismiss-problem':
      return state.problem === null ? state : { ...state, problem: null }
  }
}

// ---- history ----

/** Shows `doc` without an undo step, remembering where the gesture started. */
function previewDoc(state: EditorState, doc: EditorDoc): EditorState {
  if (doc === state.doc) return state
  return { ...state, doc, gestureBase: state.gestureBase ?? state.doc, problem: null }
}

/**
 * Makes `doc` the document with one undo step back to where it was before (before the gesture,
 * when one is in progress). A change that changes nothing adds no step.
 */
function commitDoc(state: EditorState, doc: EditorDoc): EditorState {
  const before = state.gestureBase ?? state.doc
  if (sameDoc(before, doc)) {
    return { ...state, doc: before, gestureBase: null, problem: null }
  }
  return {
    ...state,
    doc,
    gestureBase: null,
    past: [...state.past, before].slice(-HISTORY_LIMIT),
    future: [],
    revision: state.revision + 1,
    problem: null
  }
}

/** Ends a gesture left open (its previews become a step), so undo and redo see a settled doc. */
function settleGesture(state: EditorState): EditorState {
  return state.gestureBase ? commitDoc(state, state.doc) : state
}

function restored(
  state: EditorState,
  doc: EditorDoc,
  stacks: { past: readonly EditorDoc[]; future: readonly EditorDoc[] }
): EditorState {
  const ids = new Set(doc.annotations.map((a) => a.id))
  return {
    ...state,
    ...stacks,
    doc,
    selectedIds: state.selectedIds.filter((id) => ids.has(id)),
    revision: state.revision + 1,
    problem: null
  }
}

// ---- annotations ----

function newAnnotation(
  state: EditorState,
  action: Extract<EditorAction, { type: 'create' }>
): Annotation | null {
  const duration = state.durationMs
  if (duration <= 0 || state.doc.annotations.some((a) => a.id === action.id)) return null
  const startMs = clampInt(action.atMs, 0, Math.max(0, duration - MIN_ANNOTATION_MS))
  const endMs = Math.min(duration, startMs + DEFAULT_ANNOTATION_MS)
  const base = {
    ...styleOverrides(action.draft.type, action.style),
    ...action.draft,
    id: action.id,
    startMs,
    endMs
  } as Annotation
  return base.type === 'step' ? { ...base, n: highestStep(state.doc.annotations) + 1 } : base
}

/** Applies patches (ignoring unknown ids); times are rounded and kept inside the recording. */
function applyChanges(
  annotations: readonly Annotation[],
  changes: readonly AnnotationChange[],
  durationMs: number
): readonly Annotation[] {
  if (changes.length === 0) return annotations
  const patches = new Map<string, AnnotationChange['patch']>()
  for (const change of changes) {
    patches.set(change.id, { ...patches.get(change.id), ...change.patch })
  }
  let changed = false
  const result = annotations.map((a) => {
    const patch = patches.get(a.id)
    if (!patch) return a
    const next = withTimes({ ...a, ...patch, id: a.id, type: a.type } as Annotation, durationMs)
    if (shallowEqual(a, next)) return a
    changed = true
    return next
  })
  return changed ? result : annotations
}

/**
 * Integer times inside the recording with the end after the start. (How short a drag may make
 * an annotation is the timeline's business; this only keeps the file valid.)
 */
function withTimes(a: Annotation, durationMs: number): Annotation {
  const startMs = clampInt(a.startMs, 0, Math.max(0, durationMs - 1))
  const endMs = clampInt(a.endMs, startMs + 1, Math.max(startMs + 1, durationMs))
  return a.startMs === startMs && a.endMs === endMs ? a : { ...a, startMs, endMs }
}

/**
 * The style fields that differ from the format's defaults: a default is not written into the
 * file (it applies when absent), so files stay as small as the user made them.
 */
function styleOverrides(
  type: AnnotationType,
  style: Readonly<Record<string, unknown>> | undefined
): Record<string, unknown> {
  const defaults = ANNOTATION_DEFAULTS[type] as unknown as Readonly<Record<string, unknown>>
  const result: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(style ?? {})) {
    if (value !== undefined && value !== defaults[key]) result[key] = value
  }
  return result
}

function highestStep(annotations: readonly Annotation[]): number {
  let highest = 0
  for (const a of annotations) if (a.type === 'step' && a.n > highest) highest = a.n
  return highest
}

function withNewId(a: Annotation, id: string): Annotation {
  return { ...a, id }
}

/** The clipboard's annotations moved in time so the earliest starts at `atMs`, with new ids. */
function pasted(state: EditorState, atMs: number, ids: readonly string[]): Annotation[] {
  const duration = state.durationMs
  const earliest = Math.min(...state.clipboard.map((a) => a.startMs))
  const shift = Math.round(atMs) - earliest
  let nextStep = highestStep(state.doc.annotations) + 1
  const taken = new Set(state.doc.annotations.map((a) => a.id))
  return state.clipboard.map((a, i) => {
    const length = Math.min(duration, a.endMs - a.startMs)
    const startMs = clampInt(a.startMs + shift, 0, Math.max(0, duration - length))
    let id = ids[i] ?? `${a.id}-paste`
    while (taken.has(id)) id = `${id}-1`
    taken.add(id)
    let copy: Annotation = { ...a, id, startMs, endMs: startMs + length }
    // Pasted over its original (same time): move it a little so both can be seen and grabbed.
    const original = state.doc.annotations.find((o) => o.id === a.id)
    if (original && original.startMs < copy.endMs && copy.startMs < original.endMs) {
      copy = offsetGeometry(copy, DUPLICATE_OFFSET)
    }
    return copy.type === 'step' ? { ...copy, n: nextStep++ } : copy
  })
}

/**
 * The annotation moved by `d` right and down (or left / up where it would leave the frame), so
 * a copy does not hide exactly behind its original.
 */
export function offsetGeometry<A extends Annotation>(a: A, d: number): A {
  const shift = (low: number, high: number): number => {
    if (high + d <= 1) return d
    if (low - d >= 0) return -d
    return 0
  }
  const a2 = a as Annotation
  switch (a2.type) {
    case 'rect':
    case 'highlight':
    case 'blur':
    case 'callout': {
      const dx = shift(a2.x, a2.x + a2.w)
      const dy = shift(a2.y, a2.y + a2.h)
      const moved: Record<string, unknown> = { ...a2, x: a2.x + dx, y: a2.y + dy }
      if (a2.type === 'callout' && a2.pointX !== undefined && a2.pointY !== undefined) {
        moved.pointX = clamp(a2.pointX + dx, 0, 1)
        moved.pointY = clamp(a2.pointY + dy, 0, 1)
      }
      return moved as unknown as A
    }
    case 'arrow': {
      const dx = shift(Math.min(a2.x1, a2.x2), Math.max(a2.x1, a2.x2))
      const dy = shift(Math.min(a2.y1, a2.y2), Math.max(a2.y1, a2.y2))
      return {
        ...a2,
        x1: a2.x1 + dx,
        y1: a2.y1 + dy,
        x2: a2.x2 + dx,
        y2: a2.y2 + dy
      } as unknown as A
    }
    case 'step':
      return { ...a2, x: a2.x + shift(a2.x, a2.x), y: a2.y + shift(a2.y, a2.y) } as unknown as A
  }
}

// ---- kept ranges ----

function trimmed(
  keep: NormalizedKeep,
  edge: 'in' | 'out',
  atMs: number,
  durationMs: number
): NormalizedKeep {
  const first = keep[0]
  const last = keep[keep.length - 1]
  if (!first || !last) return keep
  if (edge === 'in') {
    const at = clampInt(atMs, 0, Math.max(0, last[1] - MIN_KEEP_MS))
    return trimIn(keep, at, durationMs)
  }
  const at = clampInt(atMs, Math.min(durationMs, first[0] + MIN_KEEP_MS), durationMs)
  return trimOut(keep, at, durationMs)
}

/** The kept ranges `make` returns, or the message of the error it throws. */
function tryKeep(make: () => NormalizedKeep): NormalizedKeep | string {
  try {
    return make()
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}

// ---- comparisons ----

function sameDoc(a: EditorDoc, b: EditorDoc): boolean {
  if (a === b) return true
  if (!sameKeep(a.keep, b.keep)) return false
  if (!sameBubble(a.bubble, b.bubble)) return false
  if (a.annotations === b.annotations) return true
  if (a.annotations.length !== b.annotations.length) return false
  return a.annotations.every((x, i) => {
    const y = b.annotations[i]
    return y !== undefined && shallowEqual(x, y)
  })
}

/** Same placement, shape and hidden ranges (and the same unknown keys); absent only equals absent. */
function sameBubble(a: Bubble | undefined, b: Bubble | undefined): boolean {
  if (a === b) return true
  if (!a || !b) return false
  const { hidden: hiddenA, ...restA } = a
  const { hidden: hiddenB, ...restB } = b
  return sameKeep(hiddenA, hiddenB) && shallowEqual(restA, restB)
}

function sameKeep(a: readonly TimeRange[], b: readonly TimeRange[]): boolean {
  if (a === b) return true
  return a.length === b.length && a.every(([s, e], i) => b[i]?.[0] === s && b[i]?.[1] === e)
}

/** Same keys with the same values; a key set to undefined counts as absent. */
function shallowEqual(a: object, b: object): boolean {
  if (a === b) return true
  const x = a as Record<string, unknown>
  const y = b as Record<string, unknown>
  for (const key of new Set([...Object.keys(x), ...Object.keys(y)])) {
    if (x[key] !== y[key]) return false
  }
  return true
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => b[i] === id)
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)]
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}

function clampInt(value: number, min: number, max: number): number {
  return Math.round(clamp(Number.isFinite(value) ? value : min, min, max))
}
