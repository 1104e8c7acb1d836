/**
 * The main window: secure options, locked navigation, and the compact always-on-top bar it turns
 * into while recording. (The CSP header comes with the page from the app scheme, app-files.ts.)
 */
import { BrowserWindow, screen, shell, type Rectangle, type WebContents } from 'electron'
import {
  barHiddenFromCapture,
  clampIntoWorkArea,
  compactBarBounds,
  COMPACT_BAR,
  MAIN_WINDOW,
  secureWebPreferences,
  wantsCompactBar
} from './window-layout'

export interface MainWindowOptions {
  /** Absolute path of the built preload (out/preload/index.cjs). */
  readonly preloadPath: string
  /** The URL to load: app://sidecast/index.html, or the dev server's URL. */
  readonly url: string
  /** Window icon (Linux and Windows; macOS uses the bundle's). */
  readonly iconPath?: string
}

/** Only web links leave the app, and they open in the user's browser. */
export function isExternalLink(url: string): boolean {
  try {
    const { protocol } = new URL(url)
    return protocol === 'https:' || protocol === 'http:'
  } catch {
    return false
  }
}

/** No new windows, no navigation away from our page: links go to the browser instead. */
export function lockNavigation(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLink(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  contents.on('will-navigate', (event) => {
    event.preventDefault()
    if (isExternalLink(event.url)) void shell.openExternal(event.url)
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: MAIN_WINDOW.width,
    height: MAIN_WINDOW.height,
    minWidth: MAIN_WINDOW.minWidth,
    minHeight: MAIN_WINDOW.minHeight,
    title: 'Sidecast',
    show: false,
    autoHideMenuBar: true,
    ...(options.iconPath ? { icon: options.iconPath } : {}),
    webPreferences: secureWebPreferences(options.preloadPath)
  })
  window.once('ready-to-show', () => window.show())
  lockNavigation(window.webContents)
  void window.loadURL(options.url)
  return window
}

/** Shows, restores and focuses a window (tray "Open", second launch, dock click). */
export function revealWindow(window: BrowserWindow | null): void {
  if (!window || window.isDestroyed()) return
  if (window.isMinimized()) window.restore()
  window.show()
  window.focus()
}

/**
 * Turns the window into the compact recording bar and back. The renderer sees the small size
 * (and the recorder state) and shows only the control bar. On Windows and macOS the bar is kept
 * out of screen captures (`setContentProtection`), so it is not in the recording; Linux (X11 and
 * Wayland) has no such API, so there the bar is recorded (see window-layout.ts).
 */
export function createCompactBar(
  window: BrowserWindow,
  platform: string = process.platform
): { update(phase: string): void } {
  const protect = barHiddenFromCapture(platform)
  let saved: { bounds: Rectangle; minSize: number[]; maximized: boolean } | null = null
  let lastBarPosition: { x: number; y: number } | undefined

  function enter(): void {
    saved = {
      bounds: window.getNormalBounds(),
      minSize: window.getMinimumSize(),
      maximized: window.isMaximized()
    }
    if (window.isFullScreen()) window.setFullScreen(false)
    if (window.isMaximized()) window.unmaximize()
    const { workArea } = screen.getDisplayMatching(window.getBounds())
    window.setMinimumSize(COMPACT_BAR.width / 2, COMPACT_BAR.height / 2)
    window.setContentBounds(compactBarBounds(workArea, lastBarPosition))
    window.setMaximizable(false)
    window.setFullScreenable(false)
    window.setAlwaysOnTop(true, 'floating')
    if (protect) window.setContentProtection(true)
  }

  function leave(): void {
    if (!saved) return
    const bar = window.getContentBounds()
    lastBarPosition = { x: bar.x, y: bar.y }
    // The full window may show anything and be captured like any other (screenshots, meetings).
    if (protect) window.setContentProtection(false)
    window.setAlwaysOnTop(false)
    window.setMaximizable(true)
    window.setFullScreenable(true)
    window.setMinimumSize(
      saved.minSize[0] ?? MAIN_WINDOW.minWidth,
      saved.minSize[1] ?? MAIN_WINDOW.minHeight
    )
    const { workArea } = screen.getDisplayMatching(saved.bounds)
    window.setBounds(clampIntoWorkArea(saved.bounds, workArea))
    if (saved.maximized) window.maximize()
    saved = null
  }

  return {
    update(phase) {
      if (window.isDestroyed()) return
      const compact = wantsCompactBar(phase)
      if (compact && !saved) enter()
      else if (!compact && saved) leave()
    }
  }
}
