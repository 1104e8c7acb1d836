/** Opening the camera's stream from an effect: the recorder's preview and the bubble window. */
import { cameraConstraints } from './recording-session'

/** Stops every track of `stream` (the camera's light goes off). */
function stopStream(stream: MediaStream): void {
  stream.getTracks().forEach((t) => t.stop())
}

/**
 * Opens camera `cameraId` and hands its stream to `opened`, or the error to `failed`; returns the
 * effect's cleanup, which stops the stream. A stream that arrives after the cleanup is stopped at
 * once, and neither callback is called.
 */
export function openCameraStream(
  cameraId: string,
  opened: (stream: MediaStream) => void,
  failed: (error: unknown) => void
): () => void {
  let stopped = false
  let stream: MediaStream | null = null
  navigator.mediaDevices
    .getUserMedia(cameraConstraints(cameraId))
    .then((media) => {
      if (stopped) {
        stopStream(media)
        return
      }
      stream = media
      opened(media)
    })
    .catch((error: unknown) => {
      if (!stopped) failed(error)
    })
  return () => {
    stopped = true
    if (stream) stopStream(stream)
  }
}
