/**
 * The slice of the browser's media APIs that a recording session needs, as small interfaces.
 * The session is written against these so unit tests drive it with fakes in Node; the browser
 * implementation lives in `browser-media.ts`.
 */

/** Constraints passed to getDisplayMedia (a structural subset of DisplayMediaStreamOptions). */
export interface DisplayConstraints {
  readonly video: {
    readonly width: { readonly ideal: number }
    readonly height: { readonly ideal: number }
    readonly frameRate: { readonly ideal: number; readonly max: number }
  }
  readonly audio: false
}

/** Constraints passed to getUserMedia for the microphone. */
export interface MicrophoneConstraints {
  readonly audio: {
    /** A device id (ideal, so a missing device falls back to the default) or absent for the default. */
    readonly deviceId?: string
    readonly echoCancellation: true
    readonly noiseSuppression: true
  }
}

/** A media track as the session sees it; a real MediaStreamTrack satisfies it. */
export interface TrackPort {
  readonly kind: string
  stop(): void
}

/**
 * Constraints passed to getUserMedia for the camera: the chosen device (exact, so another camera
 * is never recorded in its place; absent for the system's default camera), about 720p at 30 fps.
 */
export interface CameraConstraints {
  readonly video: {
    readonly deviceId?: { readonly exact: string }
    readonly width: { readonly ideal: number }
    readonly height: { readonly ideal: number }
    readonly frameRate: { readonly ideal: number; readonly max: number }
  }
  readonly audio: false
}

/** The camera's video track: `enabled = false` turns it black without ending it. */
export interface CameraTrackPort extends TrackPort {
  enabled: boolean
}

/** The opened camera. */
export interface CameraCapture {
  readonly track: CameraTrackPort
  /** The device's label as the browser reports it ('' when it does not). */
  readonly label: string
  /** Frame size the camera delivers, when the browser reports it. */
  readonly width: number | null
  readonly height: number | null
  /** Calls `listener` once when the camera goes away (unplugged, taken); returns the unsubscribe. */
  onEnded(listener: () => void): () => void
  /** Stops the camera. */
  stop(): void
}

/** The captured screen or window. */
export interface DisplayCapture {
  readonly videoTrack: TrackPort
  /** Frame size the capture delivers, when the browser reports it. */
  readonly width: number | null
  readonly height: number | null
  /** Calls `listener` once when the user stops sharing or the shared window closes; returns the unsubscribe. */
  onEnded(listener: () => void): () => void
  /** Stops every track of the capture. */
  stop(): void
}

/**
 * The microphone routed through an audio graph. The graph's destination track is what gets
 * recorded: it keeps running (as silence) when the device is unplugged, so the recording goes on.
 */
export interface MicrophoneCapture {
  /** The graph destination's audio track, fed to the recorder. */
  readonly track: TrackPort
  /** The current input level, 0 (silence) … 1 (full scale), for meters and silence detection. */
  level(): number
  /** Calls `listener` once when the input device goes away; returns the unsubscribe. */
  onDeviceLost(listener: () => void): () => void
  /** Stops the device and closes the audio graph. */
  close(): Promise<void>
}

/** What the recorder hands over each timeslice; a Blob satisfies it. */
export interface ChunkPort {
  readonly size: number
  arrayBuffer(): Promise<ArrayBuffer>
}

export type RecorderPortState = 'inactive' | 'recording' | 'paused'

/** A MediaRecorder, reduced to what the session drives. */
export interface RecorderPort {
  readonly state: RecorderPortState
  start(timesliceMs: number): void
  pause(): void
  resume(): void
  stop(): void
}

export interface RecorderOptions {
  readonly mimeType: string
  readonly videoBitsPerSecond: number
  /**
   * Milliseconds between keyframes (MediaRecorder's option of the same name; a browser without it
   * ignores it). Absent: the encoder's own spacing.
   */
  readonly videoKeyFrameIntervalDuration?: number
  /** Absent when there is no audio track. */
  readonly audioBitsPerSecond?: number
}

/** How the recorder reports back; exactly the MediaRecorder events the session cares about. */
export interface RecorderHandlers {
  /** The recorder has started (`start`): its first frame is being taken now. */
  onStart(): void
  /** A chunk of media, in recording order (`dataavailable`). */
  onData(chunk: ChunkPort): void
  /** The recorder has delivered its last chunk (`stop`). */
  onStop(): void
  /** The recorder failed (`error`); it stops by itself afterwards. */
  onError(message: string): void
}

/** The browser's media capabilities, injected into the session. */
export interface MediaPorts {
  getDisplayMedia(constraints: DisplayConstraints): Promise<DisplayCapture>
  openMicrophone(constraints: MicrophoneConstraints): Promise<MicrophoneCapture>
  openCamera(constraints: CameraConstraints): Promise<CameraCapture>
  isTypeSupported(mimeType: string): boolean
  createRecorder(
    tracks: readonly TrackPort[],
    options: RecorderOptions,
    handlers: RecorderHandlers
  ): RecorderPort
}
