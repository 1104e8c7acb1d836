/**
 * Where a shared recording's edits stand in the team library, under its link on the card: quiet
 * "Edits synced", "Syncing edits…", what they wait for, or why they were not synced — with "Send
 * mine anyway" after the library's edits changed elsewhere (the link never changes).
 */
import { useState } from 'react'
import type { ReactNode } from 'react'
import type { EditsSyncStatus } from '../../../shared/project'
import { api } from '../api'
import type { Notices } from '../ui/notices'
import './recordings.css'

export interface EditsSyncLineProps {
  readonly projectId: string
  readonly title: string
  readonly status: EditsSyncStatus
  readonly notices: Notices
}

/** The card's words for a sync state (exported for tests and the dialog). */
export function editsSyncWords(status: EditsSyncStatus): string {
  switch (status.state) {
    case 'synced':
      return 'Edits synced'
    case 'syncing':
      return 'Syncing edits…'
    case 'pending':
      return `Edits waiting to sync — ${status.message ?? 'the library is unreachable; retrying'}`
    case 'conflict':
      return 'Edits not synced: changed on the library'
    case 'refused':
      return `Edits not synced: ${status.message ?? 'the library refused them.'}`
  }
}

export function EditsSyncLine({
  projectId,
  title,
  status,
  notices
}: EditsSyncLineProps): ReactNode {
  const [sending, setSending] = useState(false)
  const sendMine = async (): Promise<void> => {
    setSending(true)
    try {
      await api.invoke('share:send-mine-anyway', projectId)
    } catch (failure) {
      notices.error(failure)
    } finally {
      setSending(false)
    }
  }
  const quiet = status.state === 'synced' || status.state === 'syncing'
  return (
    <p className={quiet ? 'edits-sync edits-sync-quiet' : 'edits-sync edits-sync-attention'}>
      <span role="status">{editsSyncWords(status)}</span>
      {status.state === 'conflict' && (
        <>
          {' '}
          <span className="edits-sync-detail">Your edits are kept here.</span>{' '}
          <button
            type="button"
            className="quiet-button"
            onClick={() => void sendMine()}
            disabled={sending}
            aria-label={`Send my edits of “${title}” anyway, replacing the library’s`}
          >
            {sending ? 'Sending…' : 'Send mine anyway'}
          </button>
        </>
      )}
    </p>
  )
}
