/**
 * The player: play and pause, seeking, and skipping what is cut. The <video> plays the whole
 * recording; while it plays, every presented frame (requestVideoFrameCallback, with timeupdate
 * as a backstop) is checked against the kept ranges and playback jumps over cut parts and stops
 * at the end of the last kept range.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import type { RefObject } from 'react'
import { nextPlayableTime, type NormalizedKeep } from '../../../shared/timeline'

export interface Playback {
  /** The playhead, ms on the recording's clock. */
  readonly currentMs: number
  readonly playing: boolean
  play(): void
  pause(): void
  toggle(): void
  /** Moves the playhead (and the video) to `ms` of the recording. */
  seek(ms: number): void
}

/** Half a frame: a jump smaller than this is not worth a seek. */
const SKIP_SLACK_MS = 15

export function usePlayback(
  videoRef: RefObject<HTMLVideoElement | null>,
  keep: NormalizedKeep,
  durationMs: number
): Playback {
  const [currentMs, setCurrentMs] = useState(0)
  const [playing, setPlaying] = useState(false)
  const keepRef = useRef(keep)
  useEffect(() => {
    keepRef.current = keep
  }, [keep])

  useEffect(() => {
    const video = videoRef.current
    if (!video) return
    let frameRequest: number | null = null

    /** Jumps over a cut part or stops at the end; true when it moved the video. */
    const enforceKeep = (): boolean => {
      if (video.paused || video.seeking) return false
      const keepNow = keepRef.current
      const t = video.currentTime * 1000
      const next = nextPlayableTime(t, keepNow)
      if (next === null) {
        video.pause()
        const end = keepNow[keepNow.length - 1]?.[1] ?? t
        video.currentTime = end / 1000
        setCurrentMs(end)
        return true
      }
      if (next > t + SKIP_SLACK_MS) {
        video.currentTime = next / 1000
        setCurrentMs(next)
        return true
      }
      return false
    }

    const onFrame = (): void => {
      frameRequest = null
      if (!enforceKeep()) setCurrentMs(video.currentTime * 1000)
      if (!video.paused) frameRequest = video.requestVideoFrameCallback(onFrame)
    }
    const onPlay = (): void => {
      setPlaying(true)
      if (frameRequest === null) frameRequest = video.requestVideoFrameCallback(onFrame)
    }
    const onPause = (): void => {
      setPlaying(false)
      setCurrentMs(video.currentTime * 1000)
    }
    const onTime = (): void => {
      if (!enforceKeep() && !video.paused) setCurrentMs(video.currentTime * 1000)
    }
    const onSeeked = (): void => {
      if (!video.paused) enforceKeep()
    }
    video.addEventListener('play', onPlay)
    video.addEventListener('pause', onPause)
    video.addEventListener('ended', onPause)
    video.addEventListener('timeupdate', onTime)
    video.addEventListener('seeked', onSeeked)
    return () => {
      if (frameRequest !== null) video.cancelVideoFrameCallback(frameRequest)
      video.removeEventListener('play', onPlay)
      video.removeEventListener('pause', onPause)
      video.removeEventListener('ended', onPause)
      video.removeEventListener('timeupdate', onTime)
      video.removeEventListener('seeked', onSeeked)
    }
  }, [videoRef])

  const seek = useCallback(
    (ms: number) => {
      const video = videoRef.current
      const t = Math.min(Math.max(0, ms), durationMs)
      setCurrentMs(t)
      if (video) video.currentTime = t / 1000
    },
    [videoRef, durationMs]
  )

  const play = useCallback(() => {
    const video = videoRef.current
    if (!video) return
    const keepNow = keepRef.current
    const t = video.currentTime * 1000
    // From the end (or past it) play starts over; from a cut part, at the next kept moment.
    const next = nextPlayableTime(t, keepNow) ?? keepNow[0]?.[0] ?? 0
    if (Math.abs(next - t) > SKIP_SLACK_MS) {
      video.currentTime = next / 1000
      setCurrentMs(next)
    }
    video.play().catch(() => {
      // Interrupted by a pause or a new source: nothing to do, the state follows the events.
    })
  }, [videoRef])

  const pause = useCallback(() => videoRef.current?.pause(), [videoRef])

  const toggle = useCallback(() => {
    const video = videoRef.current
    if (!video) return
    if (video.paused) play()
    else video.pause()
  }, [videoRef, play])

  return { currentMs, playing, play, pause, toggle, seek }
}
