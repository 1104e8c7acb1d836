/** Faults: a restart mid-upload, a database write that fails after an upload completes. */
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  createUpload,
  getJson,
  head,
  makeVideo,
  patch,
  startServer,
  tempDir,
  waitFor,
  type TestServer,
  serversPerTest
} from './support'

let video: Buffer
const servers = serversPerTest()

beforeAll(async () => {
  video = await makeVideo(path.join(tempDir('vid'), 'clip.mp4'))
})

const start = servers.start

async function restart(
  s: TestServer,
  opts: Parameters<typeof startServer>[0] = {}
): Promise<TestServer> {
  await s.close()
  servers.forget(s)
  return start({ dataDir: s.dataDir, reuse: s, ...opts })
}

async function listed(s: TestServer, q = ''): Promise<string[]> {
  return (await s.app.library.db.searchVideos(q)).map((v) => v.id)
}

describe('restart mid-upload', () => {
  it('HEAD answers the same offset after a restart, and the upload goes on to the same bytes', async () => {
    let s = await start()
    const { path: up } = await createUpload(s, video.length, {
      filename: 'restart.mp4',
      title: 'Survivor'
    })
    const part = Math.floor(video.length * 0.4)
    expect((await patch(s, up, 0, video.subarray(0, part))).status).toBe(204)
    expect((await head(s, up)).headers['upload-offset']).toBe(String(part))

    s = await restart(s)
    const h = await head(s, up)
    expect(h.status).toBe(200)
    expect(h.headers['upload-offset']).toBe(String(part))
    expect(h.headers['upload-length']).toBe(String(video.length))

    const r = await patch(s, up, part, video.subarray(part))
    expect(r.status).toBe(204)
    const id = r.headers['sidecast-video-id'] as string
    const v = (await s.app.library.db.getVideo(id))!
    expect(v.title).toBe('Survivor')
    const stored = await s.app.library.openVideoFile(v)
    const chunks: Buffer[] = []
    for await (const c of stored.stream()) chunks.push(c as Buffer)
    expect(Buffer.concat(chunks).equals(video)).toBe(true)
  })
})

describe('a database write that fails after the upload completes', () => {
  function breakDb(s: TestServer): { calls: number; restore(): void } {
    const db = s.app.library.db
    const original = db.completeUpload
    const state = {
      calls: 0,
      restore: () => {
        db.completeUpload = original
      }
    }
    db.completeUpload = async () => {
      state.calls++
      throw new Error('SQLITE_IOERR: disk I/O error (injected)')
    }
    return state
  }

  it('is never shown as done, and is retried until it is', async () => {
    const s = await start()
    const broken = breakDb(s)
    const { path: up } = await createUpload(s, video.length, {
      filename: 'flaky.mp4',
      title: 'Flaky disk',
      callouts: JSON.stringify([{ text: 'walrus', startMs: 0, endMs: 10 }])
    })
    const r = await patch(s, up, 0, video)
    // The bytes are all there (tus success), but there is no video yet: no URL is offered.
    expect(r.status).toBe(204)
    expect(r.headers['upload-offset']).toBe(String(video.length))
    expect(r.headers['sidecast-upload-state']).toBe('processing')
    expect(r.headers['sidecast-video-url']).toBeUndefined()
    expect(r.headers['sidecast-video-id']).toBeUndefined()
    expect(broken.calls).toBeGreaterThanOrEqual(1)

    const lookup = await getJson<{ state: string }>(s, `${up}/video`)
    expect(lookup.status).toBe(202)
    expect(lookup.json.state).toBe('processing')
    expect(await listed(s)).toEqual([])
    expect(await listed(s, 'walrus')).toEqual([])
    expect((await getJson<{ total: number }>(s, '/api/videos')).json.total).toBe(0)
    const h = await head(s, up)
    expect(h.headers['upload-offset']).toBe(String(video.length))
    expect(h.headers['sidecast-upload-state']).toBe('processing')

    // The automatic retry (backoff) keeps failing while the fault lasts...
    await waitFor('a retry', async () => broken.calls >= 2)
    expect(await listed(s)).toEqual([])

    // ...and succeeds once the database works again.
    broken.restore()
    const done = await waitFor('the video', async () => {
      const l = await getJson<{ state: string; id: string; url: string }>(s, `${up}/video`)
      return l.status === 200 ? l.json : null
    })
    expect(done.url).toBe(`${s.url}/v/${done.id}`)
    expect(await listed(s, 'walrus')).toEqual([done.id])
    expect((await head(s, up)).headers['sidecast-video-id']).toBe(done.id)
  })

  it('the reconciler finishes it (cleanup pass), once, with one video', async () => {
    const s = await start()
    const broken = breakDb(s)
    const { path: up } = await createUpload(s, video.length, {
      filename: 'r.mp4',
      title: 'Reconciled'
    })
    expect((await patch(s, up, 0, video)).headers['sidecast-upload-state']).toBe('processing')
    broken.restore()
    const result = await s.app.cleanup()
    expect(result.finished + result.pending).toBeGreaterThanOrEqual(0)
    const l = await waitFor('done', async () => {
      const r = await getJson<{ id: string }>(s, `${up}/video`)
      return r.status === 200 ? r.json : null
    })
    await s.app.cleanup()
    expect(await listed(s)).toEqual([l.id])
  })

  it('a server that stopped with the write still pending finishes it on the next start', async () => {
    let s = await start()
    breakDb(s)
    const { path: up } = await createUpload(s, video.length, {
      filename: 'later.mp4',
      title: 'After restart'
    })
    expect((await patch(s, up, 0, video)).headers['sidecast-upload-state']).toBe('processing')
    expect(await listed(s)).toEqual([])

    s = await restart(s)
    const l = await waitFor('reconciled on start', async () => {
      const r = await getJson<{ id: string; url: string }>(s, `${up}/video`)
      return r.status === 200 ? r.json : null
    })
    expect((await s.app.library.db.getVideo(l.id))?.title).toBe('After restart')
    expect(await listed(s)).toEqual([l.id])
  })
})
