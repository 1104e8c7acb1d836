/**
 * A browser on another origin uses the library (server/src/cors.ts) in real headless Chromium: a
 * page served from a second 127.0.0.1 port loads tus-js-client's browser bundle and uploads a
 * Blob with a Bearer token (preflights, chunked PATCHes, the Sidecast headers read from the final
 * answer), and calls the JSON API. The library's session cookie, which the browser holds for the
 * same host, gets that page nothing: a credentialed read is refused to it, a credentialed write
 * is never sent.
 */
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BASE_CHROMIUM_ARGS, chromiumPath } from '../support/chromium'
import { makeTestVideo, tusUpload } from './helpers-pages/fixtures'
import { ROOT, getJson, serversPerTest, tempDir, type TestServer } from './support'

// Browser-side names used inside page.evaluate callbacks (this project compiles without the DOM lib).
interface TusResponse {
  getHeader(name: string): string | undefined
  getStatus(): number
}
interface TusUploadOptions {
  endpoint: string
  headers: Record<string, string>
  chunkSize: number
  retryDelays: number[]
  metadata: Record<string, string>
  onProgress(sent: number, total: number): void
  onSuccess(payload: { lastResponse: TusResponse }): void
  onError(error: Error): void
}
declare const tus: {
  Upload: new (file: unknown, options: TusUploadOptions) => { start(): void; url: string | null }
}
declare function fetch(
  url: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string; credentials?: string }
): Promise<{ status: number; blob(): Promise<{ size: number }>; json(): Promise<unknown> }>

const TUS_BUNDLE = path.join(ROOT, 'node_modules/tus-js-client/dist/tus.min.js')
const CHUNK = 64 * 1024

const servers = serversPerTest()
let browser: Browser
let pageServer: http.Server
let pageOrigin: string
let videoBytes: Buffer

/** The other origin: a page that loads tus-js-client, the bundle, and the video to upload. */
function servePages(): Promise<http.Server> {
  const files: Record<string, { type: string; body: Buffer | string }> = {
    '/': {
      type: 'text/html; charset=utf-8',
      body: '<!doctype html><title>uploader</title><script src="/tus.min.js"></script>'
    },
    '/tus.min.js': { type: 'text/javascript', body: fs.readFileSync(TUS_BUNDLE) },
    '/clip.webm': { type: 'video/webm', body: videoBytes }
  }
  const server = http.createServer((req, res) => {
    const file = files[req.url ?? '']
    if (!file) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'Content-Type': file.type, 'Cache-Control': 'no-store' })
    res.end(file.body)
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

beforeAll(async () => {
  const file = path.join(tempDir('cors-browser'), 'clip.webm')
  await makeTestVideo(file)
  videoBytes = fs.readFileSync(file)
  // Several chunks, so the upload takes several cross-origin PATCHes.
  expect(videoBytes.length).toBeGreaterThan(2 * CHUNK)
  pageServer = await servePages()
  pageOrigin = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...BASE_CHROMIUM_ARGS]
  })
})

afterAll(async () => {
  await browser?.close()
  await new Promise((resolve) => pageServer?.close(resolve))
})

/** A page on the other origin, ready (tus-js-client loaded); closed with its context after `use`. */
async function onOtherOrigin<T>(
  s: TestServer,
  use: (page: import('playwright-core').Page) => Promise<T>,
  sessionId?: string
): Promise<T> {
  const context = await browser.newContext()
  try {
    if (sessionId) {
      // Signed in to the library in this browser: its cookie is for the host, whatever the port.
      await context.addCookies([
        {
          name: 'sidecast_session',
          value: sessionId,
          url: s.url,
          httpOnly: true,
          sameSite: 'Lax'
        }
      ])
    }
    const page = await context.newPage()
    page.setDefaultTimeout(30_000)
    await page.goto(`${pageOrigin}/`)
    await page.waitForFunction(() => typeof tus !== 'undefined')
    expect(new URL(page.url()).origin).not.toBe(new URL(s.url).origin)
    return await use(page)
  } finally {
    await context.close()
  }
}

/** Every request the library receives: method, path, and whether it carried the session cookie. */
function recordRequests(s: TestServer): { method: string; path: string; cookie: boolean }[] {
  const seen: { method: string; path: string; cookie: boolean }[] = []
  s.app.server.on('request', (req: http.IncomingMessage) => {
    seen.push({
      method: req.method ?? '',
      path: req.url ?? '',
      cookie: (req.headers.cookie ?? '').includes('sidecast_session=')
    })
  })
  return seen
}

describe('a browser on another origin', () => {
  it('uploads a Blob with tus-js-client and a Bearer token', async () => {
    const s = await servers.start()
    const seen = recordRequests(s)
    const result = await onOtherOrigin(s, (page) =>
      page.evaluate(
        async ({ endpoint, token, chunkSize }) => {
          const blob = await (await fetch('/clip.webm')).blob()
          const progress: [number, number][] = []
          return new Promise<{
            progress: [number, number][]
            size: number
            url: string | null
            status: number
            state: string | null
            videoId: string | null
            videoUrl: string | null
          }>((resolve, reject) => {
            const upload = new tus.Upload(blob, {
              endpoint,
              headers: { Authorization: `Bearer ${token}` },
              chunkSize,
              // No retries: a refused request fails the test at once, with its reason.
              retryDelays: [],
              metadata: { filename: 'from-the-browser.webm', title: 'Uploaded cross-origin' },
              onProgress: (sent, total) => progress.push([sent, total]),
              onSuccess: ({ lastResponse }) =>
                resolve({
                  progress,
                  size: blob.size,
                  url: upload.url,
                  status: lastResponse.getStatus(),
                  state: lastResponse.getHeader('Sidecast-Upload-State') ?? null,
                  videoId: lastResponse.getHeader('Sidecast-Video-Id') ?? null,
                  videoUrl: lastResponse.getHeader('Sidecast-Video-Url') ?? null
                }),
              onError: (error) => reject(new Error(String(error)))
            })
            upload.start()
          })
        },
        { endpoint: `${s.url}/api/uploads`, token: s.token, chunkSize: CHUNK }
      )
    )

    // The browser sent preflights (no token) and the real requests (with it), and read Location.
    expect(seen.some((r) => r.method === 'OPTIONS')).toBe(true)
    const patches = seen.filter((r) => r.method === 'PATCH')
    expect(patches.length).toBe(Math.ceil(videoBytes.length / CHUNK))
    expect(result.url).toMatch(new RegExp(`^${s.url}/api/uploads/[0-9a-f]{32}$`))

    // Progress events fired along the way and reached the whole size.
    expect(result.size).toBe(videoBytes.length)
    expect(result.progress.length).toBeGreaterThanOrEqual(patches.length)
    expect(result.progress.at(-1)).toEqual([videoBytes.length, videoBytes.length])
    for (const [sent, total] of result.progress) {
      expect(total).toBe(videoBytes.length)
      expect(sent).toBeLessThanOrEqual(total)
    }

    // The final answer's Sidecast headers were readable in the page.
    expect(result.status).toBe(204)
    expect(result.state).toBe('done')
    expect(result.videoId).toBeTruthy()
    expect(result.videoUrl).toBe(`${s.url}/v/${result.videoId}`)

    // And the server has the video, byte for byte the Blob.
    const video = await s.app.library.db.getVideo(result.videoId ?? '')
    expect(video?.title).toBe('Uploaded cross-origin')
    expect(video?.filename).toBe('from-the-browser.webm')
    expect(video?.sizeBytes).toBe(videoBytes.length)
    expect(video?.ownerId).toBe(s.user.id)
  })

  it('calls the JSON API with a token; the session cookie gets it nothing', async () => {
    const s = await servers.start()
    const session = await s.app.library.db.createSession(s.user.id)
    // A video to read and to try to change.
    const videoId = await tusUpload(s.url, s.token, videoBytes, {
      filename: 'mine.webm',
      title: 'Original title'
    })
    const seen = recordRequests(s)

    const result = await onOtherOrigin(
      s,
      (page) =>
        page.evaluate(
          async ({ base, token, id }) => {
            const withToken = await fetch(`${base}/api/me`, {
              headers: { Authorization: `Bearer ${token}` }
            })
            const renamed = await fetch(`${base}/api/videos/${id}`, {
              method: 'PATCH',
              headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
              body: JSON.stringify({ title: 'Renamed with the token' })
            })
            const failed = async (run: () => Promise<unknown>): Promise<string> => {
              try {
                await run()
                return 'read'
              } catch (error) {
                return (error as Error).name
              }
            }
            return {
              me: { status: withToken.status, body: await withToken.json() },
              renamed: { status: renamed.status, body: await renamed.json() },
              // The cookie goes along (same host), but the answer is not handed to this page.
              cookieRead: await failed(() =>
                fetch(`${base}/api/me`, { credentials: 'include' }).then((r) => r.json())
              ),
              // A credentialed write needs a preflight that allows credentials: never sent.
              cookieWrite: await failed(() =>
                fetch(`${base}/api/videos/${id}`, {
                  method: 'PATCH',
                  credentials: 'include',
                  headers: { 'Content-Type': 'application/json' },
                  body: JSON.stringify({ title: 'Renamed with the cookie' })
                })
              ),
              // Without credentials there is no cookie, so no user: a readable 401.
              anonymous: (await fetch(`${base}/api/me`)).status
            }
          },
          { base: s.url, token: s.token, id: videoId }
        ),
      session.id
    )

    expect(result.me).toEqual({
      status: 200,
      body: { name: 'alice', admin: false, features: ['edits', 'camera', 'learn'] }
    })
    expect(result.renamed.status).toBe(200)
    expect(result.renamed.body).toMatchObject({ id: videoId, title: 'Renamed with the token' })
    expect(result.cookieRead).toBe('TypeError')
    expect(result.cookieWrite).toBe('TypeError')
    expect(result.anonymous).toBe(401)

    // The credentialed read reached the server with the cookie (and was answered) …
    const cookieGets = seen.filter((r) => r.method === 'GET' && r.path === '/api/me' && r.cookie)
    expect(cookieGets).toHaveLength(1)
    // … the credentialed PATCH never did: only the token's PATCH arrived.
    expect(seen.filter((r) => r.method === 'PATCH')).toHaveLength(1)
    const { json } = await getJson<{ title: string }>(s, `/api/videos/${videoId}`)
    expect(json.title).toBe('Renamed with the token')
  })
})
