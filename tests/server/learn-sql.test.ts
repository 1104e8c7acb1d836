/**
 * Learning together's in-transaction functions (LearnInTx of server/src/db/sql/learn-sql.ts),
 * driven directly: createLearnSql on openSql's connection, inside transactions the test holds
 * open or fails, which LibraryDb never lets a caller do. On the engine of the pass (a SQLite file,
 * or with SIDECAST_TEST_DATABASE=postgres a fresh PostgreSQL database per test, see engine.ts);
 * the lock-order check is PostgreSQL's own. Users and videos are put straight into their tables.
 *
 * Everything reachable through LibraryDb (requests, comments, reactions, views, notifications,
 * collections, team settings, and the cleanups deleteVideo and removeUser run through
 * LearnInTx) is tested in learn-db.test.ts, on both engines.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sql } from '../../server/node_modules/kysely/dist/esm/index.js'
import type { LearnDb } from '../../server/src/db/learn-types'
import { openSql, type SqlDb } from '../../server/src/db/sql/connection'
import { createLearnSql, type LearnInTx } from '../../server/src/db/sql/learn-sql'
import { dropDatabases, libraryTarget, onPostgres } from './engine'

interface User {
  id: number
  name: string
}

const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
})

describe('learning together in a caller transaction', () => {
  let sqlDb: SqlDb
  let db: LearnDb
  let inTx: LearnInTx
  let alice: User
  let bob: User
  let videoCount = 0

  async function addUser(name: string): Promise<User> {
    const { rows } = await sql<{ id: number }>`INSERT INTO users
      (name, password_hash, admin, created_at) VALUES (${name}, 'x', 0, ${new Date().toISOString()})
      RETURNING id`.execute(sqlDb.db)
    return { id: Number(rows[0]?.id), name }
  }

  async function addVideo(owner: User, title = `video ${++videoCount}`): Promise<string> {
    const id = `vid${String(++videoCount).padStart(13, '0')}`
    await sql`INSERT INTO videos (id, title, description, owner_id, author_name, size_bytes,
      filename, mime_type, callouts, has_thumbnail, upload_id, storage, created_at)
      VALUES (${id}, ${title}, '', ${owner.id}, ${owner.name}, 1, 'f.mp4', 'video/mp4', '[]', 0,
      ${`up-${id}`}, 'file', ${new Date().toISOString()})`.execute(sqlDb.db)
    return id
  }

  async function count(query: ReturnType<typeof sql<{ n: number }>>): Promise<number> {
    const { rows } = await query.execute(sqlDb.db)
    return Number(rows[0]?.n)
  }

  beforeEach(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sidecast-learn-sql-'))
    dirs.push(dir)
    // Room for a held transaction, a second one waiting, and the test's own queries.
    sqlDb = await openSql(await libraryTarget(dir), { poolSize: 6 })
    ;({ learn: db, inTx } = createLearnSql(sqlDb, {
      now: () => new Date().toISOString(),
      newId: () => crypto.randomBytes(12).toString('base64url')
    }))
    alice = await addUser('alice')
    bob = await addUser('bob')
  })
  afterEach(async () => {
    await sqlDb.close()
    if (onPostgres) await dropDatabases()
  })

  it('linkAnswer in a caller transaction is undone with it, notification included', async () => {
    const r = await db.createRequest({ title: 'Q', details: '', tags: [], askerId: bob.id })
    const v = await addVideo(alice)
    await expect(
      sqlDb.tx(async (trx) => {
        expect((await inTx.linkAnswer(trx, r.id, v, alice.id))?.linked).toBe(true)
        throw new Error('the upload failed after all')
      })
    ).rejects.toThrow(/failed after all/)
    expect(await db.answersOf(r.id)).toEqual([])
    expect(await db.unreadCount(bob.id)).toBe(0)
    // Linked for real afterwards: nothing of the undone attempt is in the way.
    expect((await db.linkAnswer(r.id, v, alice.id))?.linked).toBe(true)
    expect(await db.unreadCount(bob.id)).toBe(1)
  })

  it.skipIf(!onPostgres)(
    'PostgreSQL: notification ids become visible in increasing order: a later notifier waits for an open one',
    async () => {
      const r1 = await db.createRequest({ title: 'One', details: '', tags: [], askerId: bob.id })
      const r2 = await db.createRequest({ title: 'Two', details: '', tags: [], askerId: bob.id })
      const v1 = await addVideo(alice)
      const v2 = await addVideo(alice)
      let release = (): void => {}
      const gate = new Promise<void>((resolve) => (release = resolve))
      let notified = (): void => {}
      const inserted = new Promise<void>((resolve) => (notified = resolve))
      // A: links (and notifies bob) but stays open until released.
      const a = sqlDb.tx(async (trx) => {
        await inTx.linkAnswer(trx, r1.id, v1, alice.id)
        notified()
        await gate
      })
      await inserted
      let b: Promise<unknown> = Promise.resolve()
      try {
        // B: notifies bob too; it must wait for A's commit.
        b = db.linkAnswer(r2.id, v2, alice.id)
        const waiting = async (): Promise<number> =>
          count(sql`SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory'
            AND NOT granted AND database = (SELECT oid FROM pg_database
            WHERE datname = current_database())`)
        // Bounded: B shows as waiting for the lock within 20 s, or the test fails.
        const deadline = Date.now() + 20_000
        while ((await waiting()) === 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
        expect(await waiting()).toBe(1)
        expect(await db.notificationsOf(bob.id)).toEqual([]) // neither is visible yet
      } finally {
        // A failed check must not leave A open (the database could not be closed).
        release()
        await a
        await b
      }
      const ns = await db.notificationsOf(bob.id)
      expect(ns.map((n) => n.requestId)).toEqual([r2.id, r1.id]) // B's id is the larger
    }
  )
})
