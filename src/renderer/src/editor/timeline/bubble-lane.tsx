/**
 * A thin lane under the frame strip for a recording with a camera: where the camera bubble
 * shows (filled) and where it does not (the camera's hidden stretches, and before or after its
 * pictures). A press on it selects the bubble and moves the playhead there, so "Show from here"
 * is one click away from a hidden stretch.
 */
import type { PointerEvent as ReactPointerEvent, ReactNode } from 'react'
import type { TimeRange } from '../../../../shared/timeline'
import { bubbleLaneLabel } from '../overlay/bubble-model'
import { spanStyle } from './timeline-geometry'

export interface BubbleLaneProps {
  readonly durationMs: number
  /** Where the camera has pictures, on the recording's clock (null: unknown). */
  readonly cameraRange: TimeRange | null
  /** Where the bubble shows (bubbleShownRanges). */
  readonly shown: readonly TimeRange[]
  readonly selected: boolean
  /** From a recording time: the time under the pointer. */
  readonly timeAt: (clientX: number) => number
  readonly onSelect: () => void
  readonly onSeek: (ms: number) => void
}

export function BubbleLane(props: BubbleLaneProps): ReactNode {
  const { durationMs, cameraRange, shown } = props
  const onPointerDown = (event: ReactPointerEvent<HTMLDivElement>): void => {
    if (event.button !== 0) return
    event.preventDefault()
    props.onSelect()
    props.onSeek(props.timeAt(event.clientX))
  }
  return (
    <div
      className={props.selected ? 'bubble-lane selected' : 'bubble-lane'}
      role="button"
      tabIndex={-1}
      aria-label={bubbleLaneLabel(shown)}
      aria-pressed={props.selected}
      data-testid="bubble-lane"
      onPointerDown={onPointerDown}
    >
      {cameraRange && (
        <div
          className="bubble-lane__camera"
          style={spanStyle(cameraRange[0], cameraRange[1], durationMs)}
        />
      )}
      {shown.map(([start, end]) => (
        <div
          key={`${start}-${end}`}
          className="bubble-lane__shown"
          style={spanStyle(start, end, durationMs)}
        />
      ))}
    </div>
  )
}
