/**
 * The real media ports: getDisplayMedia, getUserMedia routed through Web Audio, and MediaRecorder.
 * Kept apart from the session so the session stays testable without a browser.
 */
import { levelFromSamples } from './audio-level'
import type {
  CameraCapture,
  CameraConstraints,
  DisplayCapture,
  DisplayConstraints,
  MediaPorts,
  MicrophoneCapture,
  MicrophoneConstraints,
  RecorderHandlers,
  RecorderOptions,
  RecorderPort,
  TrackPort
} from './media-ports'

/** The stream's video track; without one, stops the stream and throws `missing`. */
function videoTrackOf(stream: MediaStream, missing: string): MediaStreamTrack {
  const track = stream.getVideoTracks()[0]
  if (!track) {
    stream.getTracks().forEach((t) => t.stop())
    throw new Error(missing)
  }
  return track
}

/** What display and camera captures share: the frame size, the track's end, stopping the stream. */
function videoCapture(
  stream: MediaStream,
  track: MediaStreamTrack
): Pick<DisplayCapture, 'width' | 'height' | 'onEnded' | 'stop'> {
  const settings = track.getSettings()
  return {
    width: settings.width ?? null,
    height: settings.height ?? null,
    onEnded(listener) {
      track.addEventListener('ended', listener, { once: true })
      return () => track.removeEventListener('ended', listener)
    },
    stop() {
      stream.getTracks().forEach((t) => t.stop())
    }
  }
}

async function getDisplayMedia(constraints: DisplayConstraints): Promise<DisplayCapture> {
  const stream = await navigator.mediaDevices.getDisplayMedia(constraints)
  const track = videoTrackOf(stream, 'The capture has no video')
  return { videoTrack: track, ...videoCapture(stream, track) }
}

/**
 * Opens a microphone and routes it source → analyser (level) and source → destination (the track
 * to record). Used for the live meter before recording as well as by the session.
 */
export async function openMicrophoneGraph(
  constraints: MicrophoneConstraints
): Promise<MicrophoneCapture> {
  const stream = await navigator.mediaDevices.getUserMedia(constraints)
  const input = stream.getAudioTracks()[0]
  const context = new AudioContext()
  // Created after an await, the context may start suspended under the autoplay policy.
  void context.resume().catch(() => undefined)
  const source = context.createMediaStreamSource(stream)
  const analyser = context.createAnalyser()
  analyser.fftSize = 2048
  const destination = context.createMediaStreamDestination()
  source.connect(analyser)
  source.connect(destination)
  const samples = new Float32Array(analyser.fftSize)
  const output = destination.stream.getAudioTracks()[0]
  if (!output) throw new Error('The audio graph gave no track')
  let closed = false

  return {
    track: output,
    level() {
      if (closed) return 0
      if (context.state === 'suspended') void context.resume().catch(() => undefined)
      analyser.getFloatTimeDomainData(samples)
      return levelFromSamples(samples)
    },
    onDeviceLost(listener) {
      if (!input) return () => undefined
      input.addEventListener('ended', listener, { once: true })
      return () => input.removeEventListener('ended', listener)
    },
    async close() {
      if (closed) return
      closed = true
      stream.getTracks().forEach((t) => t.stop())
      output.stop()
      source.disconnect()
      await context.close()
    }
  }
}

/** How long opening the camera waits for its first frame before going on anyway. */
const CAMERA_FIRST_FRAME_TIMEOUT_MS = 3000

/** Resolves once `stream` has shown a frame (or after `timeoutMs`). */
async function firstFrame(stream: MediaStream, timeoutMs: number): Promise<void> {
  const video = document.createElement('video')
  video.muted = true
  video.playsInline = true
  video.srcObject = stream
  try {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs)
      const done = (): void => {
        clearTimeout(timer)
        resolve()
      }
      if (typeof video.requestVideoFrameCallback === 'function') {
        video.requestVideoFrameCallback(() => done())
      } else {
        video.addEventListener('loadeddata', done, { once: true })
      }
      video.play().catch(() => done())
    })
  } finally {
    video.pause()
    video.srcObject = null
  }
}

/**
 * Opens the camera (video only) for the session, once it shows a frame. The preview and the bubble
 * window open theirs with openCameraStream (camera-stream.ts), which does not wait for a frame.
 */
export async function openCamera(constraints: CameraConstraints): Promise<CameraCapture> {
  const stream = await navigator.mediaDevices.getUserMedia(constraints)
  const track = videoTrackOf(stream, 'The camera gave no video')
  // getUserMedia may resolve before the camera sends anything; a recorder started then would
  // begin its file late, and the offset measured at its start would be off by that much.
  await firstFrame(stream, CAMERA_FIRST_FRAME_TIMEOUT_MS)
  return { track, label: track.label, ...videoCapture(stream, track) }
}

function createRecorder(
  tracks: readonly TrackPort[],
  options: RecorderOptions,
  handlers: RecorderHandlers
): RecorderPort {
  // The ports only ever hand back tracks this module created, so they are real tracks.
  const stream = new MediaStream(tracks as MediaStreamTrack[])
  const recorder = new MediaRecorder(stream, options)
  recorder.addEventListener('start', () => handlers.onStart())
  recorder.addEventListener('dataavailable', (event) => handlers.onData(event.data))
  recorder.addEventListener('stop', () => handlers.onStop())
  recorder.addEventListener('error', (event) => {
    const error = (event as Event & { error?: { message?: string } }).error
    handlers.onError(error?.message || 'unknown recorder error')
  })
  return recorder
}

export const browserMedia: MediaPorts = {
  getDisplayMedia,
  openMicrophone: openMicrophoneGraph,
  openCamera,
  isTypeSupported: (mimeType) =>
    typeof MediaRecorder !== 'undefined' && MediaRecorder.isTypeSupported(mimeType),
  createRecorder
}
