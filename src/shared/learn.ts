/**
 * Learning together (docs/library-server.md, "Learning together"): walkthrough requests, questions
 * and comments at a moment of a video, "This helped", notifications, collections. The limits the
 * library server enforces and the app keeps to, and the JSON the library's API answers with, so
 * the desktop app and the server read and write the same shapes. Plain data, no Node, no DOM.
 */

/** Longest texts, in characters (code points), after trimming. */
export const LEARN_LIMITS = {
  requestTitle: 200,
  requestDetails: 5000,
  /** Tags per request. */
  tags: 8,
  /** One tag: lowercase letters, digits, `-`, `_`, `.`, `+`, `#` (see TAG_PATTERN). */
  tag: 32,
  comment: 5000,
  collectionTitle: 200,
  collectionDescription: 2000,
  /** Videos in one collection. */
  collectionItems: 500,
  /** Ranges in one "watched" report; the server merges them with what it has. */
  watchedRanges: 200
} as const

/** A tag as stored: lowercase, no spaces. Tags are typed comma- or space-separated. */
export const TAG_PATTERN = /^[\p{Ll}\p{Lo}\p{N}][\p{Ll}\p{Lo}\p{N}_.+#-]*$/u

/**
 * Splits what a person typed into tags: lowercased, trimmed, `#` prefixes dropped, duplicates
 * removed, order kept. Returns the tags, or the first problem in words.
 */
export function parseTags(typed: string): { tags: string[] } | { error: string } {
  const tags: string[] = []
  for (const part of typed.split(/[,\s]+/)) {
    const tag = part.trim().replace(/^#+/, '').toLowerCase()
    if (!tag) continue
    if ([...tag].length > LEARN_LIMITS.tag)
      return {
        error: `A tag can be at most ${LEARN_LIMITS.tag} characters ("${tag.slice(0, 40)}…").`
      }
    if (!TAG_PATTERN.test(tag))
      return {
        error: `Tags are letters and digits (with - _ . + #); "${tag}" has something else.`
      }
    if (!tags.includes(tag)) tags.push(tag)
  }
  if (tags.length > LEARN_LIMITS.tags) return { error: `At most ${LEARN_LIMITS.tags} tags.` }
  return { tags }
}

/**
 * The reactions a viewer may leave: `helped` ("This helped", once per person per video, about
 * the whole video) and a few emoji at a moment (several per person, each at its second).
 */
export const MOMENT_EMOJI = ['👍', '❤️', '🎉', '💡', '😕'] as const
export type MomentEmoji = (typeof MOMENT_EMOJI)[number]
export type ReactionKind = 'helped' | MomentEmoji

export function isReactionKind(value: unknown): value is ReactionKind {
  return value === 'helped' || (MOMENT_EMOJI as readonly unknown[]).includes(value)
}

/**
 * Upload-Metadata key of a recording made to answer a request: the request's id. When the upload
 * becomes a new video, the library links it as an answer and tells whoever asked.
 */
export const ANSWERS_METADATA_KEY = 'answers'

/** What a request id looks like (the server makes them as 16 URL-safe characters). */
export const REQUEST_ID = /^[A-Za-z0-9_-]{1,64}$/

export type RequestState = 'open' | 'solved'

/** A walkthrough request as `GET /api/requests` and `GET /api/requests/:id` answer. */
export interface RequestJson {
  readonly id: string
  readonly title: string
  readonly details: string
  readonly tags: readonly string[]
  readonly askedBy: string
  readonly createdAt: string
  /** `solved` once the asker marked an answer "This solved it". */
  readonly state: RequestState
  /** How many people want it ("Me too"), the asker included. */
  readonly wanted: number
  readonly answers: readonly RequestAnswerJson[]
  /** The library page of the request. */
  readonly url: string
}

export interface RequestAnswerJson {
  readonly videoId: string
  readonly title: string
  readonly authorName: string
  /** The video's page. */
  readonly url: string
  /** The answer the asker marked "This solved it". */
  readonly solved: boolean
}

/** What a notification is about. */
export type NotificationKind =
  /** A video was linked as an answer to a request you asked for or wanted. */
  | 'answer'
  /** Your request was marked solved by its asker (to those who wanted it). */
  | 'solved'
  /** A new comment or question on your video. */
  | 'comment'
  /** A reply in a thread you are in (or on your video). */
  | 'reply'
  /** Your question was marked answered. */
  | 'answered'
  /** Someone marked your video "This helped". */
  | 'helped'

/** One notification as `GET /api/notifications` answers. */
export interface NotificationJson {
  /** Increasing: `?after=<id>` asks for the newer ones. */
  readonly id: number
  readonly kind: NotificationKind
  /** Who did it. */
  readonly actorName: string
  /** One line for a notification title: "alice answered your request". */
  readonly title: string
  /** A short excerpt: the request's or video's title, the start of the comment. */
  readonly body: string
  /** Absolute URL of the exact place: the request, or the video at the comment's moment. */
  readonly url: string
  readonly createdAt: string
  readonly read: boolean
}

/** `GET /api/notifications?after=&limit=` */
export interface NotificationsJson {
  readonly notifications: readonly NotificationJson[]
  /** Unread notifications in all. */
  readonly unread: number
}
