/** The IPC handlers of the export dialog. */
import { SidecastError } from '../../shared/errors'
import type { FeatureHandlers } from '../ipc/feature-handlers'
import { requireProjectId, requireString } from '../ipc/ipc-args'
import type { ExportService } from './export-service'

export interface ExportHandlersOptions {
  readonly exports: ExportService
  /** Shows a file in the system's file manager. */
  readonly revealPath: (path: string) => Promise<void>
}

export function exportHandlers(options: ExportHandlersOptions): FeatureHandlers<'export'> {
  const { exports } = options
  return {
    'export:start': async (projectId, preset) => exports.start(requireProjectId(projectId), preset),
    'export:cancel': async (exportId) => {
      exports.cancel(requireString(exportId, 'exportId', 200))
    },
    'export:reveal': async (exportId) => {
      const file = exports.finishedFile(requireString(exportId, 'exportId', 200))
      if (!file) {
        throw new SidecastError(
          'export-not-found',
          'That export has not finished (or was made before Sidecast restarted), so there is no file to show.'
        )
      }
      await options.revealPath(file)
    }
  }
}
