/**
 * The app's library network (src/main/share/http-stack.ts: the tus HttpStack and the JSON fetch
 * written against Electron's net.request) against the real library server on 127.0.0.1, with
 * net.request played by an adapter on node:http that behaves like Electron's (buffered body,
 * progress read by polling, manual redirects cancelled, Chromium's `net::ERR_…` errors;
 * tests/support/node-net-request.ts). A real tus upload: the bytes arrive unchanged and progress
 * moves while a chunk is still on its way; an upload aborted mid-chunk resumes from the server's
 * offset; a refused token, a busy library (503 + Retry-After) and a redirect to another origin
 * read as they do over Node's stack, and the token never follows the redirect. Last, main's
 * services with this network in PlatformAdapters: Test connection and an upload go through it.
 */
import { createHash } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { HttpStack } from 'tus-js-client'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  createNetFetch,
  createNetHttpStack,
  type NetRequestOptions
} from '../../src/main/share/http-stack'
import { testConnection } from '../../src/main/share/library-client'
import { NODE_LIBRARY_NET, type LibraryNet } from '../../src/main/share/library-net'
import {
  createNodeTusLayer,
  type TusFailure,
  type TusJob,
  type TusSuccess
} from '../../src/main/share/tus-layer'
import { DiskUrlStorage } from '../../src/main/share/url-storage'
import type { RecordingFacts } from '../../src/shared/project'
import { makeVideo, request, serversPerTest, tempDir, type TestServer } from '../server/support'
import { testAppServices } from '../support/app-services'
import { startCountingProxy, type CountingProxy } from '../support/library'
import { nodeNetRequest } from '../support/node-net-request'

const servers = serversPerTest()
const cleanups: (() => Promise<void> | void)[] = []

afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

let video: Buffer
let videoFile: string

beforeAll(async () => {
  const dir = tempDir('net-stack-src')
  videoFile = join(dir, 'clip.mp4')
  // Lossless noise: a few MB, several chunks of the sizes used here.
  video = await makeVideo(videoFile, { seconds: 1, noise: true, faststart: true })
}, 120_000)

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')

/** The app's network, over the node:http net.request; `sent` records every request made. */
function appNet(sent?: NetRequestOptions[]): LibraryNet {
  const netRequest = nodeNetRequest(sent ? { sent } : {})
  return { fetch: createNetFetch(netRequest), httpStack: createNetHttpStack(netRequest) }
}

/** What each request the server answers looks like, and whether its body was cut short. */
interface Seen {
  readonly method: string
  readonly path: string
  readonly authorization: string | undefined
  status: number
  cut: boolean
}

function watch(s: TestServer): Seen[] {
  const seen: Seen[] = []
  s.app.server.on('request', (req: IncomingMessage, res) => {
    const entry: Seen = {
      method: req.method ?? '',
      path: (req.url ?? '').split('?')[0] ?? '',
      authorization: req.headers.authorization,
      status: 0,
      cut: false
    }
    seen.push(entry)
    res.once('finish', () => (entry.status = res.statusCode))
    req.once('close', () => {
      if (!req.complete) entry.cut = true
    })
  })
  return seen
}

/** A library reached through a TCP proxy that slows the app's bytes to `bytesPerSecond`. */
async function slowLibrary(
  bytesPerSecond: number
): Promise<{ s: TestServer; proxy: CountingProxy }> {
  let port = 0
  const proxy = await startCountingProxy(() => port, { bytesPerSecond })
  cleanups.push(() => proxy.close())
  // Locations name the proxy, so every tus request goes through it.
  const s = await servers.start({ config: { publicUrl: proxy.url } })
  port = Number(new URL(s.url).port)
  return { s, proxy }
}

function job(base: string, token: string, overrides: Partial<TusJob> = {}): TusJob {
  return {
    endpoint: `${base}/api/uploads`,
    token,
    file: videoFile,
    size: video.length,
    fingerprint: `sidecast/net-stack/${video.length}`,
    metadata: { filename: 'clip.mp4', title: 'Over the app’s network' },
    ...overrides
  }
}

type Outcome = { ok: true; result: TusSuccess } | { ok: false; failure: TusFailure }

interface Attempt {
  readonly outcome: Promise<Outcome>
  readonly progress: number[]
  readonly accepted: number[]
  abort(): Promise<void>
}

function attempt(
  layer: ReturnType<typeof createNodeTusLayer>,
  j: TusJob,
  onProgress?: (sent: number) => void
): Attempt {
  const progress: number[] = []
  const accepted: number[] = []
  let run: { abort(): Promise<void> } | null = null
  const outcome = new Promise<Outcome>((resolve) => {
    run = layer.start(j, {
      onProgress: (sent) => {
        progress.push(sent)
        onProgress?.(sent)
      },
      onAccepted: (offset) => accepted.push(offset),
      onSuccess: (result) => resolve({ ok: true, result }),
      onError: (failure) => resolve({ ok: false, failure })
    })
  })
  return { outcome, progress, accepted, abort: () => run!.abort() }
}

async function download(s: TestServer, videoId: string): Promise<Buffer> {
  const res = await request(s.url, 'GET', `/media/${videoId}`, {
    Authorization: `Bearer ${s.token}`
  })
  expect(res.status).toBe(200)
  return res.body
}

/**
 * The stack's own progress reports, each with how many bytes the proxy had passed on by then,
 * and for each request how many it had passed on once its answer was in.
 */
function recordProgress(
  stack: HttpStack,
  proxy: CountingProxy
): { stack: HttpStack; reports: { proxied: number; answered: () => number | null }[] } {
  const reports: { proxied: number; answered: () => number | null }[] = []
  return {
    reports,
    stack: {
      getName: () => stack.getName(),
      createRequest(method, url) {
        const req = stack.createRequest(method, url)
        let answeredAt: number | null = null
        const setHandler = req.setProgressHandler.bind(req)
        const send = req.send.bind(req)
        req.setProgressHandler = (handler) =>
          setHandler((sent) => {
            reports.push({ proxied: proxy.bytesUp(), answered: () => answeredAt })
            handler(sent)
          })
        req.send = async (body) => {
          const res = await send(body)
          answeredAt = proxy.bytesUp()
          return res
        }
        return req
      }
    }
  }
}

describe('a real tus upload over the app’s network stack', () => {
  it('arrives unchanged, with progress while each chunk is still on its way', async () => {
    // About 1 MB/s: a 512 KiB chunk takes half a second to pass the proxy.
    const { s, proxy } = await slowLibrary(1_000_000)
    const seen = watch(s)
    const net = appNet()
    const recorded = recordProgress(net.httpStack, proxy)
    const layer = createNodeTusLayer({
      storage: new DiskUrlStorage(join(tempDir('net-stack-urls'), 'tus-urls.json')),
      chunkSize: 512 * 1024,
      net: { fetch: net.fetch, httpStack: recorded.stack }
    })

    const run = attempt(layer, job(proxy.url, s.token))
    const outcome = await run.outcome
    if (!outcome.ok) throw new Error(`failed: ${outcome.failure.message}`)
    const chunks = Math.ceil(video.length / (512 * 1024))
    expect(seen.filter((r) => r.method === 'PATCH' && r.status === 204)).toHaveLength(chunks)
    expect(seen.filter((r) => r.method === 'POST')).toHaveLength(1)

    // Progress went forwards only, to the whole file.
    expect(run.progress.at(-1)).toBe(video.length)
    for (let i = 1; i < run.progress.length; i++) {
      expect(run.progress[i]!).toBeGreaterThanOrEqual(run.progress[i - 1]!)
    }
    // The stack reported progress while a chunk was still passing the proxy, not only once its
    // answer was in: polling works.
    const inFlight = recorded.reports.filter((r) => {
      const answered = r.answered()
      return answered !== null && r.proxied < answered
    })
    expect(inFlight.length).toBeGreaterThan(0)

    // The link comes back (final answer or /video, through the app's fetch), and the bytes match.
    let id = outcome.result.videoId
    if (!id) {
      const status = await vi.waitFor(
        async () => {
          const answer = await layer.videoStatus(outcome.result.uploadUrl, s.token)
          expect(answer.state).toBe('done')
          return answer
        },
        { timeout: 30_000, interval: 200 }
      )
      id = status.state === 'done' ? status.id : null
    }
    expect(sha256(await download(s, id!))).toBe(sha256(video))
  })

  it('aborted mid-chunk, stops sending and resumes from the server’s offset with the same upload', async () => {
    const { s, proxy } = await slowLibrary(1_000_000)
    const seen = watch(s)
    const chunk = 512 * 1024
    const storage = new DiskUrlStorage(join(tempDir('net-stack-urls'), 'tus-urls.json'))
    const layer = createNodeTusLayer({ storage, chunkSize: chunk, net: appNet() })

    // Abort once the stack reports bytes of the second chunk going out.
    let aborted: Promise<void> | null = null
    const first = attempt(layer, job(proxy.url, s.token), (sent) => {
      if (sent > chunk && !aborted) aborted = first.abort()
    })
    await vi.waitFor(() => expect(aborted).not.toBeNull(), { timeout: 30_000, interval: 20 })
    await aborted
    // The PATCH on its way was cut at the network, not left to finish.
    await vi.waitFor(() => expect(seen.some((r) => r.method === 'PATCH' && r.cut)).toBe(true), {
      timeout: 10_000,
      interval: 20
    })
    expect(first.accepted).toContain(chunk)

    const [stored] = await storage.findUploadsByFingerprint(job(proxy.url, s.token).fingerprint)
    const head = await request(s.url, 'HEAD', stored!.uploadUrl!, {
      'Tus-Resumable': '1.0.0',
      Authorization: `Bearer ${s.token}`
    })
    const offset = Number(head.headers['upload-offset'])
    expect(offset).toBeGreaterThanOrEqual(chunk)
    expect(offset).toBeLessThan(video.length)

    const second = attempt(layer, job(proxy.url, s.token))
    const outcome = await second.outcome
    if (!outcome.ok) throw new Error(`failed: ${outcome.failure.message}`)
    // Resumed: the first thing learnt was the server's offset, and no second upload was created.
    expect(second.accepted[0]).toBe(offset)
    expect(seen.filter((r) => r.method === 'POST')).toHaveLength(1)
    expect(outcome.result.uploadUrl).toBe(stored!.uploadUrl)
    const status = await vi.waitFor(
      async () => {
        const answer = await layer.videoStatus(outcome.result.uploadUrl, s.token)
        expect(answer.state).toBe('done')
        return answer
      },
      { timeout: 30_000, interval: 200 }
    )
    expect(sha256(await download(s, status.state === 'done' ? status.id : ''))).toBe(sha256(video))
  })
})

describe('the library’s answers over the app’s network read as over Node’s', () => {
  const stacks: [string, () => LibraryNet][] = [
    ['net.request', () => appNet()],
    ['Node', () => NODE_LIBRARY_NET]
  ]

  it.each(stacks)('a refused token stops the upload (%s)', async (_name, net) => {
    const s = await servers.start()
    const layer = createNodeTusLayer({
      storage: new DiskUrlStorage(join(tempDir('net-stack-urls'), 'tus-urls.json')),
      net: net()
    })
    const outcome = await attempt(layer, job(s.url, 'not-a-valid-token')).outcome
    expect(outcome).toEqual({
      ok: false,
      failure: {
        kind: 'auth',
        message: 'The library refused the access token. Enter a new token in Settings.'
      }
    })
    expect(await testConnection(s.url, 'not-a-valid-token', { fetch: net().fetch })).toEqual({
      ok: false,
      field: 'token',
      message:
        'The library refused the access token: it is wrong or has been revoked. Create a new token on your profile page in the library and enter it here.'
    })
    expect(await testConnection(s.url, s.token, { fetch: net().fetch })).toEqual({
      ok: true,
      message: 'Connected as alice',
      userName: 'alice'
    })
  })

  it.each(stacks)('a busy library’s Retry-After is read (%s)', async (_name, net) => {
    const s = await servers.start()
    const holder = new Database(join(s.dataDir, 'library.db'))
    cleanups.push(() => {
      if (holder.open) holder.close()
    })
    holder.exec('BEGIN EXCLUSIVE')
    const layer = createNodeTusLayer({
      storage: new DiskUrlStorage(join(tempDir('net-stack-urls'), 'tus-urls.json')),
      net: net()
    })
    const outcome = await attempt(layer, job(s.url, s.token)).outcome
    expect(outcome).toEqual({
      ok: false,
      failure: { kind: 'retry', message: 'The library is busy (HTTP 503).', retryAfterMs: 5000 }
    })
  })

  it.each(stacks)(
    'a redirect to another origin is not followed, and the token stays here (%s)',
    async (_name, net) => {
      const s = await servers.start()
      const seen = watch(s)
      const reached: (string | undefined)[] = []
      const redirector: Server = createServer((req, res) => {
        reached.push(req.headers.authorization)
        req.resume()
        res.writeHead(307, { location: `${s.url}${req.url ?? '/'}` })
        res.end()
      })
      await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', () => resolve()))
      cleanups.push(
        () =>
          new Promise<void>((resolve) => {
            redirector.closeAllConnections()
            redirector.close(() => resolve())
          })
      )
      const elsewhere = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}`
      const layer = createNodeTusLayer({
        storage: new DiskUrlStorage(join(tempDir('net-stack-urls'), 'tus-urls.json')),
        net: net()
      })

      expect(await attempt(layer, job(elsewhere, s.token)).outcome).toEqual({
        ok: false,
        failure: {
          kind: 'rejected',
          status: 307,
          message: 'The library refused the upload (HTTP 307).'
        }
      })
      expect(await layer.videoStatus(`${elsewhere}/api/uploads/abc`, s.token)).toEqual({
        state: 'error',
        failure: {
          kind: 'retry',
          message: 'The library answered HTTP 307 when asked for the video’s link.'
        }
      })
      expect(await testConnection(elsewhere, s.token, { fetch: net().fetch })).toEqual({
        ok: false,
        field: 'url',
        message: `${new URL(elsewhere).host} sends visitors on to ${s.url}. If that is the library, enter that address instead.`
      })
      // Each request went to the redirector once, and none on to the library.
      expect(reached).toEqual([`Bearer ${s.token}`, `Bearer ${s.token}`, `Bearer ${s.token}`])
      expect(seen).toEqual([])
    }
  )
})

describe('main’s services with the app’s network', () => {
  it('test the connection and upload through it', async () => {
    const s = await servers.start()
    const sent: NetRequestOptions[] = []
    const services = testAppServices({
      dataDir: tempDir('net-stack-app'),
      env: { SIDECAST_LIBRARY_URL: s.url, SIDECAST_LIBRARY_TOKEN: s.token },
      adapters: { net: appNet(sent) }
    })
    cleanups.push(() => services.shutdown())
    await services.startup()

    expect(await services.handlers['library:test']({})).toMatchObject({
      ok: true,
      userName: 'alice'
    })

    const id = '20261129-120000-nets'
    const dir = join(services.projects.projectsDir, id)
    await mkdir(dir, { recursive: true })
    const facts: RecordingFacts = {
      version: 1,
      id,
      status: 'complete',
      title: 'Through Chromium’s stack',
      createdAt: '2026-11-29T12:00:00.000Z',
      sourceName: 'Entire screen',
      file: 'recording.mp4',
      container: 'mp4',
      mimeType: 'video/mp4',
      videoCodec: 'h264',
      audioCodec: 'aac',
      width: 320,
      height: 240,
      durationMs: 1000
    }
    await writeFile(join(dir, 'recording.json'), JSON.stringify(facts, null, 2))
    await writeFile(join(dir, 'recording.mp4'), video)
    await services.handlers['uploads:start'](id, {})
    const done = await vi.waitFor(
      async () => {
        const [u] = await services.handlers['uploads:list']()
        if (u?.state === 'failed') throw new Error(`failed: ${u.error}`)
        expect(u?.state).toBe('done')
        return u!
      },
      { timeout: 45_000, interval: 100 }
    )
    expect(sha256(await download(s, done.url!.split('/').pop()!))).toBe(sha256(video))

    const asked = sent.map(
      (o) => `${o.method} ${new URL(o.url).pathname.replace(/\/[^/]+$/, '/…')}`
    )
    expect(asked).toContain('GET /api/…')
    expect(asked).toContain('POST /api/…')
    expect(asked).toContain('PATCH /api/uploads/…')
    expect(sent.every((o) => o.redirect === 'manual')).toBe(true)
  }, 90_000)
})
