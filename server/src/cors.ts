/**
 * Cross-origin access to the API (`/api/*`, tus uploads included), so a web page on another
 * origin can upload with tus-js-client and call the JSON API with a Bearer token.
 *
 * - A CORS preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) is answered
 *   `204` without a token: a browser never sends `Authorization` on a preflight. It only says
 *   which methods and headers a cross-origin request may use; it runs no route.
 * - Every other API answer carries `Access-Control-Allow-Origin: *` and the headers a client
 *   reads (`Location`, `Upload-Offset`, `Sidecast-Video-Url`…); the request still needs its token.
 * - The origin is `*` and `Access-Control-Allow-Credentials` is never sent, so a browser never
 *   lets another origin read an answer to a request that carried the session cookie, and refuses
 *   to send a credentialed preflighted write at all (docs/security.md, "Cross-origin requests").
 * - Pages (`/signin`, `/v/…`, forms) get none of this.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

/** Where cross-origin requests are allowed: the API and the tus endpoint below it. */
export function corsAllowed(pathname: string): boolean {
  return pathname === '/api' || pathname.startsWith('/api/')
}

/** A browser's CORS preflight, as opposed to a tus `OPTIONS` (which needs a token like the rest). */
export function isPreflight(req: IncomingMessage): boolean {
  return (
    req.method === 'OPTIONS' &&
    typeof req.headers.origin === 'string' &&
    typeof req.headers['access-control-request-method'] === 'string'
  )
}

/** tus (POST, HEAD, PATCH, DELETE, OPTIONS) and the JSON API (GET, PATCH, DELETE). */
export const CORS_ALLOW_METHODS = ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'OPTIONS']

/**
 * The request headers a cross-origin client may send: the token, JSON and tus bodies, the tus
 * headers (tus-js-client's set, as @tus/server lists them). Not `x-csrf-token`: that belongs to
 * the pages' own same-origin scripts and their session cookie.
 */
export const CORS_ALLOW_HEADERS = [
  'Authorization',
  'Content-Type',
  'Tus-Resumable',
  'Upload-Length',
  'Upload-Offset',
  'Upload-Metadata',
  'Upload-Defer-Length',
  'Upload-Concat',
  'X-HTTP-Method-Override',
  'X-Requested-With'
]

/** Headers of Sidecast's own answers a client reads (tus adds the tus ones to its answers). */
export const SIDECAST_EXPOSE_HEADERS = [
  'Upload-Expires',
  'Sidecast-Video-Id',
  'Sidecast-Video-Url',
  'Sidecast-Upload-State',
  // Set on a refused replace (403/404): the video named by `replaces` cannot be updated.
  'Sidecast-Refused',
  'Server-Timing',
  'Retry-After',
  'WWW-Authenticate'
]

/** Every answer's readable headers: the tus protocol's and Sidecast's. */
export const CORS_EXPOSE_HEADERS = [
  'Location',
  'Upload-Offset',
  'Upload-Length',
  'Upload-Metadata',
  'Upload-Defer-Length',
  'Upload-Concat',
  'Tus-Resumable',
  'Tus-Version',
  'Tus-Extension',
  'Tus-Max-Size',
  ...SIDECAST_EXPOSE_HEADERS
]

/** How long a browser may reuse a preflight answer (Chromium caps it at 2 hours). */
export const CORS_MAX_AGE_SECONDS = 7200

/** Answers a preflight: `204`, what may be sent, no body, nothing about the library. */
export function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  req.resume()
  res.writeHead(204, {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': CORS_ALLOW_METHODS.join(', '),
    'Access-Control-Allow-Headers': CORS_ALLOW_HEADERS.join(', '),
    'Access-Control-Max-Age': String(CORS_MAX_AGE_SECONDS)
  })
  res.end()
}

/**
 * Makes an API answer readable cross-origin (set before the route runs; the route's own headers
 * join these). The answer is the same for every origin, so no `Vary: Origin` is needed.
 */
export function allowCrossOrigin(res: ServerResponse): void {
  res.setHeader('Access-Control-Allow-Origin', '*')
  res.setHeader('Access-Control-Expose-Headers', CORS_EXPOSE_HEADERS.join(', '))
}
