/**
 * Which pages may talk to main: only the top frame of our own renderer. Pure, so the rule is
 * tested on its own; the Electron edge feeds it the sender frame's URL.
 */
import { APP_INDEX_URL, APP_ORIGIN, isAppUrl } from './app-url'

/** Where our renderer is loaded from. */
export type RendererLocation =
  /** Production: the built renderer, served by the app scheme (app-protocol.ts). */
  | { readonly kind: 'app'; readonly origin: typeof APP_ORIGIN; readonly url: string }
  /** Development: electron-vite's dev server (`ELECTRON_RENDERER_URL`). */
  | { readonly kind: 'dev'; readonly origin: string; readonly url: string }

/** The built renderer at app://sidecast/index.html. */
export const APP_RENDERER: RendererLocation = Object.freeze({
  kind: 'app',
  origin: APP_ORIGIN,
  url: APP_INDEX_URL
})

/**
 * Picks the renderer's location: the dev server when electron-vite runs one (never in a packaged
 * app), else the built renderer on the app scheme.
 */
export function rendererLocation(options: {
  /** `process.env.ELECTRON_RENDERER_URL`. */
  readonly devServerUrl: string | undefined
  /** `app.isPackaged`. */
  readonly isPackaged: boolean
}): RendererLocation {
  if (!options.isPackaged && options.devServerUrl) {
    try {
      const url = new URL(options.devServerUrl)
      if (url.protocol === 'http:' || url.protocol === 'https:') {
        return { kind: 'dev', origin: url.origin, url: options.devServerUrl }
      }
    } catch {
      // A malformed dev URL falls back to the built renderer.
    }
  }
  return APP_RENDERER
}

/**
 * True when `frameUrl` is a page of our renderer's origin (path, query and hash ignored: the
 * origin serves nothing but the renderer). A file:// page is never ours.
 */
export function isRendererUrl(frameUrl: string, allowed: RendererLocation): boolean {
  let url: URL
  try {
    url = new URL(frameUrl)
  } catch {
    return false
  }
  if (allowed.kind === 'app') return isAppUrl(url)
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === allowed.origin
}

/** The IPC rule: a top frame showing our renderer. */
export function isTrustedSender(
  frameUrl: string | null | undefined,
  isMainFrame: boolean,
  allowed: RendererLocation
): boolean {
  return isMainFrame && typeof frameUrl === 'string' && isRendererUrl(frameUrl, allowed)
}
