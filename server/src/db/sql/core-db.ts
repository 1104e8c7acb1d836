/**
 * The library's records (users, tokens, sessions, videos, uploads, edits, renders) on either
 * engine, written once with Kysely over connection.ts's SqlDb; the learning-together half comes
 * from learn-sql.ts. Passwords are scrypt hashes with a per-user salt (passwords.ts); access
 * tokens and session ids are stored as SHA-256 hashes, so a copy of the database gives no working
 * credential.
 *
 * Every read-then-write that must not interleave with another request (or, on PostgreSQL,
 * another instance) is one `sqlDb.tx` (whose body may run again on PostgreSQL, so it touches
 * nothing outside the database) or one statement. Inside a transaction only its `trx` is used.
 */
import crypto from 'node:crypto'
import { sql, type RawBuilder, type Selectable, type SqlBool } from 'kysely'
import { checkPassword, hashPassword } from '../../passwords'
import type {
  Callout,
  DatabaseDialect,
  EditsVersion,
  LibraryDb,
  NewUpload,
  NewVideo,
  RenderRecord,
  RenderState,
  TokenRecord,
  UploadRecord,
  UploadState,
  User,
  Video,
  VideoCamera
} from '../types'
import type { Executor, SqlDb } from './connection'
import { createLearnSql } from './learn-sql'
import { createFindVideos } from './find-videos'
import { sqliteOrderKey, tsvector } from './search'
import type {
  RendersTable,
  TokensTable,
  UploadsTable,
  UsersTable,
  VideoEditsTable,
  VideosTable
} from './tables'

const SESSION_DAYS = 30
/** A token's "last used" is noted at most this often… */
const TOKEN_TOUCH_MS = 60_000
/** …and the notes are written this often (and when the database is closed). */
const TOKEN_FLUSH_MS = 30_000
/** PostgreSQL: how often takeQueuedRender tries again after losing a race for the oldest. */
const TAKE_ATTEMPTS = 5

type UserRow = Selectable<UsersTable>
type TokenRow = Selectable<TokensTable>
type VideoRow = Selectable<VideosTable>
type EditsRow = Selectable<VideoEditsTable>
type RenderRow = Selectable<RendersTable>
type UploadRow = Selectable<UploadsTable>

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

function toCamera(row: VideoRow): VideoCamera | null {
  if (!row.camera_upload_id || !row.camera_facts) return null
  try {
    const facts = JSON.parse(row.camera_facts) as VideoCamera['facts']
    return { id: row.camera_upload_id, facts }
  } catch {
    return null
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
    sizeBytes: Number(row.size_bytes),
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
    progress: Number(row.progress),
    file: row.file,
    durationMs: row.duration_ms,
    sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
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

/** The tables ordered by insertion among equal times: SQLite's rowid, PostgreSQL's `seq`. */
type InsertionOrdered = 'videos' | 'uploads' | 'renders'

/** `<table>.created_at <dir>, <insertion order> <dir>` for ORDER BY, on either engine. */
function byCreation(
  dialect: DatabaseDialect,
  table: InsertionOrdered,
  dir: 'asc' | 'desc'
): RawBuilder<unknown> {
  const order = sql.raw(dir === 'desc' ? 'DESC' : 'ASC')
  const insertion = sql.ref(`${table}.${dialect === 'sqlite' ? 'rowid' : 'seq'}`)
  return sql`${sql.ref(`${table}.created_at`)} ${order}, ${insertion} ${order}`
}

export async function createLibraryDb(sqlDb: SqlDb): Promise<LibraryDb> {
  const { dialect } = sqlDb
  const db = sqlDb.db
  const now = (): string => new Date().toISOString()

  const { learn, inTx } = createLearnSql(sqlDb, { now, newId: () => randomId(12) })
  const findVideos = createFindVideos(db, dialect, toVideo)

  /**
   * Token uses not written yet (token id → ISO time). A read must not write — a write can wait
   * for a lock, and on a full disk it fails — so `userForToken` only notes the use, at most once a
   * minute per token, and `flushTokenUses` writes the notes together, on a timer.
   */
  const tokenUses = new Map<number, string>()
  /** The flush under way, so close() waits for it before closing the connection. */
  let flushing: Promise<void> | null = null
  let closed = false
  /** close() once, however often it is called. */
  let closing: Promise<void> | null = null

  // --- helpers taking the executor (the database, or a transaction's `trx`) ------------------

  const userRow = async (ex: Executor, id: number): Promise<UserRow | undefined> =>
    ex.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()

  const getUser = async (ex: Executor, id: number): Promise<User | null> => {
    const row = await userRow(ex, id)
    return row ? toUser(row) : null
  }

  /** Case-insensitive (ASCII on SQLite, like its NOCASE; the unique index on PostgreSQL). */
  const userByName = async (ex: Executor, name: string): Promise<UserRow | undefined> =>
    ex
      .selectFrom('users')
      .selectAll()
      .where(sql<SqlBool>`lower(name) = lower(${name})`)
      .executeTakeFirst()

  const videoRow = async (ex: Executor, id: string): Promise<VideoRow | undefined> =>
    ex.selectFrom('videos').selectAll().where('id', '=', id).executeTakeFirst()

  const getVideo = async (ex: Executor, id: string): Promise<Video | null> => {
    const row = await videoRow(ex, id)
    return row ? toVideo(row) : null
  }

  const mustGetVideo = async (ex: Executor, id: string): Promise<Video> => {
    const video = await getVideo(ex, id)
    if (!video) throw new Error(`video ${id} vanished inside its own transaction`)
    return video
  }

  /** Removes the video's search row, if any (on SQLite found by its rowid, the video's order key). */
  const dropSearch = async (ex: Executor, videoId: string): Promise<void> => {
    if (dialect === 'sqlite') {
      const keyed = await sql`DELETE FROM video_search
        WHERE rowid = (SELECT ${sql.raw(sqliteOrderKey('videos'))} FROM videos WHERE id = ${videoId})
          AND video_id = ${videoId}`.execute(ex)
      if (Number(keyed.numAffectedRows ?? 0) > 0) return
      // Not under its key: the videos' rowids were renumbered (a VACUUM by hand may do that), or
      // there is none. Found by its id then, reading the search table once.
    }
    await ex.deleteFrom('video_search').where('video_id', '=', videoId).execute()
  }

  /**
   * The video's search row, made anew from `text`, with the video's place in the library's order
   * (SQLite: as its rowid; PostgreSQL: created_at and seq), so a search reads matches in order.
   * `isNew`: the video was inserted in this transaction, so it has no row to remove yet.
   */
  const putSearch = async (
    ex: Executor,
    videoId: string,
    text: string,
    isNew = false
  ): Promise<void> => {
    if (!isNew) await dropSearch(ex, videoId)
    if (dialect === 'sqlite') {
      await sql`INSERT INTO video_search (rowid, video_id, body)
        SELECT ${sql.raw(sqliteOrderKey('videos'))}, id, ${text} FROM videos WHERE id = ${videoId}`.execute(
        ex
      )
    } else {
      await sql`INSERT INTO video_search (video_id, body, created_at, seq)
        SELECT id, ${tsvector(text)}, created_at, seq FROM videos WHERE id = ${videoId}`.execute(ex)
    }
  }

  const setUpload = async (
    ex: Executor,
    id: string,
    state: UploadState,
    error: string | null
  ): Promise<void> => {
    await ex
      .updateTable('uploads')
      .set({ state, error, updated_at: now() })
      .where('id', '=', id)
      .execute()
  }

  const deleteUpload = async (ex: Executor, id: string): Promise<void> => {
    await ex.deleteFrom('uploads').where('id', '=', id).execute()
  }

  const insertUpload = async (ex: Executor, u: NewUpload): Promise<void> => {
    const t = now()
    await ex
      .insertInto('uploads')
      .values({
        id: u.id,
        user_id: u.userId,
        video_id: u.videoId,
        state: 'uploading',
        metadata: u.metadata,
        declared_bytes: u.declaredBytes,
        live: u.live ? 1 : 0,
        created_at: t,
        updated_at: t
      })
      .execute()
  }

  const countUnfinished = async (
    ex: Executor,
    userId: number,
    createdAfter: string,
    deferredBytes: number
  ): Promise<{ count: number; bytes: number }> => {
    const row = await ex
      .selectFrom('uploads')
      .select([
        (eb) => eb.fn.countAll().as('n'),
        // PostgreSQL's sum of BIGINT is NUMERIC (a string from pg): Number() below.
        sql<number | string>`coalesce(sum(coalesce(declared_bytes, ${deferredBytes})), 0)`.as(
          'bytes'
        )
      ])
      .where('user_id', '=', userId)
      .where('state', '=', 'uploading')
      .where((eb) => eb.or([eb('created_at', '>', createdAfter), eb('live', '=', 1)]))
      .executeTakeFirst()
    return { count: Number(row?.n ?? 0), bytes: Number(row?.bytes ?? 0) }
  }

  const insertVideo = async (ex: Executor, v: NewVideo): Promise<Video> => {
    const owner = await getUser(ex, v.ownerId)
    const authorName = owner?.name ?? 'unknown'
    await ex
      .insertInto('videos')
      .values({
        id: v.id,
        title: v.title,
        description: v.description,
        owner_id: v.ownerId,
        author_name: authorName,
        duration_ms: v.durationMs,
        size_bytes: v.sizeBytes,
        filename: v.filename,
        mime_type: v.mimeType,
        project_id: v.projectId,
        callouts: JSON.stringify(v.callouts),
        has_thumbnail: v.hasThumbnail ? 1 : 0,
        upload_id: v.uploadId,
        storage: v.storage,
        width: v.width ?? null,
        height: v.height ?? null,
        awaiting_edits: v.awaitingEdits ? 1 : 0,
        awaiting_camera: v.awaitingCamera ? 1 : 0,
        created_at: v.createdAt ?? now()
      })
      .execute()
    await putSearch(ex, v.id, searchBody({ ...v, authorName }), true)
    return mustGetVideo(ex, v.id)
  }

  /** The newest upload of a video that is not (yet) in the library: its reservation. */
  const reservationRow = async (ex: Executor, videoId: string): Promise<UploadRow | undefined> => {
    const notCamera =
      dialect === 'sqlite'
        ? sql<SqlBool>`json_extract(uploads.metadata, '$.cameraFor') IS NULL`
        : sql<SqlBool>`(uploads.metadata::jsonb ->> 'cameraFor') IS NULL`
    return ex
      .selectFrom('uploads')
      .selectAll('uploads')
      .where('uploads.video_id', '=', videoId)
      .where('uploads.state', '!=', 'done')
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('videos')
              .select(sql`1`.as('one'))
              .whereRef('videos.id', '=', 'uploads.video_id')
          )
        )
      )
      .where(notCamera)
      .orderBy(byCreation(dialect, 'uploads', 'desc'))
      .limit(1)
      .executeTakeFirst()
  }

  const doFlush = async (): Promise<void> => {
    if (tokenUses.size === 0) return
    const batch = [...tokenUses]
    try {
      await sqlDb.failFast(() =>
        sqlDb.tx(async (trx) => {
          for (const [id, at] of batch) {
            await trx.updateTable('tokens').set({ last_used_at: at }).where('id', '=', id).execute()
          }
        })
      )
    } catch {
      return // busy, or a full disk: "last used" is informative; the next flush writes it
    }
    for (const [id, at] of batch) if (tokenUses.get(id) === at) tokenUses.delete(id)
  }

  const flushTokenUses = async (): Promise<void> => {
    if (closed && flushing === null) return
    while (flushing) await flushing
    const run = doFlush().finally(() => {
      flushing = null
    })
    flushing = run
    await run
  }

  const api: LibraryDb = {
    ...learn,
    dialect,
    failFast: (fn) => sqlDb.failFast(fn),
    ping: () => sqlDb.ping(),

    async createUser(name, password, admin) {
      const row = await db
        .insertInto('users')
        .values({
          name,
          password_hash: hashPassword(password),
          admin: admin ? 1 : 0,
          created_at: now()
        })
        .returningAll()
        .executeTakeFirstOrThrow()
      return toUser(row)
    },
    async verifyPassword(name, password) {
      const row = await userByName(db, name)
      if (!(await checkPassword(password, row?.password_hash ?? null)) || !row) return null
      // The user may have been removed while the hash ran.
      return getUser(db, row.id)
    },
    getUser: (id) => getUser(db, id),
    async getUserByName(name) {
      const row = await userByName(db, name)
      return row ? toUser(row) : null
    },
    async listUsers() {
      // SQLite's NOCASE order: ASCII letters folded, then bytes (PostgreSQL's "C" collation).
      const order = dialect === 'sqlite' ? sql`name COLLATE NOCASE` : sql`lower(name) COLLATE "C"`
      const rows = await db.selectFrom('users').selectAll().orderBy(order).execute()
      return rows.map(toUser)
    },
    userHoldings: (userId) => holdings(db, userId),
    removeUser(name, opts = {}) {
      return sqlDb.tx(async (trx) => {
        const row = await userByName(trx, name)
        if (!row) return null
        const { videos, pending } = await holdings(trx, row.id)
        let transferred = 0
        const heir = opts.transferTo !== undefined ? await getUser(trx, opts.transferTo) : null
        if (opts.transferTo !== undefined) {
          if (opts.transferTo === row.id || !heir) {
            throw new Error('transfer to another, existing user')
          }
          const moved = await trx
            .updateTable('videos')
            .set({ owner_id: opts.transferTo })
            .where('owner_id', '=', row.id)
            .executeTakeFirst()
          transferred = Number(moved.numUpdatedRows)
          await trx
            .updateTable('uploads')
            .set({ user_id: opts.transferTo })
            .where('user_id', '=', row.id)
            .where('state', 'in', ['processing', 'done'])
            .execute()
        } else if (videos.length > 0 || pending.length > 0) {
          throw new Error(`${row.name} still owns videos: transfer or delete them first`)
        }
        const uploads = (
          await trx.selectFrom('uploads').select('id').where('user_id', '=', row.id).execute()
        ).map((r) => r.id)
        await trx.deleteFrom('uploads').where('user_id', '=', row.id).execute()
        await inTx.userRemoved(trx, row.id, heir ?? undefined)
        // Tokens and sessions go with it (ON DELETE CASCADE).
        await trx.deleteFrom('users').where('id', '=', row.id).execute()
        return { user: toUser(row), transferred, uploads }
      })
    },

    async createToken(userId, label) {
      const token = randomId(32)
      const row = await db
        .insertInto('tokens')
        .values({
          user_id: userId,
          hash: sha256(token),
          prefix: token.slice(0, 8),
          label,
          created_at: now()
        })
        .returningAll()
        .executeTakeFirstOrThrow()
      return { token, record: toToken(row) }
    },
    async userForToken(token) {
      if (!token || token.length > 200) return null
      const hash = sha256(token)
      const row = await db
        .selectFrom('tokens')
        .selectAll()
        .where('hash', '=', hash)
        .executeTakeFirst()
      if (!row || !safeEqualHex(row.hash, hash)) return null
      const t = Date.now()
      const last = tokenUses.get(row.id) ?? row.last_used_at
      if (!last || t - Date.parse(last) > TOKEN_TOUCH_MS) {
        tokenUses.set(row.id, new Date(t).toISOString())
      }
      return getUser(db, row.user_id)
    },
    flushTokenUses,
    async listTokens(userId) {
      const rows = await db
        .selectFrom('tokens')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('id', 'desc')
        .execute()
      return rows.map((row) => {
        const token = toToken(row)
        const pending = tokenUses.get(token.id)
        return pending ? { ...token, lastUsedAt: pending } : token
      })
    },
    async revokeToken(userId, prefixOrId) {
      let rows: TokenRow[]
      if (typeof prefixOrId === 'number') {
        rows = await db.selectFrom('tokens').selectAll().where('id', '=', prefixOrId).execute()
      } else {
        const wanted = prefixOrId.trim()
        if (wanted.length < 4) return false
        rows = await db
          .selectFrom('tokens')
          .selectAll()
          .where('hash', '=', sha256(wanted))
          .execute()
        if (rows.length === 0) {
          rows = await db
            .selectFrom('tokens')
            .selectAll()
            .where(
              sql<SqlBool>`prefix = ${wanted} OR substr(prefix, 1, ${wanted.length}) = ${wanted}`
            )
            .execute()
        }
      }
      if (userId !== null) rows = rows.filter((r) => r.user_id === userId)
      if (rows.length !== 1) return false // none, or ambiguous
      const gone = await db
        .deleteFrom('tokens')
        .where('id', '=', (rows[0] as TokenRow).id)
        .executeTakeFirst()
      return Number(gone.numDeletedRows) > 0
    },

    async createSession(userId) {
      const id = randomId(32)
      const csrf = randomId(24)
      const created = new Date()
      const expires = new Date(created.getTime() + SESSION_DAYS * 86_400_000)
      await db.deleteFrom('sessions').where('expires_at', '<', created.toISOString()).execute()
      await db
        .insertInto('sessions')
        .values({
          id_hash: sha256(id),
          user_id: userId,
          csrf,
          created_at: created.toISOString(),
          expires_at: expires.toISOString()
        })
        .execute()
      return { id, csrf }
    },
    async getSession(id) {
      if (!id || id.length > 200) return null
      const row = await db
        .selectFrom('sessions')
        .select(['user_id', 'csrf', 'expires_at'])
        .where('id_hash', '=', sha256(id))
        .executeTakeFirst()
      if (!row || Date.parse(row.expires_at) < Date.now()) return null
      const user = await getUser(db, row.user_id)
      return user ? { user, csrf: row.csrf } : null
    },
    async deleteSession(id) {
      await db.deleteFrom('sessions').where('id_hash', '=', sha256(id)).execute()
    },

    getVideo: (id) => getVideo(db, id),
    findVideos,
    async searchVideos(q, opts = {}) {
      return (await findVideos(q, { ...opts, countUpTo: 0 })).videos
    },
    async countVideos(q = '') {
      return (await findVideos(q, { limit: 0 })).total
    },
    updateVideo(id, patch) {
      return sqlDb.tx(async (trx) => {
        const current = await getVideo(trx, id)
        if (!current) return null
        const title = patch.title ?? current.title
        const description = patch.description ?? current.description
        await trx.updateTable('videos').set({ title, description }).where('id', '=', id).execute()
        await putSearch(trx, id, searchBody({ ...current, title, description }))
        return getVideo(trx, id)
      })
    },
    deleteVideo(id) {
      return sqlDb.tx(async (trx) => {
        await dropSearch(trx, id)
        await trx.deleteFrom('video_edits').where('video_id', '=', id).execute()
        await trx.deleteFrom('renders').where('video_id', '=', id).execute()
        await inTx.videoDeleted(trx, id)
        const gone = await trx.deleteFrom('videos').where('id', '=', id).executeTakeFirst()
        return Number(gone.numDeletedRows) > 0
      })
    },

    async editsOf(videoId, version) {
      let query = db.selectFrom('video_edits').selectAll().where('video_id', '=', videoId)
      query =
        version === undefined
          ? query.orderBy('version', 'desc').limit(1)
          : query.where('version', '=', version)
      const row = await query.executeTakeFirst()
      return row ? toEdits(row) : null
    },
    saveEdits(videoId, baseVersion, edits, userId, callouts) {
      return sqlDb.tx(async (trx) => {
        const current = await getVideo(trx, videoId)
        if (!current) return null
        if (current.editsVersion !== baseVersion) return { conflict: current.editsVersion }
        const version = baseVersion + 1
        // The version check is part of the write, so two saves on one base cannot both win.
        const moved = await trx
          .updateTable('videos')
          .set({ edits_version: version, callouts: JSON.stringify(callouts), awaiting_edits: 0 })
          .where('id', '=', videoId)
          .where('edits_version', '=', baseVersion)
          .executeTakeFirst()
        if (Number(moved.numUpdatedRows) === 0) {
          const newest = await getVideo(trx, videoId)
          return newest ? { conflict: newest.editsVersion } : null
        }
        await trx
          .insertInto('video_edits')
          .values({ video_id: videoId, version, edits, user_id: userId, created_at: now() })
          .execute()
        await putSearch(trx, videoId, searchBody({ ...current, callouts }))
        return { version }
      })
    },
    setAccess(videoId, access, linkToken) {
      return sqlDb.tx(async (trx) => {
        const changed = await trx
          .updateTable('videos')
          .set({ access, link_token: linkToken })
          .where('id', '=', videoId)
          .executeTakeFirst()
        if (Number(changed.numUpdatedRows) === 0) return null
        return getVideo(trx, videoId)
      })
    },
    async videoByLinkToken(token) {
      const row = await db
        .selectFrom('videos')
        .selectAll()
        .where('link_token', '=', token)
        .where('access', '=', 'link')
        .executeTakeFirst()
      return row ? toVideo(row) : null
    },

    queueRender(videoId, kind, editsVersion, redactionKey) {
      return sqlDb.tx(async (trx) => {
        const t = now()
        await trx
          .insertInto('renders')
          .values({
            video_id: videoId,
            kind,
            edits_version: editsVersion,
            redaction_key: redactionKey,
            state: 'queued',
            created_at: t,
            updated_at: t
          })
          .onConflict((oc) => oc.columns(['video_id', 'kind', 'edits_version']).doNothing())
          .execute()
        const row = await renderRow(trx, videoId, kind, editsVersion)
        if (!row) throw new Error(`render ${videoId}/${kind}/${editsVersion} vanished`)
        return toRender(row)
      })
    },
    async getRender(videoId, kind, editsVersion) {
      const row = await renderRow(db, videoId, kind, editsVersion)
      return row ? toRender(row) : null
    },
    async latestDoneRender(videoId, kind) {
      const row = await db
        .selectFrom('renders')
        .selectAll()
        .where('video_id', '=', videoId)
        .where('kind', '=', kind)
        .where('state', '=', 'done')
        .orderBy('edits_version', 'desc')
        .limit(1)
        .executeTakeFirst()
      return row ? toRender(row) : null
    },
    async hasQueuedRender() {
      const row = await db
        .selectFrom('renders')
        .select(sql<number>`1`.as('one'))
        .where('state', '=', 'queued')
        .limit(1)
        .executeTakeFirst()
      return row !== undefined
    },
    async takeQueuedRender() {
      // One statement: the oldest queued render becomes running for exactly one taker. On
      // PostgreSQL another instance's taker skips the row this one holds and takes the next; a
      // row taken and committed by another just as this statement locked it is not replaced by
      // the next one (LIMIT 1 … FOR UPDATE), hence the bounded retries while any still waits.
      for (let attempt = 1; ; attempt++) {
        const picked =
          dialect === 'sqlite'
            ? sql`renders.rowid = (SELECT rowid FROM renders WHERE state = 'queued'
                ORDER BY created_at, rowid LIMIT 1)`
            : sql`renders.seq = (SELECT seq FROM renders WHERE state = 'queued'
                ORDER BY created_at, seq LIMIT 1 FOR UPDATE SKIP LOCKED)`
        const row = await db
          .updateTable('renders')
          .set({ state: 'running', progress: 0, error: null, updated_at: now() })
          .where(sql<SqlBool>`${picked} AND renders.state = 'queued'`)
          .returningAll()
          .executeTakeFirst()
        if (row) return toRender(row)
        if (dialect === 'sqlite' || attempt >= TAKE_ATTEMPTS || !(await api.hasQueuedRender())) {
          return null
        }
      }
    },
    async updateRender(videoId, kind, editsVersion, patch, only = {}) {
      let query = db
        .updateTable('renders')
        .set({
          ...(patch.state !== undefined && { state: patch.state }),
          ...(patch.progress !== undefined && { progress: patch.progress }),
          ...(patch.file !== undefined && { file: patch.file }),
          ...(patch.durationMs !== undefined && { duration_ms: patch.durationMs }),
          ...(patch.sizeBytes !== undefined && { size_bytes: patch.sizeBytes }),
          ...(patch.error !== undefined && { error: patch.error }),
          updated_at: now()
        })
        .where('video_id', '=', videoId)
        .where('kind', '=', kind)
        .where('edits_version', '=', editsVersion)
      if (only.redactionKey !== undefined) {
        query = query.where('redaction_key', '=', only.redactionKey)
      }
      if (only.running) query = query.where('state', '=', 'running')
      const result = await query.executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    },
    async requeueRunningRenders(staleBefore) {
      let query = db
        .updateTable('renders')
        .set({ state: 'queued', progress: 0, updated_at: now() })
        .where('state', '=', 'running')
      if (staleBefore !== undefined) query = query.where('updated_at', '<', staleBefore)
      const moved = await query.executeTakeFirst()
      return Number(moved.numUpdatedRows)
    },
    async rendersOf(videoId) {
      const rows = await db
        .selectFrom('renders')
        .selectAll()
        .where('video_id', '=', videoId)
        .orderBy('kind')
        .orderBy('edits_version')
        .execute()
      return rows.map(toRender)
    },
    async deleteRender(videoId, kind, editsVersion, opts = {}) {
      let query = db
        .deleteFrom('renders')
        .where('video_id', '=', videoId)
        .where('kind', '=', kind)
        .where('edits_version', '=', editsVersion)
      if (opts.unlessRunning) query = query.where('state', '<>', 'running')
      const result = await query.executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    },

    insertVideo: (v) => sqlDb.tx((trx) => insertVideo(trx, v)),
    completeUpload(uploadId, v, opts = {}) {
      return sqlDb.tx(async (trx) => {
        const existing = await getVideo(trx, v.id)
        const video = existing ?? (await insertVideo(trx, v))
        await setUpload(trx, uploadId, 'done', null)
        // In the same transaction: a crash cannot leave the video without its answer link.
        const answered = opts.answers
          ? await inTx.linkAnswer(trx, opts.answers, video.id, video.ownerId)
          : null
        return { video, answered: answered ? answered.request.id : null }
      })
    },
    replaceVideo(uploadId, v) {
      return sqlDb.tx(async (trx) => {
        const row = await videoRow(trx, v.id)
        if (!row) return null
        const previousUploadId = row.upload_id
        if (previousUploadId !== uploadId) {
          await trx
            .updateTable('videos')
            .set({
              title: v.title,
              description: v.description,
              duration_ms: v.durationMs,
              size_bytes: v.sizeBytes,
              filename: v.filename,
              mime_type: v.mimeType,
              project_id: v.projectId,
              callouts: JSON.stringify(v.callouts),
              has_thumbnail: v.hasThumbnail ? 1 : 0,
              upload_id: uploadId,
              storage: v.storage,
              width: v.width ?? null,
              height: v.height ?? null,
              camera_upload_id: null,
              camera_facts: null,
              awaiting_camera: v.awaitingCamera ? 1 : 0
            })
            .where('id', '=', v.id)
            .execute()
          if (row.camera_upload_id) await deleteUpload(trx, row.camera_upload_id)
          const video = await mustGetVideo(trx, v.id)
          await putSearch(trx, v.id, searchBody(video))
          await deleteUpload(trx, previousUploadId)
        }
        await setUpload(trx, uploadId, 'done', null)
        const previousCameraUploadId = previousUploadId !== uploadId ? row.camera_upload_id : null
        return { video: await mustGetVideo(trx, v.id), previousUploadId, previousCameraUploadId }
      })
    },
    attachCamera(uploadId, videoId, facts) {
      return sqlDb.tx(async (trx) => {
        const row = await videoRow(trx, videoId)
        if (!row) return null
        const previous = row.camera_upload_id
        if (previous !== uploadId) {
          await trx
            .updateTable('videos')
            .set({
              camera_upload_id: uploadId,
              camera_facts: JSON.stringify(facts),
              awaiting_camera: 0
            })
            .where('id', '=', videoId)
            .execute()
          if (previous) await deleteUpload(trx, previous)
        }
        await setUpload(trx, uploadId, 'done', null)
        return {
          video: await mustGetVideo(trx, videoId),
          previousUploadId: previous !== uploadId ? previous : null
        }
      })
    },
    detachCamera(videoId) {
      return sqlDb.tx(async (trx) => {
        const row = await videoRow(trx, videoId)
        if (!row) return null
        await trx
          .updateTable('videos')
          .set({ camera_upload_id: null, camera_facts: null, awaiting_camera: 0 })
          .where('id', '=', videoId)
          .execute()
        if (row.camera_upload_id) await deleteUpload(trx, row.camera_upload_id)
        return { previousUploadId: row.camera_upload_id }
      })
    },
    async videoStorage(id) {
      const row = await db
        .selectFrom('videos')
        .select(['upload_id', 'storage'])
        .where('id', '=', id)
        .executeTakeFirst()
      return row ? { uploadId: row.upload_id, storage: row.storage === 's3' ? 's3' : 'file' } : null
    },
    async createUpload(id, userId, videoId, metadata, declaredBytes = null, live = false) {
      await insertUpload(db, { id, userId, videoId, metadata, declaredBytes, live })
    },
    async createUploadWithin(upload, quota) {
      return sqlDb.tx(async (trx) => {
        const held = await countUnfinished(
          trx,
          upload.userId,
          quota.createdAfter,
          quota.deferredBytes
        )
        const refusal = quota.admit(held)
        if (refusal === null) await insertUpload(trx, upload)
        return refusal
      })
    },
    async reservation(videoId) {
      const row = await reservationRow(db, videoId)
      return row ? toUpload(row) : null
    },
    async reservationsOf(userId, limit = 100) {
      const rows = await db
        .selectFrom('uploads')
        .selectAll('uploads')
        .where('uploads.user_id', '=', userId)
        .where('uploads.live', '=', 1)
        .where('uploads.state', '!=', 'done')
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('videos')
                .select(sql`1`.as('one'))
                .whereRef('videos.id', '=', 'uploads.video_id')
            )
          )
        )
        .orderBy(byCreation(dialect, 'uploads', 'desc'))
        .limit(limit)
        .execute()
      // One card per reserved video, in the state of its newest upload (a "Try again" after a
      // failed finish is not live itself).
      const seen = new Set<string>()
      const out: UploadRecord[] = []
      for (const row of rows) {
        if (seen.has(row.video_id)) continue
        seen.add(row.video_id)
        const newest = await reservationRow(db, row.video_id)
        if (newest) out.push(toUpload(newest))
      }
      return out
    },
    discardUpload(id) {
      return sqlDb.tx(async (trx) => {
        const row = await trx
          .selectFrom('uploads')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst()
        if (!row) return false
        // A tombstone only for a reservation nothing else fills: a video of that id, or another
        // upload that may still become it (a retry), keeps the link alive.
        const others = await trx
          .selectFrom('uploads')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('video_id', '=', row.video_id)
          .where('id', '!=', id)
          .where('state', 'in', ['uploading', 'processing'])
          .executeTakeFirst()
        if (
          row.live === 1 &&
          !(await videoRow(trx, row.video_id)) &&
          Number(others?.n ?? 0) === 0
        ) {
          await trx
            .insertInto('discarded_videos')
            .values({ video_id: row.video_id, user_id: row.user_id, discarded_at: now() })
            .onConflict((oc) => oc.column('video_id').doNothing())
            .execute()
        }
        await deleteUpload(trx, id)
        return true
      })
    },
    async failedReservation(videoId, userId) {
      const failed = await db
        .selectFrom('uploads')
        .select('id')
        .where('video_id', '=', videoId)
        .where('user_id', '=', userId)
        .where('live', '=', 1)
        .where('state', '=', 'failed')
        .limit(1)
        .executeTakeFirst()
      return failed !== undefined && !(await videoRow(db, videoId))
    },
    async discardedVideo(videoId) {
      const row = await db
        .selectFrom('discarded_videos')
        .select(['user_id', 'discarded_at'])
        .where('video_id', '=', videoId)
        .executeTakeFirst()
      return row ? { userId: row.user_id, discardedAt: row.discarded_at } : null
    },
    unfinishedUploads: (userId, createdAfter, deferredBytes) =>
      countUnfinished(db, userId, createdAfter, deferredBytes),
    async getUpload(id) {
      const row = await db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirst()
      return row ? toUpload(row) : null
    },
    async setUploadState(id, state, error = null) {
      await setUpload(db, id, state, error)
    },
    async listUploads(state) {
      const rows = await db
        .selectFrom('uploads')
        .selectAll()
        .where('state', '=', state)
        .orderBy('created_at')
        .execute()
      return rows.map(toUpload)
    },
    async deleteUpload(id) {
      await deleteUpload(db, id)
    },
    async claimUpload(id, owner, leaseMs) {
      // One statement, so two instances claiming at once cannot both win: PostgreSQL's second
      // UPDATE waits for the first and checks the WHERE again on the row it left; SQLite writes
      // one at a time. Times are ISO strings of the instances' clocks (compared as text), which
      // must agree to well within a lease.
      const t = new Date()
      const claimed = await db
        .updateTable('uploads')
        .set({ claimed_by: owner, claimed_until: new Date(t.getTime() + leaseMs).toISOString() })
        .where('id', '=', id)
        .where((eb) =>
          eb.or([
            eb('claimed_until', 'is', null),
            eb('claimed_until', '<', t.toISOString()),
            eb('claimed_by', '=', owner)
          ])
        )
        .executeTakeFirst()
      return Number(claimed.numUpdatedRows) > 0
    },
    async releaseUpload(id, owner) {
      await db
        .updateTable('uploads')
        .set({ claimed_by: null, claimed_until: null })
        .where('id', '=', id)
        .where('claimed_by', '=', owner)
        .execute()
    },

    close() {
      closing ??= (async () => {
        clearInterval(tokenUseTimer)
        await flushTokenUses()
        closed = true
        await sqlDb.close()
      })()
      return closing
    }
  }

  async function holdings(
    ex: Executor,
    userId: number
  ): Promise<{ videos: string[]; pending: string[] }> {
    const videos = await ex
      .selectFrom('videos')
      .select('id')
      .where('owner_id', '=', userId)
      .orderBy('id')
      .execute()
    const pending = await ex
      .selectFrom('uploads')
      .select('id')
      .where('user_id', '=', userId)
      .where('state', '=', 'processing')
      .orderBy('id')
      .execute()
    return { videos: videos.map((r) => r.id), pending: pending.map((r) => r.id) }
  }

  async function renderRow(
    ex: Executor,
    videoId: string,
    kind: string,
    editsVersion: number
  ): Promise<RenderRow | undefined> {
    return ex
      .selectFrom('renders')
      .selectAll()
      .where('video_id', '=', videoId)
      .where('kind', '=', kind)
      .where('edits_version', '=', editsVersion)
      .executeTakeFirst()
  }

  // Written on a timer (not on the request path); a failure keeps the notes for the next one.
  const tokenUseTimer = setInterval(() => void flushTokenUses(), TOKEN_FLUSH_MS)
  tokenUseTimer.unref()
  return api
}
