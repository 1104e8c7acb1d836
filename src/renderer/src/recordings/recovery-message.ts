/** The words for a recovery notice (kept apart from the banner so it is testable without React). */
import type { RecoveryNotice } from '../../../shared/project'
import { formatDuration } from '../format'

/** The sentence for one notice. */
export function recoveryMessage(notice: RecoveryNotice): string {
  if (notice.problem) {
    return `Sidecast closed unexpectedly while recording “${notice.title}”. ${notice.problem}`
  }
  const duration = notice.durationMs !== null ? ` (${formatDuration(notice.durationMs)})` : ''
  return `Sidecast closed unexpectedly while recording. We recovered “${notice.title}”${duration}.`
}
