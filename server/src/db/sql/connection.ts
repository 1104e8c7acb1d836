/**
 * The library's connection to its database, whichever engine holds it: the embedded SQLite file
 * (better-sqlite3, WAL; the default) or PostgreSQL (a `pg` pool; SIDECAST_LIBRARY_DATABASE_URL).
 * Both are driven through one Kysely instance typed by `Tables`, so every query is written once.
 *
 * Write transactions go through `tx`, which gives both engines the same meaning: the body runs as
 * if alone. SQLite takes the write lock at BEGIN (BEGIN IMMEDIATE) on its one connection, so
 * transactions follow one another; PostgreSQL runs them SERIALIZABLE and runs the body again when
 * the engine finds it could not be serialized. A `tx` body therefore touches nothing but the
 * database (it may run more than once), and uses only the executor it is given: on SQLite a query
 * on the outer Kysely instance inside a transaction waits for the transaction to end — forever.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database, { type Database as SqliteHandle, type Statement } from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely'
import pg from 'pg'
import type { DatabaseDialect } from '../types'
import { MIGRATIONS as SQLITE_MIGRATIONS } from './migrations-sqlite'
import { POSTGRES_MIGRATIONS } from './migrations-postgres'
import type { Tables } from './tables'

/** Where the library's records are: a SQLite file, or a PostgreSQL URL. */
export type DatabaseTarget = { file: string } | { url: string }

export interface OpenOptions {
  /**
   * SQLite: how long one statement waits for another connection's lock, in ms; default 5000 (the
   * command line). The server passes BUSY_TIMEOUT_MS (db/busy.ts): on its event loop a long wait
   * freezes every request. Migrations always wait the full 5 s.
   */
  busyTimeoutMs?: number
  /** PostgreSQL: connections in the pool; default 10. */
  poolSize?: number
}

/** The executor a query runs on: the database, or a transaction's connection. */
export type Executor = Kysely<Tables>

export interface SqlDb {
  readonly dialect: DatabaseDialect
  /** Queries outside a transaction (reads, single-statement writes). */
  readonly db: Executor
  /** A write transaction (see the top of this file); its body uses `trx` only. */
  tx<T>(body: (trx: Executor) => Promise<T>): Promise<T>
  /**
   * Runs `fn` without waiting for another connection's lock: a locked SQLite database answers
   * SQLITE_BUSY at once (db/busy.ts retries asynchronously). On PostgreSQL it just runs `fn`.
   */
  failFast<T>(fn: () => Promise<T>): Promise<T>
  /** Resolves when the database answers `SELECT 1`. */
  ping(): Promise<void>
  /** The better-sqlite3 handle on SQLite (pragmas, online backup); null on PostgreSQL. */
  readonly sqlite: SqliteHandle | null
  close(): Promise<void>
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000
const DEFAULT_POOL_SIZE = 10
/** better-sqlite3 statements kept prepared (Kysely prepares each query it runs). */
const STATEMENT_CACHE = 500

export async function openSql(target: DatabaseTarget, options: OpenOptions = {}): Promise<SqlDb> {
  return 'url' in target ? openPostgres(target.url, options) : openSqlite(target.file, options)
}

// ---------------------------------------------------------------------------------------------
// SQLite

function openSqlite(file: string, options: OpenOptions): SqlDb {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const raw = new Database(file)
  raw.pragma('journal_mode = WAL')
  raw.pragma(`busy_timeout = ${DEFAULT_BUSY_TIMEOUT_MS}`)
  raw.pragma('synchronous = NORMAL')
  try {
    migrateSqlite(raw, file)
  } catch (error) {
    raw.close()
    throw error
  }
  raw.pragma('foreign_keys = ON')
  const busyTimeoutMs = Math.max(0, Math.trunc(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS))
  raw.pragma(`busy_timeout = ${busyTimeoutMs}`)

  // Kysely prepares every query it runs; prepared statements are kept and reused instead.
  const statements = new Map<string, Statement>()
  const database = {
    close: () => {
      if (raw.open) raw.close()
    },
    prepare: (text: string) => {
      let statement = statements.get(text)
      if (statement) {
        // Most recently used last: the first entry is the one to drop.
        statements.delete(text)
      } else {
        statement = raw.prepare(text)
        if (statements.size >= STATEMENT_CACHE) {
          const oldest = statements.keys().next().value
          if (oldest !== undefined) statements.delete(oldest)
        }
      }
      statements.set(text, statement)
      return statement
    }
  }
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database }) })

  return {
    dialect: 'sqlite',
    db,
    sqlite: raw,
    tx: (body) =>
      db.connection().execute(async (conn) => {
        await sql`BEGIN IMMEDIATE`.execute(conn)
        try {
          const result = await body(conn)
          await sql`COMMIT`.execute(conn)
          return result
        } catch (error) {
          // A failed COMMIT (SQLITE_BUSY, SQLITE_FULL) may leave the transaction open or not.
          if (!raw.inTransaction) throw error
          try {
            await sql`ROLLBACK`.execute(conn)
          } catch {
            // The error that stopped the body is the one to report.
          }
          throw error
        }
      }),
    async failFast(fn) {
      raw.pragma('busy_timeout = 0')
      try {
        return await fn()
      } finally {
        if (raw.open) raw.pragma(`busy_timeout = ${busyTimeoutMs}`)
      }
    },
    async ping() {
      await sql`SELECT 1`.execute(db)
    },
    async close() {
      await db.destroy()
    }
  }
}

function migrateSqlite(raw: SqliteHandle, file: string): void {
  const version = Number(raw.pragma('user_version', { simple: true }))
  if (version > SQLITE_MIGRATIONS.length) {
    throw new Error(
      `The library database ${file} is from a newer Sidecast server (schema ${version}); this one knows ${SQLITE_MIGRATIONS.length}.`
    )
  }
  // Foreign keys stay off while tables are rebuilt (SQLite's recipe for schema changes):
  // dropping the old users table must not cascade to tokens and sessions.
  raw.pragma('foreign_keys = OFF')
  for (let v = version; v < SQLITE_MIGRATIONS.length; v++) {
    const step = SQLITE_MIGRATIONS[v] as string
    raw.transaction(() => {
      raw.exec(step)
      const broken = raw.pragma('foreign_key_check') as unknown[]
      if (broken.length > 0) throw new Error(`migration ${v + 1} broke ${broken.length} references`)
      raw.pragma(`user_version = ${v + 1}`)
    })()
  }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/** SQLSTATEs after which a SERIALIZABLE transaction is simply run again. */
const RETRY_STATES = new Set(['40001', '40P01'])
/**
 * How often a transaction PostgreSQL could not serialize runs again. Many people acting on one
 * thing at once (thirty replies to one thread) conflict with each other round after round: each
 * round commits at least one of them, and the waits between attempts grow (with jitter, so the
 * others do not collide again in step) up to TX_MAX_WAIT_MS.
 */
const TX_ATTEMPTS = 40
const TX_MAX_WAIT_MS = 250
/** The advisory lock instances take while they migrate, so two starting at once do not race. */
const MIGRATION_LOCK = 0x51dec457

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Whole numbers (int8: count(*), sums, BIGINT columns) as numbers, not strings. */
const pgTypes = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === pg.types.builtins.INT8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser
}

async function openPostgres(url: string, options: OpenOptions): Promise<SqlDb> {
  const pool = new pg.Pool({
    connectionString: url,
    max: Math.max(1, Math.trunc(options.poolSize ?? DEFAULT_POOL_SIZE)),
    types: pgTypes,
    // A server that went away is noticed by the next query, not by a process crash.
    connectionTimeoutMillis: 10_000
  })
  // An idle client losing its connection (a restarted database) emits this; the pool replaces it.
  pool.on('error', () => {})
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) })
  try {
    await migratePostgres(db)
  } catch (error) {
    await db.destroy()
    throw error
  }
  return {
    dialect: 'postgres',
    db,
    sqlite: null,
    async tx(body) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await db.transaction().setIsolationLevel('serializable').execute(body)
        } catch (error) {
          const code = (error as { code?: unknown } | null)?.code
          if (attempt >= TX_ATTEMPTS || typeof code !== 'string' || !RETRY_STATES.has(code)) {
            throw error
          }
          await sleep(Math.random() * Math.min(TX_MAX_WAIT_MS, 4 * 2 ** attempt))
        }
      }
    },
    failFast: (fn) => fn(),
    async ping() {
      await sql`SELECT 1`.execute(db)
    },
    async close() {
      await db.destroy()
    }
  }
}

async function migratePostgres(db: Kysely<Tables>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx)
    await sql`CREATE TABLE IF NOT EXISTS sidecast_schema (version INTEGER NOT NULL)`.execute(trx)
    const rows = await sql<{ version: number }>`SELECT version FROM sidecast_schema`.execute(trx)
    let version = rows.rows[0]?.version ?? 0
    if (rows.rows.length === 0) {
      await sql`INSERT INTO sidecast_schema (version) VALUES (0)`.execute(trx)
    }
    if (version > POSTGRES_MIGRATIONS.length) {
      throw new Error(
        `The library database is from a newer Sidecast server (schema ${version}); this one knows ${POSTGRES_MIGRATIONS.length}.`
      )
    }
    for (; version < POSTGRES_MIGRATIONS.length; version++) {
      await sql.raw(POSTGRES_MIGRATIONS[version] as string).execute(trx)
      await sql`UPDATE sidecast_schema SET version = ${version + 1}`.execute(trx)
    }
  })
}
