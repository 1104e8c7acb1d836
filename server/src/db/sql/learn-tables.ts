/**
 * The learning-together tables (migration 7) as Kysely sees them; see tables.ts. One shape for
 * both engines: booleans INTEGER 0/1, times ISO-8601 TEXT, JSON lists as TEXT.
 *
 * Columns only one engine has are left out: on PostgreSQL request_wants, request_answers,
 * video_views, collections and collection_items have a `seq` identity column standing for the
 * SQLite rowid their lists are ordered by, and the search tables' key is `seq` (SQLite: the FTS5
 * rowid). learn-sql.ts reaches those through `sql` (its rowKey / searchKey helpers).
 */
import type { Generated } from 'kysely'

export interface RequestsTable {
  /** Insertion order (SQLite: the rowid alias; PostgreSQL: an identity). */
  seq: Generated<number>
  id: string
  title: string
  details: string
  /** JSON array of lowercase tags, in the order typed. */
  tags: string
  asker_id: number
  asker_name: string
  solved_video_id: string | null
  created_at: string
  updated_at: string
}

export interface RequestTagsTable {
  request_id: string
  tag: string
}

export interface RequestWantsTable {
  request_id: string
  user_id: number
  created_at: string
}

export interface RequestAnswersTable {
  request_id: string
  video_id: string
  user_id: number
  created_at: string
}

/**
 * A request's search row, keyed by its request's `seq` (SQLite: FTS5 rowid; PostgreSQL: column
 * `seq`). `body`: the text on SQLite, a tsvector on PostgreSQL (search.ts `tsvector`).
 */
export interface RequestSearchTable {
  request_id: string
  body: string
}

export interface CommentsTable {
  seq: Generated<number>
  id: string
  video_id: string
  parent_id: string | null
  author_id: number
  author_name: string
  at_ms: number | null
  body: string
  question: Generated<number>
  answered: Generated<number>
  deleted: Generated<number>
  created_at: string
  edited_at: string | null
}

/** A comment's search row, keyed by its comment's `seq`, as RequestSearchTable. */
export interface CommentSearchTable {
  comment_id: string
  video_id: string
  body: string
}

export interface ReactionsTable {
  video_id: string
  user_id: number
  kind: string
  /** The second it is at, in ms; 0 for `helped`. */
  at_ms: number
  created_at: string
}

export interface VideoViewsTable {
  video_id: string
  user_id: number
  /** JSON [[startMs, endMs], …], merged and sorted. */
  ranges: string
  duration_ms: number
  watched_ms: number
  first_at: string
  last_at: string
}

export interface NotificationsTable {
  /** Only grows (SQLite AUTOINCREMENT; PostgreSQL identity). */
  id: Generated<number>
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

export interface CollectionsTable {
  id: string
  title: string
  description: string
  owner_id: number
  owner_name: string
  created_at: string
  updated_at: string
}

export interface CollectionItemsTable {
  collection_id: string
  video_id: string
  position: number
  added_by: number
  added_at: string
}

export interface TeamSettingsTable {
  key: string
  value: string
}

export interface LearnTables {
  requests: RequestsTable
  request_tags: RequestTagsTable
  request_wants: RequestWantsTable
  request_answers: RequestAnswersTable
  request_search: RequestSearchTable
  comments: CommentsTable
  comment_search: CommentSearchTable
  reactions: ReactionsTable
  video_views: VideoViewsTable
  notifications: NotificationsTable
  collections: CollectionsTable
  collection_items: CollectionItemsTable
  team_settings: TeamSettingsTable
}
