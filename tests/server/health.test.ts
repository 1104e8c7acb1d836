/**
 * Issue 16: `/healthz` and `/readyz` (server/src/health.ts) and the graceful stop that hands
 * over upload locks (app.ts close): the module on a bare HTTP server (timeouts, redaction, one
 * round for a burst, no log per hit, the storage check for files and S3), then the library
 * server itself (both endpoints without a token, storage made unusable, 503 `stopping` during
 * the stop, a PATCH in flight at the stop ends and the upload resumes from what was stored).
 */
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createHealth, storageCheck, type Check, type Readiness } from '../../server/src/health'
import { startFakeS3 } from './fake-s3'
import {
  auth,
  createUpload,
  head,
  makeVideo,
  patch,
  request,
  serversPerTest,
  tempDir,
  waitFor
} from './support'

const servers = serversPerTest()

/** Closed after each test: bare servers around a Health. */
const bare: http.Server[] = []
afterEach(async () => {
  await Promise.all(
    bare.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve())))
  )
})

async function serveHealth(handle: ReturnType<typeof createHealth>['handle']): Promise<string> {
  const server = http.createServer((req, res) => {
    const pathname = (req.url ?? '/').split('?')[0] ?? '/'
    if (!handle(req, res, pathname)) {
      res.writeHead(404)
      res.end('not mine')
    }
  })
  bare.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`
}

const ok: Check = () => Promise.resolve()

function readyJson(text: string): Readiness {
  return JSON.parse(text) as Readiness
}

describe('health.ts on its own', () => {
  it('/healthz: 200 ok for GET and HEAD, 405 for other methods, other paths left alone', async () => {
    let ran = 0
    const health = createHealth({
      checks: { database: () => (ran++, Promise.resolve()), redis: null, storage: ok }
    })
    const url = await serveHealth(health.handle)
    const get = await request(url, 'GET', '/healthz')
    expect(get.status).toBe(200)
    expect(get.text).toBe('ok\n')
    expect(get.headers['cache-control']).toBe('no-store')
    expect((await request(url, 'HEAD', '/healthz')).status).toBe(200)
    const post = await request(url, 'POST', '/healthz', {}, 'x')
    expect(post.status).toBe(405)
    expect(post.headers.allow).toBe('GET, HEAD')
    expect((await request(url, 'GET', '/healthz/more')).text).toBe('not mine')
    // Liveness checks nothing.
    expect(ran).toBe(0)
  })

  it('/readyz: 200 with every check, "not configured" for an absent one', async () => {
    const health = createHealth({ checks: { database: ok, redis: null, storage: ok } })
    const res = await request(await serveHealth(health.handle), 'GET', '/readyz')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    expect(readyJson(res.text)).toEqual({
      ready: true,
      checks: { database: 'ok', redis: 'not configured', storage: 'ok' }
    })
  })

  it('/readyz: 503 naming the failing check and why, with no password in it', async () => {
    const logs: string[] = []
    const health = createHealth({
      checks: {
        database: ok,
        redis: () =>
          Promise.reject(new Error('connect ECONNREFUSED redis://sidecast:s3cret-pw@cache:6379/0')),
        storage: ok
      },
      log: (m) => logs.push(m)
    })
    const url = await serveHealth(health.handle)
    const res = await request(url, 'GET', '/readyz')
    expect(res.status).toBe(503)
    const body = readyJson(res.text)
    expect(body.ready).toBe(false)
    expect(body.checks.database).toBe('ok')
    expect(body.checks.storage).toBe('ok')
    expect(body.checks.redis).toMatch(
      /^failed: connect ECONNREFUSED redis:\/\/sidecast:\*\*\*@cache/
    )
    expect(body.reason).toMatch(/^redis failed: /)
    expect(res.text).not.toContain('s3cret')
    // Logged once, when readiness changed; not again for the same failure.
    await request(url, 'GET', '/readyz')
    expect(logs).toHaveLength(1)
    expect(logs[0]).toMatch(/^not ready: redis failed/)
    expect(logs.join('\n')).not.toContain('s3cret')
  })

  it('a check that does not answer fails after the timeout', async () => {
    const health = createHealth({
      checks: { database: () => new Promise<void>(() => {}), redis: null, storage: ok },
      timeoutMs: 50
    })
    const result = await health.readiness()
    expect(result.ready).toBe(false)
    expect(result.checks.database).toBe('failed: timed out after 50 ms')
    expect(result.checks.storage).toBe('ok')
  })

  it('probes arriving while a round runs share it; a later probe runs the checks again', async () => {
    let runs = 0
    const finishers: (() => void)[] = []
    let called!: () => void
    const health = createHealth({
      checks: {
        database: () => {
          runs++
          called()
          return new Promise<void>((resolve) => finishers.push(resolve))
        },
        redis: null,
        storage: ok
      }
    })
    let started = new Promise<void>((resolve) => (called = resolve))
    const burst = [health.readiness(), health.readiness(), health.readiness()]
    await started
    // All three asked before the round ended, and the round is still waiting on the database.
    expect(runs).toBe(1)
    finishers.forEach((finish) => finish())
    const results = await Promise.all(burst)
    expect(results.every((r) => r.ready)).toBe(true)
    expect(runs).toBe(1)
    started = new Promise<void>((resolve) => (called = resolve))
    const later = health.readiness()
    await started
    finishers.forEach((finish) => finish())
    expect((await later).ready).toBe(true)
    expect(runs).toBe(2)
  })

  it('once stopping, /readyz answers 503 stopping without running the checks', async () => {
    let runs = 0
    const logs: string[] = []
    const health = createHealth({
      checks: { database: () => (runs++, Promise.resolve()), redis: null, storage: ok },
      log: (m) => logs.push(m)
    })
    const url = await serveHealth(health.handle)
    expect((await request(url, 'GET', '/readyz')).status).toBe(200)
    expect(runs).toBe(1)
    health.stopping()
    expect(health.isStopping).toBe(true)
    const res = await request(url, 'GET', '/readyz')
    expect(res.status).toBe(503)
    expect(readyJson(res.text)).toMatchObject({ ready: false, reason: 'stopping' })
    expect((await request(url, 'HEAD', '/readyz')).status).toBe(503)
    expect(runs).toBe(1)
    // Liveness is unchanged: the process still answers.
    expect((await request(url, 'GET', '/healthz')).status).toBe(200)
    expect(logs).toEqual(['stopping: /readyz answers 503 from now on'])
  })

  it('storage (files): the folders must be folders and uploads/ writable; no probe file stays', async () => {
    const dataDir = tempDir('health-files')
    const uploads = path.join(dataDir, 'uploads')
    fs.mkdirSync(uploads)
    fs.mkdirSync(path.join(dataDir, 'videos'))
    const check = storageCheck({ dataDir, s3: null })
    await check()
    expect(fs.readdirSync(uploads)).toEqual([])

    fs.rmSync(path.join(dataDir, 'videos'), { recursive: true })
    await expect(check()).rejects.toThrow('videos folder: ENOENT')
    fs.mkdirSync(path.join(dataDir, 'videos'))

    fs.rmSync(uploads, { recursive: true })
    fs.writeFileSync(uploads, 'not a folder')
    await expect(check()).rejects.toThrow('uploads folder: not a folder')
  })

  it('storage (S3): HeadBucket on the configured bucket', async () => {
    const s3 = await startFakeS3('health-bucket')
    try {
      const env = s3.env
      const config = (bucket: string) => ({
        dataDir: tempDir('health-s3'),
        s3: {
          bucket,
          endpoint: env.SIDECAST_S3_ENDPOINT as string,
          region: 'us-east-1',
          accessKeyId: 'S3RVER',
          secretAccessKey: 'S3RVER',
          forcePathStyle: true,
          partSize: 5 * 1024 * 1024
        }
      })
      await storageCheck(config('health-bucket'))()
      await expect(storageCheck(config('no-such-bucket'))()).rejects.toThrow(/^bucket: .*HTTP 404/)
    } finally {
      await s3.close()
    }
  })
})

/** One raw HTTP/1.1 response read from a socket: status, headers, body (Content-Length). */
function readResponse(socket: net.Socket): Promise<{
  status: number
  headers: Record<string, string>
  body: string
} | null> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0)
    const finish = (value: Parameters<typeof resolve>[0]): void => {
      socket.off('data', onData)
      socket.off('close', onClose)
      resolve(value)
    }
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk])
      const end = buf.indexOf('\r\n\r\n')
      if (end < 0) return
      const lines = buf.subarray(0, end).toString('latin1').split('\r\n')
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0)
      if (status === 100) {
        buf = buf.subarray(end + 4)
        return
      }
      const headers: Record<string, string> = {}
      for (const line of lines.slice(1)) {
        const i = line.indexOf(':')
        headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim()
      }
      const length = Number(headers['content-length'] ?? 0)
      if (buf.length - end - 4 < length) return
      finish({ status, headers, body: buf.subarray(end + 4, end + 4 + length).toString() })
    }
    const onClose = (): void => finish(null)
    socket.on('data', onData)
    socket.on('close', onClose)
  })
}

async function connect(url: string): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port: Number(new URL(url).port) })
  socket.on('error', () => {})
  await new Promise((resolve) => socket.once('connect', resolve))
  return socket
}

describe('the library server', () => {
  it('/healthz and /readyz need no token, and a probe writes no log line', async () => {
    const logs: string[] = []
    const s = await servers.start({ log: (m) => logs.push(m) })
    const live = await request(s.url, 'GET', '/healthz')
    expect(live.status).toBe(200)
    expect(live.text).toBe('ok\n')
    for (let i = 0; i < 3; i++) {
      const res = await request(s.url, 'GET', '/readyz')
      expect(res.status).toBe(200)
      // Redis where the run gives the servers one (the PostgreSQL pass), else memory.
      expect(readyJson(res.text)).toEqual({
        ready: true,
        checks: {
          database: 'ok',
          redis: s.config.redisUrl ? 'ok' : 'not configured',
          storage: 'ok'
        }
      })
      expect((await request(s.url, 'GET', '/healthz')).status).toBe(200)
    }
    expect(logs).toEqual([])
    // The probe file is gone again: only the library's own files are in uploads/.
    expect(
      fs.readdirSync(path.join(s.dataDir, 'uploads')).filter((n) => n.startsWith('.'))
    ).toEqual([])
  })

  it('/readyz: 503 while the uploads folder is unusable, 200 again once it is back', async () => {
    const s = await servers.start()
    const uploads = path.join(s.dataDir, 'uploads')
    const away = path.join(s.dataDir, 'uploads.away')
    // Running as root, permissions would not stop a write: a file in the folder's place does.
    fs.renameSync(uploads, away)
    fs.writeFileSync(uploads, 'not a folder')
    try {
      const res = await request(s.url, 'GET', '/readyz')
      expect(res.status).toBe(503)
      const body = readyJson(res.text)
      expect(body.ready).toBe(false)
      expect(body.checks).toEqual({
        database: 'ok',
        redis: s.config.redisUrl ? 'ok' : 'not configured',
        storage: 'failed: uploads folder: not a folder'
      })
      expect(body.reason).toBe('storage failed: uploads folder: not a folder')
      // The process is alive all the same.
      expect((await request(s.url, 'GET', '/healthz')).status).toBe(200)
    } finally {
      fs.rmSync(uploads)
      fs.renameSync(away, uploads)
    }
    expect((await request(s.url, 'GET', '/readyz')).status).toBe(200)
  })

  it('the stop: /readyz says stopping, a PATCH in flight ends with what it sent, the upload resumes', async () => {
    const dir = tempDir('health-stop')
    const video = await makeVideo(path.join(dir, 'clip.mp4'))
    const s = await servers.start()
    const half = Math.floor(video.length / 2)

    // A probe whose request is under way (its head not yet complete) when the stop begins.
    const probe = await connect(s.url)
    probe.write('GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n')

    // An upload in flight: half its body sent and stored, the request still open.
    const created = await createUpload(s, video.length, { filename: 'clip.mp4', title: 'Stop' })
    expect(created.res.status).toBe(201)
    const socket = await connect(s.url)
    const patchAnswer = readResponse(socket)
    const headers = {
      ...auth(s.token),
      'Upload-Offset': '0',
      'Content-Type': 'application/offset+octet-stream',
      'Content-Length': String(video.length)
    }
    socket.write(
      `PATCH ${created.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        Object.entries(headers)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('') +
        '\r\n'
    )
    socket.write(video.subarray(0, half))
    const stored = path.join(s.dataDir, 'uploads', created.id)
    await waitFor('the first half stored', async () =>
      fs.existsSync(stored) ? fs.statSync(stored).size >= half : false
    )

    servers.forget(s)
    const closing = s.app.close()
    const probeAnswer = readResponse(probe)
    probe.write('\r\n')
    const ready = await probeAnswer
    probe.destroy()
    expect(ready?.status).toBe(503)
    expect(readyJson(ready?.body ?? '{}')).toMatchObject({ ready: false, reason: 'stopping' })

    // The server let go of the upload before closing connections: the PATCH ended with an
    // answer saying how much it stored (the client goes on from there, elsewhere).
    const answer = await patchAnswer
    socket.destroy()
    expect(answer?.status).toBe(204)
    expect(answer?.headers['upload-offset']).toBe(String(half))
    await closing
    expect(fs.statSync(stored).size).toBe(half)

    // Another instance (here: the same data folder, started again) resumes from the offset.
    const again = await servers.start({ dataDir: s.dataDir, reuse: s })
    const headAnswer = await head(again, created.path)
    expect(headAnswer.status).toBe(200)
    expect(headAnswer.headers['upload-offset']).toBe(String(half))
    const rest = await patch(again, created.path, half, video.subarray(half))
    expect(rest.status).toBe(204)
    expect(rest.headers['upload-offset']).toBe(String(video.length))
    expect(rest.headers['sidecast-upload-state']).toBe('done')
  })
})
