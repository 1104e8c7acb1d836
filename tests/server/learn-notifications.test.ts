/**
 * Notifications (issue 17) against a real server: the API the desktop app polls (paging with
 * `after`, limits, the words and the exact place of each kind, mark read of one's own only, bad
 * input), the header's unread badge, and the inbox page (newest first, unread marked, viewing
 * changes nothing, opening one marks it read and goes to its place, mark all read, pages, CSRF,
 * escaping). Notifications are made by the data layer as people act (addComment, linkAnswer…).
 */
import { beforeEach, describe, expect, it } from 'vitest'
import type { NewVideo, Video } from '../../server/src/db/types'
import { csrfFrom, postForm, signInWithFetch, type FetchSession } from './helpers-pages/session'
import { serversPerTest, type TestServer } from './support'

const servers = serversPerTest()
let s: TestServer
let seq = 0

async function addVideo(ownerId: number, title: string): Promise<Video> {
  const id = `nvid${String(++seq).padStart(12, '0')}`
  const video: NewVideo = {
    id,
    title,
    description: '',
    ownerId,
    durationMs: 60_000,
    sizeBytes: 1000,
    filename: 'clip.mp4',
    mimeType: 'video/mp4',
    projectId: null,
    callouts: [],
    hasThumbnail: false,
    uploadId: `upload-${id}`,
    storage: 'file'
  }
  return s.app.library.db.insertVideo(video)
}

type Json = Record<string, unknown>
interface NotificationJson {
  id: number
  kind: string
  actorName: string
  title: string
  body: string
  url: string
  createdAt: string
  read: boolean
}

async function api(
  method: string,
  path: string,
  token: string,
  body?: unknown,
  headers: Record<string, string> = {}
): Promise<{ status: number; json: Json; text: string }> {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...headers
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
  })
  const text = await res.text()
  return { status: res.status, json: text ? (JSON.parse(text) as Json) : {}, text }
}

async function list(token: string, query = ''): Promise<NotificationJson[]> {
  const r = await api('GET', `/api/notifications${query}`, token)
  expect(r.status).toBe(200)
  return r.json.notifications as NotificationJson[]
}

/** bob comments on alice's video: one notification for alice. */
async function bobComments(
  video: Video,
  body: string,
  atMs: number | null = null,
  question = false
) {
  return s.app.library.db.addComment({
    videoId: video.id,
    parentId: null,
    authorId: s.other.id,
    atMs,
    body,
    question
  })
}

function page(cookie: string, path: string): Promise<Response> {
  return fetch(`${s.url}${path}`, { headers: { Cookie: cookie }, redirect: 'manual' })
}

/** The header's Inbox link as a screen reader names it: its aria-label, else its text. */
function inboxLinkName(html: string): string {
  const link = /<a href="\/inbox" class="inbox-link"([^>]*)>([\s\S]*?)<\/a\s*>/.exec(html)
  expect(link).not.toBeNull()
  const label = /aria-label="([^"]*)"/.exec(link![1]!)?.[1]
  return (label ?? link![2]!.replace(/<[^>]+>/g, '')).replace(/\s+/g, ' ').trim()
}

beforeEach(async () => {
  s = await servers.start()
})

describe('GET /api/notifications', () => {
  it('answers the newest first with words and the exact moment, and pages with after', async () => {
    const video = await addVideo(s.user.id, 'Close the month')
    const question = await bobComments(video, 'Where is the ledger?', 5000, true)
    const comment = await bobComments(video, 'Nice one', null)
    const third = await bobComments(video, 'At the end', 61_500)

    const r = await api('GET', '/api/notifications', s.token)
    expect(r.status).toBe(200)
    expect(r.json.unread).toBe(3)
    const all = r.json.notifications as NotificationJson[]
    expect(all.map((n) => n.body)).toEqual(['At the end', 'Nice one', 'Where is the ledger?'])
    const [last, plain, asked] = all as [NotificationJson, NotificationJson, NotificationJson]
    expect(asked).toMatchObject({
      kind: 'comment',
      actorName: 'bob',
      title: 'bob asked a question on “Close the month” at 0:05',
      url: `${s.url}/v/${video.id}?t=5#c-${question.id}`,
      read: false
    })
    expect(plain.title).toBe('bob commented on “Close the month”')
    expect(plain.url).toBe(`${s.url}/v/${video.id}#c-${comment.id}`)
    expect(last.url).toBe(`${s.url}/v/${video.id}?t=61.5#c-${third.id}`)
    expect(last.title).toBe('bob commented on “Close the month” at 1:01')
    expect(asked.id).toBeLessThan(plain.id)

    // Polling: only the newer ones.
    expect((await list(s.token, `?after=${asked.id}`)).map((n) => n.id)).toEqual([
      last.id,
      plain.id
    ])
    expect(await list(s.token, `?after=${last.id}`)).toEqual([])
    expect((await list(s.token, '?limit=1')).map((n) => n.id)).toEqual([last.id])
    expect((await list(s.token, '?limit=1000')).length).toBe(3)
    // Others see none of alice's.
    expect(await list(s.otherToken)).toEqual([])
  })

  it('refuses bad paging with 400 naming the parameter', async () => {
    for (const query of ['?after=-1', '?after=abc', '?after=1.5', '?limit=0', '?limit=1e3']) {
      const r = await api('GET', `/api/notifications${query}`, s.token)
      expect(r.status, query).toBe(400)
      expect(String(r.json.error)).toMatch(query.includes('after') ? /after/ : /limit/)
    }
    expect((await api('DELETE', '/api/notifications', s.token)).status).toBe(405)
    expect((await fetch(`${s.url}/api/notifications`)).status).toBe(401)
  })

  it('links each kind to its place: request, answer, reply, answered, solved, helped', async () => {
    const db = s.app.library.db
    const aliceVideo = await addVideo(s.user.id, 'How to reconcile')
    const request = await db.createRequest({
      title: 'How do I reconcile invoices?',
      details: '',
      tags: [],
      askerId: s.other.id
    })
    await db.setWanted(request.id, s.admin.id, true)
    await db.linkAnswer(request.id, aliceVideo.id, s.user.id)
    await db.markSolved(request.id, aliceVideo.id, s.other.id)
    const question = await bobComments(aliceVideo, 'Which column?', 12_000, true)
    const reply = await db.addComment({
      videoId: aliceVideo.id,
      parentId: question.id,
      authorId: s.user.id,
      atMs: null,
      body: 'The third one',
      question: false
    })
    await db.setAnswered(question.id, true, s.user.id)
    await db.toggleReaction(aliceVideo.id, s.other.id, 'helped', null, true)

    const bob = await list(s.otherToken)
    const byKind = (ns: NotificationJson[], kind: string) => ns.find((n) => n.kind === kind)
    expect(byKind(bob, 'answer')).toMatchObject({
      title: 'alice answered your request “How do I reconcile invoices?”',
      body: 'How to reconcile',
      url: `${s.url}/v/${aliceVideo.id}`
    })
    expect(byKind(bob, 'reply')).toMatchObject({
      title: 'alice replied on “How to reconcile” at 0:12',
      url: `${s.url}/v/${aliceVideo.id}?t=12#c-${reply.id}`
    })
    expect(byKind(bob, 'answered')).toMatchObject({
      title: 'alice marked your question on “How to reconcile” answered',
      url: `${s.url}/v/${aliceVideo.id}?t=12#c-${question.id}`
    })

    const root = await list(s.adminToken)
    expect(byKind(root, 'answer')?.title).toBe(
      'alice answered a request you want “How do I reconcile invoices?”'
    )
    expect(byKind(root, 'solved')).toMatchObject({
      title: 'bob marked “How do I reconcile invoices?” solved',
      url: `${s.url}/r/${request.id}`
    })

    const alice = await list(s.token)
    expect(byKind(alice, 'helped')).toMatchObject({
      title: 'bob says “How to reconcile” helped',
      url: `${s.url}/v/${aliceVideo.id}`
    })
  })
})

describe('POST /api/notifications/read', () => {
  it('marks only the caller’s own ids, or all of them without ids', async () => {
    const db = s.app.library.db
    const aliceVideo = await addVideo(s.user.id, 'A')
    const bobVideo = await addVideo(s.other.id, 'B')
    await bobComments(aliceVideo, 'one')
    await bobComments(aliceVideo, 'two')
    const aliceComment = await db.addComment({
      videoId: bobVideo.id,
      parentId: null,
      authorId: s.user.id,
      atMs: null,
      body: 'for bob',
      question: false
    })
    expect(aliceComment.id).toBeTruthy()
    const [bobs] = await list(s.otherToken)
    const [newest, oldest] = await list(s.token)

    // alice names bob's notification: ignored.
    let r = await api('POST', '/api/notifications/read', s.token, { ids: [bobs!.id] })
    expect(r.status).toBe(200)
    expect(r.json).toEqual({ unread: 2 })
    expect(await db.unreadCount(s.other.id)).toBe(1)

    r = await api('POST', '/api/notifications/read', s.token, { ids: [oldest!.id] })
    expect(r.json).toEqual({ unread: 1 })
    const after = await list(s.token)
    expect(after.find((n) => n.id === oldest!.id)?.read).toBe(true)
    expect(after.find((n) => n.id === newest!.id)?.read).toBe(false)

    r = await api('POST', '/api/notifications/read', s.token, {})
    expect(r.json).toEqual({ unread: 0 })
    expect(await db.unreadCount(s.other.id)).toBe(1)
    expect((await api('POST', '/api/notifications/read', s.token, { ids: [] })).json).toEqual({
      unread: 0
    })
  })

  it('refuses wrong types, unknown fields, bad JSON and a session without its CSRF token', async () => {
    for (const body of [
      { ids: '1' },
      { ids: [1.5] },
      { ids: [-1] },
      { ids: ['1'] },
      { ids: [1], all: true },
      [1],
      { ids: Array.from({ length: 501 }, (_, i) => i + 1) }
    ]) {
      const r = await api('POST', '/api/notifications/read', s.token, body)
      expect(r.status, JSON.stringify(body).slice(0, 60)).toBe(400)
    }
    expect((await api('POST', '/api/notifications/read', s.token, '{"ids": [1')).status).toBe(400)
    const session = await signInWithFetch(s.url, 'alice', 'alice-password')
    const noCsrf = await fetch(`${s.url}/api/notifications/read`, {
      method: 'POST',
      headers: { Cookie: session.cookie, 'Content-Type': 'application/json' },
      body: '{}'
    })
    expect(noCsrf.status).toBe(403)
    const withCsrf = await fetch(`${s.url}/api/notifications/read`, {
      method: 'POST',
      headers: {
        Cookie: session.cookie,
        'Content-Type': 'application/json',
        'x-csrf-token': session.csrf
      },
      body: '{}'
    })
    expect(withCsrf.status).toBe(200)
  })
})

describe('the header and the inbox page', () => {
  let alice: FetchSession

  beforeEach(async () => {
    alice = await signInWithFetch(s.url, 'alice', 'alice-password')
  })

  it('shows the unread count in the header’s Inbox link, and no badge at 0', async () => {
    const home = await (await page(alice.cookie, '/')).text()
    expect(inboxLinkName(home)).toBe('Inbox')
    expect(home).not.toContain('inbox-badge')
    expect(home).toContain('href="/requests"')
    expect(home).toContain('href="/collections"')

    const video = await addVideo(s.user.id, 'Badge')
    for (const body of ['a', 'b', 'c']) await bobComments(video, body)
    const again = await (await page(alice.cookie, '/')).text()
    expect(inboxLinkName(again)).toBe('Inbox, 3 unread')
    expect(again).toMatch(/<span class="inbox-badge" aria-hidden="true">3<\/span\s*>/)
  })

  it('lists newest first with unread marked; viewing changes nothing; opening marks read', async () => {
    const db = s.app.library.db
    const video = await addVideo(s.user.id, 'Inbox video')
    const first = await bobComments(video, 'First question', 5000, true)
    await bobComments(video, 'Second comment')
    const res = await page(alice.cookie, '/inbox')
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html.indexOf('Second comment')).toBeLessThan(html.indexOf('First question'))
    expect(html.match(/class="inbox-item inbox-unread"/g)?.length).toBe(2)
    expect(html).toContain('bob asked a question on “Inbox video” at 0:05')
    expect(await db.unreadCount(s.user.id)).toBe(2)

    const [, older] = await db.notificationsOf(s.user.id)
    expect(html).toContain(`action="/inbox/${older!.id}/open"`)
    const opened = await postForm(
      s.url,
      `/inbox/${older!.id}/open`,
      { csrf: csrfFrom(html) },
      { Cookie: alice.cookie, Origin: s.url }
    )
    expect(opened.status).toBe(303)
    expect(opened.headers.get('location')).toBe(`/v/${video.id}?t=5#c-${first.id}`)
    expect(await db.unreadCount(s.user.id)).toBe(1)
    const later = await (await page(alice.cookie, '/inbox')).text()
    expect(later.match(/class="inbox-item inbox-unread"/g)?.length).toBe(1)
    expect(inboxLinkName(later)).toBe('Inbox, 1 unread')
  })

  it('opening someone else’s notification is 404 and marks nothing; a POST needs the CSRF token', async () => {
    const db = s.app.library.db
    const bobVideo = await addVideo(s.other.id, 'Bob’s')
    await db.addComment({
      videoId: bobVideo.id,
      parentId: null,
      authorId: s.user.id,
      atMs: null,
      body: 'hi bob',
      question: false
    })
    const [bobs] = await db.notificationsOf(s.other.id)
    const res = await postForm(
      s.url,
      `/inbox/${bobs!.id}/open`,
      { csrf: alice.csrf },
      { Cookie: alice.cookie, Origin: s.url }
    )
    expect(res.status).toBe(404)
    expect(await db.unreadCount(s.other.id)).toBe(1)

    const aliceVideo = await addVideo(s.user.id, 'Mine')
    await bobComments(aliceVideo, 'x')
    const [mine] = await db.notificationsOf(s.user.id)
    const stale = await postForm(
      s.url,
      `/inbox/${mine!.id}/open`,
      { csrf: 'wrong' },
      { Cookie: alice.cookie, Origin: s.url }
    )
    expect(stale.status).toBe(403)
    const foreign = await postForm(
      s.url,
      '/inbox/read',
      { csrf: alice.csrf },
      { Cookie: alice.cookie, Origin: 'https://evil.example' }
    )
    expect(foreign.status).toBe(403)
    expect(await db.unreadCount(s.user.id)).toBe(1)
    // GET does not open (nor mark) anything.
    expect((await page(alice.cookie, `/inbox/${mine!.id}/open`)).status).toBe(405)
    expect(await db.unreadCount(s.user.id)).toBe(1)
  })

  it('"Mark all read" marks the viewer’s own, and the inbox pages by 30', async () => {
    const db = s.app.library.db
    const video = await addVideo(s.user.id, 'Many')
    for (let i = 0; i < 35; i++) await bobComments(video, `comment number ${i}`)
    const bobVideo = await addVideo(s.other.id, 'Bob')
    await db.addComment({
      videoId: bobVideo.id,
      parentId: null,
      authorId: s.user.id,
      atMs: null,
      body: 'to bob',
      question: false
    })

    const first = await (await page(alice.cookie, '/inbox')).text()
    expect(first.match(/class="inbox-item/g)?.length).toBe(30)
    expect(first).toContain('comment number 34')
    expect(first).not.toContain('comment number 4<')
    expect(first).toContain('href="/inbox?page=2"')
    const second = await (await page(alice.cookie, '/inbox?page=2')).text()
    expect(second.match(/class="inbox-item/g)?.length).toBe(5)
    expect(second).toContain('comment number 0')
    expect(second).not.toContain('href="/inbox?page=3"')
    // A page number that is not one reads as the first page.
    expect((await page(alice.cookie, '/inbox?page=abc')).status).toBe(200)

    const res = await postForm(
      s.url,
      '/inbox/read',
      { csrf: csrfFrom(first) },
      { Cookie: alice.cookie, Origin: s.url }
    )
    expect(res.status).toBe(303)
    expect(await db.unreadCount(s.user.id)).toBe(0)
    expect(await db.unreadCount(s.other.id)).toBe(1)
    const after = await (await page(alice.cookie, '/inbox?read=1')).text()
    expect(after).toContain('All notifications are marked read.')
    expect(after).not.toContain('inbox-unread')
    expect(after).not.toContain('inbox-badge')
  })

  it('escapes what people wrote and named', async () => {
    const video = await addVideo(s.user.id, `Title "><img src=x onerror=alert(1)>`)
    await bobComments(video, `<script>alert("x")</script> & 'quotes' NEAR( "* \u0007`)
    const html = await (await page(alice.cookie, '/inbox')).text()
    expect(html).not.toContain('<script>alert')
    expect(html).not.toContain('<img src=x')
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;')
    const api = await fetch(`${s.url}/api/notifications`, {
      headers: { Authorization: `Bearer ${s.token}` }
    }).then((r) => r.text())
    expect(api).not.toContain('<script>')
    expect(api).toContain('\\u003cscript\\u003e')
  })

  it('the inbox needs a session', async () => {
    const res = await fetch(`${s.url}/inbox`, { redirect: 'manual' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/signin?next=%2Finbox')
  })
})
