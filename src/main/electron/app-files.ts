/**
 * The files of `app://sidecast`: the built renderer (out/renderer) answered to the fetch-style
 * Requests that `protocol.handle` gives (app-protocol.ts wires it). Pure Node, so it is tested
 * against a real folder.
 *
 * Why a scheme of our own rather than file://: the page gets a real origin (file:// pages share
 * one opaque origin with every file on the disk), nothing outside out/renderer can be named, the
 * Content-Security-Policy travels with index.html as a header, and no file:// URL is ever loaded.
 *
 * Files are read with fs/promises: in Electron's main process it reads inside app.asar as it does
 * elsewhere, the responder stays plain Node (no Electron, no file:// URL, unlike
 * `net.fetch(pathToFileURL(…))`), and the renderer's files are small enough to answer whole, with
 * an exact Content-Length.
 */
import { readFile, realpath, stat } from 'node:fs/promises'
import { join, sep } from 'node:path'
import { isAppUrl } from './app-url'
import { CONTENT_SECURITY_POLICY } from './content-security-policy'

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8',
  map: 'application/json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  ico: 'image/x-icon',
  ttf: 'font/ttf',
  otf: 'font/otf',
  woff: 'font/woff',
  woff2: 'font/woff2',
  wasm: 'application/wasm'
}

/** MIME type by extension; octet-stream (never sniffed) for anything else. */
export function appContentType(fileName: string): string {
  const dot = fileName.lastIndexOf('.')
  const ext = dot < 0 ? '' : fileName.slice(dot + 1).toLowerCase()
  return CONTENT_TYPES[ext] ?? 'application/octet-stream'
}

/**
 * The path segments a URL names inside the renderer folder, 403 for a path that tries to leave
 * it or to name something a file name cannot be (`..`, separators encoded into a segment, a NUL,
 * a drive letter), 404 for another origin or an empty segment (a folder, `//`).
 */
export function appFileSegments(requestUrl: string): readonly string[] | 403 | 404 {
  let url: URL
  try {
    url = new URL(requestUrl)
  } catch {
    return 404
  }
  if (!isAppUrl(url)) return 404
  if (url.pathname === '/' || url.pathname === '') return ['index.html']
  const segments: string[] = []
  for (const raw of url.pathname.slice(1).split('/')) {
    let segment: string
    try {
      segment = decodeURIComponent(raw)
    } catch {
      return 403
    }
    if (segment === '') return 404
    if (segment === '.' || segment === '..' || /[/\\:\0]/.test(segment)) return 403
    segments.push(segment)
  }
  return segments
}

function empty(status: number, headers: Record<string, string> = {}): Response {
  return new Response(null, {
    status,
    headers: { 'x-content-type-options': 'nosniff', ...headers }
  })
}

function isInside(path: string, root: string): boolean {
  return path.startsWith(root.endsWith(sep) ? root : root + sep)
}

/** Builds the `app:` handler serving the files under `rendererDir` (out/renderer). */
export function createAppFileResponder(
  rendererDir: string
): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return empty(405, { allow: 'GET, HEAD' })
    const segments = appFileSegments(request.url)
    if (typeof segments === 'number') return empty(segments)

    // Symbolic links are followed only while they stay inside the folder.
    const root = await realpath(rendererDir).catch(() => null)
    if (!root) return empty(404)
    const path = await realpath(join(root, ...segments)).catch(() => null)
    if (!path) return empty(404)
    if (!isInside(path, root)) return empty(403)
    const info = await stat(path).catch(() => null)
    if (!info?.isFile()) return empty(404)

    const type = appContentType(path)
    const headers: Record<string, string> = {
      'content-type': type,
      'content-length': String(info.size),
      'x-content-type-options': 'nosniff'
    }
    if (type.startsWith('text/html')) headers['content-security-policy'] = CONTENT_SECURITY_POLICY
    if (request.method === 'HEAD') return new Response(null, { status: 200, headers })
    const body = await readFile(path)
    headers['content-length'] = String(body.byteLength)
    return new Response(body, { status: 200, headers })
  }
}
