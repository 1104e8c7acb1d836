/** The IPC handlers of Settings › Updates: where updating stands, Check now, Restart to update. */
import type { FeatureHandlers } from '../ipc/feature-handlers'
import type { UpdateService } from './update-service'

export function updateHandlers(
  updates: Pick<UpdateService, 'status' | 'check' | 'restart'>
): FeatureHandlers<'updates'> {
  return {
    'updates:status': async () => updates.status(),
    'updates:check': async () => updates.check(),
    // Refused (a SidecastError the renderer shows) while recording, exporting or uploading.
    'updates:restart': async () => updates.restart()
  }
}
