/**
 * Walkthrough requests through the JSON API against a real server (issue 17): asking, reading,
 * listing with state/tag/search and paging, changing and deleting (asker or admin only), answers
 * (only the video's owner links; the asker is notified once), "This solved it" and reopening,
 * "Me too", unlinking, refusals naming the field (bad JSON, wrong types, unknown fields, limits,
 * injection attempts), a session's writes needing the CSRF header, the posting limit (429 with
 * Retry-After), and answering from the app: a real tus upload with Upload-Metadata `answers`
 * is linked when it becomes a video and the asker gets an `answer` notification.
 */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LEARN_LIMITS, REQUEST_ID, type RequestJson } from '../../src/shared/learn'
import { REQUEST_POST_LIMIT } from '../../server/src/api/requests'
import type { User } from '../../server/src/db/types'
import { signInWithFetch, type FetchSession } from './helpers-pages/session'
import {
  createUpload,
  makeVideo,
  patch,
  request,
  startServer,
  tempDir,
  waitFor,
  type RawResponse,
  type TestServer
} from './support'

let s: TestServer
let clip: Buffer
const logs: string[] = []

type Json = Record<string, unknown>

function call(
  method: string,
  pathname: string,
  headers: Record<string, string> = {},
  body?: unknown
): Promise<RawResponse & { json: Json }> {
  const payload =
    body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
  return request(
    s.url,
    method,
    pathname,
    { ...(payload !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
    payload
  ).then((r) => ({
    ...r,
    json:
      r.text && /json/.test(String(r.headers['content-type'])) ? (JSON.parse(r.text) as Json) : {}
  }))
}

const bearer = (t: string): Record<string, string> => ({ Authorization: `Bearer ${t}` })

async function ask(token: string, body: Json): Promise<RequestJson> {
  const r = await call('POST', '/api/requests', bearer(token), body)
  expect(r.status, r.text).toBe(201)
  return r.json as unknown as RequestJson
}

/** A request made straight in the database (not counted against anyone's posting limit). */
async function seed(
  title: string,
  asker: User,
  tags: string[] = [],
  details = ''
): Promise<string> {
  return (await s.app.library.db.createRequest({ title, details, tags, askerId: asker.id })).id
}

/** A video of `token`'s user, uploaded in one tus POST (creation with upload). */
async function upload(title: string, token = s.token, meta: Json = {}): Promise<string> {
  const { res } = await createUpload(
    s,
    clip.length,
    { filename: 'clip.mp4', title, ...(meta as Record<string, string>) },
    token,
    clip
  )
  expect(res.status, res.text).toBe(201)
  const id = String(res.headers['sidecast-video-id'] ?? '')
  await waitFor('the video in the library', async () => s.app.library.db.getVideo(id))
  return id
}

let users = 0
/** A new member with a token. */
async function member(): Promise<{ user: User; token: string }> {
  const db = s.app.library.db
  const user = await db.createUser(`member${++users}`, 'member-password', false)
  return { user, token: (await db.createToken(user.id, 'test')).token }
}

beforeAll(async () => {
  clip = await makeVideo(path.join(tempDir('learn-requests'), 'clip.mp4'))
  s = await startServer({ log: (m) => logs.push(m) })
})

afterAll(async () => {
  await s?.close()
})

describe('asking and reading', () => {
  it('posts a request and answers it as RequestJson, with the asker wanting it', async () => {
    const made = await ask(s.otherToken, {
      title: '  How do I reconcile supplier invoices?  ',
      details: 'Line one\r\nLine two',
      tags: 'Finance, #Invoices finance'
    })
    expect(made.id).toMatch(REQUEST_ID)
    expect(made).toEqual({
      id: made.id,
      title: 'How do I reconcile supplier invoices?',
      details: 'Line one\nLine two',
      tags: ['finance', 'invoices'],
      askedBy: 'bob',
      createdAt: made.createdAt,
      state: 'open',
      wanted: 1,
      answers: [],
      url: `${s.config.publicUrl}/r/${made.id}`
    })
    expect(Number.isNaN(Date.parse(made.createdAt))).toBe(false)
    const one = await call('GET', `/api/requests/${made.id}`, bearer(s.token))
    expect(one.status).toBe(200)
    expect(one.json).toEqual(made)
    // Tags as a list are one tag each.
    const listed = await ask(s.otherToken, { title: 'Tags as a list', tags: ['A', 'b', 'a'] })
    expect(listed.tags).toEqual(['a', 'b'])
    expect((await ask(s.otherToken, { title: 'No tags', tags: [] })).tags).toEqual([])
  })

  it('answers 404 for an unknown or malformed id, whatever the method', async () => {
    for (const id of ['nosuchrequest1', 'bad%20id', "x'--", '%3Cscript%3E']) {
      for (const method of ['GET', 'PATCH', 'DELETE']) {
        const r = await call(method, `/api/requests/${id}`, bearer(s.token))
        expect(r.status, `${method} ${id}`).toBe(404)
      }
      const link = await call('POST', `/api/requests/${id}/answers`, bearer(s.token), {
        videoId: 'x'
      })
      expect(link.status).toBe(404)
    }
    expect((await call('PUT', '/api/requests', bearer(s.token), {})).status).toBe(405)
  })

  it('needs a sign-in', async () => {
    expect((await call('GET', '/api/requests')).status).toBe(401)
    expect((await call('POST', '/api/requests', {}, { title: 'x' })).status).toBe(401)
  })

  it('refuses bad bodies with 400 naming the field, and stores nothing', async () => {
    const before = await s.app.library.db.countRequests()
    const cases: [unknown, RegExp][] = [
      ['{not json', /not valid JSON/],
      [[{ title: 'x' }], /JSON object/],
      ['"a string"', /JSON object/],
      [{ title: 'x', admin: true }, /unknown field: admin/],
      [{ title: 42 }, /title must be a string/],
      [{ title: null }, /title must be a string/],
      [{ title: 'x', details: ['a'] }, /details must be a string/],
      [{ title: 'x', tags: 5 }, /tags must be/],
      [{ title: 'x', tags: [1, 2] }, /tags must be/],
      [{ title: 'x', tags: { a: 1 } }, /tags must be/],
      [{}, /^title: /],
      [{ title: ' \u0000\u0007 ' }, /^title: /],
      [{ title: 'x'.repeat(LEARN_LIMITS.requestTitle + 1) }, /^title: .*200/],
      [{ title: 'x', details: 'd'.repeat(LEARN_LIMITS.requestDetails + 1) }, /^details: .*5,000/],
      [{ title: 'x', tags: '<script>alert(1)</script>' }, /^tags: /],
      [{ title: 'x', tags: 'a b c d e f g h i' }, /^tags: .*8/],
      [{ title: 'x', tags: ['two words'] }, /^tags: /],
      [{ title: 'x', tags: ['x'.repeat(33)] }, /^tags: .*32/]
    ]
    for (const [body, error] of cases) {
      // A refused body still takes a posting slot (the slot is taken before the body is read),
      // so each case is one new person's.
      const r = await call('POST', '/api/requests', bearer((await member()).token), body as Json)
      expect(r.status, JSON.stringify(body)).toBe(400)
      expect(String(r.json.error), JSON.stringify(body)).toMatch(error)
    }
    const plain = await request(
      s.url,
      'POST',
      '/api/requests',
      { ...bearer(s.adminToken), 'Content-Type': 'text/plain' },
      '{"title":"x"}'
    )
    expect(plain.status).toBe(415)
    const huge = await call('POST', '/api/requests', bearer(s.adminToken), {
      title: 'x',
      details: 'y'.repeat(70 * 1024)
    })
    expect(huge.status).toBe(413)
    expect(await s.app.library.db.countRequests()).toBe(before)
  })

  it('keeps HTML, SQL and FTS syntax as text, escaped in the JSON bytes', async () => {
    const title = `<script>alert(1)</script> '; DROP TABLE requests; -- "* NEAR(`
    const made = await ask(s.adminToken, { title, details: '<img src=x onerror=alert(1)>' })
    expect(made.title).toBe(title)
    const raw = await call('GET', `/api/requests/${made.id}`, bearer(s.token))
    expect(raw.text).not.toContain('<script>')
    expect(raw.text).not.toContain('<img')
    expect(raw.text).toContain('\\u003cscript\\u003e')
    expect(raw.json.title).toBe(title)
    // Search with the same syntax: no error, the database still answers.
    for (const q of ['"*', 'NEAR(', "'; DROP TABLE requests; --", 'title:x OR', '*', '"""']) {
      const r = await call(
        'GET',
        `/api/requests?state=all&q=${encodeURIComponent(q)}`,
        bearer(s.token)
      )
      expect(r.status, q).toBe(200)
      expect(Array.isArray(r.json.requests)).toBe(true)
    }
    expect((await call('GET', `/api/requests/${made.id}`, bearer(s.token))).status).toBe(200)
  })

  it('needs the CSRF header for a session write, not for a read', async () => {
    const alice: FetchSession = await signInWithFetch(s.url, 'alice', 'alice-password')
    const cookie = { Cookie: alice.cookie }
    expect((await call('GET', '/api/requests', cookie)).status).toBe(200)
    const refused = await call('POST', '/api/requests', cookie, { title: 'From a script' })
    expect(refused.status).toBe(403)
    expect(refused.json.error).toMatch(/x-csrf-token/)
    const wrong = await call(
      'POST',
      '/api/requests',
      { ...cookie, 'x-csrf-token': 'nope' },
      { title: 'From a script' }
    )
    expect(wrong.status).toBe(403)
    const ok = await call(
      'POST',
      '/api/requests',
      { ...cookie, 'x-csrf-token': alice.csrf },
      { title: 'From a script' }
    )
    expect(ok.status).toBe(201)
    expect(ok.json.askedBy).toBe('alice')
  })
})

describe('listing', () => {
  it('filters by state, tag and words, pages, and counts the total', async () => {
    const carol = await member()
    const tag = `t${Date.now().toString(36)}`
    const ids: string[] = []
    for (const n of [1, 2, 3]) {
      ids.push(await seed(`Paged walkthrough ${n} zebrafish`, carol.user, [tag]))
    }
    const solvedId = await seed('Solved zebrafish question', carol.user, [tag])
    const video = await upload('Answer for the list')
    await s.app.library.write((db) => db.linkAnswer(solvedId, video, s.user.id))
    await s.app.library.write((db) => db.markSolved(solvedId, video, carol.user.id))

    const get = async (query: string): Promise<{ ids: string[]; total: number }> => {
      const r = await call('GET', `/api/requests?${query}`, bearer(s.token))
      expect(r.status, query).toBe(200)
      return {
        ids: (r.json.requests as RequestJson[]).map((x) => x.id),
        total: r.json.total as number
      }
    }
    // Newest first; open by default.
    expect(await get(`tag=${tag}`)).toEqual({ ids: [...ids].reverse(), total: 3 })
    expect(await get(`tag=%23${tag.toUpperCase()}`)).toEqual({ ids: [...ids].reverse(), total: 3 })
    expect(await get(`tag=${tag}&state=solved`)).toEqual({ ids: [solvedId], total: 1 })
    expect((await get(`tag=${tag}&state=all`)).total).toBe(4)
    expect(await get(`tag=${tag}&limit=1&offset=1`)).toEqual({ ids: [ids[1]], total: 3 })
    expect(await get(`tag=${tag}&offset=10`)).toEqual({ ids: [], total: 3 })
    expect((await get('q=zebrafish&state=all')).ids.sort()).toEqual([...ids, solvedId].sort())
    expect((await get('q=zebrafish')).total).toBe(3)
    const solved = await call('GET', `/api/requests?tag=${tag}&state=solved`, bearer(s.token))
    const answer = (solved.json.requests as RequestJson[])[0]?.answers[0]
    expect(answer).toEqual({
      videoId: video,
      title: 'Answer for the list',
      authorName: 'alice',
      url: `${s.config.publicUrl}/v/${video}`,
      solved: true
    })

    for (const [query, error] of [
      ['state=closed', /state must be/],
      ['limit=0', /limit/],
      ['limit=1.5', /limit/],
      ['offset=-1', /offset/],
      ['limit=1e3', /limit/],
      ['tag=%22*', /tag must be/],
      ['tag=a%20b', /tag must be/]
    ] as const) {
      const r = await call('GET', `/api/requests?${query}`, bearer(s.token))
      expect(r.status, query).toBe(400)
      expect(r.json.error).toMatch(error)
    }
    // More than the most reads as the most.
    expect((await call('GET', '/api/requests?limit=100000', bearer(s.token))).status).toBe(200)
  })
})

describe('changing and deleting', () => {
  it('lets the asker and an admin change it, no one else, and checks the fields', async () => {
    const made = await ask(s.otherToken, { title: 'To be edited', tags: 'old' })
    const url = `/api/requests/${made.id}`
    const stranger = await call('PATCH', url, bearer(s.token), { title: 'Hijacked' })
    expect(stranger.status).toBe(403)
    const edited = await call('PATCH', url, bearer(s.otherToken), {
      details: 'More <b>detail</b>',
      tags: ['new', 'Tags']
    })
    expect(edited.status).toBe(200)
    expect(edited.json).toMatchObject({
      title: 'To be edited',
      details: 'More <b>detail</b>',
      tags: ['new', 'tags']
    })
    const byAdmin = await call('PATCH', url, bearer(s.adminToken), { title: 'Fixed title' })
    expect(byAdmin.json.title).toBe('Fixed title')
    for (const [body, error] of [
      [{ title: '' }, /^title: /],
      [{ owner: 'alice' }, /unknown field: owner/],
      [{ tags: 'bad;tag' }, /^tags: /],
      [{ details: 1 }, /details must be a string/]
    ] as const) {
      const r = await call('PATCH', url, bearer(s.otherToken), body)
      expect(r.status, JSON.stringify(body)).toBe(400)
      expect(r.json.error).toMatch(error)
    }
    expect((await call('GET', url, bearer(s.token))).json.title).toBe('Fixed title')
  })

  it('lets the asker or an admin delete it (204), no one else', async () => {
    const mine = await ask(s.otherToken, { title: 'To be deleted' })
    expect((await call('DELETE', `/api/requests/${mine.id}`, bearer(s.token))).status).toBe(403)
    expect((await call('DELETE', `/api/requests/${mine.id}`, bearer(s.otherToken))).status).toBe(
      204
    )
    expect((await call('GET', `/api/requests/${mine.id}`, bearer(s.token))).status).toBe(404)
    const other = await ask(s.otherToken, { title: 'Deleted by an admin' })
    expect((await call('DELETE', `/api/requests/${other.id}`, bearer(s.adminToken))).status).toBe(
      204
    )
    expect(await s.app.library.db.getRequest(other.id)).toBeNull()
  })
})

describe('answers, This solved it, Me too', () => {
  it('links only the video owner’s video, notifies the asker once, and lets the asker mark it solved', async () => {
    const carol = await member()
    const made = await ask(carol.token, { title: 'How do I export the ledger?' })
    const base = `/api/requests/${made.id}`
    const mine = await upload('Exporting the ledger')
    const bobs = await upload('Bob’s video', s.otherToken)

    // Not the owner: refused; unknown video: 404; wrong type: 400.
    const notOwner = await call('POST', `${base}/answers`, bearer(s.otherToken), { videoId: mine })
    expect(notOwner.status).toBe(403)
    expect(
      (await call('POST', `${base}/answers`, bearer(s.token), { videoId: 'nosuchvideo1' })).status
    ).toBe(404)
    expect(
      (await call('POST', `${base}/answers`, bearer(s.token), { videoId: '../x' })).status
    ).toBe(404)
    for (const body of [{ videoId: 5 }, { video: mine }, {}]) {
      const r = await call('POST', `${base}/answers`, bearer(s.token), body)
      expect(r.status, JSON.stringify(body)).toBe(400)
    }

    const linked = await call('POST', `${base}/answers`, bearer(s.token), { videoId: mine })
    expect(linked.status).toBe(200)
    expect((linked.json as unknown as RequestJson).answers).toEqual([
      {
        videoId: mine,
        title: 'Exporting the ledger',
        authorName: 'alice',
        url: `${s.config.publicUrl}/v/${mine}`,
        solved: false
      }
    ])
    const answerNotes = async () =>
      (await s.app.library.db.notificationsOf(carol.user.id)).filter(
        (n) => n.kind === 'answer' && n.requestId === made.id
      )
    expect(await answerNotes()).toHaveLength(1)
    expect((await answerNotes())[0]).toMatchObject({ videoId: mine, actorName: 'alice' })
    // Linking again changes nothing and notifies nobody.
    const again = await call('POST', `${base}/answers`, bearer(s.token), { videoId: mine })
    expect((again.json as unknown as RequestJson).answers).toHaveLength(1)
    expect(await answerNotes()).toHaveLength(1)
    // An admin may link anyone's video.
    const byAdmin = await call('POST', `${base}/answers`, bearer(s.adminToken), { videoId: bobs })
    expect((byAdmin.json as unknown as RequestJson).answers.map((a) => a.videoId)).toEqual([
      mine,
      bobs
    ])

    // This solved it: the asker (or an admin) only, one of its answers only.
    expect((await call('POST', `${base}/solved`, bearer(s.token), { videoId: mine })).status).toBe(
      403
    )
    const notAnswer = await call('POST', `${base}/solved`, bearer(carol.token), {
      videoId: 'nosuchvideo1'
    })
    expect(notAnswer.status).toBe(400)
    expect(notAnswer.json.error).toMatch(/videoId/)
    for (const body of [{}, { videoId: 7 }, { videoId: mine, extra: 1 }]) {
      const r = await call('POST', `${base}/solved`, bearer(carol.token), body)
      expect(r.status, JSON.stringify(body)).toBe(400)
    }
    const solved = await call('POST', `${base}/solved`, bearer(carol.token), { videoId: mine })
    expect(solved.status).toBe(200)
    expect(solved.json.state).toBe('solved')
    expect((solved.json as unknown as RequestJson).answers.map((a) => a.solved)).toEqual([
      true,
      false
    ])
    const reopened = await call('POST', `${base}/solved`, bearer(carol.token), { videoId: null })
    expect(reopened.json.state).toBe('open')
    expect((reopened.json as unknown as RequestJson).answers.every((a) => !a.solved)).toBe(true)
    const byAdminSolved = await call('POST', `${base}/solved`, bearer(s.adminToken), {
      videoId: bobs
    })
    expect(byAdminSolved.json.state).toBe('solved')

    // Unlink: the video's owner, the asker or an admin; no one else.
    const dave = await member()
    const stranger = await call('DELETE', `${base}/answers/${mine}`, bearer(dave.token))
    expect(stranger.status).toBe(403)
    expect((await call('DELETE', `${base}/answers/nosuchvideo1`, bearer(s.token))).status).toBe(404)
    const unlinked = await call('DELETE', `${base}/answers/${mine}`, bearer(s.token))
    expect(unlinked.status).toBe(200)
    expect((unlinked.json as unknown as RequestJson).answers.map((a) => a.videoId)).toEqual([bobs])
    // The solved answer unlinked by the asker: open again.
    const last = await call('DELETE', `${base}/answers/${bobs}`, bearer(carol.token))
    expect(last.json).toMatchObject({ state: 'open', answers: [] })
  })

  it('counts “Me too” on and off; the asker always wants it', async () => {
    const carol = await member()
    const made = await ask(s.otherToken, { title: 'Wanted by many' })
    const base = `/api/requests/${made.id}`
    const on = await call('POST', `${base}/want`, bearer(carol.token), { want: true })
    expect(on.json.wanted).toBe(2)
    expect(
      (await call('POST', `${base}/want`, bearer(carol.token), { want: true })).json.wanted
    ).toBe(2)
    expect((await call('POST', `${base}/want`, bearer(s.token), { want: true })).json.wanted).toBe(
      3
    )
    expect(
      (await call('POST', `${base}/want`, bearer(carol.token), { want: false })).json.wanted
    ).toBe(2)
    const asker = await call('POST', `${base}/want`, bearer(s.otherToken), { want: false })
    expect(asker.json.wanted).toBe(2)
    for (const body of [{ want: 'yes' }, { want: 1 }, {}, { want: true, x: 1 }]) {
      const r = await call('POST', `${base}/want`, bearer(carol.token), body)
      expect(r.status, JSON.stringify(body)).toBe(400)
    }
    expect(await s.app.library.db.wants(made.id, carol.user.id)).toBe(false)
  })
})

describe('posting limit', () => {
  it(`takes ${REQUEST_POST_LIMIT.limit} new requests from one person, then 429 with Retry-After`, async () => {
    const eve = await member()
    for (let i = 0; i < REQUEST_POST_LIMIT.limit; i++) {
      await ask(eve.token, { title: `Burst ${i}` })
    }
    const refused = await call('POST', '/api/requests', bearer(eve.token), { title: 'One more' })
    expect(refused.status).toBe(429)
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    expect(refused.json.error).toMatch(/at most 10 requests in 10 minutes/)
    expect(await s.app.library.db.countRequests({ q: 'One more' })).toBe(0)
    // Someone else still may; refused bodies count too (a slot is taken before the body is
    // read), but three of them leave room for a request.
    const frank = await member()
    for (let i = 0; i < 3; i++) {
      expect((await call('POST', '/api/requests', bearer(frank.token), { title: '' })).status).toBe(
        400
      )
    }
    await ask(frank.token, { title: 'Not limited' })
  })
})

describe('answering from the app (Upload-Metadata answers)', () => {
  it('links a new video to the request it answers and notifies the asker', async () => {
    const asker = await member()
    const made = await ask(asker.token, { title: 'How do I approve a purchase order?' })
    const video = await upload('Approving a purchase order', s.token, { answers: made.id })
    const after = await call('GET', `/api/requests/${made.id}`, bearer(asker.token))
    expect((after.json as unknown as RequestJson).answers).toEqual([
      expect.objectContaining({ videoId: video, authorName: 'alice', solved: false })
    ])
    const notes = (await s.app.library.db.notificationsOf(asker.user.id)).filter(
      (n) => n.kind === 'answer' && n.requestId === made.id
    )
    expect(notes).toHaveLength(1)
    expect(notes[0]).toMatchObject({ videoId: video, actorName: 'alice' })
    expect((await s.app.library.db.requestsAnsweredBy(video)).map((r) => r.id)).toEqual([made.id])
  })

  it('keeps the video when the request is gone, and says so in the log', async () => {
    const asker = await member()
    const gone = await ask(asker.token, { title: 'Deleted before the answer came' })
    expect((await call('DELETE', `/api/requests/${gone.id}`, bearer(asker.token))).status).toBe(204)
    const video = await upload('Too late', s.token, { answers: gone.id })
    expect(await s.app.library.db.getVideo(video)).not.toBeNull()
    expect(await s.app.library.db.requestsAnsweredBy(video)).toEqual([])
    expect(logs.some((m) => m.includes(gone.id) && m.includes('gone'))).toBe(true)
  })

  it('does not link a new version (replaces) of a video', async () => {
    const made = await ask((await member()).token, { title: 'Not answered by a new version' })
    const video = await upload('Version one')
    const { res } = await createUpload(
      s,
      clip.length,
      { filename: 'clip.mp4', title: 'Version two', replaces: video, answers: made.id },
      s.token,
      clip
    )
    expect(res.status, res.text).toBe(201)
    await waitFor('the new version', async () =>
      (await s.app.library.db.getVideo(video))?.title === 'Version two' ? true : null
    )
    expect(await s.app.library.db.answersOf(made.id)).toEqual([])
  })

  it('refuses a malformed answers key, or answers with cameraFor, before storing anything', async () => {
    for (const [meta, error] of [
      [{ answers: '../../etc' }, /Upload-Metadata: answers must be a request id/],
      [{ answers: '<script>' }, /answers must be a request id/],
      [{ answers: 'x'.repeat(65) }, /answers/],
      [{ answers: 'abc', cameraFor: 'somevideo123', cameraOffsetMs: '0' }, /cameraFor and answers/]
    ] as const) {
      const created = await createUpload(s, clip.length, {
        filename: 'clip.mp4',
        ...(meta as Record<string, string>)
      })
      expect(created.res.status, JSON.stringify(meta)).toBe(400)
      expect(created.res.text).toMatch(error)
    }
  })

  it('links a chunked upload too (creation, then PATCH)', async () => {
    const made = await ask((await member()).token, { title: 'Chunked answer' })
    const created = await createUpload(s, clip.length, {
      filename: 'clip.mp4',
      title: 'Chunked',
      answers: made.id
    })
    expect(created.res.status).toBe(201)
    const half = Math.floor(clip.length / 2)
    expect((await patch(s, created.path, 0, clip.subarray(0, half))).status).toBe(204)
    const done = await patch(s, created.path, half, clip.subarray(half))
    expect(done.status).toBe(204)
    const videoId = String(done.headers['sidecast-video-id'] ?? '')
    await waitFor('the answer linked', async () =>
      (await s.app.library.db.answersOf(made.id)).some((a) => a.videoId === videoId)
    )
  })
})
