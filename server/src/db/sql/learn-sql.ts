/**
 * Learning together (learn-types.ts, migration 7) on either engine, through one Kysely instance
 * (connection.ts). The same behaviour as the first, SQLite-only implementation, method for method.
 *
 * - Every read-then-write runs in one `sqlDb.tx` and uses only its `trx`: on PostgreSQL a body
 *   may run again (SERIALIZABLE retry), so nothing here has effects outside the database.
 * - Search rows (request_search, comment_search) are keyed by their request's or comment's `seq`
 *   (SQLite: the FTS5 rowid; PostgreSQL: a `seq` column beside a tsvector `body`) and kept in step
 *   with it by key.
 * - Notifications are written in the transaction of what caused them, one multi-row INSERT per
 *   NOTIFY_CHUNK recipients; their text is an excerpt of at most NOTIFICATION_TEXT_MAX characters.
 *   On PostgreSQL their ids become visible in increasing order (NOTIFY_LOCK), as polling needs.
 * - Lists SQLite orders by rowid are ordered by `seq` on PostgreSQL (an identity column there).
 */
import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely'
import type { NotificationKind, ReactionKind, RequestState } from '../../../../src/shared/learn'
import { LEARN_LIMITS } from '../../../../src/shared/learn'
import { mergeRanges, rangesLength } from '../../learn/watched-ranges'
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
} from '../learn-types'
import type { DatabaseDialect } from '../types'
import type { Executor, SqlDb } from './connection'
import { pagingNumber } from './paging'
import type {
  CollectionsTable,
  CommentsTable,
  LearnTables,
  NotificationsTable,
  RequestAnswersTable,
  RequestsTable
} from './learn-tables'
import { matches, tsvector } from './search'

export interface LearnSqlContext {
  /** ISO time now. */
  now(): string
  /** A new random URL-safe id (16 characters). */
  newId(): string
}

/**
 * What core-db.ts runs inside its own transactions: completeUpload links an answer; deleteVideo
 * and removeUser clean up.
 */
export interface LearnInTx {
  /** LearnDb.linkAnswer, on the caller's transaction. */
  linkAnswer(
    trx: Executor,
    requestId: string,
    videoId: string,
    userId: number
  ): Promise<{ request: LearnRequest; linked: boolean } | null>
  /**
   * A video is being deleted: its comments (and their search rows), reactions, views, answer
   * links (a request it solved is open again), collection places (the others close up) and the
   * notifications about it go.
   */
  videoDeleted(trx: Executor, videoId: string): Promise<void>
  /**
   * A user is being removed: their notifications, wants, reactions and views go; their
   * collections go to `transferTo`, or are deleted. Their requests and comments stay (the names
   * are stored with them).
   */
  userRemoved(
    trx: Executor,
    userId: number,
    transferTo?: { id: number; name: string }
  ): Promise<void>
}

/** The longest notification text, in characters (code points), "…" included. */
export const NOTIFICATION_TEXT_MAX = 200

/** Recipients per INSERT of notifications (10 parameters each). */
const NOTIFY_CHUNK = 500

/**
 * PostgreSQL: the transaction-scoped advisory lock taken before notifications are inserted, so
 * their ids are handed out in the order the transactions commit. Without it a poller that has
 * seen id 8 (`after`) could miss id 7, committed a moment later by a slower transaction.
 */
const NOTIFY_LOCK = 0x51dec4a7

/** `atMs` of a `helped` reaction (about the whole video; the column is NOT NULL). */
const HELPED_AT = 0

const DEFAULT_SETTINGS: TeamSettings = { watchers: 'names' }

/** The core tables' columns read here (core-db.ts owns them). */
interface CoreRefs {
  users: { id: number; name: string }
  videos: { id: string; title: string; owner_id: number }
}
type Q = Kysely<LearnTables & CoreRefs>
/** The executor, typed with the core columns this file reads. */
const q = (e: Executor): Q => e as unknown as Q

type RequestRow = Selectable<RequestsTable> & { wanted: number; answer_count: number }
type CommentRow = Selectable<CommentsTable>
type CollectionRow = Selectable<CollectionsTable> & { item_count: number }
type NotificationRow = Selectable<NotificationsTable>
interface ViewRow {
  user_id: number
  user_name: string | null
  ranges: string
  duration_ms: number
  watched_ms: number
  first_at: string
  last_at: string
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
    wanted: Number(row.wanted),
    answerCount: Number(row.answer_count),
    createdAt: row.created_at,
    updatedAt: row.updated_at
  }
}

function toAnswer(row: Selectable<RequestAnswersTable>): RequestAnswer {
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
    itemCount: Number(row.item_count),
    createdAt: row.created_at,
    updatedAt: row.updated_at
  }
}

function requestSearchBody(r: { title: string; details: string; tags: readonly string[] }): string {
  return [r.title, r.details, r.tags.join(' ')].join('\n')
}

/** Rows a write changed, from Kysely's bigint counts. */
const changed = (n: bigint | undefined): number => Number(n ?? 0n)

/**
 * The column a table's rows are ordered by in insertion order where SQLite uses its rowid:
 * `rowid` there, the `seq` identity on PostgreSQL (migrations-postgres-learn.ts).
 */
function rowKey(dialect: DatabaseDialect, alias: string): RawBuilder<number> {
  return sql<number>`${sql.ref(`${alias}.${dialect === 'sqlite' ? 'rowid' : 'seq'}`)}`
}

/** The key column of a search table: the FTS5 rowid on SQLite, `seq` on PostgreSQL. */
function searchKey(dialect: DatabaseDialect): RawBuilder<number> {
  return sql<number>`${sql.raw(dialect === 'sqlite' ? 'rowid' : 'seq')}`
}

export function createLearnSql(
  sqlDb: SqlDb,
  ctx: LearnSqlContext
): { learn: LearnDb; inTx: LearnInTx } {
  const { dialect } = sqlDb
  const { now, newId } = ctx
  const tx = <T>(body: (trx: Q) => Promise<T>): Promise<T> => sqlDb.tx((trx) => body(q(trx)))
  const read = q(sqlDb.db)

  // ---------------------------------------------------------------------------------------------
  // Shared pieces (each takes the executor it runs on)

  const userName = async (e: Q, id: number): Promise<string> =>
    (await e.selectFrom('users').select('name').where('id', '=', id).executeTakeFirst())?.name ??
    'unknown'

  const videoFacts = (e: Q, id: string) =>
    e
      .selectFrom('videos')
      .select(['id', 'title', 'owner_id'])
      .where('id', '=', id)
      .executeTakeFirst()

  const requestSelect = (e: Q) =>
    e
      .selectFrom('requests as r')
      .selectAll('r')
      .select((eb) => [
        eb
          .selectFrom('request_wants as w')
          .select((x) => x.fn.countAll<number>().as('n'))
          .whereRef('w.request_id', '=', 'r.id')
          .as('wanted'),
        eb
          .selectFrom('request_answers as a')
          .select((x) => x.fn.countAll<number>().as('n'))
          .whereRef('a.request_id', '=', 'r.id')
          .as('answer_count')
      ])

  const requestRow = async (e: Q, id: string): Promise<RequestRow | undefined> =>
    (await requestSelect(e).where('r.id', '=', id).executeTakeFirst()) as RequestRow | undefined

  const getRequestOn = async (e: Q, id: string): Promise<LearnRequest | null> => {
    const row = await requestRow(e, id)
    return row ? toRequest(row) : null
  }

  const insertSearch = async (
    e: Q,
    table: 'request_search' | 'comment_search',
    seq: number,
    keys: { request_id: string } | { comment_id: string; video_id: string },
    text: string
  ): Promise<void> => {
    const body = dialect === 'sqlite' ? sql`${text}` : tsvector(text)
    const cols = Object.keys(keys)
    const values = Object.values(keys)
    await sql`INSERT INTO ${sql.table(table)} (${searchKey(dialect)}, ${sql.join(
      cols.map((c) => sql.ref(c))
    )}, body) VALUES (${seq}, ${sql.join(values)}, ${body})`.execute(e)
  }

  const deleteSearch = async (
    e: Q,
    table: 'request_search' | 'comment_search',
    seq: number
  ): Promise<void> => {
    await sql`DELETE FROM ${sql.table(table)} WHERE ${searchKey(dialect)} = ${seq}`.execute(e)
  }

  const writeRequestSearch = async (
    e: Q,
    seq: number,
    id: string,
    r: Parameters<typeof requestSearchBody>[0]
  ): Promise<void> => {
    await deleteSearch(e, 'request_search', seq)
    await insertSearch(e, 'request_search', seq, { request_id: id }, requestSearchBody(r))
  }

  const insertTags = async (e: Q, id: string, tags: readonly string[]): Promise<void> => {
    if (tags.length === 0) return
    await e
      .insertInto('request_tags')
      .values(tags.map((tag) => ({ request_id: id, tag })))
      .onConflict((oc) => oc.doNothing())
      .execute()
  }

  /** Everyone who wants a request except `except`, among users that still exist, in order. */
  const wanters = async (e: Q, requestId: string, except: number): Promise<number[]> => {
    const rows = await e
      .selectFrom('request_wants as w')
      .innerJoin('users as u', 'u.id', 'w.user_id')
      .select('w.user_id')
      .where('w.request_id', '=', requestId)
      .where('w.user_id', '!=', except)
      .orderBy('w.created_at')
      .orderBy(rowKey(dialect, 'w'))
      .execute()
    return rows.map((r) => r.user_id)
  }

  /**
   * One notification per recipient (deduplicated, never the actor), written with one INSERT per
   * NOTIFY_CHUNK recipients.
   */
  const notify = async (
    e: Q,
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
  ): Promise<void> => {
    const done = new Set<number>([n.actorId])
    const to: number[] = []
    for (const userId of recipients) {
      if (done.has(userId)) continue
      done.add(userId)
      to.push(userId)
    }
    if (to.length === 0) return
    const actorName = await userName(e, n.actorId)
    const text = excerpt(n.text)
    const at = now()
    if (dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(${NOTIFY_LOCK})`.execute(e)
    for (let i = 0; i < to.length; i += NOTIFY_CHUNK) {
      await e
        .insertInto('notifications')
        .values(
          to.slice(i, i + NOTIFY_CHUNK).map((userId) => ({
            user_id: userId,
            kind: n.kind,
            actor_id: n.actorId,
            actor_name: actorName,
            video_id: n.videoId ?? null,
            request_id: n.requestId ?? null,
            comment_id: n.commentId ?? null,
            at_ms: n.atMs ?? null,
            text,
            created_at: at
          }))
        )
        .execute()
    }
  }

  // Comments

  const commentRow = (e: Q, id: string): Promise<CommentRow | undefined> =>
    e.selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirst()

  const getCommentOn = async (e: Q, id: string): Promise<LearnComment | null> => {
    const row = await commentRow(e, id)
    return row ? toComment(row) : null
  }

  const replyCount = async (e: Q, id: string): Promise<number> =>
    Number(
      (
        await e
          .selectFrom('comments')
          .select((x) => x.fn.countAll<number>().as('n'))
          .where('parent_id', '=', id)
          .executeTakeFirst()
      )?.n ?? 0
    )

  /** Removes a comment row with its search row and notifications. */
  const removeComment = async (e: Q, row: CommentRow): Promise<void> => {
    await deleteSearch(e, 'comment_search', row.seq)
    await e.deleteFrom('notifications').where('comment_id', '=', row.id).execute()
    await e.deleteFrom('comments').where('id', '=', row.id).execute()
  }

  const updateCommentOn = async (
    e: Q,
    id: string,
    patch: { body?: string; atMs?: number | null }
  ): Promise<LearnComment | null> => {
    const row = await commentRow(e, id)
    if (!row || row.deleted === 1) return null
    const body = patch.body ?? row.body
    const atMs =
      row.parent_id !== null || patch.atMs === undefined
        ? row.at_ms
        : patch.atMs === null
          ? null
          : Math.max(0, Math.round(patch.atMs))
    const editedAt = body !== row.body ? now() : row.edited_at
    await e
      .updateTable('comments')
      .set({ body, at_ms: atMs, edited_at: editedAt })
      .where('id', '=', id)
      .execute()
    if (atMs !== row.at_ms) {
      // A thread's moment moved: its notifications link to the new one.
      await e
        .updateTable('notifications')
        .set({ at_ms: atMs })
        .where('comment_id', 'in', (eb) =>
          eb
            .selectFrom('comments as t')
            .select('t.id')
            .where((w) => w.or([w('t.id', '=', id), w('t.parent_id', '=', id)]))
        )
        .execute()
    }
    if (body !== row.body) {
      await deleteSearch(e, 'comment_search', row.seq)
      await insertSearch(
        e,
        'comment_search',
        row.seq,
        { comment_id: id, video_id: row.video_id },
        body
      )
    }
    return getCommentOn(e, id)
  }

  const setAnsweredOn = async (
    e: Q,
    id: string,
    answered: boolean,
    byUserId: number
  ): Promise<LearnComment | null> => {
    const row = await commentRow(e, id)
    if (!row) return null
    if (row.question !== 1) throw new Error(`comment ${id} is not a question`)
    if ((row.answered === 1) === answered) return toComment(row)
    await e
      .updateTable('comments')
      .set({ answered: answered ? 1 : 0 })
      .where('id', '=', id)
      .execute()
    // Its author hears of it once: toggling answered and back again does not notify again.
    if (answered) {
      const before = await e
        .selectFrom('notifications')
        .select('id')
        .where('comment_id', '=', id)
        .where('kind', '=', 'answered')
        .limit(1)
        .executeTakeFirst()
      if (!before) {
        await notify(e, [row.author_id], {
          kind: 'answered',
          actorId: byUserId,
          videoId: row.video_id,
          commentId: id,
          atMs: row.at_ms,
          text: row.body
        })
      }
    }
    return getCommentOn(e, id)
  }

  // Reactions

  const reactionsOn = async (e: Q, videoId: string, userId: number): Promise<ReactionCounts> => {
    const counts: ReactionCounts = { helped: 0, helpedByMe: false, moments: [] }
    const groups = await e
      .selectFrom('reactions')
      .select((x) => [
        'kind',
        'at_ms',
        x.fn.countAll<number>().as('n'),
        x.fn.max(x.case().when('user_id', '=', userId).then(1).else(0).end()).as('mine')
      ])
      .where('video_id', '=', videoId)
      .groupBy(['kind', 'at_ms'])
      .orderBy('at_ms')
      .orderBy('kind')
      .execute()
    for (const g of groups) {
      const mine = Number(g.mine) === 1
      if (g.kind === 'helped') {
        counts.helped = Number(g.n)
        counts.helpedByMe = mine
      } else {
        counts.moments.push({
          kind: g.kind as ReactionKind,
          atMs: Number(g.at_ms),
          count: Number(g.n),
          mine
        })
      }
    }
    return counts
  }

  // Watching

  const viewSelect = (e: Q) =>
    e
      .selectFrom('video_views as v')
      .leftJoin('users as u', 'u.id', 'v.user_id')
      .select([
        'v.user_id',
        'u.name as user_name',
        'v.ranges',
        'v.duration_ms',
        'v.watched_ms',
        'v.first_at',
        'v.last_at'
      ])

  // Collections

  const collectionSelect = (e: Q) =>
    e
      .selectFrom('collections as c')
      .selectAll('c')
      .select((eb) =>
        eb
          .selectFrom('collection_items as i')
          .select((x) => x.fn.countAll<number>().as('n'))
          .whereRef('i.collection_id', '=', 'c.id')
          .as('item_count')
      )

  const getCollectionOn = async (e: Q, id: string): Promise<Collection | null> => {
    const row = (await collectionSelect(e).where('c.id', '=', id).executeTakeFirst()) as
      CollectionRow | undefined
    return row ? toCollection(row) : null
  }

  const itemsOn = async (e: Q, id: string): Promise<string[]> =>
    (
      await e
        .selectFrom('collection_items as i')
        .select('i.video_id')
        .where('i.collection_id', '=', id)
        .orderBy('i.position')
        .orderBy(rowKey(dialect, 'i'))
        .execute()
    ).map((r) => r.video_id)

  const touchCollection = async (e: Q, id: string, t: string): Promise<void> => {
    await e.updateTable('collections').set({ updated_at: t }).where('id', '=', id).execute()
  }

  /** Sets the position of each listed item, in one UPDATE. */
  const setPositions = async (
    e: Q,
    id: string,
    places: readonly (readonly [videoId: string, position: number])[]
  ): Promise<void> => {
    if (places.length === 0) return
    const cases = sql.join(
      places.map(([v, i]) => sql`WHEN ${v} THEN ${i}`),
      sql` `
    )
    await sql`UPDATE collection_items SET position = CASE video_id ${cases} ELSE position END
      WHERE collection_id = ${id} AND video_id IN (${sql.join(places.map(([v]) => v))})`.execute(e)
  }

  /**
   * Makes collection `id`'s items exactly `videoIds`, position = index, in the caller's
   * transaction: items already in it keep `added_by`/`added_at`, new ones are `userId`'s now.
   * Throws naming unknown videos (up to ten), a video listed twice, or too many.
   */
  const replaceItems = async (
    e: Q,
    id: string,
    videoIds: readonly string[],
    userId: number
  ): Promise<string[]> => {
    const max = LEARN_LIMITS.collectionItems
    if (videoIds.length > max) throw new Error(`A collection holds at most ${max} videos.`)
    if (new Set(videoIds).size !== videoIds.length) {
      throw new Error('The list of videos names one twice.')
    }
    const known = new Set<string>()
    if (videoIds.length > 0) {
      const rows = await e
        .selectFrom('videos')
        .select('id')
        .where('id', 'in', [...videoIds])
        .execute()
      for (const r of rows) known.add(r.id)
    }
    const unknown = videoIds.filter((v) => !known.has(v))
    if (unknown.length > 0) {
      throw new Error(
        `There is no video ${unknown
          .slice(0, 10)
          .map((v) => JSON.stringify(v.slice(0, 64)))
          .join(', ')}${unknown.length > 10 ? ` and ${unknown.length - 10} more` : ''}.`
      )
    }
    const present = new Set(await itemsOn(e, id))
    const keep = new Set(videoIds)
    const gone = [...present].filter((v) => !keep.has(v))
    if (gone.length > 0) {
      await e
        .deleteFrom('collection_items')
        .where('collection_id', '=', id)
        .where('video_id', 'in', gone)
        .execute()
    }
    const t = now()
    await setPositions(
      e,
      id,
      videoIds.flatMap((v, i) => (present.has(v) ? [[v, i] as const] : []))
    )
    const added = videoIds.flatMap((videoId, i) =>
      present.has(videoId)
        ? []
        : [{ collection_id: id, video_id: videoId, position: i, added_by: userId, added_at: t }]
    )
    if (added.length > 0) await e.insertInto('collection_items').values(added).execute()
    await touchCollection(e, id, t)
    return [...videoIds]
  }

  const readSettings = async (e: Q): Promise<TeamSettings> => {
    const settings: TeamSettings = { ...DEFAULT_SETTINGS }
    for (const row of await e.selectFrom('team_settings').select(['key', 'value']).execute()) {
      if (row.key === 'watchers' && (row.value === 'names' || row.value === 'counts')) {
        settings.watchers = row.value
      }
    }
    return settings
  }

  // ---------------------------------------------------------------------------------------------
  // In the caller's transaction

  const inTx: LearnInTx = {
    async linkAnswer(trx, requestId, videoId, userId) {
      const e = q(trx)
      const row = await requestRow(e, requestId)
      const video = await videoFacts(e, videoId)
      if (!row || !video) return null
      const inserted = await e
        .insertInto('request_answers')
        .values({ request_id: requestId, video_id: videoId, user_id: userId, created_at: now() })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst()
      const linked = changed(inserted.numInsertedOrUpdatedRows) > 0
      if (linked) {
        await notify(e, await wanters(e, requestId, userId), {
          kind: 'answer',
          actorId: userId,
          videoId,
          requestId,
          text: video.title
        })
      }
      return { request: (await getRequestOn(e, requestId)) as LearnRequest, linked }
    },
    async videoDeleted(trx, videoId) {
      const e = q(trx)
      await sql`DELETE FROM comment_search WHERE ${searchKey(dialect)} IN
        (SELECT seq FROM comments WHERE video_id = ${videoId})`.execute(e)
      await e.deleteFrom('comments').where('video_id', '=', videoId).execute()
      await e.deleteFrom('reactions').where('video_id', '=', videoId).execute()
      await e.deleteFrom('video_views').where('video_id', '=', videoId).execute()
      await e
        .updateTable('requests')
        .set({ solved_video_id: null, updated_at: now() })
        .where('solved_video_id', '=', videoId)
        .execute()
      await e.deleteFrom('request_answers').where('video_id', '=', videoId).execute()
      const places = await e
        .selectFrom('collection_items')
        .select(['collection_id', 'position'])
        .where('video_id', '=', videoId)
        .execute()
      for (const place of places) {
        await e
          .deleteFrom('collection_items')
          .where('collection_id', '=', place.collection_id)
          .where('video_id', '=', videoId)
          .execute()
        await e
          .updateTable('collection_items')
          .set((eb) => ({ position: eb('position', '-', 1) }))
          .where('collection_id', '=', place.collection_id)
          .where('position', '>', place.position)
          .execute()
      }
      await e.deleteFrom('notifications').where('video_id', '=', videoId).execute()
    },
    async userRemoved(trx, userId, transferTo) {
      const e = q(trx)
      await e.deleteFrom('notifications').where('user_id', '=', userId).execute()
      await e.deleteFrom('request_wants').where('user_id', '=', userId).execute()
      await e.deleteFrom('reactions').where('user_id', '=', userId).execute()
      await e.deleteFrom('video_views').where('user_id', '=', userId).execute()
      if (transferTo) {
        await e
          .updateTable('collections')
          .set({ owner_id: transferTo.id, owner_name: transferTo.name })
          .where('owner_id', '=', userId)
          .execute()
      } else {
        await e
          .deleteFrom('collection_items')
          .where('collection_id', 'in', (eb) =>
            eb.selectFrom('collections').select('id').where('owner_id', '=', userId)
          )
          .execute()
        await e.deleteFrom('collections').where('owner_id', '=', userId).execute()
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // LearnDb

  /** What listRequests/countRequests filter by; null when the words cannot match anything. */
  const requestFilter = (opts: { state?: RequestState; tag?: string; q?: string }) => {
    let search: RawBuilder<unknown> | undefined
    if (opts.q !== undefined && opts.q.trim() !== '') {
      const match = matches(dialect, 'request_search', opts.q)
      if (match === null) return null // only punctuation: nothing matches
      search = sql`SELECT ${searchKey(dialect)} FROM request_search WHERE ${match}`
    }
    const tag = opts.tag?.toLowerCase()
    return { search, tag, state: opts.state }
  }

  const learn: LearnDb = {
    // Requests
    createRequest: (r) =>
      tx(async (e) => {
        const id = newId()
        const t = now()
        const inserted = await e
          .insertInto('requests')
          .values({
            id,
            title: r.title,
            details: r.details,
            tags: JSON.stringify(r.tags),
            asker_id: r.askerId,
            asker_name: await userName(e, r.askerId),
            created_at: t,
            updated_at: t
          })
          .returning('seq')
          .executeTakeFirstOrThrow()
        await insertTags(e, id, r.tags)
        await e
          .insertInto('request_wants')
          .values({ request_id: id, user_id: r.askerId, created_at: t })
          .onConflict((oc) => oc.doNothing())
          .execute()
        await insertSearch(
          e,
          'request_search',
          Number(inserted.seq),
          { request_id: id },
          requestSearchBody(r)
        )
        return (await getRequestOn(e, id)) as LearnRequest
      }),
    getRequest: (id) => getRequestOn(read, id),
    async listRequests(opts = {}) {
      const f = requestFilter(opts)
      if (!f) return []
      const limit = pagingNumber(opts.limit, 50, 1000)
      const offset = pagingNumber(opts.offset, 0, Number.MAX_SAFE_INTEGER)
      let query = requestSelect(read)
      if (f.state === 'open') query = query.where('r.solved_video_id', 'is', null)
      else if (f.state === 'solved') query = query.where('r.solved_video_id', 'is not', null)
      if (f.tag !== undefined) {
        const tag = f.tag
        query = query.where('r.id', 'in', (eb) =>
          eb.selectFrom('request_tags').select('request_id').where('tag', '=', tag)
        )
      }
      if (f.search) query = query.where(sql<boolean>`r.seq IN (${f.search})`)
      const rows = await query
        .orderBy('r.created_at', 'desc')
        .orderBy('r.seq', 'desc')
        .limit(limit)
        .offset(offset)
        .execute()
      return (rows as RequestRow[]).map(toRequest)
    },
    async countRequests(opts = {}) {
      const f = requestFilter(opts)
      if (!f) return 0
      let query = read.selectFrom('requests as r').select((x) => x.fn.countAll<number>().as('n'))
      if (f.state === 'open') query = query.where('r.solved_video_id', 'is', null)
      else if (f.state === 'solved') query = query.where('r.solved_video_id', 'is not', null)
      if (f.tag !== undefined) {
        const tag = f.tag
        query = query.where('r.id', 'in', (eb) =>
          eb.selectFrom('request_tags').select('request_id').where('tag', '=', tag)
        )
      }
      if (f.search) query = query.where(sql<boolean>`r.seq IN (${f.search})`)
      return Number((await query.executeTakeFirst())?.n ?? 0)
    },
    updateRequest: (id, patch) =>
      tx(async (e) => {
        const row = await requestRow(e, id)
        if (!row) return null
        const title = patch.title ?? row.title
        const details = patch.details ?? row.details
        const tags = patch.tags ?? parseTagList(row.tags)
        await e
          .updateTable('requests')
          .set({ title, details, tags: JSON.stringify(tags), updated_at: now() })
          .where('id', '=', id)
          .execute()
        if (patch.tags) {
          await e.deleteFrom('request_tags').where('request_id', '=', id).execute()
          await insertTags(e, id, tags)
        }
        await writeRequestSearch(e, row.seq, id, { title, details, tags })
        return getRequestOn(e, id)
      }),
    deleteRequest: (id) =>
      tx(async (e) => {
        const row = await e
          .selectFrom('requests')
          .select('seq')
          .where('id', '=', id)
          .executeTakeFirst()
        if (!row) return false
        await deleteSearch(e, 'request_search', row.seq)
        await e.deleteFrom('request_tags').where('request_id', '=', id).execute()
        await e.deleteFrom('request_wants').where('request_id', '=', id).execute()
        await e.deleteFrom('request_answers').where('request_id', '=', id).execute()
        await e.deleteFrom('notifications').where('request_id', '=', id).execute()
        await e.deleteFrom('requests').where('id', '=', id).execute()
        return true
      }),
    async setWanted(requestId, userId, wanted) {
      const found = await tx(async (e) => {
        const row = await e
          .selectFrom('requests')
          .select('asker_id')
          .where('id', '=', requestId)
          .executeTakeFirst()
        if (!row) return false
        if (wanted) {
          await e
            .insertInto('request_wants')
            .values({ request_id: requestId, user_id: userId, created_at: now() })
            .onConflict((oc) => oc.doNothing())
            .execute()
        } else if (userId !== row.asker_id) {
          await e
            .deleteFrom('request_wants')
            .where('request_id', '=', requestId)
            .where('user_id', '=', userId)
            .execute()
        }
        return true
      })
      // Read after the commit: counting the wants inside the transaction would make PostgreSQL
      // fail concurrent "Me too"s on one request as not serializable.
      return found ? getRequestOn(read, requestId) : null
    },
    async wants(requestId, userId) {
      const row = await read
        .selectFrom('request_wants')
        .select('user_id')
        .where('request_id', '=', requestId)
        .where('user_id', '=', userId)
        .executeTakeFirst()
      return row !== undefined
    },
    linkAnswer: (requestId, videoId, userId) =>
      sqlDb.tx((trx) => inTx.linkAnswer(trx, requestId, videoId, userId)),
    unlinkAnswer: (requestId, videoId) =>
      tx(async (e) => {
        const deleted = await e
          .deleteFrom('request_answers')
          .where('request_id', '=', requestId)
          .where('video_id', '=', videoId)
          .executeTakeFirst()
        const removed = changed(deleted.numDeletedRows) > 0
        if (removed) {
          await e
            .updateTable('requests')
            .set({ solved_video_id: null, updated_at: now() })
            .where('id', '=', requestId)
            .where('solved_video_id', '=', videoId)
            .execute()
        }
        return removed
      }),
    async answersOf(requestId) {
      const rows = await read
        .selectFrom('request_answers as a')
        .selectAll('a')
        .where('a.request_id', '=', requestId)
        .orderBy('a.created_at')
        .orderBy(rowKey(dialect, 'a'))
        .execute()
      return rows.map(toAnswer)
    },
    async requestsAnsweredBy(videoId) {
      const rows = await requestSelect(read)
        .where('r.id', 'in', (eb) =>
          eb.selectFrom('request_answers').select('request_id').where('video_id', '=', videoId)
        )
        .orderBy('r.created_at', 'desc')
        .orderBy('r.seq', 'desc')
        .execute()
      return (rows as RequestRow[]).map(toRequest)
    },
    markSolved: (requestId, videoId, userId) =>
      tx(async (e) => {
        const row = await requestRow(e, requestId)
        if (!row) return null
        if (videoId !== null) {
          const answer = await e
            .selectFrom('request_answers')
            .select('video_id')
            .where('request_id', '=', requestId)
            .where('video_id', '=', videoId)
            .executeTakeFirst()
          if (!answer) {
            throw new Error(`video ${videoId} is not an answer to request ${requestId}`)
          }
        }
        if (row.solved_video_id === videoId) return toRequest(row)
        await e
          .updateTable('requests')
          .set({ solved_video_id: videoId, updated_at: now() })
          .where('id', '=', requestId)
          .execute()
        if (videoId !== null) {
          await notify(e, await wanters(e, requestId, userId), {
            kind: 'solved',
            actorId: userId,
            videoId,
            requestId,
            text: row.title
          })
        }
        return getRequestOn(e, requestId)
      }),

    // Comments
    addComment: (c) =>
      tx(async (e) => {
        const video = await videoFacts(e, c.videoId)
        if (!video) throw new Error(`no video ${c.videoId}`)
        let root: CommentRow | null = null
        if (c.parentId !== null) {
          const parent = await commentRow(e, c.parentId)
          if (!parent || parent.video_id !== c.videoId) {
            throw new Error(`no comment ${c.parentId} on video ${c.videoId} to reply to`)
          }
          root =
            parent.parent_id === null ? parent : ((await commentRow(e, parent.parent_id)) ?? null)
          if (!root) throw new Error(`the thread of comment ${c.parentId} is gone`)
        }
        const id = newId()
        const atMs = root ? null : c.atMs === null ? null : Math.max(0, Math.round(c.atMs))
        const inserted = await e
          .insertInto('comments')
          .values({
            id,
            video_id: c.videoId,
            parent_id: root ? root.id : null,
            author_id: c.authorId,
            author_name: await userName(e, c.authorId),
            at_ms: atMs,
            body: c.body,
            question: !root && c.question ? 1 : 0,
            created_at: now()
          })
          .returning('seq')
          .executeTakeFirstOrThrow()
        await insertSearch(
          e,
          'comment_search',
          Number(inserted.seq),
          { comment_id: id, video_id: c.videoId },
          c.body
        )
        const n = {
          actorId: c.authorId,
          videoId: c.videoId,
          commentId: id,
          atMs: root ? root.at_ms : atMs,
          text: c.body
        }
        if (!root) await notify(e, [video.owner_id], { ...n, kind: 'comment' })
        else {
          const rootId = root.id
          const authors = await e
            .selectFrom('comments as c')
            .innerJoin('users as u', 'u.id', 'c.author_id')
            .select('c.author_id')
            .distinct()
            .where((w) => w.or([w('c.id', '=', rootId), w('c.parent_id', '=', rootId)]))
            .where('c.deleted', '=', 0)
            .execute()
          await notify(e, [video.owner_id, ...authors.map((r) => r.author_id)], {
            ...n,
            kind: 'reply'
          })
        }
        return (await getCommentOn(e, id)) as LearnComment
      }),
    getComment: (id) => getCommentOn(read, id),
    async commentsOf(videoId) {
      const rows = await read
        .selectFrom('comments')
        .selectAll()
        .where('video_id', '=', videoId)
        .orderBy('created_at')
        .orderBy('seq')
        .execute()
      const threads: CommentThread[] = []
      const byId = new Map<string, CommentThread>()
      const replies: LearnComment[] = []
      for (const row of rows) {
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
    async countComments(videoId) {
      const row = await read
        .selectFrom('comments')
        .select((x) => x.fn.countAll<number>().as('n'))
        .where('video_id', '=', videoId)
        .where('deleted', '=', 0)
        .executeTakeFirst()
      return Number(row?.n ?? 0)
    },
    updateComment: (id, patch) => tx((e) => updateCommentOn(e, id, patch)),
    setAnswered: (id, answered, byUserId) => tx((e) => setAnsweredOn(e, id, answered, byUserId)),
    patchComment: (id, patch, byUserId) =>
      tx(async (e) => {
        let c = await getCommentOn(e, id)
        if (c && (patch.body !== undefined || patch.atMs !== undefined)) {
          const text: { body?: string; atMs?: number | null } = {}
          if (patch.body !== undefined) text.body = patch.body
          if (patch.atMs !== undefined) text.atMs = patch.atMs
          c = await updateCommentOn(e, id, text)
        }
        if (c && patch.answered !== undefined) {
          c = await setAnsweredOn(e, id, patch.answered, byUserId)
        }
        return c
      }),
    deleteComment: (id) =>
      tx(async (e) => {
        const row = await commentRow(e, id)
        if (!row) return false
        if ((await replyCount(e, id)) > 0) {
          await deleteSearch(e, 'comment_search', row.seq)
          await e.deleteFrom('notifications').where('comment_id', '=', id).execute()
          await e
            .updateTable('comments')
            .set({ body: '', deleted: 1 })
            .where('id', '=', id)
            .execute()
          return true
        }
        await removeComment(e, row)
        if (row.parent_id !== null) {
          const parent = await commentRow(e, row.parent_id)
          if (parent && parent.deleted === 1 && (await replyCount(e, parent.id)) === 0) {
            await removeComment(e, parent)
          }
        }
        return true
      }),

    // Reactions and watching
    async toggleReaction(videoId, userId, kind, atMs, on) {
      await tx(async (e) => {
        const video = await videoFacts(e, videoId)
        if (!video) throw new Error(`no video ${videoId}`)
        let at = HELPED_AT
        if (kind !== 'helped') {
          if (atMs === null || !Number.isFinite(atMs)) {
            throw new Error('an emoji reaction needs a moment')
          }
          at = Math.max(0, Math.floor(atMs / 1000) * 1000)
        }
        const mine = e
          .selectFrom('reactions')
          .select('user_id')
          .where('video_id', '=', videoId)
          .where('kind', '=', kind)
          .where('at_ms', '=', at)
          .where('user_id', '=', userId)
        const had = (await mine.executeTakeFirst()) !== undefined
        const want = on ?? !had
        if (want && !had) {
          await e
            .insertInto('reactions')
            .values({ video_id: videoId, user_id: userId, kind, at_ms: at, created_at: now() })
            .onConflict((oc) => oc.doNothing())
            .execute()
          if (kind === 'helped' && video.owner_id !== userId) {
            const before = await e
              .selectFrom('notifications')
              .select('id')
              .where('video_id', '=', videoId)
              .where('kind', '=', 'helped')
              .where('actor_id', '=', userId)
              .where('user_id', '=', video.owner_id)
              .limit(1)
              .executeTakeFirst()
            if (!before) {
              await notify(e, [video.owner_id], {
                kind: 'helped',
                actorId: userId,
                videoId,
                text: video.title
              })
            }
          }
        } else if (!want && had) {
          await e
            .deleteFrom('reactions')
            .where('video_id', '=', videoId)
            .where('kind', '=', kind)
            .where('at_ms', '=', at)
            .where('user_id', '=', userId)
            .execute()
        }
      })
      // Counted after the commit: a read of every reaction inside the transaction would make
      // PostgreSQL fail concurrent toggles on the same video as not serializable.
      return reactionsOn(read, videoId, userId)
    },
    reactionsOf: (videoId, userId) => reactionsOn(read, videoId, userId),
    addWatched: (videoId, userId, ranges, durationMs) =>
      tx(async (e) => {
        if (!(await videoFacts(e, videoId))) throw new Error(`no video ${videoId}`)
        const before = await e
          .selectFrom('video_views')
          .select(['ranges', 'duration_ms'])
          .where('video_id', '=', videoId)
          .where('user_id', '=', userId)
          .executeTakeFirst()
        const reported = Number.isFinite(durationMs) ? Math.max(0, Math.round(durationMs)) : 0
        // Never shorter than the stored length: one report of a short length cannot clip away
        // (or inflate the share of) what was watched before.
        const length = Math.max(before ? Number(before.duration_ms) : 0, reported)
        const merged = mergeRanges(before ? parseRangeList(before.ranges) : [], ranges, length)
        const at = now()
        const values = {
          ranges: JSON.stringify(merged),
          duration_ms: length,
          watched_ms: rangesLength(merged),
          last_at: at
        }
        await e
          .insertInto('video_views')
          .values({ video_id: videoId, user_id: userId, first_at: at, ...values })
          .onConflict((oc) => oc.columns(['video_id', 'user_id']).doUpdateSet(values))
          .execute()
        const row = await viewSelect(e)
          .where('v.video_id', '=', videoId)
          .where('v.user_id', '=', userId)
          .executeTakeFirstOrThrow()
        return toWatch(row)
      }),
    async watchersOf(videoId) {
      const rows = await viewSelect(read)
        .where('v.video_id', '=', videoId)
        .orderBy('v.last_at', 'desc')
        .orderBy(rowKey(dialect, 'v'), 'desc')
        .execute()
      return rows.map(toWatch)
    },

    // Notifications
    async notificationsOf(userId, opts = {}) {
      const limit = pagingNumber(opts.limit, 50, 500)
      const after = pagingNumber(opts.after, 0, Number.MAX_SAFE_INTEGER)
      let query = read
        .selectFrom('notifications')
        .selectAll()
        .where('user_id', '=', userId)
        .where('id', '>', after)
      if (opts.unreadOnly) query = query.where('read_at', 'is', null)
      const rows = await query.orderBy('id', 'desc').limit(limit).execute()
      return rows.map(toNotification)
    },
    async unreadCount(userId) {
      const row = await read
        .selectFrom('notifications')
        .select((x) => x.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .where('read_at', 'is', null)
        .executeTakeFirst()
      return Number(row?.n ?? 0)
    },
    markRead: (userId, ids) =>
      tx(async (e) => {
        const t = now()
        let query = e
          .updateTable('notifications')
          .set({ read_at: t })
          .where('user_id', '=', userId)
          .where('read_at', 'is', null)
        if (ids !== undefined) {
          const wanted = [...new Set(ids)].filter((id) => Number.isSafeInteger(id))
          if (wanted.length === 0) return 0
          query = query.where('id', 'in', wanted)
        }
        return changed((await query.executeTakeFirst()).numUpdatedRows)
      }),

    // Collections
    createCollection: (c) =>
      tx(async (e) => {
        const id = newId()
        const t = now()
        await e
          .insertInto('collections')
          .values({
            id,
            title: c.title,
            description: c.description,
            owner_id: c.ownerId,
            owner_name: await userName(e, c.ownerId),
            created_at: t,
            updated_at: t
          })
          .execute()
        if (c.videoIds && c.videoIds.length > 0) await replaceItems(e, id, c.videoIds, c.ownerId)
        return (await getCollectionOn(e, id)) as Collection
      }),
    setCollectionItems: (id, videoIds, userId) =>
      tx(async (e) => {
        if (!(await getCollectionOn(e, id))) return null
        return replaceItems(e, id, videoIds, userId)
      }),
    getCollection: (id) => getCollectionOn(read, id),
    async listCollections(opts = {}) {
      const limit = pagingNumber(opts.limit, 50, 1000)
      const offset = pagingNumber(opts.offset, 0, Number.MAX_SAFE_INTEGER)
      let query = collectionSelect(read)
      if (opts.ownerId !== undefined) query = query.where('c.owner_id', '=', opts.ownerId)
      const rows = await query
        .orderBy('c.created_at', 'desc')
        .orderBy(rowKey(dialect, 'c'), 'desc')
        .limit(limit)
        .offset(offset)
        .execute()
      return (rows as CollectionRow[]).map(toCollection)
    },
    async countCollections(opts = {}) {
      let query = read.selectFrom('collections').select((x) => x.fn.countAll<number>().as('n'))
      if (opts.ownerId !== undefined) query = query.where('owner_id', '=', opts.ownerId)
      return Number((await query.executeTakeFirst())?.n ?? 0)
    },
    updateCollection: (id, patch) =>
      tx(async (e) => {
        const current = await getCollectionOn(e, id)
        if (!current) return null
        await e
          .updateTable('collections')
          .set({
            title: patch.title ?? current.title,
            description: patch.description ?? current.description,
            updated_at: now()
          })
          .where('id', '=', id)
          .execute()
        return getCollectionOn(e, id)
      }),
    deleteCollection: (id) =>
      tx(async (e) => {
        await e.deleteFrom('collection_items').where('collection_id', '=', id).execute()
        const deleted = await e.deleteFrom('collections').where('id', '=', id).executeTakeFirst()
        return changed(deleted.numDeletedRows) > 0
      }),
    collectionItems: (id) => itemsOn(read, id),
    addToCollection: (id, videoId, userId) =>
      tx(async (e) => {
        const found = await e
          .selectFrom('collections')
          .select('id')
          .where('id', '=', id)
          .executeTakeFirst()
        if (!found) throw new Error(`There is no collection ${id}.`)
        if (!(await videoFacts(e, videoId))) throw new Error(`There is no video ${videoId} to add.`)
        const item = await e
          .selectFrom('collection_items')
          .select('position')
          .where('collection_id', '=', id)
          .where('video_id', '=', videoId)
          .executeTakeFirst()
        if (item) return
        const n = Number(
          (
            await e
              .selectFrom('collection_items')
              .select((x) => x.fn.countAll<number>().as('n'))
              .where('collection_id', '=', id)
              .executeTakeFirst()
          )?.n ?? 0
        )
        if (n >= LEARN_LIMITS.collectionItems) {
          throw new Error(
            `A collection holds at most ${LEARN_LIMITS.collectionItems} videos; this one is full.`
          )
        }
        const t = now()
        await e
          .insertInto('collection_items')
          .values({
            collection_id: id,
            video_id: videoId,
            position: n,
            added_by: userId,
            added_at: t
          })
          .execute()
        await touchCollection(e, id, t)
      }),
    removeFromCollection: (id, videoId) =>
      tx(async (e) => {
        const item = await e
          .selectFrom('collection_items')
          .select('position')
          .where('collection_id', '=', id)
          .where('video_id', '=', videoId)
          .executeTakeFirst()
        if (!item) return false
        await e
          .deleteFrom('collection_items')
          .where('collection_id', '=', id)
          .where('video_id', '=', videoId)
          .execute()
        await e
          .updateTable('collection_items')
          .set((eb) => ({ position: eb('position', '-', 1) }))
          .where('collection_id', '=', id)
          .where('position', '>', item.position)
          .execute()
        await touchCollection(e, id, now())
        return true
      }),
    moveInCollection: (id, videoId, position) =>
      tx(async (e) => {
        const items = await itemsOn(e, id)
        if (!items.includes(videoId)) return null
        const order = items.filter((v) => v !== videoId)
        const to = Number.isFinite(position)
          ? Math.min(Math.max(Math.trunc(position), 0), order.length)
          : order.length
        order.splice(to, 0, videoId)
        await setPositions(
          e,
          id,
          order.map((v, i) => [v, i] as const)
        )
        await touchCollection(e, id, now())
        return order
      }),
    async collectionsWith(videoId) {
      const rows = await collectionSelect(read)
        .where('c.id', 'in', (eb) =>
          eb.selectFrom('collection_items').select('collection_id').where('video_id', '=', videoId)
        )
        .orderBy('c.created_at', 'desc')
        .orderBy(rowKey(dialect, 'c'), 'desc')
        .execute()
      return (rows as CollectionRow[]).map(toCollection)
    },

    // Team settings
    teamSettings: () => readSettings(read),
    setTeamSettings: (patch) =>
      tx(async (e) => {
        if (patch.watchers === 'names' || patch.watchers === 'counts') {
          await e
            .insertInto('team_settings')
            .values({ key: 'watchers', value: patch.watchers })
            .onConflict((oc) => oc.column('key').doUpdateSet({ value: patch.watchers }))
            .execute()
        }
        return readSettings(e)
      })
  }

  return { learn, inTx }
}
