/**
 * Learning together on the library's SQLite connection (learn-types.ts, migration 7).
 *
 * Search rows (request_search, comment_search) have their request's or comment's `seq` as rowid,
 * so they are kept in step by key. Notifications are written in the transaction of what caused
 * them, one prepared INSERT per recipient; their text is an excerpt of at most
 * NOTIFICATION_TEXT_MAX characters.
 */
import type { Database, Statement } from 'better-sqlite3'
import type { NotificationKind, ReactionKind, RequestState } from '../../../src/shared/learn'
import { LEARN_LIMITS } from '../../../src/shared/learn'
import { mergeRanges, rangesLength } from '../learn/watched-ranges'
import type { Sync } from './library-db'
import type {
  Collection,
  CommentThread,
  LearnComment,
  LearnDb,
  LearnNotification,
  LearnRequest,
  ReactionCounts,
  RequestAnswer,
  TeamSettings,
  WatchRecord
} from './learn-types'

export interface LearnDbContext {
  /** A write transaction taking the lock at BEGIN (library-db.ts `immediate`). */
  immediate<T>(fn: () => T): T
  /** ISO time now. */
  now(): string
  /** A new random URL-safe id (16 characters). */
  newId(): string
  /** Full-text query of a search box's text, or null when it has no words (library-db.ts). */
  ftsQuery(q: string): string | null
}

/** The longest notification text, in characters (code points), "…" included. */
export const NOTIFICATION_TEXT_MAX = 200

/** `atMs` of a `helped` reaction (about the whole video; the column is NOT NULL). */
const HELPED_AT = 0

const DEFAULT_SETTINGS: TeamSettings = { watchers: 'names' }

interface RequestRow {
  seq: number
  id: string
  title: string
  details: string
  tags: string
  asker_id: number
  asker_name: string
  solved_video_id: string | null
  created_at: string
  updated_at: string
  wanted: number
  answer_count: number
}
interface AnswerRow {
  request_id: string
  video_id: string
  user_id: number
  created_at: string
}
interface CommentRow {
  seq: number
  id: string
  video_id: string
  parent_id: string | null
  author_id: number
  author_name: string
  at_ms: number | null
  body: string
  question: number
  answered: number
  deleted: number
  created_at: string
  edited_at: string | null
}
interface ViewRow {
  video_id: string
  user_id: number
  user_name: string | null
  ranges: string
  duration_ms: number
  watched_ms: number
  first_at: string
  last_at: string
}
interface NotificationRow {
  id: number
  user_id: number
  kind: string
  actor_id: number | null
  actor_name: string
  video_id: string | null
  request_id: string | null
  comment_id: string | null
  at_ms: number | null
  text: string
  created_at: string
  read_at: string | null
}
interface CollectionRow {
  id: string
  title: string
  description: string
  owner_id: number
  owner_name: string
  item_count: number
  created_at: string
  updated_at: string
}
interface VideoFacts {
  id: string
  title: string
  owner_id: number
}

/** One line of at most `max` code points: whitespace runs become one space, a longer text ends in "…". */
export function excerpt(text: string, max: number = NOTIFICATION_TEXT_MAX): string {
  const line = text.replace(/\s+/gu, ' ').trim()
  const points = [...line]
  if (points.length <= max) return line
  return points.slice(0, max - 1).join('') + '…'
}

function parseTagList(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json)
    return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : []
  } catch {
    return []
  }
}

function parseRangeList(json: string): [number, number][] {
  try {
    const value: unknown = JSON.parse(json)
    if (!Array.isArray(value)) return []
    return value.filter(
      (r): r is [number, number] =>
        Array.isArray(r) && r.length === 2 && typeof r[0] === 'number' && typeof r[1] === 'number'
    )
  } catch {
    return []
  }
}

function toRequest(row: RequestRow): LearnRequest {
  return {
    id: row.id,
    title: row.title,
    details: row.details,
    tags: parseTagList(row.tags),
    askerId: row.asker_id,
    askerName: row.asker_name,
    state: row.solved_video_id === null ? 'open' : 'solved',
    solvedVideoId: row.solved_video_id,
    wanted: row.wanted,
    answerCount: row.answer_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at
  }
}

function toAnswer(row: AnswerRow): RequestAnswer {
  return {
    requestId: row.request_id,
    videoId: row.video_id,
    userId: row.user_id,
    createdAt: row.created_at
  }
}

function toComment(row: CommentRow): LearnComment {
  return {
    id: row.id,
    videoId: row.video_id,
    parentId: row.parent_id,
    authorId: row.author_id,
    authorName: row.author_name,
    atMs: row.at_ms,
    body: row.body,
    question: row.question === 1,
    answered: row.answered === 1,
    createdAt: row.created_at,
    editedAt: row.edited_at,
    deleted: row.deleted === 1
  }
}

function toWatch(row: ViewRow): WatchRecord {
  const ranges = parseRangeList(row.ranges)
  return {
    userId: row.user_id,
    userName: row.user_name ?? 'unknown',
    ranges,
    durationMs: row.duration_ms,
    watchedMs: row.watched_ms,
    completion: row.duration_ms > 0 ? Math.min(1, row.watched_ms / row.duration_ms) : 0,
    firstAt: row.first_at,
    lastAt: row.last_at
  }
}

function toNotification(row: NotificationRow): LearnNotification {
  return {
    id: row.id,
    userId: row.user_id,
    kind: row.kind as NotificationKind,
    actorId: row.actor_id,
    actorName: row.actor_name,
    videoId: row.video_id,
    requestId: row.request_id,
    commentId: row.comment_id,
    atMs: row.at_ms,
    text: row.text,
    createdAt: row.created_at,
    readAt: row.read_at
  }
}

function toCollection(row: CollectionRow): Collection {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    ownerId: row.owner_id,
    ownerName: row.owner_name,
    itemCount: row.item_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at
  }
}

/** A LIMIT or OFFSET: a whole number from 0 to `max`; anything else is `fallback`. */
function paging(value: number | undefined, fallback: number, max: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback
  return Math.min(Math.max(Math.trunc(value), 0), max)
}

const REQUEST_SELECT = `SELECT r.*,
  (SELECT count(*) FROM request_wants w WHERE w.request_id = r.id) AS wanted,
  (SELECT count(*) FROM request_answers a WHERE a.request_id = r.id) AS answer_count
  FROM requests r`

const COLLECTION_SELECT = `SELECT c.*,
  (SELECT count(*) FROM collection_items i WHERE i.collection_id = c.id) AS item_count
  FROM collections c`

function requestSearchBody(r: { title: string; details: string; tags: readonly string[] }): string {
  return [r.title, r.details, r.tags.join(' ')].join('\n')
}

/**
 * The learning-together cleanup the library's own deletions run, inside their transaction
 * (library-db.ts deleteVideo and removeUser).
 */
export interface LearnCleanup {
  /**
   * A video is being deleted: its comments (and their search rows), reactions, views, answer
   * links (a request it solved is open again), collection places (the others close up) and the
   * notifications about it go.
   */
  videoDeleted(videoId: string): void
  /**
   * A user is being removed: their notifications, wants, reactions and views go; their
   * collections go to `transferTo`, or are deleted. Their requests and comments stay (the names
   * are stored with them).
   */
  userRemoved(userId: number, transferTo?: { id: number; name: string }): void
}

export function createLearnCleanup(db: Database): LearnCleanup {
  const st = {
    deleteCommentSearchOf: db.prepare(
      'DELETE FROM comment_search WHERE rowid IN (SELECT seq FROM comments WHERE video_id = ?)'
    ),
    deleteCommentsOf: db.prepare('DELETE FROM comments WHERE video_id = ?'),
    deleteReactionsOf: db.prepare('DELETE FROM reactions WHERE video_id = ?'),
    deleteViewsOf: db.prepare('DELETE FROM video_views WHERE video_id = ?'),
    reopenSolvedBy: db.prepare(
      'UPDATE requests SET solved_video_id = NULL, updated_at = ? WHERE solved_video_id = ?'
    ),
    deleteAnswersOf: db.prepare('DELETE FROM request_answers WHERE video_id = ?'),
    placesOf: db.prepare<{ collection_id: string; position: number }>(
      'SELECT collection_id, position FROM collection_items WHERE video_id = ?'
    ),
    deletePlace: db.prepare(
      'DELETE FROM collection_items WHERE collection_id = ? AND video_id = ?'
    ),
    closeUp: db.prepare(
      'UPDATE collection_items SET position = position - 1 WHERE collection_id = ? AND position > ?'
    ),
    deleteNotificationsOfVideo: db.prepare('DELETE FROM notifications WHERE video_id = ?'),
    deleteNotificationsFor: db.prepare('DELETE FROM notifications WHERE user_id = ?'),
    deleteWantsOf: db.prepare('DELETE FROM request_wants WHERE user_id = ?'),
    deleteReactionsBy: db.prepare('DELETE FROM reactions WHERE user_id = ?'),
    deleteViewsBy: db.prepare('DELETE FROM video_views WHERE user_id = ?'),
    transferCollections: db.prepare(
      'UPDATE collections SET owner_id = ?, owner_name = ? WHERE owner_id = ?'
    ),
    deleteItemsOfOwner: db.prepare(
      'DELETE FROM collection_items WHERE collection_id IN (SELECT id FROM collections WHERE owner_id = ?)'
    ),
    deleteCollectionsOf: db.prepare('DELETE FROM collections WHERE owner_id = ?')
  }
  return {
    videoDeleted(videoId) {
      st.deleteCommentSearchOf.run(videoId)
      st.deleteCommentsOf.run(videoId)
      st.deleteReactionsOf.run(videoId)
      st.deleteViewsOf.run(videoId)
      st.reopenSolvedBy.run(new Date().toISOString(), videoId)
      st.deleteAnswersOf.run(videoId)
      for (const place of st.placesOf.all(videoId)) {
        st.deletePlace.run(place.collection_id, videoId)
        st.closeUp.run(place.collection_id, place.position)
      }
      st.deleteNotificationsOfVideo.run(videoId)
    },
    userRemoved(userId, transferTo) {
      st.deleteNotificationsFor.run(userId)
      st.deleteWantsOf.run(userId)
      st.deleteReactionsBy.run(userId)
      st.deleteViewsBy.run(userId)
      if (transferTo) st.transferCollections.run(transferTo.id, transferTo.name, userId)
      else {
        st.deleteItemsOfOwner.run(userId)
        st.deleteCollectionsOf.run(userId)
      }
    }
  }
}

export function createLearnDb(db: Database, ctx: LearnDbContext): Sync<LearnDb> {
  const { immediate, now, newId } = ctx

  const st = {
    userName: db.prepare<{ name: string }>('SELECT name FROM users WHERE id = ?'),
    video: db.prepare<VideoFacts>('SELECT id, title, owner_id FROM videos WHERE id = ?'),

    request: db.prepare<RequestRow>(`${REQUEST_SELECT} WHERE r.id = ?`),
    insertRequest: db.prepare(
      `INSERT INTO requests (id, title, details, tags, asker_id, asker_name, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
    ),
    updateRequest: db.prepare(
      'UPDATE requests SET title = ?, details = ?, tags = ?, updated_at = ? WHERE id = ?'
    ),
    deleteRequest: db.prepare('DELETE FROM requests WHERE id = ?'),
    insertTag: db.prepare('INSERT OR IGNORE INTO request_tags (request_id, tag) VALUES (?, ?)'),
    deleteTags: db.prepare('DELETE FROM request_tags WHERE request_id = ?'),
    insertRequestSearch: db.prepare(
      'INSERT INTO request_search (rowid, request_id, body) VALUES (?, ?, ?)'
    ),
    deleteRequestSearch: db.prepare('DELETE FROM request_search WHERE rowid = ?'),
    insertWant: db.prepare(
      'INSERT OR IGNORE INTO request_wants (request_id, user_id, created_at) VALUES (?, ?, ?)'
    ),
    deleteWant: db.prepare('DELETE FROM request_wants WHERE request_id = ? AND user_id = ?'),
    deleteWantsOf: db.prepare('DELETE FROM request_wants WHERE request_id = ?'),
    want: db.prepare<{ user_id: number }>(
      'SELECT user_id FROM request_wants WHERE request_id = ? AND user_id = ?'
    ),
    wanters: db.prepare<{ user_id: number }>(
      `SELECT w.user_id FROM request_wants w JOIN users u ON u.id = w.user_id
       WHERE w.request_id = ? AND w.user_id != ? ORDER BY w.created_at, w.rowid`
    ),
    insertAnswer: db.prepare(
      `INSERT OR IGNORE INTO request_answers (request_id, video_id, user_id, created_at)
       VALUES (?, ?, ?, ?)`
    ),
    deleteAnswer: db.prepare('DELETE FROM request_answers WHERE request_id = ? AND video_id = ?'),
    deleteAnswersOf: db.prepare('DELETE FROM request_answers WHERE request_id = ?'),
    answer: db.prepare<AnswerRow>(
      'SELECT * FROM request_answers WHERE request_id = ? AND video_id = ?'
    ),
    answersOf: db.prepare<AnswerRow>(
      'SELECT * FROM request_answers WHERE request_id = ? ORDER BY created_at, rowid'
    ),
    answeredBy: db.prepare<RequestRow>(
      `${REQUEST_SELECT} WHERE r.id IN (SELECT request_id FROM request_answers WHERE video_id = ?)
       ORDER BY r.created_at DESC, r.seq DESC`
    ),
    setSolved: db.prepare('UPDATE requests SET solved_video_id = ?, updated_at = ? WHERE id = ?'),
    unsolveIf: db.prepare(
      'UPDATE requests SET solved_video_id = NULL, updated_at = ? WHERE id = ? AND solved_video_id = ?'
    ),

    comment: db.prepare<CommentRow>('SELECT * FROM comments WHERE id = ?'),
    commentsOf: db.prepare<CommentRow>(
      'SELECT * FROM comments WHERE video_id = ? ORDER BY created_at, seq'
    ),
    countComments: db.prepare<{ n: number }>(
      'SELECT count(*) AS n FROM comments WHERE video_id = ? AND deleted = 0'
    ),
    insertComment: db.prepare(
      `INSERT INTO comments (id, video_id, parent_id, author_id, author_name, at_ms, body, question,
       created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
    ),
    insertCommentSearch: db.prepare(
      'INSERT INTO comment_search (rowid, comment_id, video_id, body) VALUES (?, ?, ?, ?)'
    ),
    deleteCommentSearch: db.prepare('DELETE FROM comment_search WHERE rowid = ?'),
    updateComment: db.prepare(
      'UPDATE comments SET body = ?, at_ms = ?, edited_at = ? WHERE id = ?'
    ),
    setAnswered: db.prepare('UPDATE comments SET answered = ? WHERE id = ?'),
    softDelete: db.prepare("UPDATE comments SET body = '', deleted = 1 WHERE id = ?"),
    deleteComment: db.prepare('DELETE FROM comments WHERE id = ?'),
    replyCount: db.prepare<{ n: number }>('SELECT count(*) AS n FROM comments WHERE parent_id = ?'),
    threadAuthors: db.prepare<{ author_id: number }>(
      `SELECT DISTINCT c.author_id FROM comments c JOIN users u ON u.id = c.author_id
       WHERE (c.id = ? OR c.parent_id = ?) AND c.deleted = 0`
    ),

    reaction: db.prepare<{ user_id: number }>(
      'SELECT user_id FROM reactions WHERE video_id = ? AND kind = ? AND at_ms = ? AND user_id = ?'
    ),
    insertReaction: db.prepare(
      `INSERT OR IGNORE INTO reactions (video_id, user_id, kind, at_ms, created_at)
       VALUES (?, ?, ?, ?, ?)`
    ),
    deleteReaction: db.prepare(
      'DELETE FROM reactions WHERE video_id = ? AND kind = ? AND at_ms = ? AND user_id = ?'
    ),
    reactionGroups: db.prepare<{ kind: string; at_ms: number; n: number; mine: number }>(
      `SELECT kind, at_ms, count(*) AS n, max(user_id = ?) AS mine FROM reactions
       WHERE video_id = ? GROUP BY kind, at_ms ORDER BY at_ms, kind`
    ),
    answeredBefore: db.prepare<{ id: number }>(
      "SELECT id FROM notifications WHERE comment_id = ? AND kind = 'answered' LIMIT 1"
    ),
    helpedBefore: db.prepare<{ id: number }>(
      `SELECT id FROM notifications WHERE video_id = ? AND kind = 'helped' AND actor_id = ?
       AND user_id = ? LIMIT 1`
    ),

    view: db.prepare<ViewRow>(
      `SELECT v.*, u.name AS user_name FROM video_views v LEFT JOIN users u ON u.id = v.user_id
       WHERE v.video_id = ? AND v.user_id = ?`
    ),
    viewsOf: db.prepare<ViewRow>(
      `SELECT v.*, u.name AS user_name FROM video_views v LEFT JOIN users u ON u.id = v.user_id
       WHERE v.video_id = ? ORDER BY v.last_at DESC, v.rowid DESC`
    ),
    upsertView: db.prepare(
      `INSERT INTO video_views (video_id, user_id, ranges, duration_ms, watched_ms, first_at, last_at)
       VALUES (@videoId, @userId, @ranges, @durationMs, @watchedMs, @at, @at)
       ON CONFLICT (video_id, user_id) DO UPDATE SET ranges = excluded.ranges,
       duration_ms = excluded.duration_ms, watched_ms = excluded.watched_ms, last_at = excluded.last_at`
    ),

    insertNotification: db.prepare(
      `INSERT INTO notifications (user_id, kind, actor_id, actor_name, video_id, request_id,
       comment_id, at_ms, text, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
    ),
    unread: db.prepare<{ n: number }>(
      'SELECT count(*) AS n FROM notifications WHERE user_id = ? AND read_at IS NULL'
    ),
    markOne: db.prepare(
      'UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL'
    ),
    markAll: db.prepare(
      'UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL'
    ),
    deleteNotificationsOfComment: db.prepare('DELETE FROM notifications WHERE comment_id = ?'),
    // A thread's moment moved: its notifications link to the new one.
    moveThreadNotifications: db.prepare(
      `UPDATE notifications SET at_ms = ? WHERE comment_id IN
       (SELECT id FROM comments WHERE id = ? OR parent_id = ?)`
    ),
    deleteNotificationsOfRequest: db.prepare('DELETE FROM notifications WHERE request_id = ?'),

    collection: db.prepare<CollectionRow>(`${COLLECTION_SELECT} WHERE c.id = ?`),
    insertCollection: db.prepare(
      `INSERT INTO collections (id, title, description, owner_id, owner_name, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`
    ),
    updateCollection: db.prepare(
      'UPDATE collections SET title = ?, description = ?, updated_at = ? WHERE id = ?'
    ),
    touchCollection: db.prepare('UPDATE collections SET updated_at = ? WHERE id = ?'),
    deleteCollection: db.prepare('DELETE FROM collections WHERE id = ?'),
    deleteItemsOf: db.prepare('DELETE FROM collection_items WHERE collection_id = ?'),
    listCollections: db.prepare<CollectionRow>(
      `${COLLECTION_SELECT} ORDER BY c.created_at DESC, c.rowid DESC LIMIT ? OFFSET ?`
    ),
    listCollectionsOf: db.prepare<CollectionRow>(
      `${COLLECTION_SELECT} WHERE c.owner_id = ? ORDER BY c.created_at DESC, c.rowid DESC
       LIMIT ? OFFSET ?`
    ),
    countCollections: db.prepare<{ n: number }>('SELECT count(*) AS n FROM collections'),
    countCollectionsOf: db.prepare<{ n: number }>(
      'SELECT count(*) AS n FROM collections WHERE owner_id = ?'
    ),
    items: db.prepare<{ video_id: string }>(
      'SELECT video_id FROM collection_items WHERE collection_id = ? ORDER BY position, rowid'
    ),
    item: db.prepare<{ position: number }>(
      'SELECT position FROM collection_items WHERE collection_id = ? AND video_id = ?'
    ),
    itemCount: db.prepare<{ n: number }>(
      'SELECT count(*) AS n FROM collection_items WHERE collection_id = ?'
    ),
    insertItem: db.prepare(
      `INSERT INTO collection_items (collection_id, video_id, position, added_by, added_at)
       VALUES (?, ?, ?, ?, ?)`
    ),
    deleteItem: db.prepare('DELETE FROM collection_items WHERE collection_id = ? AND video_id = ?'),
    closeUp: db.prepare(
      'UPDATE collection_items SET position = position - 1 WHERE collection_id = ? AND position > ?'
    ),
    setPosition: db.prepare(
      'UPDATE collection_items SET position = ? WHERE collection_id = ? AND video_id = ?'
    ),
    collectionsWith: db.prepare<CollectionRow>(
      `${COLLECTION_SELECT} WHERE c.id IN (SELECT collection_id FROM collection_items WHERE video_id = ?)
       ORDER BY c.created_at DESC, c.rowid DESC`
    ),

    settings: db.prepare<{ key: string; value: string }>('SELECT key, value FROM team_settings'),
    setSetting: db.prepare(
      'INSERT INTO team_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'
    )
  }

  const userName = (id: number): string => st.userName.get(id)?.name ?? 'unknown'

  /**
   * Makes collection `id`'s items exactly `videoIds`, position = index, in the caller's
   * transaction: items already in it keep `added_by`/`added_at`, new ones are `userId`'s now.
   * Throws naming unknown videos (up to ten), a video listed twice, or too many.
   */
  const replaceItems = (id: string, videoIds: readonly string[], userId: number): string[] => {
    const max = LEARN_LIMITS.collectionItems
    if (videoIds.length > max) throw new Error(`A collection holds at most ${max} videos.`)
    if (new Set(videoIds).size !== videoIds.length) {
      throw new Error('The list of videos names one twice.')
    }
    const unknown = videoIds.filter((v) => !st.video.get(v))
    if (unknown.length > 0) {
      throw new Error(
        `There is no video ${unknown
          .slice(0, 10)
          .map((v) => JSON.stringify(v.slice(0, 64)))
          .join(', ')}${unknown.length > 10 ? ` and ${unknown.length - 10} more` : ''}.`
      )
    }
    const keep = new Set(videoIds)
    for (const videoId of itemsOf(id)) {
      if (!keep.has(videoId)) st.deleteItem.run(id, videoId)
    }
    const t = now()
    videoIds.forEach((videoId, i) => {
      if (st.setPosition.run(i, id, videoId).changes === 0) {
        st.insertItem.run(id, videoId, i, userId, t)
      }
    })
    st.touchCollection.run(t, id)
    return [...videoIds]
  }

  /** One notification per recipient (deduplicated, never the actor), one INSERT each. */
  const notify = (
    recipients: Iterable<number>,
    n: {
      kind: NotificationKind
      actorId: number
      videoId?: string | null
      requestId?: string | null
      commentId?: string | null
      atMs?: number | null
      text: string
    }
  ): void => {
    const actorName = userName(n.actorId)
    const text = excerpt(n.text)
    const at = now()
    const done = new Set<number>([n.actorId])
    for (const userId of recipients) {
      if (done.has(userId)) continue
      done.add(userId)
      st.insertNotification.run(
        userId,
        n.kind,
        n.actorId,
        actorName,
        n.videoId ?? null,
        n.requestId ?? null,
        n.commentId ?? null,
        n.atMs ?? null,
        text,
        at
      )
    }
  }

  // Requests

  const getRequest = (id: string): LearnRequest | null => {
    const row = st.request.get(id)
    return row ? toRequest(row) : null
  }

  const requestStatements = new Map<string, Statement<RequestRow | { n: number }>>()
  /** The WHERE of listRequests/countRequests and its parameters. */
  const requestFilter = (opts: {
    state?: RequestState
    tag?: string
    q?: string
  }): { where: string; params: unknown[] } | null => {
    const clauses: string[] = []
    const params: unknown[] = []
    if (opts.state === 'open') clauses.push('r.solved_video_id IS NULL')
    else if (opts.state === 'solved') clauses.push('r.solved_video_id IS NOT NULL')
    if (opts.tag !== undefined) {
      clauses.push('r.id IN (SELECT request_id FROM request_tags WHERE tag = ?)')
      params.push(opts.tag.toLowerCase())
    }
    if (opts.q !== undefined && opts.q.trim() !== '') {
      const match = ctx.ftsQuery(opts.q)
      if (match === null) return null // only punctuation: nothing matches
      clauses.push('r.seq IN (SELECT rowid FROM request_search WHERE request_search MATCH ?)')
      params.push(match)
    }
    return { where: clauses.length ? ` WHERE ${clauses.join(' AND ')}` : '', params }
  }
  const prepared = <Row>(sql: string): Statement<Row> => {
    let s = requestStatements.get(sql)
    if (!s) {
      s = db.prepare(sql)
      requestStatements.set(sql, s)
    }
    return s as Statement<Row>
  }

  const writeRequestSearch = (
    seq: number,
    id: string,
    r: Parameters<typeof requestSearchBody>[0]
  ) => {
    st.deleteRequestSearch.run(seq)
    st.insertRequestSearch.run(seq, id, requestSearchBody(r))
  }

  // Comments

  const getComment = (id: string): LearnComment | null => {
    const row = st.comment.get(id)
    return row ? toComment(row) : null
  }

  /** Removes a comment row with its search row and notifications. */
  const removeComment = (row: CommentRow): void => {
    st.deleteCommentSearch.run(row.seq)
    st.deleteNotificationsOfComment.run(row.id)
    st.deleteComment.run(row.id)
  }

  // Reactions

  const reactionsOf = (videoId: string, userId: number): ReactionCounts => {
    const counts: ReactionCounts = { helped: 0, helpedByMe: false, moments: [] }
    for (const g of st.reactionGroups.all(userId, videoId)) {
      if (g.kind === 'helped') {
        counts.helped = g.n
        counts.helpedByMe = g.mine === 1
      } else {
        counts.moments.push({
          kind: g.kind as ReactionKind,
          atMs: g.at_ms,
          count: g.n,
          mine: g.mine === 1
        })
      }
    }
    return counts
  }

  // Collections

  const getCollection = (id: string): Collection | null => {
    const row = st.collection.get(id)
    return row ? toCollection(row) : null
  }
  const itemsOf = (id: string): string[] => st.items.all(id).map((r) => r.video_id)

  const readSettings = (): TeamSettings => {
    const settings: TeamSettings = { ...DEFAULT_SETTINGS }
    for (const row of st.settings.all()) {
      if (row.key === 'watchers' && (row.value === 'names' || row.value === 'counts')) {
        settings.watchers = row.value
      }
    }
    return settings
  }

  const learn: Sync<LearnDb> = {
    // Requests
    createRequest(r) {
      return immediate(() => {
        const id = newId()
        const t = now()
        const info = st.insertRequest.run(
          id,
          r.title,
          r.details,
          JSON.stringify(r.tags),
          r.askerId,
          userName(r.askerId),
          t,
          t
        )
        for (const tag of r.tags) st.insertTag.run(id, tag)
        st.insertWant.run(id, r.askerId, t)
        st.insertRequestSearch.run(Number(info.lastInsertRowid), id, requestSearchBody(r))
        return getRequest(id) as LearnRequest
      })
    },
    getRequest,
    listRequests(opts = {}) {
      const filter = requestFilter(opts)
      if (!filter) return []
      const limit = paging(opts.limit, 50, 1000)
      const offset = paging(opts.offset, 0, Number.MAX_SAFE_INTEGER)
      return prepared<RequestRow>(
        `${REQUEST_SELECT}${filter.where} ORDER BY r.created_at DESC, r.seq DESC LIMIT ? OFFSET ?`
      )
        .all(...filter.params, limit, offset)
        .map(toRequest)
    },
    countRequests(opts = {}) {
      const filter = requestFilter(opts)
      if (!filter) return 0
      return (
        prepared<{ n: number }>(`SELECT count(*) AS n FROM requests r${filter.where}`).get(
          ...filter.params
        )?.n ?? 0
      )
    },
    updateRequest(id, patch) {
      return immediate(() => {
        const row = st.request.get(id)
        if (!row) return null
        const title = patch.title ?? row.title
        const details = patch.details ?? row.details
        const tags = patch.tags ?? parseTagList(row.tags)
        st.updateRequest.run(title, details, JSON.stringify(tags), now(), id)
        if (patch.tags) {
          st.deleteTags.run(id)
          for (const tag of tags) st.insertTag.run(id, tag)
        }
        writeRequestSearch(row.seq, id, { title, details, tags })
        return getRequest(id)
      })
    },
    deleteRequest(id) {
      return immediate(() => {
        const row = st.request.get(id)
        if (!row) return false
        st.deleteRequestSearch.run(row.seq)
        st.deleteTags.run(id)
        st.deleteWantsOf.run(id)
        st.deleteAnswersOf.run(id)
        st.deleteNotificationsOfRequest.run(id)
        st.deleteRequest.run(id)
        return true
      })
    },
    setWanted(requestId, userId, wanted) {
      return immediate(() => {
        const row = st.request.get(requestId)
        if (!row) return null
        if (wanted) st.insertWant.run(requestId, userId, now())
        else if (userId !== row.asker_id) st.deleteWant.run(requestId, userId)
        return getRequest(requestId)
      })
    },
    wants(requestId, userId) {
      return st.want.get(requestId, userId) !== undefined
    },
    linkAnswer(requestId, videoId, userId) {
      return immediate(() => {
        const row = st.request.get(requestId)
        const video = st.video.get(videoId)
        if (!row || !video) return null
        const linked = st.insertAnswer.run(requestId, videoId, userId, now()).changes > 0
        if (linked) {
          notify(
            st.wanters.all(requestId, userId).map((w) => w.user_id),
            { kind: 'answer', actorId: userId, videoId, requestId, text: video.title }
          )
        }
        return { request: getRequest(requestId) as LearnRequest, linked }
      })
    },
    unlinkAnswer(requestId, videoId) {
      return immediate(() => {
        const removed = st.deleteAnswer.run(requestId, videoId).changes > 0
        if (removed) st.unsolveIf.run(now(), requestId, videoId)
        return removed
      })
    },
    answersOf(requestId) {
      return st.answersOf.all(requestId).map(toAnswer)
    },
    requestsAnsweredBy(videoId) {
      return st.answeredBy.all(videoId).map(toRequest)
    },
    markSolved(requestId, videoId, userId) {
      return immediate(() => {
        const row = st.request.get(requestId)
        if (!row) return null
        if (videoId !== null && !st.answer.get(requestId, videoId)) {
          throw new Error(`video ${videoId} is not an answer to request ${requestId}`)
        }
        if (row.solved_video_id === videoId) return toRequest(row)
        st.setSolved.run(videoId, now(), requestId)
        if (videoId !== null) {
          notify(
            st.wanters.all(requestId, userId).map((w) => w.user_id),
            { kind: 'solved', actorId: userId, videoId, requestId, text: row.title }
          )
        }
        return getRequest(requestId)
      })
    },

    // Comments
    addComment(c) {
      return immediate(() => {
        const video = st.video.get(c.videoId)
        if (!video) throw new Error(`no video ${c.videoId}`)
        let root: CommentRow | null = null
        if (c.parentId !== null) {
          const parent = st.comment.get(c.parentId)
          if (!parent || parent.video_id !== c.videoId) {
            throw new Error(`no comment ${c.parentId} on video ${c.videoId} to reply to`)
          }
          root = parent.parent_id === null ? parent : (st.comment.get(parent.parent_id) ?? null)
          if (!root) throw new Error(`the thread of comment ${c.parentId} is gone`)
        }
        const id = newId()
        const atMs = root ? null : c.atMs === null ? null : Math.max(0, Math.round(c.atMs))
        const info = st.insertComment.run(
          id,
          c.videoId,
          root ? root.id : null,
          c.authorId,
          userName(c.authorId),
          atMs,
          c.body,
          !root && c.question ? 1 : 0,
          now()
        )
        st.insertCommentSearch.run(Number(info.lastInsertRowid), id, c.videoId, c.body)
        const n = {
          actorId: c.authorId,
          videoId: c.videoId,
          commentId: id,
          atMs: root ? root.at_ms : atMs,
          text: c.body
        }
        if (!root) notify([video.owner_id], { ...n, kind: 'comment' })
        else {
          const people = [
            video.owner_id,
            ...st.threadAuthors.all(root.id, root.id).map((r) => r.author_id)
          ]
          notify(people, { ...n, kind: 'reply' })
        }
        return getComment(id) as LearnComment
      })
    },
    getComment,
    commentsOf(videoId) {
      const threads: CommentThread[] = []
      const byId = new Map<string, CommentThread>()
      const replies: LearnComment[] = []
      for (const row of st.commentsOf.all(videoId)) {
        const comment = toComment(row)
        if (comment.parentId === null) {
          const thread = { comment, replies: [] }
          threads.push(thread)
          byId.set(comment.id, thread)
        } else replies.push(comment)
      }
      for (const reply of replies) byId.get(reply.parentId as string)?.replies.push(reply)
      // Rows came oldest first; sort is stable, so equal moments stay oldest first.
      return threads.sort((a, b) => {
        const x = a.comment.atMs
        const y = b.comment.atMs
        if (x === y) return 0
        if (x === null) return 1
        if (y === null) return -1
        return x - y
      })
    },
    countComments(videoId) {
      return st.countComments.get(videoId)?.n ?? 0
    },
    updateComment(id, patch) {
      return immediate(() => {
        const row = st.comment.get(id)
        if (!row || row.deleted === 1) return null
        const body = patch.body ?? row.body
        const atMs =
          row.parent_id !== null || patch.atMs === undefined
            ? row.at_ms
            : patch.atMs === null
              ? null
              : Math.max(0, Math.round(patch.atMs))
        const editedAt = body !== row.body ? now() : row.edited_at
        st.updateComment.run(body, atMs, editedAt, id)
        if (atMs !== row.at_ms) st.moveThreadNotifications.run(atMs, id, id)
        if (body !== row.body) {
          st.deleteCommentSearch.run(row.seq)
          st.insertCommentSearch.run(row.seq, id, row.video_id, body)
        }
        return getComment(id)
      })
    },
    setAnswered(id, answered, byUserId) {
      return immediate(() => {
        const row = st.comment.get(id)
        if (!row) return null
        if (row.question !== 1) throw new Error(`comment ${id} is not a question`)
        if ((row.answered === 1) === answered) return toComment(row)
        st.setAnswered.run(answered ? 1 : 0, id)
        // Its author hears of it once: toggling answered and back again does not notify again.
        if (answered && !st.answeredBefore.get(id)) {
          notify([row.author_id], {
            kind: 'answered',
            actorId: byUserId,
            videoId: row.video_id,
            commentId: id,
            atMs: row.at_ms,
            text: row.body
          })
        }
        return getComment(id)
      })
    },
    patchComment(id, patch, byUserId) {
      return immediate(() => {
        let c = getComment(id)
        if (c && (patch.body !== undefined || patch.atMs !== undefined)) {
          const text: { body?: string; atMs?: number | null } = {}
          if (patch.body !== undefined) text.body = patch.body
          if (patch.atMs !== undefined) text.atMs = patch.atMs
          c = learn.updateComment(id, text)
        }
        if (c && patch.answered !== undefined) c = learn.setAnswered(id, patch.answered, byUserId)
        return c
      })
    },
    deleteComment(id) {
      return immediate(() => {
        const row = st.comment.get(id)
        if (!row) return false
        if ((st.replyCount.get(id)?.n ?? 0) > 0) {
          st.deleteCommentSearch.run(row.seq)
          st.deleteNotificationsOfComment.run(id)
          st.softDelete.run(id)
          return true
        }
        removeComment(row)
        if (row.parent_id !== null) {
          const parent = st.comment.get(row.parent_id)
          if (parent && parent.deleted === 1 && (st.replyCount.get(parent.id)?.n ?? 0) === 0) {
            removeComment(parent)
          }
        }
        return true
      })
    },

    // Reactions and watching
    toggleReaction(videoId, userId, kind, atMs, on) {
      return immediate(() => {
        const video = st.video.get(videoId)
        if (!video) throw new Error(`no video ${videoId}`)
        let at = HELPED_AT
        if (kind !== 'helped') {
          if (atMs === null || !Number.isFinite(atMs)) {
            throw new Error('an emoji reaction needs a moment')
          }
          at = Math.max(0, Math.floor(atMs / 1000) * 1000)
        }
        const had = st.reaction.get(videoId, kind, at, userId) !== undefined
        const want = on ?? !had
        if (want && !had) {
          st.insertReaction.run(videoId, userId, kind, at, now())
          if (
            kind === 'helped' &&
            video.owner_id !== userId &&
            !st.helpedBefore.get(videoId, userId, video.owner_id)
          ) {
            notify([video.owner_id], {
              kind: 'helped',
              actorId: userId,
              videoId,
              text: video.title
            })
          }
        } else if (!want && had) st.deleteReaction.run(videoId, kind, at, userId)
        return reactionsOf(videoId, userId)
      })
    },
    reactionsOf,
    addWatched(videoId, userId, ranges, durationMs) {
      return immediate(() => {
        if (!st.video.get(videoId)) throw new Error(`no video ${videoId}`)
        const before = st.view.get(videoId, userId)
        const reported = Number.isFinite(durationMs) ? Math.max(0, Math.round(durationMs)) : 0
        // Never shorter than the stored length: one report of a short length cannot clip away
        // (or inflate the share of) what was watched before.
        const length = Math.max(before?.duration_ms ?? 0, reported)
        const merged = mergeRanges(before ? parseRangeList(before.ranges) : [], ranges, length)
        st.upsertView.run({
          videoId,
          userId,
          ranges: JSON.stringify(merged),
          durationMs: length,
          watchedMs: rangesLength(merged),
          at: now()
        })
        return toWatch(st.view.get(videoId, userId) as ViewRow)
      })
    },
    watchersOf(videoId) {
      return st.viewsOf.all(videoId).map(toWatch)
    },

    // Notifications
    notificationsOf(userId, opts = {}) {
      const limit = paging(opts.limit, 50, 500)
      const after = paging(opts.after, 0, Number.MAX_SAFE_INTEGER)
      const sql = `SELECT * FROM notifications WHERE user_id = ? AND id > ?${
        opts.unreadOnly ? ' AND read_at IS NULL' : ''
      } ORDER BY id DESC LIMIT ?`
      return prepared<NotificationRow>(sql).all(userId, after, limit).map(toNotification)
    },
    unreadCount(userId) {
      return st.unread.get(userId)?.n ?? 0
    },
    markRead(userId, ids) {
      return immediate(() => {
        const t = now()
        if (ids === undefined) return st.markAll.run(t, userId).changes
        let n = 0
        for (const id of new Set(ids)) n += st.markOne.run(t, id, userId).changes
        return n
      })
    },

    // Collections
    createCollection(c) {
      return immediate(() => {
        const id = newId()
        const t = now()
        st.insertCollection.run(id, c.title, c.description, c.ownerId, userName(c.ownerId), t, t)
        if (c.videoIds && c.videoIds.length > 0) replaceItems(id, c.videoIds, c.ownerId)
        return getCollection(id) as Collection
      })
    },
    setCollectionItems(id, videoIds, userId) {
      return immediate(() => {
        if (!getCollection(id)) return null
        return replaceItems(id, videoIds, userId)
      })
    },
    getCollection,
    listCollections(opts = {}) {
      const limit = paging(opts.limit, 50, 1000)
      const offset = paging(opts.offset, 0, Number.MAX_SAFE_INTEGER)
      const rows =
        opts.ownerId === undefined
          ? st.listCollections.all(limit, offset)
          : st.listCollectionsOf.all(opts.ownerId, limit, offset)
      return rows.map(toCollection)
    },
    countCollections(opts = {}) {
      const row =
        opts.ownerId === undefined
          ? st.countCollections.get()
          : st.countCollectionsOf.get(opts.ownerId)
      return row?.n ?? 0
    },
    updateCollection(id, patch) {
      return immediate(() => {
        const current = getCollection(id)
        if (!current) return null
        st.updateCollection.run(
          patch.title ?? current.title,
          patch.description ?? current.description,
          now(),
          id
        )
        return getCollection(id)
      })
    },
    deleteCollection(id) {
      return immediate(() => {
        st.deleteItemsOf.run(id)
        return st.deleteCollection.run(id).changes > 0
      })
    },
    collectionItems: itemsOf,
    addToCollection(id, videoId, userId) {
      immediate(() => {
        if (!getCollection(id)) throw new Error(`There is no collection ${id}.`)
        if (!st.video.get(videoId)) throw new Error(`There is no video ${videoId} to add.`)
        if (st.item.get(id, videoId)) return
        const n = st.itemCount.get(id)?.n ?? 0
        if (n >= LEARN_LIMITS.collectionItems) {
          throw new Error(
            `A collection holds at most ${LEARN_LIMITS.collectionItems} videos; this one is full.`
          )
        }
        const t = now()
        st.insertItem.run(id, videoId, n, userId, t)
        st.touchCollection.run(t, id)
      })
    },
    removeFromCollection(id, videoId) {
      return immediate(() => {
        const item = st.item.get(id, videoId)
        if (!item) return false
        st.deleteItem.run(id, videoId)
        st.closeUp.run(id, item.position)
        st.touchCollection.run(now(), id)
        return true
      })
    },
    moveInCollection(id, videoId, position) {
      return immediate(() => {
        if (!st.item.get(id, videoId)) return null
        const order = itemsOf(id).filter((v) => v !== videoId)
        const to = Number.isFinite(position)
          ? Math.min(Math.max(Math.trunc(position), 0), order.length)
          : order.length
        order.splice(to, 0, videoId)
        order.forEach((v, i) => st.setPosition.run(i, id, v))
        st.touchCollection.run(now(), id)
        return order
      })
    },
    collectionsWith(videoId) {
      return st.collectionsWith.all(videoId).map(toCollection)
    },

    // Team settings
    teamSettings: readSettings,
    setTeamSettings(patch) {
      return immediate(() => {
        if (patch.watchers === 'names' || patch.watchers === 'counts') {
          st.setSetting.run('watchers', patch.watchers)
        }
        return readSettings()
      })
    }
  }
  return learn
}
