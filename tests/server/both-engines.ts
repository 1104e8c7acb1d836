/**
 * For data-layer tests that run every case on both engines in one pass (core-sql, find-videos):
 * a fresh SQLite file, and a fresh PostgreSQL database made through SIDECAST_TEST_POSTGRES_URL
 * (an admin URL) and dropped after; without that URL the PostgreSQL half is skipped, saying why.
 * Tests that follow the pass's engine use engine.ts instead.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import type { DatabaseTarget } from '../../server/src/db/sql/connection'
import { POSTGRES_MIGRATIONS } from '../../server/src/db/sql/migrations-postgres'

const PG_ADMIN = process.env.SIDECAST_TEST_POSTGRES_URL

export type Engine = 'sqlite' | 'postgres'

export interface Fresh {
  target: DatabaseTarget
  drop(): Promise<void>
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

/** A fresh, empty database on `engine`; `tag` names its folder or database (letters only). */
export async function freshTarget(engine: Engine, tag: string): Promise<Fresh> {
  if (engine === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sidecast-${tag}-`))
    return {
      target: { file: path.join(dir, 'library.db') },
      drop: async () => fs.rmSync(dir, { recursive: true, force: true })
    }
  }
  const name = `${tag}_${crypto.randomBytes(6).toString('hex')}`
  await adminQuery(`CREATE DATABASE ${name}`)
  const url = new URL(PG_ADMIN as string)
  url.pathname = `/${name}`
  return {
    target: { url: url.toString() },
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  }
}

/** `describe.each(ENGINES)`: both engines, PostgreSQL's skipped with the reason. */
export const ENGINES: { engine: Engine; skip: boolean; title: string }[] = [
  { engine: 'sqlite', skip: false, title: 'a fresh SQLite file' },
  {
    engine: 'postgres',
    skip: !PG_ADMIN,
    title: PG_ADMIN
      ? 'a fresh PostgreSQL database'
      : 'skipped: SIDECAST_TEST_POSTGRES_URL (a PostgreSQL admin URL) is not set'
  }
]

/**
 * An older library on PostgreSQL, as connection.ts's migratePostgres leaves one at `version`: its
 * first `version` steps, then `sidecast_schema` saying so. Runs in the client's transaction, if any.
 */
export async function postgresAtVersion(client: pg.Client, version: number): Promise<void> {
  for (const step of POSTGRES_MIGRATIONS.slice(0, version)) await client.query(step)
  await client.query('CREATE TABLE sidecast_schema (version INTEGER NOT NULL)')
  await client.query('INSERT INTO sidecast_schema (version) VALUES ($1)', [version])
}
