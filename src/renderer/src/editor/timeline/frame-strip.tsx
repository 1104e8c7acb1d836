/**
 * A strip of frames from the recording, loaded once the player has what it needs: coarse to
 * fine, each empty slot showing the nearest frame already loaded, so it is never half black.
 */
import { memo, useEffect, useRef, useState } from 'react'
import type { ReactNode } from 'react'
import { prepareCanvas } from './hidpi-canvas'
import { captureThumbnails, type ThumbnailFrame } from './thumbnail-loader'
import { coarseToFine, standInFor, thumbnailTimes } from './thumbnail-times'

const THUMB_HEIGHT = 40

export const FrameStrip = memo(function FrameStrip(props: {
  url: string
  durationMs: number
  width: number
  aspect: number
}): ReactNode {
  const { url, durationMs, width, aspect } = props
  const canvasRef = useRef<HTMLCanvasElement>(null)
  const framesRef = useRef<(ThumbnailFrame | undefined)[]>([])
  const [drawn, setDrawn] = useState(0)
  // The number of frames is fixed by the first width; later sizes stretch the same frames.
  const [count, setCount] = useState(0)
  useEffect(() => {
    if (count === 0 && width > 0) {
      const slot = THUMB_HEIGHT * (aspect > 0 ? aspect : 16 / 9)
      setCount(Math.min(48, Math.max(4, Math.ceil(width / slot))))
    }
  }, [count, width, aspect])

  useEffect(() => {
    if (count === 0 || durationMs <= 0) return
    const controller = new AbortController()
    framesRef.current = []
    // After the editor is usable: the player's own loading goes first.
    const start = setTimeout(() => {
      void captureThumbnails(
        url,
        thumbnailTimes(durationMs, count),
        THUMB_HEIGHT,
        controller.signal,
        (index, frame) => {
          framesRef.current[index] = frame
          setDrawn((n) => n + 1)
        },
        coarseToFine(count)
      )
    }, 300)
    return () => {
      clearTimeout(start)
      controller.abort()
    }
  }, [url, durationMs, count])

  useEffect(() => {
    const canvas = canvasRef.current
    if (!canvas || width <= 0 || count === 0) return
    const ctx = prepareCanvas(canvas, width, THUMB_HEIGHT)?.ctx
    if (!ctx) return
    const slot = canvas.width / count
    const frames = framesRef.current
    const loaded = Array.from({ length: count }, (_, i) => frames[i] !== undefined)
    loaded.forEach((_, i) => {
      const frame = frames[standInFor(i, loaded)]
      if (!frame) return
      const img = frame.image
      // Cover the slot: crop the frame's sides rather than squash it.
      const scale = Math.max(slot / img.width, canvas.height / img.height)
      const sw = slot / scale
      const sh = canvas.height / scale
      ctx.drawImage(
        img,
        (img.width - sw) / 2,
        (img.height - sh) / 2,
        sw,
        sh,
        i * slot,
        0,
        Math.ceil(slot),
        canvas.height
      )
    })
  }, [width, count, drawn])

  return <canvas ref={canvasRef} className="thumb-strip" aria-hidden="true" />
})
