/**
 * Which pages may talk to main: only the top frame of our own renderer. Pure, so the rule is
 * tested on its own; the Electron edge feeds it the sender frame's URL.
 */

/** Where our renderer is loaded from. */
export type RendererLocation =
  /** Production: the built index.html on disk, as a `file://` URL. */
  | { readonly kind: 'file'; readonly indexUrl: string }
  /** Development: electron-vite's dev server (`ELECTRON_RENDERER_URL`). */
  | { readonly kind: 'dev'; readonly origin: string }

/**
 * Picks the renderer's location: the dev server when electron-vite runs one (never in a packaged
 * app), else the built file.
 */
export function rendererLocation(options: {
  /** `process.env.ELECTRON_RENDERER_URL`. */
  readonly devServerUrl: string | undefined
  /** `app.isPackaged`. */
  readonly isPackaged: boolean
  /** file:// URL of out/renderer/index.html. */
  readonly indexFileUrl: string
}): RendererLocation {
  if (!options.isPackaged && options.devServerUrl) {
    try {
      return { kind: 'dev', origin: new URL(options.devServerUrl).origin }
    } catch {
      // A malformed dev URL falls back to the built renderer.
    }
  }
  return { kind: 'file', indexUrl: options.indexFileUrl }
}

/** True when `frameUrl` is our renderer's page (query and hash ignored). */
export function isRendererUrl(frameUrl: string, allowed: RendererLocation): boolean {
  let url: URL
  try {
    url = new URL(frameUrl)
  } catch {
    return false
  }
  if (allowed.kind === 'dev') {
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === allowed.origin
  }
  const index = new URL(allowed.indexUrl)
  return url.protocol === 'file:' && url.host === index.host && url.pathname === index.pathname
}

/** The IPC rule: a top frame showing our renderer. */
export function isTrustedSender(
  frameUrl: string | null | undefined,
  isMainFrame: boolean,
  allowed: RendererLocation
): boolean {
  return isMainFrame && typeof frameUrl === 'string' && isRendererUrl(frameUrl, allowed)
}
