/** tus 1.0 at /api/uploads against a real server: the protocol, sizes, expiry and auth. */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  auth,
  createUpload,
  getJson,
  head,
  makeVideo,
  patch,
  request,
  startServer,
  tempDir,
  TUS,
  type TestServer
} from './support'

let s: TestServer
let video: Buffer
const MAX = 2 * 1024 * 1024

beforeAll(async () => {
  video = await makeVideo(path.join(tempDir('vid'), 'clip.mp4'))
  s = await startServer({ config: { maxUploadSize: MAX } })
})

afterAll(async () => {
  await s?.close()
})

describe('tus protocol', () => {
  it('creates, patches in pieces, answers HEAD, resumes at the offset and finishes into a video', async () => {
    const {
      res,
      path: up,
      id
    } = await createUpload(s, video.length, {
      filename: 'clip.mp4',
      title: 'Protocol clip',
      description: 'made in pieces',
      durationMs: '2000',
      projectId: 'proj-1',
      callouts: JSON.stringify([{ text: 'look here', startMs: 100, endMs: 900 }])
    })
    expect(res.status).toBe(201)
    expect(res.headers['tus-resumable']).toBe('1.0.0')
    expect(id).toMatch(/^[0-9a-f]{32}$/)
    expect(res.headers['upload-expires']).toBeTruthy()

    let h = await head(s, up)
    expect(h.status).toBe(200)
    expect(h.headers['upload-offset']).toBe('0')
    expect(h.headers['upload-length']).toBe(String(video.length))
    expect(h.headers['cache-control']).toBe('no-store')

    const first = Math.floor(video.length / 3)
    let r = await patch(s, up, 0, video.subarray(0, first))
    expect(r.status).toBe(204)
    expect(r.headers['upload-offset']).toBe(String(first))
    expect(r.headers['sidecast-video-url']).toBeUndefined()

    // A client that lost track asks where to go on.
    h = await head(s, up)
    expect(h.headers['upload-offset']).toBe(String(first))

    // Not at the offset: 409, nothing written.
    r = await patch(s, up, 0, video.subarray(0, 100))
    expect(r.status).toBe(409)
    h = await head(s, up)
    expect(h.headers['upload-offset']).toBe(String(first))

    r = await patch(s, up, first, video.subarray(first))
    expect(r.status).toBe(204)
    expect(r.headers['upload-offset']).toBe(String(video.length))
    expect(r.headers['sidecast-upload-state']).toBe('done')
    const videoId = r.headers['sidecast-video-id'] as string
    expect(videoId).toMatch(/^[A-Za-z0-9_-]{12,}$/)
    expect(r.headers['sidecast-video-url']).toBe(`${s.url}/v/${videoId}`)

    const lookup = await getJson(s, `${up}/video`)
    expect(lookup.status).toBe(200)
    expect(lookup.json).toEqual({ state: 'done', id: videoId, url: `${s.url}/v/${videoId}` })

    // HEAD after completion still answers (offset = length) and names the video.
    h = await head(s, up)
    expect(h.status).toBe(200)
    expect(h.headers['upload-offset']).toBe(String(video.length))
    expect(h.headers['sidecast-video-id']).toBe(videoId)

    const got = await getJson<{
      title: string
      durationMs: number
      callouts: unknown[]
      projectId: string
      hasThumbnail: boolean
      sizeBytes: number
      authorName: string
    }>(s, `/api/videos/${videoId}`)
    expect(got.status).toBe(200)
    expect(got.json.title).toBe('Protocol clip')
    expect(got.json.authorName).toBe('alice')
    expect(got.json.projectId).toBe('proj-1')
    expect(got.json.callouts).toEqual([{ text: 'look here', startMs: 100, endMs: 900 }])
    expect(got.json.durationMs).toBeGreaterThan(1900)
    expect(got.json.durationMs).toBeLessThan(2200)
    expect(got.json.hasThumbnail).toBe(true)
    expect(got.json.sizeBytes).toBe(video.length)

    // The original bytes, unchanged; and a JPEG thumbnail.
    const stored = await s.app.library.openVideoFile((await s.app.library.db.getVideo(videoId))!)
    const chunks: Buffer[] = []
    for await (const c of stored.stream()) chunks.push(c as Buffer)
    expect(Buffer.concat(chunks).equals(video)).toBe(true)
    const thumb = s.app.library.thumbnailFile((await s.app.library.db.getVideo(videoId))!)
    expect(thumb && fs.readFileSync(thumb).subarray(0, 2).toString('hex')).toBe('ffd8')

    // A finished upload cannot be terminated (the video is deleted through the API instead).
    const del = await request(s.url, 'DELETE', up, auth(s.token))
    expect(del.status).toBe(400)
  })

  it('supports creation-with-upload (the whole file in the POST)', async () => {
    const { res, path: up } = await createUpload(
      s,
      video.length,
      { filename: 'one-go.mp4', title: 'One go' },
      s.token,
      video
    )
    expect(res.status).toBe(201)
    expect(res.headers['upload-offset']).toBe(String(video.length))
    expect(res.headers['sidecast-video-url']).toMatch(new RegExp(`^${s.url}/v/`))
    expect(up).toMatch(/^\/api\/uploads\/[0-9a-f]{32}$/)
  })

  it('creation-with-upload of part of the file, then PATCH for the rest', async () => {
    const half = Math.floor(video.length / 2)
    const { res, path: up } = await createUpload(
      s,
      video.length,
      { filename: 'half.mp4' },
      s.token,
      video.subarray(0, half)
    )
    expect(res.status).toBe(201)
    expect(res.headers['upload-offset']).toBe(String(half))
    // Every creation answers the link the video will have (instant share), also unfinished.
    const videoId = res.headers['sidecast-video-id'] as string
    expect(videoId).toBeTruthy()
    expect(res.headers['sidecast-video-url']).toBe(`${s.url}/v/${videoId}`)
    expect(res.headers['sidecast-upload-state']).toBeUndefined()
    const r = await patch(s, up, half, video.subarray(half))
    expect(r.status).toBe(204)
    expect(r.headers['sidecast-video-id']).toBe(videoId)
  })

  it('terminates an unfinished upload (DELETE), after which it is gone', async () => {
    const { path: up, id } = await createUpload(s, video.length)
    await patch(s, up, 0, video.subarray(0, 1000))
    expect(fs.existsSync(path.join(s.dataDir, 'uploads', id))).toBe(true)
    const del = await request(s.url, 'DELETE', up, auth(s.token))
    expect(del.status).toBe(204)
    expect(fs.existsSync(path.join(s.dataDir, 'uploads', id))).toBe(false)
    expect((await head(s, up)).status).toBe(404)
    expect((await patch(s, up, 1000, video.subarray(1000))).status).toBe(404)
  })

  it('rejects a malformed Upload-Offset with 400 and a missing Tus-Resumable with 412', async () => {
    const { path: up } = await createUpload(s, video.length)
    for (const bad of ['abc', '-1', '1.5', '']) {
      const r = await patch(s, up, bad, video.subarray(0, 10))
      expect(r.status, `Upload-Offset ${JSON.stringify(bad)}`).toBe(400)
    }
    const r = await request(s.url, 'HEAD', up, { Authorization: `Bearer ${s.token}` })
    expect(r.status).toBe(412)
    expect((await head(s, up)).headers['upload-offset']).toBe('0')
  })

  it('refuses uploads over the maximum size with 413', async () => {
    const big = await createUpload(s, MAX + 1)
    expect(big.res.status).toBe(413)
    expect(big.path).toBe('')

    // A body longer than the declared length is refused too, and nothing beyond it is kept.
    const { path: up } = await createUpload(s, 1000)
    const r = await patch(s, up, 0, Buffer.alloc(2000, 1))
    expect(r.status).toBe(413)
    expect((await head(s, up)).headers['upload-offset']).toBe('0')

    // Deferred length: the PATCH that declares too much is refused.
    const deferred = await request(s.url, 'POST', '/api/uploads', {
      ...auth(s.token),
      'Upload-Defer-Length': '1',
      'Upload-Metadata': 'filename ' + Buffer.from('d.mp4').toString('base64')
    })
    expect(deferred.status).toBe(201)
    const dpath = new URL(deferred.headers.location as string).pathname
    const d = await request(
      s.url,
      'PATCH',
      dpath,
      {
        ...auth(s.token),
        'Upload-Offset': 0,
        'Upload-Length': MAX + 10,
        'Content-Type': 'application/offset+octet-stream'
      },
      Buffer.alloc(10)
    )
    expect(d.status).toBe(413)
  })

  it('answers OPTIONS with the tus capabilities (for a signed-in client)', async () => {
    const r = await request(s.url, 'OPTIONS', '/api/uploads', auth(s.token))
    expect(r.status).toBe(204)
    expect(r.headers['tus-extension']).toContain('creation-with-upload')
    expect(r.headers['tus-extension']).toContain('termination')
    expect(r.headers['tus-extension']).toContain('expiration')
    expect(r.headers['tus-max-size']).toBe(String(MAX))
  })

  it('another user cannot see, resume or delete my upload', async () => {
    const { path: up } = await createUpload(s, video.length)
    expect((await head(s, up, s.otherToken)).status).toBe(404)
    expect((await patch(s, up, 0, video.subarray(0, 10), s.otherToken)).status).toBe(404)
    expect((await request(s.url, 'DELETE', up, auth(s.otherToken))).status).toBe(404)
    expect((await getJson(s, `${up}/video`, s.otherToken)).status).toBe(404)
    expect((await head(s, up)).status).toBe(200)
  })
})

describe('a missing or wrong token gets 401 on every method and route', () => {
  let up = ''
  beforeAll(async () => {
    up = (await createUpload(s, video.length)).path
  })

  const cases: [string, () => string][] = [
    ['POST', () => '/api/uploads'],
    ['OPTIONS', () => '/api/uploads'],
    ['HEAD', () => up],
    ['PATCH', () => up],
    ['DELETE', () => up],
    ['OPTIONS', () => up],
    ['GET', () => up],
    ['GET', () => `${up}/video`],
    ['GET', () => `${up}/status`],
    ['GET', () => '/api/me'],
    ['GET', () => '/api/videos'],
    ['GET', () => '/api/videos?q=x'],
    ['GET', () => '/api/videos/abcdefghijkl'],
    ['PATCH', () => '/api/videos/abcdefghijkl'],
    ['DELETE', () => '/api/videos/abcdefghijkl'],
    ['GET', () => '/api/nothing-here']
  ]
  const tokens: [string, Record<string, string>][] = [
    ['no token', {}],
    ['wrong token', { Authorization: 'Bearer not-a-real-token-at-all-1234567890' }],
    ['not Bearer', { Authorization: 'Basic YWxpY2U6YWxpY2UtcGFzc3dvcmQ=' }],
    ['empty Bearer', { Authorization: 'Bearer ' }]
  ]
  for (const [method, pathOf] of cases) {
    it(`${method} ${pathOf.toString().replace(/^\(\) => /, '')}`, async () => {
      for (const [label, headers] of tokens) {
        const body = method === 'PATCH' || method === 'POST' ? Buffer.alloc(16) : undefined
        const r = await request(
          s.url,
          method,
          pathOf(),
          {
            ...TUS,
            ...headers,
            'Upload-Length': video.length,
            'Upload-Offset': 0,
            'Content-Type': 'application/offset+octet-stream'
          },
          body
        )
        expect(r.status, `${method} ${pathOf()} with ${label}`).toBe(401)
        if (method !== 'HEAD') expect(JSON.parse(r.text).error).toBeTruthy()
      }
    })
  }

  it('and the upload was not touched by any of it', async () => {
    const h = await head(s, up)
    expect(h.headers['upload-offset']).toBe('0')
  })

  it('a revoked token stops working', async () => {
    const { token, record } = await s.app.library.db.createToken(s.user.id, 'short-lived')
    expect((await getJson(s, '/api/me', token)).status).toBe(200)
    expect(await s.app.library.db.revokeToken(s.user.id, record.prefix)).toBe(true)
    expect((await getJson(s, '/api/me', token)).status).toBe(401)
    expect((await createUpload(s, 10, { filename: 'a.mp4' }, token)).res.status).toBe(401)
  })
})

describe('expiration', () => {
  it('unfinished uploads expire (410) and the scheduled cleanup removes them', async () => {
    const e = await startServer({ config: { uploadExpiryMs: 700 } })
    try {
      const { res, path: up, id } = await createUpload(e, video.length)
      expect(res.headers['upload-expires']).toBeTruthy()
      await patch(e, up, 0, video.subarray(0, 500))
      const file = path.join(e.dataDir, 'uploads', id)
      expect(fs.existsSync(file)).toBe(true)
      await new Promise((r) => setTimeout(r, 900))
      expect((await head(e, up)).status).toBe(410)
      expect((await patch(e, up, 500, video.subarray(500))).status).toBe(410)
      const result = await e.app.cleanup()
      expect(result.expired).toBeGreaterThanOrEqual(1)
      expect(fs.existsSync(file)).toBe(false)
      expect(fs.existsSync(`${file}.json`)).toBe(false)
      expect((await head(e, up)).status).toBe(404)
    } finally {
      await e.close()
    }
  })

  it('runs the cleanup on a schedule by itself', async () => {
    const e = await startServer({ config: { uploadExpiryMs: 300, cleanupIntervalMs: 200 } })
    try {
      const { id } = await createUpload(e, video.length)
      const file = path.join(e.dataDir, 'uploads', id)
      expect(fs.existsSync(file)).toBe(true)
      const deadline = Date.now() + 10_000
      while (fs.existsSync(file) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100))
      expect(fs.existsSync(file)).toBe(false)
    } finally {
      await e.close()
    }
  })
})
