/**
 * The camera bubble while recording with a camera: a small frameless, transparent, always-on-top
 * round window showing the camera (mirrored, like a mirror), which the user drags anywhere. It is
 * opened when main starts a recording with a camera and closed when the recording stops or the
 * camera goes away. Whether it shows while recording (the camera switched off in the bar) is
 * settled between the two pages (src/renderer/src/bubble/bubble-channel.ts), not here.
 *
 * It is kept OUT of the screen capture with setContentProtection (Windows 10 2004+ and macOS):
 * the camera is recorded as its own file and the export composites the bubble where the editor
 * placed it, so a captured bubble would show twice. X11 and Wayland cannot hide a window from a
 * capture: on Linux the bubble is in the screen recording too (like the recording bar).
 *
 * The decisions (when to open and close, where, which page) are plain functions and a controller
 * over an injected window, so they are unit-tested without Electron.
 */
import { BrowserWindow, screen, type Rectangle } from 'electron'
import type { InvokeHandlers, StartRecordingRequest } from '../../shared/ipc'
import { secureWebPreferences } from './window-layout'
import { lockNavigation } from './windows'

/** The bubble window's size (a square holding the circle) and its distance from the screen's edge. */
export const BUBBLE_WINDOW = { size: 180, margin: 32 } as const

/** The renderer's page for the bubble: the same renderer, told by its hash (app.tsx). */
export function bubbleWindowUrl(rendererUrl: string, cameraId: string): string {
  const base = rendererUrl.split('#')[0] ?? rendererUrl
  return `${base}#bubble?camera=${encodeURIComponent(cameraId)}`
}

/** Bottom-left of the work area (where the default bubble sits in the video), or where last left. */
export function bubbleWindowBounds(
  workArea: Rectangle,
  lastPosition?: { readonly x: number; readonly y: number }
): Rectangle {
  const size = Math.min(BUBBLE_WINDOW.size, workArea.width, workArea.height)
  const margin = Math.min(BUBBLE_WINDOW.margin, Math.max(0, workArea.height - size))
  const wanted = lastPosition ?? {
    x: workArea.x + margin,
    y: workArea.y + workArea.height - size - margin
  }
  const x = Math.min(Math.max(wanted.x, workArea.x), workArea.x + workArea.width - size)
  const y = Math.min(Math.max(wanted.y, workArea.y), workArea.y + workArea.height - size)
  return { x, y, width: size, height: size }
}

/** What the controller needs of a window. */
export interface BubbleWindowPort {
  close(): void
  isDestroyed(): boolean
}

export interface BubbleController {
  /** Main started a take (`recording:start` or `recording:restart`) with this request. */
  recordingStarted(request: StartRecordingRequest, cameraId: string): void
  /** The camera stopped before the recording did (unplugged, failed). */
  cameraEnded(): void
  /** The recorder's phase: the bubble lives only while recording or paused. */
  phase(phase: string): void
  /** The camera id the open bubble shows, or null when there is none. */
  readonly showing: string | null
}

export function createBubbleController(deps: {
  readonly open: (cameraId: string) => BubbleWindowPort
}): BubbleController {
  let window: BubbleWindowPort | null = null
  let cameraId: string | null = null

  function close(): void {
    const current = window
    window = null
    cameraId = null
    if (current && !current.isDestroyed()) current.close()
  }

  return {
    recordingStarted(request, chosen) {
      const wanted = request.camera && chosen !== 'none' && chosen !== '' ? chosen : null
      if (wanted !== null && window && !window.isDestroyed() && cameraId === wanted) return
      close()
      if (wanted === null) return
      window = deps.open(wanted)
      cameraId = wanted
    },
    cameraEnded: close,
    phase(phase) {
      if (phase !== 'recording' && phase !== 'paused') close()
    },
    get showing() {
      return window && !window.isDestroyed() ? cameraId : null
    }
  }
}

/**
 * Follows the recording's IPC: a take started with a camera opens the bubble (the camera chosen in
 * the settings), a camera that ended closes it. The handlers' answers are unchanged.
 */
export function withCameraBubble(
  handlers: InvokeHandlers,
  bubble: BubbleController,
  chosenCamera: () => string
): InvokeHandlers {
  const start = handlers['recording:start']
  const restart = handlers['recording:restart']
  const cameraInfo = handlers['recording:camera-info']
  return {
    ...handlers,
    'recording:start': async (request) => {
      const result = await start(request)
      bubble.recordingStarted(request, chosenCamera())
      return result
    },
    'recording:restart': async (projectId, request) => {
      const result = await restart(projectId, request)
      bubble.recordingStarted(request, chosenCamera())
      return result
    },
    'recording:camera-info': async (projectId, info) => {
      const result = await cameraInfo(projectId, info)
      if (info?.endedBecause) bubble.cameraEnded()
      return result
    }
  }
}

export interface BubbleWindowOptions {
  /** Absolute path of the built preload (the page is our renderer). */
  readonly preloadPath: string
  /** The renderer's URL (app://sidecast/index.html or the dev server's). */
  readonly rendererUrl: string
  readonly cameraId: string
}

/** The Electron window itself. */
export function openBubbleWindow(options: BubbleWindowOptions): BrowserWindow {
  const { workArea } = screen.getDisplayNearestPoint(screen.getCursorScreenPoint())
  const bounds = bubbleWindowBounds(workArea)
  const window = new BrowserWindow({
    ...bounds,
    title: 'Camera — Sidecast',
    show: false,
    frame: false,
    transparent: true,
    hasShadow: false,
    resizable: false,
    minimizable: false,
    maximizable: false,
    fullscreenable: false,
    skipTaskbar: true,
    alwaysOnTop: true,
    webPreferences: secureWebPreferences(options.preloadPath)
  })
  // Above full-screen apps and the recording bar ('floating'), on every workspace.
  window.setAlwaysOnTop(true, 'screen-saver')
  window.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true })
  // Out of the screen capture where the system allows it (not on Linux; see above).
  window.setContentProtection(true)
  lockNavigation(window.webContents)
  // Shown without taking the focus from what is being recorded.
  window.once('ready-to-show', () => window.showInactive())
  void window.loadURL(bubbleWindowUrl(options.rendererUrl, options.cameraId))
  return window
}
