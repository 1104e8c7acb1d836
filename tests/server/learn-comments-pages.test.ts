/**
 * The watch page's comments stay light with many comments, and Reply, Edit and Delete work
 * without script (docs/learning-together.md): the page carries one shared reply form, one edit
 * form and one delete confirmation (comments.js moves them in place) and one form with the CSRF
 * token for every "Mark answered" button, never one per thread or comment; Reply, Edit and
 * Delete are links to small pages of their own (GET /comments/:id/reply, /edit, /delete) holding
 * the form, which posts to the same routes as before; a refused reply or edit comes back on that
 * page with what was typed and why. The rights are the API's: edit the author's, delete the
 * author's, the video owner's or an admin's, and a comment on a video the viewer may not watch is
 * "not found".
 */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { User } from '../../server/src/db/types'
import { formatDate, timeTag } from '../../server/src/pages/format'
import { csrfFrom, postForm, signInWithFetch, type FetchSession } from './helpers-pages/session'
import { createUpload, makeVideo, startServer, tempDir, type TestServer } from './support'

let s: TestServer
let original: Buffer

interface Person {
  user: User
  password: string
}

let made = 0
async function person(prefix: string): Promise<Person> {
  const name = `${prefix}${++made}`
  const password = `${name}-password`
  return { user: await s.app.library.db.createUser(name, password, false), password }
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

async function addComment(
  videoId: string,
  author: User,
  body: string,
  extra: { atMs?: number | null; parentId?: string; question?: boolean } = {}
): Promise<string> {
  return (
    await s.app.library.db.addComment({
      videoId,
      parentId: extra.parentId ?? null,
      authorId: author.id,
      atMs: extra.atMs ?? null,
      body,
      question: extra.question ?? false
    })
  ).id
}

async function get(pathname: string, session: FetchSession | null): Promise<Response> {
  return fetch(`${s.url}${pathname}`, {
    headers: session ? { Cookie: session.cookie } : {},
    redirect: 'manual'
  })
}

function form(pathname: string, fields: Record<string, string>, session: FetchSession) {
  return postForm(s.url, pathname, fields, { Cookie: session.cookie, Origin: s.url })
}

function count(text: string, part: string): number {
  return text.split(part).length - 1
}

beforeAll(async () => {
  original = await makeVideo(path.join(tempDir('learn-comments-pages'), 'clip.mp4'))
  s = await startServer()
})

afterAll(async () => {
  await s?.close()
})

describe('the watch page with many comments', () => {
  it('carries one reply form, one edit form and one delete confirmation, however many comments', async () => {
    const id = await upload('Many comments')
    const bob = await person('bob')
    const carol = await person('carol')
    const threads: string[] = []
    for (let i = 0; i < 40; i++) {
      threads.push(
        await addComment(id, i % 2 ? bob.user : carol.user, `Comment ${i}`, {
          atMs: i * 40,
          question: i % 5 === 0
        })
      )
    }
    for (let i = 0; i < 40; i++) {
      await addComment(id, i % 2 ? carol.user : bob.user, `Reply ${i}`, { parentId: threads[i] })
    }
    const session = await signInWithFetch(s.url, bob.user.name, bob.password)
    const watch = await (await get(`/v/${id}`, session)).text()
    expect(count(watch, 'class="comment-thread"')).toBe(40)
    // The session's CSRF token: the page's own forms (sign out, the new comment, "This helped"),
    // the data attributes for the script, the shared forms — not once per thread or comment.
    expect(count(watch, session.csrf)).toBeLessThanOrEqual(12)
    expect(count(watch, 'name="parentId"')).toBe(1)
    expect(count(watch, '<textarea')).toBe(3)
    expect(count(watch, 'id="comment-reply-body"')).toBe(1)
    expect(count(watch, 'id="comment-edit-body"')).toBe(1)
    expect(count(watch, 'class="comment-inline-form comment-delete-form"')).toBe(1)
    // The shared forms are hidden until comments.js opens one in place.
    expect(watch).toMatch(/<div class="comment-shared" hidden>\s*<form[^>]*comment-reply-form/)

    // One Reply link per thread, to its page, naming whom it answers.
    expect(count(watch, '>Reply<span class="visually-hidden"> to ')).toBe(40)
    expect(watch).toContain(
      `<a class="btn btn-small" href="/comments/${threads[0]}/reply"\n>Reply<span class="visually-hidden"> to ${carol.user.name}</span></a`
    )
    // Edit: bob's own 40 comments only; Delete: bob's own (not carol's: bob is no owner).
    expect(count(watch, '/edit">Edit<span')).toBe(40)
    expect(count(watch, '/delete">Delete<span')).toBe(40)
    expect(watch).toContain(`href="/comments/${threads[1]}/edit"`)
    expect(watch).not.toContain(`href="/comments/${threads[0]}/edit"`)
    expect(watch).toContain(`href="/comments/${threads[1]}/delete"`)
    expect(watch).not.toContain(`href="/comments/${threads[0]}/delete"`)
    // "Mark answered" on bob's questions (who asked): buttons of the one shared form.
    expect(watch).toMatch(
      new RegExp(
        `<form id="comment-act" method="post" hidden>\\s*<input type="hidden" name="csrf" value="${session.csrf}" />\\s*</form>`
      )
    )
    expect(watch).toContain(`form="comment-act"\nformaction="/comments/${threads[5]}/answered"`)
    expect(watch).not.toContain(`formaction="/comments/${threads[0]}/answered"`)
    // No indentation runs: a line break is never followed by spaces inside the list.
    const list = watch.slice(
      watch.indexOf('<ol class="comment-threads">'),
      watch.indexOf('<form id="comment-act"')
    )
    expect(list.length).toBeGreaterThan(1000)
    expect(list).not.toMatch(/\n[ \t]+</)

    // The owner may delete every comment and sees one Delete per live comment.
    const owner = await signInWithFetch(s.url, 'alice', 'alice-password')
    const ownerWatch = await (await get(`/v/${id}`, owner)).text()
    expect(count(ownerWatch, '/delete">Delete<span')).toBe(80)
    expect(count(ownerWatch, '/edit">Edit<span')).toBe(0)
    expect(count(ownerWatch, owner.csrf)).toBeLessThanOrEqual(12)

    // "Mark answered" through the shared form: the button's name and value and the form's token.
    const marked = await form(
      `/comments/${threads[5]}/answered`,
      { csrf: csrfFrom(watch), answered: '1' },
      session
    )
    expect(marked.status).toBe(303)
    expect((await s.app.library.db.getComment(threads[5] ?? ''))?.answered).toBe(true)
  })
})

describe('reply, edit and delete without script', () => {
  it('replies on the reply page, to the thread of a reply too; keeps a refused reply', async () => {
    const id = await upload('Reply page')
    const bob = await person('bob')
    const carol = await person('carol')
    const first = await addComment(id, carol.user, 'Why <b>this</b> number?', { atMs: 1500 })
    const inThread = await addComment(id, bob.user, 'Good question', { parentId: first })
    const session = await signInWithFetch(s.url, bob.user.name, bob.password)

    for (const from of [first, inThread]) {
      const res = await get(`/comments/${from}/reply`, session)
      expect(res.status).toBe(200)
      const text = await res.text()
      expect(text).toContain(`<h1>Reply to ${carol.user.name}</h1>`)
      // The thread's first comment, escaped, and the form for it.
      expect(text).toContain('Why &lt;b&gt;this&lt;/b&gt; number?')
      expect(text).toContain(`action="/v/${id}/comments"`)
      expect(text).toContain(`name="parentId" value="${first}"`)
      expect(text).toContain('<label for="reply-body">Your reply</label>')
      expect(text).toContain(`href="/v/${id}?t=1#c-${first}"`)
    }
    const page = await (await get(`/comments/${first}/reply`, session)).text()
    const posted = await form(
      `/v/${id}/comments`,
      { csrf: csrfFrom(page), parentId: first, body: 'From the ledger' },
      session
    )
    expect(posted.status).toBe(303)
    expect(posted.headers.get('location')).toMatch(new RegExp(`^/v/${id}\\?t=1#c-`))
    const thread = (await s.app.library.db.commentsOf(id))[0]
    expect(thread?.replies.map((r) => r.body)).toEqual(['Good question', 'From the ledger'])

    // Refused (empty, too long): the reply page again with the text and the reason.
    const empty = await form(
      `/v/${id}/comments`,
      { csrf: session.csrf, parentId: first, body: ' \u0007 ' },
      session
    )
    expect(empty.status).toBe(400)
    const emptyText = await empty.text()
    expect(emptyText).toContain('the comment is empty')
    expect(emptyText).toContain(`name="parentId" value="${first}"`)
    const long = await form(
      `/v/${id}/comments`,
      { csrf: session.csrf, parentId: first, body: `<script>alert(1)</script>${'x'.repeat(6000)}` },
      session
    )
    expect(long.status).toBe(400)
    const longText = await long.text()
    expect(longText).toContain('role="alert"')
    expect(longText).toContain('&lt;script&gt;alert(1)&lt;/script&gt;xxx')
    expect(longText).not.toContain('<script>alert(1)')
    expect(longText).toContain('<h1>Reply to')
    expect((await s.app.library.db.commentsOf(id))[0]?.replies.length).toBe(2)
  })

  it('edits on the edit page, the author only; keeps a refused edit', async () => {
    const id = await upload('Edit page')
    const bob = await person('bob')
    const carol = await person('carol')
    const first = await addComment(id, bob.user, 'Step "3" & <i>4</i>', { atMs: 1200 })
    const reply = await addComment(id, bob.user, 'A reply of mine', { parentId: first })
    const bobSession = await signInWithFetch(s.url, bob.user.name, bob.password)
    const page = await get(`/comments/${first}/edit`, bobSession)
    expect(page.status).toBe(200)
    const text = await page.text()
    expect(text).toContain('<h1>Edit your comment</h1>')
    expect(text).toContain(`action="/comments/${first}/edit"`)
    expect(text).toContain('Step &quot;3&quot; &amp; &lt;i&gt;4&lt;/i&gt;</textarea')
    expect(text).toContain('<label for="edit-at">')
    expect(text).toContain('value="0:01"')
    // A reply has no moment of its own.
    const replyPage = await (await get(`/comments/${reply}/edit`, bobSession)).text()
    expect(replyPage).toContain('A reply of mine</textarea')
    expect(replyPage).not.toContain('name="at"')

    const saved = await form(
      `/comments/${first}/edit`,
      { csrf: csrfFrom(text), body: 'Step 3 and 4', at: '0:02' },
      bobSession
    )
    expect(saved.status).toBe(303)
    expect(await s.app.library.db.getComment(first)).toMatchObject({
      body: 'Step 3 and 4',
      atMs: 2000
    })

    const refused = await form(
      `/comments/${first}/edit`,
      { csrf: bobSession.csrf, body: 'Moved <b>late</b>', at: '1:75' },
      bobSession
    )
    expect(refused.status).toBe(400)
    const refusedText = await refused.text()
    expect(refusedText).toContain('minutes:seconds')
    expect(refusedText).toContain('Moved &lt;b&gt;late&lt;/b&gt;</textarea')
    expect(refusedText).toContain('value="1:75"')
    expect(refusedText).toContain('<h1>Edit your comment</h1>')
    expect((await s.app.library.db.getComment(first))?.body).toBe('Step 3 and 4')

    // Not the author: not another member, not the video's owner.
    const carolSession = await signInWithFetch(s.url, carol.user.name, carol.password)
    expect((await get(`/comments/${first}/edit`, carolSession)).status).toBe(403)
    const owner = await signInWithFetch(s.url, 'alice', 'alice-password')
    expect((await get(`/comments/${first}/edit`, owner)).status).toBe(403)
  })

  it('confirms a delete on its own page for the author, the video’s owner, nobody else', async () => {
    const id = await upload('Delete page')
    const bob = await person('bob')
    const carol = await person('carol')
    const first = await addComment(id, bob.user, 'To be deleted', { atMs: 500 })
    const carolSession = await signInWithFetch(s.url, carol.user.name, carol.password)
    expect((await get(`/comments/${first}/delete`, carolSession)).status).toBe(403)
    const owner = await signInWithFetch(s.url, 'alice', 'alice-password')
    expect((await get(`/comments/${first}/delete`, owner)).status).toBe(200)
    const bobSession = await signInWithFetch(s.url, bob.user.name, bob.password)
    const page = await get(`/comments/${first}/delete`, bobSession)
    expect(page.status).toBe(200)
    const text = await page.text()
    expect(text).toContain('<h1>Delete this comment?</h1>')
    expect(text).toContain('To be deleted')
    expect(text).toContain(`action="/comments/${first}/delete"`)
    expect(text).toContain('>Delete comment</button>')
    const deleted = await form(`/comments/${first}/delete`, { csrf: csrfFrom(text) }, bobSession)
    expect(deleted.status).toBe(303)
    expect(await s.app.library.db.commentsOf(id)).toEqual([])
    // Gone: its pages are "not found".
    for (const kind of ['delete', 'edit', 'reply']) {
      expect((await get(`/comments/${first}/${kind}`, bobSession)).status).toBe(404)
    }
  })

  it('answers "not found" for unknown ids, hostile ids and videos the viewer may not watch; asks to sign in', async () => {
    const waiting = await upload('Waiting', { editsFollow: '1' })
    const mine = await addComment(waiting, s.user, 'Note to self', { atMs: 100 })
    const bob = await person('bob')
    const session = await signInWithFetch(s.url, bob.user.name, bob.password)
    for (const kind of ['reply', 'edit', 'delete']) {
      for (const commentId of [
        mine,
        'nosuchcomment123',
        encodeURIComponent('"><script>alert(1)</script>'),
        encodeURIComponent("' OR 1=1 --"),
        encodeURIComponent('"* NEAR('),
        'x'.repeat(5000)
      ]) {
        const res = await get(`/comments/${commentId}/${kind}`, session)
        // 404, or 400 from the router for an encoded slash in the path: never the page.
        expect([400, 404], `${kind} ${commentId.slice(0, 40)}`).toContain(res.status)
        const text = await res.text()
        expect(text).not.toContain('Note to self')
        expect(text).not.toContain('<script>alert(1)')
      }
    }
    // The owner sees her own comment's pages.
    const owner = await signInWithFetch(s.url, 'alice', 'alice-password')
    expect((await get(`/comments/${mine}/edit`, owner)).status).toBe(200)
    // Without a session: to sign in, and back.
    const anonymous = await get(`/comments/${mine}/reply`, null)
    expect(anonymous.status).toBe(303)
    expect(anonymous.headers.get('location')).toBe(
      `/signin?next=${encodeURIComponent(`/comments/${mine}/reply`)}`
    )
  })
})

describe('timeTag with its cache of formatted days', () => {
  it('writes the UTC day of any stamp, the same again from the cache, and keeps what is no date', () => {
    expect(timeTag('2026-12-03T10:20:35.313Z').value).toBe(
      '<time datetime="2026-12-03T10:20:35.313Z">3 Dec 2026</time>'
    )
    // The same day again (from the cache), and the next day.
    expect(timeTag('2026-12-03T23:59:59.999Z').value).toBe(
      '<time datetime="2026-12-03T23:59:59.999Z">3 Dec 2026</time>'
    )
    expect(timeTag('2026-12-04T00:00:00.000Z').value).toBe(
      '<time datetime="2026-12-04T00:00:00.000Z">4 Dec 2026</time>'
    )
    // Not in toISOString's form: parsed, and the day is UTC's (not the cached day of its text).
    expect(timeTag('2026-12-03T23:30:00-02:00').value).toBe(
      '<time datetime="2026-12-04T01:30:00.000Z">4 Dec 2026</time>'
    )
    expect(timeTag('2026-12-03').value).toBe(
      '<time datetime="2026-12-03T00:00:00.000Z">3 Dec 2026</time>'
    )
    expect(timeTag('2026-13-45T10:20:35.313Z').value).toBe('2026-13-45T10:20:35.313Z')
    expect(timeTag('<b>never</b>').value).toBe('&lt;b&gt;never&lt;/b&gt;')
    expect(timeTag(null).value).toBe('')
    expect(formatDate('2026-12-03T10:20:35.313Z')).toBe('3 Dec 2026')
    expect(formatDate('nonsense')).toBe('nonsense')
  })
})
