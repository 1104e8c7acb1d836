/**
 * The recorder's facts about one recording, as stored in `<project>/recording.json`.
 * Plain JSON, written only by main. User edits live in `edits.json`, never here.
 */
export type RecordingStatus = 'recording' | 'complete' | 'recovered'

export interface RecordingFacts {
  /** Format version of recording.json. */
  readonly version: 1
  /** The project's id: the name of its folder. */
  readonly id: string
  /** `recording` while chunks are being appended; `complete` after a normal stop; `recovered` after a crash. */
  readonly status: RecordingStatus
  /** Editable title; defaults to the date and time the recording started. */
  readonly title: string
  /** ISO 8601 time the recording started. */
  readonly createdAt: string
  /** The capture source's name as the user saw it (e.g. "Entire screen"). */
  readonly sourceName: string
  /** The recording's file name inside the project folder (while recording: the capture file). */
  readonly file: string
  /** Container of `file`. */
  readonly container: 'webm' | 'mp4' | 'mkv'
  /** The MIME type MediaRecorder produced, e.g. `video/webm;codecs=vp8,opus`. */
  readonly mimeType: string
  /** Video codec as ffprobe names it (`h264`, `vp8`, `vp9`), once known. */
  readonly videoCodec?: string
  /** Audio codec as ffprobe names it (`opus`, `aac`), or null for a recording without sound. */
  readonly audioCodec?: string | null
  /** Frame width in pixels, once probed. */
  readonly width?: number
  /** Frame height in pixels, once probed. */
  readonly height?: number
  /** Duration in integer milliseconds, once probed. */
  readonly durationMs?: number
  /** Bytes of media received so far (kept current while recording). */
  readonly bytesWritten?: number
  /** ISO time the recording was finished or recovered. */
  readonly finishedAt?: string
  /** Why the recording ended, when it was not a plain stop (e.g. "The shared window was closed."). */
  readonly endedBecause?: string
}

/** What the recordings list shows for one project. */
export interface ProjectSummary {
  readonly id: string
  readonly title: string
  readonly status: RecordingStatus
  readonly createdAt: string
  readonly durationMs: number | null
  readonly width: number | null
  readonly height: number | null
  readonly sizeBytes: number | null
  /** URL the renderer can load the thumbnail from, or null when there is none. */
  readonly thumbnailUrl: string | null
  /** URL the renderer can play the recording from (Range requests supported), or null while recording. */
  readonly mediaUrl: string | null
  /** Absolute path of the project folder, for display. */
  readonly dir: string
  readonly endedBecause: string | null
  /** The recording's page in the team library once uploaded, else null. */
  readonly shareUrl: string | null
}

/** Told to the user once after start: a recording that was left unfinished and has been recovered. */
export interface RecoveryNotice {
  readonly projectId: string
  readonly title: string
  readonly durationMs: number | null
  /** Null when recovery worked; otherwise what went wrong (the raw bytes are kept). */
  readonly problem: string | null
}

/** Project ids are folder names: no separators, no dot-only names. */
export const PROJECT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._ -]{0,127}$/

export function isValidProjectId(id: unknown): id is string {
  return typeof id === 'string' && PROJECT_ID_PATTERN.test(id) && !id.includes('..')
}

/** Default title for a recording started at `date`, e.g. "Recording 2026-11-29 14:03". */
export function defaultTitle(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0')
  return `Recording ${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())} ${p(date.getHours())}:${p(date.getMinutes())}`
}
