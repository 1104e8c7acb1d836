/**
 * Byte routes behind the pages: a video's media (with Range), thumbnails, static assets. Media
 * and thumbnails need a session or a Bearer token (the app plays and downloads them too). The
 * original of a video whose edits hide something goes to its owner and administrators only;
 * everyone else gets the render with the redactions burnt in (issue 13).
 */
import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Resolved } from '../../auth'
import type { Video } from '../../db/types'
import { redirect, sendText } from '../http'
import { pipeStream, sendBytes, sendLocalFile } from '../send-file'
import { mayChange } from '../../library'
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

/**
 * `Content-Disposition: attachment` with an ASCII fallback and the UTF-8 name (RFC 6266). `ext`
 * (".mp4" for a render) replaces the name's own extension.
 */
/* eslint-disable no-control-regex */
function attachmentDisposition(video: Video, ext?: string): string {
  let name = (video.filename || '').replace(/[\u0000-\u001f\u007f/\\]/g, '').trim()
  if (!name) {
    const base = (video.title || 'video').replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '').trim()
    name = (base || 'video').slice(0, 120) + (ext ?? EXT_BY_MIME[video.mimeType] ?? '')
  } else if (ext) {
    name = (name.replace(/\.[A-Za-z0-9]{1,5}$/, '') || 'video') + ext
  }
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["%;\\]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`
}
/* eslint-enable no-control-regex */

/** Whoever may fetch media and thumbnails: a session or a Bearer token; else answered, null. */
async function byteViewer({ req, res, ctx, url }: PageRequest): Promise<Resolved | null> {
  const who = await ctx.resolveUser(req)
  if (who) return who
  if (wantsHtml(req)) {
    redirect(res, `/signin?next=${encodeURIComponent(url.pathname + url.search)}`)
  } else {
    res.setHeader('WWW-Authenticate', 'Bearer realm="sidecast"')
    sendText(res, 401, 'Sign in or send an access token.')
  }
  return null
}

/** The original upload, as stored. Only for its owner or, while nothing is hidden, everyone. */
async function sendOriginal(r: PageRequest, video: Video): Promise<void> {
  const file = await r.ctx.library.openVideoFile(video)
  const headers: Record<string, string> = {
    'Content-Type': safeMimeType(video.mimeType),
    'Cache-Control': 'private'
  }
  if (r.url.searchParams.get('download') === '1') {
    headers['Content-Disposition'] = attachmentDisposition(video)
  }
  await sendBytes(r.req, r.res, file.size, headers, (range) => file.stream(range))
}

/**
 * A render (an absolute path the render service gives): its bytes as they are when opened, so
 * a render replaced meanwhile still finishes this answer. False when the file is gone.
 */
async function sendRender(r: PageRequest, video: Video, path: string): Promise<boolean> {
  const headers: Record<string, string> = {
    'Content-Type': 'video/mp4',
    // The same address plays a newer render once it is done.
    'Cache-Control': 'private, no-cache'
  }
  if (r.url.searchParams.get('download') === '1') {
    headers['Content-Disposition'] = attachmentDisposition(video, '.mp4')
  }
  return sendLocalFile(r.req, r.res, path, headers)
}

/**
 * What a viewer is served of `video` (RenderService.viewerMedia): the original while the edits
 * hide nothing, else the render with them burnt in, else 409 "being processed" — never the
 * original's bytes while something is hidden. Shared with the visitor's link (shared-link.ts).
 */
export async function sendViewerMedia(r: PageRequest, video: Video): Promise<void> {
  // A render finished meanwhile may have removed the older one: look once more.
  for (let attempt = 0; attempt < 2; attempt++) {
    const served = await r.ctx.library.renders.viewerMedia(video)
    if (served.kind === 'original') return sendOriginal(r, video)
    if (served.kind === 'processing') break
    if (await sendRender(r, video, served.file)) return
  }
  r.res.setHeader('Retry-After', '5')
  sendText(r.res, 409, 'This video is being processed.')
}

/**
 * GET/HEAD /media/:id — what viewers are served (sendViewerMedia); `?original=1` the original,
 * for its owner and administrators only (403 for others). 200 whole, 206 one range, 416 outside
 * the file; `?download=1` as an attachment.
 */
async function media(r: PageRequest): Promise<void> {
  const { res, ctx } = r
  const who = await byteViewer(r)
  if (!who) return
  const video = await findVideo(ctx, r.param)
  if (!video) {
    sendText(res, 404, 'No such video.')
    return
  }
  if (r.url.searchParams.get('original') === '1') {
    if (!mayChange(who.user, video)) {
      sendText(res, 403, "Only the video's owner can play the original.")
      return
    }
    await sendOriginal(r, video)
    return
  }
  await sendViewerMedia(r, video)
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

/** A video's thumbnail (404 text when it has none); shared with the visitor's link. */
export async function sendThumbnail(
  r: PageRequest,
  video: Video | null,
  asOwner = false
): Promise<void> {
  const { req, res, ctx } = r
  // Viewers get the thumbnail of what they are served: the original's may show what is hidden.
  const shown = video && !asOwner ? await ctx.library.renders.viewerThumbnail(video) : null
  const path = !video
    ? null
    : shown?.kind === 'file'
      ? shown.file
      : shown?.kind === 'none'
        ? null
        : ctx.library.thumbnailFile(video)
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

/** GET/HEAD /thumbs/:id.jpg */
async function thumbnail(r: PageRequest): Promise<void> {
  const who = await byteViewer(r)
  if (!who) return
  const video = await findVideo(r.ctx, r.param)
  await sendThumbnail(r, video, video !== null && mayChange(who.user, video))
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
