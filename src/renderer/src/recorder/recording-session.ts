/**
 * One recording, from acquiring the screen and microphone to the finished project. Plain
 * TypeScript over injected media ports and the IPC api, so it runs in unit tests with fakes.
 *
 * Lifecycle: `prepare()` (on the user's click: permissions, streams) → countdown in the UI →
 * `begin()` (main creates the project, the recorder starts) → `pause()`/`resume()` → `stop()`.
 * `restart()` throws the take away and records a new one with the same streams; `discard()` stops
 * and deletes the take.
 * Each chunk goes to main as soon as it exists, one at a time and in order; nothing is kept here,
 * so memory stays flat however long the recording runs and a crash loses at most one chunk.
 */
import { SidecastError } from '../../../shared/errors'
import type { SidecastApi } from '../../../shared/ipc'
import type { ProjectSummary } from '../../../shared/project'
import { errorMessage } from '../lib/error-message'
import { displayCaptureError, microphoneError } from './capture-errors'
import { ElapsedClock } from './elapsed-clock'
import type {
  ChunkPort,
  DisplayCapture,
  DisplayConstraints,
  MediaPorts,
  MicrophoneCapture,
  MicrophoneConstraints,
  RecorderPort,
  TrackPort
} from './media-ports'
import { KEYFRAME_INTERVAL_MS } from './keyframes'
import { chooseMimeType, videoBitsPerSecond } from './mime-type'

/**
 * Ask for more than any screen has: Chromium otherwise caps screen capture at 1280×720. The
 * frame rate cap keeps CPU and file size sane; screen content rarely needs more.
 */
export const DISPLAY_CONSTRAINTS: DisplayConstraints = {
  video: { width: { ideal: 7680 }, height: { ideal: 4320 }, frameRate: { ideal: 30, max: 30 } },
  audio: false
}

/** At most this much media is lost if the app dies mid-recording. */
export const TIMESLICE_MS = 1000
export const AUDIO_BITS_PER_SECOND = 128_000

export const ENDED_SOURCE_CLOSED = 'The shared screen or window was closed.'
export const ENDED_DISK_LOW =
  'Your disk is almost full, so Sidecast stopped recording. The recording is saved; free up some space before recording again.'
export const MICROPHONE_LOST = 'Microphone disconnected — recording continues without narration.'

export type SessionPhase =
  'idle' | 'acquiring' | 'ready' | 'starting' | 'recording' | 'paused' | 'stopping' | 'stopped'

/** How a session ended. */
export interface SessionOutcome {
  /** The saved recording, or null when nothing was saved (ended before it began, or saving failed). */
  readonly summary: ProjectSummary | null
  /** Why it ended when the user did not stop it (source closed, disk full, a failure), else null. */
  readonly endedBecause: string | null
  /** A problem the user must hear about (finishing the recording failed), else null. */
  readonly error: string | null
  /** True when the user discarded the take: nothing was meant to be saved. */
  readonly discarded?: boolean
}

export type SessionEvent =
  | { readonly type: 'phase'; readonly phase: SessionPhase }
  | { readonly type: 'microphone-lost'; readonly message: string }
  | { readonly type: 'finished'; readonly outcome: SessionOutcome }

export interface RecordingSessionOptions {
  /** The IPC api (window.api in the app). */
  readonly api: Pick<SidecastApi, 'invoke'>
  /** The browser's media capabilities (see browser-media.ts). */
  readonly media: MediaPorts
  /** Clock for the elapsed time; defaults to performance.now / Date.now. */
  readonly now?: () => number
  /** How long stop() waits for the recorder's last chunk before finishing without it. */
  readonly stopTimeoutMs?: number
  /** MediaRecorder timeslice; at most 1 s so a crash loses little. */
  readonly timesliceMs?: number
}

export interface PrepareOptions {
  /** The capture source's name as the user saw it; stored with the recording. */
  readonly sourceName: string
  /** A device id, `default`, or `none` for no narration. */
  readonly microphoneId: string
  /** process.platform of the app, to word permission advice (macOS has its own settings path). */
  readonly platform?: string
}

const defaultNow = (): number =>
  typeof performance !== 'undefined' ? performance.now() : Date.now()

export class RecordingSession {
  private readonly api: Pick<SidecastApi, 'invoke'>
  private readonly media: MediaPorts
  private readonly now: () => number
  private readonly stopTimeoutMs: number
  private readonly timesliceMs: number
  private readonly listeners = new Set<(event: SessionEvent) => void>()
  private clock = new ElapsedClock()
  private readonly cleanups: Array<() => void> = []

  private currentPhase: SessionPhase = 'idle'
  private display: DisplayCapture | null = null
  private mic: MicrophoneCapture | null = null
  private recorder: RecorderPort | null = null
  private sourceName = ''
  private id: string | null = null
  private nextSeq = 0
  private chain: Promise<void> = Promise.resolve()
  private sendFailure: string | null = null
  private starting: Promise<unknown> | null = null
  private stopping: Promise<SessionOutcome> | null = null
  private restarting: Promise<void> | null = null
  private mimeType = ''
  private recorderStopped: (() => void) | null = null

  constructor(options: RecordingSessionOptions) {
    this.api = options.api
    this.media = options.media
    this.now = options.now ?? defaultNow
    this.stopTimeoutMs = options.stopTimeoutMs ?? 5000
    this.timesliceMs = Math.min(options.timesliceMs ?? TIMESLICE_MS, TIMESLICE_MS)
  }

  get phase(): SessionPhase {
    return this.currentPhase
  }

  /** The project being written, once main has created it. */
  get projectId(): string | null {
    return this.id
  }

  get hasMicrophone(): boolean {
    return this.mic !== null
  }

  /** Milliseconds recorded, excluding pauses. */
  elapsedMs(): number {
    return this.clock.elapsedMs(this.now())
  }

  /** The microphone's level, 0…1 (0 without a microphone). */
  micLevel(): number {
    return this.mic?.level() ?? 0
  }

  subscribe(listener: (event: SessionEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * Acquires the screen and the microphone. Call it from the user's click: browsers want a user
   * gesture for screen capture. Throws a SidecastError whose message is meant for the user.
   */
  async prepare(options: PrepareOptions): Promise<void> {
    if (this.currentPhase !== 'idle') throw new Error(`prepare() while ${this.currentPhase}`)
    const platform = options.platform ?? ''
    this.sourceName = options.sourceName
    this.setPhase('acquiring')
    try {
      this.display = await this.media.getDisplayMedia(DISPLAY_CONSTRAINTS)
    } catch (error) {
      this.setPhase('idle')
      throw displayCaptureError(error, platform)
    }
    if (this.cancelledWhileAcquiring()) throw cancelled()

    if (options.microphoneId !== 'none') {
      const constraints: MicrophoneConstraints = {
        audio: {
          ...(options.microphoneId && options.microphoneId !== 'default'
            ? { deviceId: options.microphoneId }
            : {}),
          echoCancellation: true,
          noiseSuppression: true
        }
      }
      try {
        this.mic = await this.media.openMicrophone(constraints)
      } catch (error) {
        this.release()
        this.setPhase('idle')
        throw microphoneError(error, platform)
      }
      if (this.cancelledWhileAcquiring()) throw cancelled()
      this.cleanups.push(
        this.mic.onDeviceLost(() =>
          this.emit({ type: 'microphone-lost', message: MICROPHONE_LOST })
        )
      )
    }
    this.cleanups.push(this.display.onEnded(() => this.onDisplayEnded()))
    this.setPhase('ready')
  }

  /**
   * Gives the streams back without recording (the countdown was cancelled). Only before begin().
   */
  cancel(): void {
    if (this.currentPhase !== 'acquiring' && this.currentPhase !== 'ready') return
    const wasReady = this.currentPhase === 'ready'
    this.release()
    this.setPhase('idle')
    if (wasReady) this.finishWith({ summary: null, endedBecause: null, error: null })
  }

  /**
   * Asks main for a project (main may refuse, e.g. for low disk: its message is thrown as is),
   * then starts the recorder. Resolves with the project id.
   */
  begin(): Promise<string> {
    if (this.currentPhase !== 'ready') {
      return Promise.reject(new Error(`begin() while ${this.currentPhase}`))
    }
    const run = this.startRecording()
    this.starting = run
    return run
  }

  private async startRecording(): Promise<string> {
    const display = this.display
    if (!display) throw new Error('No display capture')
    this.setPhase('starting')
    const mimeType = chooseMimeType((type) => this.media.isTypeSupported(type), this.mic !== null)
    if (!mimeType) {
      this.release()
      this.setPhase('idle')
      throw new SidecastError(
        'recorder-unsupported',
        'This system cannot record WebM video, so Sidecast cannot record. Update Sidecast or your system and try again.'
      )
    }
    let projectId: string
    try {
      projectId = (
        await this.api.invoke('recording:start', { mimeType, sourceName: this.sourceName })
      ).projectId
    } catch (error) {
      this.release()
      this.setPhase('idle')
      throw error
    }
    this.id = projectId
    this.mimeType = mimeType

    try {
      this.startRecorder()
    } catch (error) {
      // The project exists but holds nothing; let main close it so it is not "recovered" later.
      this.recorder = null
      await this.api
        .invoke('recording:stop', projectId, { endedBecause: 'The recorder could not start.' })
        .catch(() => undefined)
      this.release()
      this.setPhase('stopped')
      throw new SidecastError(
        'recorder-failed',
        `The recorder could not start (${errorMessage(error)}). Nothing was recorded; try again, or pick another screen or window.`
      )
    }
    this.clock.start(this.now())
    this.setPhase('recording')
    return projectId
  }

  /** A new MediaRecorder on the streams we hold, started. */
  private startRecorder(): void {
    const display = this.display
    if (!display) throw new Error('No display capture')
    const tracks: TrackPort[] = [display.videoTrack]
    if (this.mic) tracks.push(this.mic.track)
    this.recorder = this.media.createRecorder(
      tracks,
      {
        mimeType: this.mimeType,
        videoBitsPerSecond: videoBitsPerSecond(display.width, display.height),
        videoKeyFrameIntervalDuration: KEYFRAME_INTERVAL_MS,
        ...(this.mic ? { audioBitsPerSecond: AUDIO_BITS_PER_SECOND } : {})
      },
      {
        onData: (chunk) => this.onChunk(chunk),
        onStop: () => this.recorderStopped?.(),
        onError: (message) =>
          void this.stop(
            `The recorder failed (${message}), so Sidecast stopped recording. Everything recorded up to then is kept.`
          )
      }
    )
    this.recorder.start(this.timesliceMs)
  }

  pause(): void {
    if (this.currentPhase !== 'recording' || !this.recorder || !this.id) return
    this.recorder.pause()
    this.clock.pause(this.now())
    this.setPhase('paused')
    this.tellMain('paused')
  }

  resume(): void {
    if (this.currentPhase !== 'paused' || !this.recorder || !this.id) return
    this.recorder.resume()
    this.clock.resume(this.now())
    this.setPhase('recording')
    this.tellMain('recording')
  }

  /**
   * Stops and saves: the recorder's last chunk is sent, every chunk in flight is acknowledged,
   * then main finishes the project. Safe to call more than once; later calls get the same result.
   * `endedBecause` says why, when it was not the user's choice.
   */
  stop(endedBecause?: string): Promise<SessionOutcome> {
    if (this.stopping) return this.stopping
    if (this.restarting) return this.afterRestart(() => this.finish(endedBecause))
    switch (this.currentPhase) {
      case 'idle':
      case 'stopped':
        return Promise.resolve({ summary: null, endedBecause: endedBecause ?? null, error: null })
      case 'acquiring':
      case 'ready': {
        const outcome: SessionOutcome = {
          summary: null,
          endedBecause: endedBecause ?? null,
          error: null
        }
        this.release()
        this.setPhase('idle')
        this.finishWith(outcome)
        return Promise.resolve(outcome)
      }
      case 'starting': {
        const started = this.starting ?? Promise.resolve()
        this.stopping = started.then(
          () => this.finish(endedBecause),
          () => ({ summary: null, endedBecause: endedBecause ?? null, error: null })
        )
        return this.stopping
      }
      default:
        this.stopping = this.finish(endedBecause)
        return this.stopping
    }
  }

  private async finish(endedBecause: string | undefined): Promise<SessionOutcome> {
    const recorder = this.recorder
    const projectId = this.id
    if (!recorder || !projectId) {
      return { summary: null, endedBecause: endedBecause ?? null, error: null }
    }
    this.clock.pause(this.now())
    this.setPhase('stopping')
    await this.stopRecorder(recorder)

    let summary: ProjectSummary | null = null
    let error: string | null = null
    try {
      summary = await this.api.invoke(
        'recording:stop',
        projectId,
        endedBecause ? { endedBecause } : {}
      )
    } catch (failure) {
      error = `${errorMessage(failure)} The recording so far is on disk; Sidecast recovers it the next time it starts.`
    }
    this.release()
    this.setPhase('stopped')
    const outcome: SessionOutcome = { summary, endedBecause: endedBecause ?? null, error }
    this.finishWith(outcome)
    return outcome
  }

  /** Stops the MediaRecorder and waits until its last chunk was sent to main. */
  private async stopRecorder(recorder: RecorderPort): Promise<void> {
    if (recorder.state !== 'inactive') {
      const stopped = new Promise<void>((resolve) => {
        this.recorderStopped = resolve
      })
      let timer: ReturnType<typeof setTimeout> | undefined
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.stopTimeoutMs)
      })
      try {
        recorder.stop()
      } catch {
        // Already stopping after an error; its stop event (or the timeout) still ends the wait.
      }
      await Promise.race([stopped, timeout])
      clearTimeout(timer)
    }
    this.recorderStopped = null
    // The last chunk was queued by now (dataavailable precedes stop); wait for every send.
    await this.chain
  }

  /**
   * Stops and deletes the take: main removes its folder, so it is neither listed nor recovered.
   * The session ends with a `discarded` outcome. Only while recording or paused.
   */
  discard(): Promise<SessionOutcome> {
    if (this.stopping) return this.stopping
    if (this.restarting) return this.afterRestart(() => this.throwAway())
    if (this.currentPhase !== 'recording' && this.currentPhase !== 'paused') {
      return this.stop()
    }
    this.stopping = this.throwAway()
    return this.stopping
  }

  /**
   * Ends the session once a restart in progress is over: with `end`, unless the restart itself
   * ended it (main could not start the new take), whose outcome is then the answer.
   */
  private afterRestart(end: () => Promise<SessionOutcome>): Promise<SessionOutcome> {
    const restarting = this.restarting ?? Promise.resolve()
    const after: Promise<SessionOutcome> = restarting.then(() =>
      this.stopping && this.stopping !== after ? this.stopping : end()
    )
    this.stopping = after
    return after
  }

  private async throwAway(): Promise<SessionOutcome> {
    const recorder = this.recorder
    const projectId = this.id
    this.clock.pause(this.now())
    this.setPhase('stopping')
    if (recorder) await this.stopRecorder(recorder)
    let error: string | null = null
    if (projectId) {
      try {
        await this.api.invoke('recording:discard', projectId)
      } catch (failure) {
        error = `The recording could not be deleted (${errorMessage(failure)}). Delete it from the list of recordings.`
      }
    }
    this.release()
    this.setPhase('stopped')
    const outcome: SessionOutcome = { summary: null, endedBecause: null, error, discarded: true }
    this.finishWith(outcome)
    return outcome
  }

  /**
   * Throws the take away and starts a new one at once, with the same screen and microphone (no
   * new permission, no countdown). If main cannot start the new take (e.g. the disk is full), the
   * old take is saved instead and the session ends, saying why. Only while recording or paused.
   */
  restart(): Promise<void> {
    if (this.restarting) return this.restarting
    if (this.stopping) return Promise.resolve()
    if (this.currentPhase !== 'recording' && this.currentPhase !== 'paused') {
      return Promise.resolve()
    }
    const run = this.startAgain().finally(() => {
      this.restarting = null
    })
    this.restarting = run
    return run
  }

  private async startAgain(): Promise<void> {
    const recorder = this.recorder
    const oldId = this.id
    if (!recorder || !oldId) return
    this.clock.pause(this.now())
    this.setPhase('starting')
    await this.stopRecorder(recorder)
    this.recorder = null
    let newId: string
    try {
      newId = (
        await this.api.invoke('recording:restart', oldId, {
          mimeType: this.mimeType,
          sourceName: this.sourceName
        })
      ).projectId
    } catch (failure) {
      // Main kept the old take; save it rather than lose it.
      this.recorder = recorder
      this.stopping = this.finish(
        `Sidecast could not start again (${errorMessage(failure)}), so it stopped recording. The take is kept.`
      )
      return
    }
    this.id = newId
    this.nextSeq = 0
    this.sendFailure = null
    this.clock = new ElapsedClock()
    try {
      this.startRecorder()
    } catch (error) {
      this.recorder = null
      await this.api.invoke('recording:discard', newId).catch(() => undefined)
      this.release()
      this.setPhase('stopped')
      this.finishWith({
        summary: null,
        endedBecause: null,
        error: `The recorder could not start again (${errorMessage(error)}). Nothing more was recorded; start a new recording.`
      })
      return
    }
    this.clock.start(this.now())
    this.setPhase('recording')
  }

  private onChunk(chunk: ChunkPort): void {
    // MediaRecorder hands out empty blobs around pause and stop; they carry nothing to append.
    if (chunk.size === 0) return
    const seq = this.nextSeq++
    this.chain = this.chain.then(() => this.sendChunk(seq, chunk))
  }

  private async sendChunk(seq: number, chunk: ChunkPort): Promise<void> {
    // After one failed chunk the file would have a hole; keep what is on disk and send no more.
    if (this.sendFailure !== null || !this.id) return
    try {
      const data = new Uint8Array(await chunk.arrayBuffer())
      const ack = await this.api.invoke('recording:chunk', this.id, seq, data)
      if (ack.diskLow) void this.stop(ENDED_DISK_LOW)
    } catch (error) {
      this.sendFailure = errorMessage(error)
      void this.stop(
        `Saving the recording failed (${this.sendFailure}), so Sidecast stopped recording. Everything recorded up to then is kept.`
      )
    }
  }

  private onDisplayEnded(): void {
    if (this.currentPhase === 'ready') {
      this.release()
      this.setPhase('idle')
      this.finishWith({
        summary: null,
        endedBecause: 'The shared screen or window was closed before recording started.',
        error: null
      })
      return
    }
    void this.stop(ENDED_SOURCE_CLOSED)
  }

  private tellMain(phase: 'recording' | 'paused'): void {
    if (!this.id) return
    // Main only mirrors this in the tray; a failure must not disturb the recording.
    this.api.invoke('recording:state', this.id, phase).catch(() => undefined)
  }

  private cancelledWhileAcquiring(): boolean {
    if (this.currentPhase === 'acquiring') return false
    this.release()
    return true
  }

  private release(): void {
    for (const cleanup of this.cleanups.splice(0)) cleanup()
    this.display?.stop()
    this.display = null
    const mic = this.mic
    this.mic = null
    if (mic) void mic.close().catch(() => undefined)
  }

  private finishWith(outcome: SessionOutcome): void {
    this.emit({ type: 'finished', outcome })
  }

  private setPhase(phase: SessionPhase): void {
    if (this.currentPhase === phase) return
    this.currentPhase = phase
    this.emit({ type: 'phase', phase })
  }

  private emit(event: SessionEvent): void {
    for (const listener of [...this.listeners]) listener(event)
  }
}

function cancelled(): SidecastError {
  return new SidecastError('cancelled', 'Recording was cancelled.')
}
