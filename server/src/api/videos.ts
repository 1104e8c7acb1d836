/**
 * `/api/videos`: search and list; one video to read, and for its owner or an administrator to
 * change (title, description) or delete. A session's writes need its CSRF token.
 */
import { UPLOAD_METADATA_LIMITS } from '../../../src/shared/upload-metadata'
import { csrfOk } from '../auth'
import type { User, Video } from '../db/types'
import { HttpError } from '../http-request'
import { SEARCH_MAX, VIDEO_ID, mayChange, videoUrl, type Library } from '../library'
import { readJson, sendJson } from './json'
import { allowMethods, type ApiRequest, type ApiRoute, wholeNumber } from './base'

/**
 * A video as the API answers it for `user`: never its link token; its owner and administrators
 * get the "anyone with the link" address (`linkUrl`, null while the link is off).
 */
export function videoJson(library: Library, video: Video, user: User): Record<string, unknown> {
  const base = library.config.publicUrl
  const { linkToken: _linkToken, camera, ...shown } = video
  return {
    ...shown,
    // What the camera is, never where it is stored.
    camera: cameraJson(camera),
    url: videoUrl(library.config, video.id),
    mediaUrl: `${base}/media/${video.id}`,
    thumbnailUrl: video.hasThumbnail ? `${base}/thumbs/${video.id}.jpg` : null,
    ...(mayChange(user, video) ? { linkUrl: linkUrlOf(library, video) } : {})
  }
}

/** A video's camera as the API tells it: its place on the recording's clock and its size. */
function cameraJson(camera: Video['camera']): Record<string, unknown> | null {
  if (!camera) return null
  const { offsetMs, durationMs, offRanges, width, height } = camera.facts
  return { offsetMs, durationMs, offRanges: offRanges ?? [], width, height }
}

/** The visitor's address of a video while its "anyone with the link" link is on; else null. */
export function linkUrlOf(library: Library, video: Video): string | null {
  return video.access === 'link' && video.linkToken
    ? `${library.config.publicUrl}/s/${encodeURIComponent(video.linkToken)}`
    : null
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
    const max = UPLOAD_METADATA_LIMITS[key]
    if ([...value].length > max) throw new HttpError(400, `${key} is longer than ${max} characters`)
    if (key === 'title') {
      if (!value.trim()) throw new HttpError(400, 'title must not be empty')
      out.title = value.trim()
    } else out.description = value
  }
  return out
}

const MAX_LIMIT = 200

async function listVideos(r: ApiRequest): Promise<void> {
  allowMethods(r, 'GET')
  const { searchParams } = r.url
  const { db } = r.library
  const q = (searchParams.get('q') ?? '').slice(0, SEARCH_MAX)
  const limit = Math.min(wholeNumber(searchParams, 'limit', 1, 50), MAX_LIMIT)
  const offset = wholeNumber(searchParams, 'offset', 0, 0)
  const { videos, total } = await db.findVideos(q, { limit, offset })
  sendJson(r.res, 200, {
    videos: videos.map((v) => videoJson(r.library, v, r.who.user)),
    total
  })
}

/** An unknown id is 404 whatever the method. */
async function oneVideo(r: ApiRequest): Promise<void> {
  const { req, res, library, who, param: id } = r
  if (!VIDEO_ID.test(id)) throw new HttpError(404, 'not found')
  const video = await library.db.getVideo(id)
  if (!video) throw new HttpError(404, 'no such video')
  allowMethods(r, 'GET', 'PATCH', 'DELETE')
  if (req.method === 'GET') {
    sendJson(res, 200, videoJson(library, video, who.user))
    return
  }
  if (!csrfOk(req, who)) throw new HttpError(403, 'missing or wrong x-csrf-token')
  if (!mayChange(who.user, video)) {
    throw new HttpError(403, 'only the owner or an admin may change this video')
  }
  if (req.method === 'PATCH') {
    const patch = validPatch(await readJson(req))
    const updated = await library.write((db) => db.updateVideo(id, patch))
    if (!updated) throw new HttpError(404, 'no such video')
    sendJson(res, 200, videoJson(library, updated, who.user))
    return
  }
  await library.deleteVideo(id)
  sendJson(res, 204, null)
}

/**
 * `/api/videos/:id/camera`: `GET` what the video's camera is (`{ camera, awaitingCamera }`);
 * `DELETE` (owner or admin) removes it — or says none will come (a recording sent with
 * `cameraFollows` whose camera could not be sent): viewers then get the video without a bubble.
 */
async function videoCamera(r: ApiRequest): Promise<void> {
  const { req, res, library, who, param: id } = r
  if (!VIDEO_ID.test(id)) throw new HttpError(404, 'not found')
  const video = await library.db.getVideo(id)
  if (!video) throw new HttpError(404, 'no such video')
  allowMethods(r, 'GET', 'DELETE')
  if (req.method === 'GET') {
    sendJson(res, 200, { camera: cameraJson(video.camera), awaitingCamera: video.awaitingCamera })
    return
  }
  if (!csrfOk(req, who)) throw new HttpError(403, 'missing or wrong x-csrf-token')
  if (!mayChange(who.user, video)) {
    throw new HttpError(403, 'only the owner or an admin may change this video')
  }
  if (!(await library.removeCamera(id))) throw new HttpError(404, 'no such video')
  sendJson(res, 204, null)
}

export const videoRoutes: ApiRoute[] = [
  { path: /^\/api\/videos$/, handle: listVideos },
  { path: /^\/api\/videos\/([^/]+)$/, handle: oneVideo },
  { path: /^\/api\/videos\/([^/]+)\/camera$/, handle: videoCamera }
]
