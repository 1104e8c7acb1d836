/**
 * Screen capture at the Electron edge: listing sources (desktopCapturer) and answering the
 * renderer's getDisplayMedia with the source the user picked, without Chromium's own picker.
 */
import {
  desktopCapturer,
  screen,
  webContents as allWebContents,
  type Session,
  type WebContents,
  type WebFrameMain
} from 'electron'
import type { CaptureSource } from '../../shared/ipc'
import { chooseSource, toCaptureSources } from './capture-sources'
import { assertScreenAccess, screenAccessProblem, screenAccessStatus } from './screen-access'
import {
  capturePicker,
  SYSTEM_PICKER_SOURCE,
  systemPickedSource,
  type Environment
} from './wayland'
import { isTrustedSender, type RendererLocation } from './trusted-sender'

const THUMBNAIL_SIZE = { width: 320, height: 180 }

/**
 * Screens and windows to record, with thumbnails and the windows' app icons (the picker asks
 * again every second or two while it is open, so the thumbnails are live). `excludeIds` are the
 * media source ids of Sidecast's own windows (`BrowserWindow.getMediaSourceId()`), left out. On
 * macOS without the Screen Recording permission it throws the SidecastError that says how to
 * grant it (the picker shows it) instead of listing blank sources.
 */
export async function listCaptureSources(
  platform: string = process.platform,
  env: Environment = process.env,
  excludeIds: readonly string[] = []
): Promise<CaptureSource[]> {
  assertScreenAccess(platform)
  // On Wayland getSources would open the system's picker now, and its ids work once: the
  // system's dialog chooses when the recording starts instead.
  if (capturePicker(platform, env) === 'system') return [SYSTEM_PICKER_SOURCE]
  const sources = await desktopCapturer.getSources({
    types: ['screen', 'window'],
    thumbnailSize: THUMBNAIL_SIZE,
    fetchWindowIcons: true
  })
  const labels = new Map<string, string>()
  for (const display of screen.getAllDisplays()) labels.set(String(display.id), display.label)
  return toCaptureSources(
    sources.map((s) => ({
      id: s.id,
      name: s.name,
      displayId: s.display_id,
      thumbnailDataUrl: s.thumbnail.isEmpty() ? null : s.thumbnail.toDataURL(),
      appIconDataUrl: s.appIcon && !s.appIcon.isEmpty() ? s.appIcon.toDataURL() : null
    })),
    labels,
    excludeIds
  )
}

export interface DisplayMediaOptions {
  /** The source id chosen in settings (`settings.sourceId`), or '' for the first screen. */
  selectedSourceId(): string
  readonly renderer: RendererLocation
  /** True for the webContents of a window we created. */
  isOurWebContents(contents: WebContents): boolean
  /** `process.platform` unless a test says otherwise. */
  readonly platform?: string
  /** `process.env` unless a test says otherwise (XDG_SESSION_TYPE tells a Wayland session). */
  readonly env?: Environment
}

/** Whether a frame asking for capture is the top frame of our renderer in one of our windows. */
export function isTrustedFrame(
  frame: WebFrameMain | null,
  options: Pick<DisplayMediaOptions, 'renderer' | 'isOurWebContents'>
): boolean {
  if (!frame) return false
  const contents = allWebContents.fromFrame(frame)
  if (!contents || !options.isOurWebContents(contents)) return false
  return isTrustedSender(frame.url, frame.parent === null, options.renderer)
}

/**
 * Answers getDisplayMedia with the chosen source's video (no system audio: narration comes from
 * the microphone). A refused request rejects getDisplayMedia with NotAllowedError. getSources is
 * called once per request: on Wayland that call is the system's dialog.
 */
export function installDisplayMediaHandler(
  session: Pick<Session, 'setDisplayMediaRequestHandler'>,
  options: DisplayMediaOptions
): void {
  session.setDisplayMediaRequestHandler((request, callback) => {
    if (!request.videoRequested || !isTrustedFrame(request.frame, options)) {
      callback(null)
      return
    }
    // Refused on macOS: getDisplayMedia rejects with NotAllowedError, which the renderer words
    // with the way to grant it (capture-errors.ts), rather than recording a blank screen.
    const platform = options.platform ?? process.platform
    if (screenAccessProblem(platform, screenAccessStatus(platform))) {
      callback(null)
      return
    }
    desktopCapturer
      .getSources({
        types: ['screen', 'window'],
        thumbnailSize: { width: 0, height: 0 },
        fetchWindowIcons: false
      })
      .then((sources) => {
        // On Wayland this one call showed the system's dialog; what comes back is the choice.
        const source =
          capturePicker(platform, options.env ?? process.env) === 'system'
            ? systemPickedSource(sources)
            : chooseSource(sources, options.selectedSourceId())
        callback(source ? { video: { id: source.id, name: source.name } } : null)
      })
      .catch((error: unknown) => {
        console.error('[capture] listing sources for getDisplayMedia failed', error)
        callback(null)
      })
  })
}
