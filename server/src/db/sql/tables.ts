/**
 * The library's tables as Kysely sees them: one shape for both engines. Booleans are INTEGER 0/1
 * and times ISO-8601 TEXT on both, so rows read the same from either.
 *
 * CoreTables: owned by core-db.ts (users … renders, video_search). LearnTables: learn-tables.ts.
 *
 * PostgreSQL's videos, uploads and renders also have a `seq` identity column standing in for the
 * SQLite rowid they are ordered by (insertion order among equal times); it is not listed here, as
 * SQLite has no such column: queries name it through core-db.ts's per-engine ordering.
 */
import type { Generated } from 'kysely'
import type { LearnTables } from './learn-tables'

export interface UsersTable {
  id: Generated<number>
  name: string
  password_hash: string
  admin: Generated<number>
  created_at: string
}

export interface TokensTable {
  id: Generated<number>
  user_id: number
  hash: string
  prefix: string
  label: string
  created_at: string
  last_used_at: string | null
}

export interface SessionsTable {
  id_hash: string
  user_id: number
  csrf: string
  created_at: string
  expires_at: string
}

export interface VideosTable {
  id: string
  title: string
  description: string
  owner_id: number
  author_name: string
  duration_ms: number | null
  size_bytes: number
  filename: string
  mime_type: string
  project_id: string | null
  /** JSON of Callout[]. */
  callouts: string
  has_thumbnail: number
  upload_id: string
  storage: string
  width: number | null
  height: number | null
  created_at: string
  edits_version: Generated<number>
  access: Generated<string>
  link_token: string | null
  awaiting_edits: Generated<number>
  camera_upload_id: string | null
  /** JSON of CameraUploadFacts. */
  camera_facts: string | null
  awaiting_camera: Generated<number>
}

/**
 * One row per video: SQLite FTS5 (`body` the text), PostgreSQL a tsvector (`body` written with
 * search.ts `tsvector(text)`).
 */
/**
 * A video's search row. SQLite (FTS5): its rowid is the video's order key (searchOrderKey), so a
 * search reads matches newest first and stops after a page. PostgreSQL: the video's `created_at`
 * and `seq` are copied here (and indexed), for the same reason.
 */
export interface VideoSearchTable {
  video_id: string
  body: string
  /** PostgreSQL only. */
  created_at?: string
  /** PostgreSQL only. */
  seq?: number
}

export interface UploadsTable {
  id: string
  user_id: number
  video_id: string
  state: string
  error: string | null
  /** JSON of the validated Upload-Metadata. */
  metadata: string
  created_at: string
  updated_at: string
  declared_bytes: number | null
  live: Generated<number>
  /** The instance processing it (LibraryDb.claimUpload), while its claim lasts. */
  claimed_by: string | null
  /** ISO time the claim lapses unless renewed. */
  claimed_until: string | null
}

export interface DiscardedVideosTable {
  video_id: string
  user_id: number
  discarded_at: string
}

export interface VideoEditsTable {
  video_id: string
  version: number
  edits: string
  user_id: number
  created_at: string
}

export interface RendersTable {
  video_id: string
  kind: string
  edits_version: number
  redaction_key: string
  state: string
  progress: Generated<number>
  file: string | null
  duration_ms: number | null
  size_bytes: number | null
  error: string | null
  created_at: string
  updated_at: string
}

export interface CoreTables {
  users: UsersTable
  tokens: TokensTable
  sessions: SessionsTable
  videos: VideosTable
  video_search: VideoSearchTable
  uploads: UploadsTable
  discarded_videos: DiscardedVideosTable
  video_edits: VideoEditsTable
  renders: RendersTable
}

export interface Tables extends CoreTables, LearnTables {}
