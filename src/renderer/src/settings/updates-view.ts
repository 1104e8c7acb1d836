/** Settings › Updates as plain data: the status line and which controls are offered. Pure. */
import type { UpdateStatus } from '../../../shared/ipc'
import { formatDate } from '../format'

export interface UpdatesView {
  /** The one line saying where updating stands ("Up to date · checked 10:42"). */
  readonly line: string
  /** `ok`: nothing to do or ready to restart; `problem`: the last check or download failed. */
  readonly tone: 'normal' | 'ok' | 'problem'
  /** "Check now" is shown (not for a copy that cannot update itself). */
  readonly showCheck: boolean
  /** "Check now" can be pressed. */
  readonly canCheck: boolean
  /** "Restart to update" is shown (an update is downloaded). */
  readonly showRestart: boolean
  /** "Restart to update" can be pressed (nothing running that a restart would cut short). */
  readonly canRestart: boolean
  /** The automatic-checks box can be changed (not fixed by the administrator, and of use here). */
  readonly canToggle: boolean
}

/** "10:42" for today, else the date and time, in the user's locale. */
export function formatCheckedAt(iso: string, now: Date = new Date()): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return date.toDateString() === now.toDateString()
    ? date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : formatDate(iso)
}

function statusLine(status: UpdateStatus, checkedAt: (iso: string) => string): string {
  const version = `Sidecast ${status.version ?? 'update'}`
  switch (status.phase) {
    case 'unavailable':
    case 'no-library':
    case 'failed':
      return status.message ?? 'Sidecast cannot check for updates now.'
    case 'idle':
      return status.automatic
        ? 'Sidecast checks for updates shortly after it starts, then every few hours.'
        : 'Sidecast checks for updates only when you press Check now.'
    case 'checking':
      return 'Checking for updates…'
    case 'downloading':
      return `Downloading ${version}… ${Math.floor((status.fraction ?? 0) * 100)}%`
    case 'up-to-date':
      return status.checkedAt ? `Up to date · checked ${checkedAt(status.checkedAt)}` : 'Up to date'
    case 'available':
      return `${version} is available. ${status.message ?? ''}`.trim()
    case 'ready':
      return status.restartWaitsFor
        ? `${version} is ready. Restart to update once ${status.restartWaitsFor} has finished.`
        : `${version} is ready — Restart to update.`
  }
}

export function updatesView(
  status: UpdateStatus,
  checkedAt: (iso: string) => string = (iso) => formatCheckedAt(iso)
): UpdatesView {
  const working = status.phase === 'checking' || status.phase === 'downloading'
  return {
    line: statusLine(status, checkedAt),
    tone:
      status.phase === 'failed'
        ? 'problem'
        : status.phase === 'up-to-date' || status.phase === 'ready'
          ? 'ok'
          : 'normal',
    showCheck: status.phase !== 'unavailable',
    canCheck:
      !working &&
      status.phase !== 'unavailable' &&
      status.phase !== 'no-library' &&
      status.phase !== 'ready',
    showRestart: status.phase === 'ready',
    canRestart: status.phase === 'ready' && status.restartWaitsFor === null,
    canToggle: !status.managed && status.phase !== 'unavailable'
  }
}
