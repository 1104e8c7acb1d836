/**
 * The custom schemes: `app://sidecast` serves the built renderer (app-files.ts) and
 * `sidecast-media://` the project files (media-protocol.ts). Electron takes its privileged
 * schemes from one `registerSchemesAsPrivileged` call before the app is ready (a second call
 * replaces the first), so both are registered here together.
 */
import { protocol, type CustomScheme } from 'electron'
import { createAppFileResponder } from './app-files'
import { APP_SCHEME } from './app-url'
import { MEDIA_SCHEME_REGISTRATION } from './media-protocol'

/**
 * The renderer's scheme. standard: a real origin, relative URLs and web storage; secure: a secure
 * context, which getUserMedia and getDisplayMedia require; supportFetchAPI: module scripts and
 * fetch load from it. Not corsEnabled: no other origin may read the app's files.
 */
export const APP_SCHEME_REGISTRATION: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true }
}

/** Registers both schemes; must run before the app is ready. */
export function registerPrivilegedSchemes(): void {
  protocol.registerSchemesAsPrivileged([APP_SCHEME_REGISTRATION, MEDIA_SCHEME_REGISTRATION])
}

/** Serves the renderer from `rendererDir` (out/renderer, inside app.asar when packaged). */
export function handleAppProtocol(rendererDir: string): void {
  protocol.handle(APP_SCHEME, createAppFileResponder(rendererDir))
}
