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
 *
 * With a camera chosen, a second MediaRecorder records the camera alone into its own file
 * (`recording:camera-chunk`, its own sequence and send chain). The camera is secondary: when it
 * cannot be opened at prepare() nothing is recorded (the user asked to be on camera, so a silent
 * screen-only take would surprise them; the message names the problem and the "No camera" way
 * out), but once recording, a camera that is unplugged or fails stops only the camera: its file
 * keeps what it got and the screen goes on. The offset between the two files is measured from
 * each recorder's start event and sent with `recording:camera-info`, as are the camera-off
 * stretches (recording clock) and an early end.
 */
import { SidecastError } from '../../../shared/errors'
import type {
  AnswerTarget,
  CameraInfo,
  SidecastApi,
  StartRecordingRequest
} from '../../../shared/ipc'
import type { ProjectSummary } from '../../../shared/project'
import { errorMessage } from '../lib/error-message'
import { cameraError, displayCaptureError, microphoneError } from './capture-errors'
import { ElapsedClock } from './elapsed-clock'
import type {
  CameraCapture,
  CameraConstraints,
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
import {
  CAMERA_BITS_PER_SECOND,
  chooseCameraMimeType,
  chooseMimeType,
  videoBitsPerSecond
} from './mime-type'

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
export const CAMERA_LOST = 'Camera disconnected — recording continues without the camera.'
/** recording.json's camera.endedBecause when the camera was unplugged. */
export const CAMERA_ENDED_UNPLUGGED = 'The camera was disconnected.'

/** What the camera is asked for: about 720p at 30 fps; the bubble shows it small. */
export const CAMERA_SIZE = { width: 1280, height: 720, frameRate: 30 } as const

/** getUserMedia constraints for a camera id (`default`: the system's first camera). */
export function cameraConstraints(cameraId: string): CameraConstraints {
  return {
    video: {
      ...(cameraId && cameraId !== 'default' ? { deviceId: { exact: cameraId } } : {}),
      width: { ideal: CAMERA_SIZE.width },
      height: { ideal: CAMERA_SIZE.height },
      frameRate: { ideal: CAMERA_SIZE.frameRate, max: CAMERA_SIZE.frameRate }
    },
    audio: false
  }
}

/**
 * The end of an off stretch still open (the camera is off now): main ends it with the recording
 * (capture-writer's finish clamps off stretches to the recording's length).
 */
export const OPEN_OFF_END = Number.MAX_SAFE_INTEGER

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
  /** The camera stopped mid-recording (unplugged, failed); the screen goes on. */
  | { readonly type: 'camera-lost'; readonly message: string }
  /** The camera was switched on or off in the recording bar. */
  | { readonly type: 'camera'; readonly on: boolean }
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
  /** A camera device id, `default`, or `none` (absent: none) for no camera. */
  readonly cameraId?: string
  /** The camera's name as the user saw it in the list; else the device's own label. */
  readonly cameraLabel?: string
  /** process.platform of the app, to word permission advice (macOS has its own settings path). */
  readonly platform?: string
  /** The library request this recording answers ("Record an answer"): its title and id. */
  readonly answer?: AnswerTarget
}

const defaultNow = (): number =>
  typeof performance !== 'undefined' ? performance.now() : Date.now()

/** A MediaRecorder and the promise of its `stop` event. */
interface RunningRecorder {
  readonly port: RecorderPort
  readonly stopped: Promise<void>
}

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
  private recorder: RunningRecorder | null = null
  private sourceName = ''
  private answer: AnswerTarget | null = null
  private id: string | null = null
  private nextSeq = 0
  private chain: Promise<void> = Promise.resolve()
  private sendFailure: string | null = null
  private starting: Promise<unknown> | null = null
  private stopping: Promise<SessionOutcome> | null = null
  private restarting: Promise<void> | null = null
  private mimeType = ''

  // The camera, when one was chosen and is still recording.
  private camera: CameraCapture | null = null
  private cameraLabel = ''
  private cameraMimeType = ''
  private cameraRecorder: RunningRecorder | null = null
  private cameraStopping: Promise<void> | null = null
  private cameraSeq = 0
  private cameraChain: Promise<void> = Promise.resolve()
  private cameraFailed = false
  /** Why the camera stopped in this take (unplugged, failed), or null while it records. */
  private cameraEnded: string | null = null
  /** camera-info messages in order; finishing waits for them. */
  private infoChain: Promise<void> = Promise.resolve()
  private screenStartedAt: number | null = null
  private cameraStartedAt: number | null = null
  private offsetSent = false
  private cameraOn = true
  private offRanges: Array<[number, number]> = []
  /** Recording-clock ms where the camera was switched off, while it is off. */
  private offSince: number | null = null

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

  /** True while a camera is held (chosen, opened, neither unplugged nor failed). */
  get hasCamera(): boolean {
    return this.camera !== null
  }

  /** False while the camera is switched off in the recording bar. */
  get cameraEnabled(): boolean {
    return this.cameraOn
  }

  /** Camera-off stretches of this take so far (recording clock, ms). */
  cameraOffRanges(): ReadonlyArray<readonly [number, number]> {
    return this.offRanges.map(([a, b]) => [a, b] as const)
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
    this.answer = options.answer ?? null
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

    const cameraId = options.cameraId ?? 'none'
    if (cameraId !== 'none') {
      try {
        this.camera = await this.media.openCamera(cameraConstraints(cameraId))
      } catch (error) {
        this.release()
        this.setPhase('idle')
        throw cameraError(error, platform)
      }
      if (this.cancelledWhileAcquiring()) throw cancelled()
      this.cameraLabel = options.cameraLabel || this.camera.label || 'Camera'
      this.cameraOn = true
      const camera = this.camera
      this.cleanups.push(camera.onEnded(() => this.onCameraEnded(camera)))
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
    if (this.camera) {
      const cameraMimeType = chooseCameraMimeType((type) => this.media.isTypeSupported(type))
      if (!cameraMimeType) {
        this.release()
        this.setPhase('idle')
        throw new SidecastError(
          'recorder-unsupported',
          'This system cannot record the camera as WebM video, so nothing was recorded. Choose “No camera” to record the screen.'
        )
      }
      this.cameraMimeType = cameraMimeType
    }
    this.mimeType = mimeType
    let projectId: string
    const request = this.startRequest()
    try {
      projectId = (await this.api.invoke('recording:start', request)).projectId
    } catch (error) {
      this.release()
      this.setPhase('idle')
      throw error
    }
    this.id = projectId
    this.cameraGoneSince(request)

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

  /** What main is asked to record: the screen, and the camera's own file while there is one. */
  private startRequest(): StartRecordingRequest {
    return {
      mimeType: this.mimeType,
      sourceName: this.sourceName,
      ...(this.camera
        ? { camera: { mimeType: this.cameraMimeType, deviceName: this.cameraLabel } }
        : {}),
      ...(this.answer ? { answer: this.answer } : {})
    }
  }

  /** The camera went away while main was creating a take with it: say so in its facts. */
  private cameraGoneSince(request: StartRecordingRequest): void {
    if (request.camera && !this.camera) {
      this.sendCameraInfo({ endedBecause: this.cameraEnded ?? CAMERA_ENDED_UNPLUGGED })
    }
  }

  /** A new MediaRecorder on the streams we hold, started; and the camera's, when there is one. */
  private startRecorder(): void {
    const display = this.display
    if (!display) throw new Error('No display capture')
    const tracks: TrackPort[] = [display.videoTrack]
    if (this.mic) tracks.push(this.mic.track)
    this.screenStartedAt = null
    this.recorder = this.createRecorder(
      tracks,
      {
        mimeType: this.mimeType,
        videoBitsPerSecond: videoBitsPerSecond(display.width, display.height),
        videoKeyFrameIntervalDuration: KEYFRAME_INTERVAL_MS,
        ...(this.mic ? { audioBitsPerSecond: AUDIO_BITS_PER_SECOND } : {})
      },
      {
        onStart: () => {
          this.screenStartedAt = this.now()
          this.sendOffsetOnce()
        },
        onData: (chunk) => this.onChunk(chunk),
        onError: (message) =>
          void this.stop(
            `The recorder failed (${message}), so Sidecast stopped recording. Everything recorded up to then is kept.`
          )
      }
    )
    this.recorder.port.start(this.timesliceMs)
    this.startCameraRecorder()
  }

  /** The camera's MediaRecorder for this take; a failure to start loses the camera, not the take. */
  private startCameraRecorder(): void {
    const camera = this.camera
    this.cameraStartedAt = null
    if (!camera) return
    try {
      this.cameraRecorder = this.createRecorder(
        [camera.track],
        {
          mimeType: this.cameraMimeType,
          videoBitsPerSecond: CAMERA_BITS_PER_SECOND,
          videoKeyFrameIntervalDuration: KEYFRAME_INTERVAL_MS
        },
        {
          onStart: () => {
            this.cameraStartedAt = this.now()
            this.sendOffsetOnce()
          },
          onData: (chunk) => this.onCameraChunk(chunk),
          onError: (message) =>
            void this.endCamera(`The camera's recorder failed (${message}).`, cameraFailed())
        }
      )
      this.cameraRecorder.port.start(this.timesliceMs)
    } catch (error) {
      this.cameraRecorder = null
      void this.endCamera(
        `The camera's recorder could not start (${errorMessage(error)}).`,
        cameraFailed()
      )
    }
  }

  private createRecorder(
    tracks: TrackPort[],
    options: Parameters<MediaPorts['createRecorder']>[1],
    handlers: Omit<Parameters<MediaPorts['createRecorder']>[2], 'onStop'>
  ): RunningRecorder {
    let onStop = (): void => undefined
    const stopped = new Promise<void>((resolve) => {
      onStop = resolve
    })
    const port = this.media.createRecorder(tracks, options, { ...handlers, onStop })
    return { port, stopped }
  }

  pause(): void {
    if (this.currentPhase !== 'recording' || !this.recorder || !this.id) return
    this.recorder.port.pause()
    const camera = this.cameraRecorder?.port
    if (camera?.state === 'recording') camera.pause()
    this.clock.pause(this.now())
    this.setPhase('paused')
    this.tellMain('paused')
  }

  resume(): void {
    if (this.currentPhase !== 'paused' || !this.recorder || !this.id) return
    this.recorder.port.resume()
    const camera = this.cameraRecorder?.port
    if (camera?.state === 'paused') camera.resume()
    this.clock.resume(this.now())
    this.setPhase('recording')
    this.tellMain('recording')
  }

  /**
   * Camera on/off in the recording bar. Off keeps the camera recording black frames (the file's
   * timing stays whole) and marks an off stretch on the recording clock, sent to main as
   * `offRanges`: the default bubble is hidden there. Only while recording or paused with a camera.
   */
  setCameraOn(on: boolean): void {
    if (!this.camera || on === this.cameraOn) return
    if (this.currentPhase !== 'recording' && this.currentPhase !== 'paused') return
    this.camera.track.enabled = on
    this.cameraOn = on
    const at = Math.round(this.elapsedMs())
    if (!on) {
      this.offSince = at
      // Told at once, still open: if the app dies before the camera is back on, the stretch
      // runs to the end of what was recorded (main ends it there) instead of being lost.
      this.sendCameraInfo({ offRanges: [...this.cameraOffRanges(), [at, OPEN_OFF_END]] })
    } else {
      this.closeOffRange(at)
      this.sendCameraInfo({ offRanges: this.cameraOffRanges() })
    }
    this.emit({ type: 'camera', on })
  }

  /** Ends an open off stretch at `at` (recording clock), merging it into the list. */
  private closeOffRange(at: number): boolean {
    const since = this.offSince
    this.offSince = null
    if (since === null || at <= since) return false
    this.offRanges = mergeRange(this.offRanges, [since, at])
    return true
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
    if (this.closeOffRange(Math.round(this.elapsedMs()))) {
      this.sendCameraInfo({ offRanges: this.cameraOffRanges() })
    }
    // The screen first, then the camera: once the screen's encoder is done, the camera's catches
    // up on the frames it still holds (on a busy machine it lags, and what it holds at its stop
    // is dropped), so the camera's file ends with the recording instead of seconds before.
    await this.stopRecorder(recorder)
    await this.stopCamera()
    // The offset, off stretches and any early end are in recording.json before it is finished.
    await this.infoChain

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
  private async stopRecorder(recorder: RunningRecorder): Promise<void> {
    await this.stopAndWait(recorder)
    // The last chunk was queued by now (dataavailable precedes stop); wait for every send.
    await this.chain
  }

  /** Stops the camera's recorder (once per take) and waits for its last chunk to be sent. */
  private stopCamera(): Promise<void> {
    const recorder = this.cameraRecorder
    if (!recorder) return this.cameraChain
    this.cameraStopping ??= this.stopAndWait(recorder).then(() => this.cameraChain)
    return this.cameraStopping
  }

  /** Stops a recorder and waits for its stop event, or stopTimeoutMs when that never comes. */
  private async stopAndWait(recorder: RunningRecorder): Promise<void> {
    if (recorder.port.state === 'inactive') return
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.stopTimeoutMs)
    })
    try {
      recorder.port.stop()
    } catch {
      // Already stopping after an error; its stop event (or the timeout) still ends the wait.
    }
    await Promise.race([recorder.stopped, timeout])
    clearTimeout(timer)
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
    await Promise.all([recorder ? this.stopRecorder(recorder) : undefined, this.stopCamera()])
    await this.infoChain
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
    await Promise.all([this.stopRecorder(recorder), this.stopCamera()])
    await this.infoChain
    this.recorder = null
    let newId: string
    const request = this.startRequest()
    try {
      newId = (await this.api.invoke('recording:restart', oldId, request)).projectId
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
    // The camera starts the new take afresh: its own file, sequence, offset and off stretches.
    this.cameraRecorder = null
    this.cameraStopping = null
    this.cameraSeq = 0
    this.cameraChain = Promise.resolve()
    this.offsetSent = false
    this.offRanges = []
    this.offSince = this.camera && !this.cameraOn ? 0 : null
    // Off across the restart: the new take is off from its start (open-ended, as when switched off).
    if (this.offSince !== null) this.sendCameraInfo({ offRanges: [[0, OPEN_OFF_END]] })
    this.cameraGoneSince(request)
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

  private onCameraChunk(chunk: ChunkPort): void {
    if (chunk.size === 0) return
    const seq = this.cameraSeq++
    const id = this.id
    this.cameraChain = this.cameraChain.then(() => this.sendCameraChunk(id, seq, chunk))
  }

  private async sendCameraChunk(id: string | null, seq: number, chunk: ChunkPort): Promise<void> {
    // A hole in the camera's file would break it from there on: after a failure, send no more.
    if (this.cameraFailed || !id) return
    try {
      const data = new Uint8Array(await chunk.arrayBuffer())
      const ack = await this.api.invoke('recording:camera-chunk', id, seq, data)
      if (ack.diskLow) void this.stop(ENDED_DISK_LOW)
    } catch (error) {
      this.cameraFailed = true
      // Not awaited: stopping the camera waits for this very chain.
      void this.endCamera(`Saving the camera failed (${errorMessage(error)}).`, cameraFailed())
    }
  }

  /** Both recorders have started: where the camera's first frame falls on the recording clock. */
  private sendOffsetOnce(): void {
    if (this.offsetSent || this.screenStartedAt === null || this.cameraStartedAt === null) return
    this.offsetSent = true
    this.sendCameraInfo({ offsetMs: Math.round(this.cameraStartedAt - this.screenStartedAt) })
  }

  /** Sends camera facts to main in order; a failure only loses that fact, never the recording. */
  private sendCameraInfo(info: CameraInfo): void {
    const id = this.id
    if (!id) return
    this.infoChain = this.infoChain.then(() =>
      this.api.invoke('recording:camera-info', id, info).then(
        () => undefined,
        () => undefined
      )
    )
  }

  private onCameraEnded(camera: CameraCapture): void {
    if (this.camera !== camera) return
    switch (this.currentPhase) {
      case 'acquiring':
      case 'ready':
        // Before recording: the take is made without the camera, and the user told so.
        this.camera = null
        camera.stop()
        this.emit({ type: 'camera-lost', message: CAMERA_LOST })
        return
      case 'stopping':
      case 'stopped':
      case 'idle':
        return
      default:
        void this.endCamera(CAMERA_ENDED_UNPLUGGED, CAMERA_LOST)
    }
  }

  /**
   * The camera stops for good while the screen goes on: its recorder's last chunk is still saved,
   * main is told why (`endedBecause`), and the user is told.
   */
  private async endCamera(endedBecause: string, message: string): Promise<void> {
    const camera = this.camera
    if (!camera || this.cameraEnded !== null) return
    this.cameraEnded = endedBecause
    if (this.closeOffRange(Math.round(this.elapsedMs()))) {
      this.sendCameraInfo({ offRanges: this.cameraOffRanges() })
    }
    this.emit({ type: 'camera-lost', message })
    await this.stopCamera()
    if (this.camera === camera) this.camera = null
    camera.stop()
    this.sendCameraInfo({ endedBecause })
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
    this.camera?.stop()
    this.camera = null
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

function cameraFailed(): string {
  return 'The camera stopped recording — recording continues without the camera.'
}

/** Adds `range` to sorted, merged ranges, keeping them sorted and merged. */
export function mergeRange(
  ranges: ReadonlyArray<readonly [number, number]>,
  range: readonly [number, number]
): Array<[number, number]> {
  const all = [...ranges, range].map(([a, b]) => [a, b] as [number, number])
  all.sort((x, y) => x[0] - y[0])
  const merged: Array<[number, number]> = []
  for (const [a, b] of all) {
    const last = merged[merged.length - 1]
    if (last && a <= last[1]) last[1] = Math.max(last[1], b)
    else merged.push([a, b])
  }
  return merged
}

function cancelled(): SidecastError {
  return new SidecastError('cancelled', 'Recording was cancelled.')
}
