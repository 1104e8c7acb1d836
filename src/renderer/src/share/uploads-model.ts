/**
 * The renderer's picture of main's upload queue, as plain data: every upload by id, and for each
 * recording the one to show (its newest). Pure, so it is tested without React or a window.
 */
import type { UploadInfo, UploadState } from '../../../shared/ipc'
import { LINK_COPIED_AT_STOP, LINK_READY_AT_STOP } from '../../../shared/instant-share'
import { formatBytes, formatPercent, formatSpeed } from '../format'
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

/**
 * Something the user should hear about when it happens (not on start-up): `link` is a live
 * upload's link at Stop (Share while recording), said once; its later `done` is not said again.
 */
export type UploadOutcome = 'done' | 'failed' | 'link'

/**
 * Whether a recording's upload followed it and its link is known, so the notice at Stop is the
 * link's (see `uploadOutcome`) and "Saved" need not be said as well.
 */
export function linkToldAtStop(upload: UploadInfo | undefined): boolean {
  if (!upload || upload.state === 'cancelled') return false
  // Main drops `live` once an upload is done or failed; `linkAnnounced` stays.
  return upload.linkAnnounced === true || (upload.live !== undefined && !!upload.url)
}

/** Whether `next` is news compared to what was known before (`previous`, if anything). */
export function uploadOutcome(
  previous: UploadInfo | undefined,
  next: UploadInfo
): UploadOutcome | null {
  // Main copied a live upload's link at Stop and says so once (`linkAnnounced`): that is the
  // notice of the whole share, and the upload's end later is no news worth a second one.
  const announced = next.linkAnnounced === true && previous?.linkAnnounced !== true
  if (announced && next.state !== 'failed' && next.state !== 'cancelled') return 'link'
  if (next.state === 'done' && (next.linkAnnounced || previous?.linkAnnounced)) return null
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

/** What a live upload says while its recording goes on (its length is not known yet). */
export const LIVE_RECORDING_WORDS = 'Sharing while recording'
/** What a live upload says after Stop while bytes are still behind (then the percentage). */
export const LIVE_FINISHING_WORDS = 'Finishing upload…'
/** What a live upload says once every byte is there and the library makes it watchable. */
export const LIVE_PROCESSING_WORDS = 'Processing…'

/** Speed and time left of a running upload, when they mean something. */
function rateParts(upload: UploadInfo): string[] {
  const parts: string[] = []
  if (upload.state === 'uploading') {
    const speed = formatSpeed(upload.speedBps)
    if (speed) parts.push(speed)
  }
  if (upload.state === 'uploading' || upload.state === 'exporting') {
    // Said once there is an estimate; until then the line has no time in it.
    const left = timeLeftWords(upload.etaMs)
    if (left) parts.push(left)
  }
  return parts
}

/** What the window knows beyond the upload itself. */
export interface StatusContext {
  /**
   * Stop was pressed on the recording the upload follows, and main has not given the upload its
   * length yet (it does once the recorder's last bytes are on disk): already "Finishing upload…".
   */
  readonly stopped?: boolean
}

/** The line of a live upload that is sending or waiting to (not paused, failed or ended). */
function liveStatusLine(upload: UploadInfo, context: StatusContext): string | null {
  if (upload.state !== 'uploading' && upload.state !== 'queued') return null
  switch (upload.live) {
    case 'recording': {
      // Stopped, length not known yet: no percentage until it is.
      if (context.stopped) return LIVE_FINISHING_WORDS
      // No percentage: the recording's length is not known until Stop.
      const sent = upload.bytesSent > 0 ? formatBytes(upload.bytesSent) : null
      return sent ? `${LIVE_RECORDING_WORDS} · ${sent} sent` : LIVE_RECORDING_WORDS
    }
    case 'finishing':
      return [
        `${LIVE_FINISHING_WORDS} ${formatPercent(upload.fraction)}`,
        ...rateParts(upload)
      ].join(' · ')
    case 'processing':
      return LIVE_PROCESSING_WORDS
    default:
      return null
  }
}

/**
 * The one-line summary under an upload's bar, e.g. "Uploading · 42% · 4.2 MB/s · 1 min left".
 * Speed and time left only while they mean something. A live upload (Share while recording) says
 * "Sharing while recording", then "Finishing upload… 42%" after Stop, then "Processing…".
 */
export function uploadStatusLine(upload: UploadInfo, context: StatusContext = {}): string {
  const live = liveStatusLine(upload, context)
  if (live) return live
  // Before the export has reported anything: the phase alone (the bar moves without a number).
  if (upload.state === 'exporting' && isStarting(upload.fraction)) return UPLOAD_EXPORT_STARTING
  const parts = [uploadStateWords(upload)]
  if (isActiveUpload(upload)) parts.push(formatPercent(upload.fraction))
  parts.push(...rateParts(upload))
  return parts.join(' · ')
}

/** What an upload that exports first says before the export has reported anything. */
export const UPLOAD_EXPORT_STARTING = 'Preparing the video…'

/**
 * True while the upload's bar should move without a number: its export has not reported yet, or
 * it follows a recording whose length is not known yet, or the library is making it watchable.
 */
export function uploadIsStarting(upload: UploadInfo): boolean {
  if (upload.state === 'uploading' || upload.state === 'queued') {
    if (upload.live === 'recording' || upload.live === 'processing') return true
  }
  return upload.state === 'exporting' && isStarting(upload.fraction)
}

/** Whether Pause means anything: not once every byte is on the server (the library is at work). */
export function uploadCanPause(upload: UploadInfo): boolean {
  if (upload.live === 'processing') return false
  return upload.state === 'uploading' || upload.state === 'queued'
}

/**
 * The library link a recording's card shows, or null. A live upload's link is shown as soon as
 * the library reserved it, while bytes are still going (that is the point of sharing while
 * recording), and after a failed finish too (Try again keeps it). Otherwise the link of a done
 * upload, or the one main lists for the recording while no other upload of it is running.
 */
export function cardShareUrl(
  upload: UploadInfo | undefined,
  projectShareUrl: string | null | undefined
): string | null {
  const live = upload?.live !== undefined || upload?.linkAnnounced === true
  if (upload?.url && live && upload.state !== 'cancelled') return upload.url
  if (upload?.state === 'done' && upload.url) return upload.url
  if (isActiveUpload(upload)) return null
  return projectShareUrl ?? null
}

/**
 * The notice for an upload that just finished or failed, or whose link is ready at Stop (main
 * copies it when "Copy the link after uploading" is on, as after an upload).
 */
export function uploadOutcomeMessage(
  upload: UploadInfo,
  outcome: UploadOutcome,
  copyLinkAfterUpload: boolean
): string {
  if (outcome === 'link') return copyLinkAfterUpload ? LINK_COPIED_AT_STOP : LINK_READY_AT_STOP
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
