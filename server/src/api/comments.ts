/**
 * Comments and questions at a moment of a video, "This helped" and emoji at a moment, what each
 * viewer watched, and what the video's author learns of it (docs/learning-together.md, "Comments
 * and questions at a moment", "This helped, reactions and who watched"). Routes: see the module
 * comment of api/router.ts.
 *
 * Moments (`atMs`) are on the clock of what viewers watch (the viewers' version, cuts applied):
 * within [0, its length] when the length is known. Every route answers 404 for a video that does
 * not exist AND for one the user may not watch (`mayWatch`), so neither is told apart. Posting
 * comments and reactions is rate limited per user (429 with Retry-After). The page routes
 * (pages/routes/comments.ts) share these rules.
 */
import {
  LEARN_LIMITS,
  MOMENT_EMOJI,
  isReactionKind,
  type ReactionKind
} from '../../../src/shared/learn'
import { viewerEdits } from '../../../src/shared/live-edits'
import { csrfOk } from '../auth'
import type { LearnComment, TeamSettings, User, Video } from '../db/types'
import { HttpError } from '../http-request'
import { VIDEO_ID, mayChange, mayWatch, type Library } from '../library'
import { FailureThrottle, throttleCounters } from '../throttle'
import { readJson, sendJson } from './json'
import { allowMethods, type ApiRequest, type ApiRoute, objectBody } from './base'

/** What a comment id looks like (the database makes 16 URL-safe characters). */
export const COMMENT_ID = /^[A-Za-z0-9_-]{1,64}$/

/** Comments (and replies) one person may post in a minute. */
export const COMMENTS_PER_MINUTE = 20
/** Reactions ("This helped", emoji) one person may send in a minute. */
export const REACTIONS_PER_MINUTE = 120
/** "Watched" reports one person may send in a minute (the page sends one every ~15 s). */
export const WATCHED_PER_MINUTE = 60
/**
 * Changes to comments one person may make in a minute: edits of text or moment, "Mark answered"
 * and back (each the API's PATCH or a page's edit/answered form).
 */
export const EDITS_PER_MINUTE = 60

/** Longest moment accepted while a video's length is not known: 24 hours. */
const UNKNOWN_LENGTH_MAX_MS = 24 * 60 * 60 * 1000

// ---------------------------------------------------------------------------------------------
// Rules shared with the pages

/** The video at `id` when `user` may watch it; otherwise 404, whether it exists or not. */
export async function watchableVideo(library: Library, user: User, id: string): Promise<Video> {
  const video = VIDEO_ID.test(id) ? await library.db.getVideo(id) : null
  if (!video || !mayWatch(user, video)) throw new HttpError(404, 'no such video')
  return video
}

/**
 * The length of what viewers watch (the newest edits' cuts applied), ms; null when the video's
 * length is not known.
 */
export async function outputDurationMs(library: Library, video: Video): Promise<number | null> {
  if (video.durationMs === null) return null
  return viewerEdits(await library.renders.edits(video), video.durationMs, video.editsVersion)
    .durationMs
}

/**
 * A comment's text as stored: newlines normalised, control characters but newline and tab
 * removed, trimmed. Returns it, or the problem in words.
 */
export function commentText(value: string): { text: string } | { error: string } {
  const text = value
    .replace(/\r\n?/g, '\n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    .trim()
  if (!text) return { error: 'Write something first: the comment is empty.' }
  const max = LEARN_LIMITS.comment
  if ([...text].length > max) {
    return { error: `A comment can be at most ${max.toLocaleString('en')} characters.` }
  }
  return { text }
}

/** Why `atMs` cannot be a moment of this video, or null when it can. */
export function momentError(atMs: number, lengthMs: number | null): string | null {
  if (!Number.isFinite(atMs) || atMs < 0) return 'The moment must be a time from 0:00 on.'
  const max = lengthMs ?? UNKNOWN_LENGTH_MAX_MS
  if (atMs > max) {
    return lengthMs === null
      ? 'The moment is later than any video can be.'
      : `The moment is after the end of the video (${clock(lengthMs)}).`
  }
  return null
}

/** m:ss or h:mm:ss. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = String(total % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`
}

/**
 * A typed moment: `m:ss`, `h:mm:ss` or whole seconds, in ms; null for empty (the whole video).
 * Returns the problem in words for anything else ("1:75", "abc", "-3").
 */
export function parseMoment(typed: string): { atMs: number | null } | { error: string } {
  const text = typed.trim()
  if (!text) return { atMs: null }
  const parts = /^(?:(\d{1,3}):)?(\d{1,4}):([0-5]\d)$/.exec(text)
  if (parts) {
    const [, h, m, s] = parts
    if (h !== undefined && Number(m) > 59) return { error: BAD_MOMENT }
    return { atMs: ((Number(h ?? 0) * 60 + Number(m)) * 60 + Number(s)) * 1000 }
  }
  if (/^\d{1,6}$/.test(text)) return { atMs: Number(text) * 1000 }
  return { error: BAD_MOMENT }
}

const BAD_MOMENT = 'Write the moment as minutes:seconds (such as 1:05), or leave it empty.'

/** Whether `user` may change the text or moment of `c` (its author, while it is not deleted). */
export function mayEditComment(user: User, c: LearnComment): boolean {
  return !c.deleted && c.authorId === user.id
}

/** Its author, the video's owner and administrators may delete a comment. */
export function mayDeleteComment(user: User, c: LearnComment, video: Video): boolean {
  return !c.deleted && (c.authorId === user.id || mayChange(user, video))
}

/** A question is marked answered by whoever asked it, the video's owner or an administrator. */
export function mayMarkAnswered(user: User, c: LearnComment, video: Video): boolean {
  return c.question && !c.deleted && (c.authorId === user.id || mayChange(user, video))
}

/** A comment as the API answers it for `user`. */
export function commentJson(c: LearnComment, user: User, video: Video): Record<string, unknown> {
  return {
    id: c.id,
    parentId: c.parentId,
    authorName: c.deleted ? '' : c.authorName,
    atMs: c.atMs,
    body: c.deleted ? '' : c.body,
    question: c.question,
    answered: c.answered,
    createdAt: c.createdAt,
    editedAt: c.editedAt,
    deleted: c.deleted,
    mine: c.authorId === user.id,
    canEdit: mayEditComment(user, c),
    canDelete: mayDeleteComment(user, c, video),
    canMarkAnswered: mayMarkAnswered(user, c, video)
  }
}

export type PostKind = 'comment' | 'reaction' | 'watched' | 'edit'

const LIMITS: Record<PostKind, number> = {
  comment: COMMENTS_PER_MINUTE,
  reaction: REACTIONS_PER_MINUTE,
  watched: WATCHED_PER_MINUTE,
  edit: EDITS_PER_MINUTE
}

/** One set of counters per library (a process may run several, as the tests do). */
const throttles = new WeakMap<Library, Record<PostKind, FailureThrottle>>()

function throttleOf(library: Library, kind: PostKind): FailureThrottle {
  let set = throttles.get(library)
  if (!set) {
    const make = (kind: PostKind): FailureThrottle =>
      new FailureThrottle(
        { name: `comments-${kind}`, limit: LIMITS[kind], windowMs: 60_000, maxKeys: 10_000 },
        throttleCounters(library)
      )
    set = {
      comment: make('comment'),
      reaction: make('reaction'),
      watched: make('watched'),
      edit: make('edit')
    }
    throttles.set(library, set)
  }
  return set[kind]
}

/**
 * Counts one post of `kind` by `user` in the current minute: 0 when it may go ahead, else the
 * whole seconds until it may (nothing counted).
 */
export function takePostSlot(library: Library, user: User, kind: PostKind): Promise<number> {
  return throttleOf(library, kind).take(String(user.id))
}

const WHAT: Record<PostKind, string> = {
  comment: 'comments',
  reaction: 'reactions',
  watched: 'reports',
  edit: 'changes to comments'
}

export function tooFastMessage(kind: PostKind, seconds: number): string {
  const what = WHAT[kind]
  return `Too many ${what} in a minute (at most ${LIMITS[kind]}). Try again in ${seconds} s.`
}

/** What the author learns: who it helped, who watched and how far (or only counts). */
export interface Insights {
  helped: number
  settings: TeamSettings
  /** Everyone but the video's owner, most recent first. */
  watchers: { name: string; completion: number; lastAt: string }[]
  averageCompletion: number
}

export async function insightsOf(library: Library, video: Video, user: User): Promise<Insights> {
  const db = library.db
  const watchers = (await db.watchersOf(video.id))
    .filter((w) => w.userId !== video.ownerId)
    .map((w) => ({ name: w.userName, completion: w.completion, lastAt: w.lastAt }))
  const average =
    watchers.length === 0 ? 0 : watchers.reduce((sum, w) => sum + w.completion, 0) / watchers.length
  return {
    helped: (await db.reactionsOf(video.id, user.id)).helped,
    settings: await db.teamSettings(),
    watchers,
    averageCompletion: average
  }
}

// ---------------------------------------------------------------------------------------------
// JSON bodies

/** `atMs` of a body: absent or null is none; else a number that is a moment of the video. */
function momentOf(value: unknown, lengthMs: number | null): number | null {
  if (value === undefined || value === null) return null
  if (typeof value !== 'number') throw new HttpError(400, 'atMs must be a number of ms or null')
  const error = momentError(value, lengthMs)
  if (error) throw new HttpError(400, `atMs: ${error}`)
  return Math.round(value)
}

function bodyText(value: unknown): string {
  if (typeof value !== 'string') throw new HttpError(400, 'body must be a string')
  const checked = commentText(value)
  if ('error' in checked) throw new HttpError(400, `body: ${checked.error}`)
  return checked.text
}

function optionalBoolean(value: unknown, name: string): boolean | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'boolean') throw new HttpError(400, `${name} must be true or false`)
  return value
}

function checkWrite(r: ApiRequest): void {
  if (!csrfOk(r.req, r.who)) throw new HttpError(403, 'missing or wrong x-csrf-token')
}

/** Answers 429 and returns false when `kind` is over its limit for this user. */
async function slot(r: ApiRequest, kind: PostKind): Promise<boolean> {
  const wait = await takePostSlot(r.library, r.who.user, kind)
  if (wait === 0) return true
  r.req.resume()
  sendJson(r.res, 429, { error: tooFastMessage(kind, wait) }, { 'Retry-After': String(wait) })
  return false
}

// ---------------------------------------------------------------------------------------------
// /api/videos/:id/comments

async function videoComments(r: ApiRequest): Promise<void> {
  const { req, res, library, who } = r
  const video = await watchableVideo(library, who.user, r.param)
  allowMethods(r, 'GET', 'POST')
  if (req.method === 'GET') {
    sendJson(res, 200, {
      threads: (await library.db.commentsOf(video.id)).map((t) => ({
        comment: commentJson(t.comment, who.user, video),
        replies: t.replies.map((c) => commentJson(c, who.user, video))
      }))
    })
    return
  }
  checkWrite(r)
  const body = objectBody(await readJson(req), ['body', 'atMs', 'parentId', 'question'])
  const text = bodyText(body.body)
  const question = optionalBoolean(body.question, 'question') ?? false
  let parentId: string | null = null
  if (body.parentId !== undefined && body.parentId !== null) {
    if (typeof body.parentId !== 'string') throw new HttpError(400, 'parentId must be a string')
    const parent = COMMENT_ID.test(body.parentId)
      ? await library.db.getComment(body.parentId)
      : null
    if (!parent || parent.videoId !== video.id) {
      throw new HttpError(400, 'parentId names no comment on this video')
    }
    if (body.atMs !== undefined && body.atMs !== null) {
      throw new HttpError(400, 'a reply has no moment of its own (atMs): its thread has')
    }
    if (question) throw new HttpError(400, 'a reply cannot be a question')
    parentId = parent.id
  }
  const atMs = parentId ? null : momentOf(body.atMs, await outputDurationMs(library, video))
  if (!(await slot(r, 'comment'))) return
  const comment = await library.write((db) =>
    db.addComment({
      videoId: video.id,
      parentId,
      authorId: who.user.id,
      atMs,
      body: text,
      question
    })
  )
  sendJson(res, 201, commentJson(comment, who.user, video))
}

// ---------------------------------------------------------------------------------------------
// /api/comments/:id

async function oneComment(r: ApiRequest): Promise<void> {
  const { req, res, library, who } = r
  const found = COMMENT_ID.test(r.param) ? await library.db.getComment(r.param) : null
  const video = found ? await library.db.getVideo(found.videoId) : null
  if (!found || !video || !mayWatch(who.user, video)) throw new HttpError(404, 'no such comment')
  allowMethods(r, 'GET', 'PATCH', 'DELETE')
  if (req.method === 'GET') {
    sendJson(res, 200, commentJson(found, who.user, video))
    return
  }
  checkWrite(r)
  // The slot is taken before the body is read (no await between the check and the count).
  if (req.method === 'PATCH' && !(await slot(r, 'edit'))) return
  if (req.method === 'DELETE') {
    if (!mayDeleteComment(who.user, found, video)) {
      throw new HttpError(403, "Only its author, the video's owner or an admin may delete it.")
    }
    if (!(await library.write((db) => db.deleteComment(found.id)))) {
      throw new HttpError(404, 'no such comment')
    }
    sendJson(res, 204, null)
    return
  }
  const body = objectBody(await readJson(req), ['body', 'atMs', 'answered'])
  const changesText = body.body !== undefined || body.atMs !== undefined
  const answered = optionalBoolean(body.answered, 'answered')
  if (!changesText && answered === undefined) {
    throw new HttpError(400, 'send body, atMs or answered')
  }
  if (changesText && !mayEditComment(who.user, found)) {
    throw new HttpError(403, 'Only its author may change a comment.')
  }
  if (answered !== undefined) {
    if (!found.question) throw new HttpError(400, 'only a question can be marked answered')
    if (!mayMarkAnswered(who.user, found, video)) {
      throw new HttpError(403, "Only who asked, the video's owner or an admin may mark it.")
    }
  }
  const patch: { body?: string; atMs?: number | null } = {}
  if (body.body !== undefined) patch.body = bodyText(body.body)
  if (body.atMs !== undefined) {
    if (found.parentId !== null && body.atMs !== null) {
      throw new HttpError(400, 'a reply has no moment of its own (atMs): its thread has')
    }
    patch.atMs = momentOf(body.atMs, await outputDurationMs(library, video))
  }
  // One transaction (and one callback a busy retry runs again whole).
  const updated = await library.write((db) =>
    db.patchComment(found.id, answered === undefined ? patch : { ...patch, answered }, who.user.id)
  )
  if (!updated) throw new HttpError(404, 'no such comment')
  sendJson(res, 200, commentJson(updated, who.user, video))
}

// ---------------------------------------------------------------------------------------------
// /api/videos/:id/reactions

async function reactions(r: ApiRequest): Promise<void> {
  const { req, res, library, who } = r
  const video = await watchableVideo(library, who.user, r.param)
  allowMethods(r, 'GET', 'POST')
  if (req.method === 'GET') {
    sendJson(res, 200, await library.db.reactionsOf(video.id, who.user.id))
    return
  }
  checkWrite(r)
  const body = objectBody(await readJson(req), ['kind', 'atMs', 'on'])
  const kind = body.kind
  if (!isReactionKind(kind)) {
    throw new HttpError(400, `kind must be "helped" or one of ${MOMENT_EMOJI.join(' ')}`)
  }
  const on = optionalBoolean(body.on, 'on')
  let atMs: number | null = null
  if (kind === 'helped') {
    if (body.atMs !== undefined && body.atMs !== null) {
      throw new HttpError(400, '"This helped" is about the whole video: no atMs')
    }
  } else {
    if (body.atMs === undefined || body.atMs === null) {
      throw new HttpError(400, 'an emoji is left at a moment: send atMs')
    }
    atMs = momentOf(body.atMs, await outputDurationMs(library, video))
  }
  if (!(await slot(r, 'reaction'))) return
  const counts = await library.write((db) =>
    db.toggleReaction(video.id, who.user.id, kind as ReactionKind, atMs, on)
  )
  sendJson(res, 200, counts)
}

// ---------------------------------------------------------------------------------------------
// /api/videos/:id/watched

/** Room beyond the known length for a player's rounding, ms. */
const LENGTH_SLACK_MS = 1000

async function watched(r: ApiRequest): Promise<void> {
  const { req, res, library, who } = r
  const video = await watchableVideo(library, who.user, r.param)
  allowMethods(r, 'POST')
  checkWrite(r)
  const body = objectBody(await readJson(req), ['ranges', 'durationMs'])
  const known = await outputDurationMs(library, video)
  const durationMs = body.durationMs
  if (typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs <= 0) {
    throw new HttpError(400, 'durationMs must be a number of ms above 0')
  }
  const max = known === null ? UNKNOWN_LENGTH_MAX_MS : known + LENGTH_SLACK_MS
  if (durationMs > max) throw new HttpError(400, `durationMs is longer than the video (${max} ms)`)
  const ranges = body.ranges
  if (!Array.isArray(ranges)) throw new HttpError(400, 'ranges must be a list of [startMs, endMs]')
  if (ranges.length > LEARN_LIMITS.watchedRanges) {
    throw new HttpError(400, `at most ${LEARN_LIMITS.watchedRanges} ranges in one report`)
  }
  const checked: [number, number][] = []
  for (const range of ranges) {
    if (
      !Array.isArray(range) ||
      range.length !== 2 ||
      typeof range[0] !== 'number' ||
      typeof range[1] !== 'number' ||
      !Number.isFinite(range[0]) ||
      !Number.isFinite(range[1]) ||
      range[0] < 0 ||
      range[0] >= range[1] ||
      range[1] > max
    ) {
      throw new HttpError(400, 'each range must be [startMs, endMs] with 0 ≤ start < end ≤ length')
    }
    checked.push([range[0], range[1]])
  }
  if (!(await slot(r, 'watched'))) return
  // The server's length when it knows it; the client's only when it does not.
  const length = known ?? Math.round(durationMs)
  const record = await library.write((db) => db.addWatched(video.id, who.user.id, checked, length))
  sendJson(res, 200, { completion: record.completion })
}

// ---------------------------------------------------------------------------------------------
// /api/videos/:id/insights

async function insights(r: ApiRequest): Promise<void> {
  const { res, library, who } = r
  const video = await watchableVideo(library, who.user, r.param)
  allowMethods(r, 'GET')
  if (!mayChange(who.user, video)) {
    throw new HttpError(403, "Only the video's owner or an admin may see who watched it.")
  }
  const seen = await insightsOf(library, video, who.user)
  if (seen.settings.watchers === 'counts') {
    sendJson(res, 200, {
      helped: seen.helped,
      watched: seen.watchers.length,
      averageCompletion: seen.averageCompletion
    })
    return
  }
  sendJson(res, 200, { helped: seen.helped, watchers: seen.watchers })
}

export const commentRoutes: ApiRoute[] = [
  { path: /^\/api\/videos\/([^/]+)\/comments$/, handle: videoComments },
  { path: /^\/api\/comments\/([^/]+)$/, handle: oneComment },
  { path: /^\/api\/videos\/([^/]+)\/reactions$/, handle: reactions },
  { path: /^\/api\/videos\/([^/]+)\/watched$/, handle: watched },
  { path: /^\/api\/videos\/([^/]+)\/insights$/, handle: insights }
]
