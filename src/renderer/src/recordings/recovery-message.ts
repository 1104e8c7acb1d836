/** The words for a recovery notice (kept apart from the banner so it is testable without React). */
import type { RecoveryNotice, WindowLostCause } from '../../../shared/project'
import { formatDuration } from '../format'

/** What happened, for each way a recording can end without the user's stop. */
const WHAT_HAPPENED: Readonly<Record<WindowLostCause | 'app-closed', string>> = {
  'app-closed': 'Sidecast closed unexpectedly while recording',
  'window-reloaded': 'Sidecast’s window reloaded while recording',
  'window-crashed': 'Sidecast’s window stopped working while recording'
}

/** The sentence for one notice. */
export function recoveryMessage(notice: RecoveryNotice): string {
  const happened = WHAT_HAPPENED[notice.cause ?? 'app-closed']
  if (notice.problem) return `${happened} “${notice.title}”. ${notice.problem}`
  const duration = notice.durationMs !== null ? ` (${formatDuration(notice.durationMs)})` : ''
  if (notice.cause) {
    return `${happened}, so the recording stopped there. “${notice.title}”${duration} is saved.`
  }
  return `${happened}. We recovered “${notice.title}”${duration}.`
}
