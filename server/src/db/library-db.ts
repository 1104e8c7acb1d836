/**
 * The library's SQLite database (better-sqlite3, WAL). Migrations run by `PRAGMA user_version`.
 * Passwords are scrypt hashes with a per-user salt (passwords.ts); access tokens and session ids
 * are stored as SHA-256 hashes, so a copy of the database gives no working credential.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import Database, { type Database as SqliteHandle } from 'better-sqlite3'
import { checkPassword, hashPassword } from '../passwords'
import { createLearnCleanup, createLearnDb } from './learn-db'
import type {
  Callout,
  EditsVersion,
  LearnDb,
  LibraryDb,
  NewVideo,
  RenderRecord,
  RenderState,
  TokenRecord,
  UploadRecord,
  UploadState,
  User,
  Video,
  VideoCamera
} from './types'

import { MIGRATIONS } from './sql/migrations-sqlite'

export { MIGRATIONS }

const SESSION_DAYS = 30
/** A token's "last used" is noted at most this often… */
const TOKEN_TOUCH_MS = 60_000
/** …and the notes are written this often (and when the database is closed). */
const TOKEN_FLUSH_MS = 30_000

interface UserRow {
  id: number
  name: string
  admin: number
  created_at: string
  password_hash: string
}
interface TokenRow {
  id: number
  user_id: number
  hash: string
  prefix: string
  label: string
  created_at: string
  last_used_at: string | null
}
interface VideoRow {
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
  callouts: string
  has_thumbnail: number
  upload_id: string
  storage: string
  width: number | null
  height: number | null
  created_at: string
  edits_version: number
  access: string
  link_token: string | null
  awaiting_edits: number
  camera_upload_id: string | null
  camera_facts: string | null
  awaiting_camera: number
}
interface EditsRow {
  video_id: string
  version: number
  edits: string
  user_id: number
  created_at: string
}
interface RenderRow {
  video_id: string
  kind: string
  edits_version: number
  redaction_key: string
  state: string
  progress: number
  file: string | null
  duration_ms: number | null
  size_bytes: number | null
  error: string | null
  created_at: string
  updated_at: string
}
interface UploadRow {
  id: string
  user_id: number
  video_id: string
  state: string
  error: string | null
  metadata: string
  created_at: string
  updated_at: string
  live: number
}

export function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex')
}

function randomId(bytes: number): string {
  return crypto.randomBytes(bytes).toString('base64url')
}

function safeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex')
  const y = Buffer.from(b, 'hex')
  return x.length === y.length && crypto.timingSafeEqual(x, y)
}

function toUser(row: UserRow): User {
  return { id: row.id, name: row.name, admin: row.admin === 1, createdAt: row.created_at }
}

function toToken(row: TokenRow): TokenRecord {
  return {
    id: row.id,
    userId: row.user_id,
    prefix: row.prefix,
    label: row.label,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at
  }
}

function parseCallouts(json: string): Callout[] {
  try {
    const value: unknown = JSON.parse(json)
    return Array.isArray(value) ? (value as Callout[]) : []
  } catch {
    return []
  }
}

function toVideo(row: VideoRow): Video {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    ownerId: row.owner_id,
    authorName: row.author_name,
    durationMs: row.duration_ms,
    sizeBytes: row.size_bytes,
    filename: row.filename,
    mimeType: row.mime_type,
    projectId: row.project_id,
    callouts: parseCallouts(row.callouts),
    createdAt: row.created_at,
    hasThumbnail: row.has_thumbnail === 1,
    width: row.width,
    height: row.height,
    editsVersion: row.edits_version,
    access: row.access === 'link' ? 'link' : 'team',
    linkToken: row.link_token,
    awaitingEdits: row.awaiting_edits === 1,
    camera: toCamera(row),
    awaitingCamera: row.awaiting_camera === 1
  }
}

function toCamera(row: VideoRow): VideoCamera | null {
  if (!row.camera_upload_id || !row.camera_facts) return null
  try {
    const facts = JSON.parse(row.camera_facts) as VideoCamera['facts']
    return { id: row.camera_upload_id, facts }
  } catch {
    return null
  }
}
function toEdits(row: EditsRow): EditsVersion {
  return {
    videoId: row.video_id,
    version: row.version,
    edits: row.edits,
    userId: row.user_id,
    createdAt: row.created_at
  }
}
function toRender(row: RenderRow): RenderRecord {
  return {
    videoId: row.video_id,
    kind: row.kind === 'download' ? 'download' : 'viewer',
    editsVersion: row.edits_version,
    redactionKey: row.redaction_key,
    state: row.state as RenderState,
    progress: row.progress,
    file: row.file,
    durationMs: row.duration_ms,
    sizeBytes: row.size_bytes,
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at
  }
}

function toUpload(row: UploadRow): UploadRecord {
  return {
    id: row.id,
    userId: row.user_id,
    videoId: row.video_id,
    state: row.state as UploadState,
    error: row.error,
    metadata: row.metadata,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    live: row.live === 1
  }
}

/**
 * Turns what a person typed into an FTS5 query: every word must match (as a prefix), words are
 * quoted so FTS5 syntax in the input is just text. Null when there is nothing to search for.
 */
export function ftsQuery(q: string): string | null {
  const words = q
    .normalize('NFKC')
    .split(/[^\p{L}\p{N}_]+/u)
    .filter((w) => w.length > 0)
    .slice(0, 16)
  if (words.length === 0) return null
  return words.map((w) => `"${w.replace(/"/g, '""')}"*`).join(' AND ')
}

function searchBody(v: {
  title: string
  description: string
  authorName: string
  callouts: Callout[]
  filename: string
}): string {
  return [v.title, v.description, v.authorName, v.filename, ...v.callouts.map((c) => c.text)].join(
    '\n'
  )
}

/** A LIMIT or OFFSET SQLite takes: a whole number from 0 to `max` (anything else: `fallback`). */
function pagingNumber(value: number | undefined, fallback: number, max: number): number {
  if (value === undefined || Number.isNaN(value)) return fallback
  return Math.min(Math.max(Math.trunc(value), 0), max)
}

export interface OpenOptions {
  /**
   * How long one statement waits for another connection's lock, in ms; default 5000 (the command
   * line). The server passes BUSY_TIMEOUT_MS (db/busy.ts): on its event loop a long wait freezes
   * every request. Migrations always wait the full 5 s.
   */
  busyTimeoutMs?: number
}

/**
 * The synchronous form of a database contract: what the better-sqlite3 implementation below
 * provides (TRANSITIONAL: it goes when the Kysely implementation in sql/ replaces it).
 */
export type Sync<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : T[K]
}
type SyncLibraryDb = Omit<
  Sync<LibraryDb>,
  'failFast' | 'dialect' | 'ping' | 'close' | 'verifyPassword'
> & {
  verifyPassword: LibraryDb['verifyPassword']
  close(): void
}

/** The async contract over the synchronous implementation (TRANSITIONAL, see Sync). */
function asyncLibraryDb(
  sync: SyncLibraryDb,
  raw: SqliteHandle,
  busyTimeoutMs: number
): LibraryDb {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(sync)) {
    if (typeof value === 'function') {
      const fn = value as (...args: unknown[]) => unknown
      out[key] = async (...args: unknown[]) => fn.apply(sync, args)
    }
  }
  return {
    ...(out as unknown as LibraryDb),
    dialect: 'sqlite',
    async failFast<T>(fn: () => Promise<T>): Promise<T> {
      raw.pragma('busy_timeout = 0')
      try {
        return await fn()
      } finally {
        if (raw.open) raw.pragma(`busy_timeout = ${busyTimeoutMs}`)
      }
    },
    async ping() {
      raw.prepare('SELECT 1').get()
    },
    async close() {
      sync.close()
    }
  }
}

export async function openLibraryDb(file: string, options: OpenOptions = {}): Promise<LibraryDb> {
  const { api, db, busyTimeoutMs } = openSqliteSync(file, options)
  return asyncLibraryDb(api, db, busyTimeoutMs)
}

function openSqliteSync(
  file: string,
  options: OpenOptions
): { api: SyncLibraryDb; db: SqliteHandle; busyTimeoutMs: number } {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('busy_timeout = 5000')
  db.pragma('synchronous = NORMAL')

  const version = Number(db.pragma('user_version', { simple: true }))
  if (version > MIGRATIONS.length) {
    db.close()
    throw new Error(
      `The library database ${file} is from a newer Sidecast server (schema ${version}); this one knows ${MIGRATIONS.length}.`
    )
  }
  // Foreign keys stay off while tables are rebuilt (SQLite's recipe for schema changes):
  // dropping the old users table must not cascade to tokens and sessions.
  db.pragma('foreign_keys = OFF')
  for (let v = version; v < MIGRATIONS.length; v++) {
    const sql = MIGRATIONS[v] as string
    db.transaction(() => {
      db.exec(sql)
      const broken = db.pragma('foreign_key_check') as unknown[]
      if (broken.length > 0) throw new Error(`migration ${v + 1} broke ${broken.length} references`)
      db.pragma(`user_version = ${v + 1}`)
    })()
  }
  db.pragma('foreign_keys = ON')
  const busyTimeoutMs = Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))
  db.pragma(`busy_timeout = ${busyTimeoutMs}`)

  /** `fn` with no wait for locks: a locked database answers SQLITE_BUSY at once. */
  const failFast = <T>(fn: () => T): T => {
    db.pragma('busy_timeout = 0')
    try {
      return fn()
    } finally {
      db.pragma(`busy_timeout = ${busyTimeoutMs}`)
    }
  }

  /**
   * A write transaction that takes the write lock at BEGIN, so a busy database is found (and
   * waited for, up to the busy timeout) there, never half-way through as a read upgrades to a
   * write (SQLITE_BUSY_SNAPSHOT, which no busy timeout waits out).
   */
  const immediate = <T>(fn: () => T): T => db.transaction(fn).immediate()

  const now = (): string => new Date().toISOString()

  /**
   * Token uses not written yet (token id → ISO time). A read must not write — a write can wait
   * for a lock, and on a full disk it fails — so `userForToken` only notes the use, at most once a
   * minute per token, and `flushTokenUses` writes the notes together, on a timer.
   */
  const tokenUses = new Map<number, string>()

  const st = {
    userById: db.prepare<UserRow>('SELECT * FROM users WHERE id = ?'),
    userByName: db.prepare<UserRow>('SELECT * FROM users WHERE name = ?'),
    users: db.prepare<UserRow>('SELECT * FROM users ORDER BY name COLLATE NOCASE'),
    insertUser: db.prepare(
      'INSERT INTO users (name, password_hash, admin, created_at) VALUES (?, ?, ?, ?)'
    ),
    deleteUser: db.prepare('DELETE FROM users WHERE id = ?'),
    videosOf: db.prepare<{ id: string }>('SELECT id FROM videos WHERE owner_id = ? ORDER BY id'),
    uploadsOf: db.prepare<{ id: string }>(
      'SELECT id FROM uploads WHERE user_id = ? AND state = ? ORDER BY id'
    ),
    allUploadsOf: db.prepare<{ id: string }>('SELECT id FROM uploads WHERE user_id = ?'),
    transferVideos: db.prepare('UPDATE videos SET owner_id = ? WHERE owner_id = ?'),
    transferUploads: db.prepare(
      "UPDATE uploads SET user_id = ? WHERE user_id = ? AND state IN ('processing', 'done')"
    ),
    deleteUploadsOf: db.prepare('DELETE FROM uploads WHERE user_id = ?'),
    insertToken: db.prepare(
      'INSERT INTO tokens (user_id, hash, prefix, label, created_at) VALUES (?, ?, ?, ?, ?)'
    ),
    tokenById: db.prepare<TokenRow>('SELECT * FROM tokens WHERE id = ?'),
    tokenByHash: db.prepare<TokenRow>('SELECT * FROM tokens WHERE hash = ?'),
    tokensOf: db.prepare<TokenRow>('SELECT * FROM tokens WHERE user_id = ? ORDER BY id DESC'),
    touchToken: db.prepare('UPDATE tokens SET last_used_at = ? WHERE id = ?'),
    deleteToken: db.prepare('DELETE FROM tokens WHERE id = ?'),
    insertSession: db.prepare(
      'INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)'
    ),
    session: db.prepare<{ user_id: number; csrf: string; expires_at: string }>(
      'SELECT user_id, csrf, expires_at FROM sessions WHERE id_hash = ?'
    ),
    deleteSession: db.prepare('DELETE FROM sessions WHERE id_hash = ?'),
    deleteExpiredSessions: db.prepare('DELETE FROM sessions WHERE expires_at < ?'),
    video: db.prepare<VideoRow>('SELECT * FROM videos WHERE id = ?'),
    insertVideo: db.prepare(
      `INSERT INTO videos (id, title, description, owner_id, author_name, duration_ms, size_bytes,
        filename, mime_type, project_id, callouts, has_thumbnail, upload_id, storage, width, height,
        awaiting_edits, awaiting_camera, created_at) VALUES (@id, @title, @description, @ownerId,
        @authorName, @durationMs, @sizeBytes, @filename, @mimeType, @projectId, @callouts,
        @hasThumbnail, @uploadId, @storage, @width, @height, @awaitingEdits, @awaitingCamera,
        @createdAt)`
    ),
    insertSearch: db.prepare('INSERT INTO video_search (video_id, body) VALUES (?, ?)'),
    deleteSearch: db.prepare('DELETE FROM video_search WHERE video_id = ?'),
    deleteVideo: db.prepare('DELETE FROM videos WHERE id = ?'),
    updateVideo: db.prepare('UPDATE videos SET title = ?, description = ? WHERE id = ?'),
    replaceMedia: db.prepare(
      `UPDATE videos SET title = @title, description = @description, duration_ms = @durationMs,
        size_bytes = @sizeBytes, filename = @filename, mime_type = @mimeType,
        project_id = @projectId, callouts = @callouts, has_thumbnail = @hasThumbnail,
        upload_id = @uploadId, storage = @storage, width = @width, height = @height,
        camera_upload_id = NULL, camera_facts = NULL, awaiting_camera = @awaitingCamera
       WHERE id = @id`
    ),
    setCamera: db.prepare(
      `UPDATE videos SET camera_upload_id = ?, camera_facts = ?, awaiting_camera = 0 WHERE id = ?`
    ),
    clearCamera: db.prepare(
      `UPDATE videos SET camera_upload_id = NULL, camera_facts = NULL, awaiting_camera = 0
       WHERE id = ?`
    ),
    listVideos: db.prepare<VideoRow>(
      'SELECT * FROM videos ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?'
    ),
    countAll: db.prepare<{ n: number }>('SELECT count(*) AS n FROM videos'),
    // A video is found by its own text or by one of its comments' (deleted ones have no row).
    searchVideos: db.prepare<VideoRow>(
      `SELECT v.* FROM videos v WHERE v.id IN (SELECT video_id FROM video_search WHERE video_search MATCH ?
       UNION SELECT video_id FROM comment_search WHERE comment_search MATCH ?)
       ORDER BY v.created_at DESC, v.rowid DESC LIMIT ? OFFSET ?`
    ),
    countSearch: db.prepare<{ n: number }>(
      `SELECT count(*) AS n FROM videos WHERE id IN (SELECT video_id FROM video_search WHERE video_search MATCH ?
       UNION SELECT video_id FROM comment_search WHERE comment_search MATCH ?)`
    ),
    editsAt: db.prepare<EditsRow>('SELECT * FROM video_edits WHERE video_id = ? AND version = ?'),
    newestEdits: db.prepare<EditsRow>(
      'SELECT * FROM video_edits WHERE video_id = ? ORDER BY version DESC LIMIT 1'
    ),
    insertEdits: db.prepare(
      'INSERT INTO video_edits (video_id, version, edits, user_id, created_at) VALUES (?, ?, ?, ?, ?)'
    ),
    setEditsVersion: db.prepare(
      'UPDATE videos SET edits_version = ?, callouts = ?, awaiting_edits = 0 WHERE id = ?'
    ),
    deleteEditsOf: db.prepare('DELETE FROM video_edits WHERE video_id = ?'),
    setAccess: db.prepare('UPDATE videos SET access = ?, link_token = ? WHERE id = ?'),
    videoByLink: db.prepare<VideoRow>(
      "SELECT * FROM videos WHERE link_token = ? AND access = 'link'"
    ),
    render: db.prepare<RenderRow>(
      'SELECT * FROM renders WHERE video_id = ? AND kind = ? AND edits_version = ?'
    ),
    insertRender: db.prepare(
      `INSERT OR IGNORE INTO renders (video_id, kind, edits_version, redaction_key, state,
       created_at, updated_at) VALUES (?, ?, ?, ?, 'queued', ?, ?)`
    ),
    latestDone: db.prepare<RenderRow>(
      `SELECT * FROM renders WHERE video_id = ? AND kind = ? AND state = 'done'
       ORDER BY edits_version DESC LIMIT 1`
    ),
    oldestQueued: db.prepare<RenderRow>(
      `SELECT * FROM renders WHERE state = 'queued' ORDER BY created_at, rowid LIMIT 1`
    ),
    startRender: db.prepare(
      `UPDATE renders SET state = 'running', progress = 0, error = NULL, updated_at = ?
       WHERE video_id = ? AND kind = ? AND edits_version = ?`
    ),
    requeueRunning: db.prepare(
      "UPDATE renders SET state = 'queued', progress = 0, updated_at = ? WHERE state = 'running'"
    ),
    rendersOf: db.prepare<RenderRow>(
      'SELECT * FROM renders WHERE video_id = ? ORDER BY kind, edits_version'
    ),
    deleteRender: db.prepare(
      'DELETE FROM renders WHERE video_id = ? AND kind = ? AND edits_version = ?'
    ),
    deleteRendersOf: db.prepare('DELETE FROM renders WHERE video_id = ?'),
    insertUpload: db.prepare(
      `INSERT INTO uploads (id, user_id, video_id, state, metadata, declared_bytes, live,
       created_at, updated_at) VALUES (?, ?, ?, 'uploading', ?, ?, ?, ?, ?)`
    ),
    unfinishedOf: db.prepare<{ n: number; bytes: number }>(
      `SELECT count(*) AS n, coalesce(sum(coalesce(declared_bytes, ?)), 0) AS bytes FROM uploads
       WHERE user_id = ? AND state = 'uploading' AND (created_at > ? OR live = 1)`
    ),
    upload: db.prepare<UploadRow>('SELECT * FROM uploads WHERE id = ?'),
    uploadsIn: db.prepare<UploadRow>('SELECT * FROM uploads WHERE state = ? ORDER BY created_at'),
    setUpload: db.prepare('UPDATE uploads SET state = ?, error = ?, updated_at = ? WHERE id = ?'),
    deleteUpload: db.prepare('DELETE FROM uploads WHERE id = ?'),
    // The newest upload of a video that is not (yet) in the library: its reservation.
    reservation: db.prepare<UploadRow>(
      `SELECT * FROM uploads WHERE video_id = ? AND state != 'done'
       AND NOT EXISTS (SELECT 1 FROM videos WHERE id = uploads.video_id)
       AND json_extract(metadata, '$.cameraFor') IS NULL
       ORDER BY created_at DESC, rowid DESC LIMIT 1`
    ),
    reservationsOf: db.prepare<UploadRow>(
      `SELECT * FROM uploads WHERE user_id = ? AND live = 1 AND state != 'done'
       AND NOT EXISTS (SELECT 1 FROM videos WHERE id = uploads.video_id)
       ORDER BY created_at DESC, rowid DESC LIMIT ?`
    ),
    failedLive: db.prepare<{ id: string }>(
      `SELECT id FROM uploads WHERE video_id = ? AND user_id = ? AND live = 1 AND state = 'failed'
       LIMIT 1`
    ),
    othersPending: db.prepare<{ n: number }>(
      `SELECT count(*) AS n FROM uploads WHERE video_id = ? AND id != ?
       AND state IN ('uploading', 'processing')`
    ),
    insertTombstone: db.prepare(
      'INSERT OR IGNORE INTO discarded_videos (video_id, user_id, discarded_at) VALUES (?, ?, ?)'
    ),
    tombstone: db.prepare<{ user_id: number; discarded_at: string }>(
      'SELECT user_id, discarded_at FROM discarded_videos WHERE video_id = ?'
    )
  }

  const getUser = (id: number): User | null => {
    const row = st.userById.get(id)
    return row ? toUser(row) : null
  }

  const getVideo = (id: string): Video | null => {
    const row = st.video.get(id)
    return row ? toVideo(row) : null
  }

  const insertVideo = (v: NewVideo): Video => {
    const owner = getUser(v.ownerId)
    const authorName = owner?.name ?? 'unknown'
    st.insertVideo.run({
      id: v.id,
      title: v.title,
      description: v.description,
      ownerId: v.ownerId,
      authorName,
      durationMs: v.durationMs,
      sizeBytes: v.sizeBytes,
      filename: v.filename,
      mimeType: v.mimeType,
      projectId: v.projectId,
      callouts: JSON.stringify(v.callouts),
      hasThumbnail: v.hasThumbnail ? 1 : 0,
      uploadId: v.uploadId,
      storage: v.storage,
      width: v.width ?? null,
      height: v.height ?? null,
      awaitingEdits: v.awaitingEdits ? 1 : 0,
      awaitingCamera: v.awaitingCamera ? 1 : 0,
      createdAt: v.createdAt ?? now()
    })
    st.insertSearch.run(v.id, searchBody({ ...v, authorName }))
    return getVideo(v.id) as Video
  }

  const learn = createLearnDb(db, { immediate, now, newId: () => randomId(12), ftsQuery })
  const learnCleanup = createLearnCleanup(db)

  const api: SyncLibraryDb = {
    ...learn,
    createUser(name, password, admin) {
      const info = st.insertUser.run(name, hashPassword(password), admin ? 1 : 0, now())
      return getUser(Number(info.lastInsertRowid)) as User
    },
    async verifyPassword(name, password) {
      const row = st.userByName.get(name)
      if (!(await checkPassword(password, row?.password_hash ?? null)) || !row) return null
      // The user may have been removed while the hash ran.
      return getUser(row.id)
    },
    getUser,
    getUserByName(name) {
      const row = st.userByName.get(name)
      return row ? toUser(row) : null
    },
    listUsers: () => st.users.all().map(toUser),
    userHoldings: (userId) => ({
      videos: st.videosOf.all(userId).map((r) => r.id),
      pending: st.uploadsOf.all(userId, 'processing').map((r) => r.id)
    }),
    removeUser(name, opts = {}) {
      return immediate(() => {
        const row = st.userByName.get(name)
        if (!row) return null
        const { videos, pending } = api.userHoldings(row.id)
        let transferred = 0
        const heir = opts.transferTo !== undefined ? getUser(opts.transferTo) : null
        if (opts.transferTo !== undefined) {
          if (opts.transferTo === row.id || !heir) {
            throw new Error('transfer to another, existing user')
          }
          transferred = st.transferVideos.run(opts.transferTo, row.id).changes
          st.transferUploads.run(opts.transferTo, row.id)
        } else if (videos.length > 0 || pending.length > 0) {
          throw new Error(`${row.name} still owns videos: transfer or delete them first`)
        }
        const uploads = st.allUploadsOf.all(row.id).map((r) => r.id)
        st.deleteUploadsOf.run(row.id)
        learnCleanup.userRemoved(row.id, heir ?? undefined)
        st.deleteUser.run(row.id) // tokens and sessions go with it (ON DELETE CASCADE)
        return { user: toUser(row), transferred, uploads }
      })
    },

    createToken(userId, label) {
      const token = randomId(32)
      const info = st.insertToken.run(userId, sha256(token), token.slice(0, 8), label, now())
      return { token, record: toToken(st.tokenById.get(Number(info.lastInsertRowid)) as TokenRow) }
    },
    userForToken(token) {
      if (!token || token.length > 200) return null
      const hash = sha256(token)
      const row = st.tokenByHash.get(hash)
      if (!row || !safeEqualHex(row.hash, hash)) return null
      const t = Date.now()
      const last = tokenUses.get(row.id) ?? row.last_used_at
      if (!last || t - Date.parse(last) > TOKEN_TOUCH_MS) {
        tokenUses.set(row.id, new Date(t).toISOString())
      }
      return getUser(row.user_id)
    },
    flushTokenUses() {
      if (tokenUses.size === 0 || !db.open) return
      const batch = [...tokenUses]
      try {
        failFast(() =>
          immediate(() => {
            for (const [id, at] of batch) st.touchToken.run(at, id)
          })
        )
      } catch {
        return // busy, or a full disk: "last used" is informative; the next flush writes it
      }
      for (const [id, at] of batch) if (tokenUses.get(id) === at) tokenUses.delete(id)
    },
    listTokens: (userId) =>
      st.tokensOf.all(userId).map((row) => {
        const token = toToken(row)
        const pending = tokenUses.get(token.id)
        return pending ? { ...token, lastUsedAt: pending } : token
      }),
    revokeToken(userId, prefixOrId) {
      let rows: TokenRow[]
      if (typeof prefixOrId === 'number') {
        const row = st.tokenById.get(prefixOrId)
        rows = row ? [row] : []
      } else {
        const wanted = prefixOrId.trim()
        if (wanted.length < 4) return false
        const byHash = st.tokenByHash.get(sha256(wanted))
        if (byHash) rows = [byHash]
        else {
          rows = db
            .prepare<TokenRow>('SELECT * FROM tokens WHERE prefix = ? OR substr(prefix, 1, ?) = ?')
            .all(wanted, wanted.length, wanted)
        }
      }
      if (userId !== null) rows = rows.filter((r) => r.user_id === userId)
      if (rows.length !== 1) return false // none, or ambiguous
      return st.deleteToken.run((rows[0] as TokenRow).id).changes > 0
    },

    createSession(userId) {
      const id = randomId(32)
      const csrf = randomId(24)
      const created = new Date()
      const expires = new Date(created.getTime() + SESSION_DAYS * 86_400_000)
      st.deleteExpiredSessions.run(created.toISOString())
      st.insertSession.run(sha256(id), userId, csrf, created.toISOString(), expires.toISOString())
      return { id, csrf }
    },
    getSession(id) {
      if (!id || id.length > 200) return null
      const row = st.session.get(sha256(id))
      if (!row || Date.parse(row.expires_at) < Date.now()) return null
      const user = getUser(row.user_id)
      return user ? { user, csrf: row.csrf } : null
    },
    deleteSession(id) {
      st.deleteSession.run(sha256(id))
    },

    getVideo,
    searchVideos(q, opts = {}) {
      const limit = pagingNumber(opts.limit, 50, 1000)
      const offset = pagingNumber(opts.offset, 0, Number.MAX_SAFE_INTEGER)
      const match = ftsQuery(q)
      const rows = match
        ? st.searchVideos.all(match, match, limit, offset)
        : st.listVideos.all(limit, offset)
      return rows.map(toVideo)
    },
    countVideos(q = '') {
      const match = ftsQuery(q)
      return (match ? st.countSearch.get(match, match) : st.countAll.get())?.n ?? 0
    },
    updateVideo(id, patch) {
      return immediate(() => {
        const current = getVideo(id)
        if (!current) return null
        const title = patch.title ?? current.title
        const description = patch.description ?? current.description
        st.updateVideo.run(title, description, id)
        st.deleteSearch.run(id)
        st.insertSearch.run(id, searchBody({ ...current, title, description }))
        return getVideo(id)
      })
    },
    deleteVideo(id) {
      return immediate(() => {
        st.deleteSearch.run(id)
        st.deleteEditsOf.run(id)
        st.deleteRendersOf.run(id)
        learnCleanup.videoDeleted(id)
        return st.deleteVideo.run(id).changes > 0
      })
    },

    editsOf(videoId, version) {
      const row =
        version === undefined ? st.newestEdits.get(videoId) : st.editsAt.get(videoId, version)
      return row ? toEdits(row) : null
    },
    saveEdits(videoId, baseVersion, edits, userId, callouts) {
      return immediate(() => {
        const current = getVideo(videoId)
        if (!current) return null
        if (current.editsVersion !== baseVersion) return { conflict: current.editsVersion }
        const version = baseVersion + 1
        st.insertEdits.run(videoId, version, edits, userId, now())
        st.setEditsVersion.run(version, JSON.stringify(callouts), videoId)
        st.deleteSearch.run(videoId)
        st.insertSearch.run(videoId, searchBody({ ...current, callouts }))
        return { version }
      })
    },
    setAccess(videoId, access, linkToken) {
      return immediate(() => {
        if (st.setAccess.run(access, linkToken, videoId).changes === 0) return null
        return getVideo(videoId)
      })
    },
    videoByLinkToken(token) {
      const row = st.videoByLink.get(token)
      return row ? toVideo(row) : null
    },

    queueRender(videoId, kind, editsVersion, redactionKey) {
      return immediate(() => {
        const t = now()
        st.insertRender.run(videoId, kind, editsVersion, redactionKey, t, t)
        return toRender(st.render.get(videoId, kind, editsVersion) as RenderRow)
      })
    },
    getRender(videoId, kind, editsVersion) {
      const row = st.render.get(videoId, kind, editsVersion)
      return row ? toRender(row) : null
    },
    latestDoneRender(videoId, kind) {
      const row = st.latestDone.get(videoId, kind)
      return row ? toRender(row) : null
    },
    hasQueuedRender() {
      return st.oldestQueued.get() !== undefined
    },
    takeQueuedRender() {
      return immediate(() => {
        const row = st.oldestQueued.get()
        if (!row) return null
        const t = now()
        st.startRender.run(t, row.video_id, row.kind, row.edits_version)
        return toRender({ ...row, state: 'running', progress: 0, error: null, updated_at: t })
      })
    },
    updateRender(videoId, kind, editsVersion, patch) {
      const columns: Record<string, string> = {
        state: 'state',
        progress: 'progress',
        file: 'file',
        durationMs: 'duration_ms',
        sizeBytes: 'size_bytes',
        error: 'error'
      }
      const sets: string[] = []
      const values: unknown[] = []
      for (const [key, value] of Object.entries(patch)) {
        const column = columns[key]
        if (!column || value === undefined) continue
        sets.push(`${column} = ?`)
        values.push(value)
      }
      sets.push('updated_at = ?')
      values.push(now())
      db.prepare(
        `UPDATE renders SET ${sets.join(', ')} WHERE video_id = ? AND kind = ? AND edits_version = ?`
      ).run(...values, videoId, kind, editsVersion)
    },
    requeueRunningRenders() {
      return st.requeueRunning.run(now()).changes
    },
    rendersOf(videoId) {
      return st.rendersOf.all(videoId).map(toRender)
    },
    deleteRender(videoId, kind, editsVersion) {
      st.deleteRender.run(videoId, kind, editsVersion)
    },

    insertVideo: (v) => immediate(() => insertVideo(v)),
    completeUpload(uploadId, v, opts = {}) {
      return immediate(() => {
        const existing = getVideo(v.id)
        const video = existing ?? insertVideo(v)
        st.setUpload.run('done', null, now(), uploadId)
        // In the same transaction: a crash cannot leave the video without its answer link.
        const answered = opts.answers
          ? learn.linkAnswer(opts.answers, video.id, video.ownerId)
          : null
        return { video, answered: answered ? answered.request.id : null }
      })
    },
    replaceVideo(uploadId, v) {
      return immediate(() => {
        const row = st.video.get(v.id)
        if (!row) return null
        const previousUploadId = row.upload_id
        if (previousUploadId !== uploadId) {
          st.replaceMedia.run({
            id: v.id,
            title: v.title,
            description: v.description,
            durationMs: v.durationMs,
            sizeBytes: v.sizeBytes,
            filename: v.filename,
            mimeType: v.mimeType,
            projectId: v.projectId,
            callouts: JSON.stringify(v.callouts),
            hasThumbnail: v.hasThumbnail ? 1 : 0,
            uploadId,
            storage: v.storage,
            width: v.width ?? null,
            height: v.height ?? null,
            awaitingCamera: v.awaitingCamera ? 1 : 0
          })
          if (row.camera_upload_id) st.deleteUpload.run(row.camera_upload_id)
          const video = getVideo(v.id) as Video
          st.deleteSearch.run(v.id)
          st.insertSearch.run(v.id, searchBody(video))
          st.deleteUpload.run(previousUploadId)
        }
        st.setUpload.run('done', null, now(), uploadId)
        const previousCameraUploadId = previousUploadId !== uploadId ? row.camera_upload_id : null
        return { video: getVideo(v.id) as Video, previousUploadId, previousCameraUploadId }
      })
    },
    attachCamera(uploadId, videoId, facts) {
      return immediate(() => {
        const row = st.video.get(videoId)
        if (!row) return null
        const previous = row.camera_upload_id
        if (previous !== uploadId) {
          st.setCamera.run(uploadId, JSON.stringify(facts), videoId)
          if (previous) st.deleteUpload.run(previous)
        }
        st.setUpload.run('done', null, now(), uploadId)
        return {
          video: getVideo(videoId) as Video,
          previousUploadId: previous !== uploadId ? previous : null
        }
      })
    },
    detachCamera(videoId) {
      return immediate(() => {
        const row = st.video.get(videoId)
        if (!row) return null
        st.clearCamera.run(videoId)
        if (row.camera_upload_id) st.deleteUpload.run(row.camera_upload_id)
        return { previousUploadId: row.camera_upload_id }
      })
    },
    videoStorage(id) {
      const row = st.video.get(id)
      return row ? { uploadId: row.upload_id, storage: row.storage === 's3' ? 's3' : 'file' } : null
    },
    createUpload(id, userId, videoId, metadata, declaredBytes = null, live = false) {
      const t = now()
      st.insertUpload.run(id, userId, videoId, metadata, declaredBytes, live ? 1 : 0, t, t)
    },
    reservation(videoId) {
      const row = st.reservation.get(videoId)
      return row ? toUpload(row) : null
    },
    reservationsOf(userId, limit = 100) {
      // One card per reserved video, in the state of its newest upload (a "Try again" after a
      // failed finish is not live itself).
      const seen = new Set<string>()
      const out: UploadRecord[] = []
      for (const row of st.reservationsOf.all(userId, limit)) {
        if (seen.has(row.video_id)) continue
        seen.add(row.video_id)
        const newest = st.reservation.get(row.video_id)
        if (newest) out.push(toUpload(newest))
      }
      return out
    },
    discardUpload(id) {
      return immediate(() => {
        const row = st.upload.get(id)
        if (!row) return false
        // A tombstone only for a reservation nothing else fills: a video of that id, or another
        // upload that may still become it (a retry), keeps the link alive.
        const others = st.othersPending.get(row.video_id, id)?.n ?? 0
        if (row.live === 1 && !getVideo(row.video_id) && others === 0) {
          st.insertTombstone.run(row.video_id, row.user_id, now())
        }
        st.deleteUpload.run(id)
        return true
      })
    },
    failedReservation(videoId, userId) {
      return st.failedLive.get(videoId, userId) !== undefined && !getVideo(videoId)
    },
    discardedVideo(videoId) {
      const row = st.tombstone.get(videoId)
      return row ? { userId: row.user_id, discardedAt: row.discarded_at } : null
    },
    unfinishedUploads(userId, createdAfter, deferredBytes) {
      const row = st.unfinishedOf.get(deferredBytes, userId, createdAfter)
      return { count: row?.n ?? 0, bytes: row?.bytes ?? 0 }
    },
    getUpload(id) {
      const row = st.upload.get(id)
      return row ? toUpload(row) : null
    },
    setUploadState(id, state, error = null) {
      st.setUpload.run(state, error, now(), id)
    },
    listUploads: (state) => st.uploadsIn.all(state).map(toUpload),
    deleteUpload(id) {
      st.deleteUpload.run(id)
    },

    close() {
      clearInterval(tokenUseTimer)
      api.flushTokenUses()
      if (db.open) db.close()
    }
  }
  const tokenUseTimer = setInterval(() => api.flushTokenUses(), TOKEN_FLUSH_MS)
  tokenUseTimer.unref()
  return { api, db, busyTimeoutMs }
}
