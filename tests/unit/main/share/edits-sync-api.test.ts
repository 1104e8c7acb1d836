/**
 * The edits API client (src/main/share/edits-api.ts) over the app's own library fetch
 * (createNetFetch on a net.request built on node:http, as Electron's net is in the app) and over
 * Node's fetch, against a small local server: the PUT's body and headers arrive whole, and each
 * kind of answer is sorted into what the edits sync does with it. Also the `/api/me` feature check.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serializeEdits, type Edits } from '../../../../src/shared/edits'
import {
  createEditsApi,
  createEditsFeatureCheck,
  SIGN_IN_MESSAGE
} from '../../../../src/main/share/edits-api'
import { createNetFetch } from '../../../../src/main/share/http-stack'
import { NODE_LIBRARY_NET, type LibraryFetch } from '../../../../src/main/share/library-net'
import { nodeNetRequest } from '../../../support/node-net-request'

const TOKEN = 'tok_edits_123'
const EDITS: Edits = {
  version: 2,
  keep: [
    [0, 1000],
    [2000, 5000]
  ],
  annotations: [
    {
      id: 'c1',
      type: 'callout',
      startMs: 100,
      endMs: 900,
      x: 0.1,
      y: 0.2,
      w: 0.3,
      h: 0.1,
      text: 'Ünïcode — “quoted” </script>'
    }
  ]
}

interface Received {
  method: string
  path: string
  auth: string | undefined
  contentType: string | undefined
  body: string
}

/** What the server answers for a video id (the id picks the case). */
const ANSWERS: Record<string, { status: number; body: unknown }> = {
  ok: { status: 200, body: { version: 7, video: {} } },
  stale: {
    status: 409,
    body: {
      error:
        'These edits are based on version 1, but the library has version 3 (changed elsewhere). Nothing was saved.',
      version: 3
    }
  },
  bad: { status: 400, body: { error: 'The edits were refused: annotations[0].text must be text' } },
  big: { status: 413, body: { error: 'The edits are too large.' } },
  token: { status: 401, body: { error: 'Unknown token.' } },
  notOwner: { status: 403, body: { error: "Only the video's owner can read its edits." } },
  gone: { status: 404, body: { error: 'No such video.' } },
  broken: { status: 503, body: { error: 'Busy.' } }
}

let server: http.Server
let base: string
const received: Received[] = []

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const path = req.url ?? ''
      received.push({
        method: req.method ?? '',
        path,
        auth: req.headers.authorization,
        contentType: req.headers['content-type'],
        body: Buffer.concat(chunks).toString('utf8')
      })
      res.setHeader('content-type', 'application/json')
      if (path === '/api/me') {
        res.end(JSON.stringify({ name: 'alice', admin: false, features: ['edits'] }))
        return
      }
      const id = /^\/api\/videos\/([^/]+)\/edits$/.exec(path)?.[1] ?? ''
      const answer = ANSWERS[id] ?? ANSWERS.ok!
      if (req.method === 'GET' && answer.status === 200) {
        res.end(JSON.stringify({ version: 7, edits: JSON.parse(serializeEdits(EDITS)) }))
        return
      }
      res.statusCode = answer.status
      res.end(JSON.stringify(answer.body))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

const stacks: [string, () => LibraryFetch][] = [
  ['net.request', () => createNetFetch(nodeNetRequest())],
  ['Node', () => NODE_LIBRARY_NET.fetch]
]

describe.each(stacks)('the edits API over %s', (_name, makeFetch) => {
  const api = () =>
    createEditsApi({ credentials: async () => ({ url: base, token: TOKEN }), fetch: makeFetch() })

  it('PUTs { baseVersion, edits } whole, with the token, and reads the new version', async () => {
    const before = received.length
    expect(await api().put('ok', 6, EDITS)).toEqual({ kind: 'ok', version: 7 })
    const [sent] = received.slice(before)
    expect(sent).toMatchObject({
      method: 'PUT',
      path: '/api/videos/ok/edits',
      auth: `Bearer ${TOKEN}`,
      contentType: 'application/json'
    })
    const body = JSON.parse(sent!.body) as { baseVersion: number; edits: unknown }
    expect(body.baseVersion).toBe(6)
    expect(body.edits).toEqual(JSON.parse(serializeEdits(EDITS)))
  })

  it('GETs the newest version with its edits', async () => {
    const answer = await api().get('ok')
    expect(answer).toMatchObject({ kind: 'ok', version: 7 })
  })

  it('sorts the library’s refusals', async () => {
    const a = api()
    expect(await a.put('stale', 1, EDITS)).toEqual({
      kind: 'conflict',
      version: 3,
      message: (ANSWERS.stale!.body as { error: string }).error
    })
    expect(await a.put('bad', 1, EDITS)).toEqual({
      kind: 'refused',
      message: 'The edits were refused: annotations[0].text must be text'
    })
    expect((await a.put('big', 1, EDITS)).kind).toBe('refused')
    expect(await a.put('token', 1, EDITS)).toEqual({ kind: 'auth', message: SIGN_IN_MESSAGE })
    const notOwner = await a.put('notOwner', 1, EDITS)
    expect(notOwner.kind).toBe('auth')
    expect(notOwner).toMatchObject({ message: expect.stringContaining("video's owner") })
    expect((await a.put('gone', 1, EDITS)).kind).toBe('gone')
    expect((await a.put('broken', 1, EDITS)).kind).toBe('retry')
  })
})

describe('the edits API without an answer', () => {
  it('is "retry" when nothing listens, and "auth" when no library is set', async () => {
    const closed = http.createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const offline = createEditsApi({
      credentials: async () => ({ url: `http://127.0.0.1:${port}`, token: TOKEN }),
      fetch: createNetFetch(nodeNetRequest())
    })
    const answer = await offline.put('ok', 1, EDITS)
    expect(answer.kind).toBe('retry')
    expect(answer).toMatchObject({ message: expect.stringContaining('Nothing is answering') })

    const unset = createEditsApi({ credentials: async () => null })
    expect((await unset.put('ok', 1, EDITS)).kind).toBe('auth')
  })
})

describe('the feature check', () => {
  it('reads `features` from /api/me once, and again after forget()', async () => {
    const check = createEditsFeatureCheck({
      credentials: async () => ({ url: base, token: TOKEN }),
      fetch: createNetFetch(nodeNetRequest())
    })
    const before = received.filter((r) => r.path === '/api/me').length
    expect(await check.takesEdits()).toBe(true)
    expect(await check.takesEdits()).toBe(true)
    expect(received.filter((r) => r.path === '/api/me').length).toBe(before + 1)
    check.forget()
    expect(await check.takesEdits()).toBe(true)
    expect(received.filter((r) => r.path === '/api/me').length).toBe(before + 2)
  })

  it('is false without a library', async () => {
    const check = createEditsFeatureCheck({ credentials: async () => null })
    expect(await check.takesEdits()).toBe(false)
  })
})
