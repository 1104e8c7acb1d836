/**
 * The renderer's picture of main's upload queue, as plain data: every upload by id, and for each
 * recording the one to show (its newest). Pure, so it is tested without React or a window.
 */
import type { UploadInfo, UploadState } from '../../../shared/ipc'
import { formatPercent, formatSpeed } from '../format'
import { isStarting, timeLeftWords } from './progress-words'

export interface UploadsState {
  /** Every upload seen, by upload id. */
  readonly byId: ReadonlyMap<string, UploadInfo>
  /** For each project id, its newest upload (the one a card shows). */
  readonly byProject: ReadonlyMap<string, UploadInfo>
}

export type UploadsAction =
  /** The answer to `uploads:list`: fills in what events have not already told us. */
  | { readonly type: 'listed'; readonly uploads: readonly UploadInfo[] }
  /** An `uploads:changed` event, or an UploadInfo returned by start / pause / resume / cancel. */
  | { readonly type: 'changed'; readonly upload: UploadInfo }

export const EMPTY_UPLOADS: UploadsState = { byId: new Map(), byProject: new Map() }

/** States in which an upload still has work to do (shown with progress and Pause/Resume/Cancel). */
export const ACTIVE_UPLOAD_STATES: readonly UploadState[] = [
  'exporting',
  'queued',
  'uploading',
  'paused'
]

export function isActiveUpload(upload: UploadInfo | undefined | null): boolean {
  return !!upload && ACTIVE_UPLOAD_STATES.includes(upload.state)
}

/** Newest first by `createdAt`; on a tie the later-seen one wins (Map order). */
function newestPerProject(byId: ReadonlyMap<string, UploadInfo>): Map<string, UploadInfo> {
  const result = new Map<string, UploadInfo>()
  for (const upload of byId.values()) {
    const current = result.get(upload.projectId)
    if (!current || upload.createdAt >= current.createdAt) result.set(upload.projectId, upload)
  }
  return result
}

export function reduceUploads(state: UploadsState, action: UploadsAction): UploadsState {
  const byId = new Map(state.byId)
  if (action.type === 'listed') {
    // The list is a snapshot taken at some point; an event already received may be newer.
    for (const upload of action.uploads) if (!byId.has(upload.id)) byId.set(upload.id, upload)
  } else {
    // Re-inserting moves it to the end, so it wins ties in newestPerProject.
    byId.delete(action.upload.id)
    byId.set(action.upload.id, action.upload)
  }
  return { byId, byProject: newestPerProject(byId) }
}

/** Something the user should hear about when it happens (not on start-up). */
export type UploadOutcome = 'done' | 'failed'

/** Whether `next` is news compared to what was known before (`previous`, if anything). */
export function uploadOutcome(
  previous: UploadInfo | undefined,
  next: UploadInfo
): UploadOutcome | null {
  if (next.state === 'done' && previous?.state !== 'done') return 'done'
  if (next.state === 'failed' && previous?.state !== 'failed') return 'failed'
  return null
}

const STATE_WORDS: Readonly<Record<UploadState, string>> = {
  exporting: 'Preparing the video',
  queued: 'Waiting to upload',
  uploading: 'Uploading',
  paused: 'Paused',
  failed: 'Upload failed',
  done: 'Uploaded',
  cancelled: 'Upload cancelled'
}

/** The state in words, e.g. "Uploading". A queued upload waiting to retry says why. */
export function uploadStateWords(upload: UploadInfo): string {
  return STATE_WORDS[upload.state]
}

/**
 * The one-line summary under an upload's bar, e.g. "Uploading · 42% · 4.2 MB/s · 1 min left".
 * Speed and time left only while they mean something.
 */
export function uploadStatusLine(upload: UploadInfo): string {
  // Before the export has reported anything: the phase alone (the bar moves without a number).
  if (upload.state === 'exporting' && isStarting(upload.fraction)) return UPLOAD_EXPORT_STARTING
  const parts = [uploadStateWords(upload)]
  if (isActiveUpload(upload)) parts.push(formatPercent(upload.fraction))
  if (upload.state === 'uploading') {
    const speed = formatSpeed(upload.speedBps)
    if (speed) parts.push(speed)
  }
  if (upload.state === 'uploading' || upload.state === 'exporting') {
    // Said once there is an estimate; until then the line has no time in it.
    const left = timeLeftWords(upload.etaMs)
    if (left) parts.push(left)
  }
  return parts.join(' · ')
}

/** What an upload that exports first says before the export has reported anything. */
export const UPLOAD_EXPORT_STARTING = 'Preparing the video…'

/** True while the upload's bar should move without a number (its export has not reported yet). */
export function uploadIsStarting(upload: UploadInfo): boolean {
  return upload.state === 'exporting' && isStarting(upload.fraction)
}

/** The notice for an upload that just finished or failed. */
export function uploadOutcomeMessage(
  upload: UploadInfo,
  outcome: UploadOutcome,
  copyLinkAfterUpload: boolean
): string {
  if (outcome === 'done') {
    const where = `“${upload.title}” is in the team library.`
    return copyLinkAfterUpload ? `Uploaded — link copied. ${where}` : `Uploaded. ${where}`
  }
  const why = upload.error ?? 'The library did not say why.'
  return `Upload of “${upload.title}” failed. ${why}`
}

/** A short summary of everything in flight for the recordings header, or null when idle. */
export function uploadsSummary(uploads: Iterable<UploadInfo>): string | null {
  const active = [...uploads].filter(isActiveUpload)
  if (active.length === 0) return null
  const sending = active.filter((u) => u.state !== 'paused')
  if (sending.length === 0) {
    return active.length === 1 ? '1 upload paused' : `${active.length} uploads paused`
  }
  const total = active.reduce((sum, u) => sum + (u.bytesTotal ?? 0), 0)
  const sent = active.reduce((sum, u) => sum + (u.bytesTotal !== null ? u.bytesSent : 0), 0)
  const count = active.length === 1 ? '1 upload' : `${active.length} uploads`
  return total > 0
    ? `${count} in progress · ${formatPercent(sent / total)}`
    : `${count} in progress`
}
