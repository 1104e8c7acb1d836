/**
 * The ruler, the frames and the narration's outline, as one slider for the playhead: click or
 * drag to move it, Shift+drag to select a part. The ruler reads the edited video's time, as the
 * timecode under the player does: one clock, the one the export will have.
 */
import { memo, useRef } from 'react'
import type { PointerEvent, ReactNode } from 'react'
import type { NormalizedKeep } from '../../../../shared/timeline'
import { toOutputTime } from '../../../../shared/timeline'
import { formatClock } from '../time-format'
import { FrameStrip } from './frame-strip'
import { percentAt, rulerTicks } from './timeline-geometry'
import { Waveform } from './waveform'

export interface ScrubberProps {
  readonly durationMs: number
  /** The kept parts: the ruler counts the video's time over them. */
  readonly keep: NormalizedKeep
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
  const { durationMs, keep, currentMs, timeAt, width, onSeek, onRange } = props
  const outputMs = toOutputTime(currentMs, keep)
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
      aria-valuetext={
        outputMs === null
          ? 'In a cut part, not in the video'
          : `${formatClock(outputMs)} in the video`
      }
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={end}
      onPointerCancel={end}
    >
      <Ruler durationMs={durationMs} keep={keep} width={width} />
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

/** On the video's clock, like the timecode: ticks over the kept parts, none over cut ones. */
const Ruler = memo(function Ruler(props: {
  durationMs: number
  keep: NormalizedKeep
  width: number
}): ReactNode {
  const { durationMs, keep, width } = props
  return (
    <div className="ruler" aria-hidden="true" data-testid="ruler">
      {rulerTicks(keep, durationMs, width).map((t) => (
        <span
          key={t.atMs}
          className="tick"
          data-at-ms={t.atMs}
          style={{ left: `${percentAt(t.atMs, durationMs)}%` }}
        >
          {t.label}
        </span>
      ))}
    </div>
  )
})
