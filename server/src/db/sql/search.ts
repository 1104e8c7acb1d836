/**
 * Full-text search on both engines. What a person typed becomes a query in which every word must
 * match as a prefix; the input's own syntax is never interpreted.
 *
 * - SQLite: FTS5 tables (`video_search`, `request_search`, `comment_search`) with the unicode61
 *   tokenizer removing diacritics; `<table> MATCH ftsQuery(q)`.
 * - PostgreSQL: tables of the same names holding a `body tsvector` (GIN-indexed) made with the
 *   `simple` configuration from searchDocument(text); `body @@ to_tsquery('simple', tsQuery(q))`.
 *   searchDocument folds case and removes diacritics in JavaScript, so no extension (unaccent) is
 *   needed and both engines find the same rows.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely'
import type { DatabaseDialect } from '../types'

/** At most this many words of a query are used. */
const MAX_WORDS = 16

/** The words of a search box's text (letters, digits, `_`), at most MAX_WORDS. */
export function searchWords(q: string): string[] {
  return q
    .normalize('NFKC')
    .split(/[^\p{L}\p{N}_]+/u)
    .filter((w) => w.length > 0)
    .slice(0, MAX_WORDS)
}

/**
 * Turns what a person typed into an FTS5 query: every word must match (as a prefix), words are
 * quoted so FTS5 syntax in the input is just text. Null when there is nothing to search for.
 */
export function ftsQuery(q: string): string | null {
  const words = searchWords(q)
  if (words.length === 0) return null
  return words.map((w) => `"${w.replace(/"/g, '""')}"*`).join(' AND ')
}

/** Lower case, diacritics removed: how both engines compare words. */
function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
}

/**
 * A PostgreSQL tsquery: every folded word as a prefix (`word:*`), joined with `&`. Words hold only
 * letters, digits and `_` (searchWords), so nothing in them is tsquery syntax. Null when there is
 * nothing to search for.
 */
export function tsQuery(q: string): string | null {
  const words = searchWords(q)
    .map(fold)
    .map((w) => w.replace(/[^\p{L}\p{N}_]+/gu, ''))
    .filter((w) => w.length > 0)
  if (words.length === 0) return null
  return words.map((w) => `${w}:*`).join(' & ')
}

/**
 * The text a PostgreSQL search row is made from (`to_tsvector('simple', …)`): folded like the
 * query, and with every run of other characters a space, as unicode61 splits words in SQLite.
 */
export function searchDocument(text: string): string {
  return fold(text.normalize('NFKC'))
    .replace(/[^\p{L}\p{N}_]+/gu, ' ')
    .trim()
}

/** The search tables; each holds one row per searchable thing. */
export type SearchTable = 'video_search' | 'request_search' | 'comment_search'

/**
 * The condition "this search table's row matches `q`", for a query over that table alone
 * (`SELECT … FROM <table> WHERE <this>`). Null when `q` has no words: nothing matches.
 */
export function matches(
  dialect: DatabaseDialect,
  table: SearchTable,
  q: string
): RawBuilder<SqlBool> | null {
  if (dialect === 'sqlite') {
    const match = ftsQuery(q)
    return match === null ? null : sql<SqlBool>`${sql.table(table)} MATCH ${match}`
  }
  const query = tsQuery(q)
  return query === null
    ? null
    : sql<SqlBool>`${sql.ref(`${table}.body`)} @@ to_tsquery('simple', ${query})`
}

/** The value to store in a PostgreSQL search row's `body` (use only on PostgreSQL). */
export function tsvector(text: string): RawBuilder<unknown> {
  return sql`to_tsvector('simple', ${searchDocument(text)})`
}

/**
 * SQLite: a video's order key, the rowid of its search row (`table` is the videos table's name or
 * alias). Its creation time in milliseconds, then its rowid (mod 2^20) among videos created in
 * the same millisecond: ordering search rows by rowid orders them as the library is ordered
 * (created_at, rowid), until the year 2248. Two videos created in the same millisecond whose
 * rowids are a multiple of 2^20 apart would share a key; the second one's search row is then
 * refused (an error, nothing overwritten).
 */
export function sqliteOrderKey(table: string): string {
  return `(CAST(round((julianday(${table}.created_at) - 2440587.5) * 86400000.0) AS INTEGER) * 1048576 + ${table}.rowid % 1048576)`
}
