/**
 * `/api/collections`: ordered lists of videos ("Onboarding: finance tools"). Anyone signed in
 * makes one and reads any; only its owner or an admin changes it. A session's writes need its
 * CSRF token (`x-csrf-token`). Videos the asking user may not watch (`mayWatch`) are left out of
 * what they read.
 *
 *   GET    /api/collections?mine=1&limit=&offset= → { collections: [CollectionJson…], total }
 *   POST   /api/collections { title, description?, videoIds? } → 201 CollectionJson
 *   GET    /api/collections/:id → CollectionJson with `videos`
 *   PATCH  /api/collections/:id { title?, description? } → CollectionJson   (owner or admin)
 *   DELETE /api/collections/:id → 204                                       (owner or admin)
 *   PUT    /api/collections/:id/items { videoIds } → CollectionJson: the full new order; unknown
 *          ids → 400 naming them                                             (owner or admin)
 */
import { LEARN_LIMITS } from '../../../src/shared/learn'
import { csrfOk } from '../auth'
import type { Collection, User } from '../db/types'
import { HttpError } from '../http-request'
import { VIDEO_ID, mayWatch, videoUrl, type Library } from '../library'
import { FailureThrottle, throttleCounters } from '../throttle'
import { allowMethods, type ApiRequest, type ApiRoute, wholeNumber, objectBody } from './base'
import { readJson, sendJson } from './json'

/** A collection's id as the server makes them (16 URL-safe characters). */
export const COLLECTION_ID = /^[A-Za-z0-9_-]{1,64}$/

export interface CollectionVideoJson {
  id: string
  title: string
  authorName: string
  durationMs: number | null
  url: string
  thumbnailUrl: string | null
}

export interface CollectionJson {
  id: string
  title: string
  description: string
  ownerName: string
  /** Videos in it (all of them; `videos` lists those the asking user may watch). */
  itemCount: number
  createdAt: string
  updatedAt: string
  /** The library page of the collection. */
  url: string
  /** The asking user may change it (its owner or an admin). */
  canChange: boolean
  videos?: CollectionVideoJson[]
}

// ---------------------------------------------------------------------------------------------
// Rules shared with the pages

/** Who may change a collection: its owner and administrators. */
export function mayChangeCollection(user: User, collection: Collection): boolean {
  return user.admin || collection.ownerId === user.id
}

/** New collections one person may make in COLLECTIONS_WINDOW_MS (pages and API together). */
export const COLLECTIONS_PER_WINDOW = 20
export const COLLECTIONS_WINDOW_MS = 10 * 60_000
/**
 * Changes one person may make to collections in COLLECTIONS_WINDOW_MS (pages and API together):
 * edits of title or description, a new order or set of videos (PUT items), a video added,
 * removed or moved. Each rewrites rows in one transaction, so a loop cannot keep the database
 * busy.
 */
export const COLLECTION_CHANGES_PER_WINDOW = 200

export type CollectionSlot = 'make' | 'change'

const throttles = new WeakMap<Library, Record<CollectionSlot, FailureThrottle>>()

/**
 * Takes one slot of `kind` for `userId` (checked and counted in one atomic step, in memory or in
 * Redis, so parallel requests here or in other instances cannot all pass one check): 0 when it may go ahead, else the whole seconds
 * to wait (nothing counted). A slot is not given back when the write is then refused or fails.
 * The maps hold at most 10,000 people's windows each.
 */
export function takeCollectionSlot(
  library: Library,
  userId: number,
  kind: CollectionSlot
): Promise<number> {
  return throttleOf(library)[kind].take(String(userId))
}

/** What a refusal of `kind` says, `wait` seconds from now. */
export function collectionSlotMessage(kind: CollectionSlot, wait: number): string {
  const later = wait >= 60 ? `${Math.ceil(wait / 60)} minutes` : `${wait} seconds`
  return kind === 'make'
    ? `You made ${COLLECTIONS_PER_WINDOW} collections in the last few minutes. Try again in ${later}.`
    : `You made ${COLLECTION_CHANGES_PER_WINDOW} changes to collections in the last few minutes. Try again in ${later}.`
}

function throttleOf(library: Library): Record<CollectionSlot, FailureThrottle> {
  let t = throttles.get(library)
  if (!t) {
    const make = (kind: CollectionSlot, limit: number): FailureThrottle =>
      new FailureThrottle(
        { name: `collections-${kind}`, limit, windowMs: COLLECTIONS_WINDOW_MS, maxKeys: 10_000 },
        throttleCounters(library)
      )
    t = {
      make: make('make', COLLECTIONS_PER_WINDOW),
      change: make('change', COLLECTION_CHANGES_PER_WINDOW)
    }
    throttles.set(library, t)
  }
  return t
}

/** Strips control characters (keeping newlines and tabs when `multiline`) and trims. */
function clean(value: string, multiline: boolean): string {
  const normalized = value.replace(/\r\n?/g, '\n')
  /* eslint-disable no-control-regex */
  const stripped = multiline
    ? normalized.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    : normalized.replace(/[\u0000-\u001f\u007f]/g, ' ')
  /* eslint-enable no-control-regex */
  return stripped.trim()
}

/**
 * A collection's title and description as typed, cleaned and checked: the values to store, or
 * the first problem in words (naming the field and its limit).
 */
export function checkCollectionText(
  title: string,
  description: string
): { title: string; description: string; error?: string } {
  const t = clean(title, false)
  const d = clean(description, true)
  if (!t) return { title: t, description: d, error: 'The title cannot be empty.' }
  if ([...t].length > LEARN_LIMITS.collectionTitle) {
    return {
      title: t,
      description: d,
      error: `The title can be at most ${LEARN_LIMITS.collectionTitle} characters.`
    }
  }
  if ([...d].length > LEARN_LIMITS.collectionDescription) {
    return {
      title: t,
      description: d,
      error: `The description can be at most ${LEARN_LIMITS.collectionDescription.toLocaleString('en')} characters.`
    }
  }
  return { title: t, description: d }
}

// ---------------------------------------------------------------------------------------------
// JSON

export async function collectionJson(
  library: Library,
  collection: Collection,
  user: User,
  withVideos = false
): Promise<CollectionJson> {
  const { publicUrl } = library.config
  const json: CollectionJson = {
    id: collection.id,
    title: collection.title,
    description: collection.description,
    ownerName: collection.ownerName,
    itemCount: collection.itemCount,
    createdAt: collection.createdAt,
    updatedAt: collection.updatedAt,
    url: `${publicUrl}/c/${encodeURIComponent(collection.id)}`,
    canChange: mayChangeCollection(user, collection)
  }
  if (withVideos) {
    json.videos = []
    for (const videoId of await library.db.collectionItems(collection.id)) {
      const video = await library.db.getVideo(videoId)
      if (!video || !mayWatch(user, video)) continue
      json.videos.push({
        id: video.id,
        title: video.title,
        authorName: video.authorName,
        durationMs: video.durationMs,
        url: videoUrl(library.config, video.id),
        thumbnailUrl: video.hasThumbnail ? `${publicUrl}/thumbs/${video.id}.jpg` : null
      })
    }
  }
  return json
}

function stringField(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name]
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw new HttpError(400, `${name} must be a string`)
  return value
}

/**
 * `videoIds`: an array of distinct video ids, at most LEARN_LIMITS.collectionItems, each of a
 * video `user` may watch; else 400 naming what is wrong (the unknown ids, at most 10 named).
 */
async function videoIdsField(library: Library, user: User, value: unknown): Promise<string[]> {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new HttpError(400, 'videoIds must be an array of video ids')
  }
  const ids = value as string[]
  if (ids.length > LEARN_LIMITS.collectionItems) {
    throw new HttpError(
      400,
      `videoIds can list at most ${LEARN_LIMITS.collectionItems} videos (a collection's limit)`
    )
  }
  if (new Set(ids).size !== ids.length) throw new HttpError(400, 'videoIds lists a video twice')
  // One read after another, in the list's order (at most a collection's limit of them).
  const unknown: string[] = []
  for (const id of ids) {
    const video = VIDEO_ID.test(id) ? await library.db.getVideo(id) : null
    if (!video || !mayWatch(user, video)) unknown.push(id)
  }
  if (unknown.length > 0) {
    const named = unknown
      .slice(0, 10)
      .map((id) => JSON.stringify(id.slice(0, 64)))
      .join(', ')
    throw new HttpError(
      400,
      `unknown video${unknown.length === 1 ? '' : 's'} in videoIds: ${named}${unknown.length > 10 ? ` and ${unknown.length - 10} more` : ''}`
    )
  }
  return ids
}

// ---------------------------------------------------------------------------------------------
// Routes

async function collections(r: ApiRequest): Promise<void> {
  allowMethods(r, 'GET', 'POST')
  const { library, who } = r
  if (r.req.method === 'GET') {
    const params = r.url.searchParams
    const ownerId = params.get('mine') === '1' ? who.user.id : undefined
    const limit = Math.min(wholeNumber(params, 'limit', 1, 50), 200)
    const offset = wholeNumber(params, 'offset', 0, 0)
    const list = await library.db.listCollections({ ownerId, limit, offset })
    // One after another, in the list's order.
    const collections: CollectionJson[] = []
    for (const c of list) collections.push(await collectionJson(library, c, who.user))
    sendJson(r.res, 200, {
      collections,
      total: await library.db.countCollections({ ownerId })
    })
    return
  }
  if (!csrfOk(r.req, who)) throw new HttpError(403, 'missing or wrong x-csrf-token')
  await slot(r, 'make')
  const body = objectBody(await readJson(r.req), ['title', 'description', 'videoIds'])
  const title = stringField(body, 'title')
  if (title === undefined) throw new HttpError(400, 'title is required')
  const checked = checkCollectionText(title, stringField(body, 'description') ?? '')
  if (checked.error) throw new HttpError(400, checked.error)
  const videoIds =
    body.videoIds === undefined ? [] : await videoIdsField(library, who.user, body.videoIds)
  // One transaction: the collection and its videos, or nothing.
  const made = await library.write((db) =>
    db.createCollection({
      title: checked.title,
      description: checked.description,
      ownerId: who.user.id,
      videoIds
    })
  )
  sendJson(r.res, 201, await collectionJson(library, made, who.user, true))
}

/** The collection at `param`, or 404 (an id that cannot be one is not looked up). */
async function findCollection(r: ApiRequest, id: string): Promise<Collection> {
  const collection = COLLECTION_ID.test(id) ? await r.library.db.getCollection(id) : null
  if (!collection) throw new HttpError(404, 'no such collection')
  return collection
}

/**
 * Takes a slot of `kind` for the user (before the body is read), or throws 429 with
 * Retry-After.
 */
async function slot(r: ApiRequest, kind: CollectionSlot): Promise<void> {
  const wait = await takeCollectionSlot(r.library, r.who.user.id, kind)
  if (wait === 0) return
  r.req.resume()
  r.res.setHeader('Retry-After', String(wait))
  throw new HttpError(429, collectionSlotMessage(kind, wait))
}

/** Checks a write: CSRF for a session, then owner or admin. */
function checkWrite(r: ApiRequest, collection: Collection): void {
  if (!csrfOk(r.req, r.who)) throw new HttpError(403, 'missing or wrong x-csrf-token')
  if (!mayChangeCollection(r.who.user, collection)) {
    throw new HttpError(403, 'only the owner or an admin may change this collection')
  }
}

async function oneCollection(r: ApiRequest): Promise<void> {
  const { library, who } = r
  const collection = await findCollection(r, r.param)
  allowMethods(r, 'GET', 'PATCH', 'DELETE')
  if (r.req.method === 'GET') {
    sendJson(r.res, 200, await collectionJson(library, collection, who.user, true))
    return
  }
  checkWrite(r, collection)
  if (r.req.method === 'DELETE') {
    await library.write((db) => db.deleteCollection(collection.id))
    sendJson(r.res, 204, null)
    return
  }
  await slot(r, 'change')
  const body = objectBody(await readJson(r.req), ['title', 'description'])
  const checked = checkCollectionText(
    stringField(body, 'title') ?? collection.title,
    stringField(body, 'description') ?? collection.description
  )
  if (checked.error) throw new HttpError(400, checked.error)
  const updated = await library.write((db) =>
    db.updateCollection(collection.id, {
      title: checked.title,
      description: checked.description
    })
  )
  if (!updated) throw new HttpError(404, 'no such collection')
  sendJson(r.res, 200, await collectionJson(library, updated, who.user, true))
}

async function items(r: ApiRequest): Promise<void> {
  const { library, who } = r
  const collection = await findCollection(r, r.param)
  allowMethods(r, 'PUT')
  checkWrite(r, collection)
  await slot(r, 'change')
  const body = objectBody(await readJson(r.req), ['videoIds'])
  if (body.videoIds === undefined) throw new HttpError(400, 'videoIds is required')
  const videoIds = await videoIdsField(library, who.user, body.videoIds)
  // One transaction rewriting the items (removed, appended and moved at once).
  const updated = await library.write(async (db) =>
    (await db.setCollectionItems(collection.id, videoIds, who.user.id)) === null
      ? null
      : await db.getCollection(collection.id)
  )
  if (!updated) throw new HttpError(404, 'no such collection')
  sendJson(r.res, 200, await collectionJson(library, updated, who.user, true))
}

export const collectionRoutes: ApiRoute[] = [
  { path: /^\/api\/collections$/, handle: collections },
  { path: /^\/api\/collections\/([^/]+)$/, handle: oneCollection },
  { path: /^\/api\/collections\/([^/]+)\/items$/, handle: items }
]
