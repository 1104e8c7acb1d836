/**
 * An upload's export, run by the app's export service: one export at a time, so an upload whose
 * turn comes while the user's own export runs waits for it, then takes the next turn. An export
 * the user already made from the same edits, recording and preset (export-fingerprint.ts) is
 * sent instead: linked (or copied) into the upload's file, no ffmpeg run.
 */
import { copyFile, link, rm } from 'node:fs/promises'
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
        const made = await exports.findExport(projectId, preset).catch(() => null)
        if (made) {
          await reuse(made, outFile)
          if (signal.aborted) throw aborted()
          onProgress(1)
          return
        }
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
                    onProgress(event.fraction, event.etaMs)
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

/** `outFile` becomes the export `made` without touching it: a hard link, else a copy. */
async function reuse(made: string, outFile: string): Promise<void> {
  await rm(outFile, { force: true })
  try {
    await link(made, outFile)
  } catch {
    // Another file system (the recordings folder elsewhere), or no links there.
    await copyFile(made, outFile)
  }
}
