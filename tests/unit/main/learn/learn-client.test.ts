/**
 * The learn client and the Requests view's handlers against a real local HTTP server that
 * answers like the library's API (and badly, in the ways a server or proxy can).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  createLearnClient,
  isLibraryPage,
  NOT_CONNECTED_MESSAGE,
  parseNotification,
  parseRequest,
  TOKEN_REFUSED_MESSAGE,
  UNSUPPORTED_MESSAGE,
  type LearnClient
} from '../../../../src/main/learn/learn-client'
import { learnHandlers } from '../../../../src/main/learn/learn-handlers'
import type { LibraryCredentials } from '../../../../src/main/share/library'
import type { RequestJson } from '../../../../src/shared/learn'

const TOKEN = 'sct_test-token'

/** What the fake library answers per path; `seen` records each request. */
let routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void>
let seen: { path: string; auth: string | undefined }[]
let server: Server
let base: string
let creds: LibraryCredentials | null

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

function request(over: Partial<RequestJson> & { id: string }): RequestJson {
  return {
    title: `Request ${over.id}`,
    details: '',
    tags: [],
    askedBy: 'bob',
    createdAt: '2026-12-01T10:00:00.000Z',
    state: 'open',
    wanted: 1,
    answers: [],
    url: `${base}/requests/${over.id}`,
    ...over
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    seen.push({ path: `${url.pathname}${url.search}`, auth: req.headers.authorization })
    const route = routes[url.pathname]
    if (route) route(req, res)
    else json(res, 404, { error: 'Not found' })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

let client: LearnClient
beforeEach(() => {
  seen = []
  creds = { url: base, token: TOKEN }
  routes = {
    '/api/me': (_req, res) => json(res, 200, { name: 'alice', admin: false, features: ['learn'] })
  }
  client = createLearnClient({ credentials: async () => creds, timeoutMs: 5000 })
})

describe('learn client', () => {
  it('reads the features with the token, and none from an older library', async () => {
    expect(await client.features()).toEqual({ kind: 'ok', value: ['learn'] })
    expect(seen[0]).toEqual({ path: '/api/me', auth: `Bearer ${TOKEN}` })
    routes['/api/me'] = (_req, res) => json(res, 200, { name: 'alice', admin: false })
    expect(await client.features()).toEqual({ kind: 'ok', value: [] })
  })

  it('reads whose the token is (the name keys the notification cursor) with the features', async () => {
    expect(await client.me()).toEqual({ kind: 'ok', value: { name: 'alice', features: ['learn'] } })
    routes['/api/me'] = (_req, res) => json(res, 200, { features: ['learn'] })
    expect(await client.me()).toMatchObject({ kind: 'failed' })
  })

  it('says "not connected" without credentials and asks nothing', async () => {
    creds = null
    expect(await client.openRequests()).toEqual({
      kind: 'not-connected',
      message: NOT_CONNECTED_MESSAGE
    })
    expect(seen).toEqual([])
  })

  it('asks for open requests with q, and lists them newest first, dropping what is not one', async () => {
    routes['/api/requests'] = (_req, res) =>
      json(res, 200, {
        requests: [
          request({ id: 'old', createdAt: '2026-11-01T00:00:00.000Z' }),
          request({
            id: 'new',
            createdAt: '2026-12-02T00:00:00.000Z',
            tags: ['excel', 7 as never]
          }),
          { id: 'broken' },
          request({ id: 'solved', state: 'solved' })
        ]
      })
    const answer = await client.openRequests('  invoices "* NEAR( ')
    expect(seen[0]?.path).toBe(
      `/api/requests?${new URLSearchParams({ state: 'open', q: 'invoices "* NEAR(' }).toString()}`
    )
    expect(answer.kind).toBe('ok')
    if (answer.kind !== 'ok') return
    expect(answer.value.map((r) => r.id)).toEqual(['new', 'old'])
    expect(answer.value[0]?.tags).toEqual(['excel'])
  })

  it('takes a bare array of requests too', async () => {
    routes['/api/requests'] = (_req, res) => json(res, 200, [request({ id: 'a' })])
    const answer = await client.openRequests()
    expect(answer.kind === 'ok' && answer.value.map((r) => r.id)).toEqual(['a'])
    expect(seen[0]?.path).toBe('/api/requests?state=open')
  })

  it('sorts refusals, server errors, redirects and garbage into outcomes in words', async () => {
    routes['/api/requests'] = (_req, res) => json(res, 401, { error: 'Sign in' })
    expect(await client.openRequests()).toEqual({ kind: 'auth', message: TOKEN_REFUSED_MESSAGE })
    routes['/api/requests'] = (_req, res) => json(res, 503, { error: 'Busy' })
    const busy = await client.openRequests()
    expect(busy.kind).toBe('failed')
    expect(busy.kind !== 'ok' && busy.message).toMatch(/HTTP 503.*Busy/)
    routes['/api/requests'] = (_req, res) => {
      res.writeHead(302, { location: 'http://elsewhere.example/' })
      res.end()
    }
    expect((await client.openRequests()).kind).toBe('failed')
    routes['/api/requests'] = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end('<html>proxy login</html>')
    }
    expect((await client.openRequests()).kind).toBe('failed')
    routes['/api/requests'] = (_req, res) => json(res, 200, { requests: 'nope' })
    expect((await client.openRequests()).kind).toBe('failed')
  })

  it('says the library is unreachable when nothing answers', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    creds = { url: `http://127.0.0.1:${port}`, token: TOKEN }
    const answer = await client.openRequests()
    expect(answer.kind).toBe('unreachable')
    expect(answer.kind !== 'ok' && answer.message).toContain(`127.0.0.1:${port}`)
  })

  it('asks for notifications after a cursor and keeps only well-formed ones', async () => {
    routes['/api/notifications'] = (_req, res) =>
      json(res, 200, {
        notifications: [
          {
            id: 7,
            kind: 'answer',
            actorName: 'alice',
            title: 'alice answered your request',
            body: 'Invoices',
            url: `${base}/v/abc?t=5`,
            createdAt: '2026-12-01T10:00:00.000Z',
            read: false
          },
          { id: 'eight', title: 'x', url: 'y' },
          { id: 9, title: 'no url' }
        ],
        unread: 3
      })
    const answer = await client.notifications(5)
    expect(seen[0]?.path).toBe('/api/notifications?limit=50&after=5')
    expect(answer.kind).toBe('ok')
    if (answer.kind !== 'ok') return
    expect(answer.value.unread).toBe(3)
    expect(answer.value.notifications.map((n) => n.id)).toEqual([7])
  })
})

describe('parsers and checks', () => {
  it('refuse what is not a request or a notification', () => {
    expect(parseRequest(null)).toBeNull()
    expect(
      parseRequest({ id: 'a', title: 't', askedBy: 'b', url: 'u', state: 'closed' })
    ).toBeNull()
    expect(parseNotification({ id: -1, title: 't', url: 'u' })).toBeNull()
    expect(parseNotification({ id: 1.5, title: 't', url: 'u' })).toBeNull()
  })

  it('isLibraryPage allows only http(s) pages of the library origin', () => {
    const lib = 'https://library.example.com/team'
    expect(isLibraryPage('https://library.example.com/v/abc?t=5', lib)).toBe(true)
    expect(isLibraryPage('http://library.example.com/v/abc', lib)).toBe(false)
    expect(isLibraryPage('https://library.example.com.evil.test/v/abc', lib)).toBe(false)
    expect(isLibraryPage('javascript:alert(1)', lib)).toBe(false)
    expect(isLibraryPage('file:///etc/passwd', lib)).toBe(false)
    expect(isLibraryPage('not a url', lib)).toBe(false)
    expect(isLibraryPage(42, lib)).toBe(false)
  })
})

describe('requests handlers', () => {
  const opened: string[] = []
  const handlers = (): ReturnType<typeof learnHandlers> =>
    learnHandlers({
      client,
      openExternal: async (url) => {
        opened.push(url)
      }
    })

  it('lists open requests from a library with the learn feature', async () => {
    routes['/api/requests'] = (_req, res) => json(res, 200, { requests: [request({ id: 'r1' })] })
    const list = await handlers()['requests:list']({ q: 'excel' })
    expect(list.state).toBe('ok')
    expect(list.state === 'ok' && list.requests.map((r) => r.id)).toEqual(['r1'])
  })

  it('says an older library does not take requests, and does not ask it for them', async () => {
    routes['/api/me'] = (_req, res) =>
      json(res, 200, { name: 'alice', admin: false, features: ['edits'] })
    expect(await handlers()['requests:list']({})).toEqual({
      state: 'unsupported',
      message: UNSUPPORTED_MESSAGE
    })
    expect(seen.map((s) => s.path)).toEqual(['/api/me'])
  })

  it('passes on "not connected" and a refused token', async () => {
    creds = null
    expect((await handlers()['requests:list']({})).state).toBe('not-connected')
    creds = { url: base, token: TOKEN }
    routes['/api/me'] = (_req, res) => json(res, 403, { error: 'Token revoked' })
    expect((await handlers()['requests:list']({})).state).toBe('auth')
  })

  it('refuses a query of the wrong type or size', async () => {
    await expect(handlers()['requests:list']({ q: 42 as never })).rejects.toMatchObject({
      code: 'bad-request'
    })
    await expect(handlers()['requests:list']('x' as never)).rejects.toMatchObject({
      code: 'bad-request'
    })
    await expect(handlers()['requests:list']({ q: 'x'.repeat(401) })).rejects.toMatchObject({
      code: 'bad-request'
    })
  })

  it('opens only pages of the connected library', async () => {
    opened.length = 0
    await handlers()['requests:open'](`${base}/requests/r1`)
    expect(opened).toEqual([`${base}/requests/r1`])
    await expect(
      handlers()['requests:open']('https://evil.test/requests/r1')
    ).rejects.toMatchObject({ code: 'not-library-link' })
    await expect(handlers()['requests:open']('javascript:alert(1)')).rejects.toMatchObject({
      code: 'not-library-link'
    })
    await expect(handlers()['requests:open'](7 as never)).rejects.toMatchObject({
      code: 'bad-request'
    })
    creds = null
    await expect(handlers()['requests:open'](`${base}/requests/r1`)).rejects.toMatchObject({
      code: 'library-not-set'
    })
    expect(opened).toEqual([`${base}/requests/r1`])
  })
})
