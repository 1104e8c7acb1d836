/** Which cameras the picker lists, from enumerateDevices' answer (pure, so it is unit-tested). */

export interface CameraInput {
  readonly deviceId: string
  readonly label: string
}

/** The slice of a MediaDeviceInfo this needs. */
export interface DeviceEntry {
  readonly kind: string
  readonly deviceId: string
  readonly label: string
}

/**
 * The named cameras, and whether a camera exists whose id and name the browser hides (it does so
 * until camera access is allowed: one entry with an empty id).
 */
export function cameraInputs(all: readonly DeviceEntry[]): {
  devices: CameraInput[]
  unnamed: boolean
} {
  const cameras = all.filter((d) => d.kind === 'videoinput')
  const named = cameras.filter((d) => d.deviceId !== '')
  return {
    devices: named.map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Camera ${i + 1}` })),
    unnamed: named.length < cameras.length
  }
}
