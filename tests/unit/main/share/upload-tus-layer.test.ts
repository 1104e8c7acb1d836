/**
 * The tus layer (tus-js-client + URL storage on disk) against a small in-memory tus server whose
 * answers the test scripts: what each server answer means (retry, start over, stop), resuming
 * from the server's offset, the share link, terminate, and the stall watchdog. Each runs over
 * Node's network stack (the harness) and over the app's, net.request's (here on node:http, with
 * Chromium's `net::ERR_…` errors).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  AUTH_REFUSED_MESSAGE,
  classifyTusError,
  createNodeTusLayer,
  MAX_RETRY_AFTER_MS,
  retryAfterMs,
  type TusFailure,
  type TusJob,
  type TusLayer,
  type TusSuccess
} from '../../../../src/main/share/tus-layer'
import { createNetFetch, createNetHttpStack } from '../../../../src/main/share/http-stack'
import type { LibraryNet } from '../../../../src/main/share/library-net'
import { DiskUrlStorage } from '../../../../src/main/share/url-storage'
import { nodeNetRequest } from '../../../support/node-net-request'

interface Upload {
  length: number
  data: Buffer[]
  offset: number
}

/** A tiny tus 1.0 server; `fault` answers a request instead of the protocol when it returns true. */
class TusServer {
  readonly uploads = new Map<string, Upload>()
  readonly log: string[] = []
  fault: ((req: IncomingMessage, res: ServerResponse) => boolean) | null = null
  server!: Server
  url = ''
  private next = 1

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.log.push(`${req.method} ${req.url}`)
      if (this.fault?.(req, res)) return
      void this.handle(req, res)
    })
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers = { 'Tus-Resumable': '1.0.0' }
    if (req.headers.authorization !== 'Bearer good') {
      req.resume()
      res.writeHead(401, { ...headers, 'content-type': 'application/json' })
      res.end('{"error":"Authorization: Bearer <token> required"}')
      return
    }
    if (req.method === 'POST') {
      const id = `u${this.next++}`
      this.uploads.set(id, { length: Number(req.headers['upload-length']), data: [], offset: 0 })
      req.resume()
      res.writeHead(201, { ...headers, Location: `${this.url}/api/uploads/${id}` })
      res.end()
      return
    }
    const id = (req.url ?? '').split('/').pop() ?? ''
    const upload = this.uploads.get(id)
    if (!upload) {
      req.resume()
      res.writeHead(404, headers).end()
      return
    }
    if (req.method === 'HEAD') {
      res.writeHead(200, {
        ...headers,
        'Upload-Offset': String(upload.offset),
        'Upload-Length': String(upload.length),
        ...(upload.offset === upload.length ? this.done(id) : {})
      })
      res.end()
      return
    }
    if (req.method === 'DELETE') {
      this.uploads.delete(id)
      res.writeHead(204, headers).end()
      return
    }
    if (req.method === 'PATCH') {
      if (Number(req.headers['upload-offset']) !== upload.offset) {
        req.resume()
        res.writeHead(409, headers).end()
        return
      }
      for await (const chunk of req) {
        upload.data.push(chunk as Buffer)
        upload.offset += (chunk as Buffer).length
      }
      res.writeHead(204, {
        ...headers,
        'Upload-Offset': String(upload.offset),
        ...(upload.offset === upload.length ? this.done(id) : {})
      })
      res.end()
    }
  }

  done(id: string): Record<string, string> {
    return {
      'Sidecast-Upload-State': 'done',
      'Sidecast-Video-Id': `video-${id}`,
      'Sidecast-Video-Url': `${this.url}/v/video-${id}`
    }
  }

  bytes(id: string): Buffer {
    return Buffer.concat(this.uploads.get(id)?.data ?? [])
  }

  close(): Promise<void> {
    this.server.closeAllConnections()
    return new Promise((r) => this.server.close(() => r()))
  }
}

let dir: string
let server: TusServer
let storage: DiskUrlStorage
let layer: TusLayer
let file: string
let content: Buffer

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sidecast-tus-'))
  server = new TusServer()
  await server.start()
  storage = new DiskUrlStorage(join(dir, 'tus-urls.json'))
  layer = createNodeTusLayer({ storage, chunkSize: 1000 })
  content = Buffer.from(Array.from({ length: 3500 }, (_, i) => i % 251))
  file = join(dir, 'video.mp4')
  await writeFile(file, content)
})

afterEach(async () => {
  await server.close()
  // tus-js-client saves an upload's URL without the layer waiting for it (and drops a failed
  // save's rejection): when an attempt ends during the save — the stall test on a slow disk — the
  // folder must outlive the save, or its rename fails (ENOENT, an unhandled rejection).
  await storage.findAllUploads()
  await rm(dir, { recursive: true, force: true })
})

function job(overrides: Partial<TusJob> = {}): TusJob {
  return {
    endpoint: `${server.url}/api/uploads`,
    token: 'good',
    file,
    size: content.length,
    fingerprint: 'sidecast/p1/original/3500',
    metadata: { filename: 'video.mp4', title: 'Video' },
    ...overrides
  }
}

const STACKS: [string, LibraryNet | undefined][] = [
  ['Node’s stack', undefined],
  [
    'net.request',
    { fetch: createNetFetch(nodeNetRequest()), httpStack: createNetHttpStack(nodeNetRequest()) }
  ]
]

/**
 * The layer of the describe block's tests goes over `net` (Node's when undefined). Its stall
 * watchdog is the app's: a short one would end healthy uploads whenever a busy machine pauses
 * the test for that long (it did, at 400 ms); the stall test sets its own.
 */
function useStack(net: LibraryNet | undefined): void {
  beforeEach(() => {
    layer = createNodeTusLayer({ storage, chunkSize: 1000, ...(net ? { net } : {}) })
  })
}

type Outcome = { ok: true; result: TusSuccess } | { ok: false; failure: TusFailure }

/** Runs one attempt to its end; `onAccepted` may stop the server mid-way. */
function attempt(j: TusJob = job(), onAccepted?: (offset: number) => void): Promise<Outcome> {
  return new Promise((resolve) => {
    layer.start(j, {
      onProgress: () => undefined,
      onAccepted: (offset) => onAccepted?.(offset),
      onSuccess: (result) => resolve({ ok: true, result }),
      onError: (failure) => resolve({ ok: false, failure })
    })
  })
}

describe.each(STACKS)('the tus layer over %s', (_stack, net) => {
  useStack(net)

  it('uploads in chunks and returns the share link from the final answer', async () => {
    const outcome = await attempt()
    expect(outcome).toEqual({
      ok: true,
      result: {
        uploadUrl: `${server.url}/api/uploads/u1`,
        videoUrl: `${server.url}/v/video-u1`,
        videoId: 'video-u1'
      }
    })
    expect(server.bytes('u1').equals(content)).toBe(true)
    expect(server.log.filter((l) => l.startsWith('PATCH'))).toHaveLength(4)
    // The URL stays stored until the queue forgets it (a crash before then resumes, not resends).
    expect(await storage.findUploadsByFingerprint('sidecast/p1/original/3500')).toHaveLength(1)
    await layer.forget('sidecast/p1/original/3500')
    expect(await storage.findAllUploads()).toEqual([])
  })

  it('resumes a stored upload from the server’s offset after a failure, never starting over', async () => {
    let patches = 0
    server.fault = (req, res) => {
      if (req.method === 'PATCH' && ++patches === 3) {
        req.resume()
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"busy"}')
        return true
      }
      return false
    }
    const first = await attempt()
    expect(first).toEqual({
      ok: false,
      failure: { kind: 'retry', message: 'The library answered HTTP 503 (busy).' }
    })
    expect(server.uploads.get('u1')?.offset).toBe(2000)

    // The next attempt (a new run, as after a restart) asks HEAD and goes on from 2000.
    const accepted: number[] = []
    const second = await attempt(job(), (offset) => accepted.push(offset))
    expect(second.ok).toBe(true)
    expect(accepted[0]).toBe(2000)
    expect(server.log.filter((l) => l.startsWith('POST'))).toHaveLength(1)
    expect(server.bytes('u1').equals(content)).toBe(true)
  })

  it('retries a server error on HEAD against the same upload instead of creating a new one', async () => {
    server.fault = (req, res) => {
      if (req.method === 'PATCH') {
        req.resume()
        res.writeHead(500).end()
        return true
      }
      return false
    }
    expect((await attempt()).ok).toBe(false)
    server.fault = (req, res) => {
      if (req.method === 'HEAD') {
        res.writeHead(502).end()
        return true
      }
      return false
    }
    expect(await attempt()).toEqual({
      ok: false,
      failure: {
        kind: 'retry',
        message: 'The library answered HTTP 502 when asked how much it already has.'
      }
    })
    expect(server.log.filter((l) => l.startsWith('POST'))).toHaveLength(1)
    expect(await storage.findUploadsByFingerprint('sidecast/p1/original/3500')).toHaveLength(1)
    server.fault = null
    expect((await attempt()).ok).toBe(true)
    expect(server.log.filter((l) => l.startsWith('POST'))).toHaveLength(1)
  })

  it('starts over only when the server no longer has the upload (404 on HEAD)', async () => {
    server.fault = (req, res) => {
      if (req.method === 'PATCH') {
        req.resume()
        res.writeHead(500).end()
        return true
      }
      return false
    }
    await attempt()
    server.fault = null
    server.uploads.clear()
    const outcome = await attempt()
    expect(outcome.ok).toBe(true)
    expect(server.log.filter((l) => l.startsWith('POST'))).toHaveLength(2)
    expect(server.bytes('u2').equals(content)).toBe(true)
  })

  it('stops on a refused token, keeping the stored URL for when there is a new one', async () => {
    const fingerprint = 'sidecast/p1/other/3500'
    server.fault = (req, res) => {
      if (req.method === 'PATCH' && server.uploads.get('u1')?.offset === 1000) {
        req.resume()
        res.writeHead(500).end()
        return true
      }
      return false
    }
    expect((await attempt(job({ fingerprint }))).ok).toBe(false)
    const before = server.log.length
    expect(await attempt(job({ fingerprint, token: 'revoked' }))).toEqual({
      ok: false,
      failure: { kind: 'auth', message: AUTH_REFUSED_MESSAGE }
    })
    // One HEAD, refused; nothing else was tried and the URL is kept.
    expect(server.log.slice(before)).toEqual(['HEAD /api/uploads/u1'])
    expect(await storage.findUploadsByFingerprint(fingerprint)).toHaveLength(1)
    server.fault = null
    expect((await attempt(job({ fingerprint }))).ok).toBe(true)
    expect(server.bytes('u1').equals(content)).toBe(true)
  })

  it('fails for good with the server’s reason on 422', async () => {
    server.fault = (req, res) => {
      if (req.method === 'PATCH' && Number(req.headers['upload-offset']) === 3000) {
        req.resume()
        res.writeHead(422, { 'content-type': 'application/json' })
        res.end('{"error":"not a video: no video stream"}')
        return true
      }
      return false
    }
    expect(await attempt()).toEqual({
      ok: false,
      failure: {
        kind: 'rejected',
        status: 422,
        message: 'The library did not accept the file: not a video: no video stream.'
      }
    })
  })

  it('says a proxy’s 407 is the proxy’s, not the library’s, and retries', async () => {
    const proxySignIn: TusFailure = {
      kind: 'retry',
      message:
        'The proxy server set on this computer asks for a sign-in Sidecast cannot give (HTTP 407). Ask your IT department.'
    }
    const proxy = (method: string) => (req: IncomingMessage, res: ServerResponse) => {
      if (req.method !== method) return false
      req.resume()
      res.writeHead(407, { 'Proxy-Authenticate': 'Basic realm="office"' }).end()
      return true
    }
    server.fault = proxy('POST')
    expect(await attempt()).toEqual({ ok: false, failure: proxySignIn })
    server.fault = (req, res) => {
      if (req.method !== 'PATCH') return false
      req.resume()
      res.writeHead(500).end()
      return true
    }
    await attempt()
    server.fault = proxy('HEAD')
    expect(await attempt()).toEqual({ ok: false, failure: proxySignIn })
    // Node's fetch turns any 407 into a network error (the fetch standard); Node's stack uses no
    // proxy anyway, so only the app's network can meet one on /video.
    if (!net) return
    server.fault = proxy('GET')
    expect(await layer.videoStatus(`${server.url}/api/uploads/u1`, 'good')).toEqual({
      state: 'error',
      failure: proxySignIn
    })
  })

  it('says the network failed when nothing answers', async () => {
    await server.close()
    const outcome = await attempt()
    expect(outcome).toEqual({
      ok: false,
      failure: { kind: 'retry', message: 'Nothing is answering at the library’s address.' }
    })
    await server.start()
  })

  it('ends an attempt that stalls (no byte moves, no answer) so it can be retried', async () => {
    layer = createNodeTusLayer({ storage, chunkSize: 1000, stallMs: 400, ...(net ? { net } : {}) })
    server.fault = (req) => req.method === 'PATCH'
    const started = Date.now()
    const outcome = await attempt()
    expect(outcome).toMatchObject({ ok: false, failure: { kind: 'retry' } })
    expect((outcome as { failure: TusFailure }).failure.message).toMatch(/stalled/)
    expect(Date.now() - started).toBeLessThan(20_000)
  })

  it('terminate deletes the stored uploads on the server and forgets them', async () => {
    server.fault = (req, res) => {
      if (req.method === 'PATCH') {
        req.resume()
        res.writeHead(500).end()
        return true
      }
      return false
    }
    await attempt()
    expect(server.uploads.has('u1')).toBe(true)
    await layer.terminate('sidecast/p1/original/3500', 'good')
    expect(server.uploads.has('u1')).toBe(false)
    expect(server.log).toContain('DELETE /api/uploads/u1')
    expect(await storage.findAllUploads()).toEqual([])
  })

  it('reads the outcome of a finished upload from /video', async () => {
    server.fault = (req, res) => {
      if (req.url === '/api/uploads/u9/video') {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end('{"state":"done","id":"v9","url":"https://lib.test/v/v9"}')
        return true
      }
      if (req.url === '/api/uploads/u8/video') {
        res.writeHead(202, { 'content-type': 'application/json' }).end('{"state":"processing"}')
        return true
      }
      return false
    }
    expect(await layer.videoStatus(`${server.url}/api/uploads/u9`, 'good')).toEqual({
      state: 'done',
      url: 'https://lib.test/v/v9',
      id: 'v9'
    })
    expect(await layer.videoStatus(`${server.url}/api/uploads/u8`, 'good')).toEqual({
      state: 'processing'
    })
  })
})

describe.each(STACKS)('a busy library over %s: 503 or 429 with Retry-After', (_stack, net) => {
  useStack(net)

  const busy =
    (method: string, status: number, retryAfter: string) =>
    (req: IncomingMessage, res: ServerResponse): boolean => {
      if (req.method !== method) return false
      req.resume()
      res.writeHead(status, { 'Retry-After': retryAfter, 'content-type': 'application/json' })
      res.end('{"error":"The library is busy. Try again in 7 seconds; nothing was changed."}')
      return true
    }

  it('retries a refused creation after the time the server asks for', async () => {
    server.fault = busy('POST', 503, '7')
    expect(await attempt()).toEqual({
      ok: false,
      failure: { kind: 'retry', message: 'The library is busy (HTTP 503).', retryAfterMs: 7000 }
    })
    server.fault = null
    expect((await attempt()).ok).toBe(true)
  })

  it('retries a busy answer to HEAD against the same upload after that time', async () => {
    server.fault = (req, res) => {
      if (req.method !== 'PATCH') return false
      req.resume()
      res.writeHead(500).end()
      return true
    }
    await attempt()
    server.fault = busy('HEAD', 429, '12')
    expect(await attempt()).toEqual({
      ok: false,
      failure: { kind: 'retry', message: 'The library is busy (HTTP 429).', retryAfterMs: 12_000 }
    })
    expect(await storage.findUploadsByFingerprint('sidecast/p1/original/3500')).toHaveLength(1)
  })

  it('asks /video again after that time', async () => {
    server.fault = (req, res) =>
      req.url === '/api/uploads/u7/video' && busy('GET', 503, '4')(req, res)
    expect(await layer.videoStatus(`${server.url}/api/uploads/u7`, 'good')).toEqual({
      state: 'error',
      failure: { kind: 'retry', message: 'The library is busy (HTTP 503).', retryAfterMs: 4000 }
    })
  })

  const NOW = 'Sun, 29 Nov 2026 12:00:00 GMT'
  it.each<{ header: string | null; ms: number | null }>([
    { header: '7', ms: 7000 },
    { header: ' 30 ', ms: 30_000 },
    { header: '0', ms: 1000 }, // never sooner than a second
    { header: '3600', ms: MAX_RETRY_AFTER_MS }, // never longer than ten minutes
    { header: 'Sun, 29 Nov 2026 12:01:30 GMT', ms: 90_000 },
    { header: 'Sun, 29 Nov 2026 11:58:30 GMT', ms: 1000 },
    { header: null, ms: null },
    { header: '', ms: null },
    { header: 'soon', ms: null },
    { header: '1.5', ms: null },
    { header: '-5', ms: null }
  ])('Retry-After "$header" means waiting $ms ms', ({ header, ms }) => {
    expect(retryAfterMs(header, Date.parse(NOW))).toBe(ms)
  })

  it.each<{ status: number; header: string | null; retryAfterMs?: number; message: string }>([
    { status: 503, header: '7', retryAfterMs: 7000, message: 'The library is busy (HTTP 503).' },
    { status: 429, header: '7', retryAfterMs: 7000, message: 'The library is busy (HTTP 429).' },
    // Only a busy answer's Retry-After is honoured; others keep the app's own backoff.
    { status: 503, header: null, message: 'The library answered HTTP 503.' },
    { status: 500, header: '7', message: 'The library answered HTTP 500.' },
    { status: 502, header: '7', message: 'The library answered HTTP 502.' }
  ])('HTTP $status with Retry-After "$header"', ({ status, header, ...expected }) => {
    const failure = classifyTusError({
      originalResponse: {
        getStatus: () => status,
        getHeader: (name: string) =>
          name.toLowerCase() === 'retry-after' ? (header ?? undefined) : undefined,
        getBody: () => ''
      }
    })
    expect(failure).toEqual({ kind: 'retry', ...expected })
  })
})

describe('DiskUrlStorage', () => {
  it('keeps URLs on disk across instances and ignores an unreadable file', async () => {
    const path = join(dir, 'urls.json')
    const a = new DiskUrlStorage(path)
    const key = await a.addUpload('fp/1', {
      size: 10,
      metadata: {},
      creationTime: 'now',
      uploadUrl: 'http://x/1',
      parallelUploadUrls: null,
      urlStorageKey: ''
    })
    expect(key).toMatch(/^tus::fp\/1::[0-9a-f]+$/)
    const b = new DiskUrlStorage(path)
    expect(await b.findUploadsByFingerprint('fp/1')).toMatchObject([
      { uploadUrl: 'http://x/1', urlStorageKey: key }
    ])
    expect(await b.findUploadsByFingerprint('fp/10')).toEqual([])
    await b.removeUpload(key)
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ version: 1, uploads: {} })
    await writeFile(path, '{ not json')
    const warnings: string[] = []
    expect(await new DiskUrlStorage(path, (m) => warnings.push(m)).findAllUploads()).toEqual([])
    expect(warnings).toHaveLength(1)
  })
})

describe('classifyTusError', () => {
  it('treats errors without an answer as network trouble, and file errors as final', () => {
    expect(classifyTusError(new Error('boom'))).toMatchObject({ kind: 'retry' })
    expect(
      classifyTusError(
        Object.assign(new Error('tus: failed'), { causingError: { code: 'ENOENT' } })
      )
    ).toMatchObject({ kind: 'rejected', message: 'The file to upload cannot be read (ENOENT).' })
  })
})
