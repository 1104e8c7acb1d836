/**
 * The callouts over the player: the very SVG export burns in (drawOverlay), a live CSS preview of
 * blur, and the pointer and keyboard editing of annotations — drawing with a tool, selecting,
 * moving, resizing, nudging and editing a callout's text in place.
 *
 * Layers, bottom to top: blur previews (backdrop-filter sees the video beneath, as ffmpeg blurs
 * the source before callouts are laid over it), the drawing, the selection chrome, the focus
 * targets, the text field. Only the root takes pointer events; what is under the pointer is
 * worked out from geometry (geometry.ts), never from pixels.
 */
import { useCallback, useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from 'react'
import type {
  KeyboardEvent as ReactKeyboardEvent,
  MouseEvent as ReactMouseEvent,
  PointerEvent as ReactPointerEvent,
  ReactNode,
  RefObject
} from 'react'
import { drawOverlay, type FrameSize } from '../../../../shared/callouts/draw'
import type { Annotation, AnnotationType, CalloutAnnotation } from '../../../../shared/edits'
import { hasModifier } from '../../ui/key-guard'
import { previewBackdropFilter } from './blur-preview'
import { CalloutTextEditor } from './callout-text-editor'
import {
  boundsOf,
  clamp,
  draftFromDrag,
  dragBox,
  drawOrder,
  handleAt,
  handleCursor,
  handlesOf,
  hitTest,
  isNudgeKey,
  moveChanges,
  nextStepNumber,
  nudgeChanges,
  resizePatch,
  visibleAt,
  withPatches,
  type GeometryPatch,
  type Handle,
  type Point
} from './geometry'
import { annotationNames, selectionSummary } from './names'
import type { AnnotationChange, CalloutOverlayProps, ClientPoint } from './types'
import './overlay.css'

/** Screen distances, in CSS pixels, converted to frame pixels at the size shown. */
const HIT_TOLERANCE_CSS = 6
const HANDLE_SIZE_CSS = 10
const DRAG_START_CSS = 3
const MIN_SIZE_CSS = 12
const OUTLINE_GAP_CSS = 4

type Gesture =
  | {
      readonly kind: 'draw'
      readonly pointerId: number
      readonly tool: AnnotationType
      readonly start: Point
      readonly current: Point
    }
  | {
      readonly kind: 'move' | 'resize'
      readonly pointerId: number
      readonly start: Point
      readonly startClient: { readonly x: number; readonly y: number }
      /** The annotations as they were when the pointer went down. */
      readonly originals: readonly Annotation[]
      readonly handle?: Handle
      /** A plain click on one of several selected narrows the selection to it on release. */
      readonly clickId?: string
      readonly moved: boolean
      readonly last: readonly AnnotationChange[]
    }

interface Editing {
  readonly id: string
  readonly initialText: string
  /** The callout as drawn, until the editor's annotations include it. */
  readonly fallback: CalloutAnnotation
  /** Just drawn: left without text, it goes. */
  readonly isNew: boolean
}

function useElementSize(ref: RefObject<HTMLElement | null>): { width: number; height: number } {
  const [size, setSize] = useState({ width: 0, height: 0 })
  useLayoutEffect(() => {
    const element = ref.current
    if (!element) return
    const update = (): void => {
      const width = element.clientWidth
      const height = element.clientHeight
      setSize((old) => (old.width === width && old.height === height ? old : { width, height }))
    }
    update()
    const observer = new ResizeObserver(update)
    observer.observe(element)
    return () => observer.disconnect()
  }, [ref])
  return size
}

const pct = (fraction: number): string => `${fraction * 100}%`

/** The editor's annotation layer; fills its positioned parent, which has the video's aspect ratio. */
/**
 * The overlay's props with what only a React caller gives. Kept out of types.ts, which plain
 * (non-React) editor code and its Node unit tests import: React's types there would stub the DOM
 * element types of the whole Node typecheck.
 */
export interface CalloutOverlayViewProps extends CalloutOverlayProps {
  /**
   * Drawn between the blur previews and the callouts (the camera bubble: the export stacks it
   * above the screen and its blur, below the callouts). Given `hitsAnnotation`, which says
   * whether a press there belongs to a callout drawn over it (then the overlay handles it).
   */
  readonly underlay?: (hitsAnnotation: (point: ClientPoint) => boolean) => ReactNode
}

export function CalloutOverlay(props: CalloutOverlayViewProps): ReactNode {
  const { annotations, currentMs, tool, selectedIds, onSelect, onCreate, onChange } = props
  const { onToolDone, onCancelGesture, onDiscard } = props
  const frame: FrameSize = useMemo(
    () => ({ width: Math.max(1, props.frame.width), height: Math.max(1, props.frame.height) }),
    [props.frame.width, props.frame.height]
  )
  const rootRef = useRef<HTMLDivElement>(null)
  const helpId = useId()
  const size = useElementSize(rootRef)
  const [gesture, setGesture] = useState<Gesture | null>(null)
  const gestureRef = useRef<Gesture | null>(null)
  const [livePatches, setLivePatches] = useState<ReadonlyMap<string, GeometryPatch>>(new Map())
  const [editing, setEditing] = useState<Editing | null>(null)
  const [cursor, setCursor] = useState('default')
  const targetRefs = useRef(new Map<string, HTMLDivElement>())
  // Focus moved by the overlay itself must not change the selection (see the targets' onFocus).
  const programmaticFocus = useRef(false)
  // The callout whose target takes the focus when the text field that holds it closes.
  const focusAfterEdit = useRef<string | null>(null)

  const updateGesture = (next: Gesture | null): void => {
    gestureRef.current = next
    setGesture(next)
  }

  // Frame pixels per CSS pixel at the size shown.
  const framePerCss = size.width > 0 ? frame.width / size.width : 1
  const shown = useMemo(() => withPatches(annotations, livePatches), [annotations, livePatches])
  const visible = useMemo(() => visibleAt(shown, currentMs), [shown, currentMs])
  const names = useMemo(() => annotationNames(annotations), [annotations])
  const selectedVisible = useMemo(
    () => visible.filter((a) => selectedIds.includes(a.id)),
    [visible, selectedIds]
  )
  // Built with escaping in src/shared/callouts (escapeXml, safeColor, numbers only), so it is
  // safe to insert as markup; it is the same SVG export rasterises.
  const markup = useMemo(() => drawOverlay(visible, frame), [visible, frame])

  const toPoint = (event: { clientX: number; clientY: number }): Point => {
    const rect = rootRef.current?.getBoundingClientRect()
    if (!rect || rect.width === 0 || rect.height === 0) return { x: 0, y: 0 }
    return {
      x: (event.clientX - rect.left) / rect.width,
      y: (event.clientY - rect.top) / rect.height
    }
  }

  const focusAfterSelect = useCallback((id: string | null): void => {
    const target = id ? targetRefs.current.get(id) : undefined
    programmaticFocus.current = true
    try {
      ;(target ?? rootRef.current)?.focus({ preventScroll: true })
    } finally {
      programmaticFocus.current = false
    }
  }, [])

  const startEditing = (callout: CalloutAnnotation, isNew = false): void => {
    focusAfterEdit.current = null
    setEditing({ id: callout.id, initialText: callout.text, fallback: callout, isNew })
  }

  // An undo (or a delete) that removes the callout being edited ends the edit. Until the
  // editor's list first includes a just-drawn callout, the field uses the drawn geometry.
  const editingId = editing?.id
  const editingExists = editingId ? annotations.some((a) => a.id === editingId) : false
  const seenEditing = useRef(false)
  useEffect(() => {
    if (!editingId) {
      seenEditing.current = false
    } else if (editingExists) {
      seenEditing.current = true
    } else if (seenEditing.current) {
      seenEditing.current = false
      setEditing(null)
    }
  }, [editingId, editingExists])

  /** Whether a press at `point` is on a shown annotation or a selection handle. */
  const hitsAnnotation = (point: ClientPoint): boolean => {
    if (tool !== 'select') return true
    const p = toPoint(point)
    const tolerance = HIT_TOLERANCE_CSS * framePerCss
    const handle = handleAt(selectedVisible, p, frame, (HANDLE_SIZE_CSS / 2 + 2) * framePerCss)
    // A blur lies under the bubble (the export blurs the screen first), so it never takes a press.
    const above = visible.filter((a) => a.type !== 'blur')
    return handle !== null || hitTest(above, p, frame, tolerance) !== null
  }

  // ---- pointer ----

  const onPointerDown = (event: ReactPointerEvent<HTMLDivElement>): void => {
    if (event.button !== 0 || gestureRef.current) return
    if (event.target instanceof HTMLTextAreaElement) return
    const p = toPoint(event)
    event.preventDefault()
    if (editing) {
      // Leaving the text field commits it; this press does nothing else. The callout stays
      // selected, so its target takes the focus, as after Enter.
      ;(document.activeElement as HTMLElement | null)?.blur()
      setEditing(null)
      focusAfterSelect(editing.id)
      return
    }
    event.currentTarget.setPointerCapture(event.pointerId)
    if (tool !== 'select') {
      rootRef.current?.focus({ preventScroll: true })
      updateGesture({ kind: 'draw', pointerId: event.pointerId, tool, start: p, current: p })
      return
    }
    const common = {
      pointerId: event.pointerId,
      start: p,
      startClient: { x: event.clientX, y: event.clientY },
      moved: false,
      last: []
    }
    const handle = handleAt(selectedVisible, p, frame, (HANDLE_SIZE_CSS / 2 + 2) * framePerCss)
    if (handle) {
      const original = visible.find((a) => a.id === handle.id)
      if (original) {
        updateGesture({ kind: 'resize', ...common, originals: [original], handle: handle.handle })
        return
      }
    }
    const id = hitTest(visible, p, frame, HIT_TOLERANCE_CSS * framePerCss)
    if (!id) {
      if (!event.shiftKey && selectedIds.length > 0) onSelect([])
      focusAfterSelect(null)
      return
    }
    let moving: string[]
    let clickId: string | undefined
    if (event.shiftKey) {
      if (selectedIds.includes(id)) {
        onSelect(selectedIds.filter((s) => s !== id))
        focusAfterSelect(null)
        return
      }
      const next = [...selectedIds, id]
      onSelect(next)
      moving = next
    } else if (selectedIds.includes(id)) {
      moving = [...selectedIds]
      clickId = selectedIds.length > 1 ? id : undefined
    } else {
      onSelect([id])
      moving = [id]
    }
    focusAfterSelect(id)
    const originals = visible.filter((a) => moving.includes(a.id))
    updateGesture({ kind: 'move', ...common, originals, clickId })
  }

  const onPointerMove = (event: ReactPointerEvent<HTMLDivElement>): void => {
    const g = gestureRef.current
    const p = toPoint(event)
    if (!g) {
      if (tool !== 'select') return
      const handle = handleAt(selectedVisible, p, frame, (HANDLE_SIZE_CSS / 2 + 2) * framePerCss)
      const next = handle
        ? handleCursor(handle.handle)
        : hitTest(visible, p, frame, HIT_TOLERANCE_CSS * framePerCss)
          ? 'move'
          : 'default'
      if (next !== cursor) setCursor(next)
      return
    }
    if (event.pointerId !== g.pointerId) return
    if (g.kind === 'draw') {
      updateGesture({ ...g, current: p })
      return
    }
    const far =
      Math.hypot(event.clientX - g.startClient.x, event.clientY - g.startClient.y) >= DRAG_START_CSS
    if (!g.moved && !far) return
    const dx = p.x - g.start.x
    const dy = p.y - g.start.y
    const changes =
      g.kind === 'move'
        ? moveChanges(g.originals, dx, dy, frame)
        : g.originals.map((a) => ({
            id: a.id,
            patch: resizePatch(a, g.handle as Handle, dx, dy, frame, MIN_SIZE_CSS * framePerCss)
          }))
    // At an edge nothing can move: show the originals again.
    const shownChanges =
      changes.length > 0 ? changes : g.originals.map((a) => ({ id: a.id, patch: movePatchOf(a) }))
    updateGesture({ ...g, moved: true, last: shownChanges })
    setLivePatches(new Map(shownChanges.map((c) => [c.id, c.patch])))
    onChange(shownChanges, 'preview')
  }

  const finishGesture = (event: ReactPointerEvent<HTMLDivElement>, cancelled: boolean): void => {
    const g = gestureRef.current
    if (!g || event.pointerId !== g.pointerId) return
    updateGesture(null)
    if (event.currentTarget.hasPointerCapture(event.pointerId)) {
      event.currentTarget.releasePointerCapture(event.pointerId)
    }
    if (g.kind === 'draw') {
      if (cancelled) return
      const end = toPoint(event)
      const draft = draftFromDrag(g.tool, g.start, end, frame, {
        clickPx: DRAG_START_CSS * 2 * framePerCss,
        minPx: MIN_SIZE_CSS * framePerCss,
        nextStep: nextStepNumber(annotations)
      })
      const id = onCreate(draft)
      onSelect([id])
      if (draft.type === 'callout') {
        startEditing({ ...draft, id, startMs: currentMs, endMs: currentMs + 1 }, true)
      }
      onToolDone?.()
      return
    }
    setLivePatches(new Map())
    if (g.moved) {
      if (cancelled) onCancelGesture?.()
      else onChange(g.last, 'commit')
    } else if (g.clickId && !cancelled) {
      onSelect([g.clickId])
    }
  }

  // Escape while dragging abandons the gesture: nothing drawn, moved or resized.
  useEffect(() => {
    if (!gesture) return
    const onKey = (event: KeyboardEvent): void => {
      const g = gestureRef.current
      if (event.key !== 'Escape' || !g) return
      event.preventDefault()
      event.stopPropagation()
      updateGesture(null)
      setLivePatches(new Map())
      const root = rootRef.current
      if (root?.hasPointerCapture(g.pointerId)) root.releasePointerCapture(g.pointerId)
      if (g.kind !== 'draw' && g.moved) onCancelGesture?.()
    }
    // Capture, so the editor's own Escape (deselect) does not also run.
    window.addEventListener('keydown', onKey, true)
    return () => window.removeEventListener('keydown', onKey, true)
  }, [gesture, onCancelGesture])

  const onDoubleClick = (event: ReactMouseEvent<HTMLDivElement>): void => {
    if (tool !== 'select' || editing) return
    const id = hitTest(visible, toPoint(event), frame, HIT_TOLERANCE_CSS * framePerCss)
    const hit = visible.find((a) => a.id === id)
    if (hit?.type !== 'callout') return
    event.preventDefault()
    onSelect([hit.id])
    startEditing(hit)
  }

  // ---- keyboard ----

  const onKeyDown = (event: ReactKeyboardEvent<HTMLDivElement>): void => {
    if (editing || event.target instanceof HTMLTextAreaElement) return
    if (hasModifier(event)) return
    if (isNudgeKey(event.key)) {
      if (selectedVisible.length === 0 || gestureRef.current) return
      event.preventDefault()
      event.stopPropagation()
      const changes = nudgeChanges(selectedVisible, event.key, event.shiftKey, frame)
      if (changes.length > 0) onChange(changes, 'commit')
      return
    }
    if (event.key === 'Enter' && selectedVisible.length === 1) {
      const only = selectedVisible[0]
      if (only?.type !== 'callout') return
      event.preventDefault()
      event.stopPropagation()
      startEditing(only)
      return
    }
    if (event.key === 'Escape' && selectedIds.length > 0 && !gestureRef.current) {
      event.preventDefault()
      event.stopPropagation()
      onSelect([])
      focusAfterSelect(null)
    }
  }

  // ---- text editing ----

  const editingCallout = editing
    ? ((shown.find((a) => a.id === editing.id && a.type === 'callout') as
        CalloutAnnotation | undefined) ?? editing.fallback)
    : null

  const endEditing = (id: string, hadFocus: boolean): void => {
    // Back to the callout so keys keep working on it (Enter edits it again, arrows move it), when
    // the field had the focus; if the user moved the focus elsewhere, it stays there.
    if (hadFocus) focusAfterEdit.current = id
    setEditing((current) => (current?.id === id ? null : current))
  }

  // In the commit that removes the field, not a frame later: a late callback would find the
  // user's next step under way (a new text field open and typed into, a button focused) and take
  // the focus from it.
  useLayoutEffect(() => {
    const id = focusAfterEdit.current
    if (editing || !id) return
    focusAfterEdit.current = null
    const active = document.activeElement
    if (!active || active === document.body || rootRef.current?.contains(active)) {
      focusAfterSelect(id)
    }
  }, [editing, focusAfterSelect])

  // ---- rendering ----

  const handleSize = HANDLE_SIZE_CSS * framePerCss
  const rubberBand = gesture?.kind === 'draw' ? gesture : null
  const draggingNow = gesture !== null && gesture.kind !== 'draw' && gesture.moved
  const rootCursor =
    tool !== 'select'
      ? 'crosshair'
      : gesture?.kind === 'resize' && gesture.handle
        ? handleCursor(gesture.handle)
        : gesture?.kind === 'move' && gesture.moved
          ? 'move'
          : cursor

  return (
    <div
      ref={rootRef}
      className="callout-overlay"
      role="application"
      aria-label="Callouts"
      aria-roledescription="callout editor"
      aria-describedby={helpId}
      tabIndex={-1}
      data-tool={tool}
      style={{ cursor: rootCursor }}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={(event) => finishGesture(event, false)}
      onPointerCancel={(event) => finishGesture(event, true)}
      onDoubleClick={onDoubleClick}
      onKeyDown={onKeyDown}
    >
      {visible.map((a) =>
        a.type === 'blur' ? (
          <div
            key={`blur-${a.id}`}
            className="callout-overlay__blur"
            data-annotation-id={a.id}
            style={{
              left: pct(Math.min(a.x, a.x + a.w)),
              top: pct(Math.min(a.y, a.y + a.h)),
              width: pct(Math.abs(a.w)),
              height: pct(Math.abs(a.h)),
              backdropFilter: previewBackdropFilter(a, frame, size.height),
              WebkitBackdropFilter: previewBackdropFilter(a, frame, size.height)
            }}
          />
        ) : null
      )}
      {props.underlay?.(hitsAnnotation)}
      <div
        className="callout-overlay__drawing"
        aria-hidden="true"
        dangerouslySetInnerHTML={{ __html: markup }}
      />
      <svg
        className="callout-overlay__chrome"
        aria-hidden="true"
        viewBox={`0 0 ${frame.width} ${frame.height}`}
        preserveAspectRatio="none"
      >
        {tool === 'select' &&
          drawOrder(selectedVisible).map((a) => {
            if (a.id === editing?.id) return null
            const b = boundsOf(a, frame)
            // Just outside the drawing, so a box's own outline stays visible under it.
            const gap = OUTLINE_GAP_CSS * framePerCss
            return (
              <g key={a.id}>
                {a.type !== 'arrow' && (
                  <rect
                    className="callout-overlay__outline"
                    x={b.x * frame.width - gap}
                    y={b.y * frame.height - gap}
                    width={b.w * frame.width + 2 * gap}
                    height={b.h * frame.height + 2 * gap}
                  />
                )}
                {!draggingNow &&
                  handlesOf(a).map((spot) =>
                    spot.handle === 'tail' || spot.handle === 'head' || spot.handle === 'point' ? (
                      <circle
                        key={spot.handle}
                        className="callout-overlay__handle"
                        data-handle={spot.handle}
                        cx={spot.x * frame.width}
                        cy={spot.y * frame.height}
                        r={handleSize / 2}
                      />
                    ) : (
                      <rect
                        key={spot.handle}
                        className="callout-overlay__handle"
                        data-handle={spot.handle}
                        x={spot.x * frame.width - handleSize / 2}
                        y={spot.y * frame.height - handleSize / 2}
                        width={handleSize}
                        height={handleSize}
                      />
                    )
                  )}
              </g>
            )
          })}
        {rubberBand && <RubberBand gesture={rubberBand} frame={frame} />}
      </svg>
      <div className="callout-overlay__targets">
        {visible.map((a) => {
          const b = boundsOf(a, frame)
          const selected = selectedIds.includes(a.id)
          return (
            <div
              key={a.id}
              ref={(element) => {
                if (element) targetRefs.current.set(a.id, element)
                else targetRefs.current.delete(a.id)
              }}
              className="callout-overlay__target"
              role="button"
              tabIndex={0}
              aria-label={names.get(a.id) ?? a.type}
              aria-pressed={selected}
              data-annotation-id={a.id}
              style={{
                left: pct(clamp(b.x, 0, 1)),
                top: pct(clamp(b.y, 0, 1)),
                width: pct(clamp(b.x + b.w, 0, 1) - clamp(b.x, 0, 1)),
                height: pct(clamp(b.y + b.h, 0, 1) - clamp(b.y, 0, 1))
              }}
              onFocus={() => {
                // Tabbing to an annotation selects it (unless it is already part of the selection).
                if (!programmaticFocus.current && !selectedIds.includes(a.id)) onSelect([a.id])
              }}
            />
          )
        })}
      </div>
      {editing && editingCallout && (
        <CalloutTextEditor
          key={editing.id}
          callout={editingCallout}
          frame={frame}
          renderedHeight={size.height}
          initialText={editing.initialText}
          onCommit={(text, hadFocus) => {
            if (text !== editingCallout.text) {
              onChange([{ id: editing.id, patch: { text } }], 'commit')
            }
            endEditing(editing.id, hadFocus)
          }}
          onCancel={(hadFocus) => endEditing(editing.id, hadFocus)}
          isNew={editing.isNew}
          onDiscard={
            onDiscard
              ? (hadFocus) => {
                  onDiscard(editing.id)
                  endEditing(editing.id, hadFocus)
                }
              : undefined
          }
        />
      )}
      <p id={helpId} className="callout-overlay__sr-only">
        Tab moves between the callouts shown now and selects them. Arrow keys move the selected
        ones, 10 pixels at a time with Shift. Enter edits a text callout; Enter or Escape saves the
        text. Escape clears the selection.
      </p>
      <p className="callout-overlay__sr-only" aria-live="polite">
        {selectionSummary(selectedIds, names)}
      </p>
    </div>
  )
}

/** The unchanged geometry of `a`, for showing it back where it was. */
function movePatchOf(a: Annotation): GeometryPatch {
  switch (a.type) {
    case 'arrow':
      return { x1: a.x1, y1: a.y1, x2: a.x2, y2: a.y2 }
    case 'step':
      return { x: a.x, y: a.y }
    case 'callout':
      return a.pointX !== undefined && a.pointY !== undefined
        ? { x: a.x, y: a.y, w: a.w, h: a.h, pointX: a.pointX, pointY: a.pointY }
        : { x: a.x, y: a.y, w: a.w, h: a.h }
    default:
      return { x: a.x, y: a.y, w: a.w, h: a.h }
  }
}

function RubberBand(props: {
  gesture: Extract<Gesture, { kind: 'draw' }>
  frame: FrameSize
}): ReactNode {
  const { gesture, frame } = props
  const { start, current, tool } = gesture
  if (tool === 'step') return null
  if (tool === 'arrow') {
    return (
      <line
        className="callout-overlay__rubber-band"
        x1={start.x * frame.width}
        y1={start.y * frame.height}
        x2={clamp(current.x, 0, 1) * frame.width}
        y2={clamp(current.y, 0, 1) * frame.height}
      />
    )
  }
  const box = dragBox(start, current)
  return (
    <rect
      className="callout-overlay__rubber-band"
      x={box.x * frame.width}
      y={box.y * frame.height}
      width={box.w * frame.width}
      height={box.h * frame.height}
    />
  )
}
