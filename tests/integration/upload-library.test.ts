/**
 * Uploads through main's services and the real tus layer to the real library server, started
 * in-process on 127.0.0.1: the bytes arrive unchanged, a refused token stops all requests, and a
 * server restart mid-upload is survived without starting over.
 */
import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { AppServices } from '../../src/main/app-services'
import type { Edits } from '../../src/shared/edits'
import type { LibraryTestResult, UploadInfo } from '../../src/shared/ipc'
import type { RecordingFacts } from '../../src/shared/project'
import {
  getJson,
  makeVideo,
  request,
  startServer,
  tempDir,
  type TestServer
} from '../server/support'
import { testAppServices } from '../support/app-services'
import { startCountingProxy } from '../support/library'

const ID = '20261129-120000-int1'

let smallVideo: Buffer
let bigVideo: Buffer
const cleanups: (() => Promise<void> | void)[] = []

beforeAll(async () => {
  const dir = tempDir('upload-src')
  smallVideo = await makeVideo(join(dir, 'small.mp4'), { seconds: 2, faststart: true })
  // Lossless noise: several MB, so a throttled upload takes a few seconds.
  bigVideo = await makeVideo(join(dir, 'big.mp4'), { seconds: 4, noise: true, faststart: true })
}, 120_000)

afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

const closeServer = new Map<TestServer, () => Promise<void>>()

async function server(options: Parameters<typeof startServer>[0] = {}): Promise<TestServer> {
  const s = await startServer(options)
  const close = (): Promise<void> => s.close()
  closeServer.set(s, close)
  cleanups.push(close)
  return s
}

/** Stops a server now (not again at the end of the test). */
async function stopServer(s: TestServer): Promise<void> {
  const close = closeServer.get(s)
  if (close) cleanups.splice(cleanups.indexOf(close), 1)
  await s.close()
}

/** A finished project holding `video` as its recording (and optional edits). */
async function project(projectsDir: string, video: Buffer, edits?: Edits): Promise<void> {
  const dir = join(projectsDir, ID)
  await mkdir(dir, { recursive: true })
  const facts: RecordingFacts = {
    version: 1,
    id: ID,
    status: 'complete',
    title: 'Integration walkthrough',
    createdAt: '2026-11-29T12:00:00.000Z',
    sourceName: 'Entire screen',
    file: 'recording.mp4',
    container: 'mp4',
    mimeType: 'video/webm;codecs=h264,opus',
    videoCodec: 'h264',
    audioCodec: 'aac',
    width: 320,
    height: 240,
    durationMs: 2000
  }
  await writeFile(join(dir, 'recording.json'), JSON.stringify(facts, null, 2))
  await writeFile(join(dir, 'recording.mp4'), video)
  if (edits) await writeFile(join(dir, 'edits.json'), JSON.stringify(edits))
}

interface App {
  services: AppServices
  copied: string[]
}

async function app(url: string, token: string, retryDelaysMs?: number[]): Promise<App> {
  const dataDir = tempDir('upload-app')
  const copied: string[] = []
  const services = testAppServices({
    dataDir,
    env: { SIDECAST_LIBRARY_URL: url, SIDECAST_LIBRARY_TOKEN: token },
    ...(retryDelaysMs ? { uploadRetryDelaysMs: retryDelaysMs } : {}),
    adapters: {
      copyText: (text) => {
        copied.push(text)
      }
    }
  })
  cleanups.push(() => services.shutdown())
  await services.startup()
  return { services, copied }
}

async function uploads(services: AppServices): Promise<UploadInfo[]> {
  return services.handlers['uploads:list']()
}

async function waitFor(services: AppServices, what: (u: UploadInfo) => boolean, timeout = 60_000) {
  await vi.waitFor(
    async () => {
      const [upload] = await uploads(services)
      if (upload?.state === 'failed' && !what(upload)) throw new Error(`failed: ${upload.error}`)
      expect(upload && what(upload)).toBe(true)
    },
    { timeout, interval: 100 }
  )
  return (await uploads(services))[0]!
}

/** The library's copy of a video, downloaded like a colleague's browser would. */
async function download(s: TestServer, videoId: string): Promise<Buffer> {
  const res = await request(s.url, 'GET', `/media/${videoId}`, {
    Authorization: `Bearer ${s.token}`
  })
  expect(res.status).toBe(200)
  return res.body
}

interface ListedVideo {
  id: string
  title: string
  description: string
  projectId: string | null
  durationMs: number
  url: string
  callouts: { text: string; startMs: number; endMs: number }[]
}

describe('uploading to the real library server', () => {
  it('uploads a recording as it is, lists it with the same bytes, and shares its link', async () => {
    const s = await server()
    const { services, copied } = await app(s.url, s.token)
    await project(services.projects.projectsDir, smallVideo)

    expect(await services.handlers['library:test']({})).toEqual<LibraryTestResult>({
      ok: true,
      message: 'Connected as alice',
      userName: 'alice'
    })
    await services.handlers['uploads:start'](ID, {
      title: 'Filing a bug',
      description: 'Step by step'
    })
    const done = await waitFor(services, (u) => u.state === 'done')

    const { json } = await getJson<{ videos: ListedVideo[]; total: number }>(s, '/api/videos')
    expect(json.total).toBe(1)
    const video = json.videos[0]!
    expect(video).toMatchObject({
      title: 'Filing a bug',
      description: 'Step by step',
      projectId: ID
    })
    expect(done.url).toBe(video.url)
    expect(sha256(await download(s, video.id))).toBe(sha256(smallVideo))

    const share = JSON.parse(
      await readFile(join(services.projects.projectDir(ID), 'share.json'), 'utf8')
    )
    expect(share).toMatchObject({ url: video.url, videoId: video.id })
    expect((await services.handlers['projects:list']())[0]?.shareUrl).toBe(video.url)
    await vi.waitFor(() => expect(copied).toEqual([video.url]))
  })

  it('sends a recording with edits as it is; its edits follow and the library applies them', async () => {
    const s = await server()
    const { services } = await app(s.url, s.token)
    await project(services.projects.projectsDir, smallVideo, {
      version: 2,
      keep: [[0, 1500]],
      annotations: [
        {
          id: 'c1',
          type: 'callout',
          startMs: 200,
          endMs: 900,
          x: 0.1,
          y: 0.1,
          w: 0.5,
          h: 0.2,
          text: 'Press the walrus button'
        }
      ]
    })
    await services.handlers['uploads:start'](ID, {})
    await waitFor(services, (u) => u.state === 'done', 50_000)

    // The edits arrive as the library's version 1: search finds the callout on the output clock.
    const found = await vi.waitFor(
      async () => {
        const { json } = await getJson<{ videos: (ListedVideo & { editsVersion: number })[] }>(
          s,
          '/api/videos?q=walrus'
        )
        expect(json.videos).toHaveLength(1)
        return json.videos[0]!
      },
      { timeout: 30_000, interval: 100 }
    )
    expect(found.title).toBe('Integration walkthrough')
    expect(found.editsVersion).toBe(1)
    expect(found.callouts).toEqual([{ text: 'Press the walrus button', startMs: 200, endMs: 900 }])
    // The 2 s recording went as it is (an export would be 1.5 s), and viewers get the trimmed length.
    expect(found.durationMs).toBeGreaterThan(1800)
    const { json: view } = await getJson<{ durationMs: number }>(s, `/api/videos/${found.id}/view`)
    expect(view.durationMs).toBe(1500)
    // No export was made for it.
    const uploadsDir = join(services.projects.projectsDir, '..', 'uploads')
    expect((await readdir(uploadsDir).catch(() => [])).filter((f) => f.endsWith('.mp4'))).toEqual(
      []
    )
  })

  it('stops at a refused token: failed, needs a token, and no further requests', async () => {
    const s = await server()
    let requests = 0
    s.app.server.on('request', () => requests++)
    const { services } = await app(s.url, 'not-a-valid-token', [100, 200])
    await project(services.projects.projectsDir, smallVideo)

    const test = await services.handlers['library:test']({})
    expect(test.ok).toBe(false)
    expect(test.message).toMatch(/refused the access token/)
    const afterTest = requests

    await services.handlers['uploads:start'](ID, {})
    const failed = await waitFor(services, (u) => u.state === 'failed')
    expect(failed).toMatchObject({
      needsToken: true,
      error: 'The library refused the access token. Enter a new token in Settings.'
    })
    const atFailure = requests
    expect(atFailure - afterTest).toBe(1)
    await new Promise((r) => setTimeout(r, 1500))
    expect(requests).toBe(atFailure)
  })
})

describe('a library server restart in the middle of an upload', () => {
  it('is waited out, and the same upload continues from the server’s offset to the same bytes', async () => {
    let port = 0
    const proxy = await startCountingProxy(() => port, { bytesPerSecond: 1.5 * 1024 * 1024 })
    cleanups.push(() => proxy.close())
    let posts = 0
    const countPosts = (s: TestServer): void => {
      s.app.server.on('request', (req: { method?: string; url?: string }) => {
        if (req.method === 'POST' && req.url?.startsWith('/api/uploads')) posts++
      })
    }
    let s = await server({ config: { publicUrl: proxy.url } })
    port = Number(new URL(s.url).port)
    countPosts(s)

    const { services } = await app(proxy.url, s.token, [200, 400, 800])
    await project(services.projects.projectsDir, bigVideo)

    await services.handlers['uploads:start'](ID, { title: 'Survives a restart' })
    await waitFor(services, (u) => u.state === 'uploading' && u.fraction > 0.15 && u.fraction < 0.7)

    // Stop the server mid-upload: the app waits and retries.
    await stopServer(s)
    const waiting = await waitFor(
      services,
      (u) => u.state === 'queued' && /^Waiting to retry/.test(u.error ?? '')
    )
    expect(waiting.bytesSent).toBeGreaterThan(0)

    // The same server (port and data dir) comes back.
    s = await server({ dataDir: s.dataDir, reuse: s, config: { port, publicUrl: proxy.url } })
    countPosts(s)
    const done = await waitFor(services, (u) => u.state === 'done', 100_000)
    // One upload created, ever: after the restart it went on rather than starting over.
    expect(posts).toBe(1)

    const { json } = await getJson<{ videos: ListedVideo[]; total: number }>(s, '/api/videos')
    expect(json.total).toBe(1)
    expect(done.url).toBe(json.videos[0]!.url)
    expect(sha256(await download(s, json.videos[0]!.id))).toBe(sha256(bigVideo))
  }, 150_000)
})
