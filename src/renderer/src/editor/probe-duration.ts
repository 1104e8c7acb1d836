/** The recording's duration read from the media itself (when recording.json has none). */
export function probeDurationMs(url: string): Promise<number | null> {
  return new Promise((resolve) => {
    const video = document.createElement('video')
    video.preload = 'metadata'
    const done = (value: number | null): void => {
      clearTimeout(timer)
      video.removeAttribute('src')
      video.load()
      resolve(value)
    }
    const timer = setTimeout(() => done(null), 15_000)
    video.onloadedmetadata = () =>
      done(Number.isFinite(video.duration) ? Math.round(video.duration * 1000) : null)
    video.onerror = () => done(null)
    video.src = url
  })
}
