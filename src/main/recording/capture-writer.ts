/**
 * The capture writer: a recording's bytes on disk as they arrive. `create` makes the project
 * folder and its capture file; chunks are appended straight to the file through an open handle
 * and `recording.json` is kept current, so a crash loses at most the last chunk and a two-hour
 * recording costs the same memory as a two-second one. `finish` makes the capture seekable (and
 * keeps the raw bytes if that fails, never deletes them); recordings left unfinished by a crash
 * are finished the same way at the next start. A recording with a camera has a second capture
 * file (`camera-capture.<ext>`, finished to `camera.<container>`), appended and finished the same
 * way; its trouble ends the camera (said in facts.camera.endedBecause), never the screen.
 */
import type { FileHandle } from 'node:fs/promises'
import { mkdir, open, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { SidecastError } from '../../shared/errors'
import {
  defaultTitle,
  THUMBNAIL_FILE,
  type CameraFacts,
  type RecordingFacts,
  type RecordingStatus,
  type RecoveryNotice
} from '../../shared/project'
import { errorCode, errorMessage } from '../../engine/error-details'
import { finalContainer, type MediaTools } from '../ffmpeg/media-tools'
import type { ActiveRecordings } from '../projects/project-catalogue'
import type { ProjectFolders } from '../projects/project-folders'
import { newProjectId } from '../projects/project-id'

export interface CaptureWriterOptions {
  readonly folders: ProjectFolders
  /** The media tools for the current ffmpeg; throws a SidecastError saying why when ffmpeg is unusable. */
  readonly mediaTools: () => MediaTools
  /** Clock for ids, titles and timestamps; tests inject it. */
  readonly now?: () => Date
  /** Least time between rewrites of recording.json while recording; default 1000 ms. */
  readonly factsIntervalMs?: number
  /** Least time between flushes of appended bytes to the disk; default 3000 ms. */
  readonly syncIntervalMs?: number
  /** Where skipped problems (failed thumbnails) are reported. */
  readonly warn?: (message: string) => void
  /**
   * True while something else still needs a recording's raw capture once it is finished (a live
   * upload the library does not have every byte of yet): then `finish` keeps it, and that
   * something removes it later. Default: never.
   */
  readonly captureNeeded?: (id: string) => boolean
  /**
   * Told when a recording's capture file will not grow any more, with its final size, before the
   * finish (remux) begins; `recovered` when it was picked up after a crash rather than stopped.
   * 0: nothing was recorded.
   */
  readonly onCaptureClosed?: (id: string, size: number, recovered: boolean) => void
  /** Opens a capture file for appending; tests inject one whose writes fail. Default: fs open. */
  readonly openForAppend?: (path: string) => Promise<CaptureFileHandle>
}

/** What the writer uses of an open capture file. */
export type CaptureFileHandle = Pick<FileHandle, 'write' | 'datasync' | 'close'>

export interface CreateProjectOptions {
  /** Name of the capture source, kept in recording.json. */
  readonly sourceName: string
  /** MediaRecorder's MIME type; decides the capture file's extension. */
  readonly mimeType: string
  /** Start time; defaults to the writer's clock. */
  readonly now?: Date
  /** The camera recorded beside the screen into its own file; absent: no camera. */
  readonly camera?: CreateCameraOptions
  /** The recording's title (checked by the caller); absent: the date and time it started. */
  readonly title?: string
  /** The library request this recording answers (recording.json's `answers`). */
  readonly answers?: string
}

export interface CreateCameraOptions {
  /** The camera's MediaRecorder MIME type; decides its capture file's extension. */
  readonly mimeType: string
  /** The camera's label as the user picked it. */
  readonly deviceName: string
}

/** What the renderer tells about the camera while recording (see CameraInfo in shared/ipc). */
export interface CameraInfoUpdate {
  readonly offsetMs?: number
  readonly offRanges?: readonly (readonly [number, number])[]
  readonly endedBecause?: string
}

export interface FinishOptions {
  /** `complete` after a normal stop, `recovered` when picking up after a crash. */
  readonly status: Exclude<RecordingStatus, 'recording'>
  /** Why the recording ended, when it was not the user's stop. */
  readonly endedBecause?: string
}

export interface CaptureWriter extends ActiveRecordings {
  /** Makes a new project folder with an empty capture file and `recording.json` saying "recording". */
  create(options: CreateProjectOptions): Promise<RecordingFacts>
  appendChunk(id: string, seq: number, bytes: Uint8Array): Promise<{ bytesWritten: number }>
  /**
   * Appends a chunk of the camera's recording, numbered from 0 like the screen's. A failed write
   * ends the camera (facts.camera.endedBecause says so) but never the screen recording; later
   * camera chunks are then refused with 'camera-ended'.
   */
  appendCameraChunk(id: string, seq: number, bytes: Uint8Array): Promise<{ bytesWritten: number }>
  /** Keeps the camera's offset, off stretches and early end in facts.camera (written at once). */
  updateCamera(id: string, info: CameraInfoUpdate): Promise<void>
  finish(id: string, options: FinishOptions): Promise<RecordingFacts>
  /**
   * Throws away a recording being written (the user discarded or restarted the take): closes its
   * file and deletes its project folder, so nothing of it is listed or recovered later.
   */
  discard(id: string): Promise<void>
  /** Finishes every project left "recording" (but those in `activeIds`) as recovered. */
  recoverUnfinished(activeIds: Iterable<string>): Promise<RecoveryNotice[]>
  /** Ids with an open capture file in this process. */
  activeIds(): string[]
  /**
   * Flushes and closes every open capture without finishing it (as a hard quit would); the
   * recordings stay "recording" and are recovered at the next start.
   */
  close(): Promise<void>
}

/** One file being appended to: the screen's capture or the camera's. */
interface ActiveTrack {
  readonly handle: CaptureFileHandle
  nextSeq: number
  bytesWritten: number
  lastSyncAt: number
  /** Set when a write failed: the file's tail is uncertain, so no more chunks are taken. */
  broken: boolean
}

interface ActiveRecording extends ActiveTrack {
  facts: RecordingFacts
  lastFactsWriteAt: number
  /** The camera's capture, when the recording has one. */
  camera: ActiveTrack | null
}

/** The camera's capture file name and container for its MediaRecorder's MIME type. */
export function cameraCaptureFileFor(mimeType: string): {
  file: string
  container: CameraFacts['container']
} {
  const { container } = captureFileFor(mimeType)
  return { file: `camera-capture.${container}`, container }
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

export function createCaptureWriter(options: CaptureWriterOptions): CaptureWriter {
  const { folders } = options
  const { projectsDir, projectDir, withLock } = folders
  const now = options.now ?? (() => new Date())
  const factsIntervalMs = options.factsIntervalMs ?? 1000
  const syncIntervalMs = options.syncIntervalMs ?? 3000
  const warn = options.warn ?? ((message: string) => console.warn(`[projects] ${message}`))
  const active = new Map<string, ActiveRecording>()
  const openForAppend = options.openForAppend ?? ((path: string) => open(path, 'a'))

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
    let handle: CaptureFileHandle | undefined
    let cameraHandle: CaptureFileHandle | undefined
    try {
      handle = await openForAppend(join(dir, file))
      let camera: CameraFacts | undefined
      if (request.camera) {
        const cameraFile = cameraCaptureFileFor(request.camera.mimeType)
        cameraHandle = await openForAppend(join(dir, cameraFile.file))
        camera = {
          file: cameraFile.file,
          container: cameraFile.container,
          mimeType: request.camera.mimeType,
          deviceName: request.camera.deviceName,
          offsetMs: 0,
          bytesWritten: 0
        }
      }
      const facts: RecordingFacts = {
        version: 1,
        id,
        status: 'recording',
        title: request.title ?? defaultTitle(date),
        createdAt: date.toISOString(),
        sourceName: request.sourceName,
        file,
        container,
        mimeType: request.mimeType,
        bytesWritten: 0,
        ...(camera ? { camera } : {}),
        ...(request.answers ? { answers: request.answers } : {})
      }
      await folders.writeFacts(facts)
      const at = Date.now()
      active.set(id, {
        facts,
        handle,
        nextSeq: 0,
        bytesWritten: 0,
        lastFactsWriteAt: at,
        lastSyncAt: at,
        broken: false,
        camera: cameraHandle
          ? { handle: cameraHandle, nextSeq: 0, bytesWritten: 0, lastSyncAt: at, broken: false }
          : null
      })
      return facts
    } catch (error) {
      await handle?.close().catch(() => undefined)
      await cameraHandle?.close().catch(() => undefined)
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

  async function writeActiveFacts(recording: ActiveRecording): Promise<void> {
    const camera = recording.facts.camera
    recording.facts = {
      ...recording.facts,
      bytesWritten: recording.bytesWritten,
      ...(camera && recording.camera
        ? { camera: { ...camera, bytesWritten: recording.camera.bytesWritten } }
        : {})
    }
    await folders.writeFacts(recording.facts)
    recording.lastFactsWriteAt = Date.now()
  }

  function checkSeq(seq: number): void {
    if (!Number.isSafeInteger(seq) || seq < 0) {
      throw new SidecastError('bad-request', `Chunk number ${seq} is not valid.`)
    }
  }

  /**
   * Appends one chunk to a track in order: true when written, false for a resend of a chunk
   * already on disk; throws 'chunk-gap' for one that skips ahead. On a failed write the track
   * is marked broken, the bytes that made it are counted, and the error is passed on.
   */
  async function appendToTrack(
    track: ActiveTrack,
    seq: number,
    bytes: Uint8Array,
    what: string
  ): Promise<boolean> {
    // A resent chunk (e.g. after a reconnect) is already on disk: acknowledging it again is safe.
    if (seq < track.nextSeq) return false
    if (seq > track.nextSeq) {
      throw new SidecastError(
        'chunk-gap',
        `Part ${seq} of the ${what} arrived before part ${track.nextSeq}; the ${what} would be corrupt, so it was not written.`
      )
    }
    let offset = 0
    try {
      while (offset < bytes.byteLength) {
        const { bytesWritten } = await track.handle.write(bytes, offset, bytes.byteLength - offset)
        offset += bytesWritten
      }
    } catch (error) {
      track.broken = true
      track.bytesWritten += offset
      throw error
    }
    track.bytesWritten += offset
    track.nextSeq = seq + 1
    const at = Date.now()
    if (at - track.lastSyncAt >= syncIntervalMs) {
      track.lastSyncAt = at
      await track.handle.datasync()
    }
    return true
  }

  /**
   * Runs `work` on a recording being written, under its project's lock; refuses (not-recording)
   * one that is not, before and after waiting for the lock. `check` runs after the id's check,
   * before anything else (the arguments' own checks).
   */
  function withActive<T>(
    id: string,
    work: (recording: ActiveRecording) => Promise<T>,
    check?: () => void
  ): Promise<T> {
    projectDir(id)
    check?.()
    if (!active.has(id)) return Promise.reject(notRecording(id))
    return withLock(id, () => {
      const recording = active.get(id)
      if (!recording) throw notRecording(id)
      return work(recording)
    })
  }

  async function appendChunk(
    id: string,
    seq: number,
    bytes: Uint8Array
  ): Promise<{ bytesWritten: number }> {
    return withActive(
      id,
      async (recording) => {
        if (recording.broken) {
          throw new SidecastError(
            'write-failed',
            'An earlier part of this recording could not be written, so Sidecast stopped taking more. Stop the recording; what was written is kept.'
          )
        }
        if (!(await appendToTrack(recording, seq, bytes, 'recording'))) {
          return { bytesWritten: recording.bytesWritten }
        }
        if (Date.now() - recording.lastFactsWriteAt >= factsIntervalMs) {
          await writeActiveFacts(recording)
        }
        return { bytesWritten: recording.bytesWritten }
      },
      () => checkSeq(seq)
    )
  }

  function noCamera(id: string): SidecastError {
    return new SidecastError(
      'no-camera',
      `Recording ${id} was started without a camera, so there is no camera recording to save this to.`
    )
  }

  function cameraEnded(reason: string | undefined): SidecastError {
    return new SidecastError(
      'camera-ended',
      `${reason ?? 'Saving the camera failed earlier.'} Further parts of the camera are not saved.`
    )
  }

  async function appendCameraChunk(
    id: string,
    seq: number,
    bytes: Uint8Array
  ): Promise<{ bytesWritten: number }> {
    return withActive(
      id,
      async (recording) => {
        const track = recording.camera
        const camera = recording.facts.camera
        if (!track || !camera) throw noCamera(id)
        if (track.broken) throw cameraEnded(camera.endedBecause)
        let written: boolean
        try {
          written = await appendToTrack(track, seq, bytes, 'camera recording')
        } catch (error) {
          if (error instanceof SidecastError && error.code === 'chunk-gap') throw error
          track.broken = true
          // The camera's file is done for; the screen's goes on. Said in the facts at once.
          // A full disk stops the whole recording (the recorder does it), so it says just that.
          const reason =
            errorCode(error) === 'ENOSPC'
              ? 'The disk became full, so the camera recording stopped.'
              : `Saving the camera failed (${errorMessage(error)}); the screen recording goes on.`
          recording.facts = { ...recording.facts, camera: { ...camera, endedBecause: reason } }
          await writeActiveFacts(recording).catch((factsError: unknown) =>
            warn(`could not note the camera's end for ${id}: ${errorMessage(factsError)}`)
          )
          throw error
        }
        if (written && Date.now() - recording.lastFactsWriteAt >= factsIntervalMs) {
          // The chunk is on disk; the facts catch up at the next write (recovery counts the file).
          await writeActiveFacts(recording).catch((error: unknown) =>
            warn(`could not update the facts of ${id}: ${errorMessage(error)}`)
          )
        }
        return { bytesWritten: track.bytesWritten }
      },
      () => checkSeq(seq)
    )
  }

  async function updateCamera(id: string, info: CameraInfoUpdate): Promise<void> {
    return withActive(id, async (recording) => {
      const camera = recording.facts.camera
      if (!recording.camera || !camera) throw noCamera(id)
      const next: CameraFacts = {
        ...camera,
        ...(info.offsetMs !== undefined ? { offsetMs: info.offsetMs } : {}),
        ...(info.offRanges !== undefined
          ? { offRanges: info.offRanges.map(([start, end]) => [start, end] as const) }
          : {}),
        // A write failure's reason stays: it is the one the user must hear.
        ...(info.endedBecause !== undefined && !recording.camera.broken
          ? { endedBecause: info.endedBecause }
          : {})
      }
      recording.facts = { ...recording.facts, camera: next }
      await writeActiveFacts(recording)
    })
  }

  async function finishLocked(id: string, request: FinishOptions): Promise<RecordingFacts> {
    const recording = active.get(id)
    let facts: RecordingFacts
    if (recording) {
      active.delete(id)
      if (recording.camera) {
        await recording.camera.handle.datasync().catch(() => undefined)
        await recording.camera.handle.close().catch(() => undefined)
      }
      await recording.handle.datasync().catch(() => undefined)
      await recording.handle.close()
      facts = recording.facts
    } else {
      facts = await folders.readFacts(id)
      if (facts.status !== 'recording') {
        throw new SidecastError('not-recording', `Recording ${id} is already finished.`)
      }
    }
    const dir = projectDir(id)
    const capturePath = join(dir, facts.file)
    const info = await stat(capturePath).catch(() => null)
    const size = info?.isFile() ? info.size : 0
    try {
      options.onCaptureClosed?.(id, size, !recording)
    } catch (error) {
      warn(`telling that ${id} stopped failed: ${errorMessage(error)}`)
    }
    if (size === 0) {
      await rm(dir, { recursive: true, force: true })
      throw new SidecastError(
        'empty-recording',
        'Nothing was recorded, so no recording was kept. Check that the screen is shared and try again.'
      )
    }
    // The camera first, on its own: whatever becomes of it, the screen is finished next.
    const { camera, cameraCapture } = facts.camera
      ? await finishCamera(id, dir, facts.camera)
      : { camera: undefined, cameraCapture: null }
    const { camera: _unfinishedCamera, ...screenFacts } = facts
    const base: RecordingFacts = {
      ...screenFacts,
      ...(camera ? { camera } : {}),
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
        warn(`no thumbnail for ${id}: ${errorMessage(error)}`)
      }
      const done: RecordingFacts = {
        ...base,
        ...(base.camera ? { camera: offRangesWithin(base.camera, probe.durationMs) } : {}),
        status: request.status,
        file: fileName,
        container,
        videoCodec: probe.videoCodec,
        audioCodec: probe.audioCodec,
        width: probe.width,
        height: probe.height,
        durationMs: probe.durationMs
      }
      await folders.writeFacts(done)
      // Only now, with a final file that probes fine and facts that point at it, is the raw capture
      // redundant — unless a live upload still sends from it (it removes the file itself then).
      if (!options.captureNeeded?.(id)) await rm(capturePath, { force: true })
      await removeCameraCapture(id, cameraCapture)
      return done
    } catch (error) {
      const reason = errorMessage(error)
      const kept: RecordingFacts = {
        ...base,
        status: 'recovered',
        endedBecause: `${request.endedBecause ? `${request.endedBecause} ` : ''}Sidecast could not finish the file (${reason}); the raw recording is kept as ${facts.file}.`
      }
      await folders.writeFacts(kept)
      await removeCameraCapture(id, cameraCapture)
      throw new SidecastError(
        'finish-failed',
        `The recording could not be made seekable (${reason}). It is safe: the raw recording is kept in ${dir}.`
      )
    }
  }

  /**
   * Finishes the camera's capture like the screen's (remux to `camera.<container>`, probe) and
   * returns its facts, with the capture to remove once facts pointing at the final file are
   * written. An empty or missing capture gives no camera (its file is removed now); one that
   * cannot be finished keeps its raw file and says so in endedBecause. Never throws.
   */
  async function finishCamera(
    id: string,
    dir: string,
    camera: CameraFacts
  ): Promise<{ camera: CameraFacts | undefined; cameraCapture: string | null }> {
    const capturePath = join(dir, camera.file)
    const info = await stat(capturePath).catch(() => null)
    const size = info?.isFile() ? info.size : 0
    if (size === 0) {
      await rm(capturePath, { force: true }).catch((error: unknown) =>
        warn(`could not remove the empty camera file of ${id}: ${errorMessage(error)}`)
      )
      return { camera: undefined, cameraCapture: null }
    }
    const base: CameraFacts = { ...camera, bytesWritten: size }
    try {
      const tools = options.mediaTools()
      const raw = await tools.probe(capturePath)
      const container = finalContainer(raw.videoCodec, raw.audioCodec)
      const fileName = `camera.${container}`
      const finalPath = join(dir, fileName)
      await tools.remux(capturePath, finalPath)
      const probe = await tools.probe(finalPath)
      return {
        camera: {
          ...base,
          file: fileName,
          container,
          videoCodec: probe.videoCodec,
          width: probe.width,
          height: probe.height,
          durationMs: probe.durationMs
        },
        cameraCapture: fileName === camera.file ? null : capturePath
      }
    } catch (error) {
      const reason = errorMessage(error)
      warn(`could not finish the camera file of ${id}: ${reason}`)
      return {
        camera: {
          ...base,
          endedBecause: `${camera.endedBecause ? `${camera.endedBecause} ` : ''}Sidecast could not finish the camera file (${reason}); the raw camera recording is kept as ${camera.file}.`
        },
        cameraCapture: null
      }
    }
  }

  async function removeCameraCapture(id: string, path: string | null): Promise<void> {
    if (!path) return
    await rm(path, { force: true }).catch((error: unknown) =>
      warn(`could not remove the camera capture of ${id}: ${errorMessage(error)}`)
    )
  }

  async function finish(id: string, request: FinishOptions): Promise<RecordingFacts> {
    projectDir(id)
    return withLock(id, () => finishLocked(id, request))
  }

  async function discard(id: string): Promise<void> {
    const dir = projectDir(id)
    await withLock(id, async () => {
      const recording = active.get(id)
      if (!recording) throw notRecording(id)
      active.delete(id)
      await recording.handle.close().catch(() => undefined)
      await recording.camera?.handle.close().catch(() => undefined)
      // A few tries: on Windows a virus scanner may hold the file for a moment.
      await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })
    })
  }

  async function recoverUnfinished(activeIds: Iterable<string>): Promise<RecoveryNotice[]> {
    const skip = new Set([...activeIds, ...active.keys()])
    const notices: RecoveryNotice[] = []
    // One at a time: recovery runs at startup and should not hog the machine.
    for (const facts of await folders.allFacts()) {
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
          problem: errorMessage(error)
        })
      }
    }
    return notices
  }

  async function close(): Promise<void> {
    await Promise.all(
      [...active.keys()].map((id) =>
        withLock(id, async () => {
          const recording = active.get(id)
          if (!recording) return
          active.delete(id)
          await writeActiveFacts(recording).catch(() => undefined)
          if (recording.camera) {
            await recording.camera.handle.datasync().catch(() => undefined)
            await recording.camera.handle.close().catch(() => undefined)
          }
          await recording.handle.datasync().catch(() => undefined)
          await recording.handle.close()
        })
      )
    )
  }

  /** Retitles a recording being written; the catalogue holds the project's lock. */
  async function retitleActive(id: string, title: string): Promise<RecordingFacts | null> {
    const recording = active.get(id)
    if (!recording) return null
    recording.facts = { ...recording.facts, title }
    await writeActiveFacts(recording)
    return recording.facts
  }

  return {
    create,
    appendChunk,
    appendCameraChunk,
    updateCamera,
    finish,
    discard,
    recoverUnfinished,
    activeIds: () => [...active.keys()],
    activeFacts: (id) => active.get(id)?.facts,
    retitleActive,
    close
  }
}

/**
 * The camera's off stretches within the recording: one still open when recording ended (the app
 * died while the camera was off; the renderer sends it open-ended) ends with the recording.
 */
function offRangesWithin(camera: CameraFacts, durationMs: number): CameraFacts {
  if (!camera.offRanges) return camera
  const offRanges = camera.offRanges
    .map(([start, end]) => [Math.min(start, durationMs), Math.min(end, durationMs)] as const)
    .filter(([start, end]) => end > start)
  return { ...camera, offRanges }
}
