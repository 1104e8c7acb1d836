/**
 * The permission policy of our session: the renderer may use the microphone and capture the
 * screen, and the camera only while the user has chosen one (Settings' cameraId is not `none`);
 * nothing else, and nobody else may ask. Takes the session as a parameter so it can be tested
 * with a fake.
 */
import type { Session } from 'electron'
import { isTrustedSender, type RendererLocation } from './trusted-sender'

/** The permissions the recorder needs. Electron 45 reports getDisplayMedia as `display-capture`. */
const ALLOWED = new Set(['media', 'display-capture'])

export interface PermissionDetails {
  /** The URL of the frame that asks (absent for checks not made for a document). */
  readonly requestingUrl?: string
  readonly isMainFrame: boolean
  /** A `media` request: the devices asked for (a camera is `video`). */
  readonly mediaTypes?: readonly ('video' | 'audio')[]
  /** A `media` check: the kind of device it is about. */
  readonly mediaType?: 'video' | 'audio' | 'unknown'
}

export interface PermissionPolicy {
  /**
   * Whether the user has chosen a camera (the bubble beside the screen): only then is a camera
   * (`video`) granted, to the picker's preview, the recording and the bubble window.
   */
  readonly cameraInUse: boolean
}

export const NO_CAMERA: PermissionPolicy = Object.freeze({ cameraInUse: false })

/** The policy the settings give: a camera only when one is chosen (`cameraId` not `none`). */
export function permissionPolicy(settings: { readonly cameraId: string }): PermissionPolicy {
  return { cameraInUse: settings.cameraId !== 'none' && settings.cameraId !== '' }
}

/** True when a `media` permission is about a camera (video), not only the microphone. */
function wantsCamera(details: PermissionDetails): boolean {
  return (details.mediaTypes?.includes('video') ?? false) || details.mediaType === 'video'
}

/**
 * The policy: a listed permission, asked for by the top frame of our renderer; for `media`, the
 * microphone only unless a camera is in use (the screen comes through `display-capture`).
 */
export function isPermissionAllowed(
  permission: string,
  details: PermissionDetails,
  trusted: RendererLocation,
  policy: PermissionPolicy = NO_CAMERA
): boolean {
  if (!ALLOWED.has(permission)) return false
  if (!isTrustedSender(details.requestingUrl, details.isMainFrame, trusted)) return false
  return permission !== 'media' || policy.cameraInUse || !wantsCamera(details)
}

/** Installs the request, check and device handlers on `session`. */
export function installPermissionHandlers(
  session: Pick<
    Session,
    'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'
  >,
  trusted: RendererLocation,
  policy: () => PermissionPolicy = () => NO_CAMERA
): void {
  session.setPermissionRequestHandler((_webContents, permission, callback, details) => {
    callback(isPermissionAllowed(permission, details, trusted, policy()))
  })
  session.setPermissionCheckHandler((_webContents, permission, _origin, details) =>
    isPermissionAllowed(permission, details, trusted, policy())
  )
  // WebHID/WebUSB/serial devices: never.
  session.setDevicePermissionHandler(() => false)
}
