/**
 * One live record of `export:progress` for the whole window, so an export outlives its dialog:
 * closing the dialog leaves it running "in the background", the recording's card shows its
 * progress, and its end becomes a notice. The api is passed in so tests drive it with a fake.
 */
import type { ExportPresetRequest, SidecastApi } from '../../../shared/ipc'
import type { ProjectSummary } from '../../../shared/project'
import {
  EMPTY_EXPORTS,
  foreignRunningExportOf,
  isBackgroundOutcome,
  reduceExports,
  type ExportEntry,
  type ExportsAction,
  type ExportsState
} from './exports-model'

export interface ExportsStore {
  /** Starts listening on the first call; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void
  getSnapshot(): ExportsState
  /**
   * `export:start`, recorded as ours; resolves with the export id (throws main's error). When
   * main says this recording is already being exported by an export this window has heard of,
   * that one is taken up instead — unless `adopt` is false (e.g. it is an upload's export, which
   * the user must not cancel by mistake from here).
   */
  start(project: ProjectSummary, preset: ExportPresetRequest, adopt?: boolean): Promise<string>
  /** Marks a running export as left to run without its dialog (or taken up again). */
  setBackground(exportId: string, background: boolean): void
  /**
   * Background exports that ended, each delivered once: to the first consumer registered, or kept
   * until one registers.
   */
  onOutcome(consumer: (entry: ExportEntry) => void): () => void
}

export function createExportsStore(api: Pick<SidecastApi, 'invoke' | 'on'>): ExportsStore {
  let state: ExportsState = EMPTY_EXPORTS
  let started = false
  const listeners = new Set<() => void>()
  const consumers: Array<(entry: ExportEntry) => void> = []
  const pending: ExportEntry[] = []

  const dispatch = (action: ExportsAction): void => {
    const previous = action.type === 'progress' ? state.byId.get(action.event.exportId) : undefined
    const next = reduceExports(state, action)
    if (next === state) return
    state = next
    if (action.type === 'progress' && isBackgroundOutcome(previous, action.event)) {
      const entry = state.byId.get(action.event.exportId)
      if (entry) {
        const consumer = consumers[0]
        if (consumer) consumer(entry)
        else pending.push(entry)
      }
    }
    for (const listener of [...listeners]) listener()
  }

  const listen = (): void => {
    if (started) return
    started = true
    api.on('export:progress', (event) => dispatch({ type: 'progress', event }))
  }

  return {
    subscribe(listener) {
      listeners.add(listener)
      listen()
      return () => listeners.delete(listener)
    },
    getSnapshot: () => state,
    async start(project, preset, adopt = true) {
      // Listening before asking: main sends the first event before export:start answers.
      listen()
      let result: { exportId: string; outFile: string }
      try {
        result = await api.invoke('export:start', project.id, preset)
      } catch (error) {
        const running = foreignRunningExportOf(state, project.id)
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
    },
    onOutcome(consumer) {
      consumers.push(consumer)
      listen()
      while (consumers[0] === consumer && pending.length > 0) {
        const entry = pending.shift()
        if (entry) consumer(entry)
      }
      return () => {
        const index = consumers.indexOf(consumer)
        if (index >= 0) consumers.splice(index, 1)
      }
    }
  }
}
