/**
 * The compact view while recording: red dot, timer, mic level, Pause/Resume, Restart, Discard and
 * Stop. It must fit the ~520×80 always-on-top bar the window shrinks to, and the bar is draggable
 * by its background. Paused says so in words and looks it (amber, the timer dimmed and blinking).
 * Recording with a camera adds "Camera", a toggle (aria-pressed): off blacks the camera and hides
 * the bubble for that stretch; on shows it again.
 * Restart and Discard throw the take away, so the bar first asks (TakeQuestion): focus goes to
 * "Keep recording", Escape keeps recording, Tab stays within the question.
 */
import { useEffect, useRef } from 'react'
import type { KeyboardEvent, ReactNode } from 'react'
import { formatTimer } from '../format'
import { Icon } from '../ui/icons'
import { LevelMeter } from './level-meter'
import type { Recorder, TakeQuestion as Question } from './use-recorder'
import './recorder.css'

/** What each question says; the buttons name the action, so the safe one is never ambiguous. */
export const TAKE_QUESTIONS: Record<
  Question,
  { readonly title: string; readonly detail: string; readonly action: string }
> = {
  restart: {
    title: 'Restart this recording?',
    detail: 'What you recorded so far is deleted and recording starts again.',
    action: 'Restart'
  },
  discard: {
    title: 'Discard this recording?',
    detail: 'It is deleted and cannot be undone.',
    action: 'Discard'
  }
}

export function barStatus(phase: Recorder['phase']): string {
  switch (phase) {
    case 'finishing':
      return 'Saving…'
    case 'starting':
      return 'Starting…'
    case 'paused':
      return 'Paused'
    default:
      return 'Recording'
  }
}

export function ControlBar({ recorder }: { recorder: Recorder }): ReactNode {
  const { phase, elapsedMs, micLevel, hasMicrophone, micWarning, confirming } = recorder
  const { hasCamera, cameraOn, cameraWarning } = recorder
  const warning = [micWarning, cameraWarning].filter(Boolean).join(' ') || null
  const paused = phase === 'paused'
  const busy = phase === 'finishing' || phase === 'starting'
  const status = barStatus(phase)
  const pauseButton = useRef<HTMLButtonElement>(null)
  const restartButton = useRef<HTMLButtonElement>(null)
  const discardButton = useRef<HTMLButtonElement>(null)
  /** Where focus goes back once the question is answered: the button that asked, else Pause. */
  const returnTo = useRef<'restart' | 'discard' | 'pause' | null>(null)

  useEffect(() => {
    if (confirming) {
      returnTo.current ??= 'pause'
      return
    }
    const target = {
      restart: restartButton,
      discard: discardButton,
      pause: pauseButton,
      none: null
    }[returnTo.current ?? 'none']?.current
    // While a restarted take is starting the buttons are disabled: focus once they are back.
    if (!target || target.disabled) return
    target.focus()
    returnTo.current = null
  }, [confirming, phase])

  if (confirming) {
    return (
      <div className={`control-bar phase-${phase}`} role="region" aria-label="Recording controls">
        <TakeQuestion question={confirming} onConfirm={recorder.confirm} onKeep={recorder.keep} />
      </div>
    )
  }

  return (
    <div className={`control-bar phase-${phase}`} role="region" aria-label="Recording controls">
      <div className="control-row">
        <span className={busy ? 'rec-dot idle' : 'rec-dot'} aria-hidden="true" />
        <time className="timer" aria-label={`Elapsed ${formatTimer(elapsedMs)}`}>
          {formatTimer(elapsedMs)}
        </time>
        {/* "Recording" is said by the red dot; every other state in words, not only colour. */}
        <span className={phase === 'recording' ? 'visually-hidden' : 'bar-status'} role="status">
          {status}
        </span>
        {!busy && !paused && hasMicrophone && <LevelMeter level={micLevel} compact />}
        {recorder.answering && (
          <span className="bar-answering" title={recorder.answering.title}>
            Answering: {recorder.answering.title}
          </span>
        )}
        <span className="spacer" />
        <button
          ref={pauseButton}
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
        {hasCamera && (
          <button
            type="button"
            className="bar-button camera-toggle"
            onClick={recorder.toggleCamera}
            disabled={busy}
            aria-pressed={cameraOn}
            title={cameraOn ? 'Turn the camera off' : 'Turn the camera on'}
          >
            Camera
          </button>
        )}
        <button
          type="button"
          className="bar-button bar-icon-button"
          ref={restartButton}
          onClick={() => {
            returnTo.current = 'restart'
            recorder.askRestart()
          }}
          disabled={busy}
          aria-label="Restart recording"
          title="Restart: delete this take and record again"
        >
          <Icon size="small">
            <path d="M4 12a8 8 0 1 0 2.3-5.7M4 4v4.5h4.5" />
          </Icon>
        </button>
        <button
          type="button"
          className="bar-button bar-icon-button"
          ref={discardButton}
          onClick={() => {
            returnTo.current = 'discard'
            recorder.askDiscard()
          }}
          disabled={busy}
          aria-label="Discard recording"
          title="Discard: stop and delete this recording"
        >
          <Icon size="small">
            <path d="M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3" />
          </Icon>
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
      {warning && (
        <p className="bar-warning" role="alert" title={warning}>
          {warning}
        </p>
      )}
    </div>
  )
}

/**
 * The question before a take is thrown away, inside the bar (the window is too small for a
 * dialog): an alert dialog whose safe answer, "Keep recording", has the focus.
 */
function TakeQuestion({
  question,
  onConfirm,
  onKeep
}: {
  question: Question
  onConfirm: () => void
  onKeep: () => void
}): ReactNode {
  const keepButton = useRef<HTMLButtonElement>(null)
  const words = TAKE_QUESTIONS[question]

  // The safe answer has the focus, so Enter or Space by reflex keeps the recording.
  useEffect(() => keepButton.current?.focus(), [question])

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (event.key === 'Escape') {
      event.preventDefault()
      event.stopPropagation()
      onKeep()
      return
    }
    if (event.key !== 'Tab') return
    // Two buttons: Tab and Shift+Tab move between them and never leave the question.
    const buttons = [...event.currentTarget.querySelectorAll('button')]
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement)
    const next = buttons[(at + (event.shiftKey ? buttons.length - 1 : 1)) % buttons.length]
    event.preventDefault()
    next?.focus()
  }

  return (
    <div
      className="bar-question"
      role="alertdialog"
      aria-modal="true"
      aria-labelledby="take-question-title"
      aria-describedby="take-question-detail"
      onKeyDown={onKeyDown}
    >
      <div className="bar-question-text">
        <p id="take-question-title" className="bar-question-title">
          {words.title}
        </p>
        <p id="take-question-detail" className="bar-question-detail">
          {words.detail}
        </p>
      </div>
      <button type="button" className="bar-button danger-bar-button" onClick={onConfirm}>
        {words.action}
      </button>
      <button ref={keepButton} type="button" className="bar-button" onClick={onKeep}>
        Keep recording
      </button>
    </div>
  )
}
