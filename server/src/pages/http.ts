/** Request and response plumbing for the page routes: headers, cookies, form bodies, CSRF. */
import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { HttpError, readBody } from '../http-request'
import type { SafeHtml } from './html'

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data:; media-src 'self'; object-src 'none'; " +
  "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

/** Headers sent with every page-side response (HTML, media, thumbnails, static files). */
export function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY)
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('Referrer-Policy', 'same-origin')
  res.setHeader('X-Frame-Options', 'DENY')
}

export function sendHtml(res: ServerResponse, status: number, body: SafeHtml): void {
  const bytes = Buffer.from(body.value, 'utf8')
  res.statusCode = status
  res.setHeader('Content-Type', 'text/html; charset=utf-8')
  // Every page shows private data (and forms with CSRF tokens): never store it.
  res.setHeader('Cache-Control', 'no-store')
  res.setHeader('Content-Length', bytes.length)
  res.end(bytes)
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status
  res.setHeader('Content-Type', 'text/plain; charset=utf-8')
  res.setHeader('Cache-Control', 'no-store')
  res.end(text)
}

/** 303 See Other: after a POST the browser follows with a GET. */
export function redirect(res: ServerResponse, location: string, status = 303): void {
  res.statusCode = status
  res.setHeader('Location', location)
  res.setHeader('Cache-Control', 'no-store')
  res.end()
}

/** Cookie parsing is auth's: one reading of the Cookie header for sessions and pages alike. */
export { parseCookies } from '../auth'

export interface CookieOptions {
  maxAgeSeconds?: number
  path?: string
  sameSite?: 'Lax' | 'Strict'
  secure: boolean
}

export function serializeCookie(name: string, value: string, opts: CookieOptions): string {
  const parts = [
    `${name}=${encodeURIComponent(value)}`,
    'HttpOnly',
    `SameSite=${opts.sameSite ?? 'Lax'}`
  ]
  parts.push(`Path=${opts.path ?? '/'}`)
  if (opts.maxAgeSeconds !== undefined) parts.push(`Max-Age=${opts.maxAgeSeconds}`)
  if (opts.secure) parts.push('Secure')
  return parts.join('; ')
}

export function appendSetCookie(res: ServerResponse, cookie: string): void {
  const prev = res.getHeader('Set-Cookie')
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev : [String(prev)]
  res.setHeader('Set-Cookie', [...list, cookie])
}

export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url')
}

export const FORM_LIMIT_BYTES = 64 * 1024
const FORM_TOO_LARGE = 'The form is too large.'

/** Reads an `application/x-www-form-urlencoded` body of at most `limit` bytes. */
export async function readForm(
  req: IncomingMessage,
  limit = FORM_LIMIT_BYTES
): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/x-www-form-urlencoded') {
    req.resume()
    throw new HttpError(415, 'Forms must be sent as application/x-www-form-urlencoded.')
  }
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) {
    req.resume()
    throw new HttpError(413, FORM_TOO_LARGE)
  }
  const body = await readBody(req, limit, FORM_TOO_LARGE)
  return new URLSearchParams(body.toString('utf8'))
}

/**
 * True unless the request names a different origin than this server's. Browsers send Origin on
 * every form POST (Referer as the fallback); with neither header the CSRF token alone decides.
 */
export function sameOriginRequest(req: IncomingMessage, publicUrl: string): boolean {
  const origin = req.headers.origin
  const referer = req.headers.referer
  const source = origin ?? referer
  if (source === undefined || source === '') return true
  if (source === 'null') return false
  let host: string
  try {
    host = new URL(source).host.toLowerCase()
  } catch {
    return false
  }
  const allowed = new Set<string>()
  if (req.headers.host) allowed.add(req.headers.host.toLowerCase())
  try {
    allowed.add(new URL(publicUrl).host.toLowerCase())
  } catch {
    // publicUrl is validated by the config loader; ignore a bad one here.
  }
  return allowed.has(host)
}

/**
 * `next` for after sign-in: a path on this library, else "/". It is resolved against the public
 * URL and kept only when the result has the same origin and still reads as a path: dot segments
 * can leave `//host` behind (`/.//evil`, `/%2e//evil`), which a browser reads as another host.
 * Backslashes and control characters are refused outright (browsers read `\` as `/` and drop
 * tabs and newlines). Returns the normalised path, query and fragment.
 */
export function safeNext(
  next: string | null | undefined,
  publicUrl = 'http://library.invalid'
): string {
  if (!next || next.length > 2048 || !next.startsWith('/')) return '/'
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return '/'
  try {
    const origin = new URL(publicUrl).origin
    const url = new URL(next, origin)
    if (url.origin !== origin) return '/'
    const local = url.pathname + url.search + url.hash
    if (!local.startsWith('/') || local.startsWith('//')) return '/'
    // What the browser will do with the Location header: it must land here too.
    if (new URL(local, origin).origin !== origin) return '/'
    if (url.pathname === '/signin' || url.pathname === '/signout') return '/'
    return local
  } catch {
    return '/'
  }
}
