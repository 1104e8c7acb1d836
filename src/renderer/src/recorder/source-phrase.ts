/** What the recorder panel says it will record (kept apart so it is testable without React). */
import type { CaptureSource } from '../../../shared/ipc'

export function sourcePhrase(source: CaptureSource | null): string {
  if (!source) return 'Pick a screen or window below'
  // Linux Wayland: the system's dialog chooses when the recording starts.
  if (source.systemPicker) return 'Records what you choose in the system dialog'
  return `Records ${source.name}`
}
