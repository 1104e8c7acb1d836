/**
 * An upload's export, run by the app's export service: one export at a time, so an upload whose
 * turn comes while the user's own export runs waits for it, then takes the next turn.
 */
import { SidecastError } from '../../shared/errors'
import type { ExportService } from '../export/export-service'
import type { UploadExporter } from './upload-queue'

export function uploadExporter(exports: ExportService): UploadExporter {
  return {
    async export({ projectId, preset, outFile, signal, onProgress }) {
      const aborted = (): SidecastError =>
        new SidecastError('cancelled', 'The export for the upload was stopped.')
      for (;;) {
        if (signal.aborted) throw aborted()
        try {
          await new Promise<void>((resolve, reject) => {
            let exportId: string | null = null
            const onAbort = (): void => {
              if (exportId) exports.cancel(exportId)
            }
            exports
              .start(projectId, preset, {
                outFile,
                onEvent: (event) => {
                  if (event.state === 'running') {
                    onProgress(event.fraction)
                    return
                  }
                  signal.removeEventListener('abort', onAbort)
                  if (event.state === 'done') resolve()
                  else if (event.state === 'cancelled') reject(aborted())
                  else reject(new Error(event.error ?? 'the export failed'))
                }
              })
              .then(({ exportId: id }) => {
                exportId = id
                signal.addEventListener('abort', onAbort, { once: true })
                if (signal.aborted) exports.cancel(id)
              }, reject)
          })
          return
        } catch (error) {
          if (!(error instanceof SidecastError && error.code === 'export-busy') || signal.aborted) {
            throw error
          }
          // The user's own export runs: wait for it, then take the next turn.
          await new Promise<void>((resolve) => {
            signal.addEventListener('abort', () => resolve(), { once: true })
            void exports.idle().then(resolve)
          })
        }
      }
    }
  }
}
