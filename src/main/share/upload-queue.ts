/**
 * Main's persistent upload queue: a state machine over an injected tus layer and exporter.
 *
 *   exporting → queued → uploading → done
 *   any unfinished state → paused (by the user) → back where it was on resume
 *   uploading → queued (waiting to retry, with backoff) → uploading …
 *   uploading → failed (token refused: needsToken; or the server refused the file for good)
 *   any unfinished state → cancelled (deleted on the server, temp export removed)
 *
 * `<dataDir>/uploads/queue.json` (atomic) holds every upload not yet finished and the most
 * recent finished ones with their links, so uploads survive quits, crashes and reboots: on start
 * every unfinished upload resumes by itself (paused ones stay paused, an interrupted export is
 * redone from scratch). One upload sends at a time and one export runs at a time; an export for
 * the next upload may run while another uploads.
 */
import { createHash, randomUUID } from 'node:crypto'
import { mkdir, readFile, rm, stat } from 'node:fs/promises'
import { extname, join } from 'node:path'
import type { Edits } from '../../shared/edits'
import { type UploadInfo, type UploadRequest, type UploadState } from '../../shared/ipc'
import { SidecastError } from '../../shared/errors'
import { normaliseTitle, type RecordingFacts } from '../../shared/project'
import type { ExportPreset } from '../../shared/export-preset'
import { writeJsonAtomic } from '../files/atomic-file'
import { readEdits as readEditsFile } from '../projects/edits-store'
import {
  calloutsMetadata,
  cleanDescription,
  editsHash,
  needsExport,
  uploadDurationMs,
  uploadFingerprint,
  uploadMetadata
} from './upload-plan'
import { AUTH_REFUSED_MESSAGE, type TusFailure, type TusLayer, type TusRun } from './tus-layer'

export const UPLOADS_FOLDER = 'uploads'
export const QUEUE_FILE = 'queue.json'
export const TUS_URLS_FILE = 'tus-urls.json'

/** Waits between retries; the last one repeats forever. */
export const RETRY_DELAYS_MS: readonly number[] = [1000, 2000, 5000, 10_000, 30_000, 60_000]

/** How many finished (done or cancelled) uploads the list keeps. */
export const KEEP_FINISHED = 20

export const NOT_CONFIGURED_MESSAGE = "Set the library's address and token in Settings first."

/** One upload as stored in queue.json. */
export interface QueueEntry {
  readonly id: string
  readonly projectId: string
  title: string
  readonly description: string
  readonly createdAt: string
  state: UploadState
  /** Where the bytes come from: the recording as it is, or an export owned by the upload. */
  readonly source: 'recording' | 'export'
  /** The preset of the export (source `export`). */
  readonly preset?: ExportPreset
  /** The file being sent, once known (the export's, or the recording's at queue time). */
  file?: string
  /** tus fingerprint, once the file is known. */
  fingerprint?: string
  bytesTotal: number | null
  bytesSent: number
  /** Upload-Metadata, fixed when the file is known (after the export). */
  metadata: Record<string, string>
  error?: string
  needsToken?: boolean
  /** sha256 (first 16 hex) of the token the server refused, so a new token resumes by itself. */
  refusedToken?: string
  url?: string
  videoId?: string
  finishedAt?: string
}

interface QueueFile {
  readonly version: 1
  readonly uploads: QueueEntry[]
}

/** A running attempt's bookkeeping, never stored. */
interface Runtime {
  /** Bumped whenever an attempt is abandoned, so its late callbacks are ignored. */
  generation: number
  run: TusRun | null
  exportController: AbortController | null
  exportFraction: number
  retryTimer: NodeJS.Timeout | null
  retryAt: number
  attempt: number
  /** Offset confirmed when the current attempt started (progress past it resets the backoff). */
  offsetAtStart: number
  samples: { t: number; bytes: number }[]
  lastEmitAt: number
  lastPersistAt: number
  emitTimer: NodeJS.Timeout | null
}

/** The projects the queue uploads from (the project store and the recorder). */
export interface UploadProjects {
  readFacts(id: string): Promise<RecordingFacts>
  projectDir(id: string): string
  /** True while the project is being recorded. */
  isRecording(id: string): boolean
}

/** Exports a project into a file the upload owns (the app's export service). */
export interface UploadExporter {
  export(request: {
    readonly projectId: string
    readonly preset: ExportPreset
    readonly outFile: string
    readonly signal: AbortSignal
    onProgress(fraction: number): void
  }): Promise<void>
}

export interface SharedVideo {
  readonly url: string
  readonly videoId: string
  readonly uploadedAt: string
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
  /** Stores a finished upload's link with its project (before the upload is announced done). */
  storeLink(projectId: string, video: SharedVideo): Promise<void>
  /** Tells the user about a finished upload (copy the link, notify), once. */
  announce(video: SharedVideo, title: string): Promise<void>
  /** Every change of an upload (sent as `uploads:changed`). */
  emit(info: UploadInfo): void
  /** The project's edits; default: its edits.json. */
  readonly readEdits?: (projectDir: string, durationMs?: number) => Promise<Edits>
  /** Waits between retries; default RETRY_DELAYS_MS. */
  readonly retryDelaysMs?: readonly number[]
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
  /** Queues a project's upload (exporting it first when it has edits). */
  add(projectId: string, request: UploadRequest): Promise<UploadInfo>
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

/** Short hash of a token, to notice a changed one without storing it. */
export function tokenTag(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 16)
}

const FINISHED: ReadonlySet<UploadState> = new Set(['done', 'cancelled'])

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function notFound(uploadId: string): SidecastError {
  return new SidecastError(
    'upload-not-found',
    `There is no upload "${uploadId.slice(0, 80)}". It may have finished long ago.`
  )
}

export function createUploadQueue(options: UploadQueueOptions): UploadQueue {
  const dir = join(options.dataDir, UPLOADS_FOLDER)
  const queueFile = join(dir, QUEUE_FILE)
  const now = options.now ?? Date.now
  const delays = options.retryDelaysMs ?? RETRY_DELAYS_MS
  const progressInterval = options.progressIntervalMs ?? 250
  const speedWindow = options.speedWindowMs ?? 5000
  const warn = options.warn ?? ((message: string) => console.warn(`[uploads] ${message}`))
  const readEdits = options.readEdits ?? readEditsFile

  const entries: QueueEntry[] = []
  const runtimes = new Map<string, Runtime>()
  const listeners = new Set<(info: UploadInfo) => void>()
  /** Projects with an add() in progress, so two quick clicks cannot queue two uploads. */
  const claims = new Set<string>()
  /** Cancellations still talking to the server; shutdown waits for them (bounded by the layer). */
  const background = new Set<Promise<unknown>>()
  let uploading: QueueEntry | null = null
  let exporting: QueueEntry | null = null
  let stopping = false
  let started = false

  // ---- persistence -------------------------------------------------------------------------

  let writing: Promise<void> | null = null
  let dirty = false
  function persist(): Promise<void> {
    dirty = true
    if (writing) return writing
    writing = (async () => {
      try {
        while (dirty) {
          dirty = false
          const body: QueueFile = { version: 1, uploads: entries.map((e) => ({ ...e })) }
          await mkdir(dir, { recursive: true })
          await writeJsonAtomic(queueFile, body)
        }
      } catch (error) {
        warn(`could not save ${queueFile}: ${describe(error)}`)
      } finally {
        writing = null
      }
    })()
    return writing
  }

  async function load(): Promise<QueueEntry[]> {
    let text: string
    try {
      text = await readFile(queueFile, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw error
    }
    try {
      const parsed = JSON.parse(text) as Partial<QueueFile>
      if (!Array.isArray(parsed.uploads)) return []
      return parsed.uploads.filter(
        (e): e is QueueEntry =>
          typeof e === 'object' &&
          e !== null &&
          typeof e.id === 'string' &&
          /^[A-Za-z0-9-]{1,64}$/.test(e.id) &&
          typeof e.projectId === 'string' &&
          typeof e.state === 'string' &&
          (e.source === 'recording' || e.source === 'export')
      )
    } catch (error) {
      warn(`ignoring unreadable ${queueFile}: ${describe(error)}`)
      return []
    }
  }

  // ---- views and events --------------------------------------------------------------------

  function runtime(entry: QueueEntry): Runtime {
    let rt = runtimes.get(entry.id)
    if (!rt) {
      rt = {
        generation: 0,
        run: null,
        exportController: null,
        exportFraction: 0,
        retryTimer: null,
        retryAt: 0,
        attempt: 0,
        offsetAtStart: 0,
        samples: [],
        lastEmitAt: 0,
        lastPersistAt: 0,
        emitTimer: null
      }
      runtimes.set(entry.id, rt)
    }
    return rt
  }

  function speedOf(rt: Runtime): number | null {
    const first = rt.samples[0]
    const last = rt.samples[rt.samples.length - 1]
    if (!first || !last || last.t - first.t < 1000) return null
    return Math.max(0, ((last.bytes - first.bytes) * 1000) / (last.t - first.t))
  }

  function info(entry: QueueEntry): UploadInfo {
    const rt = runtimes.get(entry.id)
    const total = entry.bytesTotal
    let fraction: number
    if (entry.state === 'done') fraction = 1
    else if (entry.state === 'exporting') fraction = rt?.exportFraction ?? 0
    else fraction = total && total > 0 ? Math.min(1, entry.bytesSent / total) : 0
    const speed = entry.state === 'uploading' && rt ? speedOf(rt) : null
    const etaMs =
      speed && speed > 0 && total !== null
        ? Math.round(((total - entry.bytesSent) * 1000) / speed)
        : null
    return {
      id: entry.id,
      projectId: entry.projectId,
      title: entry.title,
      state: entry.state,
      fraction,
      bytesSent: entry.bytesSent,
      bytesTotal: total,
      speedBps: speed === null ? null : Math.round(speed),
      etaMs,
      createdAt: entry.createdAt,
      ...(entry.error ? { error: entry.error } : {}),
      ...(entry.needsToken ? { needsToken: true } : {}),
      ...(entry.url ? { url: entry.url } : {})
    }
  }

  function send(entry: QueueEntry): void {
    const rt = runtime(entry)
    rt.lastEmitAt = now()
    if (rt.emitTimer) {
      clearTimeout(rt.emitTimer)
      rt.emitTimer = null
    }
    const view = info(entry)
    options.emit(view)
    for (const listener of listeners) listener(view)
  }

  /** A state change: stored and told at once. */
  function changed(entry: QueueEntry): void {
    void persist()
    send(entry)
  }

  /** Progress: told at most every progressInterval, the latest value always arriving in the end. */
  function progressed(entry: QueueEntry): void {
    const rt = runtime(entry)
    const wait = rt.lastEmitAt + progressInterval - now()
    if (wait <= 0) send(entry)
    else if (!rt.emitTimer) {
      rt.emitTimer = setTimeout(() => {
        rt.emitTimer = null
        send(entry)
      }, wait)
    }
    // The server's HEAD is the truth on resume; this is only for the list after a restart.
    if (now() - rt.lastPersistAt > 5000) {
      rt.lastPersistAt = now()
      void persist()
    }
  }

  function find(uploadId: unknown): QueueEntry {
    const entry = typeof uploadId === 'string' ? entries.find((e) => e.id === uploadId) : undefined
    if (!entry) throw notFound(String(uploadId))
    return entry
  }

  function exportFile(entry: QueueEntry): string {
    return join(dir, `${entry.id}.mp4`)
  }

  async function removeExportFile(entry: QueueEntry): Promise<void> {
    if (entry.source !== 'export') return
    const file = exportFile(entry)
    await Promise.all([rm(file, { force: true }), rm(`${file}.part`, { force: true })]).catch(
      (error: unknown) => warn(`could not remove ${file}: ${describe(error)}`)
    )
  }

  function clearRetry(rt: Runtime): void {
    if (rt.retryTimer) clearTimeout(rt.retryTimer)
    rt.retryTimer = null
    rt.retryAt = 0
  }

  /** Keeps the newest KEEP_FINISHED finished uploads; older ones leave the list. */
  function trimFinished(): void {
    const finished = entries
      .filter((e) => FINISHED.has(e.state))
      .sort((a, b) => (b.finishedAt ?? b.createdAt).localeCompare(a.finishedAt ?? a.createdAt))
    for (const old of finished.slice(KEEP_FINISHED)) {
      entries.splice(entries.indexOf(old), 1)
      runtimes.delete(old.id)
    }
  }

  // ---- scheduling --------------------------------------------------------------------------

  function pump(): void {
    if (stopping || !started) return
    if (!exporting) {
      const next = entries.find((e) => e.state === 'exporting')
      if (next) void runExport(next)
    }
    if (!uploading) {
      const t = now()
      const next = entries.find((e) => e.state === 'queued' && runtime(e).retryAt <= t)
      if (next) void runUpload(next)
    }
  }

  // ---- export ------------------------------------------------------------------------------

  async function runExport(entry: QueueEntry): Promise<void> {
    exporting = entry
    const rt = runtime(entry)
    const generation = ++rt.generation
    const controller = new AbortController()
    rt.exportController = controller
    rt.exportFraction = 0
    const current = (): boolean =>
      rt.generation === generation && entry.state === 'exporting' && !stopping
    try {
      // A file left by an export that was interrupted is never trusted: export again.
      await removeExportFile(entry)
      const facts = await options.projects.readFacts(entry.projectId)
      const projectDir = options.projects.projectDir(entry.projectId)
      const edits = await readEdits(projectDir, facts.durationMs)
      const preset = entry.preset ?? options.defaultPreset()
      const outFile = exportFile(entry)
      await options.exporter.export({
        projectId: entry.projectId,
        preset,
        outFile,
        signal: controller.signal,
        onProgress: (fraction) => {
          if (!current()) return
          rt.exportFraction = Math.max(0, Math.min(1, fraction))
          progressed(entry)
        }
      })
      if (!current()) return
      const size = (await stat(outFile)).size
      entry.file = outFile
      entry.fingerprint = uploadFingerprint(entry.projectId, editsHash(edits, preset), size)
      entry.bytesTotal = size
      entry.bytesSent = 0
      entry.metadata = uploadMetadata({
        projectId: entry.projectId,
        title: entry.title,
        description: entry.description,
        extension: 'mp4',
        durationMs: uploadDurationMs(edits, facts.durationMs, true),
        callouts: calloutsMetadata(edits, facts.durationMs)
      })
      entry.state = 'queued'
      delete entry.error
      changed(entry)
    } catch (error) {
      if (!current() || controller.signal.aborted) return
      entry.state = 'failed'
      entry.error = `The video could not be prepared for upload: ${describe(error)}`
      changed(entry)
    } finally {
      if (rt.exportController === controller) rt.exportController = null
      if (exporting === entry) exporting = null
      pump()
    }
  }

  // ---- upload ------------------------------------------------------------------------------

  /** The file to send and its fingerprint; null when the upload cannot go on (state set). */
  async function prepareSend(
    entry: QueueEntry
  ): Promise<{ file: string; size: number; fingerprint: string } | null> {
    if (entry.source === 'export') {
      const file = exportFile(entry)
      const size = (await stat(file).catch(() => null))?.size
      if (size === undefined || !entry.fingerprint || size !== entry.bytesTotal) {
        // The export is gone or not the one the fingerprint names: make it again.
        entry.state = 'exporting'
        delete entry.fingerprint
        entry.bytesSent = 0
        changed(entry)
        return null
      }
      return { file, size, fingerprint: entry.fingerprint }
    }
    let facts: RecordingFacts
    try {
      facts = await options.projects.readFacts(entry.projectId)
    } catch (error) {
      fail(entry, `The recording cannot be read, so it cannot be uploaded: ${describe(error)}`)
      return null
    }
    const file = join(options.projects.projectDir(entry.projectId), facts.file)
    const size = (await stat(file).catch(() => null))?.size
    if (size === undefined) {
      fail(entry, `The recording's file ${facts.file} is missing, so it cannot be uploaded.`)
      return null
    }
    const fingerprint = uploadFingerprint(entry.projectId, 'original', size)
    if (entry.fingerprint !== fingerprint || entry.bytesTotal !== size) {
      entry.fingerprint = fingerprint
      entry.bytesTotal = size
    }
    entry.file = file
    return { file, size, fingerprint }
  }

  function fail(entry: QueueEntry, message: string, extra: Partial<QueueEntry> = {}): void {
    entry.state = 'failed'
    entry.error = message
    Object.assign(entry, extra)
    changed(entry)
  }

  async function runUpload(entry: QueueEntry): Promise<void> {
    uploading = entry
    const rt = runtime(entry)
    const generation = ++rt.generation
    const current = (): boolean => rt.generation === generation && !stopping
    const release = (): void => {
      if (uploading === entry && rt.generation === generation) uploading = null
    }
    clearRetry(rt)
    let handedOver = false
    try {
      const creds = await options.credentials()
      if (!current() || entry.state !== 'queued') return
      if (!creds) {
        fail(entry, NOT_CONFIGURED_MESSAGE, { needsToken: true })
        return
      }
      const target = await prepareSend(entry)
      if (!current() || !target || entry.state !== 'queued') return
      entry.state = 'uploading'
      delete entry.error
      delete entry.needsToken
      rt.samples = []
      rt.offsetAtStart = entry.bytesSent
      changed(entry)
      const token = creds.token
      rt.run = options.tus.start(
        {
          endpoint: `${creds.url}/api/uploads`,
          token,
          file: target.file,
          size: target.size,
          fingerprint: target.fingerprint,
          metadata: entry.metadata
        },
        {
          onProgress(sent) {
            if (!current()) return
            entry.bytesSent = sent
            const t = now()
            rt.samples.push({ t, bytes: sent })
            while (rt.samples.length > 2 && t - (rt.samples[0]?.t ?? t) > speedWindow) {
              rt.samples.shift()
            }
            progressed(entry)
          },
          onAccepted(offset) {
            if (!current()) return
            // Real progress since this attempt began: the next failure starts the backoff afresh.
            if (offset > rt.offsetAtStart) rt.attempt = 0
            entry.bytesSent = offset
            // A confirmed offset is worth keeping (once a second at most) for the list after a crash.
            if (now() - rt.lastPersistAt > 1000) {
              rt.lastPersistAt = now()
              void persist()
            }
            progressed(entry)
          },
          onSuccess(result) {
            if (!current()) return
            rt.run = null
            if (result.videoUrl && result.videoId) {
              void finish(entry, generation, { url: result.videoUrl, videoId: result.videoId })
            } else {
              void awaitLink(entry, generation, result.uploadUrl, token)
            }
          },
          onError(failure) {
            if (!current()) return
            rt.run = null
            failed(entry, failure, token)
            release()
            pump()
          }
        }
      )
      handedOver = true
    } catch (error) {
      if (current()) failed(entry, { kind: 'retry', message: describe(error) }, '')
    } finally {
      if (!handedOver) {
        release()
        pump()
      }
    }
  }

  function failed(entry: QueueEntry, failure: TusFailure, token: string): void {
    const rt = runtime(entry)
    rt.samples = []
    if (failure.kind === 'auth') {
      // No retry: every further request would be refused the same way.
      fail(entry, AUTH_REFUSED_MESSAGE, { needsToken: true, refusedToken: tokenTag(token) })
      return
    }
    if (failure.kind === 'rejected') {
      fail(entry, failure.message)
      return
    }
    const delay = delays[Math.min(rt.attempt, delays.length - 1)] ?? 60_000
    rt.attempt++
    entry.state = 'queued'
    entry.error = `Waiting to retry: ${failure.message}`
    rt.retryAt = now() + delay
    rt.retryTimer = setTimeout(() => {
      rt.retryTimer = null
      rt.retryAt = 0
      pump()
    }, delay)
    changed(entry)
  }

  /** The bytes are in but the final answer had no link (still processing): ask until it has. */
  async function awaitLink(
    entry: QueueEntry,
    generation: number,
    uploadUrl: string,
    token: string
  ): Promise<void> {
    const rt = runtime(entry)
    const current = (): boolean => rt.generation === generation && !stopping
    for (let attempt = 0; current(); attempt++) {
      const status = await options.tus.videoStatus(uploadUrl, token)
      if (!current()) return
      if (status.state === 'done') {
        await finish(entry, generation, { url: status.url, videoId: status.id })
        return
      }
      if (status.state !== 'processing') {
        if (uploading === entry) uploading = null
        if (status.state === 'error') failed(entry, status.failure, token)
        else fail(entry, status.message)
        pump()
        return
      }
      const delay = delays[Math.min(attempt, delays.length - 1)] ?? 60_000
      await new Promise((resolve) => setTimeout(resolve, delay))
    }
  }

  async function finish(
    entry: QueueEntry,
    generation: number,
    video: { url: string; videoId: string }
  ): Promise<void> {
    const rt = runtime(entry)
    if (rt.generation !== generation) return
    const shared: SharedVideo = { ...video, uploadedAt: new Date(now()).toISOString() }
    // The link is with the project before anyone hears "done", so Copy link works at once.
    try {
      await options.storeLink(entry.projectId, shared)
    } catch (error) {
      // The project may have been deleted meanwhile; the link stays in the uploads list.
      warn(`could not store the link of ${entry.projectId}: ${describe(error)}`)
    }
    if (rt.generation !== generation) return
    entry.state = 'done'
    entry.url = video.url
    entry.videoId = video.videoId
    entry.finishedAt = shared.uploadedAt
    if (entry.bytesTotal !== null) entry.bytesSent = entry.bytesTotal
    delete entry.error
    delete entry.needsToken
    delete entry.refusedToken
    rt.samples = []
    if (uploading === entry) uploading = null
    trimFinished()
    changed(entry)
    pump()
    try {
      await options.announce(shared, entry.title)
    } catch (error) {
      warn(`could not announce the upload of ${entry.projectId}: ${describe(error)}`)
    }
    // After the state is stored: a crash in between only means one more (harmless) HEAD.
    if (entry.fingerprint) {
      await options.tus.forget(entry.fingerprint).catch((error: unknown) => {
        warn(`could not forget the upload URL: ${describe(error)}`)
      })
    }
    await removeExportFile(entry)
  }

  // ---- user actions ------------------------------------------------------------------------

  async function add(projectId: string, request: UploadRequest): Promise<UploadInfo> {
    const busy = (): boolean =>
      claims.has(projectId) ||
      entries.some(
        (e) => e.projectId === projectId && !FINISHED.has(e.state) && e.state !== 'failed'
      )
    if (busy()) {
      throw new SidecastError(
        'upload-busy',
        'This recording is already being uploaded. Wait for that upload to finish, or cancel it first.'
      )
    }
    claims.add(projectId)
    try {
      if (!(await options.credentials())) {
        throw new SidecastError('library-not-set', NOT_CONFIGURED_MESSAGE)
      }
      const facts = await options.projects.readFacts(projectId)
      if (facts.status === 'recording' || options.projects.isRecording(projectId)) {
        throw new SidecastError(
          'still-recording',
          'This recording is still being recorded. Stop it first, then upload it.'
        )
      }
      const projectDir = options.projects.projectDir(projectId)
      const edits = await readEdits(projectDir, facts.durationMs)
      const title =
        request.title !== undefined && request.title.trim() !== ''
          ? normaliseTitle(request.title)
          : facts.title
      const description = cleanDescription(request.description ?? '')
      const exported = needsExport(edits, facts.durationMs)

      // A failed upload of this project gives way to the new one; its stored tus URL stays, so
      // the same bytes resume where the server has them.
      for (const old of entries.filter((e) => e.projectId === projectId && e.state === 'failed')) {
        entries.splice(entries.indexOf(old), 1)
        runtimes.delete(old.id)
        if (old.source === 'export') void removeExportFile(old)
      }

      const entry: QueueEntry = {
        id: randomUUID(),
        projectId,
        title,
        description,
        createdAt: new Date(now()).toISOString(),
        state: exported ? 'exporting' : 'queued',
        source: exported ? 'export' : 'recording',
        ...(exported ? { preset: options.defaultPreset() } : {}),
        bytesTotal: null,
        bytesSent: 0,
        metadata: exported
          ? {}
          : uploadMetadata({
              projectId,
              title,
              description,
              extension: extname(facts.file).slice(1) || 'webm',
              durationMs: uploadDurationMs(edits, facts.durationMs, false),
              callouts: calloutsMetadata(edits, facts.durationMs)
            })
      }
      if (!exported) {
        const size = (await stat(join(projectDir, facts.file)).catch(() => null))?.size
        if (size === undefined) {
          throw new SidecastError(
            'not-found',
            `The recording's file ${facts.file} is missing, so it cannot be uploaded.`
          )
        }
        entry.bytesTotal = size
      }
      entries.push(entry)
      changed(entry)
      pump()
      return info(entry)
    } finally {
      claims.delete(projectId)
    }
  }

  /**
   * Stops whatever runs for an upload (attempt, export, retry timer); keeps its stored URL.
   * Synchronous, so the caller sets the new state before any abort callback can run.
   */
  function halt(entry: QueueEntry): TusRun | null {
    const rt = runtime(entry)
    rt.generation++
    clearRetry(rt)
    rt.exportController?.abort()
    rt.exportController = null
    const run = rt.run
    rt.run = null
    rt.samples = []
    if (uploading === entry) uploading = null
    if (exporting === entry) exporting = null
    return run
  }

  async function pause(uploadId: string): Promise<UploadInfo> {
    const entry = find(uploadId)
    if (entry.state === 'paused') return info(entry)
    if (entry.state !== 'exporting' && entry.state !== 'queued' && entry.state !== 'uploading') {
      throw new SidecastError(
        'upload-not-running',
        entry.state === 'done'
          ? 'This upload has already finished.'
          : 'This upload is not running, so there is nothing to pause.'
      )
    }
    const run = halt(entry)
    entry.state = 'paused'
    delete entry.error
    changed(entry)
    await run?.abort()
    pump()
    return info(entry)
  }

  /** Back into the queue where it left off (exporting again when its export is not finished). */
  function requeue(entry: QueueEntry): void {
    const rt = runtime(entry)
    clearRetry(rt)
    rt.attempt = 0
    entry.state = entry.source === 'export' && !entry.fingerprint ? 'exporting' : 'queued'
    delete entry.error
    delete entry.needsToken
    delete entry.refusedToken
    changed(entry)
  }

  async function resume(uploadId: string): Promise<UploadInfo> {
    const entry = find(uploadId)
    if (FINISHED.has(entry.state)) {
      throw new SidecastError(
        'upload-finished',
        entry.state === 'done'
          ? 'This upload has already finished.'
          : 'This upload was cancelled. Start a new upload instead.'
      )
    }
    if (entry.state === 'paused' || entry.state === 'failed') {
      requeue(entry)
    } else if (entry.state === 'queued') {
      // Waiting to retry: go now.
      clearRetry(runtime(entry))
    }
    pump()
    return info(entry)
  }

  async function cancel(uploadId: string): Promise<UploadInfo> {
    const entry = find(uploadId)
    if (entry.state === 'cancelled') return info(entry)
    if (entry.state === 'done') {
      throw new SidecastError(
        'upload-finished',
        'This upload has already finished. To take the video down, delete it in the library.'
      )
    }
    const run = halt(entry)
    const fingerprint = entry.fingerprint
    entry.state = 'cancelled'
    entry.finishedAt = new Date(now()).toISOString()
    delete entry.error
    delete entry.needsToken
    trimFinished()
    changed(entry)
    pump()
    // The server side is cleaned up in the background; the user sees "cancelled" at once.
    const cleanup = (async () => {
      if (run) await run.terminate()
      else if (fingerprint) {
        const creds = await options.credentials().catch(() => null)
        if (creds) await options.tus.terminate(fingerprint, creds.token)
        else await options.tus.forget(fingerprint)
      }
      await removeExportFile(entry)
    })().catch((error: unknown) =>
      warn(`cleaning up a cancelled upload failed: ${describe(error)}`)
    )
    background.add(cleanup)
    void cleanup.finally(() => background.delete(cleanup))
    return info(entry)
  }

  function credentialsChanged(): void {
    for (const entry of entries) if (entry.state === 'failed' && entry.needsToken) requeue(entry)
    networkBack()
  }

  function networkBack(): void {
    for (const entry of entries) {
      if (entry.state === 'queued') clearRetry(runtime(entry))
    }
    pump()
  }

  return {
    async start() {
      const loaded = await load()
      entries.splice(0, entries.length, ...loaded)
      const creds = await options.credentials().catch(() => null)
      for (const entry of entries) {
        // Whatever was on its way resumes; a refused token is retried only if it has changed.
        if (entry.state === 'uploading') entry.state = 'queued'
        if (
          entry.state === 'failed' &&
          entry.needsToken &&
          creds &&
          (!entry.refusedToken || entry.refusedToken !== tokenTag(creds.token))
        ) {
          requeue(entry)
        }
      }
      trimFinished()
      started = true
      if (entries.length > 0) await persist()
      pump()
    },
    add,
    list: () =>
      [...entries].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map((e) => info(e)),
    get: (uploadId) => info(find(uploadId)),
    pause,
    resume,
    cancel,
    credentialsChanged,
    networkBack,
    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    async shutdown() {
      stopping = true
      const runs: Promise<void>[] = []
      for (const entry of entries) {
        const rt = runtimes.get(entry.id)
        if (!rt) continue
        rt.generation++
        clearRetry(rt)
        if (rt.emitTimer) clearTimeout(rt.emitTimer)
        rt.emitTimer = null
        rt.exportController?.abort()
        if (rt.run) runs.push(rt.run.abort())
        rt.run = null
      }
      await Promise.all(runs)
      await Promise.all([...background])
      // States stay as they were ('uploading', 'exporting'…): the next start resumes them.
      await persist()
      if (writing) await writing
    }
  }
}
