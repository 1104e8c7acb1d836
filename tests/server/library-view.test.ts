/**
 * The library page's count and pagination (pages/views.ts libraryPage) past the counts the page
 * stops at (routes/library.ts LIBRARY_COUNT_UP_TO, SEARCH_COUNT_UP_TO): the view on its own with
 * made-up data (a thousand matches are too many to seed through HTTP), and one real server whose
 * library is one video more than a page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Video } from '../../server/src/db/types'
import type { Viewer } from '../../server/src/pages/layout'
import { LIBRARY_COUNT_UP_TO, SEARCH_COUNT_UP_TO } from '../../server/src/pages/routes/library'
import { PAGE_SIZE, libraryPage, type LibraryPageData } from '../../server/src/pages/views'
import { signInWithFetch } from './helpers-pages/session'
import { startServer, videoFacts, type TestServer } from './support'

const viewer: Viewer = {
  user: { id: 1, name: 'ada', admin: false, createdAt: '2026-01-01T00:00:00.000Z' },
  csrf: 'csrf-token'
}

function video(i: number): Video {
  return {
    id: `vid${String(i).padStart(13, '0')}`,
    title: `Clip ${i}`,
    description: '',
    ownerId: 1,
    authorName: 'ada',
    durationMs: 60_000,
    sizeBytes: 10,
    filename: 'clip.mp4',
    mimeType: 'video/mp4',
    projectId: null,
    callouts: [],
    createdAt: '2026-01-01T00:00:00.000Z',
    hasThumbnail: false,
    width: null,
    height: null,
    editsVersion: 0,
    access: 'team',
    linkToken: null,
    awaitingEdits: false,
    camera: null,
    awaitingCamera: false
  }
}

const aPage = Array.from({ length: PAGE_SIZE }, (_, i) => video(i))

function render(d: Partial<LibraryPageData>): string {
  return libraryPage({
    viewer,
    videos: aPage,
    total: PAGE_SIZE,
    hasOlder: false,
    page: 1,
    query: '',
    publicUrl: 'https://library.example.com',
    ...d
  }).toString()
}

/** The pagination's parts: its page label, and whether the Newer / Older links are there. */
function pagination(page: string): { label: string | null; newer: boolean; older: boolean } {
  const nav = /<nav class="pagination"[^>]*>([\s\S]*?)<\/nav>/.exec(page)?.[1]
  if (nav === undefined) return { label: null, newer: false, older: false }
  return {
    label: /<span class="muted">([^<]*)<\/span>/.exec(nav)?.[1]?.trim() ?? null,
    newer: /rel="prev"[^>]*>← Newer</.test(nav),
    older: /rel="next"[^>]*>Older →</.test(nav)
  }
}

describe('library page view: capped counts and pagination', () => {
  it('says "1,000+ videos matching" and "Page 2" without "of" past the search cap', () => {
    expect(SEARCH_COUNT_UP_TO).toBe(1000)
    const page = render({
      query: 'report',
      total: SEARCH_COUNT_UP_TO,
      totalIsAtLeast: true,
      page: 2,
      hasOlder: true
    })
    expect(page).toContain('1,000+ videos matching “<mark>report</mark>”')
    expect(pagination(page)).toEqual({ label: 'Page 2', newer: true, older: true })
    expect(page).not.toMatch(/Page 2 of/)
    expect(page).toContain('href="/?q=report&amp;page=3"')
    expect(page).toContain('href="/?q=report"')
  })

  it('says "10,000+ videos" past the library cap; the last page found has no Older link', () => {
    expect(LIBRARY_COUNT_UP_TO).toBe(10_000)
    const page = render({
      total: LIBRARY_COUNT_UP_TO,
      totalIsAtLeast: true,
      page: 300,
      hasOlder: false
    })
    expect(page).toContain('10,000+ videos')
    expect(page).not.toContain('matching')
    expect(pagination(page)).toEqual({ label: 'Page 300', newer: true, older: false })
  })

  it('shows the Older link exactly when hasOlder, whatever the count says', () => {
    for (const totalIsAtLeast of [false, true]) {
      for (const page of [1, 2]) {
        // An exact count that says there are more pages does not make an Older link on its own.
        const without = render({ total: 3 * PAGE_SIZE, totalIsAtLeast, page, hasOlder: false })
        expect(pagination(without).older, `capped ${totalIsAtLeast}, page ${page}`).toBe(false)
        const withOlder = render({ total: 3 * PAGE_SIZE, totalIsAtLeast, page, hasOlder: true })
        expect(pagination(withOlder).older, `capped ${totalIsAtLeast}, page ${page}`).toBe(true)
        expect(pagination(withOlder).newer).toBe(page > 1)
      }
    }
    // One page and nothing older: no pagination at all.
    expect(pagination(render({ total: PAGE_SIZE, hasOlder: false })).label).toBeNull()
  })

  it('says "Page 2 of 3" and the exact count when the count is whole', () => {
    const page = render({ query: 'report', total: 2 * PAGE_SIZE + 1, page: 2, hasOlder: true })
    expect(page).toContain(`${2 * PAGE_SIZE + 1} videos matching “<mark>report</mark>”`)
    expect(page).not.toContain('+ videos')
    expect(pagination(page)).toEqual({ label: 'Page 2 of 3', newer: true, older: true })
    const last = render({ total: 2 * PAGE_SIZE + 1, page: 3, hasOlder: false, videos: [video(0)] })
    expect(pagination(last)).toEqual({ label: 'Page 3 of 3', newer: true, older: false })
    // Exactly the cap, counted exactly: no "+".
    const exact = render({ query: 'report', total: SEARCH_COUNT_UP_TO, totalIsAtLeast: false })
    expect(exact).toContain('1,000 videos matching')
    expect(exact).not.toContain('1,000+')
  })
})

describe('library page over HTTP: one video more than a page', () => {
  let s: TestServer
  let cookie: string

  beforeAll(async () => {
    s = await startServer()
    const db = s.app.library.db
    for (let i = 0; i <= PAGE_SIZE; i++) {
      const id = `lib${String(i).padStart(13, '0')}`
      await db.insertVideo(
        videoFacts(id, s.user.id, `Walkthrough ${i}`, {
          createdAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString()
        })
      )
    }
    cookie = (await signInWithFetch(s.url, 'alice', 'alice-password')).cookie
  })
  afterAll(async () => {
    await s?.close()
  })

  async function get(path: string): Promise<string> {
    const res = await fetch(`${s.url}${path}`, { headers: { Cookie: cookie } })
    expect(res.status, path).toBe(200)
    return res.text()
  }

  it('shows "Older →" on page 1 and not on the last page, for the library and a search', async () => {
    const first = await get('/')
    expect(first).toContain(`${PAGE_SIZE + 1} videos`)
    expect(pagination(first)).toEqual({ label: 'Page 1 of 2', newer: false, older: true })
    // Newest first: the newest video is on page 1, the oldest alone on page 2.
    expect(first).toContain(`Walkthrough ${PAGE_SIZE}`)
    expect(first).not.toContain('>Walkthrough 0<')
    const last = await get('/?page=2')
    expect(pagination(last)).toEqual({ label: 'Page 2 of 2', newer: true, older: false })
    expect(last).toContain('Walkthrough 0')
    expect(last).not.toContain(`Walkthrough ${PAGE_SIZE}`)

    const search = await get('/?q=walkthrough')
    expect(search).toContain(`${PAGE_SIZE + 1} videos matching`)
    expect(pagination(search)).toEqual({ label: 'Page 1 of 2', newer: false, older: true })
    const searchLast = await get('/?q=walkthrough&page=2')
    expect(pagination(searchLast)).toEqual({ label: 'Page 2 of 2', newer: true, older: false })
  })
})
