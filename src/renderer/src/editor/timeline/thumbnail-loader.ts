/**
 * The timeline's strip of frames: a hidden <video> of the same recording seeks to evenly spaced
 * times and each frame is drawn to a small canvas. Runs once the editor is usable and stops when
 * the timeline goes away. Times stop short of the end (a seek past the last decodable frame
 * draws black), and frames come coarse to fine, so the whole strip has a picture early on.
 */
import { clampToLastFrame } from './thumbnail-times'

export interface ThumbnailFrame {
  /** The time the frame shows, ms on the recording's clock. */
  readonly timeMs: number
  readonly image: HTMLCanvasElement
}

/** How long one seek may take before the strip gives up on it. */
const SEEK_TIMEOUT_MS = 8000

/**
 * Captures a frame at each time, `height` pixels tall, calling `onFrame` as each one is ready.
 * Resolves when done, stopped (`signal`) or the video cannot be read; never rejects.
 */
export async function captureThumbnails(
  url: string,
  times: readonly number[],
  height: number,
  signal: AbortSignal,
  onFrame: (index: number, frame: ThumbnailFrame) => void,
  order: readonly number[] = times.map((_, i) => i)
): Promise<void> {
  const video = document.createElement('video')
  video.muted = true
  video.preload = 'auto'
  video.playsInline = true
  const stop = (): void => {
    video.removeAttribute('src')
    video.load()
  }
  signal.addEventListener('abort', stop, { once: true })
  try {
    video.src = url
    if (!(await waitFor(video, 'loadeddata', signal))) return
    const ratio = video.videoWidth > 0 ? video.videoWidth / video.videoHeight : 16 / 9
    const h = Math.max(1, Math.round(height * window.devicePixelRatio))
    const w = Math.max(1, Math.round(h * ratio))
    // The video's own length, when it knows it, can be shorter than the recording's.
    const videoMs = Number.isFinite(video.duration) ? video.duration * 1000 : Infinity
    for (const index of order) {
      const timeMs = times[index]
      if (timeMs === undefined) continue
      if (signal.aborted) return
      video.currentTime = clampToLastFrame(timeMs, videoMs) / 1000
      if (!(await waitFor(video, 'seeked', signal))) return
      const canvas = document.createElement('canvas')
      canvas.width = w
      canvas.height = h
      canvas.getContext('2d')?.drawImage(video, 0, 0, w, h)
      onFrame(index, { timeMs, image: canvas })
      // Let the editor breathe between frames.
      await idle(signal)
    }
  } finally {
    signal.removeEventListener('abort', stop)
    stop()
  }
}

/** Resolves true when `event` fires, false on error, abort or timeout. */
function waitFor(video: HTMLVideoElement, event: string, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false)
    const done = (ok: boolean): void => {
      clearTimeout(timer)
      video.removeEventListener(event, onEvent)
      video.removeEventListener('error', onError)
      signal.removeEventListener('abort', onAbort)
      resolve(ok)
    }
    const onEvent = (): void => done(true)
    const onError = (): void => done(false)
    const onAbort = (): void => done(false)
    const timer = setTimeout(() => done(false), SEEK_TIMEOUT_MS)
    video.addEventListener(event, onEvent)
    video.addEventListener('error', onError)
    signal.addEventListener('abort', onAbort)
  })
}

function idle(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    if ('requestIdleCallback' in window)
      window.requestIdleCallback(() => resolve(), { timeout: 50 })
    else setTimeout(resolve, 16)
  })
}
