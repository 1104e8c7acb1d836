/** Whether uploading can work with the library settings main reports. Pure. */
import type { LibraryConfig } from '../../../shared/ipc'

/** What is missing before uploading can work, in words; null when the library is set up. */
export function libraryMissing(config: LibraryConfig): string | null {
  if (!config.url && !config.hasToken) {
    return 'To upload, Sidecast needs your team library’s address and an access token.'
  }
  if (!config.url) return 'To upload, Sidecast needs your team library’s address.'
  if (!config.hasToken) return 'To upload, Sidecast needs an access token for your team library.'
  return null
}
