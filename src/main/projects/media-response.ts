/**
 * Answers a fetch-style Request for a project file with a streamed Response: 200 for the whole
 * file, 206 for a byte range, 416 when the range is past the end. The one Range responder for
 * project files: the Electron edge serves it as `sidecast-media:` (protocol.handle gives fetch
 * Requests) and the e2e harness over HTTP, each reading the address from its own URL form.
 */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { parseRange } from '../../shared/http-range'
import { isPlainFileName, isValidProjectId } from '../../shared/project'

/** A plain file directly inside a project folder. */
export interface MediaAddress {
  readonly projectId: string
  readonly fileName: string
}

/**
 * The address named by a URL's two path segments (still percent-encoded): a valid project id and
 * a plain file name, or null for anything else (more segments, `..`, separators, hidden files).
 */
export function mediaAddress(segments: readonly string[]): MediaAddress | null {
  if (segments.length !== 2) return null
  let projectId: string
  let fileName: string
  try {
    projectId = decodeURIComponent(segments[0] ?? '')
    fileName = decodeURIComponent(segments[1] ?? '')
  } catch {
    return null
  }
  if (!isValidProjectId(projectId) || !isPlainFileName(fileName)) return null
  return { projectId, fileName }
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  webm: 'video/webm',
  mp4: 'video/mp4',
  mkv: 'video/x-matroska',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  json: 'application/json'
}

/** MIME type by extension; octet-stream for anything unexpected. */
export function mediaContentType(fileName: string): string {
  const dot = fileName.lastIndexOf('.')
  const ext = dot < 0 ? '' : fileName.slice(dot + 1).toLowerCase()
  return CONTENT_TYPES[ext] ?? 'application/octet-stream'
}

export interface MediaResponderOptions {
  /** The folder of a project, given an id that already passed isValidProjectId. */
  readonly projectDir: (projectId: string) => string
  /** The project file a request's URL names, or null (answered 400). */
  readonly parseUrl: (url: string) => MediaAddress | null
  /**
   * The page's origin when it is another than the files' (the app's page at app://sidecast reads
   * sidecast-media:// with fetch): sent as Access-Control-Allow-Origin. Absent when the page and
   * the files share an origin (the e2e harness).
   */
  readonly allowOrigin?: string
}

function empty(status: number, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers })
}

function fileBody(path: string, start: number, end: number): ReadableStream<Uint8Array> {
  // Node's web stream type and the global one differ only nominally.
  return Readable.toWeb(
    createReadStream(path, { start, end })
  ) as unknown as ReadableStream<Uint8Array>
}

/** Builds the handler that answers requests for project files. */
export function createMediaResponder(
  options: MediaResponderOptions
): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return empty(405, { allow: 'GET, HEAD' })
    const address = options.parseUrl(request.url)
    if (!address) return empty(400)
    const path = join(options.projectDir(address.projectId), address.fileName)
    const info = await stat(path).catch(() => null)
    if (!info?.isFile()) return empty(404)

    const size = info.size
    const headers: Record<string, string> = {
      'content-type': mediaContentType(address.fileName),
      'accept-ranges': 'bytes',
      // The recording is replaced in place when it is finished; never serve a stale copy.
      'cache-control': 'no-store'
    }
    if (options.allowOrigin) headers['access-control-allow-origin'] = options.allowOrigin
    const range = parseRange(request.headers.get('range'), size)
    if (range === 'unsatisfiable') {
      return empty(416, { ...headers, 'content-range': `bytes */${size}` })
    }
    const start = range?.start ?? 0
    const end = range?.end ?? size - 1
    const length = size === 0 ? 0 : end - start + 1
    headers['content-length'] = String(length)
    if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`
    const status = range ? 206 : 200
    if (request.method === 'HEAD' || length === 0) return new Response(null, { status, headers })
    return new Response(fileBody(path, start, end), { status, headers })
  }
}
