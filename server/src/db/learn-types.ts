/**
 * Learning together, as the database keeps it (migration 7; docs/library-server.md "Learning
 * together"): walkthrough requests and their answers, comments and questions at a moment of a
 * video, reactions, what each person watched, notifications, collections, and the team's
 * settings. Implemented in learn-db.ts on the library's SQLite connection.
 *
 * Permissions are the callers' (pages and API): these methods check what the data needs (a video
 * or request that exists, a parent comment on the same video), not who may act.
 */
import type { NotificationKind, ReactionKind, RequestState } from '../../../src/shared/learn'

export interface LearnRequest {
  /** 16 URL-safe random characters. */
  id: string
  title: string
  details: string
  /** Lowercase (parseTags), in the order typed. */
  tags: string[]
  askerId: number
  askerName: string
  state: RequestState
  /** The answer the asker marked "This solved it", or null. */
  solvedVideoId: string | null
  /** People who want it ("Me too"), the asker included. */
  wanted: number
  /** How many videos answer it. */
  answerCount: number
  createdAt: string
  updatedAt: string
}

/** A video linked to a request as an answer. */
export interface RequestAnswer {
  requestId: string
  videoId: string
  /** Who linked it (the video's owner, or an admin). */
  userId: number
  createdAt: string
}

export interface LearnComment {
  /** 16 URL-safe random characters. */
  id: string
  videoId: string
  /** The thread's first comment, for a reply; null for a thread's first comment. */
  parentId: string | null
  authorId: number
  authorName: string
  /**
   * The moment it is about, ms on the clock of the video viewers watch; null: the whole video.
   * Replies have none (their thread's moment counts).
   */
  atMs: number | null
  /** Plain text; empty once deleted. */
  body: string
  /** Asked as a question (a thread's first comment only). */
  question: boolean
  /** A question marked answered (by its author, the video's owner or an admin). */
  answered: boolean
  createdAt: string
  /** When its text was last changed, or null. */
  editedAt: string | null
  /**
   * Deleted while it had replies: kept as "This comment was deleted" so the thread stays; a
   * comment without replies is removed outright.
   */
  deleted: boolean
}

/** A thread: its first comment and the replies, oldest first. */
export interface CommentThread {
  comment: LearnComment
  replies: LearnComment[]
}

export interface NewComment {
  videoId: string
  parentId: string | null
  authorId: number
  atMs: number | null
  body: string
  question: boolean
}

export interface ReactionCounts {
  /** People who marked it "This helped". */
  helped: number
  /** Whether the asking user did. */
  helpedByMe: boolean
  /** Emoji at moments: one entry per (emoji, second), with how many left it and whether I did. */
  moments: { kind: ReactionKind; atMs: number; count: number; mine: boolean }[]
}

/** One person's watching of one video. */
export interface WatchRecord {
  userId: number
  userName: string
  /** Merged, sorted, non-overlapping [startMs, endMs) on the watched media's clock. */
  ranges: [number, number][]
  /** The length of the watched media when last reported, ms. */
  durationMs: number
  /** Sum of `ranges`, ms. */
  watchedMs: number
  /** watchedMs / durationMs, 0–1. */
  completion: number
  firstAt: string
  lastAt: string
}

export interface LearnNotification {
  /** Increasing (AUTOINCREMENT). */
  id: number
  userId: number
  kind: NotificationKind
  actorId: number | null
  actorName: string
  videoId: string | null
  requestId: string | null
  commentId: string | null
  /** The moment it links to (a comment's, its thread's), ms; null when none. */
  atMs: number | null
  /** The excerpt shown: a title, the start of a comment (≤ 200 characters). */
  text: string
  createdAt: string
  readAt: string | null
}

export interface Collection {
  /** 16 URL-safe random characters. */
  id: string
  title: string
  description: string
  ownerId: number
  ownerName: string
  /** Videos in it. */
  itemCount: number
  createdAt: string
  updatedAt: string
}

/** A team-wide setting (admins change them: the admin CLI and the profile page). */
export interface TeamSettings {
  /**
   * What a video's author sees of who watched it: `names` (who, how far, when) or `counts` (how
   * many people watched, and how far on average, no names). Default `names`.
   */
  watchers: 'names' | 'counts'
}

export interface LearnDb {
  // Requests
  /** Adds a request; its asker wants it. */
  createRequest(r: {
    title: string
    details: string
    tags: string[]
    askerId: number
  }): Promise<LearnRequest>
  getRequest(id: string): Promise<LearnRequest | null>
  /**
   * Requests, newest first: `state` filters (default both), `tag` keeps those with that tag,
   * `q` full-text (title, details, tags; ftsQuery rules as for videos).
   */
  listRequests(opts?: {
    state?: RequestState
    tag?: string
    q?: string
    limit?: number
    offset?: number
  }): Promise<LearnRequest[]>
  countRequests(opts?: { state?: RequestState; tag?: string; q?: string }): Promise<number>
  /** Changes the asker's title, details or tags; null when there is no such request. */
  updateRequest(
    id: string,
    patch: { title?: string; details?: string; tags?: string[] }
  ): Promise<LearnRequest | null>
  /** Removes a request with its answers' links, wants and notifications (the videos stay). */
  deleteRequest(id: string): Promise<boolean>
  /** "Me too" on or off; returns the request, null when there is none. The asker always wants it. */
  setWanted(requestId: string, userId: number, wanted: boolean): Promise<LearnRequest | null>
  /** Whether `userId` wants it. */
  wants(requestId: string, userId: number): Promise<boolean>
  /**
   * Links `videoId` as an answer (idempotent: a second link changes nothing and notifies nobody)
   * and, on the first link, notifies everyone who wants the request except `userId` (kind
   * `answer`). Null when the request or the video is gone.
   */
  linkAnswer(
    requestId: string,
    videoId: string,
    userId: number
  ): Promise<{ request: LearnRequest; linked: boolean } | null>
  unlinkAnswer(requestId: string, videoId: string): Promise<boolean>
  /** The request's answers, oldest first. */
  answersOf(requestId: string): Promise<RequestAnswer[]>
  /** The requests a video answers. */
  requestsAnsweredBy(videoId: string): Promise<LearnRequest[]>
  /**
   * The asker's "This solved it": `videoId` (one of its answers) or null to reopen. Notifies the
   * others who want it (kind `solved`). Null when the request is gone; throws when `videoId` is
   * not one of its answers.
   */
  markSolved(
    requestId: string,
    videoId: string | null,
    userId: number
  ): Promise<LearnRequest | null>

  // Comments
  /**
   * Adds a comment (a reply when `parentId` names a thread's first comment on the same video;
   * a reply to a reply joins that thread). Notifies in the same transaction: the video's owner
   * (`comment` for a new thread, `reply` for a reply) and everyone else in the thread (`reply`),
   * never the author. Throws when the video or the parent is missing.
   */
  addComment(c: NewComment): Promise<LearnComment>
  getComment(id: string): Promise<LearnComment | null>
  /** The video's threads: by moment (those without one last), then oldest first. */
  commentsOf(videoId: string): Promise<CommentThread[]>
  countComments(videoId: string): Promise<number>
  /** Changes a comment's text or moment (editedAt set when the text changes); null when gone. */
  updateComment(
    id: string,
    patch: { body?: string; atMs?: number | null }
  ): Promise<LearnComment | null>
  /**
   * A question marked answered or not; notifies its author (kind `answered`) when `byUserId` is
   * someone else, the first time only (no notification when the comment already has an
   * `answered` one: toggling does not flood its author). Null when gone.
   */
  setAnswered(id: string, answered: boolean, byUserId: number): Promise<LearnComment | null>
  /**
   * `updateComment` (when `body` or `atMs` is given) then `setAnswered` (when `answered` is), in
   * one transaction: all of it or nothing (a question check failing undoes the text change).
   * Null when the comment is gone or deleted.
   */
  patchComment(
    id: string,
    patch: { body?: string; atMs?: number | null; answered?: boolean },
    byUserId: number
  ): Promise<LearnComment | null>
  /**
   * Deletes a comment: removed with its notifications when it has no replies, else kept as
   * deleted (empty body). Deleting a thread's last reply of a deleted first comment removes the
   * thread. False when there was no such comment.
   */
  deleteComment(id: string): Promise<boolean>

  // Reactions and watching
  /**
   * "This helped" on or off for a person (`helped` notifies the video's owner once per person,
   * never themselves), or an emoji at a second (`atMs` rounded down to the second) toggled.
   * Returns the video's counts as that person sees them.
   */
  toggleReaction(
    videoId: string,
    userId: number,
    kind: ReactionKind,
    atMs: number | null,
    on?: boolean
  ): Promise<ReactionCounts>
  reactionsOf(videoId: string, userId: number): Promise<ReactionCounts>
  /**
   * Adds what a person watched: `ranges` are merged with what they watched before (clamped to
   * [0, length], sorted, overlaps and touching ranges joined), where the length is the larger of
   * `durationMs` and the stored one (a shorter report never clips what was stored, nor shrinks
   * the length). Returns the person's record.
   */
  addWatched(
    videoId: string,
    userId: number,
    ranges: readonly (readonly [number, number])[],
    durationMs: number
  ): Promise<WatchRecord>
  /** Who watched a video, most recent first. */
  watchersOf(videoId: string): Promise<WatchRecord[]>

  // Notifications
  /** A user's notifications newest first; `after` keeps those with a larger id (polling). */
  notificationsOf(
    userId: number,
    opts?: { after?: number; limit?: number; unreadOnly?: boolean }
  ): Promise<LearnNotification[]>
  unreadCount(userId: number): Promise<number>
  /** Marks the given ids (the user's own only) or, without ids, all as read; returns how many. */
  markRead(userId: number, ids?: readonly number[]): Promise<number>

  // Collections
  /**
   * A new collection; with `videoIds`, holding them in that order, in the same transaction
   * (throws as `setCollectionItems` does, and then nothing is made).
   */
  createCollection(c: {
    title: string
    description: string
    ownerId: number
    videoIds?: readonly string[]
  }): Promise<Collection>
  getCollection(id: string): Promise<Collection | null>
  /** Newest first; `ownerId` keeps one person's. */
  listCollections(opts?: {
    ownerId?: number
    limit?: number
    offset?: number
  }): Promise<Collection[]>
  countCollections(opts?: { ownerId?: number }): Promise<number>
  updateCollection(
    id: string,
    patch: { title?: string; description?: string }
  ): Promise<Collection | null>
  deleteCollection(id: string): Promise<boolean>
  /** The collection's video ids in order (videos since deleted are gone from it). */
  collectionItems(id: string): Promise<string[]>
  /** Appends a video (already in it: unchanged). Throws when full or when either is gone. */
  addToCollection(id: string, videoId: string, userId: number): Promise<void>
  removeFromCollection(id: string, videoId: string): Promise<boolean>
  /** Moves a video to `position` (0-based, clamped); returns the new order, null when not in it. */
  moveInCollection(id: string, videoId: string, position: number): Promise<string[] | null>
  /**
   * Makes the collection's items exactly `videoIds`, in that order (position = index), in one
   * transaction: items already in it keep who added them and when; new ones are `userId`'s.
   * Throws naming unknown videos, for a video listed twice or for more than
   * LEARN_LIMITS.collectionItems (nothing changed). Null when the collection is gone.
   */
  setCollectionItems(
    id: string,
    videoIds: readonly string[],
    userId: number
  ): Promise<string[] | null>
  /** The collections a video is in. */
  collectionsWith(videoId: string): Promise<Collection[]>

  // Team settings
  teamSettings(): Promise<TeamSettings>
  setTeamSettings(patch: Partial<TeamSettings>): Promise<TeamSettings>
}
