/**
 * Addresses of the renderer in a built app: `app://sidecast/<file>`, served by app-files.ts.
 */

export const APP_SCHEME = 'app'
export const APP_HOST = 'sidecast'
/** The renderer's origin in a built app. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
/** The page the main window loads. */
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`

/** True for a URL of our origin (`app://sidecast`, no port, no credentials). */
export function isAppUrl(url: URL): boolean {
  // Node gives non-special schemes an opaque origin ("null"), so the parts are compared.
  return (
    url.protocol === `${APP_SCHEME}:` &&
    url.host === APP_HOST &&
    url.username === '' &&
    url.password === ''
  )
}
