/**
 * Learning together through LibraryDb (openLibraryDb; server/src/db/sql/learn-sql.ts behind
 * core-db.ts): requests with wants, answers and search; comments in threads with their
 * notification fan-out; reactions and "This helped"; watched ranges; notifications; collections;
 * team settings; what deleting a video or removing a user takes with it; and the migration from a
 * schema-6 library. On the engine of the pass (engine.ts libraryTarget): a SQLite file in a data
 * folder, or with SIDECAST_TEST_DATABASE=postgres a fresh PostgreSQL database per test. The server
 * suite runs once per engine, so every case here runs on both, except the one marked SQLite only
 * (its query plans). Rows the API cannot make or show (bulk users and replies, search rows,
 * stored places, equal timestamps) are written and read with plain SQL beside the library.
 *
 * learn-sql.test.ts keeps only what LibraryDb cannot reach: createLearnSql's in-transaction
 * functions (LearnInTx) inside a transaction the test holds open or fails.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { threadId } from 'node:worker_threads'
import Database from 'better-sqlite3'
import pg from 'pg'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openLibraryDb } from '../../server/src/db/open'
import { POSTGRES_MIGRATIONS } from '../../server/src/db/sql/migrations-postgres'
import { MIGRATIONS } from '../../server/src/db/sql/migrations-sqlite'
import type { LibraryDb, User } from '../../server/src/db/types'
import { LEARN_LIMITS } from '../../src/shared/learn'
import { postgresAtVersion } from './both-engines'
import { dropDatabases, librarySql, libraryTarget, onPostgres } from './engine'
import { videoFacts } from './support'

const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
})

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sidecast-learn-db-'))
  dirs.push(dir)
  return dir
}

/** The data folder of this test's library (library.db in it, or its PostgreSQL database). */
let dir: string
let db: LibraryDb
let alice: User
let bob: User
let carol: User
let dave: User

beforeEach(async () => {
  dir = tempDir()
  db = await openLibraryDb(await libraryTarget(dir))
  alice = await db.createUser('alice', 'pw-alice-123', false)
  bob = await db.createUser('bob', 'pw-bob-12345', false)
  carol = await db.createUser('carol', 'pw-carol-123', false)
  dave = await db.createUser('dave', 'pw-dave-1234', true)
})
/** What a test made beside its library and leaves to be removed after it (after db.close). */
const afterTest: (() => Promise<void>)[] = []

afterEach(async () => {
  await db.close()
  for (const undo of afterTest.splice(0)) await undo()
  // One test's PostgreSQL database at a time (engine.ts would drop them all after the file).
  if (onPostgres) await dropDatabases()
})

let videoCount = 0
async function addVideo(owner: User, title = `video ${++videoCount}`): Promise<string> {
  const id = `vid${String(++videoCount).padStart(13, '0')}`
  await db.insertVideo(videoFacts(id, owner.id, title))
  return id
}

/** One SQL statement on this test's library from a connection of its own (`?` placeholders). */
const raw = <R = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<R[]> =>
  librarySql<R>(dir, text, params)

/** The number a `SELECT count(*) AS n …` answers (PostgreSQL's bigint comes as a string). */
async function countOf(text: string, params: unknown[] = []): Promise<number> {
  return Number((await raw<{ n: unknown }>(text, params))[0]?.n)
}

/** The stored places of a collection's items, in order. */
const positions = async (id: string): Promise<number[]> =>
  (
    await raw<{ position: unknown }>(
      'SELECT position FROM collection_items WHERE collection_id = ? ORDER BY position',
      [id]
    )
  ).map((r) => Number(r.position))

/** `(?, ?, …)` groups for a multi-row VALUES list of `rows` rows of `width` values. */
const groups = (rows: number, width: number): string =>
  Array.from({ length: rows }, () => `(${Array(width).fill('?').join(', ')})`).join(', ')

/** Users added straight into the table (no password hashing), for large fan-outs. */
async function bulkUsers(n: number, prefix: string): Promise<number[]> {
  const t = new Date().toISOString()
  const rows = await raw<{ id: unknown }>(
    `INSERT INTO users (name, password_hash, admin, created_at) VALUES ${groups(n, 4)} RETURNING id`,
    Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 'x', 0, t]).flat()
  )
  return rows.map((r) => Number(r.id))
}

/**
 * A library written at schema 6 (before learning together), with one user, erin, and her video
 * v1 and its search row: a SQLite file in a new folder, or on PostgreSQL an empty database of its
 * own (libraryTarget's are copies of a template already migrated) made the way
 * connection.ts migratePostgres does, dropped after the test. With what the test reads back.
 */
async function schema6Library(): Promise<{
  target: { file: string } | { url: string }
  version(): Promise<number>
  tables(): Promise<string[]>
}> {
  const t = new Date().toISOString()
  const insertVideo = `INSERT INTO videos (id, title, description, owner_id, author_name,
    size_bytes, filename, mime_type, callouts, has_thumbnail, upload_id, storage, created_at)
    VALUES ('v1', 'Old video', '', $1, 'erin', 1, 'f.mp4', 'video/mp4', '[]', 0, 'u', 'file', $2)`
  if (!onPostgres) {
    const file = path.join(tempDir(), 'library.db')
    const raw6 = new Database(file)
    for (const step of MIGRATIONS.slice(0, 6)) raw6.exec(step)
    raw6.pragma('user_version = 6')
    const erin = raw6
      .prepare(
        "INSERT INTO users (name, password_hash, admin, created_at) VALUES ('erin', 'x', 1, ?)"
      )
      .run(t).lastInsertRowid
    raw6.prepare(insertVideo.replace(/\$\d/g, '?')).run(erin, t)
    raw6.prepare("INSERT INTO video_search (video_id, body) VALUES ('v1', 'Old video')").run()
    raw6.close()
    const read = <R>(text: string): R[] => {
      const check = new Database(file, { readonly: true })
      try {
        return check.prepare(text).all() as R[]
      } finally {
        check.close()
      }
    }
    return {
      target: { file },
      version: async () =>
        Number(read<{ user_version: number }>('PRAGMA user_version')[0]?.user_version),
      tables: async () =>
        read<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").map(
          (r) => r.name
        )
    }
  }
  const admin = process.env.SIDECAST_TEST_POSTGRES_URL as string
  // Named as engine.ts names its databases, so that one left by a killed run is dropped later.
  const name = `sidecast_test_${process.pid}_${threadId}_${crypto.randomBytes(6).toString('hex')}`
  await pgRows(admin, `CREATE DATABASE ${name}`)
  afterTest.push(async () => {
    await pgRows(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  })
  const url = new URL(admin)
  url.pathname = `/${name}`
  const client = new pg.Client({ connectionString: url.toString() })
  await client.connect()
  try {
    await client.query('BEGIN')
    await postgresAtVersion(client, 6)
    const { rows } = await client.query<{ id: number }>(
      "INSERT INTO users (name, password_hash, admin, created_at) VALUES ('erin', 'x', 1, $1) RETURNING id",
      [t]
    )
    await client.query(insertVideo, [rows[0]?.id, t])
    await client.query(
      "INSERT INTO video_search (video_id, body) VALUES ('v1', to_tsvector('simple', 'old video'))"
    )
    await client.query('COMMIT')
  } finally {
    await client.end()
  }
  return {
    target: { url: url.toString() },
    version: async () =>
      Number((await pgRows(url.toString(), 'SELECT version FROM sidecast_schema'))[0]?.version),
    tables: async () =>
      (
        await pgRows(
          url.toString(),
          "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'"
        )
      ).map((r) => String(r.name))
  }
}

/** The rows of one statement on the PostgreSQL database at `url`, from a connection of its own. */
async function pgRows(
  url: string,
  text: string,
  params: unknown[] = []
): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 })
  await client.connect()
  try {
    return (await client.query(text, params)).rows as Record<string, unknown>[]
  } finally {
    await client.end()
  }
}

const kindsFor = async (user: User): Promise<string[]> =>
  (await db.notificationsOf(user.id, { limit: 500 })).map((n) => n.kind).sort()

describe('requests', () => {
  it('create, read, update, delete; the asker wants it; tags and words are searched, old words are not', async () => {
    const r = await db.createRequest({
      title: 'How do I reconcile supplier invoices?',
      details: 'Every month end',
      tags: ['finance', 'erp'],
      askerId: bob.id
    })
    expect(r).toMatchObject({
      title: 'How do I reconcile supplier invoices?',
      details: 'Every month end',
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
    expect((await db.listRequests({ q: 'reconcile' })).map((x) => x.id)).toEqual([r.id])
    expect((await db.listRequests({ q: 'reconc' })).map((x) => x.id)).toEqual([r.id]) // prefix
    expect(await db.listRequests({ q: 'supplier' })).toEqual([]) // the old title is not searched
    expect(await db.updateRequest('nope', { title: 'x' })).toBeNull()

    expect(await db.deleteRequest(r.id)).toBe(true)
    expect(await db.getRequest(r.id)).toBeNull()
    expect(await db.listRequests({ q: 'reconcile' })).toEqual([])
    expect(await db.listRequests({ tag: 'ap' })).toEqual([])
    expect(await db.deleteRequest(r.id)).toBe(false)
    expect(await countOf('SELECT count(*) AS n FROM request_search')).toBe(0)
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

  it('lists newest first, filters by state, tag and words, and counts with the same filters', async () => {
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

    expect((await db.listRequests()).map((r) => r.id)).toEqual([c.id, b.id, a.id])
    expect((await db.listRequests({ state: 'open' })).map((r) => r.id)).toEqual([c.id, a.id])
    expect((await db.listRequests({ state: 'solved' })).map((r) => r.id)).toEqual([b.id])
    expect((await db.listRequests({ tag: 'finance' })).map((r) => r.id)).toEqual([c.id, b.id])
    expect((await db.listRequests({ tag: 'FINANCE', state: 'open' })).map((r) => r.id)).toEqual([
      c.id
    ])
    expect((await db.listRequests({ q: 'travel' })).map((r) => r.id)).toEqual([b.id]) // details and tags
    expect((await db.listRequests({ limit: 1, offset: 1 })).map((r) => r.id)).toEqual([b.id])
    expect(await db.listRequests({ limit: -1 })).toEqual([])
    expect(await db.countRequests()).toBe(3)
    expect(await db.countRequests({ state: 'open' })).toBe(2)
    expect(await db.countRequests({ tag: 'finance', state: 'solved' })).toBe(1)
    expect(await db.countRequests({ q: 'pivot', state: 'open' })).toBe(1)
    expect(await db.countRequests({ q: 'pivot', state: 'solved' })).toBe(0)
    expect((await db.getRequest(b.id))?.answerCount).toBe(1)
  })

  it('stores FTS, tsquery and SQL syntax verbatim and searches it safely', async () => {
    const nasty = [
      'say "hello',
      'star* wildcard',
      'NEAR(a b) group',
      'this OR that',
      "Robert'); DROP TABLE requests;--",
      'col:umn ^start -minus',
      'a & b | !c:* <-> d'
    ]
    const ids: string[] = []
    for (const title of nasty) {
      ids.push((await db.createRequest({ title, details: title, tags: [], askerId: bob.id })).id)
    }
    for (const [i, title] of nasty.entries()) {
      expect((await db.getRequest(ids[i] as string))?.title).toBe(title)
    }
    for (const q of [
      '"',
      '*',
      'NEAR(',
      'OR',
      "'",
      '"hello',
      'a"b*',
      ')(',
      'AND OR NOT',
      '--',
      '&|!',
      ':*',
      '<->'
    ]) {
      await expect(db.listRequests({ q })).resolves.toEqual(expect.any(Array))
      await expect(db.countRequests({ q })).resolves.toEqual(expect.any(Number))
    }
    expect((await db.listRequests({ q: '"hello' })).map((r) => r.id)).toEqual([ids[0]])
    expect((await db.listRequests({ q: 'NEAR(' })).map((r) => r.id)).toEqual([ids[2]])
    expect((await db.listRequests({ q: 'OR' })).map((r) => r.id)).toEqual([ids[3]])
    expect((await db.listRequests({ q: "Robert'); DROP" })).map((r) => r.id)).toEqual([ids[4]])
    expect((await db.listRequests({ q: '!c:* d' })).map((r) => r.id)).toEqual([ids[6]])
    expect(await db.listRequests({ q: '"' })).toEqual([]) // nothing to search for: no match, no error
    expect(await db.countRequests({ q: '"' })).toBe(0)
    expect(await db.countRequests()).toBe(nasty.length) // and the table is still there
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
    await raw("UPDATE request_answers SET created_at = '2026-01-01T00:00:00.000Z'")
    expect((await db.answersOf(r.id)).map((a) => a.videoId)).toEqual([v, ...more])
    expect(await db.unlinkAnswer(r.id, v)).toBe(true)
    expect(await db.unlinkAnswer(r.id, v)).toBe(false)
    expect((await db.answersOf(r.id)).map((a) => a.videoId)).toEqual(more)
  })

  it('links of one answer at once happen once, with one notification', async () => {
    const r = await db.createRequest({ title: 'Q', details: '', tags: [], askerId: bob.id })
    const v = await addVideo(alice)
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

    const solved = await db.markSolved(r.id, answer, bob.id)
    expect(solved).toMatchObject({ state: 'solved', solvedVideoId: answer })
    expect(await db.notificationsOf(carol.id, { unreadOnly: true })).toEqual([
      expect.objectContaining({ kind: 'solved', actorName: 'bob', text: 'Payroll cut-off' })
    ])
    expect(await db.notificationsOf(bob.id, { unreadOnly: true })).toEqual([])
    expect((await db.notificationsOf(alice.id)).map((n) => n.kind)).toEqual([]) // she does not want it
    // Marking the same again changes nothing and notifies nobody.
    await db.markSolved(r.id, answer, bob.id)
    expect(await db.unreadCount(carol.id)).toBe(1)

    expect(await db.markSolved(r.id, null, bob.id)).toMatchObject({
      state: 'open',
      solvedVideoId: null
    })
    expect(await db.unreadCount(carol.id)).toBe(1)

    // Unlinking the solving answer reopens the request.
    await db.markSolved(r.id, answer, bob.id)
    await db.unlinkAnswer(r.id, answer)
    expect((await db.getRequest(r.id))?.state).toBe('open')
  })

  it('an upload that answers a request is linked in the same step that adds its video', async () => {
    const request = await db.createRequest({
      title: 'How?',
      details: '',
      tags: [],
      askerId: bob.id
    })
    await db.createUpload('u'.repeat(32), alice.id, 'answerVideo00001', '{}')
    const video = videoFacts('answerVideo00001', alice.id, 'Like this', {
      durationMs: 1000,
      uploadId: 'u'.repeat(32)
    })
    const done = await db.completeUpload('u'.repeat(32), video, { answers: request.id })
    expect(done).toMatchObject({ video: { id: video.id }, answered: request.id })
    expect((await db.getUpload('u'.repeat(32)))?.state).toBe('done')
    expect((await db.answersOf(request.id)).map((a) => a.videoId)).toEqual([video.id])
    expect((await db.notificationsOf(bob.id)).map((n) => [n.kind, n.videoId])).toEqual([
      ['answer', video.id]
    ])
    // Run again (the reconciler): nothing twice.
    expect((await db.completeUpload('u'.repeat(32), video, { answers: request.id })).answered).toBe(
      request.id
    )
    expect(await db.notificationsOf(bob.id)).toHaveLength(1)
    // A request gone meanwhile: the video is still added, unlinked.
    await db.createUpload('v'.repeat(32), alice.id, 'answerVideo00002', '{}')
    const orphan = await db.completeUpload(
      'v'.repeat(32),
      { ...video, id: 'answerVideo00002', uploadId: 'v'.repeat(32) },
      { answers: 'noSuchRequest123' }
    )
    expect(orphan).toMatchObject({ video: { id: 'answerVideo00002' }, answered: null })
  })

  it('deleting a request removes its links, wants and notifications, not the videos', async () => {
    const r = await db.createRequest({ title: 'Q', details: '', tags: ['x'], askerId: bob.id })
    const v = await addVideo(alice)
    await db.setWanted(r.id, carol.id, true)
    await db.linkAnswer(r.id, v, alice.id)
    expect(await db.unreadCount(carol.id)).toBe(1)
    await db.deleteRequest(r.id)
    expect(await db.unreadCount(carol.id)).toBe(0)
    expect(await db.unreadCount(bob.id)).toBe(0)
    expect(await db.requestsAnsweredBy(v)).toEqual([])
    expect(await db.wants(r.id, carol.id)).toBe(false)
    expect(await db.getVideo(v)).not.toBeNull()
    expect(await countOf('SELECT count(*) AS n FROM request_tags')).toBe(0)
  })

  // SQLite's EXPLAIN QUERY PLAN; PostgreSQL's planner picks by table statistics, and a plan on a
  // small test table would prove nothing about a large one.
  it.skipIf(onPostgres)(
    'SQLite only (query plans): open requests are read by an index, not a scan of all requests',
    () => {
      const sqlite = new Database(path.join(dir, 'library.db'), { readonly: true })
      const plan = (sql: string): string =>
        (sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[])
          .map((r) => r.detail)
          .join(' | ')
      // A hand copy of what listRequests runs for the home page's open requests (learn-sql.ts
      // requestSelect with the open filter and its order): keep it in step with that code.
      const open = plan(
        `SELECT r.*,
       (SELECT count(*) FROM request_wants w WHERE w.request_id = r.id) AS wanted,
       (SELECT count(*) FROM request_answers a WHERE a.request_id = r.id) AS answer_count
       FROM requests r WHERE r.solved_video_id IS NULL
       ORDER BY r.created_at DESC, r.seq DESC LIMIT 50 OFFSET 0`
      )
      expect(open).toMatch(/SCAN r USING INDEX requests_open/)
      expect(open).toMatch(/SEARCH w USING COVERING INDEX/)
      expect(open).toMatch(/SEARCH a USING COVERING INDEX/)
      expect(open).not.toMatch(/TEMP B-TREE/) // no sort of every open request
      expect(plan('SELECT count(*) AS n FROM requests r WHERE r.solved_video_id IS NULL')).toMatch(
        /requests_open/
      )
      const tagged = plan(
        `SELECT count(*) AS n FROM requests r WHERE r.solved_video_id IS NULL
       AND r.id IN (SELECT request_id FROM request_tags WHERE tag = 'x')`
      )
      expect(tagged).toMatch(/SEARCH request_tags USING COVERING INDEX .*\(tag=\?\)/)
      sqlite.close()
    }
  )

  it('1,000 open requests: counted, and a page of the newest 50 with their counts', async () => {
    for (let i = 0; i < 1000; i++) {
      await db.createRequest({
        title: `Request ${i}`,
        details: '',
        tags: ['bulk'],
        askerId: bob.id
      })
    }
    expect(await db.countRequests({ state: 'open' })).toBe(1000)
    expect(await db.countRequests({ tag: 'bulk', state: 'open' })).toBe(1000)
    const page = await db.listRequests({ state: 'open', limit: 50 })
    expect(page).toHaveLength(50)
    expect(page[0]?.title).toBe('Request 999')
    expect(page.every((r) => r.wanted === 1 && r.answerCount === 0)).toBe(true)
  })
})

describe('comments', () => {
  it('threads: a reply to a reply joins the thread; moments; sorted threads', async () => {
    const v = await addVideo(alice)
    const late = await db.addComment({
      videoId: v,
      parentId: null,
      authorId: bob.id,
      atMs: 9000,
      body: 'late',
      question: false
    })
    const whole = await db.addComment({
      videoId: v,
      parentId: null,
      authorId: bob.id,
      atMs: null,
      body: 'whole',
      question: false
    })
    const early = await db.addComment({
      videoId: v,
      parentId: null,
      authorId: carol.id,
      atMs: 5000.7,
      body: 'Why?',
      question: true
    })
    const early2 = await db.addComment({
      videoId: v,
      parentId: null,
      authorId: carol.id,
      atMs: 5001,
      body: 'same second',
      question: false
    })
    const r1 = await db.addComment({
      videoId: v,
      parentId: early.id,
      authorId: alice.id,
      atMs: 1234,
      body: 'Because',
      question: true
    })
    const r2 = await db.addComment({
      videoId: v,
      parentId: r1.id,
      authorId: bob.id,
      atMs: null,
      body: 'Thanks',
      question: false
    })

    expect(early).toMatchObject({ atMs: 5001, question: true, parentId: null, authorName: 'carol' })
    expect(r1).toMatchObject({ parentId: early.id, atMs: null, question: false })
    expect(r2.parentId).toBe(early.id)

    const threads = await db.commentsOf(v)
    expect(threads.map((t) => t.comment.id)).toEqual([early.id, early2.id, late.id, whole.id])
    expect(threads[0]?.replies.map((r) => r.id)).toEqual([r1.id, r2.id])
    expect(await db.countComments(v)).toBe(6)
    expect(await db.getComment(r2.id)).toEqual(r2)
  })

  it('throws for a missing video or a parent that is missing or on another video', async () => {
    const v = await addVideo(alice)
    const w = await addVideo(alice)
    const c = await db.addComment({
      videoId: w,
      parentId: null,
      authorId: bob.id,
      atMs: 0,
      body: 'x',
      question: false
    })
    await expect(
      db.addComment({
        videoId: 'nope',
        parentId: null,
        authorId: bob.id,
        atMs: 0,
        body: 'x',
        question: false
      })
    ).rejects.toThrow()
    await expect(
      db.addComment({
        videoId: v,
        parentId: c.id,
        authorId: bob.id,
        atMs: 0,
        body: 'x',
        question: false
      })
    ).rejects.toThrow(/reply/)
    await expect(
      db.addComment({
        videoId: v,
        parentId: 'nope',
        authorId: bob.id,
        atMs: 0,
        body: 'x',
        question: false
      })
    ).rejects.toThrow()
    expect(await db.countComments(v)).toBe(0)
    expect(await db.unreadCount(alice.id)).toBe(1) // only the one comment that was added
    expect(await countOf('SELECT count(*) AS n FROM comment_search')).toBe(1)
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

    // The owner replies: bob (thread) is told, alice is not.
    const a1 = await db.addComment({
      videoId: v,
      parentId: root.id,
      authorId: alice.id,
      atMs: null,
      body: 'Answer',
      question: false
    })
    expect(await kindsFor(bob)).toEqual(['reply'])
    expect((await db.notificationsOf(bob.id))[0]).toMatchObject({ commentId: a1.id, atMs: 4000 })
    expect(await kindsFor(alice)).toEqual(['comment'])

    // carol replies: alice (owner and in the thread) once, bob once, carol never.
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

    // The owner commenting on her own video notifies nobody.
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
    expect((await db.commentsOf(v))[0]?.comment.body).toBe(body) // the comment itself is whole
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
      const one = [`c${String(i).padStart(15, '0')}`, v, root.id, id, t]
      // A second reply by some: still one notification each.
      return i % 10 === 0 ? [one, [`d${String(i).padStart(15, '0')}`, v, root.id, id, t]] : [one]
    })
    await raw(
      `INSERT INTO comments (id, video_id, parent_id, author_id, created_at, author_name, body)
       VALUES ${groups(replies.length, 5).replace(/\)/g, ", 'p', 'me')")}`,
      replies.flat()
    )
    // Participants: bob + 998 people; the owner alice; carol replies → 1,000 recipients.
    await db.addComment({
      videoId: v,
      parentId: root.id,
      authorId: carol.id,
      atMs: null,
      body: 'A',
      question: false
    })
    const counts = await raw<{ n: unknown; d: unknown }>(
      "SELECT count(*) AS n, count(DISTINCT user_id) AS d FROM notifications WHERE kind = 'reply'"
    )
    expect(counts.map((r) => ({ n: Number(r.n), d: Number(r.d) }))).toEqual([{ n: 1000, d: 1000 }])
    expect(
      await countOf('SELECT count(*) AS n FROM notifications WHERE user_id = ?', [carol.id])
    ).toBe(0)
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
    expect((await db.notificationsOf(bob.id))[0]?.atMs).toBe(1000) // carol's reply, at the thread's moment
    const moved = await db.updateComment(c.id, { atMs: 2000 })
    expect(moved).toMatchObject({ atMs: 2000, body: 'zebra', editedAt: null })
    // The notifications of the thread link to its new moment.
    expect((await db.notificationsOf(bob.id))[0]?.atMs).toBe(2000)
    expect((await db.notificationsOf(alice.id)).map((n) => n.atMs)).toEqual([2000, 2000])
    const edited = await db.updateComment(c.id, { body: 'giraffe' })
    expect(edited?.body).toBe('giraffe')
    expect(edited?.editedAt).not.toBeNull()
    expect((await db.updateComment(r.id, { atMs: 5 }))?.atMs).toBeNull()
    expect(await db.updateComment('nope', { body: 'x' })).toBeNull()
    expect(await db.searchVideos('zebra')).toEqual([])
    expect((await db.searchVideos('giraffe')).map((x) => x.id)).toEqual([v])
    expect((await db.searchVideos('giraf')).map((x) => x.id)).toEqual([v]) // prefix
    expect(await countOf('SELECT count(*) AS n FROM comment_search')).toBe(2)
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
    await db.setAnswered(q.id, true, bob.id) // by the asker: no notification
    expect(await kindsFor(bob)).toEqual(['answered'])
    // Toggled off and on again by someone else, many times: still the one notification.
    for (let i = 0; i < 5; i++) {
      expect((await db.setAnswered(q.id, false, alice.id))?.answered).toBe(false)
      expect((await db.setAnswered(q.id, true, alice.id))?.answered).toBe(true)
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
    expect((await db.patchComment(q.id, { answered: false }, alice.id))?.answered).toBe(false)
    const plain = await db.addComment({
      videoId: v,
      parentId: null,
      authorId: bob.id,
      atMs: 1000,
      body: 'Not a question',
      question: false
    })
    // The answered part fails: the text change is undone with it.
    await expect(
      db.patchComment(plain.id, { body: 'Changed', answered: true }, alice.id)
    ).rejects.toThrow(/not a question/)
    expect(await db.getComment(plain.id)).toMatchObject({ body: 'Not a question', editedAt: null })
    expect(await db.searchVideos('Changed')).toEqual([])
    expect((await db.searchVideos('question')).map((x) => x.id)).toEqual([v])
    expect(await db.patchComment('nope', { body: 'x', answered: true }, alice.id)).toBeNull()
  })

  it('delete: hard without replies, soft with; the last reply of a deleted start removes the thread', async () => {
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
    expect(await db.unreadCount(alice.id)).toBe(0) // its notification went with it
    expect(await db.deleteComment(lone.id)).toBe(false)
    expect(await db.searchVideos('lonely')).toEqual([])

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
    expect((await db.notificationsOf(alice.id)).some((n) => n.commentId === root.id)).toBe(false)
    expect(await db.searchVideos('secret')).toEqual([])
    expect((await db.searchVideos('reply')).map((x) => x.id)).toEqual([v]) // the reply still counts
    expect(await db.updateComment(root.id, { body: 'back' })).toBeNull()

    await db.deleteComment(reply.id)
    expect(await db.getComment(reply.id)).toBeNull()
    expect(await db.getComment(root.id)).toBeNull()
    expect(await db.commentsOf(v)).toEqual([])
    expect(await countOf('SELECT count(*) AS n FROM comment_search')).toBe(0)
  })

  it('commentsOf groups 500 comments into sorted threads with their replies in order', async () => {
    const v = await addVideo(alice)
    const roots = []
    for (let i = 0; i < 100; i++) {
      roots.push(
        await db.addComment({
          videoId: v,
          parentId: null,
          authorId: bob.id,
          atMs: (100 - i) * 1000,
          body: `c${i}`,
          question: false
        })
      )
    }
    for (let i = 0; i < 400; i++) {
      const root = roots[i % 100] as { id: string }
      await db.addComment({
        videoId: v,
        parentId: root.id,
        authorId: carol.id,
        atMs: null,
        body: `r${i}`,
        question: false
      })
    }
    const threads = await db.commentsOf(v)
    expect(threads).toHaveLength(100)
    expect(threads.map((t) => t.comment.atMs)).toEqual(
      [...Array(100).keys()].map((i) => (i + 1) * 1000)
    )
    expect(threads.every((t) => t.replies.length === 4)).toBe(true)
    expect(threads[99]?.replies.map((r) => r.body)).toEqual(['r0', 'r100', 'r200', 'r300'])
  })
})

describe('reactions', () => {
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
    expect(await db.toggleReaction(v, bob.id, 'helped', null, true)).toMatchObject({ helped: 1 })
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
    expect(await db.unreadCount(alice.id)).toBe(1)
    await db.toggleReaction(v, alice.id, 'helped', null) // her own: counted, not notified
    expect(await db.notificationsOf(alice.id)).toHaveLength(2)
  })
})

describe('watching', () => {
  it('merges reports into ranges and completion; most recent watcher first', async () => {
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
    rec = await db.addWatched(v, bob.id, [[-5, 70_000]], 60_000)
    expect(rec).toMatchObject({ ranges: [[0, 60_000]], watchedMs: 60_000, completion: 1 })
    await db.addWatched(v, carol.id, [[0, 1000]], 60_000)
    expect((await db.watchersOf(v)).map((w) => w.userName)).toEqual(['carol', 'bob'])
    // The same last time: the record made last comes first.
    await raw("UPDATE video_views SET last_at = '2026-01-01T00:00:00.000Z'")
    await db.addWatched(v, dave.id, [[0, 1000]], 60_000)
    await raw("UPDATE video_views SET last_at = '2026-01-01T00:00:00.000Z'")
    expect((await db.watchersOf(v)).map((w) => w.userName)).toEqual(['dave', 'carol', 'bob'])
    await expect(db.addWatched('nope', bob.id, [[0, 1]], 1000)).rejects.toThrow()
  })

  it('never clips what was stored to a shorter reported length', async () => {
    const v = await addVideo(alice)
    expect((await db.addWatched(v, bob.id, [[0, 50_000]], 60_000)).completion).toBeCloseTo(50 / 60)
    const rec = await db.addWatched(v, bob.id, [[0, 1000]], 1000)
    expect(rec).toMatchObject({ ranges: [[0, 50_000]], watchedMs: 50_000, durationMs: 60_000 })
    expect(rec.completion).toBeCloseTo(50 / 60)
    // A longer length is taken (the ranges are then measured against it).
    expect(await db.addWatched(v, bob.id, [], 100_000)).toMatchObject({
      durationMs: 100_000,
      completion: 0.5
    })
  })

  it('keeps a record small however often a person jumps', async () => {
    const v = await addVideo(alice)
    for (let batch = 0; batch < 5; batch++) {
      const ranges: [number, number][] = []
      for (let i = 0; i < LEARN_LIMITS.watchedRanges; i++) {
        const at = (batch * LEARN_LIMITS.watchedRanges + i) * 2000
        ranges.push([at, at + 500])
      }
      await db.addWatched(v, bob.id, ranges, 10_000_000)
    }
    const rec = (await db.watchersOf(v))[0]
    expect(rec?.ranges.length).toBeLessThanOrEqual(500)
    expect(rec?.ranges[0]?.[0]).toBe(0)
    expect(rec?.ranges[rec.ranges.length - 1]?.[1]).toBe(999 * 2000 + 500)
  })
})

describe('notifications', () => {
  it('newest first, paging with after, unread count, markRead of own ids only', async () => {
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
    expect(ids.every((id) => typeof id === 'number')).toBe(true) // not PostgreSQL's bigint string
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
    expect(await db.markRead(alice.id, [ids[0] as number, bobs, 999_999, ids[0] as number])).toBe(1)
    expect(await db.unreadCount(bob.id)).toBe(1)
    expect(await db.unreadCount(alice.id)).toBe(4)
    expect(await db.markRead(alice.id, [ids[0] as number])).toBe(0) // already read
    expect(await db.markRead(alice.id, [])).toBe(0)
    expect(await db.notificationsOf(alice.id, { unreadOnly: true })).toHaveLength(4)
    expect(await db.markRead(alice.id)).toBe(4)
    expect(await db.unreadCount(alice.id)).toBe(0)
    expect((await db.notificationsOf(alice.id))[0]?.readAt).not.toBeNull()
  })
})

describe('collections', () => {
  it('keeps order dense through add, move and remove', async () => {
    const a = await addVideo(alice)
    const b = await addVideo(alice)
    const c = await addVideo(bob)
    const d = await addVideo(bob)
    const col = await db.createCollection({
      title: 'Onboarding',
      description: 'finance tools',
      ownerId: carol.id
    })
    expect(col).toMatchObject({ title: 'Onboarding', ownerName: 'carol', itemCount: 0 })
    for (const v of [a, b, c, d]) await db.addToCollection(col.id, v, carol.id)
    await db.addToCollection(col.id, b, carol.id) // already in: unchanged
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
    const loose = await addVideo(bob)
    await expect(db.addToCollection('nope', loose, bob.id)).rejects.toThrow(/no collection/)
    await raw(
      `INSERT INTO collection_items (collection_id, video_id, position, added_by, added_at)
       VALUES ${groups(LEARN_LIMITS.collectionItems, 5)}`,
      Array.from({ length: LEARN_LIMITS.collectionItems }, (_, i) => [
        col.id,
        `x${i}`,
        i,
        bob.id,
        ''
      ]).flat()
    )
    const extra = await addVideo(bob)
    await expect(db.addToCollection(col.id, extra, bob.id)).rejects.toThrow(
      new RegExp(`at most ${LEARN_LIMITS.collectionItems}`)
    )
  })

  it('setCollectionItems: the whole new order in one transaction, keeping who added what', async () => {
    const five: string[] = []
    for (let i = 0; i < 5; i++) five.push(await addVideo(alice))
    const [a, b, c, d, e] = five as [string, string, string, string, string]
    const col = await db.createCollection({
      title: 'Ordered',
      description: '',
      ownerId: carol.id,
      videoIds: [a, b, c, d]
    })
    expect(col.itemCount).toBe(4)
    expect(await db.collectionItems(col.id)).toEqual([a, b, c, d])
    const rows = async (): Promise<
      { video_id: string; position: number; added_by: number; added_at: string }[]
    > =>
      (
        await raw<{ video_id: string; position: unknown; added_by: unknown; added_at: string }>(
          'SELECT video_id, position, added_by, added_at FROM collection_items WHERE collection_id = ? ORDER BY position',
          [col.id]
        )
      ).map((r) => ({ ...r, position: Number(r.position), added_by: Number(r.added_by) }))
    const before = new Map((await rows()).map((r) => [r.video_id, r]))
    expect(await db.setCollectionItems(col.id, [e, d, b, a], dave.id)).toEqual([e, d, b, a])
    const after = await rows()
    expect(after.map((r) => [r.video_id, r.position])).toEqual([
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
    // Unknown ids are named and nothing changes; the same for a duplicate or too many.
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
    // A new collection with an unknown video is not made at all.
    const count = await db.countCollections()
    await expect(
      db.createCollection({
        title: 'Half',
        description: '',
        ownerId: carol.id,
        videoIds: [a, 'gone']
      })
    ).rejects.toThrow(/no video "gone"/)
    expect(await db.countCollections()).toBe(count)
  })

  it('lists newest first (same millisecond too), counts, updates and deletes', async () => {
    const one = await db.createCollection({ title: 'One', description: '', ownerId: bob.id })
    const two = await db.createCollection({ title: 'Two', description: '', ownerId: carol.id })
    const three = await db.createCollection({ title: 'Three', description: '', ownerId: bob.id })
    // The same creation time for all: the order of creation still decides.
    await raw("UPDATE collections SET created_at = '2026-01-01T00:00:00.000Z'")
    expect((await db.listCollections()).map((c) => c.id)).toEqual([three.id, two.id, one.id])
    expect((await db.listCollections({ ownerId: bob.id })).map((c) => c.id)).toEqual([
      three.id,
      one.id
    ])
    expect((await db.listCollections({ limit: 1, offset: 1 })).map((c) => c.id)).toEqual([two.id])
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

describe('team settings', () => {
  it('defaults, changes, and falls back from an unknown stored value', async () => {
    expect(await db.teamSettings()).toEqual({ watchers: 'names' })
    expect(await db.setTeamSettings({ watchers: 'counts' })).toEqual({ watchers: 'counts' })
    expect(await db.setTeamSettings({})).toEqual({ watchers: 'counts' }) // nothing to change
    expect(await db.teamSettings()).toEqual({ watchers: 'counts' })
    await raw("UPDATE team_settings SET value = 'everything' WHERE key = 'watchers'")
    expect(await db.teamSettings()).toEqual({ watchers: 'names' })
  })
})

describe('deleting a video and removing a user', () => {
  it('deleting a video takes its comments, reactions, views, answers, places and notifications', async () => {
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

    expect(await db.deleteVideo(v)).toBe(true)
    expect(await db.commentsOf(v)).toEqual([])
    expect(await db.getComment(c.id)).toBeNull()
    expect(await db.countComments(v)).toBe(0)
    expect(await db.reactionsOf(v, bob.id)).toEqual({ helped: 0, helpedByMe: false, moments: [] })
    expect(await db.watchersOf(v)).toEqual([])
    expect(await db.getRequest(r.id)).toMatchObject({
      state: 'open',
      solvedVideoId: null,
      answerCount: 1
    })
    expect(await db.requestsAnsweredBy(v)).toEqual([])
    expect(await db.collectionItems(col.id)).toEqual([keep, last])
    expect(await positions(col.id)).toEqual([0, 1]) // the places closed up
    expect(await db.moveInCollection(col.id, last, 0)).toEqual([last, keep])
    for (const u of [alice, bob, carol]) {
      expect(
        (await db.notificationsOf(u.id, { limit: 500 })).filter((n) => n.videoId === v)
      ).toEqual([])
    }
    expect((await db.notificationsOf(alice.id)).map((n) => n.videoId)).toContain(keep)
    expect(await db.searchVideos('kumquat')).toEqual([])
    expect((await db.searchVideos('kept words')).map((x) => x.id)).toEqual([keep])
    expect(await countOf('SELECT count(*) AS n FROM comment_search WHERE video_id = ?', [v])).toBe(
      0
    )
  })

  it('removing a user: their notifications, wants, reactions and views go; requests and comments stay', async () => {
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
    const mine = await db.createCollection({ title: 'Mine', description: '', ownerId: carol.id })
    await db.addToCollection(mine.id, v, carol.id)
    expect(await db.unreadCount(carol.id)).toBe(1)

    await db.removeUser('carol', { transferTo: bob.id })
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

    const dropped = await db.createCollection({ title: 'Gone', description: '', ownerId: dave.id })
    await db.addToCollection(dropped.id, v, dave.id)
    await db.removeUser('dave')
    expect(await db.getCollection(dropped.id)).toBeNull()
    expect((await db.collectionsWith(v)).map((x) => x.id)).toEqual([mine.id])
    expect(
      await countOf('SELECT count(*) AS n FROM collection_items WHERE collection_id = ?', [
        dropped.id
      ])
    ).toBe(0)
    // A reply in carol's thread no longer notifies her (removed users are not recipients).
    const aliceBefore = await db.unreadCount(alice.id)
    await db.addComment({
      videoId: v,
      parentId: c.id,
      authorId: bob.id,
      atMs: null,
      body: 'late',
      question: false
    })
    expect(
      await countOf('SELECT count(*) AS n FROM notifications WHERE user_id = ?', [carol.id])
    ).toBe(0)
    expect(await db.unreadCount(alice.id)).toBe(aliceBefore + 1) // the owner and in the thread
  })
})

describe('search and migration', () => {
  it('finds a video by a comment, not by a deleted one', async () => {
    const v = await addVideo(alice, 'Plain title')
    await addVideo(alice, 'Other')
    const c = await db.addComment({
      videoId: v,
      parentId: null,
      authorId: bob.id,
      atMs: 0,
      body: 'Überweisung pending',
      question: false
    })
    expect((await db.searchVideos('uberweisung')).map((x) => x.id)).toEqual([v])
    expect(await db.countVideos('uberweisung')).toBe(1)
    expect((await db.searchVideos('plain')).map((x) => x.id)).toEqual([v])
    expect(await db.countVideos('plain pending')).toBe(0) // every word in one text
    await db.deleteComment(c.id)
    expect(await db.searchVideos('uberweisung')).toEqual([])
    expect(await db.countVideos('uberweisung')).toBe(0)
    await expect(db.searchVideos('" NEAR( * OR')).resolves.toEqual(expect.any(Array))
  })

  it('a schema-6 database keeps its rows and gains the learning tables', async () => {
    await db.close()
    const old = await schema6Library()
    db = await openLibraryDb(old.target)
    expect(await old.version()).toBe(onPostgres ? POSTGRES_MIGRATIONS.length : MIGRATIONS.length)
    const tables = await old.tables()
    for (const table of ['requests', 'comments', 'notifications', 'collections', 'team_settings']) {
      expect(tables).toContain(table)
    }
    expect((await db.getUserByName('erin'))?.admin).toBe(true)
    expect((await db.getVideo('v1'))?.title).toBe('Old video')
    expect((await db.searchVideos('old')).map((x) => x.id)).toEqual(['v1'])
    const erin = (await db.getUserByName('erin')) as User
    await db.addComment({
      videoId: 'v1',
      parentId: null,
      authorId: erin.id,
      atMs: 0,
      body: 'works',
      question: false
    })
    expect(await db.countComments('v1')).toBe(1)
    expect((await db.searchVideos('works')).map((x) => x.id)).toEqual(['v1'])
  })
})
