/**
 * Byte routes behind the pages: the original video (with Range), thumbnails, static assets.
 * Media and thumbnails need a session or a Bearer token (the app plays and downloads them too).
 */
import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { extname, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { parseRange } from '../../../../src/shared/http-range'
import type { Resolved } from '../../auth'
import type { Video } from '../../db/types'
import { redirect, sendText } from '../http'
import { findVideo, wantsHtml, type PageRequest, type PageRoute } from './base'

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
function attachmentDisposition(video: Video): string {
  let name = (video.filename || '').replace(/[\u0000-\u001f\u007f/\\]/g, '').trim()
  if (!name) {
    const base = (video.title || 'video').replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '').trim()
    name = (base || 'video').slice(0, 120) + (EXT_BY_MIME[video.mimeType] ?? '')
  }
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["%;\\]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`
}
/* eslint-enable no-control-regex */

async function pipeStream(stream: NodeJS.ReadableStream, res: ServerResponse): Promise<void> {
  try {
    await pipeline(stream, res)
  } catch {
    // The client went away (seeking aborts requests all the time) or storage failed mid-way:
    // the headers are out, so all we can do is close the connection.
    if (!res.destroyed) res.destroy()
  }
}

/** Whoever may fetch media and thumbnails: a session or a Bearer token; else answered, null. */
function byteViewer({ req, res, ctx, url }: PageRequest): Resolved | null {
  const who = ctx.resolveUser(req)
  if (who) return who
  if (wantsHtml(req)) {
    redirect(res, `/signin?next=${encodeURIComponent(url.pathname + url.search)}`)
  } else {
    res.setHeader('WWW-Authenticate', 'Bearer realm="sidecast"')
    sendText(res, 401, 'Sign in or send an access token.')
  }
  return null
}

/** GET/HEAD /media/:id — 200 whole, 206 one range, 416 outside the file; `?download=1`. */
async function media(r: PageRequest): Promise<void> {
  const { req, res, ctx } = r
  if (!byteViewer(r)) return
  const video = findVideo(ctx, r.param)
  if (!video) {
    sendText(res, 404, 'No such video.')
    return
  }
  const file = await ctx.library.openVideoFile(video)
  res.setHeader('Content-Type', safeMimeType(video.mimeType))
  res.setHeader('Accept-Ranges', 'bytes')
  res.setHeader('Cache-Control', 'private')
  if (r.url.searchParams.get('download') === '1') {
    res.setHeader('Content-Disposition', attachmentDisposition(video))
  }

  // A Range with If-Range is only honoured when the validator matches; we send none, so ignore it.
  const rangeHeader = req.headers['if-range'] ? undefined : req.headers.range
  const range = parseRange(rangeHeader, file.size)
  if (range === 'unsatisfiable') {
    res.statusCode = 416
    res.setHeader('Content-Range', `bytes */${file.size}`)
    res.end()
    return
  }
  if (range) {
    res.statusCode = 206
    res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${file.size}`)
    res.setHeader('Content-Length', range.end - range.start + 1)
  } else {
    res.statusCode = 200
    res.setHeader('Content-Length', file.size)
  }
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  await pipeStream(file.stream(range ?? undefined), res)
}

/** The size of the file at `path`, or null when there is no such file. */
async function fileSize(path: string): Promise<number | null> {
  try {
    const info = await stat(path)
    return info.isFile() ? info.size : null
  } catch {
    return null
  }
}

/** GET/HEAD /thumbs/:id.jpg */
async function thumbnail(r: PageRequest): Promise<void> {
  const { req, res, ctx } = r
  if (!byteViewer(r)) return
  const video = findVideo(ctx, r.param)
  const path = video ? ctx.library.thumbnailFile(video) : null
  const size = path ? await fileSize(path) : null
  if (!path || size === null) {
    sendText(res, 404, 'No thumbnail.')
    return
  }
  res.statusCode = 200
  res.setHeader('Content-Type', 'image/jpeg')
  res.setHeader('Content-Length', size)
  res.setHeader('Cache-Control', 'private, max-age=300')
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  await pipeStream(createReadStream(path), res)
}

// ---------------------------------------------------------------------------------------------
// Static files from server/public

const PUBLIC_DIR = fileURLToPath(new URL('../../../public/', import.meta.url))

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

/** The asset's bytes, or null when there is no such asset. */
async function publicFile(name: string): Promise<Buffer | null> {
  if (!STATIC_NAME.test(name) || !STATIC_TYPES[extname(name)]) return null
  let body = staticCache.get(name)
  if (!body) {
    try {
      body = await readFile(join(PUBLIC_DIR, name))
    } catch {
      return null
    }
    if (process.env.NODE_ENV === 'production') staticCache.set(name, body)
  }
  return body
}

/** GET/HEAD /public/:name */
async function asset({ req, res, param: name }: PageRequest): Promise<void> {
  const body = await publicFile(name)
  if (!body) {
    sendText(res, 404, 'Not found.')
    return
  }
  res.statusCode = 200
  res.setHeader('Content-Type', STATIC_TYPES[extname(name)]!)
  res.setHeader('Content-Length', body.length)
  res.setHeader('Cache-Control', 'public, max-age=300')
  res.end(req.method === 'HEAD' ? undefined : body)
}

export const fileRoutes: PageRoute[] = [
  { path: /^\/media\/([^/]+)$/, get: media },
  { path: /^\/thumbs\/([^/]+)\.jpg$/, get: thumbnail },
  { path: /^\/public\/([^/]+)$/, get: asset }
]
