/**
 * `/api/notifications`: the signed-in user's notifications for the desktop app, which polls
 * (docs/learning-together.md, "Notifications"), and the words and the exact place of each, which
 * the inbox page (pages/routes/inbox.ts) shows the same way.
 *
 *   GET  /api/notifications?after=<id>&limit=<1–100, default 20> → NotificationsJson, newest first
 *   POST /api/notifications/read { ids?: number[] } → { unread }   (no ids: all of them)
 *
 * A poll is one indexed range read of the user's rows plus one indexed count; the titles it
 * names are read by primary key, each once per answer.
 */
import type {
  NotificationJson,
  NotificationKind,
  NotificationsJson
} from '../../../src/shared/learn'
import { csrfOk } from '../auth'
import type { LearnNotification, LibraryDb } from '../db/types'
import { HttpError } from '../http-request'
import type { Library } from '../library'
import { formatDuration } from '../pages/format'
import { allowMethods, type ApiRequest, type ApiRoute, wholeNumber, objectBody } from './base'
import { readJson, sendJson } from './json'

/** Notifications in one answer: default and most. */
export const NOTIFICATIONS_DEFAULT_LIMIT = 20
export const NOTIFICATIONS_MAX_LIMIT = 100
/** Ids in one "mark read". */
const MARK_READ_MAX_IDS = 500
/** Longest title quoted inside a notification's one line. */
const QUOTED_MAX = 80

/** A notification in words, with the library path of the exact place it is about. */
export interface NotificationWords {
  /** "alice answered your request “How do I…”" */
  title: string
  /** The excerpt: a title, the start of a comment. */
  body: string
  /** A path on this library: `/r/:id`, `/v/:id`, `/v/:id?t=<seconds>#c-<commentId>`. */
  path: string
}

/** Cut to `max` code points with "…". */
function clip(text: string, max: number): string {
  const points = [...text]
  return points.length > max ? `${points.slice(0, max - 1).join('')}…` : text
}

/** `?t=` of a moment: seconds with up to 3 decimals and no trailing zeros ("5", "12.25"). */
export function secondsParam(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3).replace(/\.?0+$/, '')
}

/**
 * Reads the titles notifications name, each at most once per answer (a page of 30 notifications
 * about one video reads the video once).
 */
export class NotificationLookups {
  private readonly videos = new Map<string, string | null>()
  private readonly requests = new Map<string, { title: string; askerId: number } | null>()
  private readonly questions = new Map<string, boolean>()

  constructor(private readonly db: LibraryDb) {}

  async videoTitle(id: string | null): Promise<string | null> {
    if (!id) return null
    if (!this.videos.has(id)) {
      const video = await this.db.getVideo(id)
      this.videos.set(id, video ? video.title || 'Untitled' : null)
    }
    return this.videos.get(id) ?? null
  }

  async request(id: string | null): Promise<{ title: string; askerId: number } | null> {
    if (!id) return null
    if (!this.requests.has(id)) {
      const request = await this.db.getRequest(id)
      this.requests.set(id, request ? { title: request.title, askerId: request.askerId } : null)
    }
    return this.requests.get(id) ?? null
  }

  async isQuestion(commentId: string | null): Promise<boolean> {
    if (!commentId) return false
    if (!this.questions.has(commentId)) {
      this.questions.set(commentId, (await this.db.getComment(commentId))?.question ?? false)
    }
    return this.questions.get(commentId) ?? false
  }
}

/** The watch page at a comment's moment, scrolled to the comment. */
function momentPath(n: LearnNotification): string {
  if (!n.videoId) return '/inbox'
  const video = `/v/${encodeURIComponent(n.videoId)}`
  const at = n.atMs === null ? '' : `?t=${secondsParam(n.atMs)}`
  const anchor = n.commentId ? `#c-${encodeURIComponent(n.commentId)}` : ''
  return `${video}${at}${anchor}`
}

function requestPath(n: LearnNotification): string {
  return n.requestId ? `/r/${encodeURIComponent(n.requestId)}` : '/requests'
}

function videoPath(n: LearnNotification): string {
  return n.videoId ? `/v/${encodeURIComponent(n.videoId)}` : '/inbox'
}

/** What a notification says, and where it leads (see NotificationKind). */
export async function describeNotification(
  n: LearnNotification,
  lookups: NotificationLookups
): Promise<NotificationWords> {
  const actor = n.actorName || 'Someone'
  const quoted = (title: string | null, fallback: string): string =>
    title === null ? fallback : `“${clip(title, QUOTED_MAX)}”`
  const at = n.atMs === null ? '' : ` at ${formatDuration(n.atMs)}`
  const video = quoted(await lookups.videoTitle(n.videoId), 'a video')
  const kind: NotificationKind = n.kind
  switch (kind) {
    case 'answer': {
      const request = await lookups.request(n.requestId)
      const whose = request && request.askerId === n.userId ? 'your request' : 'a request you want'
      return {
        title: `${actor} answered ${whose} ${quoted(request?.title ?? null, '')}`.trimEnd(),
        body: n.text,
        path: n.videoId ? videoPath(n) : requestPath(n)
      }
    }
    case 'solved': {
      const request = await lookups.request(n.requestId)
      return {
        title: `${actor} marked ${quoted(request?.title ?? null, 'a request you want')} solved`,
        body: n.text,
        path: requestPath(n)
      }
    }
    case 'comment':
      return {
        title: (await lookups.isQuestion(n.commentId))
          ? `${actor} asked a question on ${video}${at}`
          : `${actor} commented on ${video}${at}`,
        body: n.text,
        path: momentPath(n)
      }
    case 'reply':
      return { title: `${actor} replied on ${video}${at}`, body: n.text, path: momentPath(n) }
    case 'answered':
      return {
        title: `${actor} marked your question on ${video} answered`,
        body: n.text,
        path: momentPath(n)
      }
    case 'helped':
      return { title: `${actor} says ${video} helped`, body: n.text, path: videoPath(n) }
    default:
      return { title: `${actor}: ${n.text}`, body: n.text, path: '/inbox' }
  }
}

/** One notification as the API answers it: `url` is absolute (the library's public URL). */
export async function notificationJson(
  library: Library,
  n: LearnNotification,
  lookups: NotificationLookups
): Promise<NotificationJson> {
  const words = await describeNotification(n, lookups)
  return {
    id: n.id,
    kind: n.kind,
    actorName: n.actorName,
    title: words.title,
    body: words.body,
    url: `${library.config.publicUrl}${words.path}`,
    createdAt: n.createdAt,
    read: n.readAt !== null
  }
}

async function list(r: ApiRequest): Promise<void> {
  allowMethods(r, 'GET')
  const { db } = r.library
  const after = wholeNumber(r.url.searchParams, 'after', 0, 0)
  const limit = Math.min(
    wholeNumber(r.url.searchParams, 'limit', 1, NOTIFICATIONS_DEFAULT_LIMIT),
    NOTIFICATIONS_MAX_LIMIT
  )
  const userId = r.who.user.id
  const rows = await db.notificationsOf(userId, { after: after > 0 ? after : undefined, limit })
  const lookups = new NotificationLookups(db)
  // One after another, in order (the lookups cache what the earlier ones read).
  const notifications: NotificationJson[] = []
  for (const n of rows) notifications.push(await notificationJson(r.library, n, lookups))
  const body: NotificationsJson = {
    notifications,
    unread: await db.unreadCount(userId)
  }
  sendJson(r.res, 200, body)
}

/** `{ ids?: number[] }`: positive whole numbers, at most MARK_READ_MAX_IDS; else 400. */
function readIds(body: unknown): number[] | undefined {
  const ids = objectBody(body, ['ids']).ids
  if (ids === undefined || ids === null) return undefined
  if (!Array.isArray(ids)) throw new HttpError(400, 'ids must be an array of notification ids')
  if (ids.length > MARK_READ_MAX_IDS) {
    throw new HttpError(400, `ids can list at most ${MARK_READ_MAX_IDS} notifications`)
  }
  for (const id of ids) {
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) {
      throw new HttpError(400, 'ids must be whole numbers from 1 up')
    }
  }
  return ids as number[]
}

async function markRead(r: ApiRequest): Promise<void> {
  allowMethods(r, 'POST')
  if (!csrfOk(r.req, r.who)) throw new HttpError(403, 'missing or wrong x-csrf-token')
  const ids = readIds(await readJson(r.req))
  const userId = r.who.user.id
  // Only the user's own: markRead ignores other people's ids.
  if (ids === undefined || ids.length > 0) {
    await r.library.write((db) => db.markRead(userId, ids))
  }
  sendJson(r.res, 200, { unread: await r.library.db.unreadCount(userId) })
}

export const notificationRoutes: ApiRoute[] = [
  { path: /^\/api\/notifications$/, handle: list },
  { path: /^\/api\/notifications\/read$/, handle: markRead }
]
