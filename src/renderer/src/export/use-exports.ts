/** React's view of the window's exports (see exports-store.ts). */
import { useSyncExternalStore } from 'react'
import { api } from '../api'
import type { ExportEntry } from './exports-model'
import { runningExportOf } from './exports-model'
import { createExportsStore, type ExportsStore } from './exports-store'

/** The window's one exports store (listens from the first component that asks). */
export const exportsStore: ExportsStore = createExportsStore(api)

/** One export by id (undefined until `export:start` answered or an event arrived). */
export function useExport(exportId: string | null): ExportEntry | undefined {
  return useSyncExternalStore(exportsStore.subscribe, () =>
    exportId ? exportsStore.getSnapshot().byId.get(exportId) : undefined
  )
}

/** The export of this recording that was started here and is still running, if any. */
export function useRunningExport(projectId: string): ExportEntry | undefined {
  return useSyncExternalStore(exportsStore.subscribe, () =>
    runningExportOf(exportsStore.getSnapshot(), projectId)
  )
}
