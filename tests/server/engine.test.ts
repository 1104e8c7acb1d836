/**
 * The server tests' PostgreSQL databases (engine.ts): one per data folder, the same one again for
 * a restart on that folder, made from a template migrated by the server's own code, dropped at the
 * end. Needs SIDECAST_TEST_POSTGRES_URL (npm run test:server sets it); skipped without.
 */
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import { Redis } from 'ioredis'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { POSTGRES_MIGRATIONS } from '../../server/src/db/sql/migrations-postgres'
import {
  dropDatabases,
  engineConfig,
  onPostgres,
  serverDatabaseUrl,
  serverRedisUrl
} from './engine'

const ADMIN_URL = process.env.SIDECAST_TEST_POSTGRES_URL
const REDIS_URL = process.env.SIDECAST_TEST_REDIS_URL

async function query<R extends pg.QueryResultRow>(url: string, text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 })
  await client.connect()
  try {
    return (await client.query<R>(text)).rows
  } finally {
    await client.end()
  }
}

/** A data folder's path (the databases are keyed by it; nothing is made on disk). */
const folder = (): string =>
  path.join(os.tmpdir(), `sidecast-engine-${randomBytes(6).toString('hex')}`)

const databaseName = (url: string): string => new URL(url).pathname.slice(1)

describe.skipIf(!ADMIN_URL)(
  ADMIN_URL
    ? 'test databases on PostgreSQL'
    : 'test databases on PostgreSQL (skipped: SIDECAST_TEST_POSTGRES_URL is not set)',
  () => {
    afterAll(dropDatabases)

    it.skipIf(!REDIS_URL)(
      REDIS_URL
        ? 'one empty Redis database per data folder, the same one again for that folder'
        : 'Redis databases (skipped: SIDECAST_TEST_REDIS_URL is not set)',
      async () => {
        const first = folder()
        const [a, again, b] = await Promise.all([
          serverRedisUrl(first),
          serverRedisUrl(first),
          serverRedisUrl(folder())
        ])
        expect(again).toBe(a)
        expect(b).not.toBe(a)
        expect(new URL(a).pathname).toMatch(/^\/[1-9]\d*$/)
        const one = new Redis(a)
        const other = new Redis(b)
        const restarted = new Redis(await serverRedisUrl(first))
        try {
          expect(await one.dbsize()).toBe(0)
          // Counters one server keeps are not another's, and are there again after a restart.
          await one.set('sidecast:count:sign-in:127.0.0.1', '5')
          expect(await other.get('sidecast:count:sign-in:127.0.0.1')).toBeNull()
          expect(await restarted.get('sidecast:count:sign-in:127.0.0.1')).toBe('5')
        } finally {
          for (const client of [one, other, restarted]) client.disconnect()
        }
      }
    )

    it('one migrated database per data folder, the same one again for that folder; dropped at the end', async () => {
      const first = folder()
      const second = folder()
      const [a, again, b] = await Promise.all([
        serverDatabaseUrl(first),
        serverDatabaseUrl(first),
        serverDatabaseUrl(second)
      ])
      expect(again).toBe(a)
      expect(b).not.toBe(a)
      expect(await serverDatabaseUrl(first)).toBe(a)

      // Each is the schema the server migrates to, and empty.
      for (const url of [a, b]) {
        expect(await query(url, 'SELECT version FROM sidecast_schema')).toEqual([
          { version: POSTGRES_MIGRATIONS.length }
        ])
        expect(await query(url, 'SELECT count(*)::int AS n FROM users')).toEqual([{ n: 0 }])
      }
      // Records in one are not in the other.
      await query(a, `INSERT INTO users (name, password_hash, created_at) VALUES ('x', 'h', 'now')`)
      expect(await query(b, 'SELECT count(*)::int AS n FROM users')).toEqual([{ n: 0 }])

      await dropDatabases()
      const left = await query<{ datname: string }>(
        ADMIN_URL as string,
        `SELECT datname FROM pg_database WHERE datname IN ('${databaseName(a)}', '${databaseName(b)}')`
      )
      expect(left).toEqual([])
      // A folder asked for after the drop gets a fresh database.
      const fresh = await serverDatabaseUrl(first)
      expect(fresh).not.toBe(a)
      expect(await query(fresh, 'SELECT count(*)::int AS n FROM users')).toEqual([{ n: 0 }])
    })

    it('a server on PostgreSQL is given its database and its Redis database', async () => {
      const dir = folder()
      const config = await engineConfig(dir)
      if (onPostgres) {
        expect(config).toEqual({
          databaseUrl: await serverDatabaseUrl(dir),
          redisUrl: await serverRedisUrl(dir)
        })
      } else {
        // The SQLite run: the library stays in the data folder.
        expect(config).toEqual({})
      }
    })
  }
)
