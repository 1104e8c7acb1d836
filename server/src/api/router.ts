/**
 * The JSON API for the desktop app (Bearer token) and the pages' scripts (session cookie; a
 * session write needs the `x-csrf-token` header). Errors are `{ "error": "..." }`. Finds the
 * route for a request and answers what no route does (no sign-in, an unknown path, a refusal).
 *
 *   GET    /api/me               → { name, admin, features }          (me.ts)
 *   GET    /api/videos?q=&limit=&offset= → { videos: [...], total }   (videos.ts)
 *   GET    /api/videos/:id       → video (with editsVersion, access; linkUrl for owner or admin)
 *   PATCH  /api/videos/:id       { title?, description? } → video   (owner or admin)
 *   DELETE /api/videos/:id       → 204                               (owner or admin)
 *   GET    /api/videos/:id/edits → { version, edits }                (edits.ts; owner or admin)
 *   PUT    /api/videos/:id/edits { baseVersion, edits } → { version, video }   (owner or admin;
 *                                 409 { error, version } when baseVersion is not the newest)
 *   GET    /api/videos/:id/view  → { version, durationMs, annotations, media, mediaUrl,
 *                                 originalUrl? }  (ETag, 304 on If-None-Match)
 *   POST   /api/videos/:id/access { access: "team" | "link", renew? } → { access, linkUrl }
 *                                 (owner or admin)
 *   GET    /api/requests?state=open|solved|all&q=&tag=&limit=&offset= → { requests, total }
 *                                 (requests.ts; walkthrough requests, RequestJson)
 *   POST   /api/requests         { title, details?, tags? } → 201 request   (10 per 10 min)
 *   GET    /api/requests/:id     → request
 *   PATCH  /api/requests/:id     { title?, details?, tags? } → request   (asker or admin)
 *   DELETE /api/requests/:id     → 204                               (asker or admin)
 *   POST   /api/requests/:id/answers { videoId } → request         (the video's owner or admin)
 *   DELETE /api/requests/:id/answers/:videoId → request            (video owner, asker, admin)
 *   POST   /api/requests/:id/solved { videoId | null } → request   (asker or admin)
 *   POST   /api/requests/:id/want { want } → request               ("Me too")
 *   GET    /api/videos/:id/comments → { threads: [{ comment, replies }] }   (comments.ts; any
 *                                 member who may watch it, else 404)
 *   POST   /api/videos/:id/comments { body, atMs?, parentId?, question? } → 201 comment
 *                                 (20 a minute a person, then 429 + Retry-After)
 *   GET    /api/comments/:id     → comment
 *   PATCH  /api/comments/:id     { body?, atMs? } (author) / { answered } (who asked, owner,
 *                                 admin) → comment
 *   DELETE /api/comments/:id     → 204                               (author, owner or admin)
 *   GET    /api/videos/:id/reactions → ReactionCounts
 *   POST   /api/videos/:id/reactions { kind, atMs?, on? } → ReactionCounts   (120 a minute)
 *   POST   /api/videos/:id/watched { ranges: [[startMs, endMs]…], durationMs } → { completion }
 *   GET    /api/videos/:id/insights → { helped, watchers: [{ name, completion, lastAt }] } or
 *                                 { helped, watched, averageCompletion }   (owner or admin)
 *   GET    /api/notifications?after=&limit= → { notifications, unread }   (notifications.ts;
 *                                 newest first, the caller's own, limit 1–100, default 20)
 *   POST   /api/notifications/read { ids? } → { unread }   (own ids only; none = all)
 *   GET    /api/collections?mine=1&limit=&offset= → { collections, total }   (collections.ts)
 *   POST   /api/collections      { title, description?, videoIds? } → 201 collection (20 / 10 min)
 *   GET    /api/collections/:id  → collection with videos (those the caller may watch)
 *   PATCH  /api/collections/:id  { title?, description? } → collection   (owner or admin)
 *   DELETE /api/collections/:id  → 204                               (owner or admin)
 *   PUT    /api/collections/:id/items { videoIds } → collection in that order (owner or admin;
 *                                 400 naming unknown ids)
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { resolveUser } from '../auth'
import { HttpError } from '../http-request'
import type { Library } from '../library'
import { unavailable } from '../unavailable'
import type { ApiRoute } from './base'
import { sendJson } from './json'
import { collectionRoutes } from './collections'
import { commentRoutes } from './comments'
import { editsRoutes } from './edits'
import { meRoutes } from './me'
import { notificationRoutes } from './notifications'
import { requestRoutes } from './requests'
import { videoRoutes } from './videos'

const ROUTES: ApiRoute[] = [
  ...meRoutes,
  ...editsRoutes,
  ...videoRoutes,
  ...requestRoutes,
  ...commentRoutes,
  ...notificationRoutes,
  ...collectionRoutes
]

/** Answers `/api/*` (not `/api/uploads`). */
export async function handleApi(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  library: Library
): Promise<void> {
  try {
    const who = await resolveUser(req, library.db)
    if (!who) {
      req.resume()
      sendJson(
        res,
        401,
        { error: 'sign in or send Authorization: Bearer <token>' },
        { 'WWW-Authenticate': 'Bearer realm="sidecast"' }
      )
      return
    }
    for (const route of ROUTES) {
      const match = route.path.exec(url.pathname)
      if (match) return await route.handle({ req, res, url, library, who, param: match[1] ?? '' })
    }
    throw new HttpError(404, 'not found')
  } catch (error) {
    if (res.headersSent) {
      res.destroy()
      return
    }
    req.resume()
    const trouble = unavailable(error)
    if (error instanceof HttpError) sendJson(res, error.status, { error: error.message })
    else if (trouble) sendJson(res, trouble.status, { error: trouble.message }, trouble.headers)
    else {
      console.error('[sidecast] api error', error)
      sendJson(res, 500, { error: 'internal error' })
    }
  }
}
