/**
 * The renderer's Content-Security-Policy. The app scheme sends it as a header with index.html
 * (app-files.ts); index.html carries the same policy in a <meta> (less `frame-ancestors`, which a
 * <meta> cannot set), and both are enforced, so each must allow everything the page needs.
 *
 * No 'unsafe-inline' and no 'unsafe-eval' anywhere: scripts and style sheets come only from the
 * app's own files. Inline styles set through the CSSOM (React's `style={…}` props) are not
 * governed by style-src; `style="…"` attributes in markup and `<style>` elements are, and the
 * renderer has none (the callout SVG uses presentation attributes instead). The e2e suite serves
 * the built renderer with this policy and fails on any violation (tests/e2e/setup.ts).
 */
import { MEDIA_SCHEME } from './media-url'

/** Directive name → its sources, in the order they are sent. */
export type CspDirectives = Readonly<Record<string, readonly string[]>>

export const CSP_DIRECTIVES: CspDirectives = Object.freeze({
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  // Thumbnails (the media scheme), capture-source thumbnails (data:).
  'img-src': ["'self'", 'data:', 'blob:', `${MEDIA_SCHEME}:`],
  // The recording in the editor's <video>.
  'media-src': ["'self'", 'blob:', `${MEDIA_SCHEME}:`],
  // The callout font (a file of the bundle).
  'font-src': ["'self'", 'data:'],
  // The editor fetches the recording to draw its waveform.
  'connect-src': ["'self'", `${MEDIA_SCHEME}:`],
  'worker-src': ["'self'", 'blob:'],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"]
})

/** Directives a <meta> policy ignores (CSP3 §3.3): sent only as a header. */
const HEADER_ONLY = new Set(['frame-ancestors', 'report-uri', 'sandbox'])

/** The policy as a header value. */
export function serializeCsp(directives: CspDirectives): string {
  return Object.entries(directives)
    .map(([name, sources]) => [name, ...sources].join(' '))
    .join('; ')
}

/**
 * The policy with more sources for some directives, each added after the app's own. For pages
 * served elsewhere than the app scheme (the e2e harness on http://127.0.0.1): they are tested
 * under the app's real directives plus only what their own origin needs. A directive the policy
 * does not have is refused, so an addition can never loosen a directive by accident.
 */
export function withSources(
  directives: CspDirectives,
  additions: Readonly<Record<string, readonly string[]>>
): CspDirectives {
  const result: Record<string, readonly string[]> = { ...directives }
  for (const [name, sources] of Object.entries(additions)) {
    const own = directives[name]
    if (!own) throw new Error(`The Content-Security-Policy has no "${name}" directive to extend.`)
    result[name] = [...own, ...sources.filter((s) => !own.includes(s))]
  }
  return result
}

/** The app's policy, as sent in the header. */
export const CONTENT_SECURITY_POLICY = serializeCsp(CSP_DIRECTIVES)

const META_DIRECTIVES: CspDirectives = Object.fromEntries(
  Object.entries(CSP_DIRECTIVES).filter(([name]) => !HEADER_ONLY.has(name))
)

/** The app's policy as the <meta> in index.html carries it. */
export const META_CONTENT_SECURITY_POLICY = serializeCsp(META_DIRECTIVES)

/**
 * The <meta> policy for electron-vite's dev server only: Vite injects its CSS as <style>
 * elements and @vitejs/plugin-react an inline module script (the Fast Refresh preamble). Never
 * in a build: electron.vite.config.ts applies it to the served page alone.
 */
export const DEV_SERVER_CONTENT_SECURITY_POLICY = serializeCsp(
  withSources(META_DIRECTIVES, {
    'script-src': ["'unsafe-inline'"],
    'style-src': ["'unsafe-inline'"]
  })
)
