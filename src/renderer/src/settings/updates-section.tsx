/**
 * Settings › Updates: "Check for updates automatically" (saved with the rest of Settings), one
 * line saying where updating stands, Check now and Restart to update. What main says is passed
 * in (use-updates.ts follows it), so this part only draws.
 */
import { useId } from 'react'
import type { ReactNode } from 'react'
import type { UpdateStatus } from '../../../shared/ipc'
import { ErrorText } from '../ui/field'
import { updatesView } from './updates-view'

export interface UpdatesSectionProps {
  /** Where updating stands, or null while `updates:status` is on its way. */
  readonly status: UpdateStatus | null
  /** Why the status could not be read, or null. */
  readonly loadProblem: string | null
  /** The draft's "Check for updates automatically" (shown unless the administrator fixed it). */
  readonly automatic: boolean
  readonly onAutomaticChange: (value: boolean) => void
  readonly onCheck: () => void
  readonly onRestart: () => void
  /** A request of this section on its way: its buttons wait. */
  readonly pending: 'check' | 'restart' | null
  /** Why Check now or Restart to update was refused, or null. */
  readonly actionProblem: string | null
  readonly disabled: boolean
}

export function UpdatesSection(props: UpdatesSectionProps): ReactNode {
  const { status, pending } = props
  const ids = { automatic: useId(), hint: useId() }
  const view = status ? updatesView(status) : null
  const managed = status?.managed ?? false
  return (
    <fieldset className="settings-section" disabled={props.disabled}>
      <legend>Updates</legend>
      <p className="hint">
        New releases come from your team library.
        {status && <> This is Sidecast {status.currentVersion}.</>}
      </p>

      <div className="check-field">
        <input
          id={ids.automatic}
          type="checkbox"
          checked={managed && status ? status.automatic : props.automatic}
          disabled={!view?.canToggle}
          aria-describedby={managed ? ids.hint : undefined}
          onChange={(e) => props.onAutomaticChange(e.target.checked)}
        />
        <label htmlFor={ids.automatic}>Check for updates automatically</label>
      </div>
      {managed && (
        <p className="hint" id={ids.hint}>
          Set by your administrator.
        </p>
      )}

      {!status && !props.loadProblem && <p className="muted">Checking where updates stand…</p>}
      {props.loadProblem && (
        <p className="warning-note">
          Sidecast could not tell where updates stand. {props.loadProblem}
        </p>
      )}

      {view && (
        <div className="test-row updates-row">
          <p
            role="status"
            className={
              view.tone === 'problem'
                ? 'test-result test-failed'
                : view.tone === 'ok'
                  ? 'test-result update-ok'
                  : 'test-result'
            }
          >
            {view.line}
          </p>
          {view.showRestart && (
            <button
              type="button"
              className="primary-button"
              onClick={props.onRestart}
              disabled={!view.canRestart || pending !== null}
            >
              {pending === 'restart' ? 'Restarting…' : 'Restart to update'}
            </button>
          )}
          {view.showCheck && (
            <button
              type="button"
              className="secondary-button"
              onClick={props.onCheck}
              disabled={!view.canCheck || pending !== null}
            >
              {pending === 'check' ? 'Checking…' : 'Check now'}
            </button>
          )}
        </div>
      )}

      <ErrorText message={props.actionProblem} />
    </fieldset>
  )
}
