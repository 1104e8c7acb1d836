/**
 * Share while recording through main's services and the real tus layer, against the REAL
 * library server started in-process on 127.0.0.1 behind a throttling proxy (the server's public
 * URL is the proxy's, so every tus request goes through it): the upload follows the recording as
 * its chunks arrive — through a link slower than the recording's bitrate for part of the time —
 * the link is copied once at Stop, the library's raw bytes equal the local capture byte for byte,
 * and the finished video has its duration and is seekable. A discarded take is gone from the
 * library; a crash mid-recording is recovered at the next start and completes under the same link.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { AppServices } from '../../src/main/app-services'
import type { UploadInfo } from '../../src/shared/ipc'
import { makeLiveRecording, page, sessions } from '../server/live-support'
import { request, startServer, tempDir, type TestServer } from '../server/support'
import { testAppServices } from '../support/app-services'
import { startThrottleProxy, type ThrottleProxy } from '../support/throttle-proxy'

const MIME = 'video/webm;codecs=vp8,opus'
const FFMPEG = process.env.SIDECAST_TEST_FFMPEG ?? 'ffmpeg'
const FFPROBE = FFMPEG.replace(/ffmpeg(\.exe)?$/, 'ffprobe$1')

/** A 6-second recording as MediaRecorder streams it (VP8 + Opus WebM, no duration, no cues). */
let raw: Buffer
const cleanups: (() => Promise<void> | void)[] = []

beforeAll(async () => {
  raw = await makeLiveRecording(6, 'vp8')
}, 120_000)

afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')

interface Library {
  readonly server: TestServer
  readonly proxy: ThrottleProxy
  /** sha256 of the raw bytes each live upload's stream copy started from, by upload id. */
  readonly rawBytes: Map<string, string>
  /** Points the proxy at another port (the library restarted). */
  retarget(port: number): void
}

/**
 * The library behind a throttling proxy; its public URL is the proxy's. `spoil` overwrites the raw
 * bytes the server is about to finish (as a disk fault would), so its finish fails.
 */
async function library(
  dataDir = tempDir('live-library'),
  options: { spoil?: boolean } = {}
): Promise<Library> {
  let port = 0
  const proxy = await startThrottleProxy({ target: () => port })
  cleanups.push(() => proxy.close())
  const rawBytes = new Map<string, string>()
  const server = await startServer({
    dataDir,
    config: { publicUrl: proxy.url },
    hooks: {
      async onLiveBytes(uploadId, file) {
        rawBytes.set(uploadId, sha(await readFile(file)))
        if (options.spoil) await writeFile(file, Buffer.alloc(4096, 0))
      }
    }
  })
  cleanups.push(() => server.close())
  port = Number(new URL(server.url).port)
  return {
    server,
    proxy,
    rawBytes,
    retarget: (next) => {
      port = next
    }
  }
}

interface App {
  readonly services: AppServices
  readonly dataDir: string
  readonly copied: string[]
  readonly notified: { title: string; body: string }[]
  /** The app dies mid-recording: its uploads stop (their state is on disk), nothing is finished. */
  crash(): Promise<void>
}

async function app(lib: Library, dataDir = tempDir('live-app')): Promise<App> {
  const copied: string[] = []
  const notified: { title: string; body: string }[] = []
  const services = testAppServices({
    dataDir,
    env: {
      SIDECAST_LIBRARY_URL: lib.proxy.url,
      SIDECAST_LIBRARY_TOKEN: lib.server.token,
      SIDECAST_SHARE_WHILE_RECORDING: '1'
    },
    uploadRetryDelaysMs: [200, 500],
    adapters: {
      copyText: (text) => {
        copied.push(text)
      },
      notify: (title, body) => {
        notified.push({ title, body })
      }
    }
  })
  await services.startup()
  let closed = false
  cleanups.push(async () => {
    if (!closed) await services.shutdown()
  })
  return {
    services,
    dataDir,
    copied,
    notified,
    async crash() {
      closed = true
      services.updates.dispose()
      await services.uploads.shutdown()
    }
  }
}

/** Polls (bounded) until `check` answers something; a condition, never a timed assertion. */
async function until<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  tries = 1200
): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`gave up waiting until ${what}`)
}

function liveUpload(services: AppServices, projectId: string): UploadInfo | undefined {
  return services.uploads.list().find((u) => u.projectId === projectId)
}

/** Splits the recording into `n` pieces, as MediaRecorder's timeslices would. */
function pieces(n: number): Buffer[] {
  const size = Math.ceil(raw.length / n)
  const out: Buffer[] = []
  for (let i = 0; i < raw.length; i += size) out.push(raw.subarray(i, i + size))
  return out
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (c: Buffer) => (out += String(c)))
    child.stderr.on('data', (c: Buffer) => (err += String(c)))
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} failed (${code}): ${err}`))
    )
  })
}

describe('share while recording against the real library', () => {
  it('follows the recording through a slow link, copies the link at Stop, and the library’s video is the capture, seekable', async () => {
    const lib = await library()
    const { services, dataDir, copied, notified } = await app(lib)
    const chunks = pieces(12)
    // Slower than the recording's bitrate (≈ 60 kB/s) for the first half: the upload falls behind.
    lib.proxy.setRate(20_000)
    const { projectId } = await services.recorder.start({ sourceName: 'Screen', mimeType: MIME })
    for (const [seq, chunk] of chunks.entries()) {
      await services.recorder.chunk(projectId, seq, chunk)
      if (seq === 5) lib.proxy.setRate(null)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    // The upload ran while recording, and the link was known before Stop.
    const before = await until(() => {
      const u = liveUpload(services, projectId)
      return u && u.url && u.bytesSent > 0 ? u : undefined
    }, 'bytes were sent while recording')
    expect(before.live).toBe('recording')
    expect(before.bytesTotal).toBeNull()
    expect(copied).toEqual([])

    await services.recorder.stop(projectId, {})
    // Copied at Stop, with one notification.
    await until(() => copied.length > 0, 'the link was copied')
    expect(copied).toEqual([before.url])
    expect(notified).toEqual([
      { title: 'Link copied — the video will be ready in a moment', body: before.title }
    ])

    const done = await until(() => {
      const u = liveUpload(services, projectId)
      if (u?.state === 'failed') throw new Error(`failed: ${u.error}`)
      return u?.state === 'done' ? u : undefined
    }, 'the upload is done')
    expect(done).toMatchObject({ url: before.url, bytesSent: raw.length, bytesTotal: raw.length })
    // The end is not announced again.
    expect(notified).toHaveLength(1)
    expect(copied).toHaveLength(1)

    // The library's raw bytes are the local capture, byte for byte.
    expect([...lib.rawBytes.values()]).toEqual([sha(raw)])
    // The library had them all: the capture is gone locally, the finished recording stays.
    const projectDir = join(services.projects.projectsDir, projectId)
    await until(() => !existsSync(join(projectDir, 'capture.webm')), 'the capture is removed')
    expect(existsSync(join(projectDir, 'recording.webm'))).toBe(true)
    expect(existsSync(join(dataDir, 'uploads', 'queue.json'))).toBe(true)
    // Copy link works with the project's stored link.
    await services.handlers['share:copy-link'](projectId)
    expect(copied[copied.length - 1]).toBe(before.url)

    // The finished video: its duration, and seekable (a Range in its middle is 206, and decodes).
    const videoId = new URL(done.url ?? '').pathname.split('/').pop() ?? ''
    const media = `${lib.server.url}/media/${videoId}`
    const bearer = { Authorization: `Bearer ${lib.server.token}` }
    const whole = await request(lib.server.url, 'HEAD', `/media/${videoId}`, bearer)
    expect(whole.status).toBe(200)
    const size = Number(whole.headers['content-length'])
    const start = Math.floor(size / 2)
    const ranged = await request(lib.server.url, 'GET', `/media/${videoId}`, {
      ...bearer,
      Range: `bytes=${start}-`
    })
    expect(ranged.status).toBe(206)
    expect(ranged.body.length).toBe(size - start)
    const headers = `Authorization: Bearer ${lib.server.token}\r\n`
    const duration = Number(
      await run(FFPROBE, [
        '-v',
        'error',
        '-headers',
        headers,
        '-show_entries',
        'format=duration',
        '-of',
        'csv=p=0',
        media
      ])
    )
    expect(duration).toBeGreaterThan(5.8)
    expect(duration).toBeLessThan(6.3)
    const frames = await run(FFMPEG, [
      '-v',
      'error',
      '-headers',
      headers,
      '-ss',
      '3',
      '-i',
      media,
      '-frames:v',
      '10',
      '-f',
      'framemd5',
      '-'
    ])
    expect(frames.split('\n').filter((l) => /^0,/.test(l))).toHaveLength(10)
  })

  it('a discarded take is gone from the library: its link says so', async () => {
    const lib = await library()
    const { services } = await app(lib)
    const { projectId } = await services.recorder.start({ sourceName: 'Screen', mimeType: MIME })
    const [first, second] = pieces(6)
    await services.recorder.chunk(projectId, 0, first ?? Buffer.alloc(0))
    await services.recorder.chunk(projectId, 1, second ?? Buffer.alloc(0))
    const live = await until(() => {
      const u = liveUpload(services, projectId)
      return u?.url && u.bytesSent > 0 ? u : undefined
    }, 'the upload is under way')
    await services.recorder.discard(projectId)
    expect(services.uploads.list()).toEqual([])
    const videoId = new URL(live.url ?? '').pathname.split('/').pop() ?? ''
    const { alice } = await sessions(lib.server)
    const gone = await until(async () => {
      const answer = await page(lib.server, alice, `/v/${videoId}`)
      return answer.status === 410 ? answer : undefined
    }, 'the link says the video was discarded')
    expect(gone.text).toContain('This video was discarded')
    await until(
      async () =>
        (
          await lib.server.app.library.db.unfinishedUploads(
            lib.server.user.id,
            '1970-01-01T00:00:00Z',
            0
          )
        ).count === 0,
      'no unfinished upload is left'
    )
  })

  it('a crash mid-recording: the next start recovers the recording and completes the upload under the same link', async () => {
    const lib = await library()
    const dataDir = tempDir('live-app-crash')
    const first = await app(lib, dataDir)
    const chunks = pieces(10)
    const { projectId } = await first.services.recorder.start({
      sourceName: 'Screen',
      mimeType: MIME
    })
    for (const [seq, chunk] of chunks.slice(0, 6).entries()) {
      await first.services.recorder.chunk(projectId, seq, chunk)
    }
    const before = await until(() => {
      const u = liveUpload(first.services, projectId)
      return u?.url && u.bytesSent > 0 ? u : undefined
    }, 'the upload is under way')
    // The app dies: nothing is finished, the upload just stops (its state is on disk).
    await first.crash()
    const written = Buffer.concat(chunks.slice(0, 6))

    const second = await app(lib, dataDir)
    const done = await until(() => {
      const u = liveUpload(second.services, projectId)
      if (u?.state === 'failed') throw new Error(`failed: ${u.error}`)
      return u?.state === 'done' ? u : undefined
    }, 'the upload is done')
    expect(done.url).toBe(before.url)
    expect(done.bytesTotal).toBe(written.length)
    expect([...lib.rawBytes.values()]).toEqual([sha(written)])
    // Recovered locally as well, and no link copied at a Stop nobody pressed: its end is told.
    const summary = await second.services.projects.get(projectId)
    expect(summary.status).toBe('recovered')
    await until(() => second.notified.length > 0, 'the end is told')
    expect(second.notified[0]?.title).toMatch(/^Uploaded/)
    const projectDir = join(second.services.projects.projectsDir, projectId)
    await until(() => !existsSync(join(projectDir, 'capture.webm')), 'the capture is removed')
  })

  it('a failed finish shows the reason; Try again sends the finished recording under the same link', async () => {
    const lib = await library(undefined, { spoil: true })
    const { services, copied } = await app(lib)
    const { projectId } = await services.recorder.start({ sourceName: 'Screen', mimeType: MIME })
    for (const [seq, chunk] of pieces(4).entries()) {
      await services.recorder.chunk(projectId, seq, chunk)
    }
    await services.recorder.stop(projectId, {})
    const failed = await until(() => {
      const u = liveUpload(services, projectId)
      if (u?.state === 'done') throw new Error('the library finished a broken video')
      return u?.state === 'failed' ? u : undefined
    }, 'the finish failed')
    expect(failed.error).toMatch(/^The library did not accept the file: /)
    expect(failed.url).toBe(copied[0])
    expect(failed.live).toBeUndefined()

    const retried = await services.handlers['uploads:resume'](failed.id)
    expect(retried.state).toBe('queued')
    const done = await until(() => {
      const u = liveUpload(services, projectId)
      if (u?.state === 'failed' && u.error !== failed.error) throw new Error(`failed: ${u.error}`)
      return u?.state === 'done' ? u : undefined
    }, 'Try again is done')
    // Under the same link, with the finished local recording.
    expect(done.url).toBe(failed.url)
    const videoId = new URL(done.url ?? '').pathname.split('/').pop() ?? ''
    const local = await readFile(join(services.projects.projectsDir, projectId, 'recording.webm'))
    const media = await request(lib.server.url, 'GET', `/media/${videoId}`, {
      Authorization: `Bearer ${lib.server.token}`
    })
    expect(media.status).toBe(200)
    expect(sha(media.body)).toBe(sha(local))
  })

  it('the library restarted mid-recording: the recording never notices, the upload resumes from the server’s offset', async () => {
    const dataDir = tempDir('live-library-restart')
    const lib = await library(dataDir)
    const { services } = await app(lib)
    const chunks = pieces(10)
    const { projectId } = await services.recorder.start({ sourceName: 'Screen', mimeType: MIME })
    for (const [seq, chunk] of chunks.slice(0, 4).entries()) {
      await services.recorder.chunk(projectId, seq, chunk)
    }
    const before = await until(() => {
      const u = liveUpload(services, projectId)
      return u?.url && u.bytesSent >= Buffer.concat(chunks.slice(0, 4)).length ? u : undefined
    }, 'the first chunks are on the server')
    // The library goes away; the recording goes on (every chunk is written and acknowledged).
    await lib.server.close()
    for (const [i, chunk] of chunks.slice(4, 8).entries()) {
      const ack = await services.recorder.chunk(projectId, 4 + i, chunk)
      expect(ack.diskLow).toBe(false)
    }
    // Back, on the same data, behind the same proxy (a new port: the proxy asks for it).
    const restarted = await startServer({
      dataDir,
      reuse: lib.server,
      config: { publicUrl: lib.proxy.url },
      hooks: {
        async onLiveBytes(uploadId, file) {
          lib.rawBytes.set(uploadId, sha(await readFile(file)))
        }
      }
    })
    cleanups.push(() => restarted.close())
    lib.retarget(Number(new URL(restarted.url).port))
    for (const [i, chunk] of chunks.slice(8).entries()) {
      await services.recorder.chunk(projectId, 8 + i, chunk)
    }
    await services.recorder.stop(projectId, {})
    const done = await until(() => {
      const u = liveUpload(services, projectId)
      if (u?.state === 'failed') throw new Error(`failed: ${u.error}`)
      return u?.state === 'done' ? u : undefined
    }, 'the upload is done')
    expect(done.url).toBe(before.url)
    expect([...lib.rawBytes.values()]).toEqual([sha(raw)])
  })
})
