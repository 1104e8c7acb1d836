/** Byte routes behind the pages: the original video (with Range), thumbnails, static assets. */
import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { parseRange } from '../../../src/shared/http-range'
import type { Video } from '../db/types'
import type { Library } from '../library'

const MIME_TOKEN = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+$/

function safeMimeType(mime: string): string {
  return MIME_TOKEN.test(mime) ? mime : 'application/octet-stream'
}

const EXT_BY_MIME: Record<string, string> = {
  'video/mp4': '.mp4',
  'video/webm': '.webm',
  'video/quicktime': '.mov',
  'video/x-matroska': '.mkv'
}

/** `Content-Disposition: attachment` with an ASCII fallback and the UTF-8 name (RFC 6266). */
/* eslint-disable no-control-regex */
export function attachmentDisposition(video: Video): string {
  let name = (video.filename || '').replace(/[\u0000-\u001f\u007f/\\]/g, '').trim()
  if (!name) {
    const base = (video.title || 'video').replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '').trim()
    name = (base || 'video').slice(0, 120) + (EXT_BY_MIME[video.mimeType] ?? '')
  }
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["%;\\]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`
}
/* eslint-enable no-control-regex */

/** GET/HEAD /media/:id — 200 whole, 206 one range, 416 outside the file. */
export async function serveVideo(
  req: IncomingMessage,
  res: ServerResponse,
  library: Library,
  video: Video,
  download: boolean
): Promise<void> {
  const file = await library.openVideoFile(video)
  res.setHeader('Content-Type', safeMimeType(video.mimeType))
  res.setHeader('Accept-Ranges', 'bytes')
  res.setHeader('Cache-Control', 'private')
  if (download) res.setHeader('Content-Disposition', attachmentDisposition(video))

  // A Range with If-Range is only honoured when the validator matches; we send none, so ignore it.
  const rangeHeader = req.headers['if-range'] ? undefined : req.headers.range
  const range = parseRange(rangeHeader, file.size)
  if (range === 'unsatisfiable') {
    res.statusCode = 416
    res.setHeader('Content-Range', `bytes */${file.size}`)
    res.end()
    return
  }
  const head = req.method === 'HEAD'
  if (range) {
    res.statusCode = 206
    res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${file.size}`)
    res.setHeader('Content-Length', range.end - range.start + 1)
  } else {
    res.statusCode = 200
    res.setHeader('Content-Length', file.size)
  }
  if (head) {
    res.end()
    return
  }
  await pipeStream(file.stream(range ?? undefined), res)
}

/** GET /thumbs/:id.jpg */
export async function serveThumbnail(
  req: IncomingMessage,
  res: ServerResponse,
  path: string
): Promise<boolean> {
  let size: number
  try {
    const info = await stat(path)
    if (!info.isFile()) return false
    size = info.size
  } catch {
    return false
  }
  res.statusCode = 200
  res.setHeader('Content-Type', 'image/jpeg')
  res.setHeader('Content-Length', size)
  res.setHeader('Cache-Control', 'private, max-age=300')
  if (req.method === 'HEAD') {
    res.end()
    return true
  }
  await pipeStream(createReadStream(path), res)
  return true
}

async function pipeStream(stream: NodeJS.ReadableStream, res: ServerResponse): Promise<void> {
  try {
    await pipeline(stream, res)
  } catch {
    // The client went away (seeking aborts requests all the time) or storage failed mid-way:
    // the headers are out, so all we can do is close the connection.
    if (!res.destroyed) res.destroy()
  }
}

// ---------------------------------------------------------------------------------------------
// Static files from server/public

export const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url))

const STATIC_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2'
}

/** Only plain names in the public folder itself: no dots-only names, no sub-paths. */
const STATIC_NAME = /^[a-z0-9][a-z0-9_-]*\.[a-z0-9]+$/

const staticCache = new Map<string, Buffer>()

export async function servePublic(
  req: IncomingMessage,
  res: ServerResponse,
  name: string
): Promise<boolean> {
  if (!STATIC_NAME.test(name)) return false
  const type = STATIC_TYPES[extname(name)]
  if (!type) return false
  let body = staticCache.get(name)
  if (!body) {
    try {
      body = await readFile(join(PUBLIC_DIR, name))
    } catch {
      return false
    }
    if (process.env.NODE_ENV === 'production') staticCache.set(name, body)
  }
  res.statusCode = 200
  res.setHeader('Content-Type', type)
  res.setHeader('Content-Length', body.length)
  res.setHeader('Cache-Control', 'public, max-age=300')
  res.end(req.method === 'HEAD' ? undefined : body)
  return true
}
