/**
 * Pure window maths and options: the secure webPreferences, the main window's size, and where the
 * compact recording bar goes.
 */
import type { Rectangle, WebPreferences } from 'electron'

export const MAIN_WINDOW = { width: 1000, height: 720, minWidth: 640, minHeight: 480 } as const

/** The always-on-top control bar shown while recording (content size). */
export const COMPACT_BAR = { width: 520, height: 80, marginTop: 16 } as const

/** webPreferences for every window that shows our renderer. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    // The recorder keeps producing chunks while the window is hidden or minimised.
    backgroundThrottling: false,
    spellcheck: false
  }
}

/** The bar's content bounds: centred at the top of the work area, or where the user last left it. */
export function compactBarBounds(
  workArea: Rectangle,
  lastPosition?: { x: number; y: number }
): Rectangle {
  const width = Math.min(COMPACT_BAR.width, workArea.width)
  const height = Math.min(COMPACT_BAR.height, workArea.height)
  if (lastPosition) {
    return clampIntoWorkArea({ ...lastPosition, width, height }, workArea)
  }
  return {
    x: Math.round(workArea.x + (workArea.width - width) / 2),
    y: workArea.y + Math.min(COMPACT_BAR.marginTop, Math.max(0, workArea.height - height)),
    width,
    height
  }
}

/**
 * Moves (and if need be shrinks) `bounds` so it lies inside `workArea`: restoring the window after
 * a recording must not put it on a display that has since been unplugged or rearranged.
 */
export function clampIntoWorkArea(bounds: Rectangle, workArea: Rectangle): Rectangle {
  const width = Math.min(bounds.width, workArea.width)
  const height = Math.min(bounds.height, workArea.height)
  const x = Math.min(Math.max(bounds.x, workArea.x), workArea.x + workArea.width - width)
  const y = Math.min(Math.max(bounds.y, workArea.y), workArea.y + workArea.height - height)
  return { x, y, width, height }
}

/**
 * Whether the recording bar can be kept out of the recording: Electron's setContentProtection
 * works on Windows (WDA_EXCLUDEFROMCAPTURE; Windows 10 2004 and later, older versions capture it
 * black) and macOS. X11 and Wayland have no way for a window to leave screen captures, so on Linux
 * the bar is in the recording: it is small, at the top edge of the screen and can be dragged aside.
 */
export function barHiddenFromCapture(platform: string): boolean {
  return platform === 'win32' || platform === 'darwin'
}

/** Whether the window should be the compact bar in this recorder phase. */
export function wantsCompactBar(phase: string): boolean {
  return phase === 'recording' || phase === 'paused'
}
