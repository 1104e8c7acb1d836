/**
 * Learning together, the data layer (server/src/db/learn-db.ts, schema 7): requests with wants,
 * answers and search; comments in threads with their notification fan-out; reactions and
 * "This helped"; watched ranges; notifications; collections; team settings; what deleting a video
 * or removing a user takes with it; and the migration from a schema-6 database. On a real SQLite
 * file opened with openLibraryDb.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openLibraryDb } from '../../server/src/db/open'
import { MIGRATIONS } from '../../server/src/db/sql/migrations-sqlite'
import type { LibraryDb, User } from '../../server/src/db/types'
import { LEARN_LIMITS } from '../../src/shared/learn'
import { videoFacts } from './support'

const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
})

function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sidecast-learn-db-'))
  dirs.push(dir)
  return path.join(dir, 'library.db')
}

let file: string
let db: LibraryDb
let alice: User
let bob: User
let carol: User
let dave: User

beforeEach(async () => {
  file = tempFile()
  db = await openLibraryDb({ file })
  alice = await db.createUser('alice', 'pw-alice-123', false)
  bob = await db.createUser('bob', 'pw-bob-12345', false)
  carol = await db.createUser('carol', 'pw-carol-123', false)
  dave = await db.createUser('dave', 'pw-dave-1234', true)
})
afterEach(() => db.close())

let videoCount = 0
async function addVideo(owner: User, title = `video ${++videoCount}`): Promise<string> {
  const id = `vid${String(++videoCount).padStart(13, '0')}`
  await db.insertVideo(videoFacts(id, owner.id, title))
  return id
}

/** Users added straight into the table (no password hashing), for large fan-outs. */
function bulkUsers(n: number, prefix: string): number[] {
  const raw = new Database(file)
  const insert = raw.prepare(
    "INSERT INTO users (name, password_hash, admin, created_at) VALUES (?, 'x', 0, ?)"
  )
  const ids: number[] = []
  raw.transaction(() => {
    for (let i = 0; i < n; i++) {
      ids.push(Number(insert.run(`${prefix}${i}`, new Date().toISOString()).lastInsertRowid))
    }
  })()
  raw.close()
  return ids
}

const kindsFor = async (user: User): Promise<string[]> =>
  (await db.notificationsOf(user.id, { limit: 500 })).map((n) => n.kind).sort()

describe('requests', () => {
  it('create, read, update, delete; the asker wants it; tags are indexed', async () => {
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
    expect(await db.listRequests({ q: 'supplier' })).toEqual([]) // the old title is not searched
    expect(await db.updateRequest('nope', { title: 'x' })).toBeNull()

    expect(await db.deleteRequest(r.id)).toBe(true)
    expect(await db.getRequest(r.id)).toBeNull()
    expect(await db.listRequests({ q: 'reconcile' })).toEqual([])
    expect(await db.listRequests({ tag: 'ap' })).toEqual([])
    expect(await db.deleteRequest(r.id)).toBe(false)
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
    expect(await db.countRequests()).toBe(3)
    expect(await db.countRequests({ state: 'open' })).toBe(2)
    expect(await db.countRequests({ tag: 'finance', state: 'solved' })).toBe(1)
    expect(await db.countRequests({ q: 'pivot', state: 'open' })).toBe(1)
    expect(await db.countRequests({ q: 'pivot', state: 'solved' })).toBe(0)
  })

  it('stores FTS and SQL syntax verbatim and searches it safely', async () => {
    const nasty = [
      'say "hello',
      'star* wildcard',
      'NEAR(a b) group',
      'this OR that',
      "Robert'); DROP TABLE requests;--",
      'col:umn ^start -minus'
    ]
    const ids: string[] = []
    for (const title of nasty) {
      ids.push((await db.createRequest({ title, details: title, tags: [], askerId: bob.id })).id)
    }
    for (const [i, title] of nasty.entries()) {
      expect((await db.getRequest(ids[i] as string))?.title).toBe(title)
    }
    for (const q of ['"', '*', 'NEAR(', 'OR', "'", '"hello', 'a"b*', ')(', 'AND OR NOT', '--']) {
      await expect(db.listRequests({ q })).resolves.toEqual(expect.any(Array))
      await expect(db.countRequests({ q })).resolves.toEqual(expect.any(Number))
    }
    expect((await db.listRequests({ q: '"hello' })).map((r) => r.id)).toEqual([ids[0]])
    expect((await db.listRequests({ q: 'NEAR(' })).map((r) => r.id)).toEqual([ids[2]])
    expect((await db.listRequests({ q: 'OR' })).map((r) => r.id)).toEqual([ids[3]])
    expect((await db.listRequests({ q: "Robert'); DROP" })).map((r) => r.id)).toEqual([ids[4]])
    expect(await db.listRequests({ q: '"' })).toEqual([]) // nothing to search for: no match, no error
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

    const v2 = await addVideo(dave)
    await db.linkAnswer(r.id, v2, dave.id)
    expect((await db.answersOf(r.id)).map((a) => a.videoId)).toEqual([v, v2])
    expect(await db.unlinkAnswer(r.id, v)).toBe(true)
    expect(await db.unlinkAnswer(r.id, v)).toBe(false)
    expect((await db.answersOf(r.id)).map((a) => a.videoId)).toEqual([v2])
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
  })

  it('lists 1,000 open requests by an index, not a scan of all requests', async () => {
    const raw = new Database(file)
    const plan = (sql: string): string =>
      (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[])
        .map((r) => r.detail)
        .join(' | ')
    // listRequests' statement (learn-db.ts REQUEST_SELECT) for the home page's open requests.
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
    raw.close()

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
    const people = bulkUsers(998, 'p')
    const raw = new Database(file)
    const insert = raw.prepare(
      `INSERT INTO comments (id, video_id, parent_id, author_id, author_name, at_ms, body, created_at)
       VALUES (?, ?, ?, ?, 'p', NULL, 'me', ?)`
    )
    raw.transaction(() => {
      people.forEach((id, i) => {
        insert.run(`c${String(i).padStart(15, '0')}`, v, root.id, id, new Date().toISOString())
        // A second reply by some: still one notification each.
        if (i % 10 === 0)
          insert.run(`d${String(i).padStart(15, '0')}`, v, root.id, id, new Date().toISOString())
      })
    })()
    raw.close()
    // Participants: bob + 998 people; the owner alice; carol replies → 1,000 recipients.
    await db.addComment({
      videoId: v,
      parentId: root.id,
      authorId: carol.id,
      atMs: null,
      body: 'A',
      question: false
    })
    const raw2 = new Database(file, { readonly: true })
    const counts = raw2
      .prepare(
        "SELECT count(*) AS n, count(DISTINCT user_id) AS d FROM notifications WHERE kind = 'reply'"
      )
      .get() as { n: number; d: number }
    const toCarol = raw2
      .prepare('SELECT count(*) AS n FROM notifications WHERE user_id = ?')
      .get(carol.id) as { n: number }
    raw2.close()
    expect(counts).toEqual({ n: 1000, d: 1000 })
    expect(toCarol.n).toBe(0)
    expect(await db.unreadCount(people[500] as number)).toBe(1)
    expect((await db.commentsOf(v))[0]?.replies).toHaveLength(998 + 100 + 1)
  })

  it('edit: text sets editedAt, moment only on a thread start; search follows', async () => {
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
      body: 'r',
      question: false
    })
    await db.deleteComment(root.id)
    expect(await db.getComment(root.id)).toMatchObject({ deleted: true, body: '' })
    expect((await db.commentsOf(v))[0]?.replies.map((r) => r.id)).toEqual([reply.id])
    expect(await db.countComments(v)).toBe(1)
    expect((await db.notificationsOf(alice.id)).some((n) => n.commentId === root.id)).toBe(false)
    expect(await db.searchVideos('secret')).toEqual([])
    expect(await db.updateComment(root.id, { body: 'back' })).toBeNull()

    await db.deleteComment(reply.id)
    expect(await db.getComment(reply.id)).toBeNull()
    expect(await db.getComment(root.id)).toBeNull()
    expect(await db.commentsOf(v)).toEqual([])
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
    expect(await db.markRead(alice.id, [ids[0] as number, bobs, 999_999])).toBe(1)
    expect(await db.unreadCount(bob.id)).toBe(1)
    expect(await db.unreadCount(alice.id)).toBe(4)
    expect(await db.markRead(alice.id, [ids[0] as number])).toBe(0) // already read
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
    const raw = new Database(file, { readonly: true })
    const positions = raw
      .prepare('SELECT position FROM collection_items WHERE collection_id = ? ORDER BY position')
      .all(col.id)
      .map((r) => (r as { position: number }).position)
    raw.close()
    expect(positions).toEqual([0, 1, 2])
    expect((await db.getCollection(col.id))?.itemCount).toBe(3)
    expect((await db.collectionsWith(d)).map((x) => x.id)).toEqual([col.id])
  })

  it('refuses a full collection, a missing video or collection with a clear message', async () => {
    const col = await db.createCollection({ title: 'Big', description: '', ownerId: bob.id })
    await expect(db.addToCollection(col.id, 'nope', bob.id)).rejects.toThrow(/no video/)
    const loose = await addVideo(bob)
    await expect(db.addToCollection('nope', loose, bob.id)).rejects.toThrow(/no collection/)
    const raw = new Database(file)
    const insert = raw.prepare(
      `INSERT INTO collection_items (collection_id, video_id, position, added_by, added_at)
       VALUES (?, ?, ?, ?, ?)`
    )
    raw.transaction(() => {
      for (let i = 0; i < LEARN_LIMITS.collectionItems; i++)
        insert.run(col.id, `x${i}`, i, bob.id, '')
    })()
    raw.close()
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
    const rows = (): {
      video_id: string
      position: number
      added_by: number
      added_at: string
    }[] => {
      const raw = new Database(file, { readonly: true })
      const out = raw
        .prepare(
          'SELECT video_id, position, added_by, added_at FROM collection_items WHERE collection_id = ? ORDER BY position'
        )
        .all(col.id) as { video_id: string; position: number; added_by: number; added_at: string }[]
      raw.close()
      return out
    }
    const before = new Map(rows().map((r) => [r.video_id, r]))
    expect(await db.setCollectionItems(col.id, [e, d, b, a], dave.id)).toEqual([e, d, b, a])
    const after = rows()
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

  it('lists, counts, updates and deletes', async () => {
    const one = await db.createCollection({ title: 'One', description: '', ownerId: bob.id })
    const two = await db.createCollection({ title: 'Two', description: '', ownerId: carol.id })
    const three = await db.createCollection({ title: 'Three', description: '', ownerId: bob.id })
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
    expect(await db.teamSettings()).toEqual({ watchers: 'counts' })
    const raw = new Database(file)
    raw.prepare("UPDATE team_settings SET value = 'everything' WHERE key = 'watchers'").run()
    raw.close()
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
    expect(await db.moveInCollection(col.id, last, 0)).toEqual([last, keep])
    for (const u of [alice, bob, carol]) {
      expect(
        (await db.notificationsOf(u.id, { limit: 500 })).filter((n) => n.videoId === v)
      ).toEqual([])
    }
    expect((await db.notificationsOf(alice.id)).map((n) => n.videoId)).toContain(keep)
    expect(await db.searchVideos('kumquat')).toEqual([])
    expect((await db.searchVideos('kept words')).map((x) => x.id)).toEqual([keep])
    const raw = new Database(file, { readonly: true })
    const left = raw
      .prepare('SELECT count(*) AS n FROM comment_search WHERE video_id = ?')
      .get(v) as { n: number }
    raw.close()
    expect(left.n).toBe(0)
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
    const old = tempFile()
    const raw = new Database(old)
    for (let v = 0; v < 6; v++) raw.exec(MIGRATIONS[v] as string)
    raw.pragma('user_version = 6')
    const t = new Date().toISOString()
    raw
      .prepare(
        "INSERT INTO users (name, password_hash, admin, created_at) VALUES ('erin', 'x', 1, ?)"
      )
      .run(t)
    raw
      .prepare(
        `INSERT INTO videos (id, title, description, owner_id, author_name, size_bytes, filename,
         mime_type, callouts, has_thumbnail, upload_id, storage, created_at)
         VALUES ('v1', 'Old video', '', 1, 'erin', 1, 'f.mp4', 'video/mp4', '[]', 0, 'u', 'file', ?)`
      )
      .run(t)
    raw.prepare("INSERT INTO video_search (video_id, body) VALUES ('v1', 'Old video')").run()
    raw.close()

    db = await openLibraryDb({ file: old })
    const check = new Database(old, { readonly: true })
    expect(check.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length)
    const tables = (
      check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
        name: string
      }[]
    ).map((r) => r.name)
    check.close()
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
  })
})
