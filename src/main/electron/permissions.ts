/**
 * The permission policy of our session: the renderer may use the microphone and capture the
 * screen, nothing else, and nobody else may ask. Takes the session as a parameter so it can be
 * tested with a fake.
 */
import type { Session } from 'electron'
import { isTrustedSender, type RendererLocation } from './trusted-sender'

/** The permissions the recorder needs. Electron 45 reports getDisplayMedia as `display-capture`. */
const ALLOWED = new Set(['media', 'display-capture'])

export interface PermissionDetails {
  /** The URL of the frame that asks (absent for checks not made for a document). */
  readonly requestingUrl?: string
  readonly isMainFrame: boolean
}

/** The policy: a listed permission, asked for by the top frame of our renderer. */
export function isPermissionAllowed(
  permission: string,
  details: PermissionDetails,
  trusted: RendererLocation
): boolean {
  return (
    ALLOWED.has(permission) && isTrustedSender(details.requestingUrl, details.isMainFrame, trusted)
  )
}

/** Installs the request, check and device handlers on `session`. */
export function installPermissionHandlers(
  session: Pick<
    Session,
    'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'
  >,
  trusted: RendererLocation
): void {
  session.setPermissionRequestHandler((_webContents, permission, callback, details) => {
    callback(isPermissionAllowed(permission, details, trusted))
  })
  session.setPermissionCheckHandler((_webContents, permission, _origin, details) =>
    isPermissionAllowed(permission, details, trusted)
  )
  // WebHID/WebUSB/serial devices: never.
  session.setDevicePermissionHandler(() => false)
}
