/**
 * The JSON API for the desktop app (Bearer token) and the pages' scripts (session cookie; a
 * session write needs the `x-csrf-token` header). Errors are `{ "error": "..." }`.
 *
 *   GET    /api/me               → { name, admin }
 *   GET    /api/videos?q=&limit=&offset= → { videos: [...], total }
 *   GET    /api/videos/:id       → video
 *   PATCH  /api/videos/:id       { title?, description? } → video   (owner or admin)
 *   DELETE /api/videos/:id       → 204                               (owner or admin)
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { csrfOk, resolveUser } from '../auth'
import type { Video } from '../db/types'
import type { Library } from '../library'
import { LIMITS } from '../uploads/metadata'

const MAX_BODY = 64 * 1024

/**
 * JSON with `<`, `>` and `&` written as \u escapes: the same data, but no HTML or script tag can
 * appear in the bytes even if something renders the response as HTML.
 */
export function safeJson(body: unknown): string {
  return JSON.stringify(body)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): void {
  if (status === 204) {
    res.writeHead(204, { 'Cache-Control': 'no-store', ...headers })
    res.end()
    return
  }
  const text = safeJson(body)
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers
  })
  res.end(text)
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message)
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'] ?? ''
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpError(415, 'send the body as application/json')
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) throw new HttpError(413, 'body too large')
    chunks.push(chunk as Buffer)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new HttpError(400, 'body is not valid JSON')
  }
}

export function videoJson(library: Library, video: Video): Record<string, unknown> {
  const base = library.config.publicUrl
  return {
    ...video,
    url: `${base}/v/${video.id}`,
    mediaUrl: `${base}/media/${video.id}`,
    thumbnailUrl: video.hasThumbnail ? `${base}/thumbs/${video.id}.jpg` : null
  }
}

function validPatch(body: unknown): { title?: string; description?: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'body must be a JSON object')
  }
  const out: { title?: string; description?: string } = {}
  for (const [key, value] of Object.entries(body)) {
    if (key !== 'title' && key !== 'description') {
      throw new HttpError(400, `unknown field: ${key.slice(0, 40)}`)
    }
    if (typeof value !== 'string') throw new HttpError(400, `${key} must be a string`)
    const max = key === 'title' ? LIMITS.title : LIMITS.description
    if ([...value].length > max) throw new HttpError(400, `${key} is longer than ${max} characters`)
    if (key === 'title') {
      if (!value.trim()) throw new HttpError(400, 'title must not be empty')
      out.title = value.trim()
    } else out.description = value
  }
  return out
}

/** Answers `/api/*` (not `/api/uploads`). */
export async function handleApi(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  library: Library
): Promise<void> {
  try {
    const who = resolveUser(req, library.db)
    if (!who) {
      req.resume()
      sendJson(
        res,
        401,
        { error: 'sign in or send Authorization: Bearer <token>' },
        {
          'WWW-Authenticate': 'Bearer realm="sidecast"'
        }
      )
      return
    }
    const method = req.method ?? 'GET'
    const path = url.pathname

    if (path === '/api/me') {
      if (method !== 'GET') throw new HttpError(405, 'use GET')
      sendJson(res, 200, { name: who.user.name, admin: who.user.admin })
      return
    }

    if (path === '/api/videos') {
      if (method !== 'GET') throw new HttpError(405, 'use GET')
      const q = (url.searchParams.get('q') ?? '').slice(0, 200)
      const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? 50) || 50, 1), 200)
      const offset = Math.max(Number(url.searchParams.get('offset') ?? 0) || 0, 0)
      const videos = library.db.searchVideos(q, { limit, offset })
      sendJson(res, 200, {
        videos: videos.map((v) => videoJson(library, v)),
        total: library.db.countVideos(q)
      })
      return
    }

    const match = /^\/api\/videos\/([A-Za-z0-9_-]{1,64})$/.exec(path)
    if (match) {
      const id = match[1] as string
      const video = library.db.getVideo(id)
      if (!video) throw new HttpError(404, 'no such video')
      if (method === 'GET') {
        sendJson(res, 200, videoJson(library, video))
        return
      }
      if (method !== 'PATCH' && method !== 'DELETE')
        throw new HttpError(405, 'use GET, PATCH or DELETE')
      if (!csrfOk(req, who)) throw new HttpError(403, 'missing or wrong x-csrf-token')
      if (video.ownerId !== who.user.id && !who.user.admin) {
        throw new HttpError(403, 'only the owner or an admin may change this video')
      }
      if (method === 'PATCH') {
        const patch = validPatch(await readJson(req))
        const updated = library.db.updateVideo(id, patch)
        if (!updated) throw new HttpError(404, 'no such video')
        sendJson(res, 200, videoJson(library, updated))
        return
      }
      await library.deleteVideo(id)
      sendJson(res, 204, null)
      return
    }
    throw new HttpError(404, 'not found')
  } catch (error) {
    if (res.headersSent) {
      res.destroy()
      return
    }
    req.resume()
    if (error instanceof HttpError) sendJson(res, error.status, { error: error.message })
    else {
      console.error('[sidecast] api error', error)
      sendJson(res, 500, { error: 'internal error' })
    }
  }
}
