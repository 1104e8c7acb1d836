/** Told once after a crash: which recordings were recovered, or what went wrong with them. */
import type { ReactNode } from 'react'
import type { RecoveryNotice } from '../../../shared/project'
import { recoveryMessage } from './recovery-message'
import './recordings.css'

export interface RecoveryBannerProps {
  readonly notices: readonly RecoveryNotice[]
  readonly onDismiss: () => void
}

export function RecoveryBanner({ notices, onDismiss }: RecoveryBannerProps): ReactNode {
  if (notices.length === 0) return null
  return (
    <div className="banner" role="status">
      <div className="banner-text">
        {notices.map((notice) => (
          <p key={notice.projectId}>{recoveryMessage(notice)}</p>
        ))}
      </div>
      <button
        type="button"
        className="quiet-button"
        onClick={onDismiss}
        aria-label="Dismiss recovery notice"
      >
        Dismiss
      </button>
    </div>
  )
}
