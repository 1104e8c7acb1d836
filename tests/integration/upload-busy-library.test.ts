/**
 * A busy library (issue 18): the real server, on 127.0.0.1, whose database another connection
 * holds locked, answers the app's upload with 503 and `Retry-After`. Main's upload queue, through
 * the real tus layer, waits that long (not its own, much shorter backoff), says "The library is
 * busy — retrying in N s" meanwhile, and uploads the same bytes once the lock is gone.
 */
import { createHash } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { AppServices } from '../../src/main/app-services'
import type { UploadInfo } from '../../src/shared/ipc'
import type { RecordingFacts } from '../../src/shared/project'
import { makeVideo, request, startServer, tempDir, type TestServer } from '../server/support'
import { testAppServices } from '../support/app-services'

const ID = '20261129-120000-busy'

let video: Buffer
const cleanups: (() => Promise<void> | void)[] = []

beforeAll(async () => {
  video = await makeVideo(join(tempDir('busy-src'), 'clip.mp4'), { seconds: 1, faststart: true })
}, 120_000)

afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')

/** A finished project holding `video` as its recording. */
async function project(projectsDir: string): Promise<void> {
  const dir = join(projectsDir, ID)
  await mkdir(dir, { recursive: true })
  const facts: RecordingFacts = {
    version: 1,
    id: ID,
    status: 'complete',
    title: 'Busy walkthrough',
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
}

interface Answer {
  method: string
  path: string
  status: number
  retryAfter: string | undefined
  /** When the answer was sent (ms, performance clock). */
  at: number
}

/** Every answer the server sends, with the time it was sent. */
function logAnswers(s: TestServer): Answer[] {
  const answers: Answer[] = []
  s.app.server.on('request', (req: { method?: string; url?: string }, res) => {
    res.once('finish', () => {
      const retryAfter = res.getHeader('retry-after')
      answers.push({
        method: req.method ?? '',
        path: (req.url ?? '').split('?')[0] ?? '',
        status: res.statusCode,
        retryAfter: retryAfter === undefined ? undefined : String(retryAfter),
        at: performance.now()
      })
    })
  })
  return answers
}

async function upload(services: AppServices): Promise<UploadInfo | undefined> {
  return (await services.handlers['uploads:list']())[0]
}

describe('a busy library', () => {
  it('is waited out for as long as its Retry-After asks, and the upload then goes through', async () => {
    const s = await startServer()
    cleanups.push(() => s.close())
    const answers = logAnswers(s)
    // The app's own backoff is 100 ms: a retry sooner than Retry-After would show at once.
    const services = testAppServices({
      dataDir: tempDir('busy-app'),
      env: { SIDECAST_LIBRARY_URL: s.url, SIDECAST_LIBRARY_TOKEN: s.token },
      uploadRetryDelaysMs: [100]
    })
    cleanups.push(() => services.shutdown())
    await services.startup()
    await project(services.projects.projectsDir)

    const holder = new Database(join(s.dataDir, 'library.db'))
    cleanups.push(() => {
      if (holder.open) holder.close()
    })
    holder.exec('BEGIN EXCLUSIVE')

    await services.handlers['uploads:start'](ID, { title: 'Waited out' })
    const busy = await vi.waitFor(
      async () => {
        const u = await upload(services)
        expect(u?.error).toMatch(/^The library is busy — retrying in \d+ s$/)
        return u!
      },
      { timeout: 20_000, interval: 50 }
    )
    const refused = answers.find((a) => a.method === 'POST')!
    expect(refused).toMatchObject({ path: '/api/uploads', status: 503 })
    expect(refused.retryAfter).toMatch(/^\d+$/)
    expect(busy).toMatchObject({ state: 'queued' })
    expect(busy.error).toBe(`The library is busy — retrying in ${refused.retryAfter} s`)

    holder.exec('COMMIT')
    holder.close()

    const done = await vi.waitFor(
      async () => {
        const u = await upload(services)
        if (u?.state === 'failed') throw new Error(`failed: ${u.error}`)
        expect(u?.state).toBe('done')
        return u!
      },
      { timeout: 40_000, interval: 100 }
    )
    const posts = answers.filter((a) => a.method === 'POST' && a.path === '/api/uploads')
    expect(posts.map((p) => p.status)).toEqual([503, 201])
    // The retry came when the library asked, not after the app's 100 ms backoff (a little slack
    // for the clocks of the two ends of one process).
    const waited = posts[1]!.at - posts[0]!.at
    expect(waited).toBeGreaterThanOrEqual(Number(refused.retryAfter) * 1000 - 100)

    const id = done.url!.split('/').pop()!
    const media = await request(s.url, 'GET', `/media/${id}`, {
      Authorization: `Bearer ${s.token}`
    })
    expect(media.status).toBe(200)
    expect(sha256(media.body)).toBe(sha256(video))
  }, 90_000)
})
