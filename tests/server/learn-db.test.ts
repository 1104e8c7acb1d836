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
import { MIGRATIONS, openLibraryDb } from '../../server/src/db/library-db'
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

beforeEach(() => {
  file = tempFile()
  db = openLibraryDb(file)
  alice = db.createUser('alice', 'pw-alice-123', false)
  bob = db.createUser('bob', 'pw-bob-12345', false)
  carol = db.createUser('carol', 'pw-carol-123', false)
  dave = db.createUser('dave', 'pw-dave-1234', true)
})
afterEach(() => db.close())

let videoCount = 0
function addVideo(owner: User, title = `video ${++videoCount}`): string {
  const id = `vid${String(++videoCount).padStart(13, '0')}`
  db.insertVideo(videoFacts(id, owner.id, title))
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

const kindsFor = (user: User): string[] =>
  db
    .notificationsOf(user.id, { limit: 500 })
    .map((n) => n.kind)
    .sort()

describe('requests', () => {
  it('create, read, update, delete; the asker wants it; tags are indexed', () => {
    const r = db.createRequest({
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
    expect(db.wants(r.id, bob.id)).toBe(true)
    expect(db.getRequest(r.id)).toEqual(r)

    const changed = db.updateRequest(r.id, { title: 'Reconcile invoices', tags: ['ap'] })
    expect(changed).toMatchObject({ title: 'Reconcile invoices', details: 'Every month end' })
    expect(changed?.tags).toEqual(['ap'])
    expect(db.listRequests({ tag: 'finance' })).toEqual([])
    expect(db.listRequests({ tag: 'ap' }).map((x) => x.id)).toEqual([r.id])
    expect(db.listRequests({ q: 'reconcile' }).map((x) => x.id)).toEqual([r.id])
    expect(db.listRequests({ q: 'supplier' })).toEqual([]) // the old title is not searched
    expect(db.updateRequest('nope', { title: 'x' })).toBeNull()

    expect(db.deleteRequest(r.id)).toBe(true)
    expect(db.getRequest(r.id)).toBeNull()
    expect(db.listRequests({ q: 'reconcile' })).toEqual([])
    expect(db.listRequests({ tag: 'ap' })).toEqual([])
    expect(db.deleteRequest(r.id)).toBe(false)
  })

  it('lists newest first, filters by state, tag and words, and counts with the same filters', () => {
    const a = db.createRequest({
      title: 'Pivot tables',
      details: '',
      tags: ['excel'],
      askerId: bob.id
    })
    const b = db.createRequest({
      title: 'Expense claims',
      details: 'in the travel tool',
      tags: ['finance', 'travel'],
      askerId: carol.id
    })
    const c = db.createRequest({
      title: 'Month end',
      details: '',
      tags: ['finance'],
      askerId: bob.id
    })
    const v = addVideo(alice)
    db.linkAnswer(b.id, v, alice.id)
    db.markSolved(b.id, v, carol.id)

    expect(db.listRequests().map((r) => r.id)).toEqual([c.id, b.id, a.id])
    expect(db.listRequests({ state: 'open' }).map((r) => r.id)).toEqual([c.id, a.id])
    expect(db.listRequests({ state: 'solved' }).map((r) => r.id)).toEqual([b.id])
    expect(db.listRequests({ tag: 'finance' }).map((r) => r.id)).toEqual([c.id, b.id])
    expect(db.listRequests({ tag: 'FINANCE', state: 'open' }).map((r) => r.id)).toEqual([c.id])
    expect(db.listRequests({ q: 'travel' }).map((r) => r.id)).toEqual([b.id]) // details and tags
    expect(db.listRequests({ limit: 1, offset: 1 }).map((r) => r.id)).toEqual([b.id])
    expect(db.countRequests()).toBe(3)
    expect(db.countRequests({ state: 'open' })).toBe(2)
    expect(db.countRequests({ tag: 'finance', state: 'solved' })).toBe(1)
    expect(db.countRequests({ q: 'pivot', state: 'open' })).toBe(1)
    expect(db.countRequests({ q: 'pivot', state: 'solved' })).toBe(0)
  })

  it('stores FTS and SQL syntax verbatim and searches it safely', () => {
    const nasty = [
      'say "hello',
      'star* wildcard',
      'NEAR(a b) group',
      'this OR that',
      "Robert'); DROP TABLE requests;--",
      'col:umn ^start -minus'
    ]
    const ids = nasty.map(
      (title) => db.createRequest({ title, details: title, tags: [], askerId: bob.id }).id
    )
    nasty.forEach((title, i) => expect(db.getRequest(ids[i] as string)?.title).toBe(title))
    for (const q of ['"', '*', 'NEAR(', 'OR', "'", '"hello', 'a"b*', ')(', 'AND OR NOT', '--']) {
      expect(() => db.listRequests({ q })).not.toThrow()
      expect(() => db.countRequests({ q })).not.toThrow()
    }
    expect(db.listRequests({ q: '"hello' }).map((r) => r.id)).toEqual([ids[0]])
    expect(db.listRequests({ q: 'NEAR(' }).map((r) => r.id)).toEqual([ids[2]])
    expect(db.listRequests({ q: 'OR' }).map((r) => r.id)).toEqual([ids[3]])
    expect(db.listRequests({ q: "Robert'); DROP" }).map((r) => r.id)).toEqual([ids[4]])
    expect(db.listRequests({ q: '"' })).toEqual([]) // nothing to search for: no match, no error
    expect(db.countRequests()).toBe(nasty.length) // and the table is still there
  })

  it('"Me too" on and off; the asker always wants it', () => {
    const r = db.createRequest({ title: 'Q', details: '', tags: [], askerId: bob.id })
    expect(db.setWanted(r.id, carol.id, true)?.wanted).toBe(2)
    expect(db.setWanted(r.id, carol.id, true)?.wanted).toBe(2)
    expect(db.wants(r.id, carol.id)).toBe(true)
    expect(db.setWanted(r.id, carol.id, false)?.wanted).toBe(1)
    expect(db.wants(r.id, carol.id)).toBe(false)
    expect(db.setWanted(r.id, bob.id, false)?.wanted).toBe(1)
    expect(db.wants(r.id, bob.id)).toBe(true)
    expect(db.setWanted('nope', carol.id, true)).toBeNull()
  })

  it('links answers idempotently and notifies the people who want it, not the linker', () => {
    const r = db.createRequest({ title: 'Q', details: '', tags: [], askerId: bob.id })
    db.setWanted(r.id, carol.id, true)
    db.setWanted(r.id, alice.id, true)
    const v = addVideo(alice, 'Reconciling, step by step')
    const first = db.linkAnswer(r.id, v, alice.id)
    expect(first?.linked).toBe(true)
    expect(first?.request.answerCount).toBe(1)
    expect(db.linkAnswer(r.id, v, alice.id)?.linked).toBe(false)
    expect(db.linkAnswer(r.id, v, dave.id)?.linked).toBe(false)
    expect(db.answersOf(r.id)).toEqual([
      expect.objectContaining({ requestId: r.id, videoId: v, userId: alice.id })
    ])
    expect(db.requestsAnsweredBy(v).map((x) => x.id)).toEqual([r.id])

    for (const who of [bob, carol]) {
      const ns = db.notificationsOf(who.id)
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
    expect(db.notificationsOf(alice.id)).toEqual([])
    expect(db.notificationsOf(dave.id)).toEqual([])

    expect(db.linkAnswer('nope', v, alice.id)).toBeNull()
    expect(db.linkAnswer(r.id, 'nope', alice.id)).toBeNull()

    const v2 = addVideo(dave)
    db.linkAnswer(r.id, v2, dave.id)
    expect(db.answersOf(r.id).map((a) => a.videoId)).toEqual([v, v2])
    expect(db.unlinkAnswer(r.id, v)).toBe(true)
    expect(db.unlinkAnswer(r.id, v)).toBe(false)
    expect(db.answersOf(r.id).map((a) => a.videoId)).toEqual([v2])
  })

  it('marks solved only with one of its answers, notifies the others, reopens', () => {
    const r = db.createRequest({ title: 'Payroll cut-off', details: '', tags: [], askerId: bob.id })
    db.setWanted(r.id, carol.id, true)
    const answer = addVideo(alice)
    const other = addVideo(alice)
    db.linkAnswer(r.id, answer, alice.id)
    db.markRead(carol.id)
    db.markRead(bob.id)

    expect(() => db.markSolved(r.id, other, bob.id)).toThrow(/not an answer/)
    expect(db.getRequest(r.id)?.state).toBe('open')
    expect(db.markSolved('nope', answer, bob.id)).toBeNull()

    const solved = db.markSolved(r.id, answer, bob.id)
    expect(solved).toMatchObject({ state: 'solved', solvedVideoId: answer })
    expect(db.notificationsOf(carol.id, { unreadOnly: true })).toEqual([
      expect.objectContaining({ kind: 'solved', actorName: 'bob', text: 'Payroll cut-off' })
    ])
    expect(db.notificationsOf(bob.id, { unreadOnly: true })).toEqual([])
    expect(db.notificationsOf(alice.id).map((n) => n.kind)).toEqual([]) // she does not want it
    // Marking the same again changes nothing and notifies nobody.
    db.markSolved(r.id, answer, bob.id)
    expect(db.unreadCount(carol.id)).toBe(1)

    expect(db.markSolved(r.id, null, bob.id)).toMatchObject({ state: 'open', solvedVideoId: null })
    expect(db.unreadCount(carol.id)).toBe(1)

    // Unlinking the solving answer reopens the request.
    db.markSolved(r.id, answer, bob.id)
    db.unlinkAnswer(r.id, answer)
    expect(db.getRequest(r.id)?.state).toBe('open')
  })

  it('an upload that answers a request is linked in the same step that adds its video', () => {
    const request = db.createRequest({ title: 'How?', details: '', tags: [], askerId: bob.id })
    db.createUpload('u'.repeat(32), alice.id, 'answerVideo00001', '{}')
    const video = videoFacts('answerVideo00001', alice.id, 'Like this', {
      durationMs: 1000,
      uploadId: 'u'.repeat(32)
    })
    const done = db.completeUpload('u'.repeat(32), video, { answers: request.id })
    expect(done).toMatchObject({ video: { id: video.id }, answered: request.id })
    expect(db.getUpload('u'.repeat(32))?.state).toBe('done')
    expect(db.answersOf(request.id).map((a) => a.videoId)).toEqual([video.id])
    expect(db.notificationsOf(bob.id).map((n) => [n.kind, n.videoId])).toEqual([
      ['answer', video.id]
    ])
    // Run again (the reconciler): nothing twice.
    expect(db.completeUpload('u'.repeat(32), video, { answers: request.id }).answered).toBe(
      request.id
    )
    expect(db.notificationsOf(bob.id)).toHaveLength(1)
    // A request gone meanwhile: the video is still added, unlinked.
    db.createUpload('v'.repeat(32), alice.id, 'answerVideo00002', '{}')
    const orphan = db.completeUpload(
      'v'.repeat(32),
      { ...video, id: 'answerVideo00002', uploadId: 'v'.repeat(32) },
      { answers: 'noSuchRequest123' }
    )
    expect(orphan).toMatchObject({ video: { id: 'answerVideo00002' }, answered: null })
  })

  it('deleting a request removes its links, wants and notifications, not the videos', () => {
    const r = db.createRequest({ title: 'Q', details: '', tags: ['x'], askerId: bob.id })
    const v = addVideo(alice)
    db.setWanted(r.id, carol.id, true)
    db.linkAnswer(r.id, v, alice.id)
    expect(db.unreadCount(carol.id)).toBe(1)
    db.deleteRequest(r.id)
    expect(db.unreadCount(carol.id)).toBe(0)
    expect(db.unreadCount(bob.id)).toBe(0)
    expect(db.requestsAnsweredBy(v)).toEqual([])
    expect(db.wants(r.id, carol.id)).toBe(false)
    expect(db.getVideo(v)).not.toBeNull()
  })

  it('lists 1,000 open requests by an index, not a scan of all requests', () => {
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
      db.createRequest({ title: `Request ${i}`, details: '', tags: ['bulk'], askerId: bob.id })
    }
    expect(db.countRequests({ state: 'open' })).toBe(1000)
    expect(db.countRequests({ tag: 'bulk', state: 'open' })).toBe(1000)
    const page = db.listRequests({ state: 'open', limit: 50 })
    expect(page).toHaveLength(50)
    expect(page[0]?.title).toBe('Request 999')
    expect(page.every((r) => r.wanted === 1 && r.answerCount === 0)).toBe(true)
  })
})

describe('comments', () => {
  it('threads: a reply to a reply joins the thread; moments; sorted threads', () => {
    const v = addVideo(alice)
    const late = db.addComment({
      videoId: v,
      parentId: null,
      authorId: bob.id,
      atMs: 9000,
      body: 'late',
      question: false
    })
    const whole = db.addComment({
      videoId: v,
      parentId: null,
      authorId: bob.id,
      atMs: null,
      body: 'whole',
      question: false
    })
    const early = db.addComment({
      videoId: v,
      parentId: null,
      authorId: carol.id,
      atMs: 5000.7,
      body: 'Why?',
      question: true
    })
    const early2 = db.addComment({
      videoId: v,
      parentId: null,
      authorId: carol.id,
      atMs: 5001,
      body: 'same second',
      question: false
    })
    const r1 = db.addComment({
      videoId: v,
      parentId: early.id,
      authorId: alice.id,
      atMs: 1234,
      body: 'Because',
      question: true
    })
    const r2 = db.addComment({
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

    const threads = db.commentsOf(v)
    expect(threads.map((t) => t.comment.id)).toEqual([early.id, early2.id, late.id, whole.id])
    expect(threads[0]?.replies.map((r) => r.id)).toEqual([r1.id, r2.id])
    expect(db.countComments(v)).toBe(6)
    expect(db.getComment(r2.id)).toEqual(r2)
  })

  it('throws for a missing video or a parent that is missing or on another video', () => {
    const v = addVideo(alice)
    const w = addVideo(alice)
    const c = db.addComment({
      videoId: w,
      parentId: null,
      authorId: bob.id,
      atMs: 0,
      body: 'x',
      question: false
    })
    expect(() =>
      db.addComment({
        videoId: 'nope',
        parentId: null,
        authorId: bob.id,
        atMs: 0,
        body: 'x',
        question: false
      })
    ).toThrow()
    expect(() =>
      db.addComment({
        videoId: v,
        parentId: c.id,
        authorId: bob.id,
        atMs: 0,
        body: 'x',
        question: false
      })
    ).toThrow(/reply/)
    expect(() =>
      db.addComment({
        videoId: v,
        parentId: 'nope',
        authorId: bob.id,
        atMs: 0,
        body: 'x',
        question: false
      })
    ).toThrow()
    expect(db.countComments(v)).toBe(0)
    expect(db.unreadCount(alice.id)).toBe(1) // only the one comment that was added
  })

  it('fan-out: the owner and the thread, never the author, each once', () => {
    const v = addVideo(alice, 'Owner video')
    const root = db.addComment({
      videoId: v,
      parentId: null,
      authorId: bob.id,
      atMs: 4000,
      body: 'Question\nhere',
      question: true
    })
    expect(kindsFor(alice)).toEqual(['comment'])
    expect(kindsFor(bob)).toEqual([])
    expect(db.notificationsOf(alice.id)[0]).toMatchObject({
      actorName: 'bob',
      videoId: v,
      commentId: root.id,
      atMs: 4000,
      text: 'Question here'
    })

    // The owner replies: bob (thread) is told, alice is not.
    const a1 = db.addComment({
      videoId: v,
      parentId: root.id,
      authorId: alice.id,
      atMs: null,
      body: 'Answer',
      question: false
    })
    expect(kindsFor(bob)).toEqual(['reply'])
    expect(db.notificationsOf(bob.id)[0]).toMatchObject({ commentId: a1.id, atMs: 4000 })
    expect(kindsFor(alice)).toEqual(['comment'])

    // carol replies: alice (owner and in the thread) once, bob once, carol never.
    db.addComment({
      videoId: v,
      parentId: a1.id,
      authorId: carol.id,
      atMs: null,
      body: 'Me too',
      question: false
    })
    expect(kindsFor(alice)).toEqual(['comment', 'reply'])
    expect(kindsFor(bob)).toEqual(['reply', 'reply'])
    expect(kindsFor(carol)).toEqual([])
    expect(kindsFor(dave)).toEqual([])

    // The owner commenting on her own video notifies nobody.
    db.addComment({
      videoId: v,
      parentId: null,
      authorId: alice.id,
      atMs: 1,
      body: 'Note',
      question: false
    })
    expect(kindsFor(alice)).toEqual(['comment', 'reply'])
  })

  it('cuts a long notification text to 200 characters on a code point', () => {
    const v = addVideo(alice)
    const body = '😀'.repeat(300)
    db.addComment({
      videoId: v,
      parentId: null,
      authorId: bob.id,
      atMs: null,
      body,
      question: false
    })
    const text = db.notificationsOf(alice.id)[0]?.text as string
    expect([...text]).toHaveLength(200)
    expect(text.endsWith('😀…')).toBe(true)
    expect(db.commentsOf(v)[0]?.comment.body).toBe(body) // the comment itself is whole
  })

  it('a thread of 1,000 people: one reply makes 1,000 notifications, one each', () => {
    const v = addVideo(alice)
    const root = db.addComment({
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
    db.addComment({
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
    expect(db.unreadCount(people[500] as number)).toBe(1)
    expect(db.commentsOf(v)[0]?.replies).toHaveLength(998 + 100 + 1)
  })

  it('edit: text sets editedAt, moment only on a thread start; search follows', () => {
    const v = addVideo(alice)
    const c = db.addComment({
      videoId: v,
      parentId: null,
      authorId: bob.id,
      atMs: 1000,
      body: 'zebra',
      question: false
    })
    const r = db.addComment({
      videoId: v,
      parentId: c.id,
      authorId: carol.id,
      atMs: null,
      body: 'ok',
      question: false
    })
    expect(db.notificationsOf(bob.id)[0]?.atMs).toBe(1000) // carol's reply, at the thread's moment
    const moved = db.updateComment(c.id, { atMs: 2000 })
    expect(moved).toMatchObject({ atMs: 2000, body: 'zebra', editedAt: null })
    // The notifications of the thread link to its new moment.
    expect(db.notificationsOf(bob.id)[0]?.atMs).toBe(2000)
    expect(db.notificationsOf(alice.id).map((n) => n.atMs)).toEqual([2000, 2000])
    const edited = db.updateComment(c.id, { body: 'giraffe' })
    expect(edited?.body).toBe('giraffe')
    expect(edited?.editedAt).not.toBeNull()
    expect(db.updateComment(r.id, { atMs: 5 })?.atMs).toBeNull()
    expect(db.updateComment('nope', { body: 'x' })).toBeNull()
    expect(db.searchVideos('zebra')).toEqual([])
    expect(db.searchVideos('giraffe').map((x) => x.id)).toEqual([v])
  })

  it('answered: notifies the asker when someone else marks it, once', () => {
    const v = addVideo(alice)
    const q = db.addComment({
      videoId: v,
      parentId: null,
      authorId: bob.id,
      atMs: 3000,
      body: 'How do I export?',
      question: true
    })
    const plain = db.addComment({
      videoId: v,
      parentId: null,
      authorId: bob.id,
      atMs: 3000,
      body: 'Nice',
      question: false
    })
    expect(db.setAnswered(q.id, true, alice.id)?.answered).toBe(true)
    expect(db.setAnswered(q.id, true, alice.id)?.answered).toBe(true)
    expect(db.notificationsOf(bob.id)).toEqual([
      expect.objectContaining({
        kind: 'answered',
        actorName: 'alice',
        commentId: q.id,
        atMs: 3000,
        text: 'How do I export?'
      })
    ])
    expect(db.setAnswered(q.id, false, alice.id)?.answered).toBe(false)
    db.setAnswered(q.id, true, bob.id) // by the asker: no notification
    expect(kindsFor(bob)).toEqual(['answered'])
    // Toggled off and on again by someone else, many times: still the one notification.
    for (let i = 0; i < 5; i++) {
      expect(db.setAnswered(q.id, false, alice.id)?.answered).toBe(false)
      expect(db.setAnswered(q.id, true, alice.id)?.answered).toBe(true)
    }
    expect(kindsFor(bob)).toEqual(['answered'])
    expect(() => db.setAnswered(plain.id, true, alice.id)).toThrow(/not a question/)
    expect(db.setAnswered('nope', true, alice.id)).toBeNull()
  })

  it('patchComment: text, moment and answered in one transaction, all or nothing', () => {
    const v = addVideo(alice)
    const q = db.addComment({
      videoId: v,
      parentId: null,
      authorId: bob.id,
      atMs: 3000,
      body: 'How do I print?',
      question: true
    })
    const both = db.patchComment(
      q.id,
      { body: 'How do I print it?', atMs: 4000, answered: true },
      alice.id
    )
    expect(both).toMatchObject({ body: 'How do I print it?', atMs: 4000, answered: true })
    expect(both?.editedAt).not.toBeNull()
    expect(kindsFor(bob)).toEqual(['answered'])
    expect(db.patchComment(q.id, { answered: false }, alice.id)?.answered).toBe(false)
    const plain = db.addComment({
      videoId: v,
      parentId: null,
      authorId: bob.id,
      atMs: 1000,
      body: 'Not a question',
      question: false
    })
    // The answered part fails: the text change is undone with it.
    expect(() => db.patchComment(plain.id, { body: 'Changed', answered: true }, alice.id)).toThrow(
      /not a question/
    )
    expect(db.getComment(plain.id)).toMatchObject({ body: 'Not a question', editedAt: null })
    expect(db.searchVideos('Changed')).toEqual([])
    expect(db.patchComment('nope', { body: 'x', answered: true }, alice.id)).toBeNull()
  })

  it('delete: hard without replies, soft with; the last reply of a deleted start removes the thread', () => {
    const v = addVideo(alice)
    const lone = db.addComment({
      videoId: v,
      parentId: null,
      authorId: bob.id,
      atMs: 0,
      body: 'lonely words',
      question: false
    })
    expect(db.unreadCount(alice.id)).toBe(1)
    expect(db.deleteComment(lone.id)).toBe(true)
    expect(db.getComment(lone.id)).toBeNull()
    expect(db.unreadCount(alice.id)).toBe(0) // its notification went with it
    expect(db.deleteComment(lone.id)).toBe(false)

    const root = db.addComment({
      videoId: v,
      parentId: null,
      authorId: bob.id,
      atMs: 0,
      body: 'secret words',
      question: true
    })
    const reply = db.addComment({
      videoId: v,
      parentId: root.id,
      authorId: carol.id,
      atMs: null,
      body: 'r',
      question: false
    })
    db.deleteComment(root.id)
    expect(db.getComment(root.id)).toMatchObject({ deleted: true, body: '' })
    expect(db.commentsOf(v)[0]?.replies.map((r) => r.id)).toEqual([reply.id])
    expect(db.countComments(v)).toBe(1)
    expect(db.notificationsOf(alice.id).some((n) => n.commentId === root.id)).toBe(false)
    expect(db.searchVideos('secret')).toEqual([])
    expect(db.updateComment(root.id, { body: 'back' })).toBeNull()

    db.deleteComment(reply.id)
    expect(db.getComment(reply.id)).toBeNull()
    expect(db.getComment(root.id)).toBeNull()
    expect(db.commentsOf(v)).toEqual([])
  })

  it('commentsOf groups 500 comments into sorted threads with their replies in order', () => {
    const v = addVideo(alice)
    const roots = []
    for (let i = 0; i < 100; i++) {
      roots.push(
        db.addComment({
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
      db.addComment({
        videoId: v,
        parentId: root.id,
        authorId: carol.id,
        atMs: null,
        body: `r${i}`,
        question: false
      })
    }
    const threads = db.commentsOf(v)
    expect(threads).toHaveLength(100)
    expect(threads.map((t) => t.comment.atMs)).toEqual(
      [...Array(100).keys()].map((i) => (i + 1) * 1000)
    )
    expect(threads.every((t) => t.replies.length === 4)).toBe(true)
    expect(threads[99]?.replies.map((r) => r.body)).toEqual(['r0', 'r100', 'r200', 'r300'])
  })
})

describe('reactions', () => {
  it('toggles, counts per emoji and second, and says what is mine', () => {
    const v = addVideo(alice)
    let counts = db.toggleReaction(v, bob.id, '👍', 5400, undefined)
    expect(counts.moments).toEqual([{ kind: '👍', atMs: 5000, count: 1, mine: true }])
    db.toggleReaction(v, carol.id, '👍', 5999, undefined)
    db.toggleReaction(v, carol.id, '💡', 1000, true)
    counts = db.reactionsOf(v, bob.id)
    expect(counts.moments).toEqual([
      { kind: '💡', atMs: 1000, count: 1, mine: false },
      { kind: '👍', atMs: 5000, count: 2, mine: true }
    ])
    counts = db.toggleReaction(v, bob.id, '👍', 5000, undefined)
    expect(counts.moments.find((m) => m.kind === '👍')).toEqual({
      kind: '👍',
      atMs: 5000,
      count: 1,
      mine: false
    })
    expect(db.toggleReaction(v, carol.id, '💡', 1000, true).moments).toHaveLength(2)
    expect(db.toggleReaction(v, carol.id, '💡', 1000, false).moments).toHaveLength(1)
    expect(() => db.toggleReaction(v, bob.id, '👍', null)).toThrow()
    expect(() => db.toggleReaction('nope', bob.id, 'helped', null)).toThrow()
  })

  it('"This helped" counts once per person and tells the owner only the first time', () => {
    const v = addVideo(alice, 'Month end close')
    expect(db.toggleReaction(v, bob.id, 'helped', null)).toMatchObject({
      helped: 1,
      helpedByMe: true
    })
    expect(db.toggleReaction(v, bob.id, 'helped', null, true)).toMatchObject({ helped: 1 })
    expect(db.toggleReaction(v, bob.id, 'helped', null)).toMatchObject({
      helped: 0,
      helpedByMe: false
    })
    db.toggleReaction(v, bob.id, 'helped', null)
    db.markRead(alice.id)
    db.toggleReaction(v, bob.id, 'helped', null)
    db.toggleReaction(v, bob.id, 'helped', null)
    expect(db.notificationsOf(alice.id)).toEqual([
      expect.objectContaining({
        kind: 'helped',
        actorName: 'bob',
        videoId: v,
        text: 'Month end close'
      })
    ])
    expect(db.toggleReaction(v, carol.id, 'helped', null)).toMatchObject({
      helped: 2,
      helpedByMe: true
    })
    expect(db.reactionsOf(v, bob.id)).toMatchObject({ helped: 2, helpedByMe: true, moments: [] })
    expect(db.unreadCount(alice.id)).toBe(1)
    db.toggleReaction(v, alice.id, 'helped', null) // her own: counted, not notified
    expect(db.notificationsOf(alice.id)).toHaveLength(2)
  })
})

describe('watching', () => {
  it('merges reports into ranges and completion; most recent watcher first', () => {
    const v = addVideo(alice)
    let rec = db.addWatched(v, bob.id, [[0, 10_000]], 60_000)
    expect(rec).toMatchObject({
      userName: 'bob',
      ranges: [[0, 10_000]],
      watchedMs: 10_000,
      durationMs: 60_000
    })
    expect(rec.completion).toBeCloseTo(1 / 6)
    rec = db.addWatched(
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
    rec = db.addWatched(v, bob.id, [[-5, 70_000]], 60_000)
    expect(rec).toMatchObject({ ranges: [[0, 60_000]], watchedMs: 60_000, completion: 1 })
    db.addWatched(v, carol.id, [[0, 1000]], 60_000)
    expect(db.watchersOf(v).map((w) => w.userName)).toEqual(['carol', 'bob'])
    expect(() => db.addWatched('nope', bob.id, [[0, 1]], 1000)).toThrow()
  })

  it('never clips what was stored to a shorter reported length', () => {
    const v = addVideo(alice)
    expect(db.addWatched(v, bob.id, [[0, 50_000]], 60_000).completion).toBeCloseTo(50 / 60)
    const rec = db.addWatched(v, bob.id, [[0, 1000]], 1000)
    expect(rec).toMatchObject({ ranges: [[0, 50_000]], watchedMs: 50_000, durationMs: 60_000 })
    expect(rec.completion).toBeCloseTo(50 / 60)
    // A longer length is taken (the ranges are then measured against it).
    expect(db.addWatched(v, bob.id, [], 100_000)).toMatchObject({
      durationMs: 100_000,
      completion: 0.5
    })
  })

  it('keeps a record small however often a person jumps', () => {
    const v = addVideo(alice)
    for (let batch = 0; batch < 5; batch++) {
      const ranges: [number, number][] = []
      for (let i = 0; i < LEARN_LIMITS.watchedRanges; i++) {
        const at = (batch * LEARN_LIMITS.watchedRanges + i) * 2000
        ranges.push([at, at + 500])
      }
      db.addWatched(v, bob.id, ranges, 10_000_000)
    }
    const rec = db.watchersOf(v)[0]
    expect(rec?.ranges.length).toBeLessThanOrEqual(500)
    expect(rec?.ranges[0]?.[0]).toBe(0)
    expect(rec?.ranges[rec.ranges.length - 1]?.[1]).toBe(999 * 2000 + 500)
  })
})

describe('notifications', () => {
  it('newest first, paging with after, unread count, markRead of own ids only', () => {
    const v = addVideo(alice)
    const w = addVideo(bob)
    for (let i = 0; i < 5; i++) {
      db.addComment({
        videoId: v,
        parentId: null,
        authorId: bob.id,
        atMs: i,
        body: `c${i}`,
        question: false
      })
    }
    db.addComment({
      videoId: w,
      parentId: null,
      authorId: alice.id,
      atMs: 0,
      body: 'to bob',
      question: false
    })
    const all = db.notificationsOf(alice.id)
    expect(all.map((n) => n.text)).toEqual(['c4', 'c3', 'c2', 'c1', 'c0'])
    const ids = all.map((n) => n.id)
    expect(ids).toEqual([...ids].sort((a, b) => b - a))
    expect(db.notificationsOf(alice.id, { after: ids[2] }).map((n) => n.text)).toEqual(['c4', 'c3'])
    expect(db.notificationsOf(alice.id, { limit: 2 }).map((n) => n.text)).toEqual(['c4', 'c3'])
    expect(db.unreadCount(alice.id)).toBe(5)

    const bobs = db.notificationsOf(bob.id)[0]?.id as number
    expect(db.markRead(alice.id, [ids[0] as number, bobs, 999_999])).toBe(1)
    expect(db.unreadCount(bob.id)).toBe(1)
    expect(db.unreadCount(alice.id)).toBe(4)
    expect(db.markRead(alice.id, [ids[0] as number])).toBe(0) // already read
    expect(db.notificationsOf(alice.id, { unreadOnly: true })).toHaveLength(4)
    expect(db.markRead(alice.id)).toBe(4)
    expect(db.unreadCount(alice.id)).toBe(0)
    expect(db.notificationsOf(alice.id)[0]?.readAt).not.toBeNull()
  })
})

describe('collections', () => {
  it('keeps order dense through add, move and remove', () => {
    const a = addVideo(alice)
    const b = addVideo(alice)
    const c = addVideo(bob)
    const d = addVideo(bob)
    const col = db.createCollection({
      title: 'Onboarding',
      description: 'finance tools',
      ownerId: carol.id
    })
    expect(col).toMatchObject({ title: 'Onboarding', ownerName: 'carol', itemCount: 0 })
    for (const v of [a, b, c, d]) db.addToCollection(col.id, v, carol.id)
    db.addToCollection(col.id, b, carol.id) // already in: unchanged
    expect(db.collectionItems(col.id)).toEqual([a, b, c, d])
    expect(db.moveInCollection(col.id, d, 0)).toEqual([d, a, b, c])
    expect(db.moveInCollection(col.id, d, 99)).toEqual([a, b, c, d])
    expect(db.moveInCollection(col.id, a, 2)).toEqual([b, c, a, d])
    expect(db.moveInCollection(col.id, a, -3)).toEqual([a, b, c, d])
    expect(db.moveInCollection(col.id, 'nope', 0)).toBeNull()
    expect(db.removeFromCollection(col.id, b)).toBe(true)
    expect(db.removeFromCollection(col.id, b)).toBe(false)
    expect(db.collectionItems(col.id)).toEqual([a, c, d])
    expect(db.moveInCollection(col.id, d, 1)).toEqual([a, d, c])
    const raw = new Database(file, { readonly: true })
    const positions = raw
      .prepare('SELECT position FROM collection_items WHERE collection_id = ? ORDER BY position')
      .all(col.id)
      .map((r) => (r as { position: number }).position)
    raw.close()
    expect(positions).toEqual([0, 1, 2])
    expect(db.getCollection(col.id)?.itemCount).toBe(3)
    expect(db.collectionsWith(d).map((x) => x.id)).toEqual([col.id])
  })

  it('refuses a full collection, a missing video or collection with a clear message', () => {
    const col = db.createCollection({ title: 'Big', description: '', ownerId: bob.id })
    expect(() => db.addToCollection(col.id, 'nope', bob.id)).toThrow(/no video/)
    expect(() => db.addToCollection('nope', addVideo(bob), bob.id)).toThrow(/no collection/)
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
    expect(() => db.addToCollection(col.id, addVideo(bob), bob.id)).toThrow(
      new RegExp(`at most ${LEARN_LIMITS.collectionItems}`)
    )
  })

  it('setCollectionItems: the whole new order in one transaction, keeping who added what', () => {
    const [a, b, c, d, e] = [1, 2, 3, 4, 5].map(() => addVideo(alice)) as [
      string,
      string,
      string,
      string,
      string
    ]
    const col = db.createCollection({
      title: 'Ordered',
      description: '',
      ownerId: carol.id,
      videoIds: [a, b, c, d]
    })
    expect(col.itemCount).toBe(4)
    expect(db.collectionItems(col.id)).toEqual([a, b, c, d])
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
    expect(db.setCollectionItems(col.id, [e, d, b, a], dave.id)).toEqual([e, d, b, a])
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
    expect(() => db.setCollectionItems(col.id, [a, 'nosuchvideo1', "x'--"], dave.id)).toThrow(
      /no video "nosuchvideo1", "x'--"/
    )
    expect(() => db.setCollectionItems(col.id, [a, a], dave.id)).toThrow(/twice/)
    const many = Array.from({ length: LEARN_LIMITS.collectionItems + 1 }, (_, i) => `v${i}`)
    expect(() => db.setCollectionItems(col.id, many, dave.id)).toThrow(
      new RegExp(`at most ${LEARN_LIMITS.collectionItems}`)
    )
    expect(db.collectionItems(col.id)).toEqual([e, d, b, a])
    expect(db.setCollectionItems(col.id, [], dave.id)).toEqual([])
    expect(db.getCollection(col.id)?.itemCount).toBe(0)
    expect(db.setCollectionItems('nope', [a], dave.id)).toBeNull()
    // A new collection with an unknown video is not made at all.
    const count = db.countCollections()
    expect(() =>
      db.createCollection({
        title: 'Half',
        description: '',
        ownerId: carol.id,
        videoIds: [a, 'gone']
      })
    ).toThrow(/no video "gone"/)
    expect(db.countCollections()).toBe(count)
  })

  it('lists, counts, updates and deletes', () => {
    const one = db.createCollection({ title: 'One', description: '', ownerId: bob.id })
    const two = db.createCollection({ title: 'Two', description: '', ownerId: carol.id })
    const three = db.createCollection({ title: 'Three', description: '', ownerId: bob.id })
    expect(db.listCollections().map((c) => c.id)).toEqual([three.id, two.id, one.id])
    expect(db.listCollections({ ownerId: bob.id }).map((c) => c.id)).toEqual([three.id, one.id])
    expect(db.listCollections({ limit: 1, offset: 1 }).map((c) => c.id)).toEqual([two.id])
    expect(db.countCollections()).toBe(3)
    expect(db.countCollections({ ownerId: carol.id })).toBe(1)
    expect(db.updateCollection(one.id, { description: 'new' })).toMatchObject({
      title: 'One',
      description: 'new'
    })
    expect(db.updateCollection('nope', { title: 'x' })).toBeNull()
    db.addToCollection(two.id, addVideo(bob), carol.id)
    expect(db.deleteCollection(two.id)).toBe(true)
    expect(db.deleteCollection(two.id)).toBe(false)
    expect(db.collectionItems(two.id)).toEqual([])
  })
})

describe('team settings', () => {
  it('defaults, changes, and falls back from an unknown stored value', () => {
    expect(db.teamSettings()).toEqual({ watchers: 'names' })
    expect(db.setTeamSettings({ watchers: 'counts' })).toEqual({ watchers: 'counts' })
    expect(db.teamSettings()).toEqual({ watchers: 'counts' })
    const raw = new Database(file)
    raw.prepare("UPDATE team_settings SET value = 'everything' WHERE key = 'watchers'").run()
    raw.close()
    expect(db.teamSettings()).toEqual({ watchers: 'names' })
  })
})

describe('deleting a video and removing a user', () => {
  it('deleting a video takes its comments, reactions, views, answers, places and notifications', () => {
    const v = addVideo(alice, 'doomed')
    const keep = addVideo(alice, 'kept')
    const r = db.createRequest({ title: 'Q', details: '', tags: [], askerId: bob.id })
    db.linkAnswer(r.id, v, alice.id)
    db.linkAnswer(r.id, keep, alice.id)
    db.markSolved(r.id, v, bob.id)
    const c = db.addComment({
      videoId: v,
      parentId: null,
      authorId: bob.id,
      atMs: 0,
      body: 'kumquat',
      question: false
    })
    db.addComment({
      videoId: v,
      parentId: c.id,
      authorId: carol.id,
      atMs: null,
      body: 'r',
      question: false
    })
    db.addComment({
      videoId: keep,
      parentId: null,
      authorId: bob.id,
      atMs: 0,
      body: 'kept words',
      question: false
    })
    db.toggleReaction(v, bob.id, 'helped', null)
    db.toggleReaction(v, bob.id, '🎉', 1000)
    db.addWatched(v, bob.id, [[0, 1000]], 60_000)
    const col = db.createCollection({ title: 'C', description: '', ownerId: carol.id })
    db.addToCollection(col.id, keep, carol.id)
    db.addToCollection(col.id, v, carol.id)
    const last = addVideo(bob)
    db.addToCollection(col.id, last, carol.id)

    expect(db.deleteVideo(v)).toBe(true)
    expect(db.commentsOf(v)).toEqual([])
    expect(db.getComment(c.id)).toBeNull()
    expect(db.countComments(v)).toBe(0)
    expect(db.reactionsOf(v, bob.id)).toEqual({ helped: 0, helpedByMe: false, moments: [] })
    expect(db.watchersOf(v)).toEqual([])
    expect(db.getRequest(r.id)).toMatchObject({
      state: 'open',
      solvedVideoId: null,
      answerCount: 1
    })
    expect(db.requestsAnsweredBy(v)).toEqual([])
    expect(db.collectionItems(col.id)).toEqual([keep, last])
    expect(db.moveInCollection(col.id, last, 0)).toEqual([last, keep])
    for (const u of [alice, bob, carol]) {
      expect(db.notificationsOf(u.id, { limit: 500 }).filter((n) => n.videoId === v)).toEqual([])
    }
    expect(db.notificationsOf(alice.id).map((n) => n.videoId)).toContain(keep)
    expect(db.searchVideos('kumquat')).toEqual([])
    expect(db.searchVideos('kept words').map((x) => x.id)).toEqual([keep])
    const raw = new Database(file, { readonly: true })
    const left = raw
      .prepare('SELECT count(*) AS n FROM comment_search WHERE video_id = ?')
      .get(v) as { n: number }
    raw.close()
    expect(left.n).toBe(0)
  })

  it('removing a user: their notifications, wants, reactions and views go; requests and comments stay', () => {
    const v = addVideo(alice)
    const r = db.createRequest({
      title: 'Asked by carol',
      details: '',
      tags: [],
      askerId: carol.id
    })
    db.setWanted(r.id, bob.id, true)
    const c = db.addComment({
      videoId: v,
      parentId: null,
      authorId: carol.id,
      atMs: 0,
      body: 'hi',
      question: false
    })
    db.addComment({
      videoId: v,
      parentId: c.id,
      authorId: alice.id,
      atMs: null,
      body: 'hello',
      question: false
    })
    db.toggleReaction(v, carol.id, 'helped', null)
    db.addWatched(v, carol.id, [[0, 1000]], 60_000)
    const mine = db.createCollection({ title: 'Mine', description: '', ownerId: carol.id })
    db.addToCollection(mine.id, v, carol.id)
    expect(db.unreadCount(carol.id)).toBe(1)

    db.removeUser('carol', { transferTo: bob.id })
    expect(db.unreadCount(carol.id)).toBe(0)
    expect(db.getRequest(r.id)).toMatchObject({ askerName: 'carol', wanted: 1 })
    expect(db.getComment(c.id)).toMatchObject({ authorName: 'carol', body: 'hi' })
    expect(db.reactionsOf(v, alice.id).helped).toBe(0)
    expect(db.watchersOf(v)).toEqual([])
    expect(db.getCollection(mine.id)).toMatchObject({
      ownerId: bob.id,
      ownerName: 'bob',
      itemCount: 1
    })

    const dropped = db.createCollection({ title: 'Gone', description: '', ownerId: dave.id })
    db.addToCollection(dropped.id, v, dave.id)
    db.removeUser('dave')
    expect(db.getCollection(dropped.id)).toBeNull()
    expect(db.collectionsWith(v).map((x) => x.id)).toEqual([mine.id])
  })
})

describe('search and migration', () => {
  it('finds a video by a comment, not by a deleted one', () => {
    const v = addVideo(alice, 'Plain title')
    addVideo(alice, 'Other')
    const c = db.addComment({
      videoId: v,
      parentId: null,
      authorId: bob.id,
      atMs: 0,
      body: 'Überweisung pending',
      question: false
    })
    expect(db.searchVideos('uberweisung').map((x) => x.id)).toEqual([v])
    expect(db.countVideos('uberweisung')).toBe(1)
    expect(db.searchVideos('plain').map((x) => x.id)).toEqual([v])
    expect(db.countVideos('plain pending')).toBe(0) // every word in one text
    db.deleteComment(c.id)
    expect(db.searchVideos('uberweisung')).toEqual([])
    expect(db.countVideos('uberweisung')).toBe(0)
    expect(() => db.searchVideos('" NEAR( * OR')).not.toThrow()
  })

  it('a schema-6 database keeps its rows and gains the learning tables', () => {
    db.close()
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

    db = openLibraryDb(old)
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
    expect(db.getUserByName('erin')?.admin).toBe(true)
    expect(db.getVideo('v1')?.title).toBe('Old video')
    expect(db.searchVideos('old').map((x) => x.id)).toEqual(['v1'])
    const erin = db.getUserByName('erin') as User
    db.addComment({
      videoId: 'v1',
      parentId: null,
      authorId: erin.id,
      atMs: 0,
      body: 'works',
      question: false
    })
    expect(db.countComments('v1')).toBe(1)
  })
})
