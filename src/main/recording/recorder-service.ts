/**
 * The one active recording and its phase (idle → recording ⇄ paused → finishing → idle).
 * The tray and the renderer follow it through `onState`; the renderer drives it.
 */
import { mkdir } from 'node:fs/promises'
import {
  type CameraInfo,
  type ChunkAck,
  type RecorderPhase,
  type RecorderState,
  type StartRecordingRequest,
  type StartRecordingResult,
  type StopRecordingInfo
} from '../../shared/ipc'
import { SidecastError } from '../../shared/errors'
import type { ProjectSummary, RecordingFacts } from '../../shared/project'
import type { Settings } from '../../shared/settings'
import { errorCode, errorMessage } from '../../engine/error-details'
import type { ProjectCatalogue } from '../projects/project-catalogue'
import type { CaptureWriter } from './capture-writer'
import { assertEnoughSpace, freeBytes as statfsFreeBytes } from './disk-space'

const MIB = 1024 * 1024

export interface RecorderServiceOptions {
  /** Writes the recording's bytes. */
  readonly capture: CaptureWriter
  /** Reads the finished recording back for the renderer. */
  readonly projects: ProjectCatalogue
  /** Current settings; `minFreeDiskMb` is read at every start. */
  readonly settings: () => Settings
  /** Keeps the machine awake while recording; returns the function that lets it sleep again. */
  readonly preventSleep: () => () => void
  /** Free bytes on the disk holding a folder; tests inject a fake. */
  readonly freeBytes?: (dir: string) => Promise<number>
  /** Below this many free bytes the chunk ack says `diskLow` so the renderer stops; default 200 MiB. */
  readonly diskLowBytes?: number
  /** Free space is checked on the first chunk and then every this many chunks; default 20. */
  readonly diskCheckEveryChunks?: number
  /** Where problems that must not stop the flow are reported. */
  readonly warn?: (message: string) => void
  /** Told when takes start and are thrown away (e.g. to share them while they are recorded). */
  readonly takes?: TakeHooks
}

/**
 * What happens to takes, for whoever follows them (Share while recording). The hooks must return
 * at once and never fail the recording: whatever they start runs in the background.
 */
export interface TakeHooks {
  /** A take started being recorded (also the new take of a restart). */
  started(facts: RecordingFacts): void
  /** A take is being thrown away (discard, or the old take of a restart), before its folder goes. */
  discarded(projectId: string): void
  /** A take was finished and its recording is in place (Stop, a full disk, the window lost). */
  finished?(projectId: string): void
}

export interface RecorderService {
  start(request: StartRecordingRequest): Promise<StartRecordingResult>
  chunk(projectId: string, seq: number, data: Uint8Array): Promise<ChunkAck>
  /**
   * A chunk of the camera's recording. Its trouble never stops the screen's recording: a failed
   * write ends the camera ('camera-failed', then 'camera-ended'); only a full disk stops the
   * whole recording, as a screen chunk's would.
   */
  cameraChunk(projectId: string, seq: number, data: Uint8Array): Promise<ChunkAck>
  /** The camera's offset, off stretches or early end, kept in recording.json's `camera`. */
  cameraInfo(projectId: string, info: CameraInfo): Promise<void>
  setPhase(projectId: string, phase: 'recording' | 'paused'): void
  /** Finishes the recording; answering again for a recording that was already stopped (e.g. disk full). */
  stop(projectId: string, info: StopRecordingInfo): Promise<ProjectSummary>
  /** Stops and deletes the take: its folder is removed, nothing is listed or recovered. */
  discard(projectId: string): Promise<void>
  /**
   * Deletes the take and starts a new one in its place; the phase stays `recording` throughout
   * (the bar stays up). The disk-space check of a start applies.
   */
  restart(projectId: string, request: StartRecordingRequest): Promise<StartRecordingResult>
  state(): RecorderState
  /** Calls `listener` on every phase change; returns the unsubscribe function. */
  onState(listener: (state: RecorderState) => void): () => void
  /** Ids of recordings this process is writing (never to be "recovered"). */
  activeIds(): string[]
  /** Finishes an active recording safely before the app quits. */
  shutdown(): Promise<void>
}

interface ActiveSession {
  readonly projectId: string
  readonly releaseSleep: () => void
  chunksSinceCheck: number
  diskLow: boolean
  stopping: Promise<ProjectSummary> | null
}

export function createRecorderService(options: RecorderServiceOptions): RecorderService {
  const { capture, projects } = options
  const freeBytes = options.freeBytes ?? statfsFreeBytes
  const diskLowBytes = options.diskLowBytes ?? 200 * MIB
  const checkEvery = Math.max(1, options.diskCheckEveryChunks ?? 20)
  const warn = options.warn ?? ((message: string) => console.warn(`[recorder] ${message}`))
  const listeners = new Set<(state: RecorderState) => void>()

  /** Calls a take hook; its trouble is reported, never passed on to the recording. */
  function tell(what: string, hook: () => void): void {
    try {
      hook()
    } catch (error) {
      warn(`the ${what} hook failed: ${String(error)}`)
    }
  }

  let current: RecorderState = { phase: 'idle', projectId: null }
  let session: ActiveSession | null = null
  let starting = false

  function setState(phase: RecorderPhase, projectId: string | null): void {
    if (current.phase === phase && current.projectId === projectId) return
    current = { phase, projectId }
    for (const listener of listeners) {
      try {
        listener(current)
      } catch (error) {
        warn(`state listener failed: ${String(error)}`)
      }
    }
  }

  function activeSession(projectId: string): ActiveSession {
    if (!session || session.projectId !== projectId || session.stopping) {
      throw new SidecastError(
        'not-recording',
        `Recording ${projectId} is not in progress. Start a new recording to continue.`
      )
    }
    return session
  }

  /** A new project to record into, once the disk has room for it. */
  async function createTake(request: StartRecordingRequest): Promise<RecordingFacts> {
    await mkdir(projects.projectsDir, { recursive: true })
    const free = await freeBytes(projects.projectsDir)
    assertEnoughSpace(projects.projectsDir, free, options.settings().minFreeDiskMb)
    return capture.create({
      sourceName: request.sourceName,
      mimeType: request.mimeType,
      ...(request.camera
        ? {
            camera: { mimeType: request.camera.mimeType, deviceName: request.camera.deviceName }
          }
        : {}),
      // "Record an answer": the request's title, and its id kept for the upload.
      ...(request.answer ? { title: request.answer.title, answers: request.answer.requestId } : {})
    })
  }

  function releaseSleepOf(active: ActiveSession): void {
    try {
      active.releaseSleep()
    } catch (error) {
      warn(`could not release the sleep blocker: ${String(error)}`)
    }
  }

  async function start(request: StartRecordingRequest): Promise<StartRecordingResult> {
    if (starting || session) {
      throw new SidecastError(
        'already-recording',
        'A recording is already in progress. Stop it before starting another.'
      )
    }
    starting = true
    try {
      const facts = await createTake(request)
      let releaseSleep: () => void = () => undefined
      try {
        releaseSleep = options.preventSleep()
      } catch (error) {
        // Recording matters more than keeping the screen awake.
        warn(`could not keep the system awake: ${String(error)}`)
      }
      session = {
        projectId: facts.id,
        releaseSleep,
        // Check free space on the very first chunk, then every `checkEvery`.
        chunksSinceCheck: checkEvery - 1,
        diskLow: false,
        stopping: null
      }
      setState('recording', facts.id)
      tell('take started', () => options.takes?.started(facts))
      return { projectId: facts.id, title: facts.title }
    } finally {
      starting = false
    }
  }

  /** Appends with `append`; a full disk stops the recording with what was written. */
  async function appendOrStop(
    projectId: string,
    append: () => Promise<{ bytesWritten: number }>
  ): Promise<number> {
    try {
      return (await append()).bytesWritten
    } catch (error) {
      if (errorCode(error) !== 'ENOSPC') throw error
      await stop(projectId, {
        endedBecause: 'The disk became full, so the recording was stopped.'
      }).catch((stopError: unknown) => warn(`finishing after disk full: ${String(stopError)}`))
      throw new SidecastError(
        'disk-full',
        'The disk is full, so Sidecast stopped recording. What was recorded until now is saved. Free some space before recording again.'
      )
    }
  }

  /** Checks free space every `checkEvery` chunks (screen and camera counted together). */
  async function ack(active: ActiveSession, bytesWritten: number): Promise<ChunkAck> {
    active.chunksSinceCheck++
    if (active.chunksSinceCheck >= checkEvery) {
      active.chunksSinceCheck = 0
      try {
        active.diskLow = (await freeBytes(projects.projectsDir)) < diskLowBytes
      } catch (error) {
        warn(`could not check free space: ${String(error)}`)
      }
    }
    return { bytesWritten, diskLow: active.diskLow }
  }

  async function chunk(projectId: string, seq: number, data: Uint8Array): Promise<ChunkAck> {
    const active = activeSession(projectId)
    const bytesWritten = await appendOrStop(projectId, () =>
      capture.appendChunk(projectId, seq, data)
    )
    return ack(active, bytesWritten)
  }

  async function cameraChunk(projectId: string, seq: number, data: Uint8Array): Promise<ChunkAck> {
    const active = activeSession(projectId)
    let bytesWritten: number
    try {
      bytesWritten = await appendOrStop(projectId, () =>
        capture.appendCameraChunk(projectId, seq, data)
      )
    } catch (error) {
      if (error instanceof SidecastError) throw error
      // A write failure of the camera's file (the writer has marked the camera ended).
      throw new SidecastError(
        'camera-failed',
        `Saving the camera failed (${errorMessage(error)}); the screen recording goes on.`
      )
    }
    return ack(active, bytesWritten)
  }

  async function cameraInfo(projectId: string, info: CameraInfo): Promise<void> {
    activeSession(projectId)
    await capture.updateCamera(projectId, info)
  }

  function setPhase(projectId: string, phase: 'recording' | 'paused'): void {
    activeSession(projectId)
    setState(phase, projectId)
  }

  function finishSession(active: ActiveSession, info: StopRecordingInfo): Promise<ProjectSummary> {
    setState('finishing', active.projectId)
    return (async () => {
      try {
        await capture.finish(active.projectId, {
          status: 'complete',
          ...(info.endedBecause ? { endedBecause: info.endedBecause } : {})
        })
        tell('take finished', () => options.takes?.finished?.(active.projectId))
        return await projects.get(active.projectId)
      } finally {
        releaseSleepOf(active)
        session = null
        setState('idle', null)
      }
    })()
  }

  async function stop(projectId: string, info: StopRecordingInfo): Promise<ProjectSummary> {
    if (session && session.projectId === projectId) {
      session.stopping ??= finishSession(session, info)
      return session.stopping
    }
    // Not the active one: it may already have been stopped (disk full, a second stop click).
    const facts = await projects.readFacts(projectId)
    if (facts.status === 'recording') {
      throw new SidecastError(
        'not-recording',
        `Recording ${projectId} was not started in this session; it will be recovered at the next start.`
      )
    }
    return projects.get(projectId)
  }

  async function discard(projectId: string): Promise<void> {
    const active = activeSession(projectId)
    active.stopping = Promise.reject(
      new SidecastError('discarded', 'This recording was discarded, so it was not saved.')
    )
    active.stopping.catch(() => undefined)
    setState('finishing', projectId)
    tell('take discarded', () => options.takes?.discarded(projectId))
    try {
      await capture.discard(projectId)
    } finally {
      releaseSleepOf(active)
      session = null
      setState('idle', null)
    }
  }

  async function restart(
    projectId: string,
    request: StartRecordingRequest
  ): Promise<StartRecordingResult> {
    const active = activeSession(projectId)
    if (starting) {
      throw new SidecastError(
        'already-recording',
        'A recording is already starting. Wait a moment and try again.'
      )
    }
    starting = true
    try {
      // The new take first: if the disk has no room, the old take is kept and still recording.
      const facts = await createTake(request)
      if (session !== active || active.stopping) {
        // Stopped (or discarded) while the new take was being made: the new one is not wanted.
        await capture.discard(facts.id).catch(() => undefined)
        throw new SidecastError(
          'not-recording',
          'The recording ended before it could be restarted. Start a new recording instead.'
        )
      }
      // Chunks of the old take are refused from here on: the session now names the new take.
      session = {
        ...active,
        projectId: facts.id,
        chunksSinceCheck: checkEvery - 1,
        diskLow: false,
        stopping: null
      }
      setState('recording', facts.id)
      tell('take started', () => options.takes?.started(facts))
      tell('take discarded', () => options.takes?.discarded(projectId))
      await capture
        .discard(projectId)
        .catch((error: unknown) => warn(`could not delete the restarted take: ${String(error)}`))
      return { projectId: facts.id, title: facts.title }
    } finally {
      starting = false
    }
  }

  async function shutdown(): Promise<void> {
    if (!session) return
    await stop(session.projectId, { endedBecause: 'Sidecast was closed while recording.' }).catch(
      (error: unknown) => warn(`finishing on shutdown: ${String(error)}`)
    )
  }

  return {
    start,
    chunk,
    cameraChunk,
    cameraInfo,
    setPhase,
    stop,
    discard,
    restart,
    state: () => current,
    onState(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    activeIds: () => (session ? [session.projectId] : []),
    shutdown
  }
}
