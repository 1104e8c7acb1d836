/**
 * Posting limits of learning together under parallel requests (review findings): a limit is a
 * slot taken in the same synchronous step as its check, so N requests sent at once, whose bodies
 * arrive only after every one of them has been seen by the server, get exactly the limit through
 * and 429 for the rest. Each request is sent with `Expect: 100-continue`: Node's server answers
 * "100 Continue" and runs the handler in the same step, so once every request has its 100 (or its
 * final answer) every handler has run up to its first `await` (reading the body); only then are
 * the bodies sent. No timing is assumed.
 */
import http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COLLECTION_CHANGES_PER_WINDOW } from '../../server/src/api/collections'
import { EDITS_PER_MINUTE } from '../../server/src/api/comments'
import { REQUEST_CHANGE_LIMIT, REQUEST_POST_LIMIT } from '../../server/src/api/requests'
import type { User } from '../../server/src/db/types'
import { postForm, signInWithFetch } from './helpers-pages/session'
import { request, startServer, videoFacts, type TestServer } from './support'

let s: TestServer
let users = 0
let videos = 0

/** A 60-second video of `owner`, straight in the database. */
async function addVideo(owner: User): Promise<string> {
  const id = `limits${String(++videos).padStart(10, '0')}`
  await s.app.library.db.insertVideo(videoFacts(id, owner.id, `Limits ${videos}`))
  return id
}

function json(method: string, pathname: string, token: string, body: unknown) {
  return request(
    s.url,
    method,
    pathname,
    { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    JSON.stringify(body)
  )
}

beforeAll(async () => {
  s = await startServer()
})

afterAll(async () => {
  await s?.close()
})

async function member(): Promise<{ user: User; token: string }> {
  const db = s.app.library.db
  const user = await db.createUser(`limits${++users}`, 'member-password', false)
  return { user, token: (await db.createToken(user.id, 'test')).token }
}

interface Held {
  /** Resolves once the server has seen the request (100 Continue or its final answer). */
  seen: Promise<void>
  /** Sends the rest of the body; resolves with the final status. */
  finish(): Promise<number>
}

/** One request whose body is held back until `finish()`. */
function held(method: string, pathname: string, token: string, body: unknown): Held {
  const payload = Buffer.from(JSON.stringify(body))
  const target = new URL(s.url)
  let answered: number | null = null
  let onSeen = (): void => {}
  const seen = new Promise<void>((resolve) => (onSeen = resolve))
  const req = http.request({
    host: target.hostname,
    port: target.port,
    method,
    path: pathname,
    agent: false,
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      'Content-Length': payload.length,
      Expect: '100-continue'
    }
  })
  const status = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      answered = res.statusCode ?? 0
      onSeen()
      res.resume()
      res.on('end', () => resolve(answered ?? 0))
      res.on('error', reject)
    })
    req.on('error', (error) => {
      onSeen()
      if (answered === null) reject(error)
      else resolve(answered)
    })
  })
  status.catch(() => {}) // awaited in finish(); not unhandled before
  req.on('continue', () => {
    // Half the body now: the handler cannot finish reading it yet.
    req.write(payload.subarray(0, Math.floor(payload.length / 2)))
    onSeen()
  })
  req.flushHeaders()
  return {
    seen,
    async finish() {
      await seen
      if (answered === null) req.end(payload.subarray(Math.floor(payload.length / 2)))
      else req.destroy()
      return status
    }
  }
}

/** `n` copies of a request, all seen by the server before any body is complete; their statuses. */
async function atOnce(n: number, make: (i: number) => Held): Promise<number[]> {
  const all = Array.from({ length: n }, (_, i) => make(i))
  await Promise.all(all.map((h) => h.seen))
  return Promise.all(all.map((h) => h.finish()))
}

function tally(statuses: number[]): Record<number, number> {
  const out: Record<number, number> = {}
  for (const code of statuses) out[code] = (out[code] ?? 0) + 1
  return out
}

describe('requests: posting limits under parallel requests', () => {
  it(`lets exactly ${REQUEST_POST_LIMIT.limit} of 40 parallel POST /api/requests through`, async () => {
    const eve = await member()
    const statuses = await atOnce(40, (i) =>
      held('POST', '/api/requests', eve.token, { title: `Parallel ${i}` })
    )
    expect(tally(statuses)).toEqual({
      201: REQUEST_POST_LIMIT.limit,
      429: 40 - REQUEST_POST_LIMIT.limit
    })
    expect(await s.app.library.db.countRequests({ q: 'Parallel' })).toBe(REQUEST_POST_LIMIT.limit)
  })

  it(`lets exactly ${REQUEST_CHANGE_LIMIT.limit} parallel "Me too" through (the change limit)`, async () => {
    const frank = await member()
    const id = (
      await s.app.library.db.createRequest({
        title: 'Wanted in parallel',
        details: '',
        tags: [],
        askerId: s.user.id
      })
    ).id
    // All but 10 of the window used one at a time, then 30 at once.
    const first = REQUEST_CHANGE_LIMIT.limit - 10
    for (let i = 0; i < first; i++) {
      expect(
        await held('POST', `/api/requests/${id}/want`, frank.token, { want: true }).finish()
      ).toBe(200)
    }
    const statuses = await atOnce(30, (i) =>
      held('POST', `/api/requests/${id}/want`, frank.token, { want: i % 2 === 0 })
    )
    expect(tally(statuses)).toEqual({ 200: 10, 429: 20 })
  })
})

describe('comments: "Mark answered" and edits', () => {
  it(`notifies the asker once however often it is toggled, and takes ${EDITS_PER_MINUTE} changes a minute (API and pages together)`, async () => {
    const { db } = s.app.library
    const owner = await member()
    const asker = await member()
    const video = await addVideo(owner.user)
    const q = await db.addComment({
      videoId: video,
      parentId: null,
      authorId: asker.user.id,
      atMs: 3000,
      body: 'How do I export?',
      question: true
    })
    for (let i = 0; i < EDITS_PER_MINUTE; i++) {
      const r = await json('PATCH', `/api/comments/${q.id}`, owner.token, { answered: i % 2 === 0 })
      expect(r.status, r.text).toBe(200)
    }
    const answered = (await db.notificationsOf(asker.user.id)).filter((n) => n.kind === 'answered')
    expect(answered).toHaveLength(1)
    const refused = await json('PATCH', `/api/comments/${q.id}`, owner.token, { answered: true })
    expect(refused.status).toBe(429)
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    expect(JSON.parse(refused.text).error).toMatch(/at most 60/)
    // The asker's own edit is theirs to count.
    const edit = await json('PATCH', `/api/comments/${q.id}`, asker.token, { body: 'Edited' })
    expect(edit.status, edit.text).toBe(200)
  })

  it('counts the edit and answered forms of the pages against the same limit', async () => {
    const { db } = s.app.library
    await db.createUser('limitspage', 'limitspage-password', false)
    const session = await signInWithFetch(s.url, 'limitspage', 'limitspage-password')
    const user = (await db.getUserByName('limitspage')) as User
    const token = (await db.createToken(user.id, 'test')).token
    const video = await addVideo(user)
    const q = await db.addComment({
      videoId: video,
      parentId: null,
      authorId: user.id,
      atMs: 3000,
      body: 'My own question',
      question: true
    })
    const send = (path: string, fields: Record<string, string>) =>
      postForm(
        s.url,
        path,
        { csrf: session.csrf, ...fields },
        {
          Cookie: session.cookie,
          Origin: s.url
        }
      )
    for (let i = 0; i < EDITS_PER_MINUTE - 2; i++) {
      const r = await json('PATCH', `/api/comments/${q.id}`, token, { body: `Edit ${i}` })
      expect(r.status, r.text).toBe(200)
    }
    expect((await send(`/comments/${q.id}/edit`, { body: 'Page edit', at: '0:03' })).status).toBe(
      303
    )
    expect((await send(`/comments/${q.id}/answered`, { answered: '1' })).status).toBe(303)
    const edit = await send(`/comments/${q.id}/edit`, { body: 'One too many', at: '0:03' })
    expect(edit.status).toBe(429)
    expect(Number(edit.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await edit.text()).toContain('One too many')
    const mark = await send(`/comments/${q.id}/answered`, { answered: '0' })
    expect(mark.status).toBe(429)
    expect(await db.getComment(q.id)).toMatchObject({ body: 'Page edit', answered: true })
  })
})

describe('collections: PUT items and the change limit', () => {
  it('puts 500 videos in reverse order in one write, then limits changes (PUT, PATCH) per person', async () => {
    const { db } = s.app.library
    const owner = await member()
    const ids: string[] = []
    for (let i = 0; i < 500; i++) ids.push(await addVideo(owner.user))
    const made = await json('POST', '/api/collections', owner.token, {
      title: 'Five hundred',
      videoIds: ids
    })
    expect(made.status, made.text).toBe(201)
    const id = String(JSON.parse(made.text).id)
    expect(await db.collectionItems(id)).toEqual(ids)
    const reversed = [...ids].reverse()
    const put = await json('PUT', `/api/collections/${id}/items`, owner.token, {
      videoIds: reversed
    })
    expect(put.status, put.text).toBe(200)
    expect(await db.collectionItems(id)).toEqual(reversed)
    expect((JSON.parse(put.text).videos as { id: string }[]).map((v) => v.id)).toEqual(reversed)
    // An unknown id: 400 naming it, nothing changed.
    const bad = await json('PUT', `/api/collections/${id}/items`, owner.token, {
      videoIds: [ids[0], 'nosuchvideo1']
    })
    expect(bad.status).toBe(400)
    expect(bad.text).toContain('nosuchvideo1')
    expect(await db.collectionItems(id)).toEqual(reversed)
    // The rest of the window one at a time (small bodies), then 30 at once.
    const two = ids.slice(0, 2)
    // Two changes so far (the PUT and the refused one: a slot is taken before the body is read).
    for (let i = 2; i < COLLECTION_CHANGES_PER_WINDOW - 10; i++) {
      const r = await json('PUT', `/api/collections/${id}/items`, owner.token, {
        videoIds: i % 2 === 0 ? two : [...two].reverse()
      })
      expect(r.status, r.text).toBe(200)
    }
    const statuses = await atOnce(30, (i) =>
      held('PATCH', `/api/collections/${id}`, owner.token, { title: `Renamed ${i}` })
    )
    expect(tally(statuses)).toEqual({ 200: 10, 429: 20 })
    const refused = await json('PUT', `/api/collections/${id}/items`, owner.token, {
      videoIds: two
    })
    expect(refused.status).toBe(429)
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    expect(JSON.parse(refused.text).error).toMatch(/changes to collections/)
  })
})

describe('watched reports', () => {
  it("uses the server's length, not the report's: one short report cannot wipe a record", async () => {
    const owner = await member()
    const viewer = await member()
    const video = await addVideo(owner.user) // 60 s
    const report = (ranges: number[][], durationMs: number) =>
      json('POST', `/api/videos/${video}/watched`, viewer.token, { ranges, durationMs })
    const first = await report([[0, 50_000]], 60_000)
    expect(first.status, first.text).toBe(200)
    expect(JSON.parse(first.text).completion).toBeCloseTo(50 / 60)
    const wipe = await report([[0, 1000]], 1000)
    expect(wipe.status, wipe.text).toBe(200)
    expect(JSON.parse(wipe.text).completion).toBeCloseTo(50 / 60)
    // A report claiming a short length does not inflate the share either.
    const other = await member()
    const short = await json('POST', `/api/videos/${video}/watched`, other.token, {
      ranges: [[0, 30_000]],
      durationMs: 30_000
    })
    expect(JSON.parse(short.text).completion).toBeCloseTo(0.5)
    expect(
      (await s.app.library.db.watchersOf(video)).find((w) => w.userId === viewer.user.id)
    ).toMatchObject({ durationMs: 60_000, watchedMs: 50_000 })
  })
})
