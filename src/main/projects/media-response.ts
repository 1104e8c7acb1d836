/**
 * Answers a fetch-style Request for a project file (what `protocol.handle` gives us) with a
 * streamed Response: 200 for the whole file, 206 for a byte range, 416 when the range is past the
 * end. Kept free of Electron so it is tested with Node's own Request/Response.
 */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { mediaContentType, parseMediaUrl } from '../electron/media-url'
import { parseRange } from '../../shared/http-range'

export interface MediaResponderOptions {
  /** The folder of a project, given an id that already passed isValidProjectId. */
  readonly projectDir: (projectId: string) => string
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

/** Builds the handler for `protocol.handle(MEDIA_SCHEME, …)`. */
export function createMediaResponder(
  options: MediaResponderOptions
): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return empty(405, { allow: 'GET, HEAD' })
    const address = parseMediaUrl(request.url)
    if (!address) return empty(400)
    const path = join(options.projectDir(address.projectId), address.fileName)
    const info = await stat(path).catch(() => null)
    if (!info?.isFile()) return empty(404)

    const size = info.size
    const headers: Record<string, string> = {
      'content-type': mediaContentType(address.fileName),
      'accept-ranges': 'bytes',
      // The recording is replaced in place when it is finished; never serve a stale copy.
      'cache-control': 'no-store',
      // Only Sidecast's own window can reach this scheme (navigation and new windows are
      // blocked); the header lets its page (file:// in a packaged app) read the bytes with fetch.
      'access-control-allow-origin': '*'
    }
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
