/**
 * One live record of `export:progress` for the whole window, so an export outlives its dialog:
 * closing the dialog leaves it running "in the background", the recording's card shows its
 * progress, and its end becomes a notice. The api is passed in so tests drive it with a fake.
 */
import type { ExportPresetRequest, SidecastApi } from '../../../shared/ipc'
import type { ProjectSummary } from '../../../shared/project'
import { createLiveStore, type LiveStore } from '../lib/live-store'
import {
  EMPTY_EXPORTS,
  foreignRunningExportOf,
  isBackgroundOutcome,
  reduceExports,
  type ExportEntry,
  type ExportsAction,
  type ExportsState
} from './exports-model'

export interface ExportsStore extends LiveStore<ExportsState, ExportEntry> {
  /**
   * `export:start`, recorded as ours; resolves with the export id (throws main's error). When
   * main says this recording is already being exported by an export this window has heard of,
   * that one is taken up instead — unless `adopt` is false (e.g. it is an upload's export, which
   * the user must not cancel by mistake from here).
   */
  start(project: ProjectSummary, preset: ExportPresetRequest, adopt?: boolean): Promise<string>
  /** Marks a running export as left to run without its dialog (or taken up again). */
  setBackground(exportId: string, background: boolean): void
}

/** Background exports that ended are its outcomes. */
export function createExportsStore(api: Pick<SidecastApi, 'invoke' | 'on'>): ExportsStore {
  const live = createLiveStore<ExportsState, ExportEntry>(EMPTY_EXPORTS, () => {
    api.on('export:progress', (event) => dispatch({ type: 'progress', event }))
  })

  const dispatch = (action: ExportsAction): void => {
    const state = live.getSnapshot()
    const previous = action.type === 'progress' ? state.byId.get(action.event.exportId) : undefined
    const next = reduceExports(state, action)
    if (next === state) return
    const ended =
      action.type === 'progress' && isBackgroundOutcome(previous, action.event)
        ? next.byId.get(action.event.exportId)
        : undefined
    live.commit(next, ended)
  }

  return {
    subscribe: live.subscribe,
    getSnapshot: live.getSnapshot,
    onOutcome: live.onOutcome,
    async start(project, preset, adopt = true) {
      // Listening before asking: main sends the first event before export:start answers.
      live.start()
      let result: { exportId: string; outFile: string }
      try {
        result = await api.invoke('export:start', project.id, preset)
      } catch (error) {
        const running = foreignRunningExportOf(live.getSnapshot(), project.id)
        const busy = (error as { code?: unknown } | null)?.code === 'export-busy'
        if (!busy || !running || !adopt) throw error
        result = { exportId: running.event.exportId, outFile: running.event.outFile }
      }
      dispatch({
        type: 'started',
        exportId: result.exportId,
        projectId: project.id,
        outFile: result.outFile,
        title: project.title
      })
      return result.exportId
    },
    setBackground(exportId, background) {
      dispatch({ type: 'background', exportId, background })
    }
  }
}
