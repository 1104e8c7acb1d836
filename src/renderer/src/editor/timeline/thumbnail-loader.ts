/**
 * The timeline's strip of frames: a hidden <video> of the same recording seeks to evenly spaced
 * times and each frame is drawn to a small canvas. Runs after the editor is usable and stops
 * when the timeline goes away.
 */

export interface ThumbnailFrame {
  /** The time the frame shows, ms on the recording's clock. */
  readonly timeMs: number
  readonly image: HTMLCanvasElement
}

/** How long one seek may take before the strip gives up on it. */
const SEEK_TIMEOUT_MS = 8000

/** `count` times, each in the middle of its slice of the recording. */
export function thumbnailTimes(durationMs: number, count: number): number[] {
  const n = Math.max(0, Math.floor(count))
  return Array.from({ length: n }, (_, i) => Math.round(((i + 0.5) * durationMs) / n))
}

/**
 * Captures a frame at each time, `height` pixels tall, calling `onFrame` as each one is ready.
 * Resolves when done, stopped (`signal`) or the video cannot be read; never rejects.
 */
export async function captureThumbnails(
  url: string,
  times: readonly number[],
  height: number,
  signal: AbortSignal,
  onFrame: (index: number, frame: ThumbnailFrame) => void
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
    for (const [index, timeMs] of times.entries()) {
      if (signal.aborted) return
      video.currentTime = timeMs / 1000
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
      window.requestIdleCallback(() => resolve(), { timeout: 500 })
    else setTimeout(resolve, 16)
  })
}
