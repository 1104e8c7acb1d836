/**
 * The page routes below the browser: cookies under an https public URL, headers, methods,
 * static files, form parsing. A real server on 127.0.0.1 (port 0); no video needed.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLibraryServer, type LibraryServer } from '../../server/src/app'
import { loadConfig } from '../../server/src/config'
import { csrfFrom, postForm } from './helpers-pages/session'

let dir: string
let srv: LibraryServer
let base: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sidecast-pages-http-'))
  const config = loadConfig(
    ['--data', join(dir, 'data'), '--port', '0', '--public-url', 'https://library.example.com'],
    {}
  )
  srv = await createLibraryServer(config)
  base = srv.url
  await srv.library.db.createUser('dana', 'dana password 1', false)
})

afterAll(async () => {
  await srv?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

async function signInForm(): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${base}/signin`)
  const set = res.headers.getSetCookie()
  const signin = set.find((c) => c.startsWith('sidecast_signin='))
  expect(signin).toMatch(/HttpOnly/)
  expect(signin).toMatch(/SameSite=Strict/)
  expect(signin).toMatch(/Secure/)
  return { cookie: signin!.split(';')[0]!, csrf: csrfFrom(await res.text()) }
}

describe('page routes over HTTP', () => {
  it('sets a Secure, HttpOnly, SameSite=Lax session cookie and follows a local next', async () => {
    const { cookie, csrf } = await signInForm()
    const res = await postForm(
      base,
      '/signin',
      { name: 'dana', password: 'dana password 1', csrf, next: '/v/abc123456789?t=3' },
      { Cookie: cookie, Origin: 'https://library.example.com' }
    )
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/v/abc123456789?t=3')
    const session = res.headers.getSetCookie().find((c) => c.startsWith('sidecast_session='))
    expect(session).toMatch(/HttpOnly/)
    expect(session).toMatch(/SameSite=Lax/)
    expect(session).toMatch(/Path=\//)
    expect(session).toMatch(/Secure/)
  })

  it('sends the security headers on pages and assets', async () => {
    for (const path of ['/signin', '/public/style.css', '/public/watch.js']) {
      const res = await fetch(`${base}${path}`)
      expect(res.status, path).toBe(200)
      expect(res.headers.get('content-security-policy')).toBe(
        "default-src 'self'; img-src 'self' data:; media-src 'self'; object-src 'none'; " +
          "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
      )
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(res.headers.get('referrer-policy')).toBe('same-origin')
      await res.arrayBuffer()
    }
    const js = await fetch(`${base}/public/watch.js`)
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    await js.text()
  })

  it('asks for sign-in on every page and keeps the way back', async () => {
    for (const path of ['/', '/profile', '/v/abc123456789', '/v/abc123456789/edit']) {
      const res = await fetch(`${base}${path}`, { redirect: 'manual' })
      expect(res.status, path).toBe(303)
      const location = res.headers.get('location') ?? ''
      expect(location.startsWith('/signin'), path).toBe(true)
      if (path !== '/') expect(location).toBe(`/signin?next=${encodeURIComponent(path)}`)
    }
    // A Bearer token does not open the HTML pages (they need a session and its CSRF token).
    const user = (await srv.library.db.getUserByName('dana'))!
    const { token } = await srv.library.db.createToken(user.id, 'x')
    const withToken = await fetch(`${base}/`, {
      redirect: 'manual',
      headers: { Authorization: `Bearer ${token}` }
    })
    expect(withToken.status).toBe(303)
  })

  it('answers 405 for wrong methods, 404 for unknown assets, 415 for non-form bodies', async () => {
    const put = await fetch(`${base}/signin`, { method: 'PUT' })
    expect(put.status).toBe(405)
    expect(put.headers.get('allow')).toBe('GET, HEAD, POST')
    await put.text()
    for (const name of ['nope.css', '.env', 'style.css.bak', 'STYLE.CSS']) {
      const res = await fetch(`${base}/public/${name}`)
      expect(res.status, name).toBe(404)
      await res.text()
    }
    const page = await fetch(`${base}/no/such/page`, { headers: { Accept: 'text/html' } })
    expect(page.status).toBe(404)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await page.text()).toContain('Page not found')
    const api = await fetch(`${base}/no/such/page`)
    expect(api.status).toBe(404)
    await api.text()
    const { cookie, csrf } = await signInForm()
    const json = await fetch(`${base}/signin`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: cookie },
      body: JSON.stringify({ name: 'dana', password: 'dana password 1', csrf })
    })
    expect(json.status).toBe(415)
    await json.text()
  })

  it('refuses a sign-in POST from another origin', async () => {
    const { cookie, csrf } = await signInForm()
    const res = await postForm(
      base,
      '/signin',
      { name: 'dana', password: 'dana password 1', csrf },
      { Cookie: cookie, Origin: 'https://evil.example' }
    )
    expect(res.status).toBe(403)
    expect(res.headers.getSetCookie().some((c) => c.startsWith('sidecast_session='))).toBe(false)
    await res.text()
  })
})
