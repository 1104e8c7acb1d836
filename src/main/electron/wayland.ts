/**
 * Linux Wayland sessions. Two things differ from X11, macOS and Windows:
 *
 * - Global shortcuts go through the desktop portal, which Chromium uses only with the
 *   `GlobalShortcutsPortal` feature (switched on before the app is ready).
 * - Screen capture goes through the portal too: every `desktopCapturer.getSources` call opens the
 *   system's own picker, and the source ids it returns work once (electron/electron#40097). So
 *   Sidecast lists no sources of its own there (the picker shows one entry, "Choose in the system
 *   dialog") and calls getSources once, when the recording asks for the screen; the system dialog
 *   chooses. Pure: the edge (index.ts, capture.ts) applies these decisions.
 */
import type { CaptureSource } from '../../shared/ipc'
import { SYSTEM_PICKER_SOURCE_ID } from '../../shared/ipc'

export type Environment = Readonly<Record<string, string | undefined>>

/** True in a Linux Wayland session (`XDG_SESSION_TYPE=wayland`). */
export function isWaylandSession(platform: string, env: Environment): boolean {
  return platform === 'linux' && env['XDG_SESSION_TYPE']?.trim().toLowerCase() === 'wayland'
}

/** The Chromium features to enable before the app is ready (`--enable-features`). */
export function chromiumFeatures(platform: string, env: Environment): string[] {
  return isWaylandSession(platform, env) ? ['GlobalShortcutsPortal'] : []
}

/** Who chooses what to record: Sidecast's own picker, or the system's dialog (Wayland). */
export type CapturePicker = 'sidecast' | 'system'

export function capturePicker(platform: string, env: Environment): CapturePicker {
  return isWaylandSession(platform, env) ? 'system' : 'sidecast'
}

/** The one entry the source picker shows when the system's dialog chooses. */
export const SYSTEM_PICKER_SOURCE: CaptureSource = Object.freeze({
  id: SYSTEM_PICKER_SOURCE_ID,
  name: 'Choose in the system dialog',
  kind: 'screen',
  thumbnailDataUrl: null,
  systemPicker: true
})

/**
 * The source to answer getDisplayMedia with, from what getSources returned. With the system's
 * dialog, that is what the user chose there (the first, whatever its kind); otherwise the one
 * chosen in Sidecast (see chooseSource).
 */
export function systemPickedSource<S>(sources: readonly S[]): S | null {
  return sources[0] ?? null
}
