/** The system's microphones, kept current as devices come and go. */
import { useCallback, useEffect, useState } from 'react'

export interface AudioInput {
  readonly deviceId: string
  readonly label: string
}

export interface AudioInputs {
  /** Real devices, without Chromium's `default`/`communications` aliases. */
  readonly devices: readonly AudioInput[]
  /** The system default's device label, when the browser tells it (after permission). */
  readonly defaultLabel: string | null
  /** Enumerates again (labels appear only once microphone permission is granted). */
  refresh(): void
}

const ALIASES = new Set(['default', 'communications', ''])

export function useAudioInputs(): AudioInputs {
  const [devices, setDevices] = useState<readonly AudioInput[]>([])
  const [defaultLabel, setDefaultLabel] = useState<string | null>(null)

  const refresh = useCallback(() => {
    const mediaDevices = navigator.mediaDevices
    if (!mediaDevices?.enumerateDevices) return
    mediaDevices
      .enumerateDevices()
      .then((all) => {
        const inputs = all.filter((d) => d.kind === 'audioinput')
        const alias = inputs.find((d) => d.deviceId === 'default')
        // Chromium labels the alias "Default - <device>"; the device name is what people know.
        setDefaultLabel(alias?.label ? alias.label.replace(/^Default\s*-\s*/i, '') : null)
        setDevices(
          inputs
            .filter((d) => !ALIASES.has(d.deviceId))
            .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Microphone ${i + 1}` }))
        )
      })
      .catch(() => setDevices([]))
  }, [])

  useEffect(() => {
    refresh()
    const mediaDevices = navigator.mediaDevices
    if (!mediaDevices) return
    mediaDevices.addEventListener('devicechange', refresh)
    return () => mediaDevices.removeEventListener('devicechange', refresh)
  }, [refresh])

  return { devices, defaultLabel, refresh }
}
