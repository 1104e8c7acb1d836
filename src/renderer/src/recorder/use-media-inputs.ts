/** A list read from the system's media devices, kept current as devices come and go. */
import { useCallback, useEffect, useState } from 'react'

/** The slice of `navigator.mediaDevices` this needs. */
export interface DeviceSource {
  enumerateDevices?: () => Promise<MediaDeviceInfo[]>
  addEventListener(type: 'devicechange', listener: () => void): void
  removeEventListener(type: 'devicechange', listener: () => void): void
}

/**
 * Enumerates once and hands the answer to `found` (`failed` if the browser refuses); does nothing
 * where the browser cannot enumerate.
 */
export function enumerateInto<T>(
  source: DeviceSource | undefined,
  read: (all: readonly MediaDeviceInfo[]) => T,
  found: (value: T) => void,
  failed: () => void
): void {
  if (!source?.enumerateDevices) return
  source
    .enumerateDevices()
    .then((all) => found(read(all)))
    .catch(() => failed())
}

/** Calls `listener` whenever a device comes or goes; returns the unsubscribe. */
export function onDeviceChange(source: DeviceSource | undefined, listener: () => void): () => void {
  if (!source) return () => undefined
  source.addEventListener('devicechange', listener)
  return () => source.removeEventListener('devicechange', listener)
}

/**
 * What `read` makes of the devices, read now, on every device change and on `refresh()` (names
 * appear once permission is granted). When enumerating fails the device list empties and the rest
 * is kept. `read` must be stable (a module-level function).
 */
export function useMediaInputs<T extends { readonly devices: readonly unknown[] }>(
  read: (all: readonly MediaDeviceInfo[]) => T,
  initial: T
): T & { refresh(): void } {
  const [inputs, setInputs] = useState<T>(initial)

  const refresh = useCallback(() => {
    enumerateInto(navigator.mediaDevices, read, setInputs, () =>
      setInputs((previous) => ({ ...previous, devices: [] }))
    )
  }, [read])

  useEffect(() => {
    refresh()
    return onDeviceChange(navigator.mediaDevices, refresh)
  }, [refresh])

  return { ...inputs, refresh }
}
