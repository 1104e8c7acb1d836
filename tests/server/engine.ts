/**
 * Which database engine the server tests run their libraries on. By default each test server
 * keeps its records in SQLite in its data folder. With SIDECAST_TEST_DATABASE=postgres
 * (`npm run test:server:postgres`, which scripts/with-services.ts runs with a PostgreSQL and a
 * Redis of its own) every server gets its own fresh PostgreSQL database, made on
 * SIDECAST_TEST_POSTGRES_URL, and its own database number in the Redis at SIDECAST_TEST_REDIS_URL.
 *
 * A database belongs to a data folder: a server started again on the same folder (a restart)
 * finds the same records. Databases are copies of a template migrated once per test process
 * (CREATE DATABASE … TEMPLATE is much faster than migrating each), and are dropped when the test
 * file's tests have ended.
 */
import { createHash, randomBytes } from 'node:crypto'
import path from 'node:path'
import { threadId } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { Redis } from 'ioredis'
import pg from 'pg'
import { afterAll } from 'vitest'
import type { ServerConfig } from '../../server/src/config'
import { openLibraryDb, type DatabaseTarget } from '../../server/src/db/open'
import { POSTGRES_MIGRATIONS } from '../../server/src/db/sql/migrations-postgres'

/** True when this run puts every test server on PostgreSQL and Redis. */
export const onPostgres = process.env.SIDECAST_TEST_DATABASE === 'postgres'

/** The names this harness gives its databases: templates, and the servers' own. */
const TEMPLATE_PREFIX = 'sidecast_tmpl_'
const DATABASE_PREFIX = 'sidecast_test_'
/** The template for this code's schema in this process (worker thread included). */
const TEMPLATE = `${TEMPLATE_PREFIX}${createHash('sha256')
  .update(JSON.stringify(POSTGRES_MIGRATIONS))
  .digest('hex')
  .slice(0, 8)}_${process.pid}_${threadId}`

/** "The database is being accessed by other users": a template still closing its connections. */
const IN_USE = '55006'
/** Copying a template another session still holds is tried again this often, 100 ms apart. */
const COPY_ATTEMPTS = 100

function setting(name: 'SIDECAST_TEST_POSTGRES_URL' | 'SIDECAST_TEST_REDIS_URL'): string {
  const value = process.env[name]
  if (!value) {
    throw new Error(
      `SIDECAST_TEST_DATABASE=postgres needs ${name}: run the server tests on PostgreSQL with ` +
        '`npm run test:server:postgres` (it starts PostgreSQL and Redis), or set it.'
    )
  }
  return value
}

/** The admin URL with another database name. */
function urlOf(database: string): string {
  const url = new URL(setting('SIDECAST_TEST_POSTGRES_URL'))
  url.pathname = `/${database}`
  return url.toString()
}

let admin: pg.Pool | null = null
function adminPool(): pg.Pool {
  if (!admin) {
    admin = new pg.Pool({
      connectionString: setting('SIDECAST_TEST_POSTGRES_URL'),
      max: 2,
      connectionTimeoutMillis: 10_000
    })
    // An idle admin connection that the server closes is replaced on the next query.
    admin.on('error', () => {})
  }
  return admin
}

async function adminQuery(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  return adminPool().query(text, values)
}

/** Quotes an identifier (the names here are made of [a-z0-9_] anyway). */
const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`

/** Whether a process of this machine with that pid is alive (a harness database's owner). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Drops what test processes that are gone left behind (a killed run, an earlier run's templates):
 * harness databases named after a pid that no longer runs here.
 */
async function dropLeftovers(): Promise<void> {
  const { rows } = await adminQuery(
    `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname LIKE $2`,
    [`${TEMPLATE_PREFIX}%`, `${DATABASE_PREFIX}%`]
  )
  for (const { datname } of rows as { datname: string }[]) {
    const owner =
      /^sidecast_tmpl_[0-9a-f]{8}_(\d+)_\d+$/.exec(datname) ??
      /^sidecast_test_(\d+)_\d+_[0-9a-f]{12}$/.exec(datname)
    const pid = Number(owner?.[1])
    if (pid && pid !== process.pid && !alive(pid)) {
      await adminQuery(`DROP DATABASE IF EXISTS ${ident(datname)} WITH (FORCE)`)
    }
  }
}

let template: Promise<void> | null = null
/** Makes this process's template once: a database migrated by the server's own code. */
function ensureTemplate(): Promise<void> {
  template ??= (async () => {
    const { rowCount } = await adminQuery('SELECT 1 FROM pg_database WHERE datname = $1', [
      TEMPLATE
    ])
    // An earlier test file of this process made it already (modules are fresh per file).
    if (rowCount) return
    await dropLeftovers()
    await adminQuery(`CREATE DATABASE ${ident(TEMPLATE)}`)
    try {
      const db = await openLibraryDb({ url: urlOf(TEMPLATE) })
      await db.close()
    } catch (error) {
      await adminQuery(`DROP DATABASE IF EXISTS ${ident(TEMPLATE)} WITH (FORCE)`).catch(() => {})
      throw error
    }
  })()
  // A failure is reported to every caller of this file, and a later file tries again.
  return template
}

/** The databases this test file made, by data folder. */
const databases = new Map<string, Promise<string>>()

async function createDatabase(): Promise<string> {
  await ensureTemplate()
  const name = `${DATABASE_PREFIX}${process.pid}_${threadId}_${randomBytes(6).toString('hex')}`
  for (let attempt = 1; ; attempt++) {
    try {
      await adminQuery(`CREATE DATABASE ${ident(name)} TEMPLATE ${ident(TEMPLATE)}`)
      return name
    } catch (error) {
      // The template's last connection may still be closing (just migrated).
      if ((error as { code?: string }).code !== IN_USE || attempt >= COPY_ATTEMPTS) throw error
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}

/**
 * The PostgreSQL URL of the library kept for `dataDir`: a fresh database the first time, the
 * same one for a server started again on that folder.
 */
export async function serverDatabaseUrl(dataDir: string): Promise<string> {
  let made = databases.get(dataDir)
  if (!made) {
    made = createDatabase()
    databases.set(dataDir, made)
    // A failed creation is not remembered: the next start tries again.
    made.catch(() => databases.delete(dataDir))
  }
  return urlOf(await made)
}

// ---------------------------------------------------------------------------------------------
// Redis: one logical database (SELECT n) per data folder, so that servers of test files running
// at the same time do not share counters (every test signs in from 127.0.0.1: one server's wrong
// sign-ins would throttle another's). Pub/sub channels are shared by all of them; the locker's
// messages name random upload ids. The numbers go round the server's `databases` (the test
// services start Redis with 4096; a default Redis has 16, enough for a few files at a time):
// each is emptied when it is handed out.

/** Hands out database numbers, counting in database 0 (never given to a server). */
const NEXT_REDIS_DB = 'sidecast-test:next-db'

let redisAdmin: Redis | null = null
let redisDbCount: Promise<number> | null = null
const redisDbs = new Map<string, Promise<number>>()

function redisAdminClient(): Redis {
  redisAdmin ??= new Redis(setting('SIDECAST_TEST_REDIS_URL'), {
    db: 0,
    maxRetriesPerRequest: 3,
    connectTimeout: 10_000,
    commandTimeout: 10_000
  })
  return redisAdmin
}

async function allocateRedisDb(): Promise<number> {
  const client = redisAdminClient()
  redisDbCount ??= client
    .config('GET', 'databases')
    .then((reply) => Number((reply as string[])[1]) || 16)
  const count = await redisDbCount
  if (count < 2) throw new Error('the test Redis needs more than one database (--databases)')
  const next = await client.incr(NEXT_REDIS_DB)
  const db = 1 + ((next - 1) % (count - 1))
  // Empty, whatever an earlier run (or a server long gone) left there.
  const own = client.duplicate({ db })
  try {
    await own.flushdb()
  } finally {
    own.disconnect()
  }
  return db
}

/** The Redis URL of the library kept for `dataDir` (the same database number on a restart). */
export async function serverRedisUrl(dataDir: string): Promise<string> {
  let made = redisDbs.get(dataDir)
  if (!made) {
    made = allocateRedisDb()
    redisDbs.set(dataDir, made)
    made.catch(() => redisDbs.delete(dataDir))
  }
  const url = new URL(setting('SIDECAST_TEST_REDIS_URL'))
  url.pathname = `/${await made}`
  return url.toString()
}

/**
 * What a test server on `dataDir` adds to its configuration: nothing on SQLite; on PostgreSQL
 * its database and its Redis database.
 */
export async function engineConfig(dataDir: string): Promise<Partial<ServerConfig>> {
  if (!onPostgres) return {}
  const [databaseUrl, redisUrl] = await Promise.all([
    serverDatabaseUrl(dataDir),
    serverRedisUrl(dataDir)
  ])
  return { databaseUrl, redisUrl }
}

/**
 * Where the library of `dataDir` keeps its records, for opening it beside a server or the command
 * line (openLibraryDb): library.db in the folder on SQLite, the folder's database on PostgreSQL.
 */
export async function libraryTarget(dataDir: string): Promise<DatabaseTarget> {
  if (!onPostgres) return { file: path.join(dataDir, 'library.db') }
  return { url: await serverDatabaseUrl(dataDir) }
}

/**
 * Runs one SQL statement on the library of `dataDir` from a connection of its own, beside the
 * server (what a test does behind the server's back): `?` placeholders on both engines. The rows
 * of a query; an empty list for other statements.
 */
export async function librarySql<R = Record<string, unknown>>(
  dataDir: string,
  text: string,
  params: unknown[] = []
): Promise<R[]> {
  const target = await libraryTarget(dataDir)
  if ('url' in target) {
    let n = 0
    const client = new pg.Client({ connectionString: target.url, connectionTimeoutMillis: 10_000 })
    await client.connect()
    try {
      const result = await client.query(
        text.replace(/\?/g, () => `$${++n}`),
        params
      )
      return (result.rows ?? []) as R[]
    } finally {
      await client.end()
    }
  }
  const raw = new Database(target.file)
  try {
    const statement = raw.prepare(text)
    if (statement.reader) return statement.all(...params) as R[]
    statement.run(...params)
    return []
  } finally {
    raw.close()
  }
}

/**
 * The environment the server's command line needs to reach the library of `dataDir`: nothing
 * on SQLite (it finds library.db there); on PostgreSQL that library's database and the Redis.
 */
export async function engineEnv(dataDir: string): Promise<NodeJS.ProcessEnv> {
  if (!onPostgres) return {}
  const { databaseUrl, redisUrl } = await engineConfig(dataDir)
  return {
    SIDECAST_LIBRARY_DATABASE_URL: databaseUrl ?? undefined,
    SIDECAST_LIBRARY_REDIS_URL: redisUrl ?? undefined
  }
}

/** Drops every database this test file made (connections still open are ended). */
export async function dropDatabases(): Promise<void> {
  const made = [...databases.values()]
  databases.clear()
  const names = await Promise.allSettled(made)
  for (const r of names) {
    if (r.status === 'fulfilled') {
      await adminQuery(`DROP DATABASE IF EXISTS ${ident(r.value)} WITH (FORCE)`)
    }
  }
}

// After the file's own after-all hooks and support.ts's (registered later, run earlier): the
// servers are closed by then.
afterAll(async () => {
  redisDbs.clear()
  redisAdmin?.disconnect()
  redisAdmin = null
  if (!admin) return
  try {
    await dropDatabases()
  } finally {
    const pool = admin
    admin = null
    await pool.end()
  }
})
