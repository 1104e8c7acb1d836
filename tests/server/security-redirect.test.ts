/**
 * Issue 18, open redirect: `next` after sign-in is a path on this library, whatever dot
 * segments, backslashes, control characters or percent-encoding it hides a host behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { safeNext } from '../../server/src/pages/http'
import { request, startServer, type TestServer } from './support'

const PUBLIC = 'https://library.example.com'

/** Every one of these reached `//evil.example` (or another host) through some browser. */
const HOSTILE = [
  '/.//evil.example',
  '/..//evil.example',
  '/./..//evil.example',
  '/%2e//evil.example',
  '/%2E//evil.example',
  '/%2e%2e//evil.example',
  '/.%2e//evil.example',
  '/a/..//evil.example',
  '/a/%2e%2e//evil.example',
  '/.///evil.example',
  '//evil.example',
  '///evil.example',
  '/\\evil.example',
  '/.\\/evil.example',
  '/.\\\\evil.example',
  '\\\\evil.example',
  '/\t/evil.example',
  '/.\t//evil.example',
  '/\n/evil.example',
  '/\r\n/evil.example',
  'https://evil.example/',
  'https:evil.example',
  'http://library.example.com.evil.example/',
  'javascript:alert(1)',
  'data:text/html,hi',
  ' /x',
  'x',
  '',
  null,
  undefined,
  '/signin',
  '/signout',
  '/signin?next=//evil.example'
]

/** Local paths come back as they are, or with their dot segments resolved. */
const GOOD: [string, string][] = [
  ['/', '/'],
  ['/profile', '/profile'],
  ['/v/abc?t=3', '/v/abc?t=3'],
  ['/v/abc#t=10', '/v/abc#t=10'],
  ['/?q=hello%20world&page=2', '/?q=hello%20world&page=2'],
  ['/v/a/../b', '/v/b'],
  ['/./profile', '/profile'],
  ['/%2f%2fevil.example', '/%2f%2fevil.example'],
  ['/ /evil.example', '/%20/evil.example'],
  ['/v/x?next=//evil.example', '/v/x?next=//evil.example']
]

describe('safeNext', () => {
  it.each(HOSTILE.map((h) => [JSON.stringify(h), h]))('refuses %s', (_, hostile) => {
    expect(safeNext(hostile, PUBLIC)).toBe('/')
    expect(safeNext(hostile)).toBe('/')
  })

  it.each(GOOD)('keeps %s as %s', (given, expected) => {
    expect(safeNext(given, PUBLIC)).toBe(expected)
    // What it returns is itself same-origin when a browser resolves it.
    expect(new URL(expected, PUBLIC).origin).toBe(PUBLIC)
  })
})

describe('sign-in never redirects off the library', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startServer()
  })
  afterAll(() => s?.close())

  it('puts "/" in the form for a hostile next, and a signed-in visitor is sent to "/"', async () => {
    for (const hostile of ['/.//evil.example', '/..//evil.example', '/%2e//evil.example']) {
      const form = await request(s.url, 'GET', `/signin?next=${encodeURIComponent(hostile)}`)
      expect(form.status).toBe(200)
      expect(form.text).toContain('name="next" value="/"')
    }
    // Signed in already: /signin redirects straight to next.
    const session = await s.app.library.db.createSession(s.user.id)
    const res = await request(
      s.url,
      'GET',
      `/signin?next=${encodeURIComponent('/.//evil.example')}`,
      {
        Cookie: `sidecast_session=${session.id}`
      }
    )
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/')
  })
})
