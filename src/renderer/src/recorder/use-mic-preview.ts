/**
 * The live microphone level before recording, so the user sees the mic works before starting.
 * Runs only while the window is visible, so the OS's "microphone in use" light is not on all day.
 */
import { useEffect, useState } from 'react'
import { openMicrophoneGraph } from './browser-media'
import { microphoneError } from './capture-errors'
import { usePageVisible } from './use-page-visible'

/** How often the meter reads the level: smooth enough to look alive, cheap enough to ignore. */
export const METER_INTERVAL_MS = 80

export interface MicPreview {
  readonly level: number
  /** Why the microphone could not be opened, in words for the user. */
  readonly problem: string | null
}

export function useMicPreview(
  microphoneId: string,
  enabled: boolean,
  platform: string,
  onOpened: () => void
): MicPreview {
  const [level, setLevel] = useState(0)
  const [problem, setProblem] = useState<string | null>(null)
  const visible = usePageVisible()

  const active = enabled && visible && microphoneId !== 'none'

  useEffect(() => {
    if (!active) {
      setLevel(0)
      return
    }
    let stopped = false
    let close: (() => void) | null = null
    let timer: ReturnType<typeof setInterval> | undefined
    openMicrophoneGraph({
      audio: {
        ...(microphoneId !== 'default' ? { deviceId: microphoneId } : {}),
        echoCancellation: true,
        noiseSuppression: true
      }
    })
      .then((mic) => {
        if (stopped) {
          void mic.close()
          return
        }
        setProblem(null)
        onOpened()
        close = () => void mic.close().catch(() => undefined)
        timer = setInterval(() => setLevel(mic.level()), METER_INTERVAL_MS)
      })
      .catch((error: unknown) => {
        if (!stopped) setProblem(microphoneError(error, platform).message)
      })
    return () => {
      stopped = true
      clearInterval(timer)
      close?.()
    }
    // onOpened only refreshes the device list; re-opening the mic for a new callback would flicker.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [active, microphoneId, platform])

  return { level: active ? level : 0, problem: microphoneId === 'none' ? null : problem }
}
