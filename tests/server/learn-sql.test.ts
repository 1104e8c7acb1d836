/**
 * Learning together on Kysely (server/src/db/sql/learn-sql.ts), the same cases on both engines:
 * a SQLite file, and a fresh PostgreSQL database per test (CREATE DATABASE h2_<random> through
 * SIDECAST_TEST_POSTGRES_URL, dropped afterwards; the PostgreSQL half is skipped without it).
 * No LibraryDb: users and videos are put straight into their tables (core-db.ts's schema), and
 * createLearnSql is driven on openSql's connection. Mirrors the key cases of learn-db.test.ts (the SQLite-only version).
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sql } from '../../server/node_modules/kysely/dist/esm/index.js'
import type { LearnDb } from '../../server/src/db/learn-types'
import { openSql, type SqlDb } from '../../server/src/db/sql/connection'
import { createLearnSql, type LearnInTx } from '../../server/src/db/sql/learn-sql'
import { matches } from '../../server/src/db/sql/search'
import { LEARN_LIMITS } from '../../src/shared/learn'

const ADMIN_URL = process.env.SIDECAST_TEST_POSTGRES_URL
const ENGINES = [
  { engine: 'sqlite' as const, skip: false, title: 'SQLite' },
  {
    engine: 'postgres' as const,
    skip: !ADMIN_URL,
    title: ADMIN_URL ? 'PostgreSQL' : 'PostgreSQL (skipped: SIDECAST_TEST_POSTGRES_URL is not set)'
  }
]

interface Harness {
  sqlDb: SqlDb
  learn: LearnDb
  inTx: LearnInTx
  close(): Promise<void>
}

async function openHarness(engine: 'sqlite' | 'postgres'): Promise<Harness> {
  const ctx = {
    now: () => new Date().toISOString(),
    newId: () => crypto.randomBytes(12).toString('base64url')
  }
  if (engine === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sidecast-h2-learn-sql-'))
    const sqlDb = await openSql({ file: path.join(dir, 'library.db') })
    return {
      sqlDb,
      ...createLearnSql(sqlDb, ctx),
      async close() {
        await sqlDb.close()
        fs.rmSync(dir, { recursive: true, force: true })
      }
    }
  }
  const name = `h2_${crypto.randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: ADMIN_URL })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(ADMIN_URL as string)
  url.pathname = `/${name}`
  const sqlDb = await openSql({ url: url.toString() }, { poolSize: 6 })
  return {
    sqlDb,
    ...createLearnSql(sqlDb, ctx),
    async close() {
      await sqlDb.close()
      const drop = new pg.Client({ connectionString: ADMIN_URL })
      await drop.connect()
      await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await drop.end()
    }
  }
}

interface User {
  id: number
  name: string
}

describe.each(ENGINES)('learning together on $title', ({ engine, skip }) => {
  describe.skipIf(skip)(engine, () => {
    let h: Harness
    let db: LearnDb
    let alice: User
    let bob: User
    let carol: User
    let dave: User
    let videoCount = 0

    async function addUser(name: string): Promise<User> {
      const { rows } = await sql<{ id: number }>`INSERT INTO users
        (name, password_hash, admin, created_at) VALUES (${name}, 'x', 0, ${new Date().toISOString()})
        RETURNING id`.execute(h.sqlDb.db)
      return { id: Number(rows[0]?.id), name }
    }

    /** Users added in one statement, for large fan-outs. */
    async function bulkUsers(n: number, prefix: string): Promise<number[]> {
      const t = new Date().toISOString()
      const { rows } = await sql<{ id: number }>`INSERT INTO users
        (name, password_hash, admin, created_at) VALUES ${sql.join(
          Array.from({ length: n }, (_, i) => sql`(${`${prefix}${i}`}, 'x', 0, ${t})`)
        )} RETURNING id`.execute(h.sqlDb.db)
      return rows.map((r) => Number(r.id))
    }

    async function addVideo(owner: User, title = `video ${++videoCount}`): Promise<string> {
      const id = `vid${String(++videoCount).padStart(13, '0')}`
      await sql`INSERT INTO videos (id, title, description, owner_id, author_name, size_bytes,
        filename, mime_type, callouts, has_thumbnail, upload_id, storage, created_at)
        VALUES (${id}, ${title}, '', ${owner.id}, ${owner.name}, 1, 'f.mp4', 'video/mp4', '[]', 0,
        ${`up-${id}`}, 'file', ${new Date().toISOString()})`.execute(h.sqlDb.db)
      return id
    }

    /** The videos whose comments match `q`, as core-db.ts's video search reads comment_search. */
    async function commentHits(q: string): Promise<string[]> {
      const match = matches(h.sqlDb.dialect, 'comment_search', q)
      if (!match) return []
      const { rows } = await sql<{
        video_id: string
      }>`SELECT DISTINCT video_id FROM comment_search WHERE ${match}`.execute(h.sqlDb.db)
      return rows.map((r) => r.video_id).sort()
    }

    async function count(query: ReturnType<typeof sql<{ n: number }>>): Promise<number> {
      const { rows } = await query.execute(h.sqlDb.db)
      return Number(rows[0]?.n)
    }

    const positions = async (id: string): Promise<number[]> => {
      const { rows } = await sql<{
        position: number
      }>`SELECT position FROM collection_items WHERE collection_id = ${id} ORDER BY position`.execute(
        h.sqlDb.db
      )
      return rows.map((r) => Number(r.position))
    }

    const kindsFor = async (user: User): Promise<string[]> =>
      (await db.notificationsOf(user.id, { limit: 500 })).map((n) => n.kind).sort()

    beforeEach(async () => {
      h = await openHarness(engine)
      db = h.learn
      alice = await addUser('alice')
      bob = await addUser('bob')
      carol = await addUser('carol')
      dave = await addUser('dave')
    })
    afterEach(async () => {
      await h.close()
    })

    describe('requests', () => {
      it('create, read, update, delete; tags and words are searched, old words are not', async () => {
        const r = await db.createRequest({
          title: 'How do I reconcile supplier invoices?',
          details: 'Every month end',
          tags: ['finance', 'erp'],
          askerId: bob.id
        })
        expect(r).toMatchObject({
          title: 'How do I reconcile supplier invoices?',
          tags: ['finance', 'erp'],
          askerId: bob.id,
          askerName: 'bob',
          state: 'open',
          solvedVideoId: null,
          wanted: 1,
          answerCount: 0
        })
        expect(r.id).toMatch(/^[A-Za-z0-9_-]{16}$/)
        expect(await db.wants(r.id, bob.id)).toBe(true)
        expect(await db.getRequest(r.id)).toEqual(r)

        const changed = await db.updateRequest(r.id, { title: 'Reconcile invoices', tags: ['ap'] })
        expect(changed).toMatchObject({ title: 'Reconcile invoices', details: 'Every month end' })
        expect(changed?.tags).toEqual(['ap'])
        expect(await db.listRequests({ tag: 'finance' })).toEqual([])
        expect((await db.listRequests({ tag: 'ap' })).map((x) => x.id)).toEqual([r.id])
        expect((await db.listRequests({ q: 'reconc' })).map((x) => x.id)).toEqual([r.id]) // prefix
        expect(await db.listRequests({ q: 'supplier' })).toEqual([]) // the old title
        expect(await db.updateRequest('nope', { title: 'x' })).toBeNull()

        expect(await db.deleteRequest(r.id)).toBe(true)
        expect(await db.getRequest(r.id)).toBeNull()
        expect(await db.listRequests({ q: 'reconcile' })).toEqual([])
        expect(await db.listRequests({ tag: 'ap' })).toEqual([])
        expect(await db.deleteRequest(r.id)).toBe(false)
        expect(await count(sql`SELECT count(*) AS n FROM request_search`)).toBe(0)
      })

      it('search folds diacritics and case both ways; every word must match', async () => {
        const a = await db.createRequest({
          title: 'Überweisung an Lieferanten',
          details: 'Crème brûlée recipe',
          tags: [],
          askerId: bob.id
        })
        const b = await db.createRequest({
          title: 'uberweisung again',
          details: '',
          tags: ['zahlung'],
          askerId: bob.id
        })
        const hits = async (q: string): Promise<string[]> =>
          (await db.listRequests({ q })).map((x) => x.id)
        expect(await hits('uberweisung')).toEqual([b.id, a.id])
        expect(await hits('ÜBERWEISUNG')).toEqual([b.id, a.id])
        expect(await hits('creme brulee')).toEqual([a.id])
        expect(await hits('überw lief')).toEqual([a.id])
        expect(await hits('zahl')).toEqual([b.id]) // a tag, by prefix
        expect(await hits('uberweisung recipe again')).toEqual([])
        expect(await db.countRequests({ q: 'uberweisung' })).toBe(2)
      })

      it('lists newest first, filters by state, tag and words, counts with the same filters', async () => {
        const a = await db.createRequest({
          title: 'Pivot tables',
          details: '',
          tags: ['excel'],
          askerId: bob.id
        })
        const b = await db.createRequest({
          title: 'Expense claims',
          details: 'in the travel tool',
          tags: ['finance', 'travel'],
          askerId: carol.id
        })
        const c = await db.createRequest({
          title: 'Month end',
          details: '',
          tags: ['finance'],
          askerId: bob.id
        })
        const v = await addVideo(alice)
        await db.linkAnswer(b.id, v, alice.id)
        await db.markSolved(b.id, v, carol.id)
        const ids = async (o: Parameters<LearnDb['listRequests']>[0]): Promise<string[]> =>
          (await db.listRequests(o)).map((r) => r.id)

        expect(await ids({})).toEqual([c.id, b.id, a.id])
        expect(await ids({ state: 'open' })).toEqual([c.id, a.id])
        expect(await ids({ state: 'solved' })).toEqual([b.id])
        expect(await ids({ tag: 'finance' })).toEqual([c.id, b.id])
        expect(await ids({ tag: 'FINANCE', state: 'open' })).toEqual([c.id])
        expect(await ids({ q: 'travel' })).toEqual([b.id])
        expect(await ids({ limit: 1, offset: 1 })).toEqual([b.id])
        expect(await ids({ limit: -1 })).toEqual([])
        expect(await db.countRequests()).toBe(3)
        expect(await db.countRequests({ state: 'open' })).toBe(2)
        expect(await db.countRequests({ tag: 'finance', state: 'solved' })).toBe(1)
        expect(await db.countRequests({ q: 'pivot', state: 'open' })).toBe(1)
        expect(await db.countRequests({ q: 'pivot', state: 'solved' })).toBe(0)
        expect((await db.getRequest(b.id))?.answerCount).toBe(1)
      })

      it('stores search syntax verbatim and searches it safely', async () => {
        const nasty = [
          'say "hello',
          'NEAR(a b) group',
          'this OR that',
          "Robert'); DROP TABLE requests;--",
          'a & b | !c:* <-> d'
        ]
        const ids: string[] = []
        for (const title of nasty) {
          ids.push((await db.createRequest({ title, details: '', tags: [], askerId: bob.id })).id)
        }
        for (const q of ['"', '*', 'NEAR(', "'", 'a"b*', ')(', '&|!', ':*', '--', '<->']) {
          await expect(db.listRequests({ q })).resolves.toBeInstanceOf(Array)
          await expect(db.countRequests({ q })).resolves.toEqual(expect.any(Number))
        }
        expect((await db.listRequests({ q: '"hello' })).map((r) => r.id)).toEqual([ids[0]])
        expect((await db.listRequests({ q: 'NEAR(' })).map((r) => r.id)).toEqual([ids[1]])
        expect((await db.listRequests({ q: "Robert'); DROP" })).map((r) => r.id)).toEqual([ids[3]])
        expect((await db.listRequests({ q: '!c:* d' })).map((r) => r.id)).toEqual([ids[4]])
        expect(await db.listRequests({ q: '"' })).toEqual([])
        expect(await db.countRequests({ q: '"' })).toBe(0)
        expect(await db.countRequests()).toBe(nasty.length)
      })

      it('"Me too" on and off; the asker always wants it', async () => {
        const r = await db.createRequest({ title: 'Q', details: '', tags: [], askerId: bob.id })
        expect((await db.setWanted(r.id, carol.id, true))?.wanted).toBe(2)
        expect((await db.setWanted(r.id, carol.id, true))?.wanted).toBe(2)
        expect(await db.wants(r.id, carol.id)).toBe(true)
        expect((await db.setWanted(r.id, carol.id, false))?.wanted).toBe(1)
        expect(await db.wants(r.id, carol.id)).toBe(false)
        expect((await db.setWanted(r.id, bob.id, false))?.wanted).toBe(1)
        expect(await db.wants(r.id, bob.id)).toBe(true)
        expect(await db.setWanted('nope', carol.id, true)).toBeNull()
      })

      it('links answers idempotently and notifies the people who want it, not the linker', async () => {
        const r = await db.createRequest({ title: 'Q', details: '', tags: [], askerId: bob.id })
        await db.setWanted(r.id, carol.id, true)
        await db.setWanted(r.id, alice.id, true)
        const v = await addVideo(alice, 'Reconciling, step by step')
        const first = await db.linkAnswer(r.id, v, alice.id)
        expect(first?.linked).toBe(true)
        expect(first?.request.answerCount).toBe(1)
        expect((await db.linkAnswer(r.id, v, alice.id))?.linked).toBe(false)
        expect((await db.linkAnswer(r.id, v, dave.id))?.linked).toBe(false)
        expect(await db.answersOf(r.id)).toEqual([
          expect.objectContaining({ requestId: r.id, videoId: v, userId: alice.id })
        ])
        expect((await db.requestsAnsweredBy(v)).map((x) => x.id)).toEqual([r.id])
        for (const who of [bob, carol]) {
          const ns = await db.notificationsOf(who.id)
          expect(ns).toHaveLength(1)
          expect(ns[0]).toMatchObject({
            kind: 'answer',
            actorId: alice.id,
            actorName: 'alice',
            videoId: v,
            requestId: r.id,
            text: 'Reconciling, step by step',
            readAt: null
          })
        }
        expect(await db.notificationsOf(alice.id)).toEqual([])
        expect(await db.notificationsOf(dave.id)).toEqual([])
        expect(await db.linkAnswer('nope', v, alice.id)).toBeNull()
        expect(await db.linkAnswer(r.id, 'nope', alice.id)).toBeNull()

        // Answers in the order linked, also when linked within one millisecond.
        const more = [await addVideo(dave), await addVideo(dave), await addVideo(dave)]
        for (const m of more) await db.linkAnswer(r.id, m, dave.id)
        await sql`UPDATE request_answers SET created_at = '2026-01-01T00:00:00.000Z'`.execute(
          h.sqlDb.db
        )
        expect((await db.answersOf(r.id)).map((a) => a.videoId)).toEqual([v, ...more])
        expect(await db.unlinkAnswer(r.id, v)).toBe(true)
        expect(await db.unlinkAnswer(r.id, v)).toBe(false)
        expect((await db.answersOf(r.id)).map((a) => a.videoId)).toEqual(more)
      })

      it('linkAnswer in a caller transaction is undone with it; links at once happen once', async () => {
        const r = await db.createRequest({ title: 'Q', details: '', tags: [], askerId: bob.id })
        const v = await addVideo(alice)
        await expect(
          h.sqlDb.tx(async (trx) => {
            expect((await h.inTx.linkAnswer(trx, r.id, v, alice.id))?.linked).toBe(true)
            throw new Error('the upload failed after all')
          })
        ).rejects.toThrow(/failed after all/)
        expect(await db.answersOf(r.id)).toEqual([])
        expect(await db.unreadCount(bob.id)).toBe(0)

        const results = await Promise.all(
          Array.from({ length: 5 }, () => db.linkAnswer(r.id, v, alice.id))
        )
        expect(results.filter((x) => x?.linked)).toHaveLength(1)
        expect(await db.answersOf(r.id)).toHaveLength(1)
        expect(await db.unreadCount(bob.id)).toBe(1)
      })

      it('marks solved only with one of its answers, notifies the others, reopens', async () => {
        const r = await db.createRequest({
          title: 'Payroll cut-off',
          details: '',
          tags: [],
          askerId: bob.id
        })
        await db.setWanted(r.id, carol.id, true)
        const answer = await addVideo(alice)
        const other = await addVideo(alice)
        await db.linkAnswer(r.id, answer, alice.id)
        await db.markRead(carol.id)
        await db.markRead(bob.id)

        await expect(db.markSolved(r.id, other, bob.id)).rejects.toThrow(/not an answer/)
        expect((await db.getRequest(r.id))?.state).toBe('open')
        expect(await db.markSolved('nope', answer, bob.id)).toBeNull()
        expect(await db.markSolved(r.id, answer, bob.id)).toMatchObject({
          state: 'solved',
          solvedVideoId: answer
        })
        expect(await db.notificationsOf(carol.id, { unreadOnly: true })).toEqual([
          expect.objectContaining({ kind: 'solved', actorName: 'bob', text: 'Payroll cut-off' })
        ])
        expect(await db.notificationsOf(bob.id, { unreadOnly: true })).toEqual([])
        expect(await db.notificationsOf(alice.id)).toEqual([])
        await db.markSolved(r.id, answer, bob.id)
        expect(await db.unreadCount(carol.id)).toBe(1)
        expect(await db.markSolved(r.id, null, bob.id)).toMatchObject({
          state: 'open',
          solvedVideoId: null
        })
        expect(await db.unreadCount(carol.id)).toBe(1)
        await db.markSolved(r.id, answer, bob.id)
        await db.unlinkAnswer(r.id, answer)
        expect((await db.getRequest(r.id))?.state).toBe('open')
      })

      it('deleting a request removes its links, wants and notifications', async () => {
        const r = await db.createRequest({ title: 'Q', details: '', tags: ['x'], askerId: bob.id })
        const v = await addVideo(alice)
        await db.setWanted(r.id, carol.id, true)
        await db.linkAnswer(r.id, v, alice.id)
        expect(await db.unreadCount(carol.id)).toBe(1)
        await db.deleteRequest(r.id)
        expect(await db.unreadCount(carol.id)).toBe(0)
        expect(await db.requestsAnsweredBy(v)).toEqual([])
        expect(await db.wants(r.id, carol.id)).toBe(false)
        expect(await count(sql`SELECT count(*) AS n FROM request_tags`)).toBe(0)
      })
    })

    it.skipIf(engine !== 'postgres')(
      'notification ids become visible in increasing order: a later notifier waits for an open one',
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
        const a = h.sqlDb.tx(async (trx) => {
          await h.inTx.linkAnswer(trx, r1.id, v1, alice.id)
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

    describe('comments', () => {
      it('threads: a reply to a reply joins the thread; moments; sorted threads', async () => {
        const v = await addVideo(alice)
        const add = (c: Partial<Parameters<LearnDb['addComment']>[0]>) =>
          db.addComment({
            videoId: v,
            parentId: null,
            authorId: bob.id,
            atMs: null,
            body: 'x',
            question: false,
            ...c
          })
        const late = await add({ atMs: 9000, body: 'late' })
        const whole = await add({ atMs: null, body: 'whole' })
        const early = await add({ authorId: carol.id, atMs: 5000.7, body: 'Why?', question: true })
        const early2 = await add({ authorId: carol.id, atMs: 5001, body: 'same second' })
        const r1 = await add({
          parentId: early.id,
          authorId: alice.id,
          atMs: 1234,
          body: 'Because',
          question: true
        })
        const r2 = await add({ parentId: r1.id, body: 'Thanks' })
        expect(early).toMatchObject({ atMs: 5001, question: true, parentId: null })
        expect(early.authorName).toBe('carol')
        expect(r1).toMatchObject({ parentId: early.id, atMs: null, question: false })
        expect(r2.parentId).toBe(early.id)
        const threads = await db.commentsOf(v)
        expect(threads.map((t) => t.comment.id)).toEqual([early.id, early2.id, late.id, whole.id])
        expect(threads[0]?.replies.map((r) => r.id)).toEqual([r1.id, r2.id])
        expect(await db.countComments(v)).toBe(6)
        expect(await db.getComment(r2.id)).toEqual(r2)
      })

      it('throws for a missing video or a parent missing or on another video; nothing added', async () => {
        const v = await addVideo(alice)
        const w = await addVideo(alice)
        const base = { parentId: null, authorId: bob.id, atMs: 0, body: 'x', question: false }
        const c = await db.addComment({ ...base, videoId: w })
        await expect(db.addComment({ ...base, videoId: 'nope' })).rejects.toThrow()
        await expect(db.addComment({ ...base, videoId: v, parentId: c.id })).rejects.toThrow(
          /reply/
        )
        await expect(db.addComment({ ...base, videoId: v, parentId: 'nope' })).rejects.toThrow()
        expect(await db.countComments(v)).toBe(0)
        expect(await db.unreadCount(alice.id)).toBe(1)
        expect(await count(sql`SELECT count(*) AS n FROM comment_search`)).toBe(1)
      })

      it('fan-out: the owner and the thread, never the author, each once', async () => {
        const v = await addVideo(alice, 'Owner video')
        const root = await db.addComment({
          videoId: v,
          parentId: null,
          authorId: bob.id,
          atMs: 4000,
          body: 'Question\nhere',
          question: true
        })
        expect(await kindsFor(alice)).toEqual(['comment'])
        expect(await kindsFor(bob)).toEqual([])
        expect((await db.notificationsOf(alice.id))[0]).toMatchObject({
          actorName: 'bob',
          videoId: v,
          commentId: root.id,
          atMs: 4000,
          text: 'Question here'
        })
        const a1 = await db.addComment({
          videoId: v,
          parentId: root.id,
          authorId: alice.id,
          atMs: null,
          body: 'Answer',
          question: false
        })
        expect(await kindsFor(bob)).toEqual(['reply'])
        expect((await db.notificationsOf(bob.id))[0]).toMatchObject({
          commentId: a1.id,
          atMs: 4000
        })
        expect(await kindsFor(alice)).toEqual(['comment'])
        await db.addComment({
          videoId: v,
          parentId: a1.id,
          authorId: carol.id,
          atMs: null,
          body: 'Me too',
          question: false
        })
        expect(await kindsFor(alice)).toEqual(['comment', 'reply'])
        expect(await kindsFor(bob)).toEqual(['reply', 'reply'])
        expect(await kindsFor(carol)).toEqual([])
        expect(await kindsFor(dave)).toEqual([])
        await db.addComment({
          videoId: v,
          parentId: null,
          authorId: alice.id,
          atMs: 1,
          body: 'Note',
          question: false
        })
        expect(await kindsFor(alice)).toEqual(['comment', 'reply'])
      })

      it('cuts a long notification text to 200 characters on a code point', async () => {
        const v = await addVideo(alice)
        const body = '😀'.repeat(300)
        await db.addComment({
          videoId: v,
          parentId: null,
          authorId: bob.id,
          atMs: null,
          body,
          question: false
        })
        const text = (await db.notificationsOf(alice.id))[0]?.text as string
        expect([...text]).toHaveLength(200)
        expect(text.endsWith('😀…')).toBe(true)
        expect((await db.commentsOf(v))[0]?.comment.body).toBe(body)
      })

      it('a thread of 1,000 people: one reply makes 1,000 notifications, one each', async () => {
        const v = await addVideo(alice)
        const root = await db.addComment({
          videoId: v,
          parentId: null,
          authorId: bob.id,
          atMs: 0,
          body: 'Q',
          question: true
        })
        const people = await bulkUsers(998, 'p')
        const t = new Date().toISOString()
        const replies = people.flatMap((id, i) => {
          const one = sql`(${`c${String(i).padStart(15, '0')}`}, ${v}, ${root.id}, ${id}, 'p', 'me', ${t})`
          // A second reply by some: still one notification each.
          return i % 10 === 0
            ? [
                one,
                sql`(${`d${String(i).padStart(15, '0')}`}, ${v}, ${root.id}, ${id}, 'p', 'me', ${t})`
              ]
            : [one]
        })
        await sql`INSERT INTO comments (id, video_id, parent_id, author_id, author_name, body,
          created_at) VALUES ${sql.join(replies)}`.execute(h.sqlDb.db)
        // Participants: bob + 998 people; the owner alice; carol replies → 1,000 recipients.
        await db.addComment({
          videoId: v,
          parentId: root.id,
          authorId: carol.id,
          atMs: null,
          body: 'A',
          question: false
        })
        const { rows } = await sql<{ n: number; d: number }>`SELECT count(*) AS n,
          count(DISTINCT user_id) AS d FROM notifications WHERE kind = 'reply'`.execute(h.sqlDb.db)
        expect(rows.map((r) => ({ n: Number(r.n), d: Number(r.d) }))).toEqual([
          { n: 1000, d: 1000 }
        ])
        expect(await db.unreadCount(carol.id)).toBe(0)
        expect(await db.unreadCount(people[500] as number)).toBe(1)
        expect(await db.unreadCount(people[997] as number)).toBe(1)
        expect((await db.commentsOf(v))[0]?.replies).toHaveLength(998 + 100 + 1)
      })

      it('edit: text sets editedAt, moment only on a thread start; search rows follow', async () => {
        const v = await addVideo(alice)
        const c = await db.addComment({
          videoId: v,
          parentId: null,
          authorId: bob.id,
          atMs: 1000,
          body: 'zebra',
          question: false
        })
        const r = await db.addComment({
          videoId: v,
          parentId: c.id,
          authorId: carol.id,
          atMs: null,
          body: 'ok',
          question: false
        })
        expect((await db.notificationsOf(bob.id))[0]?.atMs).toBe(1000)
        expect(await db.updateComment(c.id, { atMs: 2000 })).toMatchObject({
          atMs: 2000,
          body: 'zebra',
          editedAt: null
        })
        expect((await db.notificationsOf(bob.id))[0]?.atMs).toBe(2000)
        expect((await db.notificationsOf(alice.id)).map((n) => n.atMs)).toEqual([2000, 2000])
        const edited = await db.updateComment(c.id, { body: 'giraffe' })
        expect(edited?.body).toBe('giraffe')
        expect(edited?.editedAt).not.toBeNull()
        expect((await db.updateComment(r.id, { atMs: 5 }))?.atMs).toBeNull()
        expect(await db.updateComment('nope', { body: 'x' })).toBeNull()
        expect(await commentHits('zebra')).toEqual([])
        expect(await commentHits('giraf')).toEqual([v])
        expect(await count(sql`SELECT count(*) AS n FROM comment_search`)).toBe(2)
      })

      it('answered: notifies the asker when someone else marks it, once', async () => {
        const v = await addVideo(alice)
        const q = await db.addComment({
          videoId: v,
          parentId: null,
          authorId: bob.id,
          atMs: 3000,
          body: 'How do I export?',
          question: true
        })
        const plain = await db.addComment({
          videoId: v,
          parentId: null,
          authorId: bob.id,
          atMs: 3000,
          body: 'Nice',
          question: false
        })
        expect((await db.setAnswered(q.id, true, alice.id))?.answered).toBe(true)
        expect((await db.setAnswered(q.id, true, alice.id))?.answered).toBe(true)
        expect(await db.notificationsOf(bob.id)).toEqual([
          expect.objectContaining({
            kind: 'answered',
            actorName: 'alice',
            commentId: q.id,
            atMs: 3000,
            text: 'How do I export?'
          })
        ])
        expect((await db.setAnswered(q.id, false, alice.id))?.answered).toBe(false)
        await db.setAnswered(q.id, true, bob.id)
        for (let i = 0; i < 3; i++) {
          await db.setAnswered(q.id, false, alice.id)
          await db.setAnswered(q.id, true, alice.id)
        }
        expect(await kindsFor(bob)).toEqual(['answered'])
        await expect(db.setAnswered(plain.id, true, alice.id)).rejects.toThrow(/not a question/)
        expect(await db.setAnswered('nope', true, alice.id)).toBeNull()
      })

      it('patchComment: text, moment and answered in one transaction, all or nothing', async () => {
        const v = await addVideo(alice)
        const q = await db.addComment({
          videoId: v,
          parentId: null,
          authorId: bob.id,
          atMs: 3000,
          body: 'How do I print?',
          question: true
        })
        const both = await db.patchComment(
          q.id,
          { body: 'How do I print it?', atMs: 4000, answered: true },
          alice.id
        )
        expect(both).toMatchObject({ body: 'How do I print it?', atMs: 4000, answered: true })
        expect(both?.editedAt).not.toBeNull()
        expect(await kindsFor(bob)).toEqual(['answered'])
        const plain = await db.addComment({
          videoId: v,
          parentId: null,
          authorId: bob.id,
          atMs: 1000,
          body: 'Not a question',
          question: false
        })
        await expect(
          db.patchComment(plain.id, { body: 'Changed', answered: true }, alice.id)
        ).rejects.toThrow(/not a question/)
        expect(await db.getComment(plain.id)).toMatchObject({
          body: 'Not a question',
          editedAt: null
        })
        expect(await commentHits('changed')).toEqual([])
        expect(await commentHits('question')).toEqual([v])
        expect(await db.patchComment('nope', { body: 'x', answered: true }, alice.id)).toBeNull()
      })

      it('delete: hard without replies, soft with; the last reply of a deleted start ends the thread', async () => {
        const v = await addVideo(alice)
        const lone = await db.addComment({
          videoId: v,
          parentId: null,
          authorId: bob.id,
          atMs: 0,
          body: 'lonely words',
          question: false
        })
        expect(await db.unreadCount(alice.id)).toBe(1)
        expect(await db.deleteComment(lone.id)).toBe(true)
        expect(await db.getComment(lone.id)).toBeNull()
        expect(await db.unreadCount(alice.id)).toBe(0)
        expect(await db.deleteComment(lone.id)).toBe(false)
        expect(await commentHits('lonely')).toEqual([])

        const root = await db.addComment({
          videoId: v,
          parentId: null,
          authorId: bob.id,
          atMs: 0,
          body: 'secret words',
          question: true
        })
        const reply = await db.addComment({
          videoId: v,
          parentId: root.id,
          authorId: carol.id,
          atMs: null,
          body: 'reply words',
          question: false
        })
        await db.deleteComment(root.id)
        expect(await db.getComment(root.id)).toMatchObject({ deleted: true, body: '' })
        expect((await db.commentsOf(v))[0]?.replies.map((r) => r.id)).toEqual([reply.id])
        expect(await db.countComments(v)).toBe(1)
        expect((await db.notificationsOf(alice.id)).some((n) => n.commentId === root.id)).toBe(
          false
        )
        expect(await commentHits('secret')).toEqual([])
        expect(await commentHits('reply')).toEqual([v])
        expect(await db.updateComment(root.id, { body: 'back' })).toBeNull()

        await db.deleteComment(reply.id)
        expect(await db.getComment(reply.id)).toBeNull()
        expect(await db.getComment(root.id)).toBeNull()
        expect(await db.commentsOf(v)).toEqual([])
        expect(await count(sql`SELECT count(*) AS n FROM comment_search`)).toBe(0)
      })
    })

    describe('reactions and watching', () => {
      it('toggles, counts per emoji and second, and says what is mine', async () => {
        const v = await addVideo(alice)
        let counts = await db.toggleReaction(v, bob.id, '👍', 5400, undefined)
        expect(counts.moments).toEqual([{ kind: '👍', atMs: 5000, count: 1, mine: true }])
        await db.toggleReaction(v, carol.id, '👍', 5999, undefined)
        await db.toggleReaction(v, carol.id, '💡', 1000, true)
        counts = await db.reactionsOf(v, bob.id)
        expect(counts.moments).toEqual([
          { kind: '💡', atMs: 1000, count: 1, mine: false },
          { kind: '👍', atMs: 5000, count: 2, mine: true }
        ])
        counts = await db.toggleReaction(v, bob.id, '👍', 5000, undefined)
        expect(counts.moments.find((m) => m.kind === '👍')).toEqual({
          kind: '👍',
          atMs: 5000,
          count: 1,
          mine: false
        })
        expect((await db.toggleReaction(v, carol.id, '💡', 1000, true)).moments).toHaveLength(2)
        expect((await db.toggleReaction(v, carol.id, '💡', 1000, false)).moments).toHaveLength(1)
        await expect(db.toggleReaction(v, bob.id, '👍', null)).rejects.toThrow()
        await expect(db.toggleReaction('nope', bob.id, 'helped', null)).rejects.toThrow()
      })

      it('"This helped" counts once per person and tells the owner only the first time', async () => {
        const v = await addVideo(alice, 'Month end close')
        expect(await db.toggleReaction(v, bob.id, 'helped', null)).toMatchObject({
          helped: 1,
          helpedByMe: true
        })
        expect(await db.toggleReaction(v, bob.id, 'helped', null, true)).toMatchObject({
          helped: 1
        })
        expect(await db.toggleReaction(v, bob.id, 'helped', null)).toMatchObject({
          helped: 0,
          helpedByMe: false
        })
        await db.toggleReaction(v, bob.id, 'helped', null)
        await db.markRead(alice.id)
        await db.toggleReaction(v, bob.id, 'helped', null)
        await db.toggleReaction(v, bob.id, 'helped', null)
        expect(await db.notificationsOf(alice.id)).toEqual([
          expect.objectContaining({
            kind: 'helped',
            actorName: 'bob',
            videoId: v,
            text: 'Month end close'
          })
        ])
        expect(await db.toggleReaction(v, carol.id, 'helped', null)).toMatchObject({
          helped: 2,
          helpedByMe: true
        })
        expect(await db.reactionsOf(v, bob.id)).toMatchObject({
          helped: 2,
          helpedByMe: true,
          moments: []
        })
        await db.toggleReaction(v, alice.id, 'helped', null)
        expect(await db.notificationsOf(alice.id)).toHaveLength(2)
      })

      it('merges watched ranges; never clips to a shorter length; most recent watcher first', async () => {
        const v = await addVideo(alice)
        let rec = await db.addWatched(v, bob.id, [[0, 10_000]], 60_000)
        expect(rec).toMatchObject({
          userName: 'bob',
          ranges: [[0, 10_000]],
          watchedMs: 10_000,
          durationMs: 60_000
        })
        expect(rec.completion).toBeCloseTo(1 / 6)
        rec = await db.addWatched(
          v,
          bob.id,
          [
            [30_000, 40_000],
            [10_100, 20_000],
            [5000, 6000]
          ],
          60_000
        )
        expect(rec.ranges).toEqual([
          [0, 20_000],
          [30_000, 40_000]
        ])
        expect(rec.watchedMs).toBe(30_000)
        rec = await db.addWatched(v, bob.id, [[0, 1000]], 1000)
        expect(rec).toMatchObject({ watchedMs: 30_000, durationMs: 60_000 })
        rec = await db.addWatched(v, bob.id, [[-5, 70_000]], 60_000)
        expect(rec).toMatchObject({ ranges: [[0, 60_000]], watchedMs: 60_000, completion: 1 })
        expect(await db.addWatched(v, bob.id, [], 120_000)).toMatchObject({
          durationMs: 120_000,
          completion: 0.5
        })
        await db.addWatched(v, carol.id, [[0, 1000]], 60_000)
        expect((await db.watchersOf(v)).map((w) => w.userName)).toEqual(['carol', 'bob'])
        // The same last time: the record made last comes first.
        await sql`UPDATE video_views SET last_at = '2026-01-01T00:00:00.000Z'`.execute(h.sqlDb.db)
        await db.addWatched(v, dave.id, [[0, 1000]], 60_000)
        await sql`UPDATE video_views SET last_at = '2026-01-01T00:00:00.000Z'`.execute(h.sqlDb.db)
        expect((await db.watchersOf(v)).map((w) => w.userName)).toEqual(['dave', 'carol', 'bob'])
        await expect(db.addWatched('nope', bob.id, [[0, 1]], 1000)).rejects.toThrow()
      })
    })

    it('notifications: newest first, paging with after, unread count, markRead of own ids only', async () => {
      const v = await addVideo(alice)
      const w = await addVideo(bob)
      for (let i = 0; i < 5; i++) {
        await db.addComment({
          videoId: v,
          parentId: null,
          authorId: bob.id,
          atMs: i,
          body: `c${i}`,
          question: false
        })
      }
      await db.addComment({
        videoId: w,
        parentId: null,
        authorId: alice.id,
        atMs: 0,
        body: 'to bob',
        question: false
      })
      const all = await db.notificationsOf(alice.id)
      expect(all.map((n) => n.text)).toEqual(['c4', 'c3', 'c2', 'c1', 'c0'])
      const ids = all.map((n) => n.id)
      expect(ids.every((id) => typeof id === 'number')).toBe(true)
      expect(ids).toEqual([...ids].sort((a, b) => b - a))
      expect((await db.notificationsOf(alice.id, { after: ids[2] })).map((n) => n.text)).toEqual([
        'c4',
        'c3'
      ])
      expect((await db.notificationsOf(alice.id, { limit: 2 })).map((n) => n.text)).toEqual([
        'c4',
        'c3'
      ])
      expect(await db.unreadCount(alice.id)).toBe(5)
      const bobs = (await db.notificationsOf(bob.id))[0]?.id as number
      expect(await db.markRead(alice.id, [ids[0] as number, bobs, 999_999, ids[0] as number])).toBe(
        1
      )
      expect(await db.unreadCount(bob.id)).toBe(1)
      expect(await db.unreadCount(alice.id)).toBe(4)
      expect(await db.markRead(alice.id, [ids[0] as number])).toBe(0)
      expect(await db.markRead(alice.id, [])).toBe(0)
      expect(await db.notificationsOf(alice.id, { unreadOnly: true })).toHaveLength(4)
      expect(await db.markRead(alice.id)).toBe(4)
      expect(await db.unreadCount(alice.id)).toBe(0)
      expect((await db.notificationsOf(alice.id))[0]?.readAt).not.toBeNull()
    })

    describe('collections', () => {
      it('keeps order dense through add, move and remove', async () => {
        const [a, b, c, d] = [
          await addVideo(alice),
          await addVideo(alice),
          await addVideo(bob),
          await addVideo(bob)
        ] as [string, string, string, string]
        const col = await db.createCollection({
          title: 'Onboarding',
          description: 'finance tools',
          ownerId: carol.id
        })
        expect(col).toMatchObject({ title: 'Onboarding', ownerName: 'carol', itemCount: 0 })
        for (const v of [a, b, c, d]) await db.addToCollection(col.id, v, carol.id)
        await db.addToCollection(col.id, b, carol.id)
        expect(await db.collectionItems(col.id)).toEqual([a, b, c, d])
        expect(await db.moveInCollection(col.id, d, 0)).toEqual([d, a, b, c])
        expect(await db.moveInCollection(col.id, d, 99)).toEqual([a, b, c, d])
        expect(await db.moveInCollection(col.id, a, 2)).toEqual([b, c, a, d])
        expect(await db.moveInCollection(col.id, a, -3)).toEqual([a, b, c, d])
        expect(await db.moveInCollection(col.id, 'nope', 0)).toBeNull()
        expect(await db.removeFromCollection(col.id, b)).toBe(true)
        expect(await db.removeFromCollection(col.id, b)).toBe(false)
        expect(await db.collectionItems(col.id)).toEqual([a, c, d])
        expect(await db.moveInCollection(col.id, d, 1)).toEqual([a, d, c])
        expect(await positions(col.id)).toEqual([0, 1, 2])
        expect((await db.getCollection(col.id))?.itemCount).toBe(3)
        expect((await db.collectionsWith(d)).map((x) => x.id)).toEqual([col.id])
      })

      it('adds at once stay dense: every add gets its own place', async () => {
        const col = await db.createCollection({ title: 'Race', description: '', ownerId: bob.id })
        const videos: string[] = []
        for (let i = 0; i < 6; i++) videos.push(await addVideo(bob))
        await Promise.all(videos.map((v) => db.addToCollection(col.id, v, bob.id)))
        expect(await positions(col.id)).toEqual([0, 1, 2, 3, 4, 5])
        expect([...(await db.collectionItems(col.id))].sort()).toEqual([...videos].sort())
      })

      it('refuses a full collection, a missing video or collection with a clear message', async () => {
        const col = await db.createCollection({ title: 'Big', description: '', ownerId: bob.id })
        await expect(db.addToCollection(col.id, 'nope', bob.id)).rejects.toThrow(/no video/)
        await expect(db.addToCollection('nope', await addVideo(bob), bob.id)).rejects.toThrow(
          /no collection/
        )
        await sql`INSERT INTO collection_items (collection_id, video_id, position, added_by,
          added_at) VALUES ${sql.join(
            Array.from(
              { length: LEARN_LIMITS.collectionItems },
              (_, i) => sql`(${col.id}, ${`x${i}`}, ${i}, ${bob.id}, '')`
            )
          )}`.execute(h.sqlDb.db)
        await expect(db.addToCollection(col.id, await addVideo(bob), bob.id)).rejects.toThrow(
          new RegExp(`at most ${LEARN_LIMITS.collectionItems}`)
        )
      })

      it('setCollectionItems: the whole new order in one transaction, keeping who added what', async () => {
        const vids: string[] = []
        for (let i = 0; i < 5; i++) vids.push(await addVideo(alice))
        const [a, b, c, d, e] = vids as [string, string, string, string, string]
        const col = await db.createCollection({
          title: 'Ordered',
          description: '',
          ownerId: carol.id,
          videoIds: [a, b, c, d]
        })
        expect(col.itemCount).toBe(4)
        expect(await db.collectionItems(col.id)).toEqual([a, b, c, d])
        const rows = async () =>
          (
            await sql<{
              video_id: string
              position: number
              added_by: number
              added_at: string
            }>`SELECT video_id, position, added_by, added_at FROM collection_items
              WHERE collection_id = ${col.id} ORDER BY position`.execute(h.sqlDb.db)
          ).rows
        const before = new Map((await rows()).map((r) => [r.video_id, r]))
        expect(await db.setCollectionItems(col.id, [e, d, b, a], dave.id)).toEqual([e, d, b, a])
        const after = await rows()
        expect(after.map((r) => [r.video_id, Number(r.position)])).toEqual([
          [e, 0],
          [d, 1],
          [b, 2],
          [a, 3]
        ])
        for (const v of [d, b, a]) {
          const row = after.find((r) => r.video_id === v)
          expect(row?.added_by).toBe(carol.id)
          expect(row?.added_at).toBe(before.get(v)?.added_at)
        }
        expect(after.find((r) => r.video_id === e)?.added_by).toBe(dave.id)
        await expect(
          db.setCollectionItems(col.id, [a, 'nosuchvideo1', "x'--"], dave.id)
        ).rejects.toThrow(/no video "nosuchvideo1", "x'--"/)
        await expect(db.setCollectionItems(col.id, [a, a], dave.id)).rejects.toThrow(/twice/)
        const many = Array.from({ length: LEARN_LIMITS.collectionItems + 1 }, (_, i) => `v${i}`)
        await expect(db.setCollectionItems(col.id, many, dave.id)).rejects.toThrow(
          new RegExp(`at most ${LEARN_LIMITS.collectionItems}`)
        )
        expect(await db.collectionItems(col.id)).toEqual([e, d, b, a])
        expect(await db.setCollectionItems(col.id, [], dave.id)).toEqual([])
        expect((await db.getCollection(col.id))?.itemCount).toBe(0)
        expect(await db.setCollectionItems('nope', [a], dave.id)).toBeNull()
        const n = await db.countCollections()
        await expect(
          db.createCollection({
            title: 'Half',
            description: '',
            ownerId: carol.id,
            videoIds: [a, 'gone']
          })
        ).rejects.toThrow(/no video "gone"/)
        expect(await db.countCollections()).toBe(n)
      })

      it('lists newest first (same millisecond too), counts, updates and deletes', async () => {
        const one = await db.createCollection({ title: 'One', description: '', ownerId: bob.id })
        const two = await db.createCollection({ title: 'Two', description: '', ownerId: carol.id })
        const three = await db.createCollection({
          title: 'Three',
          description: '',
          ownerId: bob.id
        })
        // The same creation time for all: the order of creation still decides.
        await sql`UPDATE collections SET created_at = '2026-01-01T00:00:00.000Z'`.execute(
          h.sqlDb.db
        )
        const ids = async (o?: Parameters<LearnDb['listCollections']>[0]) =>
          (await db.listCollections(o)).map((c) => c.id)
        expect(await ids()).toEqual([three.id, two.id, one.id])
        expect(await ids({ ownerId: bob.id })).toEqual([three.id, one.id])
        expect(await ids({ limit: 1, offset: 1 })).toEqual([two.id])
        expect(await db.countCollections()).toBe(3)
        expect(await db.countCollections({ ownerId: carol.id })).toBe(1)
        expect(await db.updateCollection(one.id, { description: 'new' })).toMatchObject({
          title: 'One',
          description: 'new'
        })
        expect(await db.updateCollection('nope', { title: 'x' })).toBeNull()
        await db.addToCollection(two.id, await addVideo(bob), carol.id)
        expect(await db.deleteCollection(two.id)).toBe(true)
        expect(await db.deleteCollection(two.id)).toBe(false)
        expect(await db.collectionItems(two.id)).toEqual([])
      })
    })

    it('team settings: defaults, changes, falls back from an unknown stored value', async () => {
      expect(await db.teamSettings()).toEqual({ watchers: 'names' })
      expect(await db.setTeamSettings({ watchers: 'counts' })).toEqual({ watchers: 'counts' })
      expect(await db.setTeamSettings({})).toEqual({ watchers: 'counts' })
      expect(await db.teamSettings()).toEqual({ watchers: 'counts' })
      await sql`UPDATE team_settings SET value = 'everything' WHERE key = 'watchers'`.execute(
        h.sqlDb.db
      )
      expect(await db.teamSettings()).toEqual({ watchers: 'names' })
    })

    describe('cleanups in the caller transaction', () => {
      it('videoDeleted takes comments, search rows, reactions, views, answers, places, notifications', async () => {
        const v = await addVideo(alice, 'doomed')
        const keep = await addVideo(alice, 'kept')
        const r = await db.createRequest({ title: 'Q', details: '', tags: [], askerId: bob.id })
        await db.linkAnswer(r.id, v, alice.id)
        await db.linkAnswer(r.id, keep, alice.id)
        await db.markSolved(r.id, v, bob.id)
        const c = await db.addComment({
          videoId: v,
          parentId: null,
          authorId: bob.id,
          atMs: 0,
          body: 'kumquat',
          question: false
        })
        await db.addComment({
          videoId: v,
          parentId: c.id,
          authorId: carol.id,
          atMs: null,
          body: 'r',
          question: false
        })
        await db.addComment({
          videoId: keep,
          parentId: null,
          authorId: bob.id,
          atMs: 0,
          body: 'kept words',
          question: false
        })
        await db.toggleReaction(v, bob.id, 'helped', null)
        await db.toggleReaction(v, bob.id, '🎉', 1000)
        await db.addWatched(v, bob.id, [[0, 1000]], 60_000)
        const col = await db.createCollection({ title: 'C', description: '', ownerId: carol.id })
        await db.addToCollection(col.id, keep, carol.id)
        await db.addToCollection(col.id, v, carol.id)
        const last = await addVideo(bob)
        await db.addToCollection(col.id, last, carol.id)

        await h.sqlDb.tx(async (trx) => {
          await h.inTx.videoDeleted(trx, v)
          await sql`DELETE FROM videos WHERE id = ${v}`.execute(trx)
        })
        expect(await db.commentsOf(v)).toEqual([])
        expect(await db.getComment(c.id)).toBeNull()
        expect(await db.countComments(v)).toBe(0)
        expect(await db.reactionsOf(v, bob.id)).toEqual({
          helped: 0,
          helpedByMe: false,
          moments: []
        })
        expect(await db.watchersOf(v)).toEqual([])
        expect(await db.getRequest(r.id)).toMatchObject({
          state: 'open',
          solvedVideoId: null,
          answerCount: 1
        })
        expect(await db.requestsAnsweredBy(v)).toEqual([])
        expect(await db.collectionItems(col.id)).toEqual([keep, last])
        expect(await positions(col.id)).toEqual([0, 1])
        for (const u of [alice, bob, carol]) {
          expect(
            (await db.notificationsOf(u.id, { limit: 500 })).filter((n) => n.videoId === v)
          ).toEqual([])
        }
        expect((await db.notificationsOf(alice.id)).map((n) => n.videoId)).toContain(keep)
        expect(await commentHits('kumquat')).toEqual([])
        expect(await commentHits('kept words')).toEqual([keep])
        expect(
          await count(sql`SELECT count(*) AS n FROM comment_search WHERE video_id = ${v}`)
        ).toBe(0)
      })

      it('userRemoved: notifications, wants, reactions, views go; collections move or go', async () => {
        const v = await addVideo(alice)
        const r = await db.createRequest({
          title: 'Asked by carol',
          details: '',
          tags: [],
          askerId: carol.id
        })
        await db.setWanted(r.id, bob.id, true)
        const c = await db.addComment({
          videoId: v,
          parentId: null,
          authorId: carol.id,
          atMs: 0,
          body: 'hi',
          question: false
        })
        await db.addComment({
          videoId: v,
          parentId: c.id,
          authorId: alice.id,
          atMs: null,
          body: 'hello',
          question: false
        })
        await db.toggleReaction(v, carol.id, 'helped', null)
        await db.addWatched(v, carol.id, [[0, 1000]], 60_000)
        const mine = await db.createCollection({
          title: 'Mine',
          description: '',
          ownerId: carol.id
        })
        await db.addToCollection(mine.id, v, carol.id)
        expect(await db.unreadCount(carol.id)).toBe(1)

        await h.sqlDb.tx(async (trx) => {
          await h.inTx.userRemoved(trx, carol.id, { id: bob.id, name: bob.name })
          await sql`DELETE FROM users WHERE id = ${carol.id}`.execute(trx)
        })
        expect(await db.unreadCount(carol.id)).toBe(0)
        expect(await db.getRequest(r.id)).toMatchObject({ askerName: 'carol', wanted: 1 })
        expect(await db.getComment(c.id)).toMatchObject({ authorName: 'carol', body: 'hi' })
        expect((await db.reactionsOf(v, alice.id)).helped).toBe(0)
        expect(await db.watchersOf(v)).toEqual([])
        expect(await db.getCollection(mine.id)).toMatchObject({
          ownerId: bob.id,
          ownerName: 'bob',
          itemCount: 1
        })

        const dropped = await db.createCollection({
          title: 'Gone',
          description: '',
          ownerId: dave.id
        })
        await db.addToCollection(dropped.id, v, dave.id)
        await h.sqlDb.tx((trx) => h.inTx.userRemoved(trx, dave.id))
        expect(await db.getCollection(dropped.id)).toBeNull()
        expect((await db.collectionsWith(v)).map((x) => x.id)).toEqual([mine.id])
        expect(
          await count(
            sql`SELECT count(*) AS n FROM collection_items WHERE collection_id = ${dropped.id}`
          )
        ).toBe(0)
        // A reply in carol's thread no longer notifies her (removed users are not recipients).
        await db.addComment({
          videoId: v,
          parentId: c.id,
          authorId: bob.id,
          atMs: null,
          body: 'late',
          question: false
        })
        expect(await db.unreadCount(carol.id)).toBe(0)
        expect(await db.unreadCount(alice.id)).toBeGreaterThan(0)
      })
    })
  })
})
