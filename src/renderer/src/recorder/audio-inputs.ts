/** Which microphones the picker lists, from enumerateDevices' answer (pure, so it is unit-tested). */
import type { DeviceEntry } from './camera-inputs'

export interface AudioInput {
  readonly deviceId: string
  readonly label: string
}

/** Chromium's aliases for the system's devices (and the empty id of an unnamed device). */
const ALIASES = new Set(['default', 'communications', ''])

/**
 * The real microphones, without Chromium's aliases, and the system default's device name when the
 * browser tells it (after permission).
 */
export function audioInputs(all: readonly DeviceEntry[]): {
  devices: AudioInput[]
  defaultLabel: string | null
} {
  const inputs = all.filter((d) => d.kind === 'audioinput')
  const alias = inputs.find((d) => d.deviceId === 'default')
  return {
    // Chromium labels the alias "Default - <device>"; the device name is what people know.
    defaultLabel: alias?.label ? alias.label.replace(/^Default\s*-\s*/i, '') : null,
    devices: inputs
      .filter((d) => !ALIASES.has(d.deviceId))
      .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Microphone ${i + 1}` }))
  }
}
