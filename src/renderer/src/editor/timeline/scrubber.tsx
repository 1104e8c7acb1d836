/**
 * The ruler, the frames and the narration's outline, as one slider for the playhead: click or
 * drag to move it, Shift+drag to select a part.
 */
import { memo, useRef } from 'react'
import type { PointerEvent, ReactNode } from 'react'
import { formatClock, formatTick } from '../time-format'
import { FrameStrip } from './frame-strip'
import { percentAt, tickStepMs, ticks } from './timeline-geometry'
import { Waveform } from './waveform'

export interface ScrubberProps {
  readonly durationMs: number
  readonly currentMs: number
  readonly mediaUrl: string
  /** Width / height of the video frame (for the frame strip). */
  readonly frameAspect: number
  /** The recording time under a pointer at `clientX`. */
  readonly timeAt: (clientX: number) => number
  /** The timeline's width in CSS pixels. */
  readonly width: number
  readonly onSeek: (ms: number) => void
  readonly onRange: (startMs: number, endMs: number) => void
}

export function Scrubber(props: ScrubberProps): ReactNode {
  const { durationMs, currentMs, timeAt, width, onSeek, onRange } = props
  const drag = useRef<{ kind: 'scrub' } | { kind: 'range'; from: number } | null>(null)

  const onPointerDown = (event: PointerEvent<HTMLDivElement>): void => {
    if (event.button !== 0) return
    event.preventDefault()
    event.currentTarget.focus()
    event.currentTarget.setPointerCapture(event.pointerId)
    const t = timeAt(event.clientX)
    if (event.shiftKey) {
      drag.current = { kind: 'range', from: t }
    } else {
      drag.current = { kind: 'scrub' }
      onSeek(t)
    }
  }
  const onPointerMove = (event: PointerEvent<HTMLDivElement>): void => {
    const d = drag.current
    if (!d) return
    const t = timeAt(event.clientX)
    if (d.kind === 'range') onRange(d.from, t)
    else onSeek(t)
  }
  const end = (): void => {
    drag.current = null
  }

  return (
    <div
      className="scrubber"
      role="slider"
      tabIndex={0}
      aria-label="Playhead"
      aria-valuemin={0}
      aria-valuemax={durationMs}
      aria-valuenow={Math.round(currentMs)}
      aria-valuetext={formatClock(currentMs)}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={end}
      onPointerCancel={end}
    >
      <Ruler durationMs={durationMs} width={width} />
      <FrameStrip
        url={props.mediaUrl}
        durationMs={durationMs}
        width={width}
        aspect={props.frameAspect}
      />
      <Waveform url={props.mediaUrl} durationMs={durationMs} width={width} />
    </div>
  )
}

const Ruler = memo(function Ruler(props: { durationMs: number; width: number }): ReactNode {
  const { durationMs, width } = props
  const step = tickStepMs(durationMs, width)
  return (
    <div className="ruler" aria-hidden="true">
      {ticks(durationMs, step).map((t) => (
        <span key={t} className="tick" style={{ left: `${percentAt(t, durationMs)}%` }}>
          {t < durationMs - step / 3 ? formatTick(t) : ''}
        </span>
      ))}
    </div>
  )
})
