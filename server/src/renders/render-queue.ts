/**
 * The RenderService (render-service.ts): renders queued in the database, made one at a time by
 * the app's render engine (src/engine/run-export.ts: smart rendering copies what no edit
 * touches) with the server's ffmpeg. A
 * render interrupted by a stop is queued again at the next start; its partial file is never
 * served (it is written beside and renamed when verified by the engine).
 *
 * Files: `<data>/renders/<video id>/<kind>-<edits version>.mp4`, and the recording's prepared
 * audio in `<data>/renders/<video id>/cache/` (timeline-audio.ts), so each edit after the first
 * copies the audio instead of encoding it again.
 */
import { execFile } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { loadEdits, emptyEdits, type Edits } from '../../../src/shared/edits'
import { DEFAULT_EXPORT_PRESET } from '../../../src/shared/export-preset'
import {
  keyHasBubble,
  needsViewerRender,
  viewerRenderEdits,
  viewerRenderKey,
  type LibraryCamera
} from '../../../src/shared/live-edits'
import type { RecordingFacts } from '../../../src/shared/project'
import { errorMessage } from '../../../src/engine/error-details'
import { runExport } from '../../../src/engine/run-export'
import type { LibraryDb, RenderKind, RenderRecord, Video } from '../db/types'
import { VIDEO_ID } from '../video-id'
import type { VideoStorage } from '../storage'
import { probeFacts } from './render-facts'
import type { DownloadState, RenderService, ViewerMedia } from './render-service'

export interface RenderQueueOptions {
  db: LibraryDb
  /** A database write with the library's busy retries (library.write). */
  write<T>(change: (db: LibraryDb) => Promise<T> | T): Promise<T>
  storage: VideoStorage
  dataDir: string
  tools: () => { ffmpeg: string; ffprobe: string }
  log: (message: string) => void
  /** Callout fonts for downloads; default: the engine finds resources/fonts. */
  fontDir?: string
  /** Least time between two progress writes, ms; default 500. */
  progressIntervalMs?: number
  /** This instance's name (config.instanceName), in its project folders' names; informative. */
  instanceName?: string
}

/** A video's edits as the engine takes them, kept for the media requests that ask often. */
interface ParsedEdits {
  readonly edits: Edits
  /** Viewers need a render: the edits hide something, or a camera's bubble shows. */
  readonly redacts: boolean
  /** live-edits.ts viewerRenderKey: renders with the same key are the same video. */
  readonly key: string
}

/** The camera as the shared rules take it (live-edits.ts). */
function libraryCamera(video: Video): LibraryCamera | null {
  if (!video.camera) return null
  const { offsetMs, durationMs, offRanges } = video.camera.facts
  return {
    id: video.camera.id,
    facts: { offsetMs, durationMs, ...(offRanges ? { offRanges } : {}) }
  }
}

/** The frame the bubble is placed in: the stored video's (a nominal one before it was probed). */
function frameOf(video: Pick<Video, 'width' | 'height'>): { width: number; height: number } {
  return { width: video.width ?? 1280, height: video.height ?? 720 }
}

const PARSED_MAX = 256

/** The render job's project folders (links to the recording and its camera), in renders/. */
const PROJECT_PREFIX = '.project-'

/**
 * Several instances on PostgreSQL share the queue and the data folder. A running render is
 * touched this often (its row's updated_at, through its progress, and its project folder's
 * time), and on every such tick each instance looks for work another one queued.
 */
export const RENDER_HEARTBEAT_MS = 30_000
/**
 * A running render not touched for this long was left by a stopped or crashed instance: queued
 * again (its project folder removed) by whichever instance looks next.
 */
export const RENDER_STALE_MS = 4 * RENDER_HEARTBEAT_MS

export function createRenderQueue(options: RenderQueueOptions): RenderService & {
  /** Queues again what a stopped server left running, and starts rendering. */
  start(): void
} {
  const { db, log } = options
  const rendersDir = path.join(options.dataDir, 'renders')
  const progressInterval = options.progressIntervalMs ?? 500
  const parsed = new Map<string, ParsedEdits>()
  let started = false
  let closed = false
  let current: { record: RenderRecord; controller: AbortController; done: Promise<void> } | null =
    null
  /** Taking the next queued render (one take at a time: it spans an await); null when not. */
  let taking: Promise<void> | null = null
  /** pump() was asked for while a take was under way: look again when it found nothing. */
  let pumpAgain = false
  /** Queuing again what a stopped server left running (start); null once done. */
  let startup: Promise<void> | null = null
  let idleWaiters: (() => void)[] = []
  /** PostgreSQL (several instances): the heartbeat that takes over stale renders and looks for work. */
  let sweepTimer: NodeJS.Timeout | null = null
  /** One process by design (SQLite): what is running at start was left by a stopped server. */
  const alone = db.dialect === 'sqlite'
  const folderTag =
    (options.instanceName ?? `${os.hostname()}-${process.pid}`)
      .replace(/[^A-Za-z0-9_.-]+/g, '_')
      .slice(0, 40) || 'instance'

  const videoDir = (videoId: string): string => {
    if (!VIDEO_ID.test(videoId)) throw new Error('bad video id')
    return path.join(rendersDir, videoId)
  }

  /** The video's newest edits, parsed once per version. */
  async function editsOf(video: Video): Promise<ParsedEdits> {
    const cacheKey = `${video.id}@${video.editsVersion}@${video.durationMs ?? ''}@${video.camera?.id ?? ''}@${video.width ?? ''}x${video.height ?? ''}`
    const hit = parsed.get(cacheKey)
    if (hit) return hit
    const stored = video.editsVersion > 0 ? await db.editsOf(video.id, video.editsVersion) : null
    const duration = video.durationMs ?? 0
    const edits = stored ? storedEdits(stored.edits, video.durationMs) : emptyEdits()
    const camera = libraryCamera(video)
    const frame = frameOf(video)
    const entry = {
      edits,
      redacts: needsViewerRender(edits, duration, frame, camera),
      key: viewerRenderKey(edits, duration, frame, camera)
    }
    if (parsed.size >= PARSED_MAX) parsed.delete(parsed.keys().next().value as string)
    parsed.set(cacheKey, entry)
    return entry
  }

  /**
   * Stored edits as the engine takes them. Kept ranges saved against a longer recording (a new
   * version of it replaced the old) may lie past its end; they are read without the length then,
   * so the video is served (what they cut is still cut) rather than an error.
   */
  function storedEdits(json: string, durationMs: number | null): Edits {
    const parsedJson: unknown = JSON.parse(json)
    try {
      return loadEdits(parsedJson, {
        ...(durationMs ? { durationMs } : {}),
        unknownTypes: 'refuse'
      })
    } catch {
      return loadEdits(parsedJson, { unknownTypes: 'refuse' })
    }
  }

  function absolute(record: RenderRecord): string | null {
    if (!record.file) return null
    const file = path.join(options.dataDir, record.file)
    return fs.existsSync(file) ? file : null
  }

  function wakeIdle(): void {
    if (current || taking || startup) return
    const waiters = idleWaiters
    idleWaiters = []
    for (const resolve of waiters) resolve()
  }

  /**
   * Starts the next queued render unless one runs. Taking it is an await: `taking` is set before
   * it, so two pumps (a queue, a finished job) never start two renders in this process.
   */
  function pump(): void {
    if (!started || closed || current) return
    if (taking) {
      pumpAgain = true
      return
    }
    pumpAgain = false
    taking = take().then((found) => {
      taking = null
      if (current || closed) return
      if (pumpAgain) pump()
      else if (found === null) wakeIdle()
    })
  }

  /** Takes and starts the oldest queued render; null when none waits, undefined on an error. */
  async function take(): Promise<RenderRecord | null | undefined> {
    let record: RenderRecord | null
    try {
      record = await db.takeQueuedRender()
    } catch (error) {
      log(`render queue: ${errorMessage(error)}`)
      return undefined
    }
    if (!record) return null
    const job = record
    if (closed) {
      // Taken as the queue closed: back to the queue for the next start rather than left running.
      await options
        .write((d) => d.updateRender(job.videoId, job.kind, job.editsVersion, { state: 'queued' }))
        .catch((e: unknown) => log(`render queue: ${errorMessage(e)}`))
      return job
    }
    const controller = new AbortController()
    const ours = ownRow(job)
    const done = render(job, controller)
      .catch(async (error: unknown) => {
        if (controller.signal.aborted) return
        const reason = errorMessage(error)
        log(`render of ${job.videoId} (${job.kind}, edits ${job.editsVersion}) failed: ${reason}`)
        await options
          .write((d) =>
            d.updateRender(
              job.videoId,
              job.kind,
              job.editsVersion,
              { state: 'failed', error: `The render failed: ${reason}` },
              ours
            )
          )
          .catch((e: unknown) => log(`render queue: ${errorMessage(e)}`))
      })
      .then(async () => {
        // What changed while it rendered (a camera, edits of the same version) is queued now,
        // while this job is still `current` (so idle() does not resolve in between).
        if (job.kind === 'viewer' && !closed) {
          await editsChanged(job.videoId).catch((error: unknown) => {
            log(`render queue: ${errorMessage(error)}`)
          })
        }
      })
      .finally(() => {
        current = null
        if (closed) wakeIdle()
        else setImmediate(pump)
      })
    current = { record: job, controller, done }
    return job
  }

  async function render(job: RenderRecord, controller: AbortController): Promise<void> {
    const { signal } = controller
    const ours = ownRow(job)
    const video = await db.getVideo(job.videoId)
    const where = await db.videoStorage(job.videoId)
    if (!video || !where) {
      await db.deleteRender(job.videoId, job.kind, job.editsVersion)
      return
    }
    // A viewer's render overtaken by newer redactions is not made: the newer one is queued.
    if (job.kind === 'viewer' && video.editsVersion > job.editsVersion) {
      const newest = await editsOf(video)
      if (newest.key !== job.redactionKey) {
        await db.deleteRender(job.videoId, job.kind, job.editsVersion)
        return
      }
    }
    const stored = job.editsVersion > 0 ? await db.editsOf(job.videoId, job.editsVersion) : null
    const dir = videoDir(job.videoId)
    await fsp.mkdir(dir, { recursive: true })
    const name = `${job.kind}-${job.editsVersion}.mp4`
    const outFile = path.join(dir, name)
    // Made under a name of this run's own, then renamed into place: when an instance whose
    // heartbeat stalled past RENDER_STALE_MS and the one that took its render over both finish,
    // each renames a whole file (the same render) over the other's; no file has two writers.
    const runFile = path.join(
      dir,
      `.${job.kind}-${job.editsVersion}.${folderTag}-${crypto.randomBytes(4).toString('hex')}.mp4`
    )
    const local = await options.storage.localCopy(where.uploadId)
    const camera = video.camera
    let cameraLocal: { file: string; cleanup(): Promise<void> } | null = null
    // The engine takes a project folder: the recording and its camera side by side in one.
    const project = await fsp.mkdtemp(
      path.join(rendersDir, `${PROJECT_PREFIX}${folderTag}-${job.videoId}-`)
    )
    // Alive: the row's updated_at and the folder's time are touched while it runs, so another
    // instance neither queues it again nor removes its folder (RENDER_STALE_MS). A row that is no
    // longer this run's (the recording replaced, the video deleted — maybe through another
    // instance) stops the run.
    let lastFraction = 0
    const heartbeat = setInterval(() => {
      void db
        .updateRender(job.videoId, job.kind, job.editsVersion, { progress: lastFraction }, ours)
        .then((still) => {
          if (!still) controller.abort()
        })
        .catch((error: unknown) => log(`render queue: heartbeat: ${errorMessage(error)}`))
      const now = new Date()
      void fsp.utimes(project, now, now).catch(() => {})
    }, RENDER_HEARTBEAT_MS)
    heartbeat.unref()
    try {
      if (camera) cameraLocal = await options.storage.localCopy(camera.id)
      const tools = options.tools()
      const probed = await probeFacts(tools.ffprobe, local.file, video.title, signal)
      await fsp.symlink(local.file, path.join(project, probed.file))
      let facts: RecordingFacts = probed
      if (camera && cameraLocal) {
        const cameraFile = `camera-${camera.id}.${camera.facts.container ?? 'webm'}`
        await fsp.symlink(cameraLocal.file, path.join(project, cameraFile))
        facts = { ...probed, camera: cameraFactsFor(camera, cameraFile) }
      }
      const all = stored ? storedEdits(stored.edits, facts.durationMs ?? null) : emptyEdits()
      const edits =
        job.kind === 'viewer'
          ? viewerRenderEdits(all, facts.durationMs ?? 0, frameOf(video), libraryCamera(video))
          : withBubbleOnlyIfCamera(all, camera !== null)
      let lastWrite = 0
      const result = await runExport({
        projectDir: project,
        facts,
        edits,
        preset: DEFAULT_EXPORT_PRESET,
        outFile: runFile,
        ffmpegPath: tools.ffmpeg,
        ffprobePath: tools.ffprobe,
        cacheDir: path.join(dir, 'cache'),
        signal,
        ...(options.fontDir ? { fontDir: options.fontDir } : {}),
        onProgress: ({ fraction }) => {
          lastFraction = fraction
          const now = Date.now()
          if (now - lastWrite < progressInterval) return
          lastWrite = now
          // Progress is a nicety: a busy database must not stop the render (nor wait for it).
          void db
            .updateRender(job.videoId, job.kind, job.editsVersion, { progress: fraction }, ours)
            .catch(() => {
              lastWrite = 0
            })
        }
      })
      // The viewers' thumbnail comes from their version: the original's may show what is hidden.
      if (job.kind === 'viewer') {
        await thumbnailOf(tools.ffmpeg, runFile, result.durationMs, thumbFile(runFile), signal)
      }
      // Replaced while it ran (checked by the heartbeat too): nothing is put in place.
      const still = await db.getRender(job.videoId, job.kind, job.editsVersion)
      if (still?.state !== 'running' || still.redactionKey !== job.redactionKey) {
        controller.abort()
        return
      }
      if (job.kind === 'viewer') {
        // None when ffmpeg could not make one (thumbnailOf says so in the log).
        await fsp.rename(thumbFile(runFile), thumbFile(outFile)).catch(() => {})
      }
      await fsp.rename(runFile, outFile)
      await options.write((d) =>
        d.updateRender(
          job.videoId,
          job.kind,
          job.editsVersion,
          {
            state: 'done',
            progress: 1,
            file: path.join('renders', job.videoId, name),
            durationMs: result.durationMs,
            sizeBytes: result.sizeBytes,
            error: null
          },
          ours
        )
      )
      await dropOlder(job)
    } finally {
      clearInterval(heartbeat)
      for (const leftover of [runFile, `${runFile}.part`, thumbFile(runFile)]) {
        await fsp.rm(leftover, { force: true })
      }
      await fsp.rm(project, { recursive: true, force: true })
      await local.cleanup()
      await cameraLocal?.cleanup()
    }
  }

  /** Once a render is done, the older ones of its kind are not served any more: removed. */
  async function dropOlder(job: RenderRecord): Promise<void> {
    for (const r of await db.rendersOf(job.videoId)) {
      if (r.kind !== job.kind || r.editsVersion >= job.editsVersion) continue
      if (r.state === 'queued' || r.state === 'running') continue
      const file = absolute(r)
      await db.deleteRender(r.videoId, r.kind, r.editsVersion)
      if (file) await fsp.rm(file, { force: true })
      if (file) await fsp.rm(thumbFile(file), { force: true })
    }
  }

  async function viewerMedia(video: Video): Promise<ViewerMedia> {
    // Sent as it is with its edits to follow: nothing of it until they are here.
    if (video.awaitingEdits && video.editsVersion === 0) return { kind: 'processing', failed: null }
    // Sent with its camera to follow: nothing of it until the camera is here (and rendered).
    if (video.awaitingCamera) return { kind: 'processing', failed: null }
    const { redacts, key } = await editsOf(video)
    if (!redacts) return { kind: 'original' }
    const latest = await db.latestDoneRender(video.id, 'viewer')
    const file = latest && absolute(latest)
    // A camera's bubble shows, and the render there is was made without any: not shown.
    const bubbleMissing = latest !== null && keyHasBubble(key) && !keyHasBubble(latest.redactionKey)
    if (latest && file && !bubbleMissing) {
      return {
        kind: 'render',
        file,
        sizeBytes: latest.sizeBytes ?? fs.statSync(file).size,
        durationMs: latest.durationMs ?? 0,
        editsVersion: latest.editsVersion,
        stale: latest.redactionKey !== key
      }
    }
    const failed = (await db.rendersOf(video.id)).find(
      (r) => r.kind === 'viewer' && r.redactionKey === key && r.state === 'failed'
    )
    return { kind: 'processing', failed: failed?.error ?? null }
  }

  /** Queues the viewer render the video's newest edits (and camera) need, unless it is there. */
  async function editsChanged(videoId: string): Promise<void> {
    const video = await db.getVideo(videoId)
    if (!video) return
    const { redacts, key } = await editsOf(video)
    if (!redacts) return
    const latest = await db.latestDoneRender(videoId, 'viewer')
    if (latest && latest.redactionKey === key && absolute(latest)) return
    const pending = (await db.rendersOf(videoId)).some(
      (r) =>
        r.kind === 'viewer' &&
        r.redactionKey === key &&
        (r.state === 'queued' || r.state === 'running')
    )
    if (pending) return
    // The same edits version with another key (a camera came, or another one): made again. One
    // running is looked at again when it ends.
    const same = await db.getRender(videoId, 'viewer', video.editsVersion)
    if (same && same.redactionKey !== key) {
      // Removed only if nobody started it since it was read (another instance may have).
      const removed = await db.deleteRender(videoId, 'viewer', video.editsVersion, {
        unlessRunning: true
      })
      if (!removed) return
    }
    await queue(video, 'viewer', key)
  }

  /**
   * Project folders a stopped server left behind (links only). Alone (SQLite): all of them. On a
   * data folder shared with other instances only those no heartbeat touched for RENDER_STALE_MS:
   * the others belong to renders running now.
   */
  async function removeLeftFolders(): Promise<void> {
    const names = await fsp.readdir(rendersDir).catch(() => [] as string[])
    const staleBefore = Date.now() - RENDER_STALE_MS
    for (const name of names) {
      if (!name.startsWith(PROJECT_PREFIX)) continue
      const dir = path.join(rendersDir, name)
      if (!alone) {
        const stat = await fsp.lstat(dir).catch(() => null)
        if (!stat || stat.mtimeMs >= staleBefore) continue
      }
      await fsp.rm(dir, { recursive: true, force: true })
    }
  }

  /**
   * Renders left running by a stopped server go back to the queue: alone (SQLite) all of them at
   * start; with other instances only those whose heartbeat stopped (RENDER_STALE_MS).
   */
  async function requeueLeft(): Promise<void> {
    const requeued = alone
      ? await db.requeueRunningRenders()
      : await db.requeueRunningRenders(new Date(Date.now() - RENDER_STALE_MS).toISOString())
    if (requeued > 0) log(`render queue: ${requeued} interrupted render(s) queued again`)
  }

  /** PostgreSQL's tick: stale renders and folders taken over, then work looked for. */
  function sweep(): void {
    if (closed || startup) return
    startup = Promise.all([requeueLeft(), removeLeftFolders()])
      .then(
        () => {},
        (error: unknown) => log(`render queue: ${errorMessage(error)}`)
      )
      .finally(() => {
        startup = null
        pump()
      })
  }

  async function queue(video: Video, kind: RenderKind, key: string): Promise<RenderRecord> {
    const record = await db.queueRender(video.id, kind, video.editsVersion, key)
    pump()
    return record
  }

  return {
    start() {
      if (started) return
      started = true
      sweep()
      if (!alone) {
        // Other instances may stop or crash mid-render, or queue work while busy themselves.
        sweepTimer = setInterval(sweep, RENDER_HEARTBEAT_MS)
        sweepTimer.unref()
      }
    },

    editsChanged,

    viewerMedia,
    edits: async (video) => (await editsOf(video)).edits,

    async download(video, opts = {}): Promise<DownloadState> {
      // What follows the recording (its camera, its first edits) is not there yet: a download
      // now would lack the bubble or show what the edits hide. It waits, made once they are in.
      if (video.awaitingCamera || (video.awaitingEdits && video.editsVersion === 0)) {
        return { state: 'queued', progress: 0 }
      }
      let existing = await db.getRender(video.id, 'download', video.editsVersion)
      // Made before the camera came (or with another camera): made again.
      const key = (await editsOf(video)).key
      if (existing && existing.redactionKey !== key && existing.state !== 'running') {
        const file = absolute(existing)
        // Unless another instance started it since it was read: then it is said as it is.
        if (
          await db.deleteRender(video.id, 'download', video.editsVersion, { unlessRunning: true })
        ) {
          if (file) void fsp.rm(file, { force: true }).catch(() => {})
          existing = null
        } else {
          existing = await db.getRender(video.id, 'download', video.editsVersion)
        }
      }
      if (existing?.state === 'done') {
        const file = absolute(existing)
        if (file) return { state: 'ready', file, sizeBytes: existing.sizeBytes ?? 0 }
        await db.deleteRender(video.id, 'download', video.editsVersion)
      } else if (existing?.state === 'failed') {
        if (!opts.retry) return { state: 'failed', error: existing.error ?? 'The render failed.' }
        await db.deleteRender(video.id, 'download', video.editsVersion)
      } else if (existing) {
        return { state: existing.state, progress: existing.progress }
      }
      const record = await queue(video, 'download', key)
      const now = (await db.getRender(video.id, 'download', video.editsVersion)) ?? record
      return now.state === 'done' || now.state === 'failed'
        ? { state: 'queued', progress: 0 }
        : { state: now.state, progress: now.progress }
    },

    async viewerThumbnail(video) {
      const media = await viewerMedia(video)
      if (media.kind === 'processing') return { kind: 'none' }
      if (media.kind === 'original') return { kind: 'original' }
      const file = thumbFile(media.file)
      return fs.existsSync(file) ? { kind: 'file', file } : { kind: 'none' }
    },

    rendersOf: (videoId) => db.rendersOf(videoId),

    async recordingReplaced(videoId) {
      if (current?.record.videoId === videoId) {
        current.controller.abort()
        await current.done
      }
      // Made from the old recording (its pictures, its camera, its prepared audio): all of it
      // goes, and what the edits need is made again from the new one.
      for (const r of await db.rendersOf(videoId))
        await db.deleteRender(r.videoId, r.kind, r.editsVersion)
      if (VIDEO_ID.test(videoId)) await fsp.rm(videoDir(videoId), { recursive: true, force: true })
      await editsChanged(videoId)
    },

    async forget(videoId) {
      if (current?.record.videoId === videoId) {
        current.controller.abort()
        await current.done
      }
      if (VIDEO_ID.test(videoId)) await fsp.rm(videoDir(videoId), { recursive: true, force: true })
    },

    async idle() {
      for (;;) {
        if (startup) {
          await startup
          continue
        }
        if (current || taking) break
        if (!started || closed) return
        if (await db.hasQueuedRender()) {
          // Something waits: a take starts (or is under way) and wakes us when the queue is empty.
          pump()
          if (current || taking) break
          continue
        }
        // Nothing queued, and still nothing running once the answer came: idle.
        if (!current && !taking && !startup) return
      }
      return new Promise<void>((resolve) => idleWaiters.push(resolve))
    },

    async close() {
      closed = true
      if (sweepTimer) clearInterval(sweepTimer)
      await startup
      await taking
      if (current) {
        current.controller.abort()
        await current.done
      }
      wakeIdle()
    }
  }
}

/** recording.json's camera facts for the engine, from what the library stored of the camera. */
function cameraFactsFor(
  camera: NonNullable<Video['camera']>,
  file: string
): NonNullable<RecordingFacts['camera']> {
  const f = camera.facts
  const container = f.container ?? 'webm'
  return {
    file,
    container,
    mimeType:
      f.mimeType ??
      (container === 'mp4' ? 'video/mp4' : `video/${container === 'webm' ? 'webm' : 'x-matroska'}`),
    deviceName: '',
    offsetMs: f.offsetMs,
    durationMs: f.durationMs,
    ...(f.offRanges ? { offRanges: f.offRanges.map(([a, b]) => [a, b] as const) } : {}),
    ...(f.videoCodec ? { videoCodec: f.videoCodec } : {}),
    ...(f.width ? { width: f.width } : {}),
    ...(f.height ? { height: f.height } : {})
  }
}

/** A download's edits: as they are; a bubble only means something with a camera. */
function withBubbleOnlyIfCamera(edits: Edits, hasCamera: boolean): Edits {
  if (hasCamera || !edits.bubble) return edits
  const { bubble: _bubble, ...rest } = edits
  return rest
}

/** A render's thumbnail, beside it. */
/** The condition that a render's row is still this run's (updateRender's `only`). */
function ownRow(job: RenderRecord): { redactionKey: string; running: true } {
  return { redactionKey: job.redactionKey, running: true }
}

function thumbFile(render: string): string {
  return render.replace(/\.mp4$/, '.jpg')
}

/** A JPEG (at most 640 px wide) of a frame near the start of `file`; none when ffmpeg fails. */
async function thumbnailOf(
  ffmpeg: string,
  file: string,
  durationMs: number,
  out: string,
  signal: AbortSignal
): Promise<void> {
  const at = Math.min(1, durationMs / 2000)
  await new Promise<void>((resolve) => {
    execFile(
      ffmpeg,
      [
        '-v',
        'error',
        '-nostdin',
        '-y',
        '-ss',
        at.toFixed(3),
        '-i',
        file,
        '-frames:v',
        '1',
        '-vf',
        "scale='min(640,iw)':-2",
        '-q:v',
        '4',
        '-f',
        'image2',
        '-update',
        '1',
        out
      ],
      { signal, timeout: 60_000 },
      () => resolve()
    )
  })
}
