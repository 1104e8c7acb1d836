/**
 * Walkthrough requests in the pages against a real server (issue 17), with plain fetch and the
 * CSRF token read from each page's own form: the empty states, asking (errors name the field and
 * keep what was typed, a form without the token or from another origin is refused), escaping of
 * HTML in every field and links in the details (only http/https, quotes escaped), the list's
 * tabs, tag filter, search and pages, "Me too", linking one's own video and "This solved it"
 * (shown on the watch page), unlinking, edit and delete for the asker only, the home page's
 * "Open requests" section and search matches, and the posting limit.
 */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REQUEST_POST_LIMIT } from '../../server/src/api/requests'
import { REQUESTS_PAGE_SIZE } from '../../server/src/pages/learn/requests-view'
import { csrfFrom, postForm, signInWithFetch, type FetchSession } from './helpers-pages/session'
import { createUpload, makeVideo, startServer, tempDir, waitFor, type TestServer } from './support'

let s: TestServer
let clip: Buffer
let alice: FetchSession
let bob: FetchSession

async function page(
  who: FetchSession,
  pathname: string
): Promise<{ status: number; text: string }> {
  const res = await fetch(`${s.url}${pathname}`, {
    headers: { Cookie: who.cookie },
    redirect: 'manual'
  })
  return { status: res.status, text: await res.text() }
}

/** POSTs a form with the CSRF token read from `formPage` (the page the form is on). */
async function submit(
  who: FetchSession,
  formPage: string,
  action: string,
  fields: Record<string, string>
): Promise<Response> {
  const shown = await page(who, formPage)
  expect(shown.status, formPage).toBe(200)
  return postForm(
    s.url,
    action,
    { csrf: csrfFrom(shown.text), ...fields },
    { Cookie: who.cookie, Origin: s.url }
  )
}

/** Asks through the form; the new request's id. */
async function askForm(who: FetchSession, fields: Record<string, string>): Promise<string> {
  const res = await submit(who, '/requests/new', '/requests/new', fields)
  expect(res.status, await res.clone().text()).toBe(303)
  const location = res.headers.get('location') ?? ''
  const match = /^\/r\/([A-Za-z0-9_-]+)\?done=asked$/.exec(location)
  expect(match, location).not.toBeNull()
  return match?.[1] as string
}

async function upload(title: string, token = s.token): Promise<string> {
  const { res } = await createUpload(s, clip.length, { filename: 'clip.mp4', title }, token, clip)
  expect(res.status, res.text).toBe(201)
  const id = String(res.headers['sidecast-video-id'] ?? '')
  await waitFor('the video in the library', async () => s.app.library.db.getVideo(id))
  return id
}

/** The page's text between `<main` and `</main>`. */
function main(html: string): string {
  return html.slice(html.indexOf('<main'), html.indexOf('</main>'))
}

beforeAll(async () => {
  clip = await makeVideo(path.join(tempDir('learn-requests-pages'), 'clip.mp4'))
  s = await startServer()
  alice = await signInWithFetch(s.url, 'alice', 'alice-password')
  bob = await signInWithFetch(s.url, 'bob', 'bob-password')
})

afterAll(async () => {
  await s?.close()
})

describe('before anyone asked', () => {
  it('says what to do: the list invites a request, the home page has a small link', async () => {
    const list = await page(alice, '/requests')
    expect(list.status).toBe(200)
    expect(list.text).toContain('No open requests')
    expect(list.text).toContain('href="/requests/new"')
    const solved = await page(alice, '/requests?state=solved')
    expect(solved.text).toContain('Nothing solved yet')
    const home = await page(alice, '/')
    expect(home.text).toContain('class="home-requests-empty"')
    expect(home.text).toContain('Ask for a walkthrough')
    expect(home.text).not.toContain('Open requests')
  })

  it('sends the signed-out to sign in', async () => {
    const res = await fetch(`${s.url}/requests/new`, { redirect: 'manual' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/signin?next=%2Frequests%2Fnew')
  })
})

describe('asking', () => {
  it('has a labelled form; a missing title is refused naming it, keeping what was typed', async () => {
    const form = await page(bob, '/requests/new')
    expect(form.text).toContain('<label for="request-title">Title</label>')
    expect(form.text).toContain('<label for="request-details">Details (optional)</label>')
    expect(form.text).toContain('<label for="request-tags">Tags (optional)</label>')
    expect(form.text).toContain('Comma or space separated')
    const res = await submit(bob, '/requests/new', '/requests/new', {
      title: '   ',
      details: 'Kept <details> & all',
      tags: 'kept-tag'
    })
    expect(res.status).toBe(400)
    const text = await res.text()
    expect(text).toContain('role="alert"')
    expect(text).toMatch(/The title is required/)
    expect(text).toContain('Kept &lt;details&gt; &amp; all</textarea')
    expect(text).toContain('value="kept-tag"')
    expect(text).toMatch(/id="request-title"[^>]*aria-invalid="true"/)
  })

  it('refuses a bad tag or an overlong title naming the field and its limit', async () => {
    const tags = await submit(bob, '/requests/new', '/requests/new', {
      title: 'Fine title',
      tags: 'good <script>alert(1)</script>'
    })
    expect(tags.status).toBe(400)
    const text = await tags.text()
    expect(text).toMatch(/Tags: /)
    expect(text).not.toContain('<script>alert(1)</script>')
    expect(text).toContain('value="good &lt;script&gt;alert(1)&lt;/script&gt;"')
    expect(text).toContain('value="Fine title"')
    const long = await submit(bob, '/requests/new', '/requests/new', { title: 'x'.repeat(201) })
    expect(long.status).toBe(400)
    expect(await long.text()).toContain('The title can be at most 200 characters.')
  })

  it('refuses a form without the CSRF token or from another origin', async () => {
    const before = await s.app.library.db.countRequests()
    const noToken = await postForm(
      s.url,
      '/requests/new',
      { title: 'Forged' },
      { Cookie: bob.cookie, Origin: s.url }
    )
    expect(noToken.status).toBe(403)
    const otherOrigin = await postForm(
      s.url,
      '/requests/new',
      { title: 'Forged', csrf: bob.csrf },
      { Cookie: bob.cookie, Origin: 'https://evil.test' }
    )
    expect(otherOrigin.status).toBe(403)
    expect(await s.app.library.db.countRequests()).toBe(before)
  })

  it('posts it and shows it with HTML escaped, its links safe, its tags as links', async () => {
    const id = await askForm(bob, {
      title: 'Reconcile <script>alert(1)</script> "invoices"',
      details:
        'Tried the wiki: https://wiki.test/Finance_(howto)).\n' +
        'Not this: javascript:alert(1) nor <img src=x onerror=alert(2)>\n\n' +
        `Quote: https://x.test/a"onmouseover="alert(3)`,
      tags: '#Finance, invoices <b>'.replace(' <b>', '')
    })
    const shown = await page(bob, `/r/${id}?done=asked`)
    expect(shown.status).toBe(200)
    const body = main(shown.text)
    expect(body).toContain('Your request is posted.')
    expect(body).toContain('Reconcile &lt;script&gt;alert(1)&lt;/script&gt; &quot;invoices&quot;')
    expect(shown.text).not.toContain('<script>alert(1)')
    expect(body).not.toContain('<img src=x')
    expect(body).not.toMatch(/href="javascript:/i)
    expect(body).toContain(
      '<a href="https://wiki.test/Finance_(howto)" rel="noopener noreferrer nofollow" target="_blank">https://wiki.test/Finance_(howto)</a>).'
    )
    expect(body).toContain('href="https://x.test/a%22onmouseover=%22alert(3)"')
    expect(body).not.toMatch(/"onmouseover=/)
    expect(body).toContain('href="/requests?tag=finance"')
    expect(body).toContain('href="/requests?tag=invoices"')
    expect(body).toContain(
      'Answer it from the Sidecast app: <strong>Requests › Record an answer</strong>'
    )
    // The asker: no "Me too" button, Edit and Delete.
    expect(body).toContain('You asked for this · 1 wants this')
    expect(body).toContain(`href="/r/${id}/edit"`)
    expect(body).toContain(`href="/r/${id}/delete"`)
    // Someone else: "Me too", no Edit or Delete.
    const other = main((await page(alice, `/r/${id}`)).text)
    expect(other).toContain('aria-pressed="false"')
    expect(other).toContain('Me too')
    expect(other).not.toContain(`/r/${id}/edit`)
    expect(other).not.toContain(`/r/${id}/delete`)
  })

  it('answers 404 for an unknown request', async () => {
    for (const id of ['nosuchrequest1', '%3Cscript%3E', 'x%27--']) {
      const res = await page(alice, `/r/${id}`)
      expect(res.status, id).toBe(404)
      expect(res.text).toContain('Request not found')
    }
  })
})

describe('Me too, answers, This solved it', () => {
  it('counts Me too, links a video of one’s own, shows it on the watch page, and lets the asker mark it solved', async () => {
    const id = await askForm(bob, { title: 'How do I close the month?' })
    const base = `/r/${id}`
    // Me too from alice.
    const want = await submit(alice, base, `${base}/want`, { want: '1' })
    expect(want.status).toBe(303)
    let view = main((await page(alice, base)).text)
    expect(view).toContain('aria-pressed="true"')
    expect(view).toContain('2 want this')
    expect(view).toContain('name="want" value="0"')

    // Alice's videos are offered; bob has none.
    const video = await upload('Closing the month <b>step by step</b>')
    view = main((await page(alice, base)).text)
    expect(view).toContain('<label for="link-video">Link one of your videos</label>')
    expect(view).toContain(`<option value="${video}">`)
    expect(view).toContain('Closing the month &lt;b&gt;step by step&lt;/b&gt;')
    expect(main((await page(bob, base)).text)).not.toContain('id="link-video"')

    // Bob may not link alice's video.
    const forged = await submit(bob, base, `${base}/answers`, { videoId: video })
    expect(forged.status).toBe(403)
    expect(await s.app.library.db.answersOf(id)).toEqual([])

    const linked = await submit(alice, base, `${base}/answers`, { videoId: video })
    expect(linked.status).toBe(303)
    expect(linked.headers.get('location')).toBe(`${base}?done=linked`)
    view = main((await page(bob, base)).text)
    expect(view).toContain(`href="/v/${video}"`)
    expect(view).toContain('class="card-title">Closing the month &lt;b&gt;step by step&lt;/b&gt;')
    expect(view).toContain('This solved it')
    // Not offered again to alice.
    expect(main((await page(alice, base)).text)).not.toContain(`<option value="${video}">`)
    // Alice (not the asker) gets no "This solved it", but may unlink her video.
    const aliceView = main((await page(alice, base)).text)
    expect(aliceView).not.toContain('This solved it')
    expect(aliceView).toContain('Unlink')

    const watch = main((await page(alice, `/v/${video}`)).text)
    expect(watch).toContain('Answers:')
    expect(watch).toContain(`href="/r/${id}">How do I close the month?</a>`)
    expect(watch).not.toContain('Solved it')

    // Alice may not mark it solved; bob may.
    expect((await submit(alice, base, `${base}/solved`, { videoId: video })).status).toBe(403)
    const solved = await submit(bob, base, `${base}/solved`, { videoId: video })
    expect(solved.status).toBe(303)
    view = main((await page(bob, base)).text)
    expect(view).toContain('✓ This solved it')
    expect(view).toContain('Reopen')
    expect(main((await page(alice, `/v/${video}`)).text)).toContain('✓ Solved it')
    expect(main((await page(alice, '/requests?state=solved')).text)).toContain(base)
    const reopen = await submit(bob, base, `${base}/solved`, { videoId: '' })
    expect(reopen.headers.get('location')).toBe(`${base}?done=reopened`)
    expect((await s.app.library.db.getRequest(id))?.state).toBe('open')

    // A video that is not an answer cannot be marked.
    const stray = await upload('Not an answer')
    expect((await submit(bob, base, `${base}/solved`, { videoId: stray })).status).toBe(400)

    // Unlink by the video's owner.
    const unlinked = await submit(alice, base, `${base}/unlink`, { videoId: video })
    expect(unlinked.status).toBe(303)
    expect(await s.app.library.db.answersOf(id)).toEqual([])
    expect(main((await page(bob, base)).text)).toContain('No answers yet.')
  })
})

describe('edit and delete', () => {
  it('are the asker’s (and an admin’s) only, with a confirmation before deleting', async () => {
    const id = await askForm(bob, { title: 'Editable', details: 'First', tags: 'one two' })
    const base = `/r/${id}`
    expect((await page(alice, `${base}/edit`)).status).toBe(403)
    expect((await page(alice, `${base}/delete`)).status).toBe(403)
    const form = await page(bob, `${base}/edit`)
    expect(form.status).toBe(200)
    expect(form.text).toContain('value="Editable"')
    expect(form.text).toContain('value="one two"')
    const bad = await submit(bob, `${base}/edit`, `${base}/edit`, {
      title: 'Edited',
      details: 'd'.repeat(5001),
      tags: 'one'
    })
    expect(bad.status).toBe(400)
    expect(await bad.text()).toContain('The details can be at most 5,000 characters.')
    const saved = await submit(bob, `${base}/edit`, `${base}/edit`, {
      title: 'Edited <i>title</i>',
      details: 'Second',
      tags: 'three'
    })
    expect(saved.status).toBe(303)
    expect(await s.app.library.db.getRequest(id)).toMatchObject({
      title: 'Edited <i>title</i>',
      details: 'Second',
      tags: ['three']
    })
    // Alice may not post the edit either (CSRF token of her own page).
    const forged = await submit(alice, base, `${base}/edit`, { title: 'Hijacked' })
    expect(forged.status).toBe(403)

    const confirm = await page(bob, `${base}/delete`)
    expect(confirm.text).toContain('Delete this request?')
    expect(confirm.text).toContain('Edited &lt;i&gt;title&lt;/i&gt;')
    expect((await submit(alice, base, `${base}/delete`, {})).status).toBe(403)
    const deleted = await submit(bob, `${base}/delete`, `${base}/delete`, {})
    expect(deleted.status).toBe(303)
    expect(deleted.headers.get('location')).toBe('/requests?deleted=1')
    expect(await s.app.library.db.getRequest(id)).toBeNull()
    expect((await page(bob, '/requests?deleted=1')).text).toContain('The request was deleted.')
  })
})

describe('the list and the home page', () => {
  it('filters by tab, tag and search, pages, and shows each row’s facts', async () => {
    const db = s.app.library.db
    const tag = 'paging'
    const total = REQUESTS_PAGE_SIZE + 5
    for (let i = 0; i < total; i++) {
      await db.createRequest({
        title: `Paged request ${i} aardvark`,
        details: '',
        tags: [tag],
        askerId: s.admin.id
      })
    }
    const first = main((await page(alice, `/requests?tag=${tag}`)).text)
    expect(first.match(/class="request-row"/g)).toHaveLength(REQUESTS_PAGE_SIZE)
    expect(first).toContain(`Paged request ${total - 1} aardvark`)
    expect(first).toContain('Tagged <strong>#paging</strong>')
    expect(first).toContain('aria-current="page"')
    expect(first).toContain('1 wants this')
    expect(first).toContain('0 answers')
    expect(first).toContain('root')
    expect(first).toContain('Page 1 of 2')
    const second = main((await page(alice, `/requests?tag=${tag}&page=2`)).text)
    expect(second.match(/class="request-row"/g)).toHaveLength(5)
    expect(second).toContain('Paged request 0 aardvark')

    const found = main((await page(alice, '/requests?q=aardvark')).text)
    expect(found).toContain('value="aardvark"')
    expect(found.match(/class="request-row"/g)).toHaveLength(REQUESTS_PAGE_SIZE)
    const none = main((await page(alice, '/requests?q=nothingmatcheszzz')).text)
    expect(none).toContain('No open requests match')
    // Search syntax, HTML and an impossible tag are text.
    for (const q of ['"*', 'NEAR(', "'; DROP TABLE requests; --", '<script>alert(1)</script>']) {
      const res = await page(alice, `/requests?q=${encodeURIComponent(q)}`)
      expect(res.status, q).toBe(200)
      expect(res.text).not.toContain('<script>alert(1)')
    }
    const badTag = await page(alice, `/requests?tag=${encodeURIComponent('<b>x</b>')}`)
    expect(badTag.status).toBe(200)
    expect(badTag.text).toContain('is not a tag')
    expect(badTag.text).not.toContain('<b>x</b>')
  })

  it('shows the newest five open requests and their count on the home page, and matches a search', async () => {
    const db = s.app.library.db
    const open = await db.countRequests({ state: 'open' })
    expect(open).toBeGreaterThan(5)
    const newest = await db.listRequests({ state: 'open', limit: 5 })
    const home = main((await page(alice, '/')).text)
    expect(home).toContain('Open requests')
    expect(home).toContain(`<span class="muted">${open.toLocaleString('en')}</span>`)
    expect(home).toContain('See all requests')
    expect(home).toContain('href="/requests/new"')
    const start = home.slice(home.indexOf('class="home-requests"'))
    const section = start.slice(0, start.indexOf('</section>'))
    expect(section.match(/class="request-row"/g)).toHaveLength(5)
    for (const r of newest) expect(section).toContain(`href="/r/${r.id}"`)

    const searched = main((await page(alice, '/?q=aardvark')).text)
    expect(searched).toContain('Requests matching “aardvark”')
    expect(searched).toContain('href="/requests?q=aardvark"')
    const part = searched.slice(searched.indexOf('class="home-requests"'))
    expect(part.slice(0, part.indexOf('</section>')).match(/class="request-row"/g)).toHaveLength(5)
    expect(main((await page(alice, '/?q=nothingmatcheszzz')).text)).not.toContain(
      'Requests matching'
    )
  })
})

describe('posting limit', () => {
  it(`refuses the form after ${REQUEST_POST_LIMIT.limit} requests (429, Retry-After), keeping what was typed`, async () => {
    const db = s.app.library.db
    await db.createUser('gina', 'gina-password', false)
    const gina = await signInWithFetch(s.url, 'gina', 'gina-password')
    for (let i = 0; i < REQUEST_POST_LIMIT.limit; i++) await askForm(gina, { title: `Gina ${i}` })
    const refused = await submit(gina, '/requests/new', '/requests/new', {
      title: 'One too many',
      details: 'Keep me'
    })
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    const text = await refused.text()
    expect(text).toContain('at most 10 requests in 10 minutes')
    expect(text).toContain('value="One too many"')
    expect(text).toContain('Keep me</textarea')
    expect(await db.countRequests({ q: 'One too many' })).toBe(0)
  })
})

describe('the home page with many open requests', () => {
  it('shows the count of 1,000 and only the newest five', async () => {
    const db = s.app.library.db
    const have = await db.countRequests({ state: 'open' })
    for (let i = have; i < 1000; i++) {
      await db.createRequest({ title: `Bulk ${i}`, details: '', tags: [], askerId: s.admin.id })
    }
    expect(await db.countRequests({ state: 'open' })).toBe(1000)
    const home = main((await page(alice, '/')).text)
    const start = home.slice(home.indexOf('class="home-requests"'))
    const section = start.slice(0, start.indexOf('</section>'))
    expect(section).toContain('<span class="muted">1,000</span>')
    expect(section.match(/class="request-row"/g)).toHaveLength(5)
    expect(section).toContain('Bulk 999')
  })
})
