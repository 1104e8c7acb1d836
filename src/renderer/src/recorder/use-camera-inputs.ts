/** The system's cameras, kept current as devices come and go. */
import { useCallback, useEffect, useState } from 'react'
import { cameraInputs, type CameraInput } from './camera-inputs'

export type { CameraInput } from './camera-inputs'

export interface CameraInputs {
  /** Cameras the browser names (after camera permission; before it, ids and labels are hidden). */
  readonly devices: readonly CameraInput[]
  /** True when a camera exists whose name the browser hides until camera access is allowed. */
  readonly unnamed: boolean
  /** Enumerates again (names appear once the camera has been opened). */
  refresh(): void
}

export function useCameraInputs(): CameraInputs {
  const [devices, setDevices] = useState<readonly CameraInput[]>([])
  const [unnamed, setUnnamed] = useState(false)

  const refresh = useCallback(() => {
    const mediaDevices = navigator.mediaDevices
    if (!mediaDevices?.enumerateDevices) return
    mediaDevices
      .enumerateDevices()
      .then((all) => {
        const found = cameraInputs(all)
        setDevices(found.devices)
        setUnnamed(found.unnamed)
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

  return { devices, unnamed, refresh }
}
