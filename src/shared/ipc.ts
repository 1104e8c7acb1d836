/**
 * The one contract between the renderer and main. Every channel is listed here with its argument
 * and result types; main's handlers, the preload's allow-list and the renderer's `window.api` are
 * all typed from it. The e2e harness carries the same channels over a local bridge.
 */
import type { Edits } from './edits'
import type { ExportPreset } from './export-preset'
import type { EditsSyncStatus, ProjectSummary, RecoveryNotice } from './project'
import type { Settings } from './settings'
import type { RequestJson } from './learn'
import { SidecastError } from './errors'

export interface CaptureSource {
  /** desktopCapturer's id (`screen:…` or `window:…`), or SYSTEM_PICKER_SOURCE_ID. */
  readonly id: string
  readonly name: string
  readonly kind: 'screen' | 'window'
  /** A small PNG/JPEG data URL, or null when the system gave none. */
  readonly thumbnailDataUrl: string | null
  /** A window's app icon as a data URL, or null/absent (screens, or none given). */
  readonly appIconDataUrl?: string | null
  /**
   * True for the only entry on Linux Wayland: the system's own dialog chooses the screen or
   * window when the recording starts.
   */
  readonly systemPicker?: boolean
}

/** A deleted recording: `projects:restore` brings it back for `undoMs`, then its files are removed. */
export interface DeletedProject {
  readonly projectId: string
  readonly undoMs: number
}

/** The id of the entry that lets the system's dialog choose (Linux Wayland). */
export const SYSTEM_PICKER_SOURCE_ID = 'system-picker'

export interface FfmpegStatus {
  readonly ok: boolean
  readonly path: string | null
  /** Where the binary was found: the user's setting, the bundled package, or PATH. */
  readonly source: 'setting' | 'bundled' | 'path' | null
  /** What is wrong, in words, when `ok` is false. */
  readonly problem: string | null
}

export interface AppInfo {
  readonly version: string
  readonly platform: string
  readonly dataDir: string
  readonly projectsDir: string
  readonly ffmpeg: FfmpegStatus
  /** True when running in the browser harness rather than Electron. */
  readonly harness: boolean
}

export interface StartRecordingRequest {
  /** The MIME type MediaRecorder will produce, e.g. `video/webm;codecs=vp8,opus`. */
  readonly mimeType: string
  /** Name of the capture source, kept in recording.json. */
  readonly sourceName: string
  /** The camera recorded beside the screen, when one is chosen: its own file (CameraFacts). */
  readonly camera?: StartCameraRequest
  /**
   * A recording made to answer a library request: its title becomes the project's title and
   * `requestId` is kept in recording.json's `answers` (sent as Upload-Metadata `answers`).
   */
  readonly answer?: AnswerTarget
}

/** The request a recording answers (docs/learning-together.md, "In the desktop app"). */
export interface AnswerTarget {
  /** The request's id (REQUEST_ID in src/shared/learn.ts). */
  readonly requestId: string
  /** The request's title, 1 to 200 characters: the recording's title. */
  readonly title: string
}

/** What the Requests view asks for: open requests, optionally matching `q`. */
export interface RequestsQuery {
  /** Search words (the library's `q`); empty or absent: all open requests. */
  readonly q?: string
}

/**
 * The Requests view's list: the open requests, newest first, or why there are none to show —
 * `not-connected` (no library set), `unsupported` (the library has no "learn" feature yet),
 * `auth` (the token was refused), `unreachable` / `failed` (the library did not answer, or badly).
 */
export type RequestsList =
  | { readonly state: 'ok'; readonly requests: readonly RequestJson[] }
  | {
      readonly state: 'not-connected' | 'unsupported' | 'auth' | 'unreachable' | 'failed'
      readonly message: string
    }

export interface StartCameraRequest {
  /** The MIME type the camera's MediaRecorder will produce. */
  readonly mimeType: string
  /** The camera's label as the user picked it. */
  readonly deviceName: string
}

/** What the renderer learns about the camera while recording (`recording:camera-info`). */
export interface CameraInfo {
  /** Where the camera's first frame falls on the recording's clock, ms, once both recorders started. */
  readonly offsetMs?: number
  /** Camera-off stretches so far (recording clock, ms), sorted; replaces the earlier list. */
  readonly offRanges?: readonly (readonly [number, number])[]
  /** Why the camera stopped before the recording (unplugged, failed); its file keeps what it got. */
  readonly endedBecause?: string
}

export interface StartRecordingResult {
  readonly projectId: string
  readonly title: string
}

export interface ChunkAck {
  /** Bytes on disk for this recording after the chunk was appended. */
  readonly bytesWritten: number
  /** True when free disk space has fallen so low that the renderer should stop now. */
  readonly diskLow: boolean
}

export interface StopRecordingInfo {
  /** Why the recording ended, when it was not the user's stop (source closed, disk full, …). */
  readonly endedBecause?: string
}

export type RecorderPhase = 'idle' | 'recording' | 'paused' | 'finishing'

export interface RecorderState {
  readonly phase: RecorderPhase
  readonly projectId: string | null
}

/** Commands main sends to the renderer (from the tray or the global shortcut). */
export type RecorderCommand =
  | 'toggle'
  | 'start'
  | 'stop'
  | 'pause'
  | 'resume'
  /** Asks (in the recording bar) whether to throw the take away and start it again. */
  | 'restart'
  /** Asks (in the recording bar) whether to stop and delete the take. */
  | 'discard'

/** The export preset the renderer asks for; absent fields take the default (Source size, Standard). */
export type ExportPresetRequest = Partial<ExportPreset>

export interface ExportStartResult {
  /** Names this export in `export:progress`, `export:cancel` and `export:reveal`. */
  readonly exportId: string
  /** The MP4 being written (it appears under this name only once complete). */
  readonly outFile: string
}

export type ExportState = 'running' | 'done' | 'failed' | 'cancelled'

/**
 * How an export was made: `smart` re-encoded only the stretches an edit touches and copied the
 * rest (`copiedFraction` of the output's duration, 0–1); `full` re-encoded every frame, and
 * `reason` says why smart rendering was not used (null when it was).
 */
export interface RenderSummary {
  readonly mode: 'smart' | 'full'
  readonly copiedFraction: number
  readonly reason: string | null
}

/** Progress of one export: a few times a second while running, then once with the final state. */
export interface ExportProgressEvent {
  readonly exportId: string
  readonly projectId: string
  /** 0–1 of the output written. */
  readonly fraction: number
  /** Estimated time left, ms, or null while too early to tell. */
  readonly etaMs: number | null
  readonly state: ExportState
  readonly outFile: string
  /** The finished file's size, when `done`. */
  readonly sizeBytes?: number
  /** What went wrong, in words, when `failed`. */
  readonly error?: string
  /** How the export was rendered, when `done` (smart rendering copies untouched stretches). */
  readonly render?: RenderSummary
  /**
   * Something the finished file lacks that the edits asked for, in words, when `done` (e.g. the
   * camera bubble, when the camera's file is missing); absent when the file is as edited.
   */
  readonly warning?: string
}

/** The team library connection as the Settings view shows it (the token itself never leaves main). */
export interface LibraryConfig {
  /** The library server's base URL, e.g. `https://library.example.com`, or empty when not set. */
  readonly url: string
  /** True when an access token is stored (or given by SIDECAST_LIBRARY_TOKEN). */
  readonly hasToken: boolean
  /** False when the token had to be stored without OS encryption (safeStorage unavailable). */
  readonly tokenEncrypted: boolean
  /** Which values a managed install fixed with environment variables (they cannot be changed here). */
  readonly managed: { readonly url: boolean; readonly token: boolean }
  /**
   * Whether Share while recording is in effect for the next recording (the setting, or
   * SIDECAST_SHARE_WHILE_RECORDING, and a library connected).
   */
  readonly shareWhileRecording: boolean
  /** True when SIDECAST_SHARE_WHILE_RECORDING fixes Share while recording: Settings shows it read-only. */
  readonly shareWhileRecordingManaged: boolean
}

/** A change to the library connection; absent fields stay as they are; `token: ''` forgets it. */
export interface LibraryConfigPatch {
  readonly url?: string
  readonly token?: string
}

/** What "Test connection" found. */
export interface LibraryTestResult {
  readonly ok: boolean
  /** `Connected as <name>`, or exactly what is wrong (unreachable, wrong token, not a Sidecast server). */
  readonly message: string
  /** The user the token belongs to, when connected. */
  readonly userName?: string
  /**
   * The Settings field a failure is about: `token` when the token was refused or is unusable,
   * `url` when the address is wrong or the server cannot be reached; absent when neither (a
   * server error, a proxy).
   */
  readonly field?: 'url' | 'token'
}

/** What the user may set before an upload. */
export interface UploadRequest {
  readonly title?: string
  readonly description?: string
  /**
   * A recording already in the library is uploaded as a new version of that video (same link) by
   * default; true makes a new video with a new link instead.
   */
  readonly asNewVideo?: boolean
}

export type UploadState =
  'exporting' | 'queued' | 'uploading' | 'paused' | 'failed' | 'done' | 'cancelled'

/** One upload in main's persistent queue. */
export interface UploadInfo {
  readonly id: string
  readonly projectId: string
  readonly title: string
  readonly state: UploadState
  /** 0–1: of the export while `exporting`, of the bytes otherwise. */
  readonly fraction: number
  readonly bytesSent: number
  /** Size of the file being uploaded, once known. */
  readonly bytesTotal: number | null
  /** Bytes per second over the last few seconds, or null when not uploading. */
  readonly speedBps: number | null
  /** Estimated time left, ms, or null while too early to tell. */
  readonly etaMs: number | null
  /** What went wrong, in words, when `failed` (or why it is waiting to retry while `queued`). */
  readonly error?: string
  /** True when the server refused the token: the user must enter a new one (no retry until then). */
  readonly needsToken?: boolean
  /**
   * The video's page in the library: when `done`, and for a live upload as soon as the library
   * reserved the video (before Stop), so the link can be copied the moment Stop is pressed.
   */
  readonly url?: string
  readonly createdAt: string
  /**
   * Set when this upload follows a recording as it is made (Share while recording):
   * `recording` while the recording goes on (`bytesTotal` is null: the length is not known yet),
   * `finishing` once Stop was pressed and bytes are still behind (the UI says "Finishing upload…"),
   * `processing` once every byte is on the server and the library is making it watchable.
   */
  readonly live?: LiveUploadPhase
  /**
   * True once main has copied the link and told the user (a live upload, at Stop: "Link copied —
   * the video will be ready in a moment"): the upload's end is not announced again.
   */
  readonly linkAnnounced?: boolean
}

/** Where an upload that follows a recording stands; see `UploadInfo.live`. */
export type LiveUploadPhase = 'recording' | 'finishing' | 'processing'

/**
 * Where updating Sidecast stands (src/main/updates/):
 * - `unavailable`: this copy cannot update itself (a development build, a .deb to update with the
 *   package manager…); `message` says why and what to do instead;
 * - `no-library`: updates come from the team library, and none is connected;
 * - `idle`: nothing checked yet; `checking`; `downloading` (`version`, `fraction`);
 * - `up-to-date` (`checkedAt`); `available`: a newer `version` this copy cannot install itself
 *   (`message` says how); `ready`: `version` is downloaded, a restart installs it;
 * - `failed`: `message` says what went wrong; the next check tries again.
 */
export type UpdatePhase =
  | 'unavailable'
  | 'no-library'
  | 'idle'
  | 'checking'
  | 'downloading'
  | 'up-to-date'
  | 'available'
  | 'ready'
  | 'failed'

/** What Settings shows about updates, and what the tray and the notification follow. */
export interface UpdateStatus {
  /** This copy's version. */
  readonly currentVersion: string
  readonly phase: UpdatePhase
  /** Whether Sidecast checks by itself (the setting, or SIDECAST_UPDATES). */
  readonly automatic: boolean
  /** True when SIDECAST_UPDATES fixes `automatic`: Settings shows it read-only. */
  readonly managed: boolean
  /** When the library last answered a check (ISO 8601), or null. */
  readonly checkedAt: string | null
  /** The newer version found, being downloaded or ready. */
  readonly version: string | null
  /** 0–1 of the download while `downloading`, else null. */
  readonly fraction: number | null
  /** Words for `unavailable`, `no-library`, `available` and `failed`; null otherwise. */
  readonly message: string | null
  /**
   * While `ready`: what must finish before Sidecast may restart (e.g. "the recording"), or null
   * when it may restart now. Sidecast never restarts while recording, exporting or uploading.
   */
  readonly restartWaitsFor: string | null
}

/** Renderer → main requests: channel → [arguments, result]. */
export interface InvokeContract {
  'app:info': { args: []; result: AppInfo }
  'settings:get': { args: []; result: Settings }
  'settings:set': { args: [patch: Partial<Settings>]; result: Settings }
  'sources:list': { args: []; result: CaptureSource[] }
  'sources:select': { args: [sourceId: string]; result: void }
  'recording:start': { args: [request: StartRecordingRequest]; result: StartRecordingResult }
  'recording:chunk': { args: [projectId: string, seq: number, data: Uint8Array]; result: ChunkAck }
  /** A chunk of the camera's recording (a recording started with `camera`); numbered from 0 like the screen's. */
  'recording:camera-chunk': {
    args: [projectId: string, seq: number, data: Uint8Array]
    result: ChunkAck
  }
  /** The camera's offset, off stretches or early end, kept in recording.json's `camera`. */
  'recording:camera-info': { args: [projectId: string, info: CameraInfo]; result: void }
  'recording:state': { args: [projectId: string, phase: 'recording' | 'paused']; result: void }
  'recording:stop': { args: [projectId: string, info: StopRecordingInfo]; result: ProjectSummary }
  /** Stops and deletes the take being recorded: its folder goes, nothing is recovered later. */
  'recording:discard': { args: [projectId: string]; result: void }
  /** Deletes the take being recorded and starts a new one in its place (the recorder stays on). */
  'recording:restart': {
    args: [projectId: string, request: StartRecordingRequest]
    result: StartRecordingResult
  }
  'projects:list': { args: []; result: ProjectSummary[] }
  'projects:rename': { args: [projectId: string, title: string]; result: ProjectSummary }
  /** Moves the recording to the trash; it can be restored for `undoMs`, then it is removed. */
  'projects:delete': { args: [projectId: string]; result: DeletedProject }
  /** Undoes a delete while its time has not run out. */
  'projects:restore': { args: [projectId: string]; result: ProjectSummary }
  'projects:reveal': { args: [projectId: string]; result: void }
  'projects:recovery-notices': { args: []; result: RecoveryNotice[] }
  'edits:get': { args: [projectId: string]; result: Edits }
  /** Validates and saves the whole edits document atomically; returns it as stored. */
  'edits:save': { args: [projectId: string, edits: Edits]; result: Edits }
  'export:start': {
    args: [projectId: string, preset: ExportPresetRequest]
    result: ExportStartResult
  }
  'export:cancel': { args: [exportId: string]; result: void }
  /** Shows a finished export's file in the system's file manager. */
  'export:reveal': { args: [exportId: string]; result: void }
  'library:get': { args: []; result: LibraryConfig }
  'library:configure': { args: [patch: LibraryConfigPatch]; result: LibraryConfig }
  /** Calls the server's /api/me with the given values, or the stored ones when absent. */
  'library:test': { args: [patch: LibraryConfigPatch]; result: LibraryTestResult }
  /** Exports with the current edits (a stream copy when there are none) and queues the upload. */
  'uploads:start': { args: [projectId: string, request: UploadRequest]; result: UploadInfo }
  'uploads:list': { args: []; result: UploadInfo[] }
  'uploads:pause': { args: [uploadId: string]; result: UploadInfo }
  'uploads:resume': { args: [uploadId: string]; result: UploadInfo }
  /** Stops the upload and removes it from the server too. */
  'uploads:cancel': { args: [uploadId: string]; result: UploadInfo }
  /** Copies a recording's library link to the clipboard. */
  'share:copy-link': { args: [projectId: string]; result: void }
  /** Opens a recording's page in the library in the default browser. */
  'share:open': { args: [projectId: string]; result: void }
  /**
   * Sends a recording's edits to its video in the library now (Upload on a recording already
   * there, when the library applies edits): same link, no new upload. Null when it has no video
   * whose edits the library keeps.
   */
  'share:sync-edits': { args: [projectId: string]; result: EditsSyncStatus | null }
  /**
   * "Send mine anyway" after the library's edits changed elsewhere: the local edits become the
   * newest version, on top of the library's.
   */
  'share:send-mine-anyway': { args: [projectId: string]; result: EditsSyncStatus }
  'updates:status': { args: []; result: UpdateStatus }
  /** Checks the library for a newer Sidecast now (and downloads it); resolves with the outcome. */
  'updates:check': { args: []; result: UpdateStatus }
  /** Quits and installs the downloaded update; refused while recording, exporting or uploading. */
  'updates:restart': { args: []; result: void }
  /** The connected library's open requests, newest first (GET /api/requests?state=open&q=). */
  'requests:list': { args: [query: RequestsQuery]; result: RequestsList }
  /** Opens a page of the connected library (a request's `url`) in the default browser. */
  'requests:open': { args: [url: string]; result: void }
}

/** Main → renderer events: channel → payload. */
export interface EventContract {
  'recorder:command': RecorderCommand
  'recorder:state': RecorderState
  'projects:changed': null
  'export:progress': ExportProgressEvent
  /** One upload changed (state or progress; progress at most a few times a second). */
  'uploads:changed': UploadInfo
  /** Where updating stands changed (download progress at most a few times a second). */
  'updates:changed': UpdateStatus
  /** The tray's "Answer a request": start recording an answer to this request. */
  'requests:answer': AnswerTarget
  /** The tray's "Open requests in the app…": show the Requests view. */
  'requests:show': null
}

export type InvokeChannel = keyof InvokeContract
export type InvokeArgs<C extends InvokeChannel> = InvokeContract[C]['args']
export type InvokeResult<C extends InvokeChannel> = InvokeContract[C]['result']
export type EventChannel = keyof EventContract
export type EventPayload<E extends EventChannel> = EventContract[E]

// Written as objects so the compiler insists every channel is listed exactly once.
const invokeChannels: { readonly [C in InvokeChannel]: true } = {
  'app:info': true,
  'settings:get': true,
  'settings:set': true,
  'sources:list': true,
  'sources:select': true,
  'recording:start': true,
  'recording:chunk': true,
  'recording:camera-chunk': true,
  'recording:camera-info': true,
  'recording:state': true,
  'recording:stop': true,
  'recording:discard': true,
  'recording:restart': true,
  'projects:list': true,
  'projects:rename': true,
  'projects:delete': true,
  'projects:restore': true,
  'projects:reveal': true,
  'projects:recovery-notices': true,
  'edits:get': true,
  'edits:save': true,
  'export:start': true,
  'export:cancel': true,
  'export:reveal': true,
  'library:get': true,
  'library:configure': true,
  'library:test': true,
  'uploads:start': true,
  'uploads:list': true,
  'uploads:pause': true,
  'uploads:resume': true,
  'uploads:cancel': true,
  'share:copy-link': true,
  'share:open': true,
  'share:sync-edits': true,
  'share:send-mine-anyway': true,
  'updates:status': true,
  'updates:check': true,
  'updates:restart': true,
  'requests:list': true,
  'requests:open': true
}
const eventChannels: { readonly [E in EventChannel]: true } = {
  'recorder:command': true,
  'recorder:state': true,
  'projects:changed': true,
  'export:progress': true,
  'uploads:changed': true,
  'updates:changed': true,
  'requests:answer': true,
  'requests:show': true
}

export const INVOKE_CHANNELS: readonly InvokeChannel[] = Object.freeze(
  Object.keys(invokeChannels) as InvokeChannel[]
)
export const EVENT_CHANNELS: readonly EventChannel[] = Object.freeze(
  Object.keys(eventChannels) as EventChannel[]
)

export function isInvokeChannel(value: unknown): value is InvokeChannel {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(invokeChannels, value)
}

export function isEventChannel(value: unknown): value is EventChannel {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(eventChannels, value)
}

/**
 * Every reply crosses the boundary in this envelope, so an error arrives as its own clean message
 * (Electron would otherwise prefix "Error invoking remote method …").
 */
export type IpcResponse<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } }

/** Main's implementation of the contract: one function per channel. */
export type InvokeHandlers = {
  readonly [C in InvokeChannel]: (...args: InvokeArgs<C>) => Promise<InvokeResult<C>>
}

/**
 * What crosses into the page as `window.api`, in Electron (preload, through contextBridge) and in
 * the harness (WebSocket bridge): every reply is the plain envelope, never a thrown error.
 * contextBridge copies an Error as a new Error with only its message, so a `code` thrown across it
 * would be lost; an envelope is plain data and arrives whole. The renderer turns it into a
 * `SidecastApi` with `apiFromBridge`.
 */
export interface SidecastBridge {
  invoke<C extends InvokeChannel>(
    channel: C,
    ...args: InvokeArgs<C>
  ): Promise<IpcResponse<InvokeResult<C>>>
  /** Subscribes to a main → renderer event; returns the unsubscribe function. */
  on<E extends EventChannel>(channel: E, listener: (payload: EventPayload<E>) => void): () => void
}

/** What the renderer's code uses: replies unwrapped, errors thrown as `SidecastError` with a code. */
export interface SidecastApi {
  invoke<C extends InvokeChannel>(channel: C, ...args: InvokeArgs<C>): Promise<InvokeResult<C>>
  /** Subscribes to a main → renderer event; returns the unsubscribe function. */
  on<E extends EventChannel>(channel: E, listener: (payload: EventPayload<E>) => void): () => void
}

/** Turns an envelope back into a value or a thrown SidecastError (on the renderer's side). */
export function unwrapResponse<T>(response: IpcResponse<T>): T {
  if (response.ok) return response.value
  throw new SidecastError(response.error.code, response.error.message)
}

/** True for a well-formed envelope; anything else is a broken reply, never a value. */
export function isIpcResponse(value: unknown): value is IpcResponse<unknown> {
  if (typeof value !== 'object' || value === null) return false
  const v = value as { ok?: unknown; error?: unknown }
  // A void reply's `value` is undefined, which JSON (the harness bridge) leaves out altogether.
  if (v.ok === true) return true
  if (v.ok !== false || typeof v.error !== 'object' || v.error === null) return false
  const e = v.error as { code?: unknown; message?: unknown }
  return typeof e.code === 'string' && typeof e.message === 'string'
}
