/** Hostile or broken input to the upload endpoint: paths, metadata, files that are not videos. */
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { onPostgres } from './engine'
import {
  auth,
  createUpload,
  encodeMetadata,
  getJson,
  head,
  makeVideo,
  patch,
  request,
  startServer,
  tempDir,
  waitFor,
  type TestServer
} from './support'

let s: TestServer
let video: Buffer
let faststart: Buffer

beforeAll(async () => {
  const dir = tempDir('vid')
  video = await makeVideo(path.join(dir, 'clip.mp4'))
  faststart = await makeVideo(path.join(dir, 'fast.mp4'), { faststart: true })
  s = await startServer()
  // A file next to the data dir that a traversal would try to reach.
  fs.writeFileSync(path.join(s.dataDir, 'secret.txt'), 'do not touch')
  // On PostgreSQL the records are not in the folder: a stand-in library.db is the target instead.
  if (onPostgres) fs.writeFileSync(path.join(s.dataDir, 'library.db'), 'stand-in')
})

afterAll(async () => {
  await s?.close()
})

function uploadRecords(): string[] {
  return fs.readdirSync(path.join(s.dataDir, 'uploads')).filter((n) => n.endsWith('.json'))
}

async function listedTitles(): Promise<string[]> {
  return (await s.app.library.db.searchVideos('', { limit: 1000 })).map((v) => v.title)
}

describe('path traversal in upload ids', () => {
  const attempts = [
    '/api/uploads/..',
    '/api/uploads/../library.db',
    '/api/uploads/..%2Flibrary.db',
    '/api/uploads/%2e%2e%2flibrary.db',
    '/api/uploads/%2E%2E',
    '/api/uploads/..%5Csecret.txt',
    '/api/uploads/%252e%252e%252flibrary.db',
    '/api/uploads/x%00.json',
    '/api/uploads/../../secret.txt',
    '/api/uploads/..%252F..%252Fsecret.txt',
    '/api/uploads/.',
    '/api/uploads/0123456789abcdef0123456789abcdef.json',
    '/api/uploads/0123456789ABCDEF0123456789ABCDEF'
  ]
  for (const p of attempts) {
    it(`${p} reaches nothing`, async () => {
      for (const method of ['HEAD', 'PATCH', 'DELETE', 'GET']) {
        const r = await request(
          s.url,
          method,
          p,
          {
            ...auth(s.token),
            'Upload-Offset': 0,
            'Content-Type': 'application/offset+octet-stream'
          },
          method === 'PATCH' ? Buffer.from('overwrite!') : undefined
        )
        expect([400, 404], `${method} ${p} → ${r.status}`).toContain(r.status)
      }
      expect(fs.readFileSync(path.join(s.dataDir, 'secret.txt'), 'utf8')).toBe('do not touch')
      expect(fs.existsSync(path.join(s.dataDir, 'library.db'))).toBe(true)
      if (onPostgres) {
        expect(fs.readFileSync(path.join(s.dataDir, 'library.db'), 'utf8')).toBe('stand-in')
      }
    })
  }

  it('the id always comes from the server, whatever the metadata says', async () => {
    const { res, id } = await createUpload(s, video.length, {
      filename: 'clip.mp4',
      id: '../../secret',
      uploadId: '../secret'
    })
    expect(res.status).toBe(201)
    expect(id).toMatch(/^[0-9a-f]{32}$/)
  })
})

describe('filenames', () => {
  for (const filename of ['../../secret.txt', '..\\..\\secret.txt', 'a/b.mp4', '..', 'C:\\x.mp4']) {
    it(`${JSON.stringify(filename)} is refused with a reason`, async () => {
      const { res } = await createUpload(s, video.length, { filename })
      expect(res.status).toBe(400)
      expect(JSON.parse(res.text).error).toMatch(/filename/)
    })
  }

  it('a strange but plain filename is kept as data only; the bytes are stored by id', async () => {
    const filename = '<img src=x onerror=alert(1)> ..mp4'
    const { res } = await createUpload(s, video.length, { filename }, s.token, video)
    expect(res.status).toBe(201)
    const id = res.headers['sidecast-video-id'] as string
    expect((await s.app.library.db.getVideo(id))?.filename).toBe(filename)
    const stored = fs.readdirSync(path.join(s.dataDir, 'videos'))
    expect(stored.every((n) => /^[0-9a-f]{32}$/.test(n))).toBe(true)
  })
})

describe('HTML and script in titles', () => {
  it('are stored as text and never appear as markup in JSON', async () => {
    const title = '<script>alert("x")</script> & <b>bold</b>'
    const description = '</script><svg onload=alert(1)>'
    const { res } = await createUpload(
      s,
      video.length,
      { filename: 'x.mp4', title, description },
      s.token,
      video
    )
    expect(res.status).toBe(201)
    const id = res.headers['sidecast-video-id'] as string
    const got = await request(s.url, 'GET', `/api/videos/${id}`, {
      Authorization: `Bearer ${s.token}`
    })
    expect(got.headers['content-type']).toMatch(/^application\/json/)
    expect(got.headers['x-content-type-options']).toBe('nosniff')
    expect(got.text).not.toContain('<')
    expect(got.text).not.toContain('>')
    const json = JSON.parse(got.text) as { title: string; description: string }
    expect(json.title).toBe(title)
    expect(json.description).toBe(description)
    const list = await request(s.url, 'GET', '/api/videos?q=script', {
      Authorization: `Bearer ${s.token}`
    })
    expect(list.text).not.toMatch(/<script/i)
  })
})

describe('malformed metadata gets 400 with a reason', () => {
  let before = new Set<string>()
  beforeAll(() => {
    before = new Set(uploadRecords())
  })
  const b64 = (t: string): string => Buffer.from(t).toString('base64')
  const raw: [string, string, RegExp][] = [
    ['not base64', `filename ${'@@@@'}`, /metadata/i],
    ['key with no pairs', ',,,', /metadata/i],
    ['duplicate keys', `filename ${b64('a.mp4')},filename ${b64('b.mp4')}`, /metadata/i]
  ]
  for (const [label, header, reason] of raw) {
    it(label, async () => {
      const r = await request(s.url, 'POST', '/api/uploads', {
        ...auth(s.token),
        'Upload-Length': 100,
        'Upload-Metadata': header
      })
      expect(r.status).toBe(400)
      expect(r.text).toMatch(reason)
    })
  }

  const cases: [string, Record<string, string | null>, RegExp][] = [
    ['no filename', { title: 'x' }, /filename is required/],
    ['empty filename', { filename: null }, /filename is required/],
    ['filename too long', { filename: `${'a'.repeat(256)}.mp4` }, /filename is longer/],
    ['title too long', { filename: 'a.mp4', title: 't'.repeat(201) }, /title is longer than 200/],
    ['description too long', { filename: 'a.mp4', description: 'd'.repeat(5001) }, /description/],
    ['control characters in title', { filename: 'a.mp4', title: 'a\u0000b' }, /control/],
    ['durationMs not a number', { filename: 'a.mp4', durationMs: '12.5' }, /durationMs/],
    ['durationMs negative', { filename: 'a.mp4', durationMs: '-4' }, /durationMs/],
    ['projectId with a path', { filename: 'a.mp4', projectId: '../etc' }, /projectId/],
    ['projectId too long', { filename: 'a.mp4', projectId: 'p'.repeat(129) }, /projectId/],
    ['callouts not JSON', { filename: 'a.mp4', callouts: '[{' }, /callouts is not valid JSON/],
    ['callouts not an array', { filename: 'a.mp4', callouts: '{"text":"a"}' }, /array/],
    ['callout without times', { filename: 'a.mp4', callouts: '[{"text":"a"}]' }, /startMs/],
    [
      'callout ending before it starts',
      { filename: 'a.mp4', callouts: '[{"text":"a","startMs":5,"endMs":1}]' },
      /endMs/
    ],
    [
      'callout text not a string',
      { filename: 'a.mp4', callouts: '[{"text":5,"startMs":0,"endMs":1}]' },
      /text/
    ],
    [
      'callouts over 64 KB',
      {
        filename: 'a.mp4',
        callouts: JSON.stringify([{ text: 'x'.repeat(70_000), startMs: 0, endMs: 1 }])
      },
      /64 KB/
    ]
  ]
  for (const [label, meta, reason] of cases) {
    it(label, async () => {
      const { res, path: up } = await createUpload(s, video.length, meta)
      expect(res.status).toBe(400)
      expect(up).toBe('')
      expect(JSON.parse(res.text).error).toMatch(reason)
    })
  }

  it('but callouts up to 64 KB are fine', async () => {
    const callouts = JSON.stringify(
      Array.from({ length: 60 }, (_, i) => ({
        text: `c${i} ${'y'.repeat(900)}`,
        startMs: i,
        endMs: i + 1
      }))
    )
    expect(callouts.length).toBeGreaterThan(50_000)
    const { res } = await createUpload(s, video.length, { filename: 'a.mp4', callouts })
    expect(res.status).toBe(201)
  })

  it('nothing was created for the refused ones', () => {
    // Only the one accepted upload above (callouts up to 64 KB) is new.
    const after = new Set(uploadRecords())
    const added = [...after].filter((n) => !before.has(n))
    expect(added).toHaveLength(1)
  })
})

describe('files that are not playable videos', () => {
  async function uploadBytes(
    bytes: Buffer,
    filename: string
  ): Promise<{ status: number; text: string; up: string; id: string }> {
    const { path: up, id } = await createUpload(s, bytes.length, {
      filename,
      title: `bad ${filename}`
    })
    const r = await patch(s, up, 0, bytes)
    return { status: r.status, text: r.text, up, id }
  }

  it('a text file is refused (422 with the reason), deleted and never listed', async () => {
    const before = (await listedTitles()).length
    const r = await uploadBytes(
      Buffer.from('hello, this is not a video\n'.repeat(100)),
      'notes.mp4'
    )
    expect(r.status).toBe(422)
    expect(JSON.parse(r.text).error).toMatch(/not a video/i)
    const status = await getJson<{ state: string; error: string }>(s, `${r.up}/status`)
    expect(status.json.state).toBe('failed')
    expect(status.json.error).toMatch(/not a video/i)
    expect((await getJson(s, `${r.up}/video`)).status).toBe(422)
    expect(fs.existsSync(path.join(s.dataDir, 'uploads', r.id))).toBe(false)
    expect(fs.existsSync(path.join(s.dataDir, 'videos', r.id))).toBe(false)
    expect((await listedTitles()).length).toBe(before)
    expect((await head(s, r.up)).status).toBe(410)
  })

  it('an image (no video stream) is refused', async () => {
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
      'base64'
    )
    const r = await uploadBytes(png, 'pixel.png')
    expect(r.status).toBe(422)
    expect(JSON.parse(r.text).error).toMatch(/video/i)
  })

  it('an audio-only file is refused', async () => {
    const dir = tempDir('aud')
    const file = path.join(dir, 'a.m4a')
    await new Promise<void>((resolve, reject) =>
      import('node:child_process').then(({ execFile }) =>
        execFile(
          'ffmpeg',
          ['-v', 'error', '-f', 'lavfi', '-i', 'sine=duration=1', '-c:a', 'aac', file],
          (e) => (e ? reject(e) : resolve())
        )
      )
    )
    const r = await uploadBytes(fs.readFileSync(file), 'a.m4a')
    expect(r.status).toBe(422)
    expect(JSON.parse(r.text).error).toMatch(/no video stream/i)
  })

  // Decision: a truncated video is refused. It would play partway and then stop; tus already
  // guarantees that every declared byte arrived, so a cut-off file means the source was broken
  // and the uploader should re-export. Both kinds of cut are caught: index at the end (ffprobe
  // cannot open it) and index at the front (ffprobe opens it, decoding the last second fails).
  it('a truncated MP4 (index at the end) is refused as cut short', async () => {
    const r = await uploadBytes(video.subarray(0, Math.floor(video.length * 0.6)), 'cut.mp4')
    expect(r.status).toBe(422)
    expect(JSON.parse(r.text).error).toMatch(/not a complete video|cut short/i)
  })

  it('a truncated faststart MP4 (index at the front) is refused as cut short', async () => {
    const r = await uploadBytes(
      faststart.subarray(0, Math.floor(faststart.length * 0.6)),
      'cut-fast.mp4'
    )
    expect(r.status).toBe(422)
    expect(JSON.parse(r.text).error).toMatch(/cut short/i)
    expect(await listedTitles()).not.toContain('bad cut-fast.mp4')
  })

  it('the complete faststart file is accepted', async () => {
    const r = await uploadBytes(faststart, 'fast.mp4')
    expect(r.status).toBe(204)
  })
})

describe('two clients on one upload', () => {
  it('the second PATCH waits for the lock, finds a moved offset and gets 409; bytes stay consistent', async () => {
    const { path: up, id } = await createUpload(s, video.length, {
      filename: 'race.mp4',
      title: 'Race'
    })
    const url = new URL(s.url)
    const firstPart = Math.floor(video.length / 2)

    // Client A: declares the rest of the file but sends only the first half, then stalls.
    const aDone = new Promise<number | 'error'>((resolve) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: 'PATCH',
          path: up,
          agent: false,
          headers: {
            ...auth(s.token),
            'Upload-Offset': 0,
            'Content-Type': 'application/offset+octet-stream',
            'Content-Length': video.length
          }
        },
        (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        }
      )
      req.on('error', () => resolve('error'))
      req.write(video.subarray(0, firstPart))
      // never ends: a client that went quiet holding the lock
    })
    // A holds the lock once its first bytes are on disk. A fixed wait (400 ms) only hoped so: on a
    // busy machine A's request can arrive after B's, and B, taking the lock first, stored the
    // whole file (204).
    const partFile = path.join(s.dataDir, 'uploads', id)
    await waitFor('client A’s first bytes on disk', async () => {
      return fs.existsSync(partFile) && fs.statSync(partFile).size > 0
    })

    // Client B: the same upload from offset 0. It asks A to let go (tus locking); A's request is
    // cut after the lock drain timeout; B then sees the real offset and is refused.
    const b = await patch(s, up, 0, video)
    expect(b.status).toBe(409)
    const aStatus = await aDone
    expect(aStatus === 'error' || aStatus >= 400 || aStatus === 204).toBe(true)

    const h = await head(s, up)
    const offset = Number(h.headers['upload-offset'])
    expect(offset).toBeGreaterThan(0)
    expect(offset).toBeLessThanOrEqual(firstPart)
    // Whatever was kept is exactly the start of the file; finishing from there gives the original.
    const r = await patch(s, up, offset, video.subarray(offset))
    expect(r.status).toBe(204)
    const videoId = r.headers['sidecast-video-id'] as string
    const stored = await s.app.library.openVideoFile((await s.app.library.db.getVideo(videoId))!)
    const chunks: Buffer[] = []
    for await (const c of stored.stream()) chunks.push(c as Buffer)
    expect(Buffer.concat(chunks).equals(video)).toBe(true)
  })

  it('two PATCHes at the same offset at once: one wins, the other gets 409, the file is intact', async () => {
    const { path: up } = await createUpload(s, video.length, { filename: 'race2.mp4' })
    const half = Math.floor(video.length / 2)
    const results = await Promise.all([
      patch(s, up, 0, video.subarray(0, half)),
      patch(s, up, 0, video.subarray(0, half))
    ])
    const statuses = results.map((r) => r.status).sort()
    expect(statuses).toEqual([204, 409])
    expect((await head(s, up)).headers['upload-offset']).toBe(String(half))
    const r = await patch(s, up, half, video.subarray(half))
    expect(r.status).toBe(204)
    const stored = await s.app.library.openVideoFile(
      (await s.app.library.db.getVideo(r.headers['sidecast-video-id'] as string))!
    )
    const chunks: Buffer[] = []
    for await (const c of stored.stream()) chunks.push(c as Buffer)
    expect(Buffer.concat(chunks).equals(video)).toBe(true)
  })
})

it('encodeMetadata helper round-trips (sanity)', () => {
  expect(encodeMetadata({ a: 'b', c: null })).toBe(`a ${Buffer.from('b').toString('base64')},c`)
})
