/**
 * Main's persistent upload queue: runs each upload's state machine (upload-state.ts) against an
 * injected tus layer and exporter. One upload sends at a time and one export runs at a time; an
 * export for the next upload may run while another uploads.
 *
 * The queue is kept in `<dataDir>/uploads/queue.json` (upload-queue-file.ts), so uploads survive
 * quits, crashes and reboots: on start every unfinished upload resumes by itself (paused ones
 * stay paused, an interrupted export is redone from scratch), each from the server's offset.
 * Failures that may pass are retried with backoff, forever (a busy library: after the wait its
 * `Retry-After` asks for); a refused token waits for a new one.
 *
 * Live uploads (Share while recording) follow a recording as it is made: `addLive` queues one
 * when the recording starts, it sends the capture file as it grows (growing-file.ts) with a
 * deferred length, `sealLive` tells it the capture's final size at Stop (and copies the link,
 * once), and it keeps the capture file until the library has every byte (`captureNeeded`).
 * They do not wait for the one-at-a-time slot of ordinary uploads, nor hold it: a recording's
 * upload must keep up with the recording.
 */
import { createHash, randomUUID } from 'node:crypto'
import { rm, stat } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { emptyEdits, type Edits } from '../../shared/edits'
import { SidecastError } from '../../shared/errors'
import type { ExportPreset } from '../../shared/export-preset'
import type { UploadInfo, UploadRequest } from '../../shared/ipc'
import { normaliseTitle, type RecordingFacts } from '../../shared/project'
import { errorMessage } from '../../engine/error-details'
import { readEdits as readEditsFile } from '../projects/edits-store'
import { dropLibraryCamera } from './edits-api'
import { requireFinished } from '../projects/project-catalogue'
import { readShareLink, type ShareLink } from '../projects/share-link'
import { createGrowingFile, type GrowingFile } from './growing-file'
import { AUTH_REFUSED_MESSAGE, type TusFailure, type TusLayer, type TusRun } from './tus-layer'
import {
  cameraFingerprint,
  cameraMetadata,
  cleanDescription,
  editsHash,
  liveFingerprint,
  liveMetadata,
  metadataFor,
  needsExport,
  replaceVariant,
  uploadFingerprint
} from './upload-plan'
import { addSample, ProgressThrottle, uploadInfo, type SpeedSample } from './upload-progress'
import { createQueueFile, UPLOADS_FOLDER } from './upload-queue-file'
import {
  cancelProblem,
  isFinished,
  liveFailureEvent,
  livePhase,
  pauseProblem,
  resumeProblem,
  retriesWithToken,
  trimFinished,
  uploadReducer,
  type Upload,
  type UploadEvent
} from './upload-state'

/** Waits between retries; the last one repeats forever. */
export const RETRY_DELAYS_MS: readonly number[] = [1000, 2000, 5000, 10_000, 30_000, 60_000]

export const LIBRARY_NOT_SET_MESSAGE = "Set the library's address and token in Settings first."

/** A running upload's bookkeeping, never stored. */
interface Runtime {
  /** Bumped whenever an attempt is abandoned, so its late callbacks are ignored. */
  generation: number
  run: TusRun | null
  exportController: AbortController | null
  exportFraction: number
  /** The export's estimate of its time left (ms), or null while too early to tell. */
  exportEtaMs: number | null
  retryTimer: NodeJS.Timeout | null
  retryAt: number
  attempt: number
  /** Offset confirmed when the current attempt started (progress past it resets the backoff). */
  offsetAtStart: number
  samples: SpeedSample[]
  lastPersistAt: number
  readonly throttle: ProgressThrottle
  /** A live upload's capture as the running attempt reads it. */
  growing: GrowingFile | null
  /** A live upload whose recording the user stopped in this session: copy the link once known. */
  announceLink: boolean
}

/** The projects the queue uploads from (the project catalogue and the recorder). */
export interface UploadProjects {
  readFacts(id: string): Promise<RecordingFacts>
  projectDir(id: string): string
  /** True while the project is being recorded. */
  isRecording(id: string): boolean
  /**
   * True while something appends to the project's capture file (a live upload waits for more
   * while it is); default isRecording.
   */
  isBeingWritten?(id: string): boolean
}

/** Exports a project into a file the upload owns (the app's export service). */
export interface UploadExporter {
  export(request: {
    readonly projectId: string
    readonly preset: ExportPreset
    readonly outFile: string
    readonly signal: AbortSignal
    /** 0–1 done, and the time left (ms) once the export can tell. */
    onProgress(fraction: number, etaMs?: number | null): void
  }): Promise<void>
}

export interface UploadQueueOptions {
  /** `<dataDir>`; the queue keeps its files in `<dataDir>/uploads/`. */
  readonly dataDir: string
  readonly tus: TusLayer
  readonly projects: UploadProjects
  readonly exporter: UploadExporter
  /** The library's address and token, or null when not set. */
  credentials(): Promise<{ readonly url: string; readonly token: string } | null>
  /** The export preset for uploads with edits (the settings' default). */
  defaultPreset(): ExportPreset
  /** Stores a finished upload's share link with its project (before the upload is announced done). */
  storeLink(projectId: string, link: ShareLink): Promise<void>
  /** Tells the user about a finished upload (copy the link, notify), once. */
  announce(link: ShareLink, title: string): Promise<void>
  /**
   * A live upload's link is known and its recording stopped: copy it and tell the user ("Link
   * copied — the video will be ready in a moment"), once; its end is then not announced again.
   */
  announceLink?(url: string, title: string): Promise<void>
  /** Every change of an upload (sent as `uploads:changed`). */
  emit(info: UploadInfo): void
  /**
   * True when the library takes a recording as it is plus its edits (`edits` in `/api/me`'s
   * features): uploads then send the recording unexported and the edits follow (`uploaded`).
   * Default false: edits are exported into the video first.
   */
  takesEdits?(): Promise<boolean>
  /**
   * True when the library takes a recording's camera as a second upload and burns the bubble
   * into what viewers see (`camera` in `/api/me`'s features). Then a recording with a camera goes
   * with `cameraFollows` and its camera file follows once it is done; else the recording is
   * exported with the bubble burnt in. Default false.
   */
  takesCamera?(): Promise<boolean>
  /**
   * A camera upload failed for good or was cancelled: tells the library its video gets no camera
   * (so viewers stop waiting for one). Default: `DELETE /api/videos/:id/camera` with the
   * credentials (edits-api.ts dropLibraryCamera). True when the library was told.
   */
  dropCamera?(videoId: string): Promise<boolean>
  /**
   * An upload is done and its link stored (before it is announced): the edits sync takes over a
   * recording sent as it is (`upload.sendsEdits`; or, when the library takes edits, one sent
   * without edits or live).
   */
  uploaded?(upload: FinishedUpload): Promise<void>
  /** The project's edits; default: its edits.json. */
  readonly readEdits?: (projectDir: string, durationMs?: number) => Promise<Edits>
  /** Waits between retries; default RETRY_DELAYS_MS. */
  readonly retryDelaysMs?: readonly number[]
  /** How often a live upload's capture is looked at while it waits for more; default 250 ms. */
  readonly livePollMs?: number
  /** Least time between two progress events of one upload; default 250 ms. */
  readonly progressIntervalMs?: number
  /** Window of the speed estimate; default 5 s. */
  readonly speedWindowMs?: number
  readonly now?: () => number
  readonly warn?: (message: string) => void
}

export interface UploadQueue {
  /** Loads queue.json and resumes every unfinished upload (paused ones stay paused). */
  start(): Promise<void>
  /**
   * Queues a project's upload: the recording as it is when the library applies edits itself
   * (they follow once it is done), else exported first when it has edits.
   */
  add(projectId: string, request: UploadRequest): Promise<UploadInfo>
  /**
   * Queues the live upload of a recording that has just started (Share while recording); its
   * bytes follow the capture file as it grows. One per project: a second call answers the first.
   */
  addLive(projectId: string, request: LiveUploadRequest): Promise<UploadInfo>
  /**
   * The project's recording stopped and its capture has `size` bytes: its live upload sends the
   * rest, then the length, and the link is copied (once) as soon as it is known — unless
   * `announce` is false (a recording recovered after a crash: its end is announced instead).
   */
  sealLive(projectId: string, size: number, options?: { readonly announce?: boolean }): void
  /**
   * The project's take was thrown away (discard, restart): its live upload stops, is deleted on
   * the server (in the background) and leaves the list.
   */
  discardLive(projectId: string): Promise<void>
  /** True while a live upload still needs the project's capture file (the library lacks bytes). */
  captureNeeded(projectId: string): boolean
  list(): UploadInfo[]
  get(uploadId: string): UploadInfo
  pause(uploadId: string): Promise<UploadInfo>
  resume(uploadId: string): Promise<UploadInfo>
  cancel(uploadId: string): Promise<UploadInfo>
  /** The address or token changed: uploads that waited for a new token try again. */
  credentialsChanged(): void
  /** The network is back: uploads waiting to retry go at once. */
  networkBack(): void
  onChange(listener: (info: UploadInfo) => void): () => void
  /** Stops sending and exporting without losing anything; everything resumes at the next start. */
  shutdown(): Promise<void>
}

/** What `uploaded` is told about a finished upload. */
export interface FinishedUpload {
  readonly projectId: string
  readonly videoId: string
  readonly source: Upload['source']
  /** The recording went as it is to a library that applies its edits. */
  readonly sendsEdits: boolean
  /** A new version of a video already in the library (same link). */
  readonly replaced: boolean
}

/** What a live upload starts from. */
export interface LiveUploadRequest {
  /** The recording's title (its video's title in the library). */
  readonly title: string
  /** The capture file's name in the project folder (`capture.webm`). */
  readonly captureFile: string
}

/** A live upload asks for its link this often at first, then as ordinary uploads do. */
const LIVE_LINK_POLL_MS = 500
const LIVE_LINK_FAST_POLLS = 20
/** The longest wait between two tries of a live upload (the app's backoff goes up to a minute). */
const LIVE_RETRY_MAX_MS = 10_000

/**
 * The recording's camera when it can go with the upload: known in the facts, with a length, its
 * file present. Null otherwise (no camera, or one that could not be finished).
 */
async function usableCamera(
  projectDir: string,
  facts: RecordingFacts
): Promise<NonNullable<RecordingFacts['camera']> | null> {
  const camera = facts.camera
  if (!camera?.durationMs) return null
  const present = await stat(join(projectDir, camera.file)).catch(() => null)
  return present?.isFile() ? camera : null
}

/** Short hash of a token, to notice a changed one without storing it. */
export function tokenTag(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 16)
}

function notFound(uploadId: string): SidecastError {
  return new SidecastError(
    'upload-not-found',
    `There is no upload "${uploadId.slice(0, 80)}". It may have finished long ago.`
  )
}

export function createUploadQueue(options: UploadQueueOptions): UploadQueue {
  const dir = join(options.dataDir, UPLOADS_FOLDER)
  const now = options.now ?? Date.now
  const delays = options.retryDelaysMs ?? RETRY_DELAYS_MS
  const progressInterval = options.progressIntervalMs ?? 250
  const speedWindow = options.speedWindowMs ?? 5000
  const warn = options.warn ?? ((message: string) => console.warn(`[uploads] ${message}`))
  const readEdits = options.readEdits ?? readEditsFile
  const dropCamera =
    options.dropCamera ??
    (async (videoId: string): Promise<boolean> => {
      const creds = await options.credentials().catch(() => null)
      return creds ? dropLibraryCamera(creds, videoId) : false
    })
  const isBeingWritten = (projectId: string): boolean =>
    options.projects.isBeingWritten?.(projectId) ?? options.projects.isRecording(projectId)

  let uploads: Upload[] = []
  const runtimes = new Map<string, Runtime>()
  const listeners = new Set<(info: UploadInfo) => void>()
  /** Projects with an add() in progress, so two quick clicks cannot queue two uploads. */
  const claims = new Set<string>()
  /** Cancellations still talking to the server; shutdown waits for them (bounded by the layer). */
  const background = new Set<Promise<unknown>>()
  /** Uploads with an attempt of their own running: at most one ordinary, any live ones. */
  const sendingIds = new Set<string>()
  let exportingId: string | null = null
  let stopping = false
  let started = false
  const queueFile = createQueueFile({ dir, uploads: () => uploads, warn })

  // ---- the uploads and their events ------------------------------------------------------

  const current = (id: string): Upload | undefined => uploads.find((u) => u.id === id)

  function find(uploadId: unknown): Upload {
    const upload = typeof uploadId === 'string' ? current(uploadId) : undefined
    if (!upload) throw notFound(String(uploadId))
    return upload
  }

  /** Moves an upload on by one event; the caller tells the change (changed or progressed). */
  function apply(id: string, event: UploadEvent): Upload {
    const index = uploads.findIndex((u) => u.id === id)
    const before = uploads[index]
    if (!before) throw notFound(id)
    const after = uploadReducer(before, event)
    uploads[index] = after
    return after
  }

  function runtime(id: string): Runtime {
    let rt = runtimes.get(id)
    if (!rt) {
      rt = {
        generation: 0,
        run: null,
        exportController: null,
        exportFraction: 0,
        exportEtaMs: null,
        retryTimer: null,
        retryAt: 0,
        attempt: 0,
        offsetAtStart: 0,
        samples: [],
        lastPersistAt: 0,
        throttle: new ProgressThrottle(progressInterval, now, () => {
          const upload = current(id)
          if (upload) send(upload)
        }),
        growing: null,
        announceLink: false
      }
      runtimes.set(id, rt)
    }
    return rt
  }

  const info = (upload: Upload): UploadInfo => uploadInfo(upload, runtimes.get(upload.id))

  function send(upload: Upload): void {
    const view = info(upload)
    options.emit(view)
    for (const listener of listeners) listener(view)
  }

  /** A state change: stored and told at once. */
  function changed(upload: Upload): void {
    void queueFile.save()
    runtime(upload.id).throttle.sendNow()
  }

  /** Progress: told at most every progressInterval, the latest value always arriving in the end. */
  function progressed(id: string): void {
    const rt = runtime(id)
    rt.throttle.progressed()
    // The server's HEAD is the truth on resume; this is only for the list after a restart.
    if (now() - rt.lastPersistAt > 5000) {
      rt.lastPersistAt = now()
      void queueFile.save()
    }
  }

  /** Keeps the newest finished uploads; older ones leave the list. */
  function trim(): void {
    const kept = trimFinished(uploads)
    for (const upload of uploads) {
      if (kept.includes(upload)) continue
      runtimes.get(upload.id)?.throttle.stop()
      runtimes.delete(upload.id)
    }
    uploads = kept
  }

  const exportFile = (id: string): string => join(dir, `${id}.mp4`)

  async function removeExportFile(upload: Upload): Promise<void> {
    if (upload.source !== 'export') return
    const file = exportFile(upload.id)
    await Promise.all([rm(file, { force: true }), rm(`${file}.part`, { force: true })]).catch(
      (error: unknown) => warn(`could not remove ${file}: ${errorMessage(error)}`)
    )
  }

  function clearRetry(rt: Runtime): void {
    if (rt.retryTimer) clearTimeout(rt.retryTimer)
    rt.retryTimer = null
    rt.retryAt = 0
  }

  /** The wait before retry number `attempt` (0-based). */
  const retryDelay = (attempt: number): number =>
    delays[Math.min(attempt, delays.length - 1)] ?? 60_000

  // ---- scheduling --------------------------------------------------------------------------

  function pump(): void {
    if (stopping || !started) return
    if (!exportingId) {
      const next = uploads.find((u) => u.state === 'exporting')
      if (next) void runExport(next.id)
    }
    const t = now()
    const ready = (u: Upload): boolean =>
      u.state === 'queued' && !sendingIds.has(u.id) && runtime(u.id).retryAt <= t
    // Live uploads each run at once: they keep up with a recording being made.
    for (const upload of uploads.filter((u) => u.source === 'live' && ready(u))) {
      void runUpload(upload.id)
    }
    const ordinaryBusy = [...sendingIds].some((id) => current(id)?.source !== 'live')
    if (!ordinaryBusy) {
      const next = uploads.find((u) => u.source !== 'live' && ready(u))
      if (next) void runUpload(next.id)
    }
  }

  /** Frees an upload's sending slot. */
  function release(id: string): void {
    sendingIds.delete(id)
  }

  /** Ends the reading of a live upload's capture by its current attempt. */
  function dropGrowing(rt: Runtime): void {
    rt.growing?.close()
    rt.growing = null
  }

  // ---- export ------------------------------------------------------------------------------

  async function runExport(id: string): Promise<void> {
    exportingId = id
    const rt = runtime(id)
    const generation = ++rt.generation
    const controller = new AbortController()
    rt.exportController = controller
    rt.exportFraction = 0
    rt.exportEtaMs = null
    const stillExporting = (): boolean =>
      rt.generation === generation && current(id)?.state === 'exporting' && !stopping
    try {
      const upload = find(id)
      // A file left by an export that was interrupted is never trusted: export again.
      await removeExportFile(upload)
      const facts = await options.projects.readFacts(upload.projectId)
      const projectDir = options.projects.projectDir(upload.projectId)
      const edits = await readEdits(projectDir, facts.durationMs)
      const preset = upload.preset ?? options.defaultPreset()
      const outFile = exportFile(id)
      await options.exporter.export({
        projectId: upload.projectId,
        preset,
        outFile,
        signal: controller.signal,
        onProgress: (fraction, etaMs) => {
          if (!stillExporting()) return
          rt.exportFraction = Math.max(0, Math.min(1, fraction))
          rt.exportEtaMs = etaMs ?? null
          progressed(id)
        }
      })
      if (!stillExporting()) return
      const size = (await stat(outFile)).size
      const exported = find(id)
      changed(
        apply(id, {
          type: 'exported',
          file: outFile,
          fingerprint: uploadFingerprint(
            upload.projectId,
            replaceVariant(editsHash(edits, preset), upload.replaces),
            size
          ),
          bytesTotal: size,
          metadata: metadataFor({
            projectId: upload.projectId,
            title: exported.title,
            description: exported.description,
            edits,
            durationMs: facts.durationMs,
            exported: true,
            extension: 'mp4',
            ...(upload.replaces ? { replaces: upload.replaces } : {}),
            answers: facts.answers
          })
        })
      )
    } catch (error) {
      if (!stillExporting() || controller.signal.aborted) return
      fail(id, `The video could not be prepared for upload: ${errorMessage(error)}`)
    } finally {
      if (rt.exportController === controller) rt.exportController = null
      if (exportingId === id) exportingId = null
      pump()
    }
  }

  // ---- upload ------------------------------------------------------------------------------

  /** The file to send and its fingerprint; null when the upload cannot go on (state set). */
  async function prepareSend(id: string): Promise<{
    file: string
    size: number | null
    fingerprint: string
    growing?: GrowingFile
    metadata?: Record<string, string>
  } | null> {
    const upload = find(id)
    if (upload.source === 'live') return prepareLive(upload)
    if (upload.source === 'camera') return prepareCamera(upload)
    if (upload.source === 'export') {
      const file = exportFile(id)
      const size = (await stat(file).catch(() => null))?.size
      const { fingerprint, bytesTotal } = find(id)
      if (size === undefined || !fingerprint || size !== bytesTotal) {
        // The export is gone or not the one the fingerprint names: make it again.
        changed(apply(id, { type: 'export-lost' }))
        return null
      }
      return { file, size, fingerprint }
    }
    let facts: RecordingFacts
    try {
      facts = await options.projects.readFacts(upload.projectId)
    } catch (error) {
      fail(id, `The recording cannot be read, so it cannot be uploaded: ${errorMessage(error)}`)
      return null
    }
    const file = join(options.projects.projectDir(upload.projectId), facts.file)
    const size = (await stat(file).catch(() => null))?.size
    if (size === undefined) {
      fail(id, `The recording's file ${facts.file} is missing, so it cannot be uploaded.`)
      return null
    }
    return {
      file,
      size,
      fingerprint: uploadFingerprint(
        upload.projectId,
        replaceVariant('original', upload.replaces),
        size
      )
    }
  }

  /**
   * A camera upload's file, once the recording is finished here (a live recording's camera is
   * made seekable after Stop): the facts then hold its final name and length. Until then it
   * waits (retried like a network failure); without a camera file it fails.
   */
  async function prepareCamera(upload: Upload): Promise<{
    file: string
    size: number
    fingerprint: string
    metadata: Record<string, string>
  } | null> {
    const { id, projectId } = upload
    let facts: RecordingFacts
    try {
      facts = await options.projects.readFacts(projectId)
    } catch (error) {
      fail(
        id,
        `The recording cannot be read, so its camera cannot be uploaded: ${errorMessage(error)}`
      )
      return null
    }
    if (facts.status === 'recording' || isBeingWritten(projectId)) {
      throw new Error('the recording is still being finished')
    }
    const camera = facts.camera
    const file = camera ? join(options.projects.projectDir(projectId), camera.file) : null
    const size = file ? (await stat(file).catch(() => null))?.size : undefined
    if (!camera || !file || size === undefined || !camera.durationMs) {
      fail(
        id,
        'The camera recording is missing or could not be finished, so it cannot be uploaded.'
      )
      cameraAbandoned(find(id))
      return null
    }
    const videoId = upload.cameraFor ?? ''
    return {
      file,
      size,
      fingerprint: cameraFingerprint(projectId, videoId, size),
      metadata: cameraMetadata({ videoId, title: upload.title, camera })
    }
  }

  /** A live upload's capture as it grows; sealed at its size once nothing writes it any more. */
  async function prepareLive(upload: Upload): Promise<{
    file: string
    size: null
    fingerprint: string
    growing: GrowingFile
  } | null> {
    const { id, projectId } = upload
    const file = join(options.projects.projectDir(projectId), upload.captureFile ?? 'capture.webm')
    let sealed = upload.sealedSize
    if (sealed === undefined && !isBeingWritten(projectId)) {
      // Stopped without this queue hearing of it (a crash, a quit): the file is all there is.
      const size = (await stat(file).catch(() => null))?.size
      if (size === undefined) {
        fail(id, 'The recording’s file is gone, so it cannot be shared from where it stopped.')
        return null
      }
      if (current(id)?.sealedSize === undefined) changed(apply(id, { type: 'sealed', size }))
      sealed = current(id)?.sealedSize
    }
    const growing = createGrowingFile({
      path: file,
      sealedSize: sealed ?? null,
      isWritten: () => isBeingWritten(projectId),
      ...(options.livePollMs !== undefined ? { pollMs: options.livePollMs } : {}),
      onSealed: (size) => {
        const live = current(id)
        if (live && live.sealedSize === undefined) changed(apply(id, { type: 'sealed', size }))
      }
    })
    return {
      file,
      size: null,
      fingerprint: upload.fingerprint ?? liveFingerprint(projectId),
      growing
    }
  }

  /** Removes a live upload's capture once nothing needs it: the library has it, or it was cancelled. */
  async function releaseCapture(upload: Upload): Promise<void> {
    if (!upload.captureFile || captureNeeded(upload.projectId)) return
    let facts: RecordingFacts
    try {
      facts = await options.projects.readFacts(upload.projectId)
    } catch {
      return
    }
    // Still being finished locally (the capture writer removes it then), or the raw capture is
    // the recording itself (its remux failed): kept.
    if (facts.status === 'recording' || facts.file === upload.captureFile) return
    const file = join(options.projects.projectDir(upload.projectId), upload.captureFile)
    await rm(file, { force: true }).catch((error: unknown) =>
      warn(`could not remove ${file}: ${errorMessage(error)}`)
    )
  }

  function captureNeeded(projectId: string): boolean {
    return uploads.some(
      (u) =>
        u.projectId === projectId &&
        u.source === 'live' &&
        !isFinished(u.state) &&
        u.finishFailed !== true
    )
  }

  /** Copies a live upload's link and tells the user, once, when its recording stopped here. */
  function announceLinkIfDue(id: string): void {
    const upload = current(id)
    const rt = runtimes.get(id)
    if (
      !upload ||
      !rt?.announceLink ||
      stopping ||
      upload.source !== 'live' ||
      !upload.url ||
      upload.linkAnnounced ||
      upload.sealedSize === undefined ||
      isFinished(upload.state)
    ) {
      return
    }
    changed(apply(id, { type: 'link-announced' }))
    void Promise.resolve(options.announceLink?.(upload.url, upload.title)).catch((error: unknown) =>
      warn(`could not announce the link of ${upload.projectId}: ${errorMessage(error)}`)
    )
  }

  function fail(
    id: string,
    message: string,
    extra: { needsToken?: true; refusedToken?: string } = {}
  ): void {
    changed(apply(id, { type: 'failed', message, ...extra }))
  }

  async function runUpload(id: string): Promise<void> {
    sendingIds.add(id)
    const rt = runtime(id)
    const generation = ++rt.generation
    const isCurrent = (): boolean => rt.generation === generation && !stopping
    const releaseSlot = (): void => {
      if (rt.generation === generation) release(id)
    }
    clearRetry(rt)
    let handedOver = false
    try {
      const creds = await options.credentials()
      if (!isCurrent() || current(id)?.state !== 'queued') return
      if (!creds) {
        fail(id, LIBRARY_NOT_SET_MESSAGE, { needsToken: true })
        return
      }
      const target = await prepareSend(id)
      if (!isCurrent() || !target || current(id)?.state !== 'queued') {
        target?.growing?.close()
        return
      }
      rt.samples = []
      dropGrowing(rt)
      rt.growing = target.growing ?? null
      const sending = apply(id, {
        type: 'sending',
        file: target.file,
        fingerprint: target.fingerprint,
        bytesTotal: target.size ?? current(id)?.sealedSize ?? null,
        ...(target.metadata ? { metadata: target.metadata } : {})
      })
      rt.offsetAtStart = sending.bytesSent
      changed(sending)
      const token = creds.token
      rt.run = options.tus.start(
        {
          endpoint: `${creds.url}/api/uploads`,
          token,
          file: target.file,
          size: target.size,
          ...(target.growing ? { growing: target.growing } : {}),
          fingerprint: target.fingerprint,
          metadata: sending.metadata
        },
        {
          onCreated(created) {
            if (!isCurrent() || !created.videoUrl || !created.videoId) return
            changed(apply(id, { type: 'created', url: created.videoUrl, videoId: created.videoId }))
            announceLinkIfDue(id)
          },
          onProgress(sent) {
            if (!isCurrent()) return
            const phase = livePhase(find(id))
            const after = apply(id, { type: 'progress', bytesSent: sent })
            rt.samples = addSample(rt.samples, { t: now(), bytes: sent }, speedWindow)
            // A live upload moving on to "processing" is a change the user sees: told at once.
            if (livePhase(after) !== phase) changed(after)
            else progressed(id)
          },
          onAccepted(offset) {
            if (!isCurrent()) return
            // Real progress since this attempt began: the next failure starts the backoff afresh.
            if (offset > rt.offsetAtStart) rt.attempt = 0
            const phase = livePhase(find(id))
            const after = apply(id, { type: 'progress', bytesSent: offset })
            // A confirmed offset is worth keeping (once a second at most) for the list after a crash.
            if (now() - rt.lastPersistAt > 1000) {
              rt.lastPersistAt = now()
              void queueFile.save()
            }
            if (livePhase(after) !== phase) changed(after)
            else progressed(id)
          },
          onSuccess(result) {
            if (!isCurrent()) return
            rt.run = null
            dropGrowing(rt)
            if (result.videoUrl && result.videoId) {
              void finish(id, generation, { url: result.videoUrl, videoId: result.videoId })
            } else {
              void awaitLink(id, generation, result.uploadUrl, token)
            }
          },
          onError(failure) {
            if (!isCurrent()) return
            rt.run = null
            dropGrowing(rt)
            failed(id, failure, token)
            releaseSlot()
            pump()
          }
        }
      )
      handedOver = true
    } catch (error) {
      if (isCurrent()) failed(id, { kind: 'retry', message: errorMessage(error) }, '')
    } finally {
      if (!handedOver) {
        releaseSlot()
        pump()
      }
    }
  }

  function failed(id: string, failure: TusFailure, token: string): void {
    const rt = runtime(id)
    rt.samples = []
    if (failure.kind === 'auth') {
      // No retry: every further request would be refused the same way.
      fail(id, AUTH_REFUSED_MESSAGE, { needsToken: true, refusedToken: tokenTag(token) })
      return
    }
    if (failure.kind === 'rejected') {
      failedForGood(id, failure.message)
      return
    }
    // A busy library says when to come back (Retry-After): that wait, not the app's backoff.
    const busyMs = failure.retryAfterMs
    // A live upload's link is already out: it tries again at least every LIVE_RETRY_MAX_MS.
    const ceiling = current(id)?.source === 'live' ? LIVE_RETRY_MAX_MS : Number.POSITIVE_INFINITY
    const delay = busyMs ?? Math.min(retryDelay(rt.attempt), ceiling)
    if (busyMs === undefined) rt.attempt++
    const waiting = apply(id, {
      type: 'retry-later',
      reason: failure.message,
      ...(busyMs !== undefined ? { busyMs } : {})
    })
    rt.retryAt = now() + delay
    rt.retryTimer = setTimeout(() => {
      rt.retryTimer = null
      rt.retryAt = 0
      pump()
    }, delay)
    changed(waiting)
  }

  /** Refused for good; a live upload's refusal after its last byte is a failed finish. */
  function failedForGood(id: string, message: string): void {
    const upload = find(id)
    if (upload.source !== 'live') {
      fail(id, message)
      cameraAbandoned(upload)
      return
    }
    const after = apply(id, liveFailureEvent(upload, message))
    changed(after)
    if (after.finishFailed) void releaseCapture(after)
  }

  /** The bytes are in but the final answer had no link (still processing): ask until it has. */
  async function awaitLink(
    id: string,
    generation: number,
    uploadUrl: string,
    token: string
  ): Promise<void> {
    const rt = runtime(id)
    const isCurrent = (): boolean => rt.generation === generation && !stopping
    for (let attempt = 0; isCurrent(); attempt++) {
      const status = await options.tus.videoStatus(uploadUrl, token)
      if (!isCurrent()) return
      if (status.state === 'done') {
        await finish(id, generation, { url: status.url, videoId: status.id })
        return
      }
      if (status.state !== 'processing') {
        release(id)
        if (status.state === 'error') failed(id, status.failure, token)
        else failedForGood(id, status.message)
        pump()
        return
      }
      const live = current(id)?.source === 'live' && attempt < LIVE_LINK_FAST_POLLS
      await new Promise((resolve) =>
        setTimeout(resolve, live ? LIVE_LINK_POLL_MS : retryDelay(attempt))
      )
    }
  }

  async function finish(
    id: string,
    generation: number,
    video: { url: string; videoId: string }
  ): Promise<void> {
    const rt = runtime(id)
    if (rt.generation !== generation) return
    const { projectId, source } = find(id)
    if (source === 'camera') {
      await finishCamera(id, generation)
      return
    }
    const link: ShareLink = { ...video, uploadedAt: new Date(now()).toISOString() }
    // The link is with the project before anyone hears "done", so Copy link works at once.
    try {
      await options.storeLink(projectId, link)
    } catch (error) {
      // The project may have been deleted meanwhile; the link stays in the uploads list.
      warn(`could not store the link of ${projectId}: ${errorMessage(error)}`)
    }
    if (rt.generation !== generation) return
    const finished = find(id)
    if (options.uploaded) {
      try {
        await options.uploaded({
          projectId,
          videoId: video.videoId,
          source: finished.source,
          sendsEdits: finished.sendsEdits === true,
          replaced: finished.replaces !== undefined
        })
      } catch (error) {
        // The edits sync keeps its own state and retries; the upload itself is done.
        warn(`could not hand the edits of ${projectId} to the sync: ${errorMessage(error)}`)
      }
    }
    if (rt.generation !== generation) return
    // Its camera follows: queued with the recording's done state, so a restart in between
    // finds either the recording still to finish (its HEAD says done) or both.
    if (finished.cameraFollows) queueCamera(finished, video)
    const done = apply(id, { type: 'done', ...video, at: link.uploadedAt })
    rt.samples = []
    release(id)
    trim()
    changed(done)
    pump()
    // A live upload's link was copied and told at Stop: its end is not announced again.
    if (!done.linkAnnounced) {
      try {
        await options.announce(link, done.title)
      } catch (error) {
        warn(`could not announce the upload of ${projectId}: ${errorMessage(error)}`)
      }
    }
    await releaseCapture(done)
    // After the state is stored: a crash in between only means one more (harmless) HEAD.
    if (done.fingerprint) {
      await options.tus.forget(done.fingerprint).catch((error: unknown) => {
        warn(`could not forget the upload URL: ${errorMessage(error)}`)
      })
    }
    await removeExportFile(done)
  }

  /** The camera upload of a recording sent with `cameraFollows`, unless one is there already. */
  function queueCamera(recording: Upload, video: { url: string; videoId: string }): void {
    const already = uploads.some(
      (u) =>
        u.source === 'camera' &&
        u.projectId === recording.projectId &&
        u.cameraFor === video.videoId &&
        !isFinished(u.state)
    )
    if (already) return
    const camera: Upload = {
      id: randomUUID(),
      projectId: recording.projectId,
      title: `${recording.title} (camera)`,
      description: '',
      createdAt: new Date(now()).toISOString(),
      state: 'queued',
      source: 'camera',
      cameraFor: video.videoId,
      url: video.url,
      videoId: video.videoId,
      bytesTotal: null,
      bytesSent: 0,
      // Made when it is sent: the camera's facts are final once the recording is finished.
      metadata: {}
    }
    uploads.push(camera)
    send(camera)
  }

  /**
   * A camera upload that will not finish (refused for good, its file gone, cancelled): the
   * library is told its video gets no camera, so viewers get it without a bubble rather than
   * waiting for ever (in the background; a failure is only logged).
   */
  function cameraAbandoned(upload: Upload): void {
    if (upload.source !== 'camera' || !upload.cameraFor) return
    const videoId = upload.cameraFor
    const told = dropCamera(videoId)
      .then((ok) => {
        if (!ok) warn(`could not tell the library that ${videoId} gets no camera`)
      })
      .catch((error: unknown) =>
        warn(`could not drop the camera of ${videoId}: ${errorMessage(error)}`)
      )
    background.add(told)
    void told.finally(() => background.delete(told))
  }

  /** A camera upload is done: nothing to store or announce (its video's link is out already). */
  async function finishCamera(id: string, generation: number): Promise<void> {
    const rt = runtime(id)
    const upload = find(id)
    const done = apply(id, {
      type: 'done',
      url: upload.url ?? '',
      videoId: upload.cameraFor ?? '',
      at: new Date(now()).toISOString()
    })
    rt.samples = []
    if (rt.generation === generation) release(id)
    trim()
    changed(done)
    pump()
    if (done.fingerprint) {
      await options.tus.forget(done.fingerprint).catch((error: unknown) => {
        warn(`could not forget the upload URL: ${errorMessage(error)}`)
      })
    }
  }

  // ---- user actions ------------------------------------------------------------------------

  async function add(projectId: string, request: UploadRequest): Promise<UploadInfo> {
    const busy = (): boolean =>
      claims.has(projectId) ||
      uploads.some((u) => u.projectId === projectId && !isFinished(u.state) && u.state !== 'failed')
    if (busy()) {
      throw new SidecastError(
        'upload-busy',
        'This recording is already being uploaded. Wait for that upload to finish, or cancel it first.'
      )
    }
    claims.add(projectId)
    try {
      if (!(await options.credentials())) {
        throw new SidecastError('library-not-set', LIBRARY_NOT_SET_MESSAGE)
      }
      const facts = requireFinished(
        await options.projects.readFacts(projectId),
        options.projects.isRecording(projectId),
        'This recording is still being recorded. Stop it first, then upload it.'
      )
      const projectDir = options.projects.projectDir(projectId)
      const edits = await readEdits(projectDir, facts.durationMs)
      const title =
        request.title !== undefined && request.title.trim() !== ''
          ? normaliseTitle(request.title)
          : facts.title
      const description = cleanDescription(request.description ?? '')
      // A library that applies edits itself gets the recording as it is: no export, ever. (Only
      // asked when there is something to export: without edits the recording goes as it is
      // anyway, and `uploaded` decides then whether edits made later follow.)
      // A camera: the library burns the bubble in when it takes cameras (the camera file follows
      // the recording); else only an export shows it.
      const camera = await usableCamera(projectDir, facts)
      const takesCamera =
        camera !== null && (await options.takesCamera?.().catch(() => false)) === true
      const cameraBurnt = camera !== null && !takesCamera
      const withEdits = needsExport(edits, facts.durationMs)
      const sendsEdits =
        !cameraBurnt && withEdits && (await options.takesEdits?.().catch(() => false)) === true
      const exported = cameraBurnt || (withEdits && !sendsEdits)
      const cameraFollows = camera !== null && !exported
      // Already in the library: a new version of that video under the same link, unless the user
      // asked for a new video.
      const replaces = request.asNewVideo
        ? undefined
        : (await readShareLink(projectDir))?.videoId || undefined

      // A failed upload of this project gives way to the new one; its stored tus URL stays, so
      // the same bytes resume where the server has them.
      for (const old of uploads.filter((u) => u.projectId === projectId && u.state === 'failed')) {
        uploads = uploads.filter((u) => u !== old)
        runtimes.delete(old.id)
        if (old.source === 'export') void removeExportFile(old)
      }

      let bytesTotal: number | null = null
      if (!exported) {
        const size = (await stat(join(projectDir, facts.file)).catch(() => null))?.size
        if (size === undefined) {
          throw new SidecastError(
            'not-found',
            `The recording's file ${facts.file} is missing, so it cannot be uploaded.`
          )
        }
        bytesTotal = size
      }
      const baseMetadata = exported
        ? {}
        : metadataFor({
            projectId,
            title,
            description,
            // The unedited recording's length and no callouts: the library takes those from
            // the edits, which follow once the upload is done.
            edits: sendsEdits ? emptyEdits() : edits,
            durationMs: facts.durationMs,
            exported: false,
            extension: extname(facts.file).slice(1) || 'webm',
            ...(replaces ? { replaces } : {}),
            answers: facts.answers
          })
      const upload: Upload = {
        id: randomUUID(),
        projectId,
        title,
        description,
        createdAt: new Date(now()).toISOString(),
        state: exported ? 'exporting' : 'queued',
        source: exported ? 'export' : 'recording',
        ...(exported ? { preset: options.defaultPreset() } : {}),
        ...(replaces ? { replaces } : {}),
        ...(sendsEdits ? { sendsEdits: true } : {}),
        ...(cameraFollows ? { cameraFollows: true } : {}),
        bytesTotal,
        bytesSent: 0,
        // `editsFollow`: viewers see nothing of it until its edits are in the library, so what
        // they hide never shows in between (the owner sees the original meanwhile). Likewise
        // `cameraFollows`: nothing until the camera is there and its bubble rendered.
        metadata: {
          ...baseMetadata,
          ...(sendsEdits ? { editsFollow: '1' } : {}),
          ...(cameraFollows ? { cameraFollows: '1' } : {})
        }
      }
      uploads.push(upload)
      changed(upload)
      pump()
      return info(upload)
    } finally {
      claims.delete(projectId)
    }
  }

  /**
   * Stops whatever runs for an upload (attempt, export, retry timer); keeps its stored URL.
   * Synchronous, so the caller sets the new state before any abort callback can run.
   */
  function halt(id: string): TusRun | null {
    const rt = runtime(id)
    rt.generation++
    clearRetry(rt)
    rt.exportController?.abort()
    rt.exportController = null
    const run = rt.run
    rt.run = null
    rt.samples = []
    dropGrowing(rt)
    release(id)
    if (exportingId === id) exportingId = null
    return run
  }

  /** The upload a user's action is for; refused with `code` when `problem` says why. */
  function allowed(
    uploadId: string,
    problem: (upload: Upload) => string | null,
    code: string
  ): Upload {
    const upload = find(uploadId)
    const why = problem(upload)
    if (why) throw new SidecastError(code, why)
    return upload
  }

  async function pause(uploadId: string): Promise<UploadInfo> {
    const upload = allowed(uploadId, pauseProblem, 'upload-not-running')
    if (upload.state === 'paused') return info(upload)
    const run = halt(upload.id)
    const paused = apply(upload.id, { type: 'paused' })
    changed(paused)
    await run?.abort()
    pump()
    return info(current(upload.id) ?? paused)
  }

  /** Back into the queue where it left off, its backoff forgotten. */
  function requeue(id: string): void {
    const rt = runtime(id)
    clearRetry(rt)
    rt.attempt = 0
    changed(apply(id, { type: 'requeued' }))
  }

  async function resume(uploadId: string): Promise<UploadInfo> {
    const upload = allowed(uploadId, resumeProblem, 'upload-finished')
    if (upload.source === 'live' && upload.state === 'failed' && upload.finishFailed) {
      await retryAsRecording(upload)
    } else if (upload.state === 'paused' || upload.state === 'failed') {
      requeue(upload.id)
    } else if (upload.state === 'queued') {
      // Waiting to retry: go now.
      clearRetry(runtime(upload.id))
    }
    pump()
    return info(find(upload.id))
  }

  /**
   * Try again after the library failed to finish a live upload: the finished local recording,
   * as it was made, goes as an ordinary upload replacing the reserved video (same link).
   */
  async function retryAsRecording(upload: Upload): Promise<void> {
    const facts = requireFinished(
      await options.projects.readFacts(upload.projectId),
      options.projects.isRecording(upload.projectId),
      'This recording is still being recorded. Stop it first, then try again.'
    )
    const replaces = upload.videoId
    const metadata = metadataFor({
      projectId: upload.projectId,
      title: upload.title,
      description: upload.description,
      edits: emptyEdits(),
      durationMs: facts.durationMs,
      exported: false,
      extension: extname(facts.file).slice(1) || 'webm',
      ...(replaces ? { replaces } : {})
    })
    // A new version drops the library's camera: it follows again.
    if (upload.cameraFollows) metadata.cameraFollows = '1'
    const rt = runtime(upload.id)
    clearRetry(rt)
    rt.attempt = 0
    changed(
      apply(upload.id, {
        type: 'retry-as-recording',
        metadata,
        ...(replaces ? { replaces } : {})
      })
    )
  }

  async function cancel(uploadId: string): Promise<UploadInfo> {
    const upload = allowed(uploadId, cancelProblem, 'upload-finished')
    if (upload.state === 'cancelled') return info(upload)
    const run = halt(upload.id)
    const { fingerprint } = upload
    const cancelled = apply(upload.id, { type: 'cancelled', at: new Date(now()).toISOString() })
    trim()
    changed(cancelled)
    pump()
    // The server side is cleaned up in the background; the user sees "cancelled" at once.
    const cleanup = (async () => {
      if (run) await run.terminate()
      else if (fingerprint) {
        const creds = await options.credentials().catch(() => null)
        if (creds) await options.tus.terminate(fingerprint, creds.token)
        else await options.tus.forget(fingerprint)
      }
      await removeExportFile(cancelled)
      await releaseCapture(cancelled)
      cameraAbandoned(cancelled)
    })().catch((error: unknown) =>
      warn(`cleaning up a cancelled upload failed: ${errorMessage(error)}`)
    )
    background.add(cleanup)
    void cleanup.finally(() => background.delete(cleanup))
    return info(cancelled)
  }

  async function addLive(projectId: string, request: LiveUploadRequest): Promise<UploadInfo> {
    const existing = uploads.find(
      (u) => u.projectId === projectId && u.source === 'live' && !isFinished(u.state)
    )
    if (existing) return info(existing)
    if (!(await options.credentials())) {
      throw new SidecastError('library-not-set', LIBRARY_NOT_SET_MESSAGE)
    }
    const again = uploads.find(
      (u) => u.projectId === projectId && u.source === 'live' && !isFinished(u.state)
    )
    if (again) return info(again)
    const captureFile = join(options.projects.projectDir(projectId), request.captureFile)
    if (!(await stat(captureFile).catch(() => null))) {
      // Discarded before its upload could be queued: nothing to share.
      throw new SidecastError('not-found', 'This recording is gone, so it cannot be shared.')
    }
    const title = normaliseTitle(request.title)
    // A camera is being recorded beside the screen: it follows after Stop (a library that takes
    // cameras), and viewers wait for it.
    const facts = await options.projects.readFacts(projectId).catch(() => null)
    const cameraFollows =
      facts?.camera !== undefined && (await options.takesCamera?.().catch(() => false)) === true
    const upload: Upload = {
      id: randomUUID(),
      projectId,
      title,
      description: '',
      createdAt: new Date(now()).toISOString(),
      state: 'queued',
      source: 'live',
      ...(cameraFollows ? { cameraFollows: true } : {}),
      captureFile: request.captureFile,
      fingerprint: liveFingerprint(projectId),
      bytesTotal: null,
      bytesSent: 0,
      metadata: {
        ...liveMetadata({
          projectId,
          title,
          extension: extname(request.captureFile).slice(1) || 'webm',
          ...(facts?.answers ? { answers: facts.answers } : {})
        }),
        ...(cameraFollows ? { cameraFollows: '1' } : {})
      }
    }
    uploads.push(upload)
    // Stopped already (a very short recording): its link is copied as soon as it is known.
    if (!isBeingWritten(projectId)) runtime(upload.id).announceLink = true
    changed(upload)
    pump()
    return info(upload)
  }

  function sealLive(
    projectId: string,
    size: number,
    sealOptions: { readonly announce?: boolean } = {}
  ): void {
    for (const upload of uploads) {
      if (upload.projectId !== projectId || upload.source !== 'live') continue
      if (isFinished(upload.state)) continue
      const rt = runtime(upload.id)
      if (sealOptions.announce !== false) rt.announceLink = true
      if (upload.sealedSize === undefined) {
        changed(apply(upload.id, { type: 'sealed', size }))
        rt.growing?.seal(size)
      }
      announceLinkIfDue(upload.id)
    }
  }

  async function discardLive(projectId: string): Promise<void> {
    const live = uploads.filter(
      (u) => u.projectId === projectId && u.source === 'live' && !isFinished(u.state)
    )
    for (const upload of live) {
      const run = halt(upload.id)
      const cancelled = apply(upload.id, { type: 'cancelled', at: new Date(now()).toISOString() })
      // Told as cancelled (so a list showing it lets go), then gone: the take no longer exists.
      send(cancelled)
      uploads = uploads.filter((u) => u.id !== upload.id)
      runtimes.get(upload.id)?.throttle.stop()
      runtimes.delete(upload.id)
      void queueFile.save()
      const { fingerprint } = upload
      const cleanup = (async () => {
        if (run) await run.terminate()
        else if (fingerprint) {
          const creds = await options.credentials().catch(() => null)
          if (creds) await options.tus.terminate(fingerprint, creds.token)
          else await options.tus.forget(fingerprint)
        }
      })().catch((error: unknown) =>
        warn(`deleting a discarded recording's upload failed: ${errorMessage(error)}`)
      )
      background.add(cleanup)
      void cleanup.finally(() => background.delete(cleanup))
    }
    pump()
  }

  function networkBack(): void {
    for (const upload of uploads) {
      if (upload.state === 'queued') clearRetry(runtime(upload.id))
    }
    pump()
  }

  return {
    async start() {
      uploads = await queueFile.load()
      const creds = await options.credentials().catch(() => null)
      const tag = creds ? tokenTag(creds.token) : null
      for (const { id } of [...uploads]) {
        // Whatever was on its way resumes; a refused token is retried only if it has changed.
        const upload = apply(id, { type: 'restarted' })
        if (retriesWithToken(upload, tag)) requeue(id)
      }
      trim()
      started = true
      if (uploads.length > 0) await queueFile.save()
      pump()
    },
    add,
    addLive,
    sealLive,
    discardLive,
    captureNeeded,
    list: () =>
      [...uploads].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map((u) => info(u)),
    get: (uploadId) => info(find(uploadId)),
    pause,
    resume,
    cancel,
    credentialsChanged() {
      for (const { id, state, needsToken } of [...uploads]) {
        if (state === 'failed' && needsToken) requeue(id)
      }
      networkBack()
    },
    networkBack,
    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    async shutdown() {
      stopping = true
      const runs: Promise<void>[] = []
      for (const upload of uploads) {
        const rt = runtimes.get(upload.id)
        if (!rt) continue
        rt.generation++
        clearRetry(rt)
        rt.throttle.stop()
        rt.exportController?.abort()
        if (rt.run) runs.push(rt.run.abort())
        rt.run = null
        dropGrowing(rt)
      }
      await Promise.all(runs)
      await Promise.all([...background])
      // States stay as they were ('uploading', 'exporting'…): the next start resumes them.
      await queueFile.save()
      await queueFile.saved()
    }
  }
}
