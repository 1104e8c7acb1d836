/**
 * One upload's state machine, as a pure reducer: every change to an upload in the queue is a plain
 * function of the upload before it and an event, so each transition is tested table-style. The
 * queue (upload-queue.ts) decides when events happen and runs the side effects (tus, exports,
 * timers, files); it never changes an upload any other way.
 *
 *   exporting → queued → uploading → done
 *   exporting / queued / uploading → paused (by the user) → back where it was on resume
 *   uploading → queued (waiting to retry, with backoff) → uploading …
 *   any unfinished state → failed (token refused: needsToken; or refused for good)
 *   any unfinished state → cancelled
 *
 * A live upload (source `live`, Share while recording) follows the recording as it is made: it
 * is queued when the recording starts, learns its link when the library reserves the video
 * (`created`), learns its length at Stop (`sealed`), and shows where it stands as `livePhase`:
 * recording → finishing (bytes behind after Stop) → processing (all there) → done. When the
 * library fails to finish all the bytes (not a video, truncated), it is `failed` with
 * `finishFailed`, and Try again sends the finished local recording under the same link
 * (`retry-as-recording`: an ordinary upload that replaces the reserved video).
 */
import type { LiveUploadPhase, UploadState } from '../../shared/ipc'
import type { ExportPreset } from '../../shared/export-preset'

/** One upload as stored in queue.json: plain data, changed only through uploadReducer. */
export interface Upload {
  readonly id: string
  readonly projectId: string
  readonly title: string
  readonly description: string
  readonly createdAt: string
  readonly state: UploadState
  /**
   * Where the bytes come from: the recording as it is, an export owned by the upload, or the
   * recording's capture file as it is being written (`live`).
   */
  readonly source: UploadSource
  /** The preset of the export (source `export`). */
  readonly preset?: ExportPreset
  /** The file being sent, once known (the export's, or the recording's at queue time). */
  readonly file?: string
  /** tus fingerprint, once the file is known. */
  readonly fingerprint?: string
  readonly bytesTotal: number | null
  readonly bytesSent: number
  /** The library video this upload is a new version of (same link); none for a new video. */
  readonly replaces?: string
  /** Upload-Metadata, fixed when the file is known (after the export). */
  readonly metadata: Readonly<Record<string, string>>
  readonly error?: string
  readonly needsToken?: boolean
  /** sha256 (first 16 hex) of the token the server refused, so a new token resumes by itself. */
  readonly refusedToken?: string
  /** The video's share link, once done. */
  readonly url?: string
  readonly videoId?: string
  readonly finishedAt?: string
  /** live: the capture file's name in the project folder (`capture.webm`), sent as it grows. */
  readonly captureFile?: string
  /** live: the capture's final size, known once the recording stopped (then also bytesTotal). */
  readonly sealedSize?: number
  /** live: the link was copied and announced (at Stop): the end is not announced again. */
  readonly linkAnnounced?: boolean
  /** live: every byte arrived but the library could not finish the video; see `failed`. */
  readonly finishFailed?: boolean
  /**
   * The recording goes as it is and the library applies its edits (a library with the `edits`
   * feature): once done, the project's edits follow (edits-sync.ts). No export runs for it.
   */
  readonly sendsEdits?: boolean
  /**
   * The recording went with `cameraFollows` (its camera is burnt into what viewers see by the
   * library): once it is done, its camera recording is queued as an upload of its own (`camera`).
   */
  readonly cameraFollows?: boolean
  /** camera: the library video whose camera recording this is (Upload-Metadata `cameraFor`). */
  readonly cameraFor?: string
}

/**
 * `camera`: a recording's camera file, sent after the recording to the library video it belongs
 * to (a library with the `camera` feature), so viewers see the bubble.
 */
export type UploadSource = 'recording' | 'export' | 'live' | 'camera'

export type UploadEvent =
  /** The export is written: its file, fingerprint and metadata are known; next, send it. */
  | {
      readonly type: 'exported'
      readonly file: string
      readonly fingerprint: string
      readonly bytesTotal: number
      readonly metadata: Readonly<Record<string, string>>
    }
  /** The export's file is gone or not the one fingerprinted: export again. */
  | { readonly type: 'export-lost' }
  /** An attempt starts sending this file. */
  | {
      readonly type: 'sending'
      readonly file: string
      readonly fingerprint: string
      /** Null while a live upload's length is not known yet. */
      readonly bytesTotal: number | null
      /** The metadata, when it is only known now (a camera's facts once its recording is finished). */
      readonly metadata?: Readonly<Record<string, string>>
    }
  /** Bytes sent (or confirmed by the server) so far. */
  | { readonly type: 'progress'; readonly bytesSent: number }
  /**
   * The attempt failed for a reason that may pass (network, server): wait, then try again.
   * `busyMs`: the library said it is busy and when to come back (Retry-After), so that is the wait.
   */
  | { readonly type: 'retry-later'; readonly reason: string; readonly busyMs?: number }
  /** It cannot go on by itself; `needsToken` when only a new token can help. */
  | {
      readonly type: 'failed'
      readonly message: string
      readonly needsToken?: true
      readonly refusedToken?: string
    }
  | { readonly type: 'done'; readonly url: string; readonly videoId: string; readonly at: string }
  | { readonly type: 'paused' }
  /** Back into the queue where it left off (exporting again when its export is not finished). */
  | { readonly type: 'requeued' }
  | { readonly type: 'cancelled'; readonly at: string }
  /** The app started again: what was sending resumes from the server's offset. */
  | { readonly type: 'restarted' }
  /** live: the library reserved the video; its link works from now on. */
  | { readonly type: 'created'; readonly url: string; readonly videoId: string }
  /** live: the recording stopped; its capture has `size` bytes, which is what will be sent. */
  | { readonly type: 'sealed'; readonly size: number }
  /** live: the link was copied and announced. */
  | { readonly type: 'link-announced' }
  /** live: every byte arrived, but the library could not finish the video (its reason). */
  | { readonly type: 'finish-failed'; readonly message: string }
  /**
   * live, after a failed finish: Try again sends the finished local recording instead, as an
   * ordinary upload that replaces the reserved video (same link).
   */
  | {
      readonly type: 'retry-as-recording'
      readonly metadata: Readonly<Record<string, string>>
      readonly replaces?: string
    }

/** Done and cancelled uploads are finished: nothing runs for them any more. */
export function isFinished(state: UploadState): boolean {
  return state === 'done' || state === 'cancelled'
}

/** States in which something runs or waits to run for the upload. */
export function isRunning(state: UploadState): boolean {
  return state === 'exporting' || state === 'queued' || state === 'uploading'
}

/** How many finished uploads the list keeps. */
export const KEEP_FINISHED = 20

type Cleared =
  | 'error'
  | 'needsToken'
  | 'refusedToken'
  | 'fingerprint'
  | 'finishFailed'
  | 'file'
  | 'replaces'
  | 'linkAnnounced'

function clear(upload: Upload, ...keys: Cleared[]): Upload {
  const copy: { -readonly [K in keyof Upload]?: Upload[K] } = { ...upload }
  for (const key of keys) delete copy[key]
  return copy as Upload
}

export function uploadReducer(upload: Upload, event: UploadEvent): Upload {
  switch (event.type) {
    case 'exported':
      return {
        ...clear(upload, 'error'),
        state: 'queued',
        file: event.file,
        fingerprint: event.fingerprint,
        bytesTotal: event.bytesTotal,
        bytesSent: 0,
        metadata: event.metadata
      }
    case 'export-lost':
      return { ...clear(upload, 'fingerprint'), state: 'exporting', bytesSent: 0 }
    case 'sending':
      return {
        ...clear(upload, 'error', 'needsToken'),
        state: 'uploading',
        file: event.file,
        fingerprint: event.fingerprint,
        bytesTotal: event.bytesTotal,
        ...(event.metadata ? { metadata: event.metadata } : {})
      }
    case 'progress':
      return { ...upload, bytesSent: event.bytesSent }
    case 'retry-later':
      return {
        ...upload,
        state: 'queued',
        error:
          event.busyMs !== undefined
            ? `The library is busy — retrying in ${Math.ceil(event.busyMs / 1000)} s`
            : `Waiting to retry: ${event.reason}`
      }
    case 'failed':
      return {
        ...upload,
        state: 'failed',
        error: event.message,
        ...(event.needsToken ? { needsToken: true } : {}),
        ...(event.refusedToken !== undefined ? { refusedToken: event.refusedToken } : {})
      }
    case 'done':
      return {
        ...clear(upload, 'error', 'needsToken', 'refusedToken'),
        state: 'done',
        url: event.url,
        videoId: event.videoId,
        finishedAt: event.at,
        bytesSent: upload.bytesTotal ?? upload.bytesSent
      }
    case 'paused':
      return { ...clear(upload, 'error'), state: 'paused' }
    case 'requeued':
      return {
        ...clear(upload, 'error', 'needsToken', 'refusedToken'),
        state: upload.source === 'export' && !upload.fingerprint ? 'exporting' : 'queued'
      }
    case 'cancelled':
      return { ...clear(upload, 'error', 'needsToken'), state: 'cancelled', finishedAt: event.at }
    case 'restarted':
      return upload.state === 'uploading' ? { ...upload, state: 'queued' } : upload
    case 'created':
      return { ...upload, url: event.url, videoId: event.videoId }
    case 'sealed':
      // The first seal counts: the capture does not change once the recording stopped.
      if (upload.source !== 'live' || upload.sealedSize !== undefined) return upload
      return { ...upload, sealedSize: event.size, bytesTotal: event.size }
    case 'link-announced':
      return { ...upload, linkAnnounced: true }
    case 'finish-failed':
      return {
        ...clear(upload, 'needsToken'),
        state: 'failed',
        error: event.message,
        finishFailed: true,
        bytesSent: upload.bytesTotal ?? upload.bytesSent
      }
    case 'retry-as-recording':
      return {
        ...clear(
          upload,
          'error',
          'needsToken',
          'refusedToken',
          'fingerprint',
          'finishFailed',
          'file',
          'replaces',
          'linkAnnounced'
        ),
        source: 'recording',
        state: 'queued',
        bytesTotal: null,
        bytesSent: 0,
        metadata: event.metadata,
        ...(event.replaces ? { replaces: event.replaces } : {})
      }
  }
}

/**
 * Where a live upload stands for the user, while it is not finished: `recording` until the
 * recording stopped, `finishing` while bytes are behind after that, `processing` once every byte
 * is on the server. Undefined for other uploads, and once done, failed or cancelled.
 */
export function livePhase(upload: Upload): LiveUploadPhase | undefined {
  if (upload.source !== 'live') return undefined
  if (isFinished(upload.state) || upload.state === 'failed') return undefined
  if (upload.sealedSize === undefined) return 'recording'
  return upload.bytesSent >= upload.sealedSize ? 'processing' : 'finishing'
}

/**
 * What a live upload's failure means, by where it stood: a refusal once every byte was sent is
 * the library failing to finish the video (`finish-failed`: Try again sends the local
 * recording); before that, an ordinary failure (Try again resumes the live upload).
 */
export function liveFailureEvent(upload: Upload, message: string): UploadEvent {
  const allSent = upload.sealedSize !== undefined && upload.bytesSent >= upload.sealedSize
  return allSent ? { type: 'finish-failed', message } : { type: 'failed', message }
}

/** Why pause does not apply, or null when it does (a paused upload is paused again quietly). */
export function pauseProblem(upload: Upload): string | null {
  if (upload.state === 'paused' || isRunning(upload.state)) return null
  return upload.state === 'done'
    ? 'This upload has already finished.'
    : 'This upload is not running, so there is nothing to pause.'
}

/** Why resume does not apply, or null when it does. */
export function resumeProblem(upload: Upload): string | null {
  if (!isFinished(upload.state)) return null
  return upload.state === 'done'
    ? 'This upload has already finished.'
    : 'This upload was cancelled. Start a new upload instead.'
}

/** Why cancel does not apply, or null when it does (a cancelled upload is cancelled again quietly). */
export function cancelProblem(upload: Upload): string | null {
  return upload.state === 'done'
    ? 'This upload has already finished. To take the video down, delete it in the library.'
    : null
}

/**
 * Whether an upload stopped by a refused token should try again: only when there is a token now
 * and it is not the one refused (`tokenTag` of the current token, or null when there is none).
 */
export function retriesWithToken(upload: Upload, tokenTag: string | null): boolean {
  return (
    upload.state === 'failed' &&
    upload.needsToken === true &&
    tokenTag !== null &&
    (!upload.refusedToken || upload.refusedToken !== tokenTag)
  )
}

/** The list without the finished uploads beyond the newest KEEP_FINISHED. */
export function trimFinished(uploads: readonly Upload[]): Upload[] {
  const old = new Set(
    uploads
      .filter((u) => isFinished(u.state))
      .sort((a, b) => (b.finishedAt ?? b.createdAt).localeCompare(a.finishedAt ?? a.createdAt))
      .slice(KEEP_FINISHED)
  )
  return uploads.filter((u) => !old.has(u))
}
