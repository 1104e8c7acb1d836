/**
 * Comments and questions at a moment, "This helped", emoji at a moment, what each viewer watched
 * and what the author sees of it (issue 17; docs/learning-together.md) against a real server:
 * who may read and post (a video awaiting its edits is its owner's only, a link visitor gets no
 * comments), threads and the rights on them, notification fan-out, hostile input in every field,
 * the per-user rate limits, completion from watched ranges on the insights (names or counts by
 * the team setting, set by the CLI and on the profile page), and the page forms with their CSRF
 * token and markers.
 *
 * Each test posts as its own fresh users where it posts much: the rate limits count per user.
 */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COMMENTS_PER_MINUTE, REACTIONS_PER_MINUTE } from '../../server/src/api/comments'
import type { User } from '../../server/src/db/types'
import { LEARN_LIMITS } from '../../src/shared/learn'
import { csrfFrom, postForm, signInWithFetch, type FetchSession } from './helpers-pages/session'
import {
  cli,
  createUpload,
  makeVideo,
  request,
  startServer,
  tempDir,
  type RawResponse,
  type TestServer
} from './support'

let s: TestServer
let original: Buffer

type Json = Record<string, unknown>
type Reply = RawResponse & { json: Json }

interface Person {
  user: User
  token: string
  password: string
}

let made = 0
/** A new member with a token (the rate limits count per user). */
async function person(prefix: string, admin = false): Promise<Person> {
  const name = `${prefix}${++made}`
  const password = `${name}-password`
  const user = await s.app.library.db.createUser(name, password, admin)
  return { user, token: (await s.app.library.db.createToken(user.id, 'test')).token, password }
}

async function signIn(p: Person): Promise<FetchSession> {
  return signInWithFetch(s.url, p.user.name, p.password)
}

async function upload(title: string, meta: Record<string, string> = {}): Promise<string> {
  const { res } = await createUpload(
    s,
    original.length,
    { filename: 'clip.mp4', title, ...meta },
    s.token,
    original
  )
  expect(res.status).toBe(201)
  return String(res.headers['sidecast-video-id'])
}

function call(
  method: string,
  pathname: string,
  token: string | null,
  body?: unknown,
  headers: Record<string, string> = {}
): Promise<Reply> {
  const payload =
    body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
  return request(
    s.url,
    method,
    pathname,
    {
      ...(payload !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...headers
    },
    payload
  ).then((r) => ({
    ...r,
    json:
      r.text && /json/.test(String(r.headers['content-type'])) ? (JSON.parse(r.text) as Json) : {}
  }))
}

function comment(id: string, token: string, body: Json): Promise<Reply> {
  return call('POST', `/api/videos/${id}/comments`, token, body)
}

async function threads(id: string, token: string): Promise<{ comment: Json; replies: Json[] }[]> {
  const r = await call('GET', `/api/videos/${id}/comments`, token)
  expect(r.status).toBe(200)
  return r.json.threads as { comment: Json; replies: Json[] }[]
}

async function page(pathname: string, session: FetchSession): Promise<Response> {
  return fetch(`${s.url}${pathname}`, { headers: { Cookie: session.cookie }, redirect: 'manual' })
}

function form(pathname: string, fields: Record<string, string>, session: FetchSession) {
  return postForm(s.url, pathname, fields, { Cookie: session.cookie, Origin: s.url })
}

beforeAll(async () => {
  original = await makeVideo(path.join(tempDir('learn-comments'), 'clip.mp4'))
  s = await startServer()
})

afterAll(async () => {
  await s?.close()
})

describe('who may read and post', () => {
  it('lets members read and post on a normal video, nobody but its owner on one awaiting its edits', async () => {
    const normal = await upload('Normal')
    const bob = await person('bob')
    const posted = await comment(normal, bob.token, { body: 'Hello at one second', atMs: 1000 })
    expect(posted.status).toBe(201)
    expect(posted.json).toMatchObject({
      body: 'Hello at one second',
      atMs: 1000,
      authorName: bob.user.name,
      mine: true,
      canEdit: true,
      canDelete: true,
      question: false,
      deleted: false
    })
    expect((await threads(normal, s.token))[0]?.comment).toMatchObject({
      id: posted.json.id,
      mine: false,
      canEdit: false,
      // The video's owner may remove any comment on it.
      canDelete: true
    })

    const waiting = await upload('Waiting', { editsFollow: '1' })
    expect((await s.app.library.db.getVideo(waiting))?.awaitingEdits).toBe(true)
    const mine = await comment(waiting, s.token, { body: 'Note to self', atMs: 500 })
    expect(mine.status).toBe(201)
    // Another member learns nothing of it: 404 as for a video that does not exist.
    for (const [method, pathname, body] of [
      ['GET', `/api/videos/${waiting}/comments`, undefined],
      ['POST', `/api/videos/${waiting}/comments`, { body: 'sneaky' }],
      ['GET', `/api/comments/${String(mine.json.id)}`, undefined],
      ['PATCH', `/api/comments/${String(mine.json.id)}`, { body: 'changed' }],
      ['DELETE', `/api/comments/${String(mine.json.id)}`, undefined],
      ['GET', `/api/videos/${waiting}/reactions`, undefined],
      ['POST', `/api/videos/${waiting}/reactions`, { kind: 'helped' }],
      ['POST', `/api/videos/${waiting}/watched`, { ranges: [[0, 500]], durationMs: 2000 }],
      ['GET', `/api/videos/${waiting}/insights`, undefined]
    ] as const) {
      const r = await call(method, pathname, bob.token, body)
      expect(r.status, `${method} ${pathname}`).toBe(404)
    }
    const unknown = await call('GET', '/api/videos/nosuchvideo12345/comments', bob.token)
    expect(unknown.status).toBe(404)
    expect(unknown.json).toEqual(
      (await call('GET', `/api/videos/${waiting}/comments`, bob.token)).json
    )
    expect((await threads(waiting, s.token))[0]?.comment.body).toBe('Note to self')
    expect((await threads(waiting, s.adminToken)).length).toBe(1)

    // The pages: the watch page shows bob nothing of its comments, the form post is "not found".
    const bobSession = await signIn(bob)
    const watch = await (await page(`/v/${waiting}`, bobSession)).text()
    expect(watch).not.toContain('Note to self')
    expect(watch).not.toContain('id="comments"')
    const posting = await form(
      `/v/${waiting}/comments`,
      { csrf: bobSession.csrf, body: 'sneaky', at: '' },
      bobSession
    )
    expect(posting.status).toBe(404)
    expect((await threads(waiting, s.token)).length).toBe(1)
  })

  it('answers 401 to the API and sends a page post to sign in without a session', async () => {
    const id = await upload('No session')
    expect((await call('GET', `/api/videos/${id}/comments`, null)).status).toBe(401)
    expect((await call('POST', `/api/videos/${id}/comments`, null, { body: 'x' })).status).toBe(401)
    const res = await postForm(
      s.url,
      `/v/${id}/comments`,
      { body: 'x', csrf: 'x' },
      {
        Origin: s.url
      }
    )
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toMatch(/^\/signin/)
    expect((await threads(id, s.token)).length).toBe(0)
  })

  it('needs the CSRF header for a session and shows a link visitor no comments and no forms', async () => {
    const id = await upload('Shared by link')
    const alice = await signInWithFetch(s.url, 'alice', 'alice-password')
    const noHeader = await call(
      'POST',
      `/api/videos/${id}/comments`,
      null,
      { body: 'no csrf' },
      { Cookie: alice.cookie }
    )
    expect(noHeader.status).toBe(403)
    const withHeader = await call(
      'POST',
      `/api/videos/${id}/comments`,
      null,
      { body: 'A secret remark', atMs: 1000 },
      { Cookie: alice.cookie, 'x-csrf-token': alice.csrf }
    )
    expect(withHeader.status).toBe(201)

    const on = await call('POST', `/api/videos/${id}/access`, s.token, { access: 'link' })
    expect(on.status).toBe(200)
    const link = new URL(String(on.json.linkUrl)).pathname
    const visitor = await request(s.url, 'GET', link, { Accept: 'text/html' })
    expect(visitor.status).toBe(200)
    expect(visitor.text).toContain('Shared by link')
    expect(visitor.text).not.toContain('A secret remark')
    expect(visitor.text).not.toContain('comment-form')
    expect(visitor.text).not.toContain('This helped')
    expect(visitor.text).not.toContain('comments.js')
  })
})

describe('threads', () => {
  it('keeps replies in their thread; edit is the author’s, delete the author’s, owner’s or an admin’s', async () => {
    const id = await upload('Threads')
    const bob = await person('bob')
    const carol = await person('carol')
    const first = await comment(id, bob.token, {
      body: 'Where does this number come from?',
      atMs: 1500
    })
    const early = await comment(id, carol.token, { body: 'Nice intro', atMs: 200 })
    const whole = await comment(id, carol.token, { body: 'Great video overall' })
    const reply = await comment(id, carol.token, {
      body: 'From the ledger',
      parentId: first.json.id
    })
    expect(reply.status).toBe(201)
    expect(reply.json).toMatchObject({ parentId: first.json.id, atMs: null })
    // A reply to a reply joins the thread.
    const deeper = await comment(id, bob.token, { body: 'Thanks!', parentId: reply.json.id })
    expect(deeper.json.parentId).toBe(first.json.id)
    // A reply has no moment of its own and is no question.
    expect(
      (await comment(id, bob.token, { body: 'x', parentId: first.json.id, atMs: 5 })).status
    ).toBe(400)
    expect(
      (await comment(id, bob.token, { body: 'x', parentId: first.json.id, question: true })).status
    ).toBe(400)
    // A parent on another video is refused.
    const elsewhere = await upload('Elsewhere')
    expect(
      (await comment(elsewhere, bob.token, { body: 'x', parentId: first.json.id })).status
    ).toBe(400)

    const list = await threads(id, bob.token)
    // By moment, the whole-video comment last.
    expect(list.map((t) => t.comment.id)).toEqual([early.json.id, first.json.id, whole.json.id])
    expect(list[1]?.replies.map((r) => r.id)).toEqual([reply.json.id, deeper.json.id])

    // Edit: the author only (not the owner, not an admin).
    const edit = (token: string, body: Json) =>
      call('PATCH', `/api/comments/${String(first.json.id)}`, token, body)
    expect((await edit(carol.token, { body: 'hijacked' })).status).toBe(403)
    expect((await edit(s.token, { body: 'owner edit' })).status).toBe(403)
    expect((await edit(s.adminToken, { body: 'admin edit' })).status).toBe(403)
    const edited = await edit(bob.token, { body: 'Where does 42 come from?', atMs: 1200 })
    expect(edited.status).toBe(200)
    expect(edited.json).toMatchObject({ body: 'Where does 42 come from?', atMs: 1200 })
    expect(typeof edited.json.editedAt).toBe('string')
    expect(
      (await call('PATCH', `/api/comments/${String(reply.json.id)}`, carol.token, { atMs: 100 }))
        .status
    ).toBe(400)

    // Delete: not another member; the author, the video's owner, an admin may.
    const del = (commentId: unknown, token: string) =>
      call('DELETE', `/api/comments/${String(commentId)}`, token)
    expect((await del(early.json.id, bob.token)).status).toBe(403)
    expect((await del(early.json.id, carol.token)).status).toBe(204)
    expect((await del(whole.json.id, s.token)).status).toBe(204)
    expect((await del(deeper.json.id, s.adminToken)).status).toBe(204)
    expect((await del(whole.json.id, s.token)).status).toBe(404)

    // A thread's first comment deleted with replies stays as "deleted".
    expect((await del(first.json.id, bob.token)).status).toBe(204)
    const after = await threads(id, carol.token)
    expect(after.length).toBe(1)
    expect(after[0]?.comment).toMatchObject({ deleted: true, body: '', canDelete: false })
    expect(after[0]?.replies.map((r) => r.id)).toEqual([reply.json.id])
    const bobSession = await signIn(bob)
    const html = await (await page(`/v/${id}`, bobSession)).text()
    expect(html).toContain('This comment was deleted.')
    expect(html).not.toContain('Where does 42 come from?')
    expect(html).toContain(`id="c-${String(reply.json.id)}"`)
  })

  it('lets who asked, the video’s owner and admins mark a question answered, nobody else', async () => {
    const id = await upload('Questions')
    const bob = await person('bob')
    const carol = await person('carol')
    const q = await comment(id, bob.token, { body: 'How do I filter?', atMs: 700, question: true })
    expect(q.json).toMatchObject({ question: true, answered: false, canMarkAnswered: true })
    const mark = (token: string, answered: unknown) =>
      call('PATCH', `/api/comments/${String(q.json.id)}`, token, { answered })
    expect((await mark(carol.token, true)).status).toBe(403)
    expect((await mark(bob.token, 'yes')).status).toBe(400)
    expect((await mark(bob.token, true)).json.answered).toBe(true)
    expect((await mark(s.token, false)).json.answered).toBe(false)
    expect((await mark(s.adminToken, true)).json.answered).toBe(true)
    const plain = await comment(id, carol.token, { body: 'Not a question', atMs: 100 })
    expect(
      (
        await call('PATCH', `/api/comments/${String(plain.json.id)}`, carol.token, {
          answered: true
        })
      ).status
    ).toBe(400)
    // bob was told someone else marked it answered.
    const kinds = (await s.app.library.db.notificationsOf(bob.user.id)).map((n) => n.kind)
    expect(kinds).toContain('answered')
  })
})

describe('notifications', () => {
  it('tells the owner of a new comment and everyone in the thread of a reply, never the author', async () => {
    const id = await upload('Fan-out')
    const db = s.app.library.db
    const bob = await person('bob')
    const carol = await person('carol')
    const before = (await db.notificationsOf(s.user.id)).length
    const first = await comment(id, bob.token, { body: 'Question at 1 s', atMs: 1000 })
    const forAlice = await db.notificationsOf(s.user.id)
    expect(forAlice.length).toBe(before + 1)
    expect(forAlice[0]).toMatchObject({
      kind: 'comment',
      actorName: bob.user.name,
      videoId: id,
      commentId: first.json.id,
      atMs: 1000
    })
    expect((await db.notificationsOf(bob.user.id)).length).toBe(0)

    const aliceReply = await comment(id, s.token, { body: 'Here', parentId: first.json.id })
    expect((await db.notificationsOf(bob.user.id))[0]).toMatchObject({
      kind: 'reply',
      commentId: aliceReply.json.id
    })
    expect((await db.notificationsOf(s.user.id)).length).toBe(before + 1)

    const carolReply = await comment(id, carol.token, { body: 'Me too', parentId: first.json.id })
    expect((await db.notificationsOf(s.user.id))[0]).toMatchObject({
      kind: 'reply',
      commentId: carolReply.json.id
    })
    expect((await db.notificationsOf(bob.user.id))[0]).toMatchObject({
      kind: 'reply',
      commentId: carolReply.json.id
    })
    expect((await db.notificationsOf(carol.user.id)).length).toBe(0)
  })
})

describe('hostile input', () => {
  it('escapes markup, links only http(s), strips control characters', async () => {
    const id = await upload('Injection')
    const bob = await person('bob')
    const bodies = [
      '<script>alert(1)</script>',
      '" onmouseover="alert(2)',
      "javascript:alert(3) and 'quotes'; DROP TABLE comments; --",
      'see https://example.test/a?b=1&c="><img src=x onerror=alert(4)> and http://ok.test/page.',
      '"* NEAR( title:x'
    ]
    for (const body of bodies) {
      expect((await comment(id, bob.token, { body, atMs: 100 })).status).toBe(201)
    }
    const control = await comment(id, bob.token, {
      body: 'a\u0000b\u0007c\u001bd\r\ne\u007f',
      atMs: 100
    })
    expect(control.json.body).toBe('abcd\ne')
    const stored = (await threads(id, bob.token)).map((t) => t.comment.body)
    expect(stored).toEqual(expect.arrayContaining(bodies))

    const html = await (await page(`/v/${id}`, await signIn(bob))).text()
    expect(html).not.toContain('<script>alert(1)')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).not.toMatch(/<[^>]+\sonmouseover=/)
    expect(html).not.toMatch(/<img src=x/)
    expect(html).not.toMatch(/href="javascript:/i)
    expect(html).toContain(
      '<a href="http://ok.test/page" rel="noopener noreferrer nofollow" target="_blank">http://ok.test/page</a>.'
    )
    // The first address ends before its quote (punctuation, not address); the rest is text.
    expect(html).toContain(
      '<a href="https://example.test/a?b=1&amp;c=" rel="noopener noreferrer nofollow" target="_blank">https://example.test/a?b=1&amp;c=</a>&quot;&gt;&lt;img src=x onerror=alert(4)&gt;'
    )
  })

  it('refuses wrong types, impossible moments and huge bodies, naming the field', async () => {
    const id = await upload('Bad input')
    const bob = await person('bob')
    const bad: [unknown, RegExp][] = [
      [{ body: 5 }, /body must be a string/],
      [{ body: '' }, /empty/],
      [{ body: ' \u0000 \n ' }, /empty/],
      [{ body: 'x'.repeat(LEARN_LIMITS.comment + 1) }, /at most 5,000/],
      [{ body: 'x', atMs: '5' }, /atMs must be a number/],
      [{ body: 'x', atMs: -1 }, /atMs/],
      [{ body: 'x', atMs: 1e308 }, /after the end/],
      [{ body: 'x', atMs: 60_000 }, /after the end/],
      [{ body: 'x', question: 'yes' }, /question must be true or false/],
      [{ body: 'x', parentId: 7 }, /parentId must be a string/],
      [{ body: 'x', parentId: 'nope' }, /parentId/],
      [{ body: 'x', evil: 1 }, /unknown field: evil/],
      [['body'], /JSON object/],
      [null, /JSON object/]
    ]
    for (const [body, message] of bad) {
      const r = await comment(id, bob.token, body as Json)
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400)
      expect(String(r.json.error)).toMatch(message)
    }
    // NaN is not JSON.
    const nan = await call(
      'POST',
      `/api/videos/${id}/comments`,
      bob.token,
      '{"body":"x","atMs":NaN}'
    )
    expect(nan.status).toBe(400)
    // A 10 MB body is cut off at the API's limit.
    const huge = await call(
      'POST',
      `/api/videos/${id}/comments`,
      bob.token,
      JSON.stringify({ body: 'x'.repeat(10 * 1024 * 1024) })
    )
    expect(huge.status).toBe(413)
    const notJson = await call('POST', `/api/videos/${id}/comments`, bob.token, undefined, {
      'Content-Type': 'text/plain'
    })
    expect(notJson.status).toBe(415)
    // Reactions and watched reports are checked as strictly.
    for (const body of [
      { kind: 'love' },
      { kind: '👍' },
      { kind: '👍', atMs: 'x' },
      { kind: '👍', atMs: 9e9 },
      { kind: 'helped', atMs: 10 },
      { kind: 'helped', on: 'yes' }
    ]) {
      const r = await call('POST', `/api/videos/${id}/reactions`, bob.token, body)
      expect(r.status, JSON.stringify(body)).toBe(400)
    }
    for (const body of [
      { ranges: [[0, 100]] },
      { ranges: [[0, 100]], durationMs: '2000' },
      { ranges: [[0, 100]], durationMs: 10 * 60_000 },
      { ranges: [[100, 100]], durationMs: 2000 },
      { ranges: [[-5, 100]], durationMs: 2000 },
      { ranges: [['0', 100]], durationMs: 2000 },
      { ranges: [[0, 100, 200]], durationMs: 2000 },
      { ranges: [[0, 9e9]], durationMs: 2000 },
      { ranges: 'all', durationMs: 2000 },
      {
        ranges: Array.from({ length: LEARN_LIMITS.watchedRanges + 1 }, (_, i) => [i, i + 1]),
        durationMs: 2000
      }
    ]) {
      const r = await call('POST', `/api/videos/${id}/watched`, bob.token, body)
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400)
    }
    expect((await threads(id, bob.token)).length).toBe(0)
    expect((await s.app.library.db.watchersOf(id)).length).toBe(0)
  })
})

describe('moments on the viewers’ clock', () => {
  it('takes moments within the edited length: cuts make the video viewers watch shorter', async () => {
    const id = await upload('Cut')
    const bob = await person('bob')
    const length = (await s.app.library.db.getVideo(id))?.durationMs ?? 0
    expect(length).toBeGreaterThan(1500)
    const before = await comment(id, bob.token, { body: 'Near the end', atMs: length - 100 })
    expect(before.status).toBe(201)
    // Cut the second half out: viewers watch the first 1000 ms only.
    const cut = await call('PUT', `/api/videos/${id}/edits`, s.token, {
      baseVersion: 0,
      edits: { version: 1, keep: [[0, 1000]], annotations: [] }
    })
    expect(cut.status).toBe(200)
    const late = await comment(id, bob.token, { body: 'Too late now', atMs: 1500 })
    expect(late.status).toBe(400)
    expect(String(late.json.error)).toMatch(/after the end of the video \(0:01\)/)
    expect((await comment(id, bob.token, { body: 'In time', atMs: 900 })).status).toBe(201)
    const watched = await call('POST', `/api/videos/${id}/watched`, bob.token, {
      ranges: [[0, 1000]],
      durationMs: 2500
    })
    // Longer than the edited length and the second of slack.
    expect(watched.status).toBe(400)
  })
})

describe('rate limits', () => {
  it(`refuses comment number ${COMMENTS_PER_MINUTE + 1} and reaction number ${REACTIONS_PER_MINUTE + 1} in a minute with 429 and Retry-After`, async () => {
    const id = await upload('Rate limits')
    const fast = await person('fast')
    for (let i = 0; i < COMMENTS_PER_MINUTE; i++) {
      expect((await comment(id, fast.token, { body: `Comment ${i}` })).status).toBe(201)
    }
    const refused = await comment(id, fast.token, { body: 'One too many' })
    expect(refused.status).toBe(429)
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    expect(String(refused.json.error)).toMatch(/Too many comments in a minute \(at most 20\)/)
    // Someone else may still post.
    expect((await comment(id, (await person('calm')).token, { body: 'Hi' })).status).toBe(201)

    for (let i = 0; i < REACTIONS_PER_MINUTE; i++) {
      const r = await call('POST', `/api/videos/${id}/reactions`, fast.token, {
        kind: '👍',
        atMs: 1000
      })
      expect(r.status).toBe(200)
    }
    const tooMany = await call('POST', `/api/videos/${id}/reactions`, fast.token, {
      kind: 'helped'
    })
    expect(tooMany.status).toBe(429)
    expect(tooMany.headers['retry-after']).toBeDefined()
  })
})

describe('This helped, who watched', () => {
  it('counts "This helped" per person and tells the owner once', async () => {
    const id = await upload('Helpful')
    const bob = await person('bob')
    const carol = await person('carol')
    const react = (token: string, body: Json) =>
      call('POST', `/api/videos/${id}/reactions`, token, body)
    expect((await react(bob.token, { kind: 'helped', on: true })).json).toMatchObject({
      helped: 1,
      helpedByMe: true
    })
    expect((await react(carol.token, { kind: 'helped' })).json).toMatchObject({ helped: 2 })
    expect((await react(bob.token, { kind: 'helped', on: true })).json).toMatchObject({ helped: 2 })
    expect((await react(bob.token, { kind: 'helped', on: false })).json).toMatchObject({
      helped: 1,
      helpedByMe: false
    })
    const emoji = await react(bob.token, { kind: '💡', atMs: 1500 })
    expect(emoji.json.moments).toEqual([{ kind: '💡', atMs: 1000, count: 1, mine: true }])
    expect((await call('GET', `/api/videos/${id}/reactions`, carol.token)).json).toMatchObject({
      helped: 1,
      helpedByMe: true,
      moments: [{ kind: '💡', atMs: 1000, count: 1, mine: false }]
    })
    const helpedNotes = (await s.app.library.db.notificationsOf(s.user.id)).filter(
      (n) => n.kind === 'helped' && n.videoId === id
    )
    expect(helpedNotes.map((n) => n.actorName).sort()).toEqual(
      [bob.user.name, carol.user.name].sort()
    )

    // The page form: carol takes hers back, the owner's page shows who it helped.
    const carolSession = await signIn(carol)
    const watch = await (await page(`/v/${id}`, carolSession)).text()
    expect(watch).toMatch(/class="btn helped-toggle"\s+aria-pressed="true"/)
    expect(watch).not.toContain('Helped 1 colleague')
    const off = await form(`/v/${id}/helped`, { csrf: carolSession.csrf, on: '0' }, carolSession)
    expect(off.status).toBe(303)
    expect(off.headers.get('location')).toBe(`/v/${id}#helped`)
    const owner = await signInWithFetch(s.url, 'alice', 'alice-password')
    const ownerPage = await (await page(`/v/${id}`, owner)).text()
    expect(ownerPage).toContain('Helped 0 colleagues')
    const bad = await form(`/v/${id}/helped`, { csrf: 'wrong', on: '1' }, carolSession)
    expect(bad.status).toBe(403)
  })

  it('merges watched ranges into completion and shows names or only counts by the team setting', async () => {
    const id = await upload('Watched')
    const length = (await s.app.library.db.getVideo(id))?.durationMs ?? 0
    expect(length).toBeGreaterThan(1500)
    const bob = await person('bob')
    const carol = await person('carol')
    const watched = (token: string, ranges: number[][]) =>
      call('POST', `/api/videos/${id}/watched`, token, { ranges, durationMs: 2000 })
    expect(
      (
        await watched(bob.token, [
          [0, 500],
          [400, 1000]
        ])
      ).json
    ).toEqual({ completion: 0.5 })
    expect((await watched(bob.token, [[1000, 1500]])).json).toEqual({ completion: 0.75 })
    expect((await watched(carol.token, [[0, 2000]])).json).toEqual({ completion: 1 })
    // The owner's own watching is not among who watched.
    expect((await watched(s.token, [[0, 2000]])).status).toBe(200)

    expect((await call('GET', `/api/videos/${id}/insights`, bob.token)).status).toBe(403)
    const names = await call('GET', `/api/videos/${id}/insights`, s.token)
    expect(names.status).toBe(200)
    expect(names.json.helped).toBe(0)
    const watchers = names.json.watchers as Json[]
    expect(watchers.map((w) => [w.name, w.completion]).sort()).toEqual(
      [
        [bob.user.name, 0.75],
        [carol.user.name, 1]
      ].sort()
    )
    expect((await call('GET', `/api/videos/${id}/insights`, s.adminToken)).status).toBe(200)
    const ownerSession = await signInWithFetch(s.url, 'alice', 'alice-password')
    let owner = await (await page(`/v/${id}`, ownerSession)).text()
    expect(owner).toContain('Who watched')
    expect(owner).toContain(`<th scope="row">${bob.user.name}</th>`)
    expect(owner).toContain('75%')
    // Others see no one's watching.
    const bobPage = await (await page(`/v/${id}`, await signIn(bob))).text()
    expect(bobPage).not.toContain('Who watched')
    expect(bobPage).not.toContain(carol.user.name)

    // Counts only (the admin CLI), then names again (the admin's profile page).
    const set = await cli(['settings', 'set', 'watchers', 'counts', '--data', s.dataDir], s.dataDir)
    expect(set.code, set.stderr).toBe(0)
    const shown = await cli(['settings', 'show', '--data', s.dataDir], s.dataDir)
    expect(shown.stdout).toMatch(/^watchers counts$/m)
    expect(
      (await cli(['settings', 'set', 'watchers', 'all', '--data', s.dataDir], s.dataDir)).code
    ).toBe(1)
    const counts = await call('GET', `/api/videos/${id}/insights`, s.token)
    expect(counts.json).toEqual({ helped: 0, watched: 2, averageCompletion: 0.875 })
    owner = await (await page(`/v/${id}`, ownerSession)).text()
    expect(owner).toContain('2 people watched, on average 88% of it.')
    expect(owner).not.toContain(bob.user.name)
    expect(owner).not.toContain(carol.user.name)

    const bobSession = await signIn(bob)
    expect(await (await page('/profile', bobSession)).text()).not.toContain('Team settings')
    const notAdmin = await form(
      '/profile/team',
      { csrf: bobSession.csrf, watchers: 'names' },
      bobSession
    )
    expect(notAdmin.status).toBe(403)
    expect((await s.app.library.db.teamSettings()).watchers).toBe('counts')
    const root = await signInWithFetch(s.url, 'root', 'root-password')
    const profile = await (await page('/profile', root)).text()
    expect(profile).toContain('Team settings')
    expect(profile).toMatch(/value="counts"\s+checked/)
    const wrong = await form('/profile/team', { csrf: root.csrf, watchers: 'everything' }, root)
    expect(wrong.status).toBe(400)
    const saved = await form('/profile/team', { csrf: csrfFrom(profile), watchers: 'names' }, root)
    expect(saved.status).toBe(303)
    expect((await s.app.library.db.teamSettings()).watchers).toBe('names')
    expect((await call('GET', `/api/videos/${id}/insights`, s.token)).json).toHaveProperty(
      'watchers'
    )
  })
})

describe('the watch page', () => {
  it('posts a comment with the page’s CSRF token and shows it with its marker; keeps the text when refused', async () => {
    const id = await upload('Page comments')
    const bob = await person('bob')
    const session = await signIn(bob)
    const watch = await (await page(`/v/${id}`, session)).text()
    expect(watch).toContain('<label for="comment-body">Add a comment</label>')
    expect(watch).toContain('Ask as a question')
    const csrf = csrfFrom(watch)

    const posted = await form(
      `/v/${id}/comments`,
      { csrf, body: 'At one second', at: '0:01' },
      session
    )
    expect(posted.status).toBe(303)
    const location = posted.headers.get('location') ?? ''
    expect(location).toMatch(new RegExp(`^/v/${id}\\?t=1#c-[A-Za-z0-9_-]+$`))
    const commentId = location.split('#c-')[1]
    const asked = await form(
      `/v/${id}/comments`,
      { csrf, body: 'Why this?', at: '1', question: '1' },
      session
    )
    expect(asked.status).toBe(303)
    const whole = await form(
      `/v/${id}/comments`,
      { csrf, body: 'About all of it', at: '' },
      session
    )
    expect(whole.headers.get('location')).toMatch(new RegExp(`^/v/${id}#c-`))

    const shown = await (await page(`/v/${id}`, session)).text()
    expect(shown).toContain(`id="c-${commentId}"`)
    // The threads carry what comments.js makes their markers from (moment, kind, author; the
    // browser test checks the markers' names): a comment and a question at 0:01.
    expect(shown).toContain('data-at-ms="1000"\ndata-kind="comment"')
    expect(shown).toContain('data-at-ms="1000"\ndata-kind="question"')
    expect(shown).toContain(`<span class="comment-author">${bob.user.name}</span>`)
    expect(shown).toContain('data-time-ms="1000"\naria-label="Play from 0:01"')
    expect(shown).toContain(
      '<div class="comment-markers" role="group" aria-label="Comments on the timeline" hidden></div>'
    )
    expect(shown).toContain('<span class="badge badge-question">Question</span>')
    expect(shown).toContain('Mark answered')

    // Refused: the text typed comes back with the reason.
    for (const [at, reason] of [
      ['1:75', 'minutes:seconds'],
      ['9:00', 'after the end of the video'],
      ['abc', 'minutes:seconds']
    ] as const) {
      const res = await form(`/v/${id}/comments`, { csrf, body: 'My <b>draft</b>', at }, session)
      expect(res.status).toBe(400)
      const text = await res.text()
      expect(text).toContain(reason)
      expect(text).toContain('My &lt;b&gt;draft&lt;/b&gt;</textarea>')
      expect(text).toContain(`value="${at}"`)
    }
    // The form's address opened again goes to the comments.
    const reopened = await page(`/v/${id}/comments`, session)
    expect(reopened.status).toBe(303)
    expect(reopened.headers.get('location')).toBe(`/v/${id}#comments`)
    const empty = await form(`/v/${id}/comments`, { csrf, body: '   ', at: '0:01' }, session)
    expect(empty.status).toBe(400)
    expect(await empty.text()).toContain('the comment is empty')
    const stale = await form(`/v/${id}/comments`, { csrf: 'nope', body: 'x', at: '' }, session)
    expect(stale.status).toBe(403)
    const tooBig = await form(
      `/v/${id}/comments`,
      { csrf, body: 'x'.repeat(10 * 1024 * 1024), at: '' },
      session
    )
    expect(tooBig.status).toBe(413)
    expect((await threads(id, bob.token)).length).toBe(3)

    // Reply, edit, answered, delete through the page's forms.
    const reply = await form(
      `/v/${id}/comments`,
      { csrf, body: 'A reply', parentId: commentId ?? '' },
      session
    )
    expect(reply.status).toBe(303)
    expect(reply.headers.get('location')).toMatch(new RegExp(`^/v/${id}\\?t=1#c-`))
    const edit = await form(
      `/comments/${commentId}/edit`,
      { csrf, body: 'At 0:01, edited', at: '0:01' },
      session
    )
    expect(edit.status).toBe(303)
    const badEdit = await form(
      `/comments/${commentId}/edit`,
      { csrf, body: 'Edited', at: '1:75' },
      session
    )
    expect(badEdit.status).toBe(400)
    const question = (await threads(id, bob.token)).find((t) => t.comment.question)?.comment
    const answered = await form(
      `/comments/${String(question?.id)}/answered`,
      { csrf, answered: '1' },
      session
    )
    expect(answered.status).toBe(303)
    const other = await person('carol')
    const otherSession = await signIn(other)
    const notYours = await form(
      `/comments/${commentId}/delete`,
      { csrf: otherSession.csrf },
      otherSession
    )
    expect(notYours.status).toBe(403)
    const deleted = await form(`/comments/${commentId}/delete`, { csrf }, session)
    expect(deleted.status).toBe(303)

    const list = await threads(id, bob.token)
    const byId = new Map(list.map((t) => [t.comment.id, t]))
    expect(byId.get(commentId)?.comment).toMatchObject({ deleted: true })
    expect(byId.get(commentId)?.replies.map((r) => r.body)).toEqual(['A reply'])
    expect(byId.get(question?.id)?.comment.answered).toBe(true)
    const final = await (await page(`/v/${id}`, session)).text()
    expect(final).toContain('<span class="badge badge-answered">Answered</span>')
    expect(final).toContain('Mark unanswered')
  })
})
