/**
 * A trim handle, a slider for where the video starts or ends: drag it, or focus it and use the
 * arrow keys (Shift: a second), Page Up / Down (10 s), Home and End.
 */
import { useRef } from 'react'
import type { KeyboardEvent, PointerEvent, ReactNode } from 'react'
import { hasModifier } from '../../ui/key-guard'
import type { ChangePhase } from '../overlay/types'
import { formatClock } from '../time-format'
import { percentAt, stepTime } from './timeline-geometry'

export function TrimHandle(props: {
  edge: 'in' | 'out'
  valueMs: number
  durationMs: number
  timeAt: (clientX: number) => number
  onTrim: (edge: 'in' | 'out', ms: number, phase: ChangePhase) => void
  onSeek: (ms: number) => void
  onCancel: () => void
}): ReactNode {
  const { edge, valueMs, durationMs, timeAt, onTrim, onSeek } = props
  const dragging = useRef<{ moved: boolean; last: number } | null>(null)

  const onPointerDown = (event: PointerEvent<HTMLDivElement>): void => {
    if (event.button !== 0) return
    event.preventDefault()
    event.stopPropagation()
    event.currentTarget.focus()
    event.currentTarget.setPointerCapture(event.pointerId)
    dragging.current = { moved: false, last: valueMs }
  }
  const onPointerMove = (event: PointerEvent<HTMLDivElement>): void => {
    const d = dragging.current
    if (!d) return
    const t = timeAt(event.clientX)
    if (t === d.last && !d.moved) return
    d.moved = true
    d.last = t
    onTrim(edge, t, 'preview')
    onSeek(t)
  }
  const onPointerUp = (): void => {
    const d = dragging.current
    dragging.current = null
    if (d?.moved) onTrim(edge, d.last, 'commit')
  }
  const onPointerCancel = (): void => {
    if (dragging.current?.moved) props.onCancel()
    dragging.current = null
  }
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    let next: number | null = null
    if (event.key === 'ArrowLeft' || event.key === 'ArrowDown') {
      next = stepTime(valueMs, -1, event.shiftKey, durationMs)
    } else if (event.key === 'ArrowRight' || event.key === 'ArrowUp') {
      next = stepTime(valueMs, 1, event.shiftKey, durationMs)
    } else if (event.key === 'PageDown') next = Math.max(0, valueMs - 10_000)
    else if (event.key === 'PageUp') next = Math.min(durationMs, valueMs + 10_000)
    else if (event.key === 'Home') next = 0
    else if (event.key === 'End') next = durationMs
    if (next === null || hasModifier(event)) return
    event.preventDefault()
    event.stopPropagation()
    onTrim(edge, next, 'commit')
    onSeek(next)
  }

  const label = edge === 'in' ? 'Trim start' : 'Trim end'
  return (
    <div
      className={`trim-handle trim-${edge}`}
      role="slider"
      tabIndex={0}
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={durationMs}
      aria-valuenow={valueMs}
      aria-valuetext={formatClock(valueMs)}
      title={`${label} (${edge === 'in' ? 'I' : 'O'} sets it at the playhead)`}
      style={{ left: `${percentAt(valueMs, durationMs)}%` }}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerCancel}
      onKeyDown={onKeyDown}
    >
      <span className="trim-grip" aria-hidden="true" />
    </div>
  )
}
