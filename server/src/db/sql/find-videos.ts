/**
 * The library's pages and searches (LibraryDb.findVideos) on either engine, at a cost that grows
 * with the page asked for, not with how many videos there are or how many match.
 *
 * - The whole library: the newest-first index is walked past `offset` entries without reading
 *   the rows (a subquery of ids/rowids), then the page's rows are read.
 * - A search: a video is found by its own text (`video_search`) or by one of its comments'
 *   (`comment_search`).
 *   - Own matches are read newest first and the read stops after `offset + limit`:
 *     - SQLite: a search row's rowid is its video's order key (sqliteOrderKey), and FTS5 returns
 *       matches in rowid order (`ORDER BY rowid DESC`) without sorting them.
 *     - PostgreSQL: a GIN index cannot give an order, so the number of matches decides. Past
 *       WALK_ABOVE matches the rows are read along `video_search_created` (created_at, seq), each
 *       tested with the non-indexable `ts_match_vq` (common words: a page is found within a few
 *       hundred rows); below it the matches are taken from the GIN index and sorted (rare words:
 *       few rows). PostgreSQL's own estimate for a prefix query is a constant, so it cannot make
 *       this choice itself.
 *   - Comment matches (few, in practice) are all read and merged with the own matches in order.
 * - Counting stops at `countUpTo`, so "1,000+ videos" costs what 1,000 does.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely'
import type { DatabaseDialect, FindVideosOptions, Video, VideoPage } from '../types'
import type { Executor } from './connection'
import { pagingNumber } from './paging'
import { matches, tsQuery } from './search'

/** PostgreSQL: with more own matches than this, a search walks the order index (see the top). */
export const WALK_ABOVE = 2000

/** A found video and its place in the library's order (created_at DESC, then rowid/seq DESC). */
interface Placed {
  id: string
  createdAt: string
  order: number
}

/** Newest first, as the library is ordered. */
function newestFirst(a: Placed, b: Placed): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1
  return b.order - a.order
}

/** `count(*)` of a query's rows, reading at most `upTo + 1` of them (Infinity: all). */
async function countRows(ex: Executor, rows: RawBuilder<unknown>, upTo: number): Promise<number> {
  const limited = Number.isFinite(upTo) ? sql`${rows} LIMIT ${upTo + 1}` : rows
  const { rows: result } = await sql<{
    n: number | string
  }>`SELECT count(*) AS n FROM (${limited}) counted`.execute(ex)
  return Number(result[0]?.n ?? 0)
}

export function createFindVideos(
  db: Executor,
  dialect: DatabaseDialect,
  toVideo: (row: never) => Video
): (q: string, opts?: FindVideosOptions) => Promise<VideoPage> {
  const insertion = sql.raw(dialect === 'sqlite' ? 'rowid' : 'seq')

  /** The rows of `ids`, in that order. */
  const videosIn = async (ids: string[]): Promise<Video[]> => {
    if (ids.length === 0) return []
    const rows = await db.selectFrom('videos').selectAll().where('id', 'in', ids).execute()
    const byId = new Map(rows.map((row) => [row.id, row]))
    return ids.flatMap((id) => {
      const row = byId.get(id)
      return row ? [toVideo(row as never)] : []
    })
  }

  const page = (videos: Video[], total: number, countUpTo: number): VideoPage =>
    total > countUpTo
      ? { videos, total: countUpTo, totalIsAtLeast: true }
      : { videos, total, totalIsAtLeast: false }

  const wholeLibrary = async (
    limit: number,
    offset: number,
    countUpTo: number
  ): Promise<VideoPage> => {
    const total = countUpTo === 0 ? 0 : await countRows(db, sql`SELECT 1 FROM videos`, countUpTo)
    if (limit === 0) return page([], total, countUpTo)
    // The index (created_at, then rowid/seq; PostgreSQL's includes the id) is walked past
    // `offset` entries without reading a row; only the page's rows are read.
    const key = sql.raw(dialect === 'sqlite' ? 'rowid' : 'id')
    const rows = await sql<Record<string, unknown>>`SELECT * FROM videos WHERE ${key} IN (
        SELECT ${key} FROM videos ORDER BY created_at DESC, ${insertion} DESC
        LIMIT ${limit} OFFSET ${offset})
      ORDER BY created_at DESC, ${insertion} DESC`.execute(db)
    return page(
      rows.rows.map((row) => toVideo(row as never)),
      total,
      countUpTo
    )
  }

  /** Own matches, newest first, `limit` of them after `offset`. */
  const ownMatches = async (
    own: RawBuilder<SqlBool>,
    q: string,
    walk: boolean,
    limit: number,
    offset: number
  ): Promise<Placed[]> => {
    if (dialect === 'sqlite') {
      const { rows } = await sql<{ id: string; created_at: string; ord: number }>`
        SELECT videos.id, videos.created_at, videos.rowid AS ord
        FROM (SELECT video_id, rowid AS k FROM video_search WHERE ${own}
              ORDER BY rowid DESC LIMIT ${limit} OFFSET ${offset}) found
        JOIN videos ON videos.id = found.video_id
        ORDER BY found.k DESC`.execute(db)
      return rows.map((r) => ({ id: r.id, createdAt: r.created_at, order: Number(r.ord) }))
    }
    const condition = walk
      ? sql<SqlBool>`ts_match_vq(video_search.body, to_tsquery('simple', ${tsQuery(q)}))`
      : own
    // Below WALK_ABOVE the matches are made first (MATERIALIZED: from the GIN index) and sorted.
    const source = walk
      ? sql`SELECT video_id, created_at, seq FROM video_search WHERE ${condition}`
      : sql`WITH m AS MATERIALIZED (SELECT video_id, created_at, seq FROM video_search WHERE ${condition})
            SELECT * FROM m`
    const { rows } = await sql<{ video_id: string; created_at: string; seq: string | number }>`
      ${source} ORDER BY created_at DESC, seq DESC LIMIT ${limit} OFFSET ${offset}`.execute(db)
    return rows.map((r) => ({ id: r.video_id, createdAt: r.created_at, order: Number(r.seq) }))
  }

  return async function findVideos(q, opts = {}) {
    const limit = pagingNumber(opts.limit, 50, 1000)
    const offset = pagingNumber(opts.offset, 0, Number.MAX_SAFE_INTEGER)
    const countUpTo =
      opts.countUpTo === undefined || opts.countUpTo === Infinity
        ? Infinity
        : pagingNumber(opts.countUpTo, 0, Number.MAX_SAFE_INTEGER)
    const own = matches(dialect, 'video_search', q)
    const inComments = matches(dialect, 'comment_search', q)
    // No words in `q`: the whole library.
    if (!own || !inComments) return wholeLibrary(limit, offset, countUpTo)

    // How many videos match by their own text: as far as the count needs, and on PostgreSQL
    // as far as choosing how to read them needs.
    const probe =
      dialect === 'postgres' ? Math.max(countUpTo, WALK_ABOVE) : countUpTo === 0 ? -1 : countUpTo
    const ownCount =
      probe < 0 ? 0 : await countRows(db, sql`SELECT 1 FROM video_search WHERE ${own}`, probe)
    const walk = ownCount > WALK_ABOVE

    const { rows: commentRows } = await sql<{
      id: string
      created_at: string
      ord: number | string
    }>`
      SELECT DISTINCT videos.id, videos.created_at, videos.${insertion} AS ord
      FROM comment_search JOIN videos ON videos.id = comment_search.video_id
      WHERE ${inComments}`.execute(db)

    let ids: string[]
    if (limit === 0) ids = []
    else if (commentRows.length === 0) {
      ids = (await ownMatches(own, q, walk, limit, offset)).map((p) => p.id)
    } else {
      // Merge: the first offset + limit own matches, and every comment match.
      const found = new Map<string, Placed>()
      for (const p of await ownMatches(own, q, walk, offset + limit, 0)) found.set(p.id, p)
      for (const r of commentRows) {
        found.set(r.id, { id: r.id, createdAt: r.created_at, order: Number(r.ord) })
      }
      ids = [...found.values()]
        .sort(newestFirst)
        .slice(offset, offset + limit)
        .map((p) => p.id)
    }
    const videos = await videosIn(ids)

    if (countUpTo === 0) return page(videos, 0, 0)
    if (ownCount > countUpTo) return page(videos, ownCount, countUpTo)
    const total =
      commentRows.length === 0
        ? ownCount
        : await countRows(
            db,
            sql`SELECT video_id FROM video_search WHERE ${own}
                UNION SELECT video_id FROM comment_search WHERE ${inComments}`,
            countUpTo
          )
    return page(videos, total, countUpTo)
  }
}
