/**
 * One upload's progress where its recording is shown: bar, percentage, speed, time left, and
 * Pause / Resume / Cancel (Try again and Open settings when it failed). An upload that follows
 * its recording says "Sharing while recording", then "Finishing upload… N%" after Stop, then
 * "Processing…" while the library makes it watchable (uploads-model.ts has the words).
 */
import { useState } from 'react'
import type { ReactNode } from 'react'
import type { InvokeChannel, UploadInfo } from '../../../shared/ipc'
import { api } from '../api'
import { errorMessage } from '../lib/error-message'
import { useOpenSettings } from '../settings/open-settings'
import { ProgressBar } from '../ui/progress-bar'
import { isActiveUpload, uploadCanPause, uploadIsStarting, uploadStatusLine } from './uploads-model'
import { uploadsStore } from './use-uploads'
import './share.css'

export interface UploadProgressProps {
  readonly upload: UploadInfo
  /** One line for a header: the error is cut short (in full on hover and for screen readers). */
  readonly compact?: boolean
  /** Stop was pressed on the recording this upload follows (main has not sealed it yet). */
  readonly stopped?: boolean
}

type UploadCommand = Extract<InvokeChannel, 'uploads:pause' | 'uploads:resume' | 'uploads:cancel'>

export function UploadProgress({ upload, compact, stopped }: UploadProgressProps): ReactNode {
  const openSettings = useOpenSettings()
  const [busy, setBusy] = useState<UploadCommand | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const active = isActiveUpload(upload)
  const failed = upload.state === 'failed'
  if (!active && !failed) return null

  const run = (command: UploadCommand): void => {
    setBusy(command)
    setProblem(null)
    api
      .invoke(command, upload.id)
      .then((info) => uploadsStore.apply(info))
      .catch((failure: unknown) => setProblem(errorMessage(failure)))
      .finally(() => setBusy(null))
  }

  const of = `“${upload.title}”`
  const status = uploadStatusLine(upload, { stopped: stopped === true })
  const paused = upload.state === 'paused'
  const canPause = uploadCanPause(upload)

  return (
    <div className={failed ? 'inline-progress inline-progress-failed' : 'inline-progress'}>
      {active && (
        <ProgressBar
          small
          fraction={upload.fraction}
          label={`Upload of ${of}`}
          valueText={status}
          indeterminate={uploadIsStarting(upload)}
          idle={paused || upload.state === 'queued'}
        />
      )}
      <div className="inline-progress-row">
        <span className="inline-progress-text">{status}</span>
        <span className="inline-progress-actions">
          {canPause && (
            <button
              type="button"
              className="quiet-button"
              onClick={() => run('uploads:pause')}
              disabled={busy !== null}
              aria-label={`Pause the upload of ${of}`}
            >
              Pause
            </button>
          )}
          {paused && (
            <button
              type="button"
              className="quiet-button"
              onClick={() => run('uploads:resume')}
              disabled={busy !== null}
              aria-label={`Resume the upload of ${of}`}
            >
              Resume
            </button>
          )}
          {failed && upload.needsToken && openSettings && (
            <button
              type="button"
              className="quiet-button"
              onClick={() => openSettings('library-token')}
            >
              Open settings
            </button>
          )}
          {failed && !upload.needsToken && (
            <button
              type="button"
              className="quiet-button"
              onClick={() => run('uploads:resume')}
              disabled={busy !== null}
              aria-label={`Try the upload of ${of} again`}
            >
              Try again
            </button>
          )}
          <button
            type="button"
            className="quiet-button danger-text"
            onClick={() => run('uploads:cancel')}
            disabled={busy !== null}
            aria-label={
              failed ? `Dismiss the failed upload of ${of}` : `Cancel the upload of ${of}`
            }
          >
            {failed ? 'Dismiss' : 'Cancel'}
          </button>
        </span>
      </div>
      {upload.error && (
        <p
          className={[
            failed ? 'inline-progress-error' : 'hint',
            compact ? 'inline-progress-oneline' : ''
          ].join(' ')}
          title={compact ? upload.error : undefined}
        >
          {upload.error}
        </p>
      )}
      {problem && (
        <p className="inline-progress-error" role="alert">
          {problem}
        </p>
      )}
    </div>
  )
}
