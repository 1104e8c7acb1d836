/**
 * "Test connection" against small local HTTP servers that answer like various real ones, through
 * Node's fetch (the harness) and through the app's fetch over net.request (here on node:http,
 * with Chromium's `net::ERR_…` errors): both read the same.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createNetFetch } from '../../../../src/main/share/http-stack'
import {
  isLibraryLink,
  libraryUrlProblem,
  normaliseLibraryUrl,
  testConnection as testConnectionWith,
  type TestConnectionOptions
} from '../../../../src/main/share/library-client'
import type { LibraryFetch } from '../../../../src/main/share/library-net'
import { nodeNetRequest } from '../../../support/node-net-request'

const servers: Server[] = []

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections()
          s.close(() => resolve())
        })
    )
  )
})

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void
): Promise<string> {
  const server = createServer(handler)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

/** A Sidecast-like /api/me: alice with "good-token", 401 otherwise. */
function sidecast(req: IncomingMessage, res: ServerResponse): void {
  if (req.url !== '/api/me') return json(res, 404, { error: 'not found' })
  if (req.headers.authorization !== 'Bearer good-token') {
    return json(
      res,
      401,
      { error: 'sign in or send Authorization: Bearer <token>' },
      {
        'www-authenticate': 'Bearer realm="sidecast"'
      }
    )
  }
  json(res, 200, { name: 'alice', admin: false })
}

describe.each<[string, LibraryFetch | undefined]>([
  ['Node’s fetch', undefined],
  ['fetch over net.request', createNetFetch(nodeNetRequest())]
])('testConnection with %s', (_stack, fetch) => {
  const testConnection = (url: string, token: string, options: TestConnectionOptions = {}) =>
    testConnectionWith(url, token, { ...options, ...(fetch ? { fetch } : {}) })

  it('says who the token belongs to', async () => {
    const url = await serve(sidecast)
    expect(await testConnection(`${url}/`, 'good-token')).toEqual({
      ok: true,
      message: 'Connected as alice',
      userName: 'alice'
    })
  })

  it('works with a library under a path prefix', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/library/api/me') return json(res, 200, { name: 'ben', admin: true })
      json(res, 404, {})
    })
    expect(await testConnection(`${url}/library`, 'x')).toMatchObject({ ok: true, userName: 'ben' })
  })

  it('says the token is wrong or revoked on a Sidecast 401', async () => {
    const url = await serve(sidecast)
    const result = await testConnection(url, 'revoked-token')
    expect(result.ok).toBe(false)
    expect(result.message).toMatch(/refused the access token: it is wrong or has been revoked/)
    // Settings puts this failure at the token field.
    expect(result.field).toBe('token')
  })

  it.each([
    [
      'an HTML 404',
      (_req: IncomingMessage, res: ServerResponse) => {
        res.writeHead(404, { 'content-type': 'text/html' })
        res.end('<h1>Not found</h1>')
      }
    ],
    [
      'an HTML page for every path',
      (_req: IncomingMessage, res: ServerResponse) => {
        res.writeHead(200, { 'content-type': 'text/html' })
        res.end('<!doctype html><title>Welcome to nginx</title>')
      }
    ],
    [
      'JSON of another shape',
      (_req: IncomingMessage, res: ServerResponse) => json(res, 200, { user: { id: 1 } })
    ]
  ])('says it is not a Sidecast library server for %s', async (_name, handler) => {
    const url = await serve(handler)
    const result = await testConnection(url, 'good-token')
    expect(result).toEqual({
      ok: false,
      message: `${url} answered, but it is not a Sidecast library server. Check the library’s address.`,
      field: 'url'
    })
  })

  it('does not blame the token for a sign-in that is not Sidecast’s', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(401, {
        'www-authenticate': 'Basic realm="intranet"',
        'content-type': 'text/html'
      })
      res.end('<h1>401</h1>')
    })
    const { message } = await testConnection(url, 'good-token')
    expect(message).toMatch(/not a Sidecast access token \(HTTP 401\)/)
  })

  // Skipped over Node's fetch: it turns any 407 into a network error (the fetch standard), and
  // Node's stack uses no proxy anyway.
  it.skipIf(!fetch)('says a proxy asks for a sign-in on a 407', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="office"' })
      res.end()
    })
    expect((await testConnection(url, 'good-token')).message).toBe(
      'The proxy server set on this computer asks for a sign-in that Sidecast cannot give (HTTP 407). Ask your IT department.'
    )
  })

  it('reports a server error with its status', async () => {
    const url = await serve((_req, res) => json(res, 503, { error: 'down' }))
    const { host } = new URL(url)
    expect((await testConnection(url, 'good-token')).message).toBe(
      `The library server at ${host} has a problem (HTTP 503). Try again later, or tell whoever runs it.`
    )
  })

  it('names where a redirect goes instead of following it without the token', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(301, { location: 'https://library.example.com/api/me' })
      res.end()
    })
    expect((await testConnection(url, 'good-token')).message).toMatch(
      /sends visitors on to https:\/\/library\.example\.com\. If that is the library, enter that address instead\./
    )
  })

  it('names the host when nothing is listening', async () => {
    const url = await serve(sidecast)
    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()))
    const { host } = new URL(url)
    expect(await testConnection(url, 'good-token')).toEqual({
      ok: false,
      message: `Nothing is answering at ${host}. Check the library’s address and that the library server is running.`,
      field: 'url'
    })
  })

  it('gives up after the timeout and says so', async () => {
    const url = await serve(() => undefined)
    const { host } = new URL(url)
    const started = Date.now()
    const result = await testConnection(url, 'good-token', { timeoutMs: 300 })
    expect(result.message).toBe(
      `${host} did not answer within 0.3 seconds. Check the library’s address and your network connection.`
    )
    expect(Date.now() - started).toBeLessThan(10_000)
  })

  it('says a name cannot be found', async () => {
    const result = await testConnection('http://no-such-host.invalid', 'good-token', {
      timeoutMs: 8000
    })
    expect(result.ok).toBe(false)
    expect(result.message).toMatch(/no-such-host\.invalid/)
  })

  it.each([
    [
      'library.example.com',
      /not a valid web address. It should start with http:\/\/ or https:\/\//
    ],
    ['ftp://library.example.com', /must start with http:\/\/ or https:\/\//],
    ['', /Enter the library’s address/],
    ['https://bob:pw@library.example.com', /must not contain a user name or password/]
  ])('refuses the address %j without asking the network', async (url, message) => {
    const result = await testConnection(url, 'good-token')
    expect(result.ok).toBe(false)
    expect(result.message).toMatch(message)
  })

  it.each([
    ['', /Enter an access token first/],
    ['two words', /spaces or characters a token never has/]
  ])('refuses the token %j without asking the network', async (token, message) => {
    expect((await testConnection('http://127.0.0.1:1', token)).message).toMatch(message)
  })
})

describe('library addresses', () => {
  it.each([
    ['https://library.example.com/', 'https://library.example.com'],
    ['  http://127.0.0.1:8080  ', 'http://127.0.0.1:8080'],
    ['https://example.com/library//', 'https://example.com/library'],
    ['HTTPS://Example.COM', 'https://example.com']
  ])('normalises %j to %j', (input, output) => {
    expect(libraryUrlProblem(input)).toBeNull()
    expect(normaliseLibraryUrl(input)).toBe(output)
  })

  it.each([
    ['https://lib.example.com/v/abc', 'https://lib.example.com', true],
    ['https://lib.example.com', 'https://lib.example.com', true],
    ['https://lib.example.com/lib/v/abc', 'https://lib.example.com/lib', true],
    ['https://lib.example.com/library-other/v/abc', 'https://lib.example.com/lib', false],
    ['https://lib.example.com.evil.test/v/abc', 'https://lib.example.com', false],
    ['http://lib.example.com/v/abc', 'https://lib.example.com', false],
    ['javascript:alert(1)', 'https://lib.example.com', false],
    ['file:///etc/passwd', 'https://lib.example.com', false],
    ['https://lib.example.com/v/abc', '', false]
  ])('isLibraryLink(%j, %j) is %s', (link, base, expected) => {
    expect(isLibraryLink(link, base)).toBe(expected)
  })
})
