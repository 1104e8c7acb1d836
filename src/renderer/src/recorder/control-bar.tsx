/**
 * The compact view while recording: red dot, timer, mic level, Pause/Resume and Stop. It must fit
 * the ~440×80 always-on-top bar the window shrinks to, and the bar is draggable by its background.
 */
import type { ReactNode } from 'react'
import { formatTimer } from '../format'
import { LevelMeter } from './level-meter'
import type { Recorder } from './use-recorder'
import './recorder.css'

export function ControlBar({ recorder }: { recorder: Recorder }): ReactNode {
  const { phase, elapsedMs, micLevel, hasMicrophone, micWarning } = recorder
  const paused = phase === 'paused'
  const busy = phase === 'finishing' || phase === 'starting'
  const status =
    phase === 'finishing'
      ? 'Saving…'
      : phase === 'starting'
        ? 'Starting…'
        : paused
          ? 'Paused'
          : 'Recording'

  return (
    <div className={`control-bar phase-${phase}`} role="region" aria-label="Recording controls">
      <div className="control-row">
        <span className={paused || busy ? 'rec-dot idle' : 'rec-dot'} aria-hidden="true" />
        <span className="visually-hidden" role="status">
          {status}
        </span>
        <time className="timer" aria-label={`Elapsed ${formatTimer(elapsedMs)}`}>
          {formatTimer(elapsedMs)}
        </time>
        {busy && <span className="bar-status">{status}</span>}
        {!busy && hasMicrophone && <LevelMeter level={micLevel} compact />}
        <span className="spacer" />
        <button
          type="button"
          className="bar-button"
          onClick={paused ? recorder.resume : recorder.pause}
          disabled={busy}
          aria-keyshortcuts="Space"
          aria-label={paused ? 'Resume recording' : 'Pause recording'}
          title={paused ? 'Resume (Space)' : 'Pause (Space)'}
        >
          {paused ? 'Resume' : 'Pause'}
        </button>
        <button
          type="button"
          className="bar-button stop-button"
          onClick={recorder.stop}
          disabled={phase === 'finishing'}
          aria-keyshortcuts="Control+Shift+R Meta+Shift+R"
          aria-label="Stop recording"
          title="Stop (Ctrl+Shift+R)"
        >
          <span className="stop-square" aria-hidden="true" />
          Stop
        </button>
      </div>
      {micWarning && (
        <p className="bar-warning" role="alert" title={micWarning}>
          {micWarning}
        </p>
      )}
    </div>
  )
}
