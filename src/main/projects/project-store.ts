/**
 * The projects on disk: one folder per recording in `<dataDir>/projects/<id>/`.
 *
 * While recording, chunks are appended straight to the capture file through an open handle and
 * `recording.json` is kept current, so a crash loses at most the last chunk and a two-hour
 * recording costs the same memory as a two-second one. Finishing makes the capture seekable; if
 * that fails the raw bytes are kept, never deleted.
 */
import type { FileHandle } from 'node:fs/promises'
import { mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { SidecastError } from '../../shared/errors'
import {
  defaultTitle,
  FACTS_FILE,
  isValidProjectId,
  loadFacts,
  normaliseTitle,
  SHARE_FILE,
  THUMBNAIL_FILE,
  type ProjectSummary,
  type RecordingFacts,
  type RecordingStatus,
  type RecoveryNotice
} from '../../shared/project'
import { finalContainer, type MediaTools } from '../ffmpeg/media-tools'
import { writeJsonAtomic } from '../files/atomic-file'
import { newProjectId } from './project-id'

export interface ProjectStoreOptions {
  /** The app's data folder; projects live in `<dataDir>/projects/<id>/` unless `projectsDir` says. */
  readonly dataDir: string
  /** The recordings folder chosen in Settings; default `<dataDir>/projects`. */
  readonly projectsDir?: string
  /** The media tools for the current ffmpeg; throws a SidecastError saying why when ffmpeg is unusable. */
  readonly mediaTools: () => MediaTools
  /** URL the renderer loads a project file from (custom protocol in Electron, HTTP in the harness). */
  readonly mediaUrl: (projectId: string, fileName: string) => string
  /** Clock for ids, titles and timestamps; tests inject it. */
  readonly now?: () => Date
  /** Least time between rewrites of recording.json while recording; default 1000 ms. */
  readonly factsIntervalMs?: number
  /** Least time between flushes of appended bytes to the disk; default 3000 ms. */
  readonly syncIntervalMs?: number
  /** Where skipped problems (unreadable project folders, failed thumbnails) are reported. */
  readonly warn?: (message: string) => void
}

export interface CreateProjectOptions {
  /** Name of the capture source, kept in recording.json. */
  readonly sourceName: string
  /** MediaRecorder's MIME type; decides the capture file's extension. */
  readonly mimeType: string
  /** Start time; defaults to the store's clock. */
  readonly now?: Date
}

export interface FinishOptions {
  /** `complete` after a normal stop, `recovered` when picking up after a crash. */
  readonly status: Exclude<RecordingStatus, 'recording'>
  /** Why the recording ended, when it was not the user's stop. */
  readonly endedBecause?: string
}

/** `<project>/share.json`: the project's video in the team library. */
export interface ShareRecord {
  /** The video's page in the library. */
  readonly url: string
  readonly videoId: string
  /** ISO time the upload finished. */
  readonly uploadedAt: string
}

export interface ProjectStore {
  readonly projectsDir: string
  /** The project's library link, or null when it was never uploaded. */
  readShare(id: string): Promise<ShareRecord | null>
  /** Records the project's library link (atomic write). */
  writeShare(id: string, share: ShareRecord): Promise<void>
  create(options: CreateProjectOptions): Promise<RecordingFacts>
  appendChunk(id: string, seq: number, bytes: Uint8Array): Promise<{ bytesWritten: number }>
  finish(id: string, options: FinishOptions): Promise<RecordingFacts>
  recoverUnfinished(activeIds: Iterable<string>): Promise<RecoveryNotice[]>
  list(): Promise<ProjectSummary[]>
  get(id: string): Promise<ProjectSummary>
  readFacts(id: string): Promise<RecordingFacts>
  rename(id: string, title: string): Promise<ProjectSummary>
  remove(id: string): Promise<void>
  projectDir(id: string): string
  /** Ids with an open capture file in this process. */
  activeIds(): string[]
  /**
   * Flushes and closes every open capture without finishing it (as a hard quit would); the
   * recordings stay "recording" and are recovered at the next start.
   */
  close(): Promise<void>
}

interface ActiveRecording {
  facts: RecordingFacts
  readonly handle: FileHandle
  nextSeq: number
  bytesWritten: number
  lastFactsWriteAt: number
  lastSyncAt: number
  /** Set when a write failed: the file's tail is uncertain, so no more chunks are taken. */
  broken: boolean
}

/** Capture file name and container for MediaRecorder's MIME type. */
export function captureFileFor(mimeType: string): {
  file: string
  container: RecordingFacts['container']
} {
  const type = mimeType.toLowerCase()
  if (type.startsWith('video/mp4')) return { file: 'capture.mp4', container: 'mp4' }
  if (type.includes('matroska')) return { file: 'capture.mkv', container: 'mkv' }
  return { file: 'capture.webm', container: 'webm' }
}

function checkId(id: unknown): string {
  if (!isValidProjectId(id)) {
    throw new SidecastError(
      'bad-project-id',
      `"${String(id).slice(0, 80)}" is not a valid project id.`
    )
  }
  return id
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String((error as { code: unknown }).code)
    : undefined
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

export function createProjectStore(options: ProjectStoreOptions): ProjectStore {
  const projectsDir = options.projectsDir || join(options.dataDir, 'projects')
  const now = options.now ?? (() => new Date())
  const factsIntervalMs = options.factsIntervalMs ?? 1000
  const syncIntervalMs = options.syncIntervalMs ?? 3000
  const warn = options.warn ?? ((message: string) => console.warn(`[projects] ${message}`))
  const active = new Map<string, ActiveRecording>()
  // Every change to one project runs in order: chunks, rename, finish and delete never interleave.
  const locks = new Map<string, Promise<void>>()

  function withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const previous = locks.get(id) ?? Promise.resolve()
    const run = previous.then(fn)
    const tail = run.then(
      () => undefined,
      () => undefined
    )
    locks.set(id, tail)
    void tail.then(() => {
      if (locks.get(id) === tail) locks.delete(id)
    })
    return run
  }

  const projectDir = (id: string): string => join(projectsDir, checkId(id))
  const factsPath = (id: string): string => join(projectDir(id), FACTS_FILE)

  async function readFactsFromDisk(id: string): Promise<RecordingFacts> {
    let text: string
    try {
      text = await readFile(factsPath(id), 'utf8')
    } catch (error) {
      if (errorCode(error) === 'ENOENT') {
        throw new SidecastError(
          'not-found',
          `There is no recording "${id}". It may have been deleted.`
        )
      }
      throw error
    }
    // The folder name is the id, so a project copied in under another name still works.
    return { ...loadFacts(text), id }
  }

  async function readFacts(id: string): Promise<RecordingFacts> {
    checkId(id)
    return active.get(id)?.facts ?? readFactsFromDisk(id)
  }

  async function fileSize(path: string): Promise<number | null> {
    const info = await stat(path).catch(() => null)
    return info?.isFile() ? info.size : null
  }

  async function readShareFile(dir: string): Promise<ShareRecord | null> {
    let parsed: unknown
    try {
      parsed = JSON.parse(await readFile(join(dir, SHARE_FILE), 'utf8'))
    } catch {
      return null
    }
    const { url, videoId, uploadedAt } = (parsed ?? {}) as Partial<
      Record<keyof ShareRecord, unknown>
    >
    if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) return null
    return {
      url,
      videoId: typeof videoId === 'string' ? videoId : '',
      uploadedAt: typeof uploadedAt === 'string' ? uploadedAt : ''
    }
  }

  async function toSummary(facts: RecordingFacts): Promise<ProjectSummary> {
    const dir = projectDir(facts.id)
    const hasThumbnail = (await fileSize(join(dir, THUMBNAIL_FILE))) !== null
    return {
      id: facts.id,
      title: facts.title,
      status: facts.status,
      createdAt: facts.createdAt,
      durationMs: facts.durationMs ?? null,
      width: facts.width ?? null,
      height: facts.height ?? null,
      sizeBytes: await fileSize(join(dir, facts.file)),
      thumbnailUrl: hasThumbnail ? options.mediaUrl(facts.id, THUMBNAIL_FILE) : null,
      mediaUrl: facts.status === 'recording' ? null : options.mediaUrl(facts.id, facts.file),
      dir,
      endedBecause: facts.endedBecause ?? null,
      shareUrl: (await readShareFile(dir))?.url ?? null
    }
  }

  async function create(request: CreateProjectOptions): Promise<RecordingFacts> {
    const date = request.now ?? now()
    await mkdir(projectsDir, { recursive: true })
    let id = ''
    for (let attempt = 0; ; attempt++) {
      id = newProjectId(date)
      try {
        await mkdir(join(projectsDir, id))
        break
      } catch (error) {
        if (errorCode(error) !== 'EEXIST' || attempt >= 20) throw error
      }
    }
    const dir = join(projectsDir, id)
    const { file, container } = captureFileFor(request.mimeType)
    let handle: FileHandle | undefined
    try {
      handle = await open(join(dir, file), 'a')
      const facts: RecordingFacts = {
        version: 1,
        id,
        status: 'recording',
        title: defaultTitle(date),
        createdAt: date.toISOString(),
        sourceName: request.sourceName,
        file,
        container,
        mimeType: request.mimeType,
        bytesWritten: 0
      }
      await writeJsonAtomic(join(dir, FACTS_FILE), facts)
      const at = Date.now()
      active.set(id, {
        facts,
        handle,
        nextSeq: 0,
        bytesWritten: 0,
        lastFactsWriteAt: at,
        lastSyncAt: at,
        broken: false
      })
      return facts
    } catch (error) {
      await handle?.close().catch(() => undefined)
      await rm(dir, { recursive: true, force: true })
      throw error
    }
  }

  function notRecording(id: string): SidecastError {
    return new SidecastError(
      'not-recording',
      `Recording ${id} is not in progress, so this part of it could not be saved.`
    )
  }

  async function writeActiveFacts(id: string, recording: ActiveRecording): Promise<void> {
    recording.facts = { ...recording.facts, bytesWritten: recording.bytesWritten }
    await writeJsonAtomic(factsPath(id), recording.facts)
    recording.lastFactsWriteAt = Date.now()
  }

  async function appendChunk(
    id: string,
    seq: number,
    bytes: Uint8Array
  ): Promise<{ bytesWritten: number }> {
    checkId(id)
    if (!Number.isSafeInteger(seq) || seq < 0) {
      throw new SidecastError('bad-request', `Chunk number ${seq} is not valid.`)
    }
    if (!active.has(id)) throw notRecording(id)
    return withLock(id, async () => {
      const recording = active.get(id)
      if (!recording) throw notRecording(id)
      if (recording.broken) {
        throw new SidecastError(
          'write-failed',
          'An earlier part of this recording could not be written, so Sidecast stopped taking more. Stop the recording; what was written is kept.'
        )
      }
      // A resent chunk (e.g. after a reconnect) is already on disk: acknowledging it again is safe.
      if (seq < recording.nextSeq) return { bytesWritten: recording.bytesWritten }
      if (seq > recording.nextSeq) {
        throw new SidecastError(
          'chunk-gap',
          `Part ${seq} of the recording arrived before part ${recording.nextSeq}; the recording would be corrupt, so it was not written.`
        )
      }
      let offset = 0
      try {
        while (offset < bytes.byteLength) {
          const { bytesWritten } = await recording.handle.write(
            bytes,
            offset,
            bytes.byteLength - offset
          )
          offset += bytesWritten
        }
      } catch (error) {
        recording.broken = true
        recording.bytesWritten += offset
        throw error
      }
      recording.bytesWritten += offset
      recording.nextSeq = seq + 1
      const at = Date.now()
      if (at - recording.lastSyncAt >= syncIntervalMs) {
        recording.lastSyncAt = at
        await recording.handle.datasync()
      }
      if (at - recording.lastFactsWriteAt >= factsIntervalMs) await writeActiveFacts(id, recording)
      return { bytesWritten: recording.bytesWritten }
    })
  }

  async function finishLocked(id: string, request: FinishOptions): Promise<RecordingFacts> {
    const recording = active.get(id)
    let facts: RecordingFacts
    if (recording) {
      active.delete(id)
      await recording.handle.datasync().catch(() => undefined)
      await recording.handle.close()
      facts = recording.facts
    } else {
      facts = await readFactsFromDisk(id)
      if (facts.status !== 'recording') {
        throw new SidecastError('not-recording', `Recording ${id} is already finished.`)
      }
    }
    const dir = projectDir(id)
    const capturePath = join(dir, facts.file)
    const size = (await fileSize(capturePath)) ?? 0
    if (size === 0) {
      await rm(dir, { recursive: true, force: true })
      throw new SidecastError(
        'empty-recording',
        'Nothing was recorded, so no recording was kept. Check that the screen is shared and try again.'
      )
    }
    const base: RecordingFacts = {
      ...facts,
      bytesWritten: size,
      finishedAt: now().toISOString(),
      ...(request.endedBecause ? { endedBecause: request.endedBecause } : {})
    }
    try {
      const tools = options.mediaTools()
      const raw = await tools.probe(capturePath)
      const container = finalContainer(raw.videoCodec, raw.audioCodec)
      const fileName = `recording.${container}`
      const finalPath = join(dir, fileName)
      await tools.remux(capturePath, finalPath)
      const probe = await tools.probe(finalPath)
      try {
        await tools.thumbnail(
          finalPath,
          join(dir, THUMBNAIL_FILE),
          Math.min(1000, Math.floor(probe.durationMs / 2))
        )
      } catch (error) {
        warn(`no thumbnail for ${id}: ${describe(error)}`)
      }
      const done: RecordingFacts = {
        ...base,
        status: request.status,
        file: fileName,
        container,
        videoCodec: probe.videoCodec,
        audioCodec: probe.audioCodec,
        width: probe.width,
        height: probe.height,
        durationMs: probe.durationMs
      }
      await writeJsonAtomic(join(dir, FACTS_FILE), done)
      // Only now, with a final file that probes fine and facts that point at it, is the raw capture redundant.
      await rm(capturePath, { force: true })
      return done
    } catch (error) {
      const reason = describe(error)
      const kept: RecordingFacts = {
        ...base,
        status: 'recovered',
        endedBecause: `${request.endedBecause ? `${request.endedBecause} ` : ''}Sidecast could not finish the file (${reason}); the raw recording is kept as ${facts.file}.`
      }
      await writeJsonAtomic(join(dir, FACTS_FILE), kept)
      throw new SidecastError(
        'finish-failed',
        `The recording could not be made seekable (${reason}). It is safe: the raw recording is kept in ${dir}.`
      )
    }
  }

  async function finish(id: string, request: FinishOptions): Promise<RecordingFacts> {
    checkId(id)
    return withLock(id, () => finishLocked(id, request))
  }

  async function projectIds(): Promise<string[]> {
    const entries = await readdir(projectsDir, { withFileTypes: true }).catch((error: unknown) => {
      if (errorCode(error) === 'ENOENT') return []
      throw error
    })
    return entries.filter((e) => e.isDirectory() && isValidProjectId(e.name)).map((e) => e.name)
  }

  async function validFacts(): Promise<RecordingFacts[]> {
    const all: RecordingFacts[] = []
    for (const id of await projectIds()) {
      try {
        all.push(await readFacts(id))
      } catch (error) {
        warn(`skipping folder ${id}: ${describe(error)}`)
      }
    }
    return all
  }

  async function recoverUnfinished(activeIds: Iterable<string>): Promise<RecoveryNotice[]> {
    const skip = new Set([...activeIds, ...active.keys()])
    const notices: RecoveryNotice[] = []
    // One at a time: recovery runs at startup and should not hog the machine.
    for (const facts of await validFacts()) {
      if (facts.status !== 'recording' || skip.has(facts.id)) continue
      try {
        const done = await finish(facts.id, {
          status: 'recovered',
          endedBecause: 'Sidecast closed before this recording was stopped.'
        })
        notices.push({
          projectId: done.id,
          title: done.title,
          durationMs: done.durationMs ?? null,
          problem: null
        })
      } catch (error) {
        if (error instanceof SidecastError && error.code === 'empty-recording') continue
        notices.push({
          projectId: facts.id,
          title: facts.title,
          durationMs: null,
          problem: describe(error)
        })
      }
    }
    return notices
  }

  async function list(): Promise<ProjectSummary[]> {
    const summaries = await Promise.all((await validFacts()).map(toSummary))
    return summaries.sort(
      (a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id)
    )
  }

  async function get(id: string): Promise<ProjectSummary> {
    return toSummary(await readFacts(id))
  }

  async function rename(id: string, title: string): Promise<ProjectSummary> {
    checkId(id)
    const clean = normaliseTitle(title)
    return withLock(id, async () => {
      const recording = active.get(id)
      if (recording) {
        recording.facts = { ...recording.facts, title: clean }
        await writeActiveFacts(id, recording)
        return toSummary(recording.facts)
      }
      const facts = { ...(await readFactsFromDisk(id)), title: clean }
      await writeJsonAtomic(factsPath(id), facts)
      return toSummary(facts)
    })
  }

  async function remove(id: string): Promise<void> {
    checkId(id)
    return withLock(id, async () => {
      if (active.has(id)) {
        throw new SidecastError(
          'recording-active',
          'This recording is still in progress. Stop it before deleting it.'
        )
      }
      const info = await stat(projectDir(id)).catch(() => null)
      if (!info?.isDirectory()) {
        throw new SidecastError(
          'not-found',
          `There is no recording "${id}". It may have been deleted already.`
        )
      }
      await rm(projectDir(id), { recursive: true, force: true })
    })
  }

  async function close(): Promise<void> {
    await Promise.all(
      [...active.keys()].map((id) =>
        withLock(id, async () => {
          const recording = active.get(id)
          if (!recording) return
          active.delete(id)
          await writeActiveFacts(id, recording).catch(() => undefined)
          await recording.handle.datasync().catch(() => undefined)
          await recording.handle.close()
        })
      )
    )
  }

  async function readShare(id: string): Promise<ShareRecord | null> {
    return readShareFile(projectDir(id))
  }

  async function writeShare(id: string, share: ShareRecord): Promise<void> {
    checkId(id)
    return withLock(id, async () => {
      const info = await stat(projectDir(id)).catch(() => null)
      if (!info?.isDirectory()) {
        throw new SidecastError(
          'not-found',
          `There is no recording "${id}". It may have been deleted.`
        )
      }
      await writeJsonAtomic(join(projectDir(id), SHARE_FILE), {
        url: share.url,
        videoId: share.videoId,
        uploadedAt: share.uploadedAt
      })
    })
  }

  return {
    projectsDir,
    readShare,
    writeShare,
    create,
    appendChunk,
    finish,
    recoverUnfinished,
    list,
    get,
    readFacts,
    rename,
    remove,
    projectDir,
    activeIds: () => [...active.keys()],
    close
  }
}
