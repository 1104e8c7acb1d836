/**
 * Collections (issue 17) against a real server: the API (create with videos, read, list and
 * "mine", change by owner or admin only, the full order with PUT items and its refusals naming
 * the unknown ids, hostile and wrong-typed input, the posting limit), the pages (new, a
 * collection with its numbered cards and Play all, move up/down, remove, edit, delete, who sees
 * which buttons), a deleted video leaving the collection, videos a viewer may not watch left out,
 * and the watch page with `?collection=` (place, previous, up next) or "Add to collection".
 */
import { beforeEach, describe, expect, it } from 'vitest'
import type { NewVideo, Video } from '../../server/src/db/types'
import { csrfFrom, postForm, signInWithFetch, type FetchSession } from './helpers-pages/session'
import { serversPerTest, type TestServer } from './support'

// Browser-side names used inside page.evaluate callbacks (this project compiles without the DOM lib).
declare const document: {
  documentElement: { scrollWidth: number; clientWidth: number }
  getElementById(id: string): { dispatchEvent(event: Event): boolean } | null
}

const servers = serversPerTest()
let s: TestServer
let seq = 0

async function addVideo(
  ownerId: number,
  title: string,
  extra: Partial<NewVideo> = {}
): Promise<Video> {
  const id = `cvid${String(++seq).padStart(12, '0')}`
  return s.app.library.db.insertVideo({
    id,
    title,
    description: '',
    ownerId,
    durationMs: 30_000,
    sizeBytes: 1000,
    filename: 'clip.mp4',
    mimeType: 'video/mp4',
    projectId: null,
    callouts: [],
    hasThumbnail: false,
    uploadId: String(seq).padStart(32, '0'),
    storage: 'file',
    ...extra
  })
}

/** Videos of `ownerId` with these titles, added one after another (in this order). */
async function addVideos(ownerId: number, titles: readonly string[]): Promise<Video[]> {
  const added: Video[] = []
  for (const title of titles) added.push(await addVideo(ownerId, title))
  return added
}

type Json = Record<string, unknown>

async function api(
  method: string,
  path: string,
  token: string,
  body?: unknown
): Promise<{ status: number; json: Json; headers: Headers }> {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {})
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
  })
  const text = await res.text()
  return { status: res.status, json: text ? (JSON.parse(text) as Json) : {}, headers: res.headers }
}

const ids = (json: Json): string[] => (json.videos as { id: string }[]).map((v) => v.id)

async function getPage(
  session: FetchSession,
  path: string
): Promise<{ status: number; html: string }> {
  const res = await fetch(`${s.url}${path}`, {
    headers: { Cookie: session.cookie },
    redirect: 'manual'
  })
  return { status: res.status, html: await res.text() }
}

function post(
  session: FetchSession,
  path: string,
  fields: Record<string, string>,
  csrf = session.csrf
): Promise<Response> {
  return postForm(s.url, path, { csrf, ...fields }, { Cookie: session.cookie, Origin: s.url })
}

/** The collection's cards' video ids as the page lists them, in order. */
function cardOrder(html: string): string[] {
  return [...html.matchAll(/<li class="card collection-item" id="item-([^"]+)"/g)].map((m) => m[1]!)
}

beforeEach(async () => {
  s = await servers.start()
})

describe('the collections API', () => {
  it('creates with videos in order, reads, lists, and only the owner or an admin changes it', async () => {
    const [a, b, c] = (await addVideos(s.user.id, ['One', 'Two', 'Three'])) as [Video, Video, Video]
    const made = await api('POST', '/api/collections', s.token, {
      title: '  Onboarding: finance tools ',
      description: 'Start here',
      videoIds: [b.id, a.id]
    })
    expect(made.status).toBe(201)
    expect(made.json).toMatchObject({
      title: 'Onboarding: finance tools',
      description: 'Start here',
      ownerName: 'alice',
      itemCount: 2,
      canChange: true
    })
    expect(ids(made.json)).toEqual([b.id, a.id])
    const id = String(made.json.id)
    expect(made.json.url).toBe(`${s.url}/c/${id}`)

    const read = await api('GET', `/api/collections/${id}`, s.otherToken)
    expect(read.status).toBe(200)
    expect(read.json.canChange).toBe(false)
    expect(ids(read.json)).toEqual([b.id, a.id])

    await api('POST', '/api/collections', s.otherToken, { title: 'Bob’s' })
    const all = await api('GET', '/api/collections', s.token)
    expect((all.json.collections as Json[]).map((x) => x.title)).toEqual([
      'Bob’s',
      'Onboarding: finance tools'
    ])
    expect(all.json.total).toBe(2)
    const mine = await api('GET', '/api/collections?mine=1', s.token)
    expect((mine.json.collections as Json[]).map((x) => x.title)).toEqual([
      'Onboarding: finance tools'
    ])

    // Full order.
    const put = await api('PUT', `/api/collections/${id}/items`, s.token, {
      videoIds: [c.id, a.id, b.id]
    })
    expect(put.status).toBe(200)
    expect(ids(put.json)).toEqual([c.id, a.id, b.id])
    const fewer = await api('PUT', `/api/collections/${id}/items`, s.token, { videoIds: [b.id] })
    expect(ids(fewer.json)).toEqual([b.id])
    expect(await s.app.library.db.collectionItems(id)).toEqual([b.id])

    // Someone else: 403 for every write; an admin may.
    expect(
      (await api('PATCH', `/api/collections/${id}`, s.otherToken, { title: 'x' })).status
    ).toBe(403)
    expect(
      (await api('PUT', `/api/collections/${id}/items`, s.otherToken, { videoIds: [] })).status
    ).toBe(403)
    expect((await api('DELETE', `/api/collections/${id}`, s.otherToken)).status).toBe(403)
    const renamed = await api('PATCH', `/api/collections/${id}`, s.adminToken, { title: 'Renamed' })
    expect(renamed.status).toBe(200)
    expect(renamed.json).toMatchObject({ title: 'Renamed', description: 'Start here' })

    expect((await api('DELETE', `/api/collections/${id}`, s.token)).status).toBe(204)
    expect((await api('GET', `/api/collections/${id}`, s.token)).status).toBe(404)
    expect((await api('GET', '/api/collections/nosuch', s.token)).status).toBe(404)
  })

  it('refuses unknown ids (naming them), duplicates, wrong types, hostile and huge text', async () => {
    const a = await addVideo(s.user.id, 'A')
    const made = await api('POST', '/api/collections', s.token, { title: 'Checks' })
    const id = String(made.json.id)
    const putItems = (body: unknown) => api('PUT', `/api/collections/${id}/items`, s.token, body)

    const unknown = await putItems({ videoIds: [a.id, 'nosuchvideo00001', '"><script>'] })
    expect(unknown.status).toBe(400)
    expect(String(unknown.json.error)).toContain('"nosuchvideo00001"')
    expect(String(unknown.json.error)).toContain('script')
    expect((await putItems({ videoIds: [a.id, a.id] })).status).toBe(400)
    expect((await putItems({ videoIds: a.id })).status).toBe(400)
    expect((await putItems({ videoIds: [1] })).status).toBe(400)
    expect((await putItems({})).status).toBe(400)
    expect((await putItems({ videoIds: [], extra: 1 })).status).toBe(400)
    expect(
      (await putItems({ videoIds: Array.from({ length: 501 }, (_, i) => `v${i}`) })).status
    ).toBe(400)
    expect((await putItems('{"videoIds": [')).status).toBe(400)
    expect(await s.app.library.db.collectionItems(id)).toEqual([])

    for (const body of [
      {},
      { title: '' },
      { title: '   ' },
      { title: 5 },
      { title: 'x', description: ['no'] },
      { title: 'x', owner: 'bob' },
      { title: 'x'.repeat(201) },
      { title: 'x', description: 'y'.repeat(2001) },
      null,
      'title'
    ]) {
      const r = await api('POST', '/api/collections', s.token, body)
      expect(r.status, JSON.stringify(body).slice(0, 50)).toBe(400)
    }
    const long = await api('POST', '/api/collections', s.token, { title: 'x'.repeat(201) })
    expect(String(long.json.error)).toMatch(/title.*200/)

    const hostile = `<script>alert(1)</script> ' OR 1=1; -- "* NEAR( \u0000\u0007end`
    const stored = await api('POST', '/api/collections', s.token, {
      title: hostile,
      description: `line one\nline two\u0001`
    })
    expect(stored.status).toBe(201)
    // Control characters go (newlines stay in the description); the rest is kept as text.
    expect(stored.json.title).toBe(`<script>alert(1)</script> ' OR 1=1; -- "* NEAR(   end`)
    expect(stored.json.description).toBe('line one\nline two')
    const alice = await signInWithFetch(s.url, 'alice', 'alice-password')
    const { html } = await getPage(alice, `/c/${String(stored.json.id)}`)
    expect(html).not.toContain('<script>alert(1)')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
  })

  it('needs the CSRF header for a session write, and limits how many one person makes', async () => {
    const alice = await signInWithFetch(s.url, 'alice', 'alice-password')
    const noCsrf = await fetch(`${s.url}/api/collections`, {
      method: 'POST',
      headers: { Cookie: alice.cookie, 'Content-Type': 'application/json' },
      body: JSON.stringify({ title: 'x' })
    })
    expect(noCsrf.status).toBe(403)
    for (let i = 0; i < 20; i++) {
      expect((await api('POST', '/api/collections', s.token, { title: `n${i}` })).status).toBe(201)
    }
    const limited = await api('POST', '/api/collections', s.token, { title: 'one too many' })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(String(limited.json.error)).toMatch(/20 collections/)
    // Someone else is not limited by alice's.
    expect((await api('POST', '/api/collections', s.otherToken, { title: 'bob' })).status).toBe(201)
  })
})

describe('collection pages', () => {
  let alice: FetchSession
  let bob: FetchSession

  beforeEach(async () => {
    alice = await signInWithFetch(s.url, 'alice', 'alice-password')
    bob = await signInWithFetch(s.url, 'bob', 'bob-password')
  })

  async function makeWithPage(title: string, videoIds: string[]): Promise<string> {
    const res = await post(alice, '/collections/new', { title, description: 'About it' })
    expect(res.status).toBe(303)
    const id = /^\/c\/([^/?#]+)$/.exec(res.headers.get('location') ?? '')?.[1]
    expect(id).toBeDefined()
    for (const videoId of videoIds) {
      const added = await post(alice, `/c/${id!}/add`, { videoId })
      expect(added.status).toBe(303)
      expect(added.headers.get('location')).toBe(`/v/${videoId}?added=${id!}`)
    }
    return id!
  }

  it('new, show with numbered cards and Play all, move up and down, remove, edit, delete', async () => {
    const [a, b, c] = (await addVideos(s.user.id, ['Alpha', 'Beta', 'Gamma'])) as [
      Video,
      Video,
      Video
    ]
    const empty = await post(alice, '/collections/new', { title: '  ' })
    expect(empty.status).toBe(400)
    expect(await empty.text()).toContain('The title cannot be empty.')

    const id = await makeWithPage('Onboarding', [a.id, b.id, c.id])
    let shown = await getPage(alice, `/c/${id}`)
    expect(shown.status).toBe(200)
    expect(cardOrder(shown.html)).toEqual([a.id, b.id, c.id])
    expect(shown.html).toContain(`href="/v/${a.id}?collection=${id}"`)
    expect(shown.html).toMatch(/Play all/)
    expect(shown.html).toMatch(/<span class="position" aria-hidden="true">2<\/span\s*>/)
    expect(shown.html).toContain('aria-label="Move “Beta” up"')

    expect((await post(alice, `/c/${id}/move`, { videoId: c.id, dir: 'up' })).status).toBe(303)
    expect(await s.app.library.db.collectionItems(id)).toEqual([a.id, c.id, b.id])
    await post(alice, `/c/${id}/move`, { videoId: a.id, dir: 'down' })
    expect(await s.app.library.db.collectionItems(id)).toEqual([c.id, a.id, b.id])
    // Past the ends: nothing moves.
    await post(alice, `/c/${id}/move`, { videoId: c.id, dir: 'up' })
    await post(alice, `/c/${id}/move`, { videoId: b.id, dir: 'down' })
    await post(alice, `/c/${id}/move`, { videoId: b.id, dir: 'sideways' })
    expect(await s.app.library.db.collectionItems(id)).toEqual([c.id, a.id, b.id])

    expect((await post(alice, `/c/${id}/remove`, { videoId: a.id })).status).toBe(303)
    shown = await getPage(alice, `/c/${id}?removed=1`)
    expect(cardOrder(shown.html)).toEqual([c.id, b.id])
    expect(shown.html).toContain('The video was removed from the collection.')

    const edited = await post(alice, `/c/${id}/edit`, { title: 'Renamed', description: '' })
    expect(edited.status).toBe(303)
    expect((await s.app.library.db.getCollection(id))?.title).toBe('Renamed')

    const confirm = await getPage(alice, `/c/${id}/delete`)
    expect(confirm.html).toContain('Delete this collection?')
    const deleted = await post(alice, `/c/${id}/delete`, {})
    expect(deleted.status).toBe(303)
    expect(deleted.headers.get('location')).toBe('/collections?deleted=1')
    expect(await s.app.library.db.getCollection(id)).toBeNull()
    expect((await getPage(alice, `/c/${id}`)).status).toBe(404)
    // The videos stay.
    expect(await s.app.library.db.getVideo(a.id)).not.toBeNull()
  })

  it('someone else sees it without the owner’s buttons and cannot change it', async () => {
    const a = await addVideo(s.user.id, 'Alpha')
    const b = await addVideo(s.user.id, 'Beta')
    const id = await makeWithPage('Alice’s list', [a.id, b.id])
    const seen = await getPage(bob, `/c/${id}`)
    expect(seen.status).toBe(200)
    expect(cardOrder(seen.html)).toEqual([a.id, b.id])
    expect(seen.html).not.toContain('Move “')
    expect(seen.html).not.toContain(`/c/${id}/edit`)
    expect(seen.html).not.toContain(`/c/${id}/delete`)
    for (const [path, fields] of [
      [`/c/${id}/remove`, { videoId: a.id }],
      [`/c/${id}/move`, { videoId: b.id, dir: 'up' }],
      [`/c/${id}/edit`, { title: 'Mine now' }],
      [`/c/${id}/delete`, {}],
      [`/c/${id}/add`, { videoId: (await addVideo(s.other.id, 'Bob’s')).id }]
    ] as const) {
      expect((await post(bob, path, fields)).status, path).toBe(403)
    }
    expect((await getPage(bob, `/c/${id}/edit`)).status).toBe(403)
    expect(await s.app.library.db.collectionItems(id)).toEqual([a.id, b.id])
    expect((await s.app.library.db.getCollection(id))?.title).toBe('Alice’s list')
    // A stale form (no CSRF token) is refused too.
    expect((await post(alice, `/c/${id}/remove`, { videoId: a.id }, 'stale')).status).toBe(403)
  })

  it('a deleted video leaves the collection; a video the viewer may not watch is not listed', async () => {
    const a = await addVideo(s.user.id, 'Stays')
    const b = await addVideo(s.user.id, 'Goes')
    const waiting = await addVideo(s.user.id, 'Waiting for its edits', { awaitingEdits: true })
    const id = await makeWithPage('Mixed', [a.id, b.id, waiting.id])
    expect(cardOrder((await getPage(alice, `/c/${id}`)).html)).toEqual([a.id, b.id, waiting.id])
    const forBob = await getPage(bob, `/c/${id}`)
    expect(cardOrder(forBob.html)).toEqual([a.id, b.id])
    expect(forBob.html).not.toContain('Waiting for its edits')
    expect(ids((await api('GET', `/api/collections/${id}`, s.otherToken)).json)).toEqual([
      a.id,
      b.id
    ])

    await s.app.library.deleteVideo(b.id)
    expect(cardOrder((await getPage(alice, `/c/${id}`)).html)).toEqual([a.id, waiting.id])
    expect(await s.app.library.db.collectionItems(id)).toEqual([a.id, waiting.id])
  })

  it('lists all collections newest first, and mine', async () => {
    await makeWithPage('First of alice', [])
    await post(bob, '/collections/new', { title: 'Bob’s own' })
    const all = await getPage(alice, '/collections')
    expect(all.html.indexOf('Bob’s own')).toBeLessThan(all.html.indexOf('First of alice'))
    const mine = await getPage(alice, '/collections?mine=1')
    expect(mine.html).toContain('First of alice')
    expect(mine.html).not.toContain('Bob’s own')
    expect(mine.html).toMatch(/href="\/collections\?mine=1"\s+aria-current="page"/)
  })
})

describe('the watch page and collections', () => {
  let alice: FetchSession
  let bob: FetchSession

  beforeEach(async () => {
    alice = await signInWithFetch(s.url, 'alice', 'alice-password')
    bob = await signInWithFetch(s.url, 'bob', 'bob-password')
  })

  it('with ?collection=: its place, previous and up next keeping ?collection=', async () => {
    const vs = await addVideos(s.user.id, ['One', 'Two', 'Three'])
    const made = await api('POST', '/api/collections', s.token, {
      title: 'Play me',
      videoIds: vs.map((v) => v.id)
    })
    const id = String(made.json.id)
    const middle = await getPage(bob, `/v/${vs[1]!.id}?collection=${id}`)
    expect(middle.status).toBe(200)
    const section = /<section\s+class="collection-playing"[\s\S]*?<\/section>/.exec(
      middle.html
    )?.[0]
    expect(section).toBeDefined()
    const text = section!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')
    expect(text).toContain('In Play me · 2 of 3')
    expect(text).toContain('Up next: Three')
    expect(text).toContain('← Previous: One')
    expect(section).toContain(`href="/v/${vs[2]!.id}?collection=${id}"`)
    expect(section).toContain(`href="/v/${vs[0]!.id}?collection=${id}"`)
    expect(section).toContain(`data-next-url="/v/${vs[2]!.id}?collection=${id}"`)
    expect(middle.html).toContain('src="/public/collection.js"')

    const last = await getPage(bob, `/v/${vs[2]!.id}?collection=${id}`)
    expect(last.html).toContain('3 of 3')
    expect(last.html).toContain('Last video of the collection.')
    expect(last.html).not.toContain('data-next-url')

    // A collection the video is not in, or none: the "Add to collection" part instead.
    const other = await addVideo(s.user.id, 'Elsewhere')
    for (const query of [`?collection=${id}`, '?collection=nosuch', '?collection="><x', '']) {
      const page = await getPage(alice, `/v/${other.id}${query}`)
      expect(page.html, query).not.toContain('collection-playing')
      expect(page.html, query).toContain('collection-add')
    }
  })

  it('"Add to collection" offers the viewer’s own collections and comes back with a notice', async () => {
    const video = await addVideo(s.other.id, 'Bob made this')
    const noneYet = await getPage(alice, `/v/${video.id}`)
    expect(noneYet.html).toContain(`href="/collections/new?video=${video.id}"`)

    // "New collection…" from the watch page: made, the video added, back to the video.
    const form = await getPage(alice, `/collections/new?video=${video.id}`)
    expect(form.html).toContain(`name="videoId" value="${video.id}"`)
    const created = await post(alice, '/collections/new', {
      title: 'Alice picks',
      videoId: video.id
    })
    expect(created.status).toBe(303)
    const back = created.headers.get('location') ?? ''
    const cid = /^\/v\/[^?]+\?added=(.+)$/.exec(back)?.[1]
    expect(back.startsWith(`/v/${video.id}?added=`)).toBe(true)
    expect(await s.app.library.db.collectionItems(cid!)).toEqual([video.id])
    const notice = await getPage(alice, back)
    expect(notice.html).toMatch(/role="status">Added to “Alice picks”\.<\/p>/)

    // The select lists alice's collections only.
    await api('POST', '/api/collections', s.otherToken, { title: 'Bob list' })
    const second = await addVideo(s.other.id, 'Second')
    const watch = await getPage(alice, `/v/${second.id}`)
    expect(watch.html).toContain(`<option value="${cid!}">Alice picks</option>`)
    expect(watch.html).not.toContain('Bob list')
    expect(watch.html).toContain('<label for="collection-add-select">Add to collection</label>')
    const added = await post(alice, '/collections/add', {
      collection: cid!,
      videoId: second.id,
      csrf: csrfFrom(watch.html)
    })
    expect(added.status).toBe(303)
    expect(await s.app.library.db.collectionItems(cid!)).toEqual([video.id, second.id])
    // Into someone else's collection: refused.
    const bobsList = await api('GET', '/api/collections?mine=1', s.otherToken)
    const bobs = String((bobsList.json.collections as Json[])[0]!.id)
    expect(
      (await post(alice, '/collections/add', { collection: bobs, videoId: second.id })).status
    ).toBe(403)
    // A video alice may not watch cannot be added.
    const hidden = await addVideo(s.other.id, 'Bob hidden', { awaitingEdits: true })
    expect(
      (await post(alice, '/collections/add', { collection: cid!, videoId: hidden.id })).status
    ).toBe(404)
  })
})

describe('in Chromium', () => {
  it('plays on after a countdown that Cancel stops; the header stays tidy on a phone', async () => {
    const { chromium } = await import('playwright-core')
    const { chromiumPath, BASE_CHROMIUM_ARGS } = await import('../support/chromium')
    const [one, two] = (await addVideos(s.user.id, ['One', 'Two'])) as [Video, Video]
    const made = await api('POST', '/api/collections', s.token, {
      title: 'Autoplay',
      videoIds: [one.id, two.id]
    })
    const id = String(made.json.id)
    await s.app.library.db.addComment({
      videoId: one.id,
      parentId: null,
      authorId: s.other.id,
      atMs: null,
      body: 'unread for alice',
      question: false
    })
    const alice = await signInWithFetch(s.url, 'alice', 'alice-password')
    const browser = await chromium.launch({
      executablePath: chromiumPath(),
      headless: true,
      args: [...BASE_CHROMIUM_ARGS]
    })
    try {
      const context = await browser.newContext({
        baseURL: s.url,
        viewport: { width: 360, height: 740 }
      })
      const [name, value] = alice.cookie.split('=') as [string, string]
      await context.addCookies([{ name, value, url: s.url }])
      const page = await context.newPage()
      page.setDefaultTimeout(20_000)
      await page.goto(`/v/${one.id}?collection=${id}`)
      // The header: the Inbox link's name carries the count; nothing sticks out sideways.
      await page.getByRole('link', { name: 'Inbox, 1 unread' }).waitFor()
      expect(
        await page.evaluate(
          () => document.documentElement.scrollWidth <= document.documentElement.clientWidth
        )
      ).toBe(true)
      await page.getByRole('link', { name: 'Up next: Two' }).waitFor()

      const ended = (): Promise<void> =>
        page.evaluate(() => {
          document.getElementById('player')!.dispatchEvent(new Event('ended'))
        })
      await ended()
      const status = page.locator('.collection-countdown-text')
      await expect
        .poll(() => status.textContent(), { timeout: 10_000 })
        .toMatch(/^Up next in \d s: Two$/)
      await page.getByRole('button', { name: 'Cancel' }).click()
      await expect.poll(() => status.textContent(), { timeout: 10_000 }).toBe('Autoplay cancelled.')
      expect(new URL(page.url()).pathname).toBe(`/v/${one.id}`)

      await ended()
      await page.waitForURL((url) => url.pathname === `/v/${two.id}`)
      expect(new URL(page.url()).searchParams.get('collection')).toBe(id)
      await page.getByText('2 of 2').waitFor()
      await context.close()
    } finally {
      await browser.close()
    }
  }, 60_000)
})
