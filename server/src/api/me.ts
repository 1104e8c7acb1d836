/**
 * `GET /api/me`: who the token or session belongs to ("Test connection" in the app), and what
 * this library can do (`features`): `edits` — it takes a recording as it is plus its edits, and
 * applies later changes of the edits without a new upload (api/edits.ts); `camera` — it takes a
 * recording's camera as a second upload (Upload-Metadata `cameraFor`) and burns the bubble into
 * what viewers watch (docs/library-server.md, "The camera bubble"); `learn` — walkthrough requests,
 * comments at a moment, notifications and collections (docs/learning-together.md): the app shows
 * Requests and polls notifications only when it is there.
 */
import { sendJson } from './json'
import { allowMethods, type ApiRequest, type ApiRoute } from './base'

/** What this library can do; the app asks before relying on any of it. */
export const LIBRARY_FEATURES = ['edits', 'camera', 'learn'] as const

async function me(r: ApiRequest): Promise<void> {
  allowMethods(r, 'GET')
  sendJson(r.res, 200, {
    name: r.who.user.name,
    admin: r.who.user.admin,
    features: LIBRARY_FEATURES
  })
}

export const meRoutes: ApiRoute[] = [{ path: /^\/api\/me$/, handle: me }]
