/**
 * Play and pause, frame steps, and where the playhead is in the video (after cuts): the one clock
 * the editor shows, as the ruler and the export do. In a cut part, a badge says so.
 */
import type { ReactNode } from 'react'
import { FrameBackIcon, FrameForwardIcon, PauseIcon, PlayIcon } from '../ui/icons'
import { formatClock } from './time-format'

export interface TransportProps {
  readonly playing: boolean
  readonly onToggle: () => void
  readonly onStep: (direction: -1 | 1) => void
  /** The playhead in the video (after cuts), ms. */
  readonly outputMs: number
  /** The video's length after cuts, ms. */
  readonly keptMs: number
  /** The playhead is in a part that is cut out. */
  readonly inCut: boolean
}

export function Transport(props: TransportProps): ReactNode {
  const { playing } = props
  return (
    <div className="transport" role="group" aria-label="Playback">
      <button
        type="button"
        className="play-button"
        onClick={props.onToggle}
        aria-label={playing ? 'Pause' : 'Play'}
        aria-keyshortcuts="Space"
        title={`${playing ? 'Pause' : 'Play'} (Space)`}
      >
        {playing ? <PauseIcon size="small" /> : <PlayIcon size="small" filled />}
      </button>
      <button
        type="button"
        className="icon-button step-button"
        onClick={() => props.onStep(-1)}
        aria-label="Back one frame"
        aria-keyshortcuts="ArrowLeft"
        title="Back one frame (←; Shift+← one second)"
      >
        <FrameBackIcon size="small" />
      </button>
      <button
        type="button"
        className="icon-button step-button"
        onClick={() => props.onStep(1)}
        aria-label="Forward one frame"
        aria-keyshortcuts="ArrowRight"
        title="Forward one frame (→; Shift+→ one second)"
      >
        <FrameForwardIcon size="small" />
      </button>
      <span className="time-display">
        <span className="visually-hidden">Position in the video: </span>
        <span data-testid="current-time">{formatClock(props.outputMs)}</span>
        <span className="muted" aria-hidden="true">
          {' / '}
        </span>
        <span className="visually-hidden">, length after cuts: </span>
        <span>{formatClock(props.keptMs)}</span>
      </span>
      {props.inCut && <span className="badge badge-cut">In a cut part — not in the video</span>}
      <span className="spacer" />
    </div>
  )
}
