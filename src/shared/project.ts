/**
 * A project on disk: one folder per recording (docs/project-format.md). Its id and file names,
 * the recorder's facts in `recording.json` with the one loader that checks them, and what the
 * recordings list shows. Plain JSON and pure functions: main, `npm run render` and the library
 * server read projects with the same code. User edits live in `edits.json` (edits.ts), never here.
 */
import { SidecastError } from './errors'
import { REQUEST_ID } from './learn'

// ---- The folder -----------------------------------------------------------------------------

/** Project ids are folder names: no separators, no dot-only names. */
export const PROJECT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._ -]{0,127}$/

export function isValidProjectId(id: unknown): id is string {
  return typeof id === 'string' && PROJECT_ID_PATTERN.test(id) && !id.includes('..')
}

/**
 * The project ids the library server takes in Upload-Metadata (server/src/uploads/metadata.ts):
 * a valid id without spaces. An id it would refuse is left out of the metadata.
 */
export const LIBRARY_PROJECT_ID_PATTERN = /^[A-Za-z0-9._-]+$/

/** Names of files directly inside a project folder: no separators, nothing hidden. */
export const PLAIN_FILE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/

/** A file name with no directory part, no `..`, nothing hidden. */
export function isPlainFileName(name: unknown): name is string {
  return typeof name === 'string' && PLAIN_FILE_NAME_PATTERN.test(name) && !name.includes('..')
}

/** The recorder's facts about the recording. */
export const FACTS_FILE = 'recording.json'
/** The user's edits (see edits.ts); absent until the first edit. */
export const EDITS_FILE = 'edits.json'
export const THUMBNAIL_FILE = 'thumbnail.jpg'
/** The video's share link in the team library, once uploaded (see ShareLink in main). */
export const SHARE_FILE = 'share.json'
/**
 * Where the project's edits stand in the team library (main's edits sync): the video, the
 * library's version they were last synced as, and whether later ones wait (docs/project-format.md).
 */
export const EDITS_SYNC_FILE = 'edits-sync.json'
/** Folder of the MP4s exported from the editor or `npm run render`. */
export const EXPORTS_FOLDER = 'exports'

// ---- recording.json -------------------------------------------------------------------------

export type RecordingStatus = 'recording' | 'complete' | 'recovered'

/** The recorder's facts about one recording, as stored in `recording.json`; written only by main. */
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
  /** The camera recording beside the screen, when a camera was chosen; absent: no camera. */
  readonly camera?: CameraFacts
  /**
   * The id of the library request this recording answers ("Record an answer"); absent for an
   * ordinary recording. Sent as Upload-Metadata `answers` when it becomes a new video.
   */
  readonly answers?: string
}

/**
 * The camera's own recording: a separate file in the project folder, written in one-second
 * chunks like the screen and finished (made seekable) with it. Its first frame falls at
 * `offsetMs` on the recording's clock, which keeps the two in sync.
 */
export interface CameraFacts {
  /** The camera's file in the project folder (while recording: its capture file). */
  readonly file: string
  readonly container: 'webm' | 'mp4' | 'mkv'
  /** The MIME type its MediaRecorder produced. */
  readonly mimeType: string
  /** The camera as the user picked it (its label), for display. */
  readonly deviceName: string
  /**
   * Where the camera's first frame falls on the recording's clock, in integer ms (negative when
   * the camera started first). 0 until both recorders started.
   */
  readonly offsetMs: number
  /**
   * Ranges on the recording's clock where the camera was switched off in the recording bar: the
   * default bubble is hidden there (bubble.ts). Sorted, merged.
   */
  readonly offRanges?: readonly (readonly [number, number])[]
  readonly videoCodec?: string
  readonly width?: number
  readonly height?: number
  /** Length in integer ms, once probed. */
  readonly durationMs?: number
  readonly bytesWritten?: number
  /** Why the camera stopped before the recording did (unplugged, failed), or could not be finished. */
  readonly endedBecause?: string
}

type Check = (value: unknown) => string | null

const text: Check = (v) => (typeof v === 'string' ? null : 'must be text')
const nonEmptyText: Check = (v) =>
  typeof v === 'string' && v.trim() !== '' ? null : 'must be non-empty text'
const oneOf =
  (...allowed: readonly unknown[]): Check =>
  (v) =>
    allowed.includes(v)
      ? null
      : `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`
const isoDate: Check = (v) =>
  typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? null : 'must be an ISO 8601 date'
const wholeNumber =
  (min: number): Check =>
  (v) =>
    typeof v === 'number' && Number.isSafeInteger(v) && v >= min
      ? null
      : `must be a whole number of at least ${min}`
const textOrNull: Check = (v) =>
  v === null || typeof v === 'string' ? null : 'must be text or null'

const REQUIRED_FACTS: Record<string, Check> = {
  version: oneOf(1),
  id: (v) => (isValidProjectId(v) ? null : 'must be a valid project id'),
  status: oneOf('recording', 'complete', 'recovered'),
  title: nonEmptyText,
  createdAt: isoDate,
  sourceName: text,
  file: (v) => (isPlainFileName(v) ? null : 'must be a plain file name inside the project folder'),
  container: oneOf('webm', 'mp4', 'mkv'),
  mimeType: text
}

const OPTIONAL_FACTS: Record<string, Check> = {
  videoCodec: text,
  audioCodec: textOrNull,
  width: wholeNumber(1),
  height: wholeNumber(1),
  durationMs: wholeNumber(0),
  bytesWritten: wholeNumber(0),
  finishedAt: isoDate,
  endedBecause: text,
  camera: checkCamera,
  answers: (v) => (typeof v === 'string' && REQUEST_ID.test(v) ? null : 'must be a request id')
}

function checkCamera(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'must be an object'
  }
  const camera = value as Record<string, unknown>
  const required: Record<string, Check> = {
    file: (v) =>
      isPlainFileName(v) ? null : 'must be a plain file name inside the project folder',
    container: oneOf('webm', 'mp4', 'mkv'),
    mimeType: text,
    deviceName: text,
    offsetMs: (v) =>
      typeof v === 'number' && Number.isSafeInteger(v) ? null : 'must be a whole number'
  }
  const optional: Record<string, Check> = {
    offRanges: ranges,
    videoCodec: text,
    width: wholeNumber(1),
    height: wholeNumber(1),
    durationMs: wholeNumber(0),
    bytesWritten: wholeNumber(0),
    endedBecause: text
  }
  for (const [field, check] of Object.entries(required)) {
    const problem = field in camera ? check(camera[field]) : 'is missing'
    if (problem) return `.${field} ${problem}`
  }
  for (const [field, check] of Object.entries(optional)) {
    if (camera[field] === undefined) continue
    const problem = check(camera[field])
    if (problem) return `.${field} ${problem}`
  }
  return null
}

const ranges: Check = (v) =>
  Array.isArray(v) &&
  v.every(
    (pair) =>
      Array.isArray(pair) &&
      pair.length === 2 &&
      pair.every((n) => Number.isSafeInteger(n) && (n as number) >= 0) &&
      (pair[0] as number) <= (pair[1] as number)
  )
    ? null
    : 'must be a list of [startMs, endMs] pairs'

function badFacts(message: string): SidecastError {
  return new SidecastError('bad-project', message)
}

/**
 * Checks parsed (or raw JSON text of) recording.json and returns it typed. The file may have been
 * copied in, edited by hand or written by a newer Sidecast, so every field is checked and a bad
 * one is named in the error. Unknown keys are kept, so a newer Sidecast's extra facts survive a
 * rewrite by this one.
 */
export function loadFacts(json: unknown): RecordingFacts {
  let value = json
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown
    } catch (error) {
      throw badFacts(
        `${FACTS_FILE} is not valid JSON (${error instanceof Error ? error.message : String(error)}).`
      )
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badFacts(`${FACTS_FILE} must hold a JSON object.`)
  }
  const record = value as Record<string, unknown>
  const bad = (field: string, problem: string): SidecastError =>
    badFacts(`${FACTS_FILE}: "${field}" ${problem}.`)
  for (const [field, check] of Object.entries(REQUIRED_FACTS)) {
    if (!(field in record)) throw bad(field, 'is missing')
    const problem = check(record[field])
    if (problem) throw bad(field, problem)
  }
  for (const [field, check] of Object.entries(OPTIONAL_FACTS)) {
    if (record[field] === undefined) continue
    const problem = check(record[field])
    if (!problem) continue
    // A nested field's problem starts with its path (".offsetMs must be …").
    const nested = /^(\.\w+) (.*)$/.exec(problem)
    throw nested ? bad(`${field}${nested[1]}`, nested[2]!) : bad(field, problem)
  }
  return record as unknown as RecordingFacts
}

// ---- Titles ---------------------------------------------------------------------------------

export const MAX_TITLE_LENGTH = 200

/** Default title for a recording started at `date`, e.g. "Recording 2026-11-29 14:03". */
export function defaultTitle(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0')
  return `Recording ${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())} ${p(date.getHours())}:${p(date.getMinutes())}`
}

/** A title as stored: one line, trimmed, 1 to MAX_TITLE_LENGTH characters; throws 'bad-title'. */
export function normaliseTitle(title: unknown): string {
  const clean =
    typeof title === 'string'
      ? title
          // A title is one line; stray control characters would break the list and file names.
          // eslint-disable-next-line no-control-regex
          .replace(/[\u0000-\u001f\u007f]+/g, ' ')
          .trim()
      : ''
  if (clean.length < 1 || clean.length > MAX_TITLE_LENGTH) {
    throw new SidecastError(
      'bad-title',
      `A title needs 1 to ${MAX_TITLE_LENGTH} characters; this one has ${clean.length}.`
    )
  }
  return clean
}

// ---- What the renderer is told --------------------------------------------------------------

/** What the recordings list shows for one project. */
export interface ProjectSummary {
  readonly id: string
  readonly title: string
  readonly status: RecordingStatus
  readonly createdAt: string
  readonly durationMs: number | null
  /**
   * The edited length (the kept ranges after trims and cuts, as the editor and export count
   * them), or null when the recording's length is unknown; absent from older summaries.
   */
  readonly editedDurationMs?: number | null
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
  /** The recording's share link (its page in the team library) once uploaded, else null. */
  readonly shareUrl: string | null
  /**
   * Where the edits stand in the team library, for a recording whose library video takes its
   * edits (a library with the `edits` feature); null or absent otherwise.
   */
  readonly editsSync?: EditsSyncStatus | null
  /** The camera recording, when the recording has one that can be played; null or absent otherwise. */
  readonly camera?: CameraSummary | null
}

/** What the editor needs of the camera recording. */
export interface CameraSummary {
  /** URL the renderer can play the camera recording from (Range requests supported). */
  readonly url: string
  /** Where its first frame falls on the recording's clock (CameraFacts.offsetMs). */
  readonly offsetMs: number
  /** Its length in ms, once probed. */
  readonly durationMs: number | null
  readonly width: number | null
  readonly height: number | null
  /** Camera-off stretches from the recording bar (CameraFacts.offRanges): the default bubble hides there. */
  readonly offRanges: readonly (readonly [number, number])[]
  /** Why the camera stopped early, or null. */
  readonly endedBecause: string | null
}

/**
 * An edits sync's state: `synced` (the library has these edits), `syncing` (being sent now),
 * `pending` (waiting to be sent: offline, a server problem, the token), `conflict` (the library's
 * edits changed elsewhere since the last sync; the local ones are kept until the user sends them
 * anyway), `refused` (the library refused them; `message` says why).
 */
export type EditsSyncState = 'synced' | 'syncing' | 'pending' | 'conflict' | 'refused'

/** What the recordings card shows about a recording's edits in the library. */
export interface EditsSyncStatus {
  readonly state: EditsSyncState
  /** Why it waits or was refused, in words; null when there is nothing to say. */
  readonly message: string | null
  /** The library's version of the edits last synced (0: none yet). */
  readonly version: number
}

/**
 * Why a recording ended without the user's stop, when the app itself kept running: the window
 * reloaded (a navigation) or its renderer process crashed, so main finished what was on disk.
 */
export type WindowLostCause = 'window-reloaded' | 'window-crashed'

/**
 * Told to the user once: a recording that was left unfinished and has been recovered (after a
 * crash of the app, at the next start), or finished by main because the window was lost.
 */
export interface RecoveryNotice {
  readonly projectId: string
  readonly title: string
  readonly durationMs: number | null
  /** Null when recovery worked; otherwise what went wrong (the raw bytes are kept). */
  readonly problem: string | null
  /** Set when the app kept running but its window was lost; absent after an app crash. */
  readonly cause?: WindowLostCause
}
