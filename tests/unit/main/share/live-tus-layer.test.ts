/**
 * The tus layer's live uploads (deferred length, fed by a GrowingFile) against a small stand-in
 * library that speaks the instant-share protocol: creation with Upload-Defer-Length answers the
 * reserved video (Sidecast-Video-Id/-Url), HEAD of a deferred upload answers Upload-Defer-Length,
 * and the length arrives with the last PATCH. Over Node's stack and over net.request's.
 */
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createGrowingFile, type GrowingFile } from '../../../../src/main/share/growing-file'
import { createNetFetch, createNetHttpStack } from '../../../../src/main/share/http-stack'
import type { LibraryNet } from '../../../../src/main/share/library-net'
import {
  createNodeTusLayer,
  type TusCreated,
  type TusFailure,
  type TusJob,
  type TusLayer,
  type TusRun,
  type TusSuccess
} from '../../../../src/main/share/tus-layer'
import { DiskUrlStorage } from '../../../../src/main/share/url-storage'
import { nodeNetRequest } from '../../../support/node-net-request'

interface StandInUpload {
  length: number | null
  data: Buffer[]
  offset: number
  metadata: string
}

interface Patch {
  readonly offset: number
  readonly bytes: number
  readonly length: string | null
}

/** The library's side of the protocol, as far as the app's tus layer meets it. */
class StandInLibrary {
  readonly uploads = new Map<string, StandInUpload>()
  readonly log: string[] = []
  readonly patches: Patch[] = []
  server!: Server
  url = ''
  private next = 1

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.log.push(`${req.method} ${req.url}`)
      void this.handle(req, res)
    })
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  private reserved(id: string): Record<string, string> {
    return { 'Sidecast-Video-Id': `video-${id}`, 'Sidecast-Video-Url': `${this.url}/v/video-${id}` }
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers = { 'Tus-Resumable': '1.0.0' }
    if (req.method === 'POST') {
      const deferred = req.headers['upload-defer-length'] === '1'
      const id = `u${this.next++}`
      this.uploads.set(id, {
        length: deferred ? null : Number(req.headers['upload-length']),
        data: [],
        offset: 0,
        metadata: String(req.headers['upload-metadata'] ?? '')
      })
      req.resume()
      // A relative Location, as @tus/server may send: the layer resolves it against the endpoint.
      res.writeHead(201, { ...headers, Location: `/api/uploads/${id}`, ...this.reserved(id) })
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
    const finished = (): Record<string, string> =>
      upload.length !== null && upload.offset === upload.length
        ? { 'Sidecast-Upload-State': 'done', ...this.reserved(id) }
        : {}
    if (req.method === 'HEAD') {
      res.writeHead(200, {
        ...headers,
        'Upload-Offset': String(upload.offset),
        ...(upload.length === null
          ? { 'Upload-Defer-Length': '1' }
          : { 'Upload-Length': String(upload.length) }),
        ...finished()
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
      const declared = req.headers['upload-length'] as string | undefined
      if (declared !== undefined) {
        // tus: the length can be declared once, and never below what has arrived.
        if (upload.length !== null || Number(declared) < upload.offset) {
          req.resume()
          res.writeHead(400, headers).end()
          return
        }
        upload.length = Number(declared)
      }
      let bytes = 0
      for await (const chunk of req) {
        upload.data.push(chunk as Buffer)
        upload.offset += (chunk as Buffer).length
        bytes += (chunk as Buffer).length
      }
      this.patches.push({ offset: upload.offset - bytes, bytes, length: declared ?? null })
      res.writeHead(204, { ...headers, 'Upload-Offset': String(upload.offset), ...finished() })
      res.end()
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
let library: StandInLibrary
let storage: DiskUrlStorage
let layer: TusLayer
let file: string
let growing: GrowingFile
let written: Buffer[]

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sidecast-live-tus-'))
  library = new StandInLibrary()
  await library.start()
  storage = new DiskUrlStorage(join(dir, 'tus-urls.json'))
  file = join(dir, 'capture.webm')
  await writeFile(file, '')
  written = []
  growing = newGrowing()
})

afterEach(async () => {
  growing.close()
  await library.close()
  await storage.findAllUploads()
  await rm(dir, { recursive: true, force: true })
})

function newGrowing(sealedSize?: number): GrowingFile {
  return createGrowingFile({
    path: file,
    isWritten: () => true,
    pollMs: 20,
    ...(sealedSize !== undefined ? { sealedSize } : {})
  })
}

/** Appends `n` bytes (a recognisable pattern) to the capture, as the capture writer would. */
async function record(n: number): Promise<void> {
  const start = written.reduce((sum, b) => sum + b.length, 0)
  const piece = Buffer.from(Array.from({ length: n }, (_, i) => (start + i) % 253))
  written.push(piece)
  await appendFile(file, piece)
}

const recorded = (): Buffer => Buffer.concat(written)

function liveJob(overrides: Partial<TusJob> = {}): TusJob {
  return {
    endpoint: `${library.url}/api/uploads`,
    token: 'good',
    file,
    size: null,
    growing,
    fingerprint: 'sidecast/p1/live',
    metadata: { filename: 'capture.webm', title: 'Live', live: '1' },
    ...overrides
  }
}

interface Attempt {
  readonly run: TusRun
  readonly created: TusCreated[]
  readonly accepted: number[]
  readonly outcome: Promise<{ ok: true; result: TusSuccess } | { ok: false; failure: TusFailure }>
}

function attempt(job: TusJob = liveJob()): Attempt {
  const created: TusCreated[] = []
  const accepted: number[] = []
  let run!: TusRun
  const outcome = new Promise<Attempt['outcome'] extends Promise<infer T> ? T : never>(
    (resolve) => {
      run = layer.start(job, {
        onProgress: () => undefined,
        onCreated: (c) => created.push(c),
        onAccepted: (offset) => accepted.push(offset),
        onSuccess: (result) => resolve({ ok: true, result }),
        onError: (failure) => resolve({ ok: false, failure })
      })
    }
  )
  return { run, created, accepted, outcome }
}

/** Polls (bounded) until `check` holds; a condition, never a timed assertion. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (check()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`gave up waiting until ${what}`)
}

const STACKS: [string, LibraryNet | undefined][] = [
  ['Node’s stack', undefined],
  [
    'net.request',
    { fetch: createNetFetch(nodeNetRequest()), httpStack: createNetHttpStack(nodeNetRequest()) }
  ]
]

describe.each(STACKS)('a live upload over %s', (_stack, net) => {
  beforeEach(() => {
    layer = createNodeTusLayer({ storage, chunkSize: 1000, ...(net ? { net } : {}) })
  })

  it('creates a deferred upload, follows the growing file and declares the length last', async () => {
    await record(300)
    const a = attempt()
    await until(() => a.created.length === 1, 'the creation answered')
    expect(a.created[0]).toEqual({
      uploadUrl: `${library.url}/api/uploads/u1`,
      videoId: 'video-u1',
      videoUrl: `${library.url}/v/video-u1`
    })
    expect(library.uploads.get('u1')?.length).toBeNull()
    await until(() => library.uploads.get('u1')?.offset === 300, 'the first bytes arrived')
    // More is recorded than a chunk holds: it goes in chunks, each with what is there.
    await record(2500)
    await until(() => library.uploads.get('u1')?.offset === 2800, 'the rest arrived')
    await record(1)
    growing.seal(2801)
    const outcome = await a.outcome
    expect(outcome).toEqual({
      ok: true,
      result: {
        uploadUrl: `${library.url}/api/uploads/u1`,
        videoId: 'video-u1',
        videoUrl: `${library.url}/v/video-u1`
      }
    })
    expect(library.bytes('u1').equals(recorded())).toBe(true)
    expect(library.uploads.get('u1')?.length).toBe(2801)
    // Every PATCH had bytes and at most a chunk, but the last: the length alone, empty.
    const last = library.patches[library.patches.length - 1]
    expect(last).toEqual({ offset: 2801, bytes: 0, length: '2801' })
    for (const patch of library.patches.slice(0, -1)) {
      expect(patch.length).toBeNull()
      expect(patch.bytes).toBeGreaterThan(0)
      expect(patch.bytes).toBeLessThanOrEqual(1000)
    }
    expect(library.log.filter((l) => l.startsWith('POST'))).toHaveLength(1)
  })

  it('resumes from the server’s offset after an abort, still deferred, with no new creation', async () => {
    await record(1500)
    const first = attempt()
    await until(() => library.uploads.get('u1')?.offset === 1500, 'the first bytes arrived')
    await first.run.abort()
    // Recorded meanwhile, while no attempt ran.
    await record(700)
    growing.close()
    growing = newGrowing()
    const second = attempt(liveJob({ growing }))
    await until(() => library.uploads.get('u1')?.offset === 2200, 'the rest arrived')
    expect(second.accepted[0]).toBe(1500)
    expect(second.created).toEqual([])
    growing.seal(2200)
    const outcome = await second.outcome
    expect(outcome.ok).toBe(true)
    expect(library.bytes('u1').equals(recorded())).toBe(true)
    expect(library.log.filter((l) => l.startsWith('POST'))).toHaveLength(1)
    expect(library.log.filter((l) => l.startsWith('HEAD'))).toHaveLength(1)
  })

  it('finishes a recording sealed before the attempt began (recovery after a crash)', async () => {
    await record(2345)
    growing.close()
    growing = newGrowing(2345)
    const outcome = await attempt(liveJob({ growing })).outcome
    expect(outcome.ok).toBe(true)
    expect(library.bytes('u1').equals(recorded())).toBe(true)
  })

  it('waiting for the recording to grow is not a stall', async () => {
    layer = createNodeTusLayer({ storage, chunkSize: 1000, stallMs: 100, ...(net ? { net } : {}) })
    await record(10)
    const a = attempt()
    let ended = false
    void a.outcome.then(() => (ended = true))
    await until(() => library.uploads.get('u1')?.offset === 10, 'the first bytes arrived')
    // Several stall periods pass with nothing new recorded.
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(ended).toBe(false)
    await record(5)
    growing.seal(15)
    expect((await a.outcome).ok).toBe(true)
    expect(library.bytes('u1').equals(recorded())).toBe(true)
  })

  it('an abort while waiting for bytes ends the attempt at once and quietly', async () => {
    await record(10)
    const a = attempt()
    let ended = false
    void a.outcome.then(() => (ended = true))
    await until(() => library.uploads.get('u1')?.offset === 10, 'the first bytes arrived')
    await a.run.abort()
    await record(10)
    // Nothing more is sent, and the attempt reports nothing (an abort is no failure).
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(library.uploads.get('u1')?.offset).toBe(10)
    expect(ended).toBe(false)
  })

  it('terminate deletes the unfinished upload on the server', async () => {
    await record(10)
    const a = attempt()
    await until(() => library.uploads.get('u1')?.offset === 10, 'the first bytes arrived')
    await a.run.terminate()
    expect(library.uploads.has('u1')).toBe(false)
    expect(library.log).toContain('DELETE /api/uploads/u1')
    expect(await storage.findUploadsByFingerprint('sidecast/p1/live')).toEqual([])
  })

  it('a capture file gone mid-way fails for good, saying why', async () => {
    await record(10)
    const a = attempt()
    await until(() => library.uploads.get('u1')?.offset === 10, 'the first bytes arrived')
    await rm(file)
    const outcome = await a.outcome
    expect(outcome).toEqual({
      ok: false,
      failure: {
        kind: 'rejected',
        status: null,
        message: 'The recording’s file is gone, so the rest of it cannot be uploaded.'
      }
    })
  })
})
