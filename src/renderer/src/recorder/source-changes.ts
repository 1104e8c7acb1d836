/** The source picker's live-refresh rules, pure so they are tested on their own. */
import type { CaptureSource } from '../../../shared/ipc'

/** How often the open picker asks for the sources again, ms. */
export const LIVE_REFRESH_MS = 1500

/** True when `next` holds other sources than `current` (ids compared; thumbnails ignored). */
export function sourcesChanged(
  current: readonly CaptureSource[],
  next: readonly CaptureSource[]
): boolean {
  if (current.length !== next.length) return true
  const ids = new Set(current.map((s) => s.id))
  return next.some((s) => !ids.has(s.id))
}

/**
 * What to tell the user when the chosen source is missing from `next`, or null when it is there
 * (or nothing was chosen).
 */
export function vanishedNote(
  current: readonly CaptureSource[],
  next: readonly CaptureSource[],
  selectedId: string | null
): string | null {
  if (!selectedId || next.some((s) => s.id === selectedId)) return null
  const gone = current.find((s) => s.id === selectedId)
  if (!gone) return null
  const what =
    gone.kind === 'window' ? `The window “${gone.name}” was closed` : `“${gone.name}” is gone`
  return `${what}, so Sidecast will record the entire screen. Choose another source to record it instead.`
}
