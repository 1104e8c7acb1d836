/** The narration's outline, loaded a little after the player. */
import { memo, useEffect, useRef, useState } from 'react'
import type { ReactNode } from 'react'
import { prepareCanvas } from './hidpi-canvas'
import { loadWaveform, type Waveform as WaveformData } from './waveform-loader'
import { peaksForWidth } from './waveform-peaks'

const WAVE_HEIGHT = 36

export const Waveform = memo(function Waveform(props: {
  url: string
  durationMs: number
  width: number
}): ReactNode {
  const { url, durationMs, width } = props
  const canvasRef = useRef<HTMLCanvasElement>(null)
  const [wave, setWave] = useState<WaveformData | null>(null)

  useEffect(() => {
    let live = true
    // A little later than the player, which needs the first bytes more.
    const start = setTimeout(() => {
      void loadWaveform(url, durationMs).then((w) => {
        if (live) setWave(w)
      })
    }, 400)
    return () => {
      live = false
      clearTimeout(start)
    }
  }, [url, durationMs])

  useEffect(() => {
    const canvas = canvasRef.current
    if (!canvas || !wave || width <= 0) return
    const prepared = prepareCanvas(canvas, width, WAVE_HEIGHT)
    if (!prepared) return
    const { ctx, dpr } = prepared
    ctx.fillStyle = getComputedStyle(canvas).color
    const covered = Math.min(1, wave.durationMs / Math.max(1, durationMs))
    const columns = Math.max(1, Math.floor((canvas.width * covered) / dpr))
    const peaks = peaksForWidth(wave.peaks, columns)
    const mid = canvas.height / 2
    peaks.forEach((p, x) => {
      const h = Math.max(dpr, p * (canvas.height - 2 * dpr))
      ctx.fillRect(x * dpr, mid - h / 2, Math.max(1, dpr * 0.8), h)
    })
  }, [wave, width, durationMs])

  return (
    <canvas
      ref={canvasRef}
      className={wave ? 'waveform' : 'waveform empty'}
      aria-hidden="true"
      style={{ height: WAVE_HEIGHT }}
    />
  )
})
