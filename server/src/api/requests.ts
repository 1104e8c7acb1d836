/**
 * Walkthrough requests (docs/learning-together.md, "Requests"): anyone signed in asks for a
 * walkthrough; videos are linked to it as answers; its asker marks the one that solved it. The
 * JSON API for the desktop app (Bearer token) and scripts (session + `x-csrf-token` for writes);
 * the rules the request pages (pages/routes/requests.ts) share with it live here too: the fields
 * as checked, the posting limits, a request as JSON.
 *
 *   GET    /api/requests?state=open|solved|all&q=&tag=&limit=&offset= → { requests, total }
 *   POST   /api/requests { title, details?, tags? }          → 201 request
 *   GET    /api/requests/:id                                 → request
 *   PATCH  /api/requests/:id { title?, details?, tags? }     → request   (asker or admin)
 *   DELETE /api/requests/:id                                 → 204       (asker or admin)
 *   POST   /api/requests/:id/answers { videoId }             → request   (the video's owner or admin)
 *   DELETE /api/requests/:id/answers/:videoId                → request   (video owner, asker, admin)
 *   POST   /api/requests/:id/solved { videoId | null }       → request   (asker or admin)
 *   POST   /api/requests/:id/want { want }                   → request
 */
import type { ServerResponse } from 'node:http'
import {
  LEARN_LIMITS,
  REQUEST_ID,
  TAG_PATTERN,
  parseTags,
  type RequestAnswerJson,
  type RequestJson,
  type RequestState
} from '../../../src/shared/learn'
import { csrfOk } from '../auth'
import type { LearnRequest, User, Video } from '../db/types'
import { HttpError } from '../http-request'
import { SEARCH_MAX, VIDEO_ID, mayChange, mayWatch, videoUrl, type Library } from '../library'
import { FailureThrottle, throttleCounters } from '../throttle'
import { readJson, sendJson } from './json'
import { allowMethods, type ApiRequest, type ApiRoute, wholeNumber, objectBody } from './base'

// ---------------------------------------------------------------------------------------------
// What the pages share with the API

/** A request's page on this library. */
export function requestUrl(library: Library, id: string): string {
  return `${library.config.publicUrl}/r/${encodeURIComponent(id)}`
}

/** A request as `GET /api/requests` answers it: its answers with their videos' titles. */
export async function requestJson(library: Library, request: LearnRequest): Promise<RequestJson> {
  const { db, config } = library
  const answers: RequestAnswerJson[] = []
  for (const answer of await db.answersOf(request.id)) {
    const video = await db.getVideo(answer.videoId)
    if (!video) continue
    answers.push({
      videoId: video.id,
      title: video.title || 'Untitled',
      authorName: video.authorName,
      url: videoUrl(config, video.id),
      solved: request.solvedVideoId === video.id
    })
  }
  return {
    id: request.id,
    title: request.title,
    details: request.details,
    tags: request.tags,
    askedBy: request.askerName,
    createdAt: request.createdAt,
    state: request.state,
    wanted: request.wanted,
    answers,
    url: requestUrl(library, request.id)
  }
}

/** Whether `user` may change or delete the request: its asker and administrators. */
export function mayChangeRequest(user: User, request: LearnRequest): boolean {
  return user.admin || request.askerId === user.id
}

/** Whether `user` may take `video` off the request's answers: its owner, the asker, an admin. */
export function mayUnlink(user: User, request: LearnRequest, video: Video | null): boolean {
  return mayChangeRequest(user, request) || (video !== null && video.ownerId === user.id)
}

/** Control characters out (newlines and tabs kept in `multiline` text), then trimmed. */
export function cleanRequestText(value: string, multiline: boolean): string {
  const normalized = value.replace(/\r\n?/g, '\n')
  /* eslint-disable no-control-regex */
  const cleaned = multiline
    ? normalized.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    : normalized.replace(/[\u0000-\u001f\u007f]/g, ' ')
  /* eslint-enable no-control-regex */
  return cleaned.trim()
}

export type RequestField = 'title' | 'details' | 'tags'

/** A request's fields as typed (a form, a JSON body): `tags` as typed, or one tag per entry. */
export interface RequestInput {
  title?: string
  details?: string
  tags?: string | readonly string[]
}

export interface RequestFields {
  title?: string
  details?: string
  tags?: string[]
}

/**
 * The fields cleaned (control characters out, trimmed) and checked against LEARN_LIMITS; the
 * first problem names its field. `title` is required when `create`.
 */
export function checkRequestFields(
  input: RequestInput,
  create: boolean
): { fields: RequestFields } | { field: RequestField; error: string } {
  const fields: RequestFields = {}
  if (input.title !== undefined || create) {
    const title = cleanRequestText(input.title ?? '', false)
    if (!title) return { field: 'title', error: 'The title is required: what should be shown?' }
    const max = LEARN_LIMITS.requestTitle
    if ([...title].length > max) {
      return { field: 'title', error: `The title can be at most ${max} characters.` }
    }
    fields.title = title
  }
  if (input.details !== undefined) {
    const details = cleanRequestText(input.details, true)
    const max = LEARN_LIMITS.requestDetails
    if ([...details].length > max) {
      return {
        field: 'details',
        error: `The details can be at most ${max.toLocaleString('en')} characters.`
      }
    }
    fields.details = details
  } else if (create) fields.details = ''
  if (input.tags !== undefined) {
    const parsed = parseTagInput(input.tags)
    if ('error' in parsed) return { field: 'tags', error: `Tags: ${parsed.error}` }
    fields.tags = parsed.tags
  } else if (create) fields.tags = []
  return { fields }
}

function parseTagInput(tags: string | readonly string[]): { tags: string[] } | { error: string } {
  if (typeof tags === 'string') return parseTags(cleanRequestText(tags, false))
  const out: string[] = []
  for (const [i, typed] of tags.entries()) {
    const one = parseTags(cleanRequestText(typed, false))
    if ('error' in one) return one
    if (one.tags.length !== 1) return { error: `tags[${i}] must be one tag.` }
    out.push(one.tags[0] as string)
  }
  // Duplicates and the count as one string of them would be.
  return parseTags(out.join(' '))
}

/** A tag to filter by as typed (`#Finance` → `finance`), or null when it cannot be a tag. */
export function tagFilter(typed: string | null): string | null {
  const tag = (typed ?? '').trim().replace(/^#+/, '').toLowerCase()
  if (!tag || [...tag].length > LEARN_LIMITS.tag || !TAG_PATTERN.test(tag)) return null
  return tag
}

// ---------------------------------------------------------------------------------------------
// Posting limits

/**
 * New requests a person may post in one window (pages and API together): enough for a burst of
 * real questions, too few to flood the home page.
 */
export const REQUEST_POST_LIMIT = { limit: 10, windowMs: 10 * 60_000 } as const

/**
 * Other changes a person may make to requests in one window (edits, answers linked or unlinked,
 * "This solved it", "Me too"): several of them notify people, so a loop cannot spam them.
 */
export const REQUEST_CHANGE_LIMIT = { limit: 120, windowMs: 10 * 60_000 } as const

/** People counted at once; beyond, the oldest windows are forgotten (bounded memory). */
const THROTTLE_KEYS = 10_000

export type PostingKind = 'post' | 'change'

/** One pair of counters per library (each test server has its own). */
const throttles = new WeakMap<Library, Record<PostingKind, FailureThrottle>>()

function throttleOf(library: Library, kind: PostingKind): FailureThrottle {
  let pair = throttles.get(library)
  if (!pair) {
    pair = {
      post: new FailureThrottle(
        { name: 'request-posts', ...REQUEST_POST_LIMIT, maxKeys: THROTTLE_KEYS },
        throttleCounters(library)
      ),
      change: new FailureThrottle(
        { name: 'request-changes', ...REQUEST_CHANGE_LIMIT, maxKeys: THROTTLE_KEYS },
        throttleCounters(library)
      )
    }
    throttles.set(library, pair)
  }
  return pair[kind]
}

/** A refusal to post now: seconds to wait and what to tell the person. */
export interface PostingRefusal {
  retryAfter: number
  message: string
}

/**
 * Takes one slot of `kind` for `user`: null when the write may go ahead (the slot is counted in
 * the same atomic step as the check — FailureThrottle.take, in memory or in Redis — so parallel
 * requests, in this instance or others, cannot all pass one check before any of them counts),
 * else how long to wait (nothing counted). Callers take the slot before reading the body. A slot is not given back when the write is then refused (a
 * bad body, a request deleted meanwhile) or fails: attempts count, not successes.
 */
export async function takePostingSlot(
  library: Library,
  user: User,
  kind: PostingKind
): Promise<PostingRefusal | null> {
  const wait = await throttleOf(library, kind).take(String(user.id))
  if (wait === 0) return null
  const { limit, windowMs } = kind === 'post' ? REQUEST_POST_LIMIT : REQUEST_CHANGE_LIMIT
  const minutes = Math.round(windowMs / 60_000)
  const what = kind === 'post' ? `${limit} requests` : `${limit} changes to requests`
  const later = wait >= 60 ? `${Math.ceil(wait / 60)} minutes` : `${wait} seconds`
  return {
    retryAfter: wait,
    message: `You can post at most ${what} in ${minutes} minutes. Try again in ${later}.`
  }
}

// ---------------------------------------------------------------------------------------------
// The API

/** The request at `param`, or 404 whatever the method. */
async function requestOf(r: ApiRequest): Promise<LearnRequest> {
  if (!REQUEST_ID.test(r.param)) throw new HttpError(404, 'not found')
  const request = await r.library.db.getRequest(r.param)
  if (!request) throw new HttpError(404, 'no such request')
  return request
}

/**
 * A write: the session's CSRF header, then a slot of `kind` taken (429 said here). Called before
 * the body is read; the check and the count are one atomic step (FailureThrottle.take).
 */
async function writeAllowed(r: ApiRequest, kind: PostingKind): Promise<boolean> {
  if (!csrfOk(r.req, r.who)) throw new HttpError(403, 'missing or wrong x-csrf-token')
  const refusal = await takePostingSlot(r.library, r.who.user, kind)
  if (!refusal) return true
  r.req.resume()
  sendJson(r.res, 429, { error: refusal.message }, { 'Retry-After': String(refusal.retryAfter) })
  return false
}

/** The JSON fields of a request, their types checked (400 naming the field). */
function requestInput(body: Record<string, unknown>): RequestInput {
  const input: RequestInput = {}
  for (const key of ['title', 'details'] as const) {
    const value = body[key]
    if (value === undefined) continue
    if (typeof value !== 'string') throw new HttpError(400, `${key} must be a string`)
    input[key] = value
  }
  const tags = body.tags
  if (tags !== undefined) {
    if (typeof tags === 'string') input.tags = tags
    else if (Array.isArray(tags) && tags.every((t) => typeof t === 'string')) {
      if (tags.length > LEARN_LIMITS.tags * 4) {
        throw new HttpError(400, `tags: at most ${LEARN_LIMITS.tags} tags`)
      }
      input.tags = tags as string[]
    } else throw new HttpError(400, 'tags must be a list of strings or one string')
  }
  return input
}

function checked(input: RequestInput, create: boolean): RequestFields {
  const result = checkRequestFields(input, create)
  if ('error' in result) throw new HttpError(400, `${result.field}: ${result.error}`)
  return result.fields
}

const MAX_LIMIT = 200

async function sendRequest(
  res: ServerResponse,
  library: Library,
  request: LearnRequest,
  status = 200
): Promise<void> {
  sendJson(res, status, await requestJson(library, request))
}

// GET/POST /api/requests
async function requests(r: ApiRequest): Promise<void> {
  allowMethods(r, 'GET', 'POST')
  const { req, res, library, who } = r
  if (req.method === 'POST') {
    if (!(await writeAllowed(r, 'post'))) return
    const fields = checked(requestInput(objectBody(await readJson(req), KNOWN_FIELDS)), true)
    const created = await library.write((db) =>
      db.createRequest({
        title: fields.title ?? '',
        details: fields.details ?? '',
        tags: fields.tags ?? [],
        askerId: who.user.id
      })
    )
    await sendRequest(res, library, created, 201)
    return
  }
  const params = r.url.searchParams
  const stateText = params.get('state') || 'open'
  if (stateText !== 'open' && stateText !== 'solved' && stateText !== 'all') {
    throw new HttpError(400, 'state must be open, solved or all')
  }
  const state: RequestState | undefined = stateText === 'all' ? undefined : stateText
  const tagText = params.get('tag')
  const tag = tagText ? tagFilter(tagText) : null
  if (tagText && !tag) throw new HttpError(400, 'tag must be one tag (letters, digits, - _ . + #)')
  const q = (params.get('q') ?? '').trim().slice(0, SEARCH_MAX)
  const limit = Math.min(wholeNumber(params, 'limit', 1, 50), MAX_LIMIT)
  const offset = wholeNumber(params, 'offset', 0, 0)
  const filter = { state, ...(tag ? { tag } : {}), ...(q ? { q } : {}) }
  const { db } = library
  const total = await db.countRequests(filter)
  const list = total > offset ? await db.listRequests({ ...filter, limit, offset }) : []
  // One after another, in the list's order.
  const requests: RequestJson[] = []
  for (const x of list) requests.push(await requestJson(library, x))
  sendJson(res, 200, { requests, total })
}

const KNOWN_FIELDS = ['title', 'details', 'tags'] as const

// GET/PATCH/DELETE /api/requests/:id
async function oneRequest(r: ApiRequest): Promise<void> {
  const { req, res, library, who } = r
  const request = await requestOf(r)
  allowMethods(r, 'GET', 'PATCH', 'DELETE')
  if (req.method === 'GET') return await sendRequest(res, library, request)
  if (!csrfOk(req, who)) throw new HttpError(403, 'missing or wrong x-csrf-token')
  if (!mayChangeRequest(who.user, request)) {
    throw new HttpError(403, 'Only the person who asked (or an administrator) can change it.')
  }
  if (!(await writeAllowed(r, 'change'))) return
  if (req.method === 'PATCH') {
    const fields = checked(requestInput(objectBody(await readJson(req), KNOWN_FIELDS)), false)
    const updated = await library.write((db) => db.updateRequest(request.id, fields))
    if (!updated) throw new HttpError(404, 'no such request')
    return await sendRequest(res, library, updated)
  }
  await library.write((db) => db.deleteRequest(request.id))
  sendJson(res, 204, null)
}

// POST /api/requests/:id/answers
async function answers(r: ApiRequest): Promise<void> {
  const { req, res, library, who } = r
  const request = await requestOf(r)
  allowMethods(r, 'POST')
  if (!(await writeAllowed(r, 'change'))) return
  const body = objectBody(await readJson(req), ['videoId'])
  const videoId = body.videoId
  if (typeof videoId !== 'string') throw new HttpError(400, 'videoId must be a string')
  const video = VIDEO_ID.test(videoId) ? await library.db.getVideo(videoId) : null
  if (!video) throw new HttpError(404, 'no such video')
  if (!mayChange(who.user, video) || !mayWatch(who.user, video)) {
    throw new HttpError(
      403,
      "Only the video's owner (or an administrator) can link it as an answer."
    )
  }
  const linked = await library.write((db) => db.linkAnswer(request.id, video.id, who.user.id))
  if (!linked) throw new HttpError(404, 'no such request or video')
  await sendRequest(res, library, linked.request)
}

// DELETE /api/requests/:id/answers/:videoId
async function oneAnswer(r: ApiRequest): Promise<void> {
  const { res, library, who } = r
  const request = await requestOf(r)
  allowMethods(r, 'DELETE')
  const videoId = /\/answers\/([^/]+)$/.exec(r.url.pathname)?.[1] ?? ''
  const isAnswer =
    VIDEO_ID.test(videoId) &&
    (await library.db.answersOf(request.id)).some((a) => a.videoId === videoId)
  if (!isAnswer) throw new HttpError(404, 'that video is not an answer to this request')
  if (!csrfOk(r.req, who)) throw new HttpError(403, 'missing or wrong x-csrf-token')
  if (!mayUnlink(who.user, request, await library.db.getVideo(videoId))) {
    throw new HttpError(
      403,
      "Only the video's owner, the person who asked or an administrator can unlink it."
    )
  }
  if (!(await writeAllowed(r, 'change'))) return
  await library.write((db) => db.unlinkAnswer(request.id, videoId))
  const after = await library.db.getRequest(request.id)
  if (!after) throw new HttpError(404, 'no such request')
  await sendRequest(res, library, after)
}

/**
 * "This solved it" (a video id) or reopened (null), in one write with the check that the video
 * is one of the request's answers. Null when the request is gone; 'not-an-answer' when it is not.
 */
export function markSolvedIn(
  library: Library,
  requestId: string,
  videoId: string | null,
  user: User
): Promise<LearnRequest | null | 'not-an-answer'> {
  return library.write(async (db) => {
    if (videoId !== null && !(await db.answersOf(requestId)).some((a) => a.videoId === videoId)) {
      return (await db.getRequest(requestId)) ? ('not-an-answer' as const) : null
    }
    return await db.markSolved(requestId, videoId, user.id)
  })
}

// POST /api/requests/:id/solved
async function solved(r: ApiRequest): Promise<void> {
  const { req, res, library, who } = r
  const request = await requestOf(r)
  allowMethods(r, 'POST')
  if (!csrfOk(req, who)) throw new HttpError(403, 'missing or wrong x-csrf-token')
  if (!mayChangeRequest(who.user, request)) {
    throw new HttpError(403, 'Only the person who asked (or an administrator) can mark it solved.')
  }
  if (!(await writeAllowed(r, 'change'))) return
  const body = objectBody(await readJson(req), ['videoId'])
  if (!('videoId' in body)) throw new HttpError(400, 'videoId is required (a video id, or null)')
  const videoId = body.videoId
  if (videoId !== null && typeof videoId !== 'string') {
    throw new HttpError(400, 'videoId must be a string or null')
  }
  const result = await markSolvedIn(library, request.id, videoId, who.user)
  if (result === null) throw new HttpError(404, 'no such request')
  if (result === 'not-an-answer') {
    throw new HttpError(400, 'videoId must be one of the answers of this request')
  }
  await sendRequest(res, library, result)
}

// POST /api/requests/:id/want
async function want(r: ApiRequest): Promise<void> {
  const { req, res, library, who } = r
  const request = await requestOf(r)
  allowMethods(r, 'POST')
  if (!(await writeAllowed(r, 'change'))) return
  const body = objectBody(await readJson(req), ['want'])
  if (typeof body.want !== 'boolean') throw new HttpError(400, 'want must be true or false')
  const wanted = body.want
  const updated = await library.write((db) => db.setWanted(request.id, who.user.id, wanted))
  if (!updated) throw new HttpError(404, 'no such request')
  await sendRequest(res, library, updated)
}

export const requestRoutes: ApiRoute[] = [
  { path: /^\/api\/requests$/, handle: requests },
  { path: /^\/api\/requests\/([^/]+)$/, handle: oneRequest },
  { path: /^\/api\/requests\/([^/]+)\/answers$/, handle: answers },
  { path: /^\/api\/requests\/([^/]+)\/answers\/[^/]+$/, handle: oneAnswer },
  { path: /^\/api\/requests\/([^/]+)\/solved$/, handle: solved },
  { path: /^\/api\/requests\/([^/]+)\/want$/, handle: want }
]
