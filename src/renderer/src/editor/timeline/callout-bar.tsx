/**
 * One callout's bar on the timeline: drag it to move the callout in time (with the rest of the
 * selection), drag an end to change when it starts or ends; with the keyboard, Left and Right
 * move it (Shift: a second, Alt: the end only), Enter selects it, Delete removes it.
 */
import { useRef } from 'react'
import type { KeyboardEvent, PointerEvent, ReactNode } from 'react'
import { withDefaults, type Annotation } from '../../../../shared/edits'
import type { NormalizedKeep } from '../../../../shared/timeline'
import { barLabel } from '../labels'
import type { AnnotationChange, ChangePhase } from '../overlay/types'
import { barPieces, dragBar, spanStyle, type BarDragMode } from './timeline-geometry'

/** A lane's height, px. */
export const LANE_HEIGHT = 24
/** Pointer travel before a press on a bar becomes a drag, px. */
const DRAG_THRESHOLD_PX = 3

interface BarDrag {
  readonly mode: BarDragMode
  readonly x0: number
  readonly originals: ReadonlyMap<string, { startMs: number; endMs: number }>
  moved: boolean
  last: readonly AnnotationChange[]
}

export function CalloutBar(props: {
  annotation: Annotation
  name: string
  lane: number
  selected: boolean
  tabbable: boolean
  onFocus: () => void
  onFocusNeighbour: (direction: -1 | 1) => void
  selectedIds: readonly string[]
  annotations: readonly Annotation[]
  durationMs: number
  keep: NormalizedKeep
  width: number
  onSelect: (ids: readonly string[]) => void
  onChange: (changes: readonly AnnotationChange[], phase: ChangePhase) => void
  onCancel: () => void
  onDelete: (ids: readonly string[]) => void
  onReveal: (startMs: number, endMs: number) => void
}): ReactNode {
  const { annotation: a, lane, selected, selectedIds, durationMs, width } = props
  const drag = useRef<BarDrag | null>(null)
  const color = (withDefaults(a) as { color?: string }).color ?? '#6b7280'
  // Drawn as it will show in the video: only over the kept parts, a dashed line across cuts.
  const pieces = barPieces(a.startMs, a.endMs, props.keep)
  const whole = pieces.length === 1 && pieces[0]?.from === 0 && pieces[0]?.to === 1
  const cutOut = pieces.length === 0

  const onPointerDown = (event: PointerEvent<HTMLDivElement>): void => {
    if (event.button !== 0) return
    event.preventDefault()
    event.stopPropagation()
    event.currentTarget.focus()
    const additive = event.shiftKey || event.ctrlKey || event.metaKey
    let group: readonly string[]
    if (additive) {
      group = selected ? selectedIds.filter((id) => id !== a.id) : [...selectedIds, a.id]
      props.onSelect(group)
      if (selected) return
    } else {
      group = selected ? selectedIds : [a.id]
      if (!selected) props.onSelect(group)
    }
    const edge = (event.target as HTMLElement).dataset.edge
    const mode: BarDragMode = edge === 'start' || edge === 'end' ? edge : 'move'
    const ids = mode === 'move' ? group : [a.id]
    const originals = new Map<string, { startMs: number; endMs: number }>()
    for (const item of props.annotations) {
      if (ids.includes(item.id))
        originals.set(item.id, { startMs: item.startMs, endMs: item.endMs })
    }
    event.currentTarget.setPointerCapture(event.pointerId)
    drag.current = { mode, x0: event.clientX, originals, moved: false, last: [] }
  }

  const onPointerMove = (event: PointerEvent<HTMLDivElement>): void => {
    const d = drag.current
    if (!d || width <= 0) return
    const dx = event.clientX - d.x0
    if (!d.moved && Math.abs(dx) < DRAG_THRESHOLD_PX) return
    d.moved = true
    let delta = (dx / width) * durationMs
    if (d.mode === 'move') {
      // The group moves together and stops at the recording's ends.
      const starts = [...d.originals.values()]
      const minStart = Math.min(...starts.map((o) => o.startMs))
      const maxEnd = Math.max(...starts.map((o) => o.endMs))
      delta = Math.min(Math.max(delta, -minStart), durationMs - maxEnd)
    }
    d.last = [...d.originals].map(([id, o]) => ({
      id,
      patch: dragBar(d.mode, o.startMs, o.endMs, delta, durationMs)
    }))
    props.onChange(d.last, 'preview')
  }

  const onPointerUp = (): void => {
    const d = drag.current
    drag.current = null
    if (d?.moved && d.last.length > 0) props.onChange(d.last, 'commit')
    else if (d) props.onReveal(a.startMs, a.endMs)
  }
  const onPointerCancel = (): void => {
    if (drag.current?.moved) props.onCancel()
    drag.current = null
  }

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (event.ctrlKey || event.metaKey) return
    if (event.key === 'Enter') {
      event.preventDefault()
      props.onSelect(event.shiftKey ? [...selectedIds, a.id] : [a.id])
      props.onReveal(a.startMs, a.endMs)
      return
    }
    if (event.key === 'ArrowUp' || event.key === 'ArrowDown') {
      event.preventDefault()
      event.stopPropagation()
      props.onFocusNeighbour(event.key === 'ArrowUp' ? -1 : 1)
      return
    }
    if (event.key === 'Delete' || event.key === 'Backspace') {
      event.preventDefault()
      event.stopPropagation()
      props.onDelete([a.id])
      return
    }
    const direction = event.key === 'ArrowLeft' ? -1 : event.key === 'ArrowRight' ? 1 : 0
    if (direction === 0) return
    event.preventDefault()
    event.stopPropagation()
    const deltaMs = direction * (event.shiftKey ? 1000 : 100)
    // Alt+arrows change the end; arrows alone move the whole bar.
    const mode: BarDragMode = event.altKey ? 'end' : 'move'
    props.onChange(
      [{ id: a.id, patch: dragBar(mode, a.startMs, a.endMs, deltaMs, durationMs) }],
      'commit'
    )
  }

  return (
    <div
      className={`callout-bar${selected ? ' selected' : ''}${whole ? '' : ' split'}${cutOut ? ' cut-out' : ''}`}
      data-id={a.id}
      role="option"
      tabIndex={props.tabbable ? 0 : -1}
      aria-selected={selected}
      aria-label={barLabel(props.name, a, cutOut)}
      aria-keyshortcuts="Enter ArrowLeft ArrowRight Shift+ArrowLeft Shift+ArrowRight Alt+ArrowLeft Alt+ArrowRight Delete"
      title={`${props.name} — drag to move, drag an end to change when it shows`}
      onFocus={props.onFocus}
      style={{
        ...spanStyle(a.startMs, a.endMs, durationMs),
        top: lane * LANE_HEIGHT,
        ['--bar-color' as string]: color
      }}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerCancel}
      onKeyDown={onKeyDown}
    >
      {!whole &&
        pieces.map((piece) => (
          <span
            key={piece.from}
            className="bar-piece"
            aria-hidden="true"
            style={{ left: `${piece.from * 100}%`, width: `${(piece.to - piece.from) * 100}%` }}
          />
        ))}
      <span className="bar-edge bar-edge-start" data-edge="start" aria-hidden="true" />
      <span className="bar-title" aria-hidden="true">
        {a.type === 'callout' && a.text.trim() ? a.text : props.name}
      </span>
      <span className="bar-edge bar-edge-end" data-edge="end" aria-hidden="true" />
    </div>
  )
}
