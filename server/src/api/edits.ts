/**
 * A video's edits, what its watch page draws, and who may watch it (issue 13); see the module
 * comment of api/router.ts for the routes.
 *
 * - `GET/PUT /api/videos/:id/edits` — owner or admin. A write names the version it is based on
 *   and is stored as the next one only when that is still the newest (else 409, nothing saved).
 * - `GET /api/videos/:id/view` — any member: the edits as a viewer is given them (callouts on the
 *   output clock, the edited length) and which media plays; ETag + 304 for the page's poll.
 * - `POST /api/videos/:id/access` — owner or admin: "Team" or "Anyone with the link".
 */
import { createHash, randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { serializeEdits, type Edits } from '../../../src/shared/edits'
import { LIBRARY_EDITS_MAX_BYTES, viewerEdits } from '../../../src/shared/live-edits'
import { csrfOk } from '../auth'
import type { Video } from '../db/types'
import { checkEditsBody, conflictMessage, searchCallouts } from '../edits/edits-rules'
import { HttpError, readBody } from '../http-request'
import { VIDEO_ID, mayChange, type Library } from '../library'
import { safeJson, sendJson } from './json'
import { allowMethods, type ApiRequest, type ApiRoute } from './base'
import { linkUrlOf, videoJson } from './videos'

/** Room in a PUT body beside the edits themselves (`{"baseVersion":…,"edits":…}`). */
const BODY_SLACK = 4 * 1024

/** The video at `param`, or 404 whatever the method. */
async function videoOf(r: ApiRequest): Promise<Video> {
  if (!VIDEO_ID.test(r.param)) throw new HttpError(404, 'not found')
  const video = await r.library.db.getVideo(r.param)
  if (!video) throw new HttpError(404, 'no such video')
  return video
}

/** The JSON body of a PUT of edits: at most the edits' limit plus the wrapper, else 413. */
async function readEditsBody(req: IncomingMessage): Promise<unknown> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    throw new HttpError(415, 'send the body as application/json')
  }
  const body = await readBody(
    req,
    LIBRARY_EDITS_MAX_BYTES + BODY_SLACK,
    `The edits are larger than the library takes (${LIBRARY_EDITS_MAX_BYTES} bytes).`
  )
  try {
    return JSON.parse(body.toString('utf8'))
  } catch {
    throw new HttpError(400, 'body is not valid JSON')
  }
}

/** The video's newest edits as the loader reads them (the render service parses them once). */
export async function newestEdits(library: Library, video: Video): Promise<Edits> {
  return await library.renders.edits(video)
}

// ---------------------------------------------------------------------------------------------
// GET/PUT /api/videos/:id/edits

async function edits(r: ApiRequest): Promise<void> {
  const { req, res, library, who } = r
  const video = await videoOf(r)
  allowMethods(r, 'GET', 'PUT')
  if (req.method === 'GET') {
    if (!mayChange(who.user, video)) {
      throw new HttpError(403, "Only the video's owner can read its edits.")
    }
    sendJson(res, 200, { version: video.editsVersion, edits: await newestEdits(library, video) })
    return
  }
  if (!csrfOk(req, who)) throw new HttpError(403, 'missing or wrong x-csrf-token')
  if (!mayChange(who.user, video)) {
    throw new HttpError(403, "Only the video's owner can change its edits.")
  }
  const { baseVersion, edits: checked } = checkEditsBody(await readEditsBody(req), video)
  const callouts = searchCallouts(checked, video.durationMs)
  const saved = await library.write((db) =>
    db.saveEdits(video.id, baseVersion, serializeEdits(checked), who.user.id, callouts)
  )
  if (!saved) throw new HttpError(404, 'no such video')
  if ('conflict' in saved) {
    sendJson(res, 409, {
      error: conflictMessage(baseVersion, saved.conflict),
      version: saved.conflict
    })
    return
  }
  try {
    await library.renders.editsChanged(video.id)
  } catch (error) {
    // The edits are saved; the render is asked for again by the next change or view.
    console.error('[sidecast] render queue', error)
  }
  const updated = await library.db.getVideo(video.id)
  if (!updated) throw new HttpError(404, 'no such video')
  sendJson(res, 200, { version: saved.version, video: videoJson(library, updated, who.user) })
}

// ---------------------------------------------------------------------------------------------
// GET /api/videos/:id/view (and /s/:token/view)

/** The addresses a view names: the media viewers play, and the original for its owner. */
export interface ViewUrls {
  /** `/media/:id` or `/s/:token/media`. */
  media: string
  /**
   * `/media/:id?original=1` for the owner and administrators (who are also told why a render
   * failed); else null.
   */
  original: string | null
}

/**
 * What the watch page polls: the edits as a viewer is given them, which media plays and where.
 * `mediaUrl` changes when a new render is served (a `r` query the media route ignores), so the
 * page knows to swap its source.
 */
export async function viewJson(
  library: Library,
  video: Video,
  urls: ViewUrls
): Promise<Record<string, unknown>> {
  const served = await library.renders.viewerMedia(video)
  const newest = await newestEdits(library, video)
  // Viewers still watching an older render (the new one is being made) play its cuts: the
  // callouts (the newest) are put on that render's clock, so they show over the right moments.
  const edits =
    served.kind === 'render' && served.stale
      ? {
          ...newest,
          keep: (await newestEdits(library, { ...video, editsVersion: served.editsVersion })).keep
        }
      : newest
  const known = video.durationMs !== null
  const view = viewerEdits(edits, video.durationMs ?? Number.MAX_SAFE_INTEGER, video.editsVersion)
  // Without a known length and no kept ranges, the edited length is not known either.
  const durationMs = known || edits.keep.length > 0 ? view.durationMs : null
  let media: Record<string, unknown>
  let mediaUrl = urls.media
  if (served.kind === 'render') {
    media = { kind: 'render', editsVersion: served.editsVersion, stale: served.stale }
    mediaUrl = `${urls.media}?r=${served.editsVersion}`
  } else if (served.kind === 'processing') {
    // `failed`: the render of these edits failed. Why is for the owner (it may name the
    // server's files); others are told it did.
    const failed = served.failed !== null
    const error = failed && urls.original ? served.failed : null
    media = { kind: 'processing', failed, ...(error ? { error } : {}) }
  } else media = { kind: 'original' }
  return {
    version: view.version,
    durationMs,
    annotations: view.annotations,
    media,
    mediaUrl,
    ...(urls.original ? { originalUrl: urls.original } : {})
  }
}

/** Whether `If-None-Match` names `etag` (weak or strong, or `*`). */
function notModified(req: IncomingMessage, etag: string): boolean {
  const header = req.headers['if-none-match']
  if (!header) return false
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === etag || tag === '*')
}

/** Answers a view as JSON with its ETag, or 304 when the asker has it already. */
export function sendView(req: IncomingMessage, res: ServerResponse, body: unknown): void {
  const text = safeJson(body)
  const etag = `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`
  const headers = { ETag: etag, 'Cache-Control': 'private, no-cache' }
  if (notModified(req, etag)) {
    res.writeHead(304, headers)
    res.end()
    return
  }
  sendJson(res, 200, body, headers)
}

async function view(r: ApiRequest): Promise<void> {
  const video = await videoOf(r)
  allowMethods(r, 'GET')
  const id = encodeURIComponent(video.id)
  const owner = mayChange(r.who.user, video)
  sendView(
    r.req,
    r.res,
    await viewJson(r.library, video, {
      media: `/media/${id}`,
      original: owner ? `/media/${id}?original=1` : null
    })
  )
}

// ---------------------------------------------------------------------------------------------
// POST /api/videos/:id/access

/** A new "anyone with the link" token: 32 random bytes, base64url (43 characters). */
export function newLinkToken(): string {
  return randomBytes(32).toString('base64url')
}

/** What a link token may look like; anything else is not looked up. */
export const LINK_TOKEN = /^[A-Za-z0-9_-]{43}$/

function validAccess(body: unknown): { access: 'team' | 'link'; renew: boolean } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'body must be a JSON object: { "access": "team" | "link" }')
  }
  const { access, renew, ...rest } = body as Record<string, unknown>
  const unknown = Object.keys(rest)[0]
  if (unknown !== undefined) throw new HttpError(400, `unknown field: ${unknown.slice(0, 40)}`)
  if (access !== 'team' && access !== 'link') {
    throw new HttpError(400, 'access must be "team" or "link"')
  }
  if (renew !== undefined && typeof renew !== 'boolean') {
    throw new HttpError(400, 'renew must be true or false')
  }
  if (renew && access !== 'link') throw new HttpError(400, 'renew goes with access "link"')
  return { access, renew: renew === true }
}

async function access(r: ApiRequest): Promise<void> {
  const { req, res, library, who } = r
  const video = await videoOf(r)
  allowMethods(r, 'POST')
  if (!csrfOk(req, who)) throw new HttpError(403, 'missing or wrong x-csrf-token')
  if (!mayChange(who.user, video)) {
    throw new HttpError(403, "Only the video's owner can change who may watch it.")
  }
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    throw new HttpError(415, 'send the body as application/json')
  }
  const body = await readBody(req, 1024, 'body too large')
  let parsedBody: unknown
  try {
    parsedBody = JSON.parse(body.toString('utf8'))
  } catch {
    throw new HttpError(400, 'body is not valid JSON')
  }
  const wanted = validAccess(parsedBody)
  const updated = await library.write(async (db) => {
    // Read in the write, so two clicks at once agree on one token.
    const current = await db.getVideo(video.id)
    if (!current) return null
    if (wanted.access === 'team') return await db.setAccess(video.id, 'team', null)
    const token = current.linkToken && !wanted.renew ? current.linkToken : newLinkToken()
    return await db.setAccess(video.id, 'link', token)
  })
  if (!updated) throw new HttpError(404, 'no such video')
  sendJson(res, 200, { access: updated.access, linkUrl: linkUrlOf(library, updated) })
}

export const editsRoutes: ApiRoute[] = [
  { path: /^\/api\/videos\/([^/]+)\/edits$/, handle: edits },
  { path: /^\/api\/videos\/([^/]+)\/view$/, handle: view },
  { path: /^\/api\/videos\/([^/]+)\/access$/, handle: access }
]
