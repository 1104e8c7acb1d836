/**
 * The exports this window knows about, from `export:progress` events, as plain data. Pure, so it
 * is tested without React or a window.
 */
import type { ExportProgressEvent } from '../../../shared/ipc'
import { fileName, formatBytes } from '../format'
import { progressLine } from '../share/progress-words'

export interface ExportEntry {
  /** The latest progress event (or the start, before the first event arrives). */
  readonly event: ExportProgressEvent
  /** Started from this window's export dialog (main's upload queue runs exports of its own). */
  readonly owned: boolean
  /** Its dialog was closed while it ran: its end is announced with a notice. */
  readonly background: boolean
  /** The recording's title, for notices. */
  readonly title: string
}

export interface ExportsState {
  readonly byId: ReadonlyMap<string, ExportEntry>
}

export type ExportsAction =
  | { readonly type: 'progress'; readonly event: ExportProgressEvent }
  /** `export:start` answered: the export is ours (its first event may already be here). */
  | {
      readonly type: 'started'
      readonly exportId: string
      readonly projectId: string
      readonly outFile: string
      readonly title: string
    }
  /** The dialog let go of a running export (true) or took it up again (false). */
  | { readonly type: 'background'; readonly exportId: string; readonly background: boolean }

export const EMPTY_EXPORTS: ExportsState = { byId: new Map() }

export function reduceExports(state: ExportsState, action: ExportsAction): ExportsState {
  const byId = new Map(state.byId)
  if (action.type === 'progress') {
    const known = byId.get(action.event.exportId)
    // Events come in order; once ended, an export stays ended.
    if (known && known.event.state !== 'running') return state
    byId.set(action.event.exportId, {
      event: action.event,
      owned: known?.owned ?? false,
      background: known?.background ?? false,
      title: known?.title ?? ''
    })
  } else if (action.type === 'started') {
    const known = byId.get(action.exportId)
    byId.set(action.exportId, {
      event: known?.event ?? {
        exportId: action.exportId,
        projectId: action.projectId,
        outFile: action.outFile,
        fraction: 0,
        etaMs: null,
        state: 'running'
      },
      owned: true,
      background: known?.background ?? false,
      title: action.title
    })
  } else {
    const known = byId.get(action.exportId)
    if (!known || known.background === action.background) return state
    byId.set(action.exportId, { ...known, background: action.background })
  }
  return { byId }
}

/** True when this progress event ends a background export the user should hear about. */
export function isBackgroundOutcome(
  previous: ExportEntry | undefined,
  event: ExportProgressEvent
): boolean {
  return (
    !!previous &&
    previous.owned &&
    previous.background &&
    previous.event.state === 'running' &&
    event.state !== 'running'
  )
}

/**
 * A running export of `projectId` this window did not start but has heard of (started before a
 * reload, or by the upload queue), so the dialog can show it instead of just "busy".
 */
export function foreignRunningExportOf(
  state: ExportsState,
  projectId: string
): ExportEntry | undefined {
  for (const entry of state.byId.values()) {
    if (!entry.owned && entry.event.projectId === projectId && entry.event.state === 'running') {
      return entry
    }
  }
  return undefined
}

/** The export of `projectId` started here that is still running, if any. */
export function runningExportOf(state: ExportsState, projectId: string): ExportEntry | undefined {
  for (const entry of state.byId.values()) {
    if (entry.owned && entry.event.projectId === projectId && entry.event.state === 'running') {
      return entry
    }
  }
  return undefined
}

/** e.g. "Exporting · 42% · 1 min left"; "Preparing…" before ffmpeg's first progress. */
export function exportStatusLine(event: ExportProgressEvent): string {
  if (event.state !== 'running') return exportEndWords(event)
  return progressLine({
    phase: 'Exporting',
    starting: EXPORT_STARTING,
    fraction: event.fraction,
    etaMs: event.etaMs
  })
}

/** What a running export says before ffmpeg has reported anything. */
export const EXPORT_STARTING = 'Preparing…'

/** How an ended export turned out, in a sentence. */
export function exportEndWords(event: ExportProgressEvent, title = ''): string {
  const of = title ? ` of “${title}”` : ''
  switch (event.state) {
    case 'done': {
      const size = formatBytes(event.sizeBytes ?? null)
      return `Exported “${fileName(event.outFile)}”${size ? ` (${size})` : ''}.`
    }
    case 'cancelled':
      return `Export${of} cancelled.`
    case 'failed':
      return `Export${of} failed. ${event.error ?? 'ffmpeg did not say why.'}`
    default:
      return 'Exporting.'
  }
}
