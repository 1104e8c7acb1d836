/**
 * The library pages in real headless Chromium against a real server (127.0.0.1, port 0), with
 * videos added by real tus uploads: sign-in, library, search, watch + seek (206), escaping,
 * CSRF, edit, tokens, delete, sign-out, keyboard.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLibraryServer, type LibraryServer } from '../../server/src/app'
import { loadConfig } from '../../server/src/config'
import { chromiumPath } from '../support/chromium'
import { makeTestVideo, tusUpload } from './helpers-pages/fixtures'
import { postForm, signInWithFetch, type FetchSession } from './helpers-pages/session'

// Browser-side names used inside page.evaluate callbacks (this project compiles without the DOM lib).
interface VideoEl {
  readyState: number
  currentTime: number
  duration: number
}
interface El {
  id: string
  classList: { contains(name: string): boolean }
  tagName: string
  getAttribute(name: string): string | null
  click(): void
  removeAttribute(name: string): void
}
interface ImageEl {
  complete: boolean
  naturalWidth: number
  decode(): Promise<void>
}
declare const document: {
  querySelector(selector: 'video'): VideoEl | null
  activeElement: El | null
  documentElement: { scrollWidth: number; clientWidth: number }
}
declare const window: { __pwned?: unknown }
declare const navigator: { clipboard: { readText(): Promise<string> } }
declare function getComputedStyle(el: El): { outlineStyle: string }

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--autoplay-policy=no-user-gesture-required'
]

const XSS_TITLE = `Release <img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> & "notes"`
const CALLOUT_TEXT = 'Open the billing settings'
const SCREENSHOTS = process.env.SIDECAST_PAGE_SCREENSHOTS

let dir: string
let srv: LibraryServer
let base: string
let browser: Browser
let videoBytes: Buffer
let aliceToken: string
let demoId: string
let xssId: string

async function shot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return
  await mkdir(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true })
}

async function newPage(
  opts: { width?: number; height?: number; colorScheme?: 'light' | 'dark' } = {}
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 860 },
    colorScheme: opts.colorScheme ?? 'light',
    baseURL: base
  })
  const page = await context.newPage()
  page.setDefaultTimeout(20_000)
  return { context, page }
}

async function signIn(page: Page, name: string, password: string): Promise<void> {
  await page.goto('/signin')
  await page.getByLabel('Name').fill(name)
  await page.getByLabel('Password').fill(password)
  await Promise.all([
    page.waitForURL((url) => url.pathname !== '/signin'),
    page.getByRole('button', { name: 'Sign in' }).click()
  ])
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sidecast-pages-'))
  const file = join(dir, 'clip.webm')
  await makeTestVideo(file)
  videoBytes = await readFile(file)

  const config = loadConfig(['--data', join(dir, 'data'), '--port', '0', '--host', '127.0.0.1'], {})
  srv = await createLibraryServer(config)
  base = srv.url
  const db = srv.library.db
  const alice = await db.createUser('alice', 'correct horse battery', false)
  await db.createUser('bob', 'bob password 1', false)
  aliceToken = (await db.createToken(alice.id, 'test laptop')).token

  demoId = await tusUpload(base, aliceToken, videoBytes, {
    filename: 'demo.webm',
    title: 'Quarterly dashboard walkthrough',
    description: 'How to read the new dashboard.\n\nSecond paragraph <b>not bold</b>.',
    durationMs: '6000',
    callouts: JSON.stringify([
      { text: 'Start here', startMs: 1000, endMs: 2000 },
      { text: CALLOUT_TEXT, startMs: 3000, endMs: 4500 }
    ])
  })
  // Uploaded second, so it is the newest.
  xssId = await tusUpload(base, aliceToken, videoBytes, {
    filename: 'xss.webm',
    title: XSS_TITLE,
    description: '<script>window.__pwned=3</script>',
    callouts: JSON.stringify([
      { text: '<img src=x onerror="window.__pwned=4">', startMs: 500, endMs: 900 }
    ])
  })

  browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS
  })
})

afterAll(async () => {
  await browser?.close()
  await srv?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('library pages', () => {
  it('asks for sign-in and rejects a wrong password without saying which part was wrong', async () => {
    const { context, page } = await newPage()
    try {
      await page.goto('/')
      expect(new URL(page.url()).pathname).toBe('/signin')
      await expect(page.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true)
      await shot(page, 'signin-laptop')

      await page.getByLabel('Name').fill('alice')
      await page.getByLabel('Password').fill('wrong password')
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/signin') && r.request().method() === 'POST'),
        page.getByRole('button', { name: 'Sign in' }).click()
      ])
      expect(response.status()).toBe(401)
      await page.getByText('Wrong name or password.').waitFor()
      // An unknown name gets exactly the same answer.
      await page.getByLabel('Name').fill('nobody')
      await page.getByLabel('Password').fill('whatever')
      const [unknown] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/signin') && r.request().method() === 'POST'),
        page.getByRole('button', { name: 'Sign in' }).click()
      ])
      expect(unknown.status()).toBe(401)
      await page.getByText('Wrong name or password.').waitFor()
      expect(new URL(page.url()).pathname).toBe('/signin')
    } finally {
      await context.close()
    }
  })

  it('signs in, lists the videos newest first, and shows HTML in titles as text', async () => {
    const { context, page } = await newPage()
    try {
      await page.goto(`/v/${demoId}`)
      // Sign-in keeps where the user wanted to go.
      expect(page.url()).toContain(`/signin?next=${encodeURIComponent(`/v/${demoId}`)}`)
      await page.getByLabel('Name').fill('alice')
      await page.getByLabel('Password').fill('correct horse battery')
      await Promise.all([
        page.waitForURL(`**/v/${demoId}`),
        page.getByRole('button', { name: 'Sign in' }).click()
      ])
      const session = (await context.cookies()).find((c) => c.name === 'sidecast_session')
      expect(session?.httpOnly).toBe(true)
      expect(session?.sameSite).toBe('Lax')

      const response = await page.goto('/')
      expect(response?.status()).toBe(200)
      const headers = response?.headers() ?? {}
      expect(headers['content-security-policy']).toContain("default-src 'self'")
      expect(headers['content-security-policy']).toContain("frame-ancestors 'none'")
      expect(headers['x-content-type-options']).toBe('nosniff')
      expect(headers['referrer-policy']).toBe('same-origin')

      const titles = await page.locator('.card-title').allTextContents()
      expect(titles).toEqual([XSS_TITLE, 'Quarterly dashboard walkthrough'])
      await expect(page.locator('#result-count').textContent()).resolves.toBe('2 videos')
      const firstCard = page.locator('.card').nth(1)
      await expect(firstCard.textContent()).resolves.toContain('alice')
      // Duration from ffprobe, shown as m:ss.
      await expect(firstCard.locator('.duration').textContent()).resolves.toBe('0:06')
      // The thumbnail the server made is really served as an image.
      const thumbOk = await firstCard.locator('img').evaluate(async (img: ImageEl) => {
        await img.decode().catch(() => {})
        return img.complete && img.naturalWidth > 0
      })
      expect(thumbOk).toBe(true)
      expect(await page.evaluate(() => window.__pwned)).toBeUndefined()
      expect(await page.locator('.card img[src="x"]').count()).toBe(0)
      await shot(page, 'library-laptop')

      // The watch page of the hostile video: title, description and callout stay text.
      await page.goto(`/v/${xssId}`)
      await expect(page.locator('h1').textContent()).resolves.toBe(XSS_TITLE)
      await expect(page.locator('.description').textContent()).resolves.toContain(
        '<script>window.__pwned=3</script>'
      )
      await page
        .getByRole('button', { name: 'Jump to 0:00 — <img src=x onerror="window.__pwned=4">' })
        .waitFor()
      expect(await page.evaluate(() => window.__pwned)).toBeUndefined()
      expect(await page.locator('main img, main script').count()).toBe(0)
    } finally {
      await context.close()
    }
  })

  it('reaches the search box and the first card with the keyboard alone', async () => {
    const { context, page } = await newPage()
    try {
      await signIn(page, 'alice', 'correct horse battery')
      await page.goto('/')
      const seen: string[] = []
      for (let i = 0; i < 12; i++) {
        await page.keyboard.press('Tab')
        const what = await page.evaluate(() => {
          const el = document.activeElement
          if (!el) return ''
          if (el.id === 'search-q') return 'search'
          if (el.classList.contains('skip-link')) return 'skip'
          if (el.classList.contains('card-link')) return `card:${el.getAttribute('href')}`
          return el.tagName.toLowerCase()
        })
        seen.push(what)
        if (what.startsWith('card:')) break
      }
      expect(seen[0]).toBe('skip')
      expect(seen).toContain('search')
      expect(seen.at(-1)).toBe(`card:/v/${xssId}`)
      expect(seen.indexOf('search')).toBeLessThan(seen.length - 1)
      // The focused card is visibly outlined.
      const outline = await page.evaluate(
        () => getComputedStyle(document.activeElement!).outlineStyle
      )
      expect(outline).toBe('solid')

      // Searching with the keyboard: Enter in the focused search box.
      await page.locator('#search-q').focus()
      await page.keyboard.type('billing')
      await Promise.all([page.waitForURL('**/?q=billing'), page.keyboard.press('Enter')])
      await expect(page.locator('.card-title').allTextContents()).resolves.toEqual([
        'Quarterly dashboard walkthrough'
      ])
    } finally {
      await context.close()
    }
  })

  it('finds a video by the text of a callout, and not by unrelated text', async () => {
    const { context, page } = await newPage()
    try {
      await signIn(page, 'alice', 'correct horse battery')
      await page.goto('/')
      await page.getByLabel('Search').fill('billing settings')
      await Promise.all([page.waitForURL('**/?q=*'), page.getByLabel('Search').press('Enter')])
      await expect(page.locator('.card-title').allTextContents()).resolves.toEqual([
        'Quarterly dashboard walkthrough'
      ])
      await expect(page.locator('#result-count').textContent()).resolves.toBe(
        '1 video matching “billing settings”'
      )
      // The matching callout is shown on the card and links to its time.
      const callout = page.locator('.card-callouts a')
      await expect(callout.textContent()).resolves.toContain(CALLOUT_TEXT)
      await expect(callout.getAttribute('href')).resolves.toBe(`/v/${demoId}?t=3`)
      await expect(page.getByLabel('Search').inputValue()).resolves.toBe('billing settings')
      await shot(page, 'search-laptop')

      await page.goto(`/?q=${encodeURIComponent('zebra crossing')}`)
      await expect(page.locator('.card').count()).resolves.toBe(0)
      await page.getByRole('heading', { name: 'No results for “zebra crossing”' }).waitFor()

      // A query full of markup is echoed as text.
      await page.goto(`/?q=${encodeURIComponent('<script>window.__pwned=5</script>')}`)
      await expect(page.getByLabel('Search').inputValue()).resolves.toBe(
        '<script>window.__pwned=5</script>'
      )
      expect(await page.evaluate(() => window.__pwned)).toBeUndefined()
    } finally {
      await context.close()
    }
  })

  it('plays the video and seeks to a callout with Range requests (206)', async () => {
    const { context, page } = await newPage()
    try {
      await signIn(page, 'alice', 'correct horse battery')
      const mediaStatuses: number[] = []
      page.on('response', (r) => {
        if (r.url().includes(`/media/${demoId}`)) mediaStatuses.push(r.status())
      })
      await page.goto('/')
      await Promise.all([
        page.waitForURL(`**/v/${demoId}`),
        page.getByRole('link', { name: 'Quarterly dashboard walkthrough' }).click()
      ])
      const video = page.locator('video#player')
      await expect(video.getAttribute('src')).resolves.toBe(`/media/${demoId}`)
      await expect(video.getAttribute('preload')).resolves.toBe('metadata')
      await page.waitForFunction(() => document.querySelector('video')!.readyState > 0)
      await expect(video.evaluate((v: VideoEl) => Math.round(v.duration))).resolves.toBe(6)
      await expect(page.locator('.description p').count()).resolves.toBe(2)
      await expect(page.locator('.description').textContent()).resolves.toContain('<b>not bold</b>')

      const marker = page.getByRole('button', { name: `Jump to 0:03 — ${CALLOUT_TEXT}` })
      // Clicking the marker sets the time at once (read in the same task, before playback moves).
      const jumped = await marker.evaluate((button: El) => {
        button.click()
        return document.querySelector('video')!.currentTime
      })
      expect(jumped).toBe(3)
      // …and the browser really gets there and plays from there.
      await page.waitForFunction(() => {
        const v = document.querySelector('video')!
        return v.readyState >= 2 && v.currentTime >= 3 && v.currentTime < 6.5
      })
      // Clicking the other marker with Playwright (a real mouse click) moves back.
      await page.getByRole('button', { name: 'Jump to 0:01 — Start here' }).click()
      await page.waitForFunction(() => {
        const v = document.querySelector('video')!
        return v.currentTime >= 1 && v.currentTime < 3 && v.readyState > 0
      })
      expect(mediaStatuses).toContain(206)
      expect(mediaStatuses.every((s) => s === 200 || s === 206)).toBe(true)
      await shot(page, 'watch-laptop')

      // ?t= starts at a time (the search result links use it).
      await page.goto(`/v/${demoId}?t=3`)
      await page.waitForFunction(() => {
        const v = document.querySelector('video')!
        return v.readyState > 0 && Math.abs(v.currentTime - 3) < 0.01
      })
    } finally {
      await context.close()
    }
  })

  it('copies the share link and offers a download', async () => {
    const { context, page } = await newPage()
    try {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base })
      await signIn(page, 'alice', 'correct horse battery')
      await page.goto(`/v/${demoId}`)
      await page.getByRole('button', { name: 'Copy link' }).click()
      await page.getByText('Copied.').waitFor()
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${base}/v/${demoId}`)
      const download = page.getByRole('link', { name: 'Download' })
      await expect(download.getAttribute('href')).resolves.toBe(`/v/${demoId}/download`)
    } finally {
      await context.close()
    }
  })

  it('serves media with Range only to signed-in users or token holders', async () => {
    const session = await signInWithFetch(base, 'alice', 'correct horse battery')
    const size = videoBytes.length

    const part = await fetch(`${base}/media/${demoId}`, {
      headers: { Cookie: session.cookie, Range: 'bytes=100-199' }
    })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${size}`)
    expect(part.headers.get('accept-ranges')).toBe('bytes')
    expect(part.headers.get('content-type')).toBe('video/webm')
    expect(part.headers.get('cache-control')).toBe('private')
    expect(Buffer.from(await part.arrayBuffer())).toEqual(videoBytes.subarray(100, 200))

    const whole = await fetch(`${base}/media/${demoId}`, {
      headers: { Authorization: `Bearer ${aliceToken}` }
    })
    expect(whole.status).toBe(200)
    expect(whole.headers.get('content-length')).toBe(String(size))
    // The original bytes, unchanged.
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(videoBytes)

    const outside = await fetch(`${base}/media/${demoId}`, {
      headers: { Cookie: session.cookie, Range: `bytes=${size}-` }
    })
    expect(outside.status).toBe(416)
    expect(outside.headers.get('content-range')).toBe(`bytes */${size}`)
    await outside.arrayBuffer()

    const download = await fetch(`${base}/media/${demoId}?download=1`, {
      method: 'HEAD',
      headers: { Cookie: session.cookie }
    })
    expect(download.status).toBe(200)
    expect(download.headers.get('content-disposition')).toContain(
      'attachment; filename="demo.webm"'
    )

    const anonymous = await fetch(`${base}/media/${demoId}`)
    expect(anonymous.status).toBe(401)
    await anonymous.arrayBuffer()
    const thumbAnon = await fetch(`${base}/thumbs/${demoId}.jpg`)
    expect(thumbAnon.status).toBe(401)
    await thumbAnon.arrayBuffer()
    const thumb = await fetch(`${base}/thumbs/${demoId}.jpg`, {
      headers: { Cookie: session.cookie }
    })
    expect(thumb.status).toBe(200)
    expect(thumb.headers.get('content-type')).toBe('image/jpeg')
    expect(Buffer.from(await thumb.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]))

    const missing = await fetch(`${base}/media/nosuchvideo000`, {
      headers: { Cookie: session.cookie }
    })
    expect(missing.status).toBe(404)
    await missing.arrayBuffer()
  })

  it('refuses POSTs without the CSRF token or from another origin', async () => {
    const s: FetchSession = await signInWithFetch(base, 'alice', 'correct horse battery')

    const noToken = await postForm(base, `/v/${demoId}/delete`, {}, { Cookie: s.cookie })
    expect(noToken.status).toBe(403)
    await noToken.text()
    const wrongToken = await postForm(
      base,
      `/v/${demoId}/delete`,
      { csrf: 'x'.repeat(32) },
      {
        Cookie: s.cookie
      }
    )
    expect(wrongToken.status).toBe(403)
    await wrongToken.text()
    const otherOrigin = await postForm(
      base,
      `/v/${demoId}/delete`,
      { csrf: s.csrf },
      {
        Cookie: s.cookie,
        Origin: 'https://evil.example'
      }
    )
    expect(otherOrigin.status).toBe(403)
    await otherOrigin.text()
    const otherReferer = await postForm(
      base,
      '/profile/tokens',
      { csrf: s.csrf, label: 'x' },
      {
        Cookie: s.cookie,
        Referer: 'https://evil.example/form'
      }
    )
    expect(otherReferer.status).toBe(403)
    await otherReferer.text()
    // Still there.
    expect(await srv.library.db.getVideo(demoId)).not.toBeNull()

    // Sign-in without the double-submit cookie (login CSRF) is refused too.
    const loginCsrf = await postForm(
      base,
      '/signin',
      {
        name: 'alice',
        password: 'correct horse battery',
        csrf: 'a'.repeat(32)
      },
      { Origin: base }
    )
    expect(loginCsrf.status).toBe(403)
    expect(loginCsrf.headers.getSetCookie().some((c) => c.startsWith('sidecast_session='))).toBe(
      false
    )
    await loginCsrf.text()

    // Oversized form bodies are cut off.
    const big = await postForm(
      base,
      '/profile/tokens',
      { csrf: s.csrf, label: 'x'.repeat(70_000) },
      {
        Cookie: s.cookie
      }
    )
    expect(big.status).toBe(413)
    await big.text()

    // With the token, a form works.
    const ok = await postForm(
      base,
      '/profile/tokens',
      { csrf: s.csrf, label: 'from fetch' },
      {
        Cookie: s.cookie,
        Origin: base
      }
    )
    expect(ok.status).toBe(201)
    await ok.text()

    // `next` never leaves the site.
    const form = await fetch(`${base}/signin?next=${encodeURIComponent('//evil.example/x')}`)
    expect(await form.text()).toContain('name="next" value="/"')
  })

  it('slows down guessing: after 10 wrong passwords for a name, sign-in answers 429', async () => {
    await srv.library.db.createUser('carol', 'carol password 1', false)
    const form = await fetch(`${base}/signin`)
    const cookie = form.headers.getSetCookie()[0]?.split(';')[0] ?? ''
    const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? ''
    const attempt = (password: string): Promise<Response> =>
      postForm(base, '/signin', { name: 'carol', password, csrf }, { Cookie: cookie, Origin: base })
    for (let i = 0; i < 10; i++) {
      const res = await attempt(`guess ${i}`)
      expect(res.status).toBe(401)
      await res.text()
    }
    const blocked = await attempt('carol password 1')
    expect(blocked.status).toBe(429)
    expect(await blocked.text()).toContain('Too many failed attempts')
    // Other names are not affected.
    const other = await signInWithFetch(base, 'bob', 'bob password 1')
    expect(other.cookie).toMatch(/^sidecast_session=/)
  })

  it('lets the owner edit, and nobody else', async () => {
    const { context, page } = await newPage()
    try {
      await signIn(page, 'bob', 'bob password 1')
      await page.goto(`/v/${demoId}`)
      await expect(page.getByRole('link', { name: 'Edit' }).count()).resolves.toBe(0)
      await expect(page.getByRole('link', { name: 'Delete' }).count()).resolves.toBe(0)
      const edit = await page.goto(`/v/${demoId}/edit`)
      expect(edit?.status()).toBe(403)
      const del = await page.goto(`/v/${demoId}/delete`)
      expect(del?.status()).toBe(403)
    } finally {
      await context.close()
    }

    const owner = await newPage()
    try {
      const page = owner.page
      await signIn(page, 'alice', 'correct horse battery')
      await page.goto(`/v/${demoId}`)
      await page.getByRole('link', { name: 'Edit' }).click()
      await page.getByLabel('Title').fill('Dashboard walkthrough <v2>')
      await page.getByLabel('Description').fill('Updated & improved.')
      await Promise.all([
        page.waitForURL(`**/v/${demoId}?saved=1`),
        page.getByRole('button', { name: 'Save' }).click()
      ])
      await page.getByText('Your changes were saved.').waitFor()
      await expect(page.locator('h1').textContent()).resolves.toBe('Dashboard walkthrough <v2>')
      await expect(page.locator('.description').textContent()).resolves.toContain(
        'Updated & improved.'
      )
      // An empty title is refused with a message.
      await page.goto(`/v/${demoId}/edit`)
      await page.getByLabel('Title').fill('   ')
      await page.getByLabel('Title').evaluate((el: El) => el.removeAttribute('required'))
      const [resp] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.getByRole('button', { name: 'Save' }).click()
      ])
      expect(resp.status()).toBe(400)
      await page.getByText('The title cannot be empty.').waitFor()
      expect((await srv.library.db.getVideo(demoId))?.title).toBe('Dashboard walkthrough <v2>')
    } finally {
      await owner.context.close()
    }
  })

  it('creates an access token shown once, which then works, and revokes it', async () => {
    const { context, page } = await newPage()
    try {
      await signIn(page, 'alice', 'correct horse battery')
      await page.getByRole('link', { name: 'alice' }).click()
      expect(new URL(page.url()).pathname).toBe('/profile')
      await page.getByLabel('Label').fill('Office <desktop>')
      await page.getByRole('button', { name: 'Create token' }).click()
      await page.getByRole('heading', { name: 'Your new access token' }).waitFor()
      const token = await page.getByRole('textbox', { name: 'New access token' }).inputValue()
      expect(token.length).toBeGreaterThanOrEqual(20)
      await expect(page.locator('.new-token').textContent()).resolves.toContain(base)
      await shot(page, 'profile-laptop')

      const me = await fetch(`${base}/media/${demoId}`, {
        method: 'HEAD',
        headers: { Authorization: `Bearer ${token}` }
      })
      expect(me.status).toBe(200)

      // Shown once: a reload of the profile has only the prefix.
      await page.goto('/profile')
      expect(await page.content()).not.toContain(token)
      const row = page.locator('tr', { hasText: 'Office <desktop>' })
      await expect(row.locator('code').textContent()).resolves.toBe(`${token.slice(0, 8)}…`)
      await Promise.all([
        page.waitForURL('**/profile?revoked=1'),
        row.getByRole('button', { name: /^Revoke/ }).click()
      ])
      await page.getByText('The token was revoked.').waitFor()
      await expect(page.locator('tr', { hasText: 'Office <desktop>' }).count()).resolves.toBe(0)
      const after = await fetch(`${base}/media/${demoId}`, {
        method: 'HEAD',
        headers: { Authorization: `Bearer ${token}` }
      })
      expect(after.status).toBe(401)
    } finally {
      await context.close()
    }
  })

  it('looks right on a phone', async () => {
    const { context, page } = await newPage({ width: 390, height: 844 })
    try {
      await page.goto('/signin')
      await shot(page, 'signin-phone')
      await signIn(page, 'alice', 'correct horse battery')
      await page.goto('/')
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth
      )
      expect(overflow).toBeLessThanOrEqual(0)
      await shot(page, 'library-phone')
      await page.goto(`/v/${demoId}`)
      await page.waitForFunction(() => document.querySelector('video')!.readyState > 0)
      const watchOverflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth
      )
      expect(watchOverflow).toBeLessThanOrEqual(0)
      await shot(page, 'watch-phone')
      await page.goto('/profile')
      await shot(page, 'profile-phone')
    } finally {
      await context.close()
    }
    if (SCREENSHOTS) {
      const dark = await newPage({ colorScheme: 'dark' })
      try {
        await signIn(dark.page, 'alice', 'correct horse battery')
        await dark.page.goto('/')
        await shot(dark.page, 'library-dark')
        await dark.page.goto(`/v/${demoId}`)
        await dark.page.waitForFunction(() => document.querySelector('video')!.readyState > 0)
        await shot(dark.page, 'watch-dark')
      } finally {
        await dark.context.close()
      }
    }
  })

  it('deletes a video after confirmation; it is gone from the list and its page is 404', async () => {
    const { context, page } = await newPage()
    try {
      await signIn(page, 'alice', 'correct horse battery')
      await page.goto(`/v/${demoId}`)
      await page.getByRole('link', { name: 'Delete' }).click()
      await page.getByRole('heading', { name: 'Delete this video?' }).waitFor()
      await shot(page, 'delete-laptop')
      await Promise.all([
        page.waitForURL('**/?deleted=1'),
        page.getByRole('button', { name: 'Delete video' }).click()
      ])
      await page.getByText('The video was deleted.').waitFor()
      await expect(page.locator('.card-title').allTextContents()).resolves.toEqual([XSS_TITLE])
      const gone = await page.goto(`/v/${demoId}`)
      expect(gone?.status()).toBe(404)
      await page.getByRole('heading', { name: 'Video not found' }).waitFor()
      expect(await srv.library.db.getVideo(demoId)).toBeNull()

      // Delete the last one too: the empty library explains how to upload.
      await page.goto(`/v/${xssId}/delete`)
      await Promise.all([
        page.waitForURL('**/?deleted=1'),
        page.getByRole('button', { name: 'Delete video' }).click()
      ])
      const emptyText = (await page.locator('.empty').textContent())?.replace(/\s+/g, ' ')
      expect(emptyText).toContain(
        `No videos yet. In the Sidecast app, open Settings, enter this library's URL (${base}) and an access token from your profile, then press Upload on a recording.`
      )
      await shot(page, 'empty-laptop')
    } finally {
      await context.close()
    }
  })

  it('signs out: the session ends and the library asks for sign-in again', async () => {
    const { context, page } = await newPage()
    try {
      await signIn(page, 'alice', 'correct horse battery')
      const sessionCookie = (await context.cookies()).find((c) => c.name === 'sidecast_session')
      await Promise.all([
        page.waitForURL('**/signin?signedout=1'),
        page.getByRole('button', { name: 'Sign out' }).click()
      ])
      await page.getByText('You have signed out.').waitFor()
      await page.goto('/')
      expect(new URL(page.url()).pathname).toBe('/signin')
      // The old cookie no longer works anywhere.
      const replay = await fetch(`${base}/`, {
        redirect: 'manual',
        headers: { Cookie: `sidecast_session=${sessionCookie?.value ?? ''}` }
      })
      expect(replay.status).toBe(303)
      expect(replay.headers.get('location')).toBe('/signin')
    } finally {
      await context.close()
    }
  })
})
