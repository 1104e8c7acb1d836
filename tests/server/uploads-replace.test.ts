/**
 * A new version of a video (`replaces` in Upload-Metadata): the same id and link, the old
 * version live until the new one is saved, only the owner or an admin, and a refused replace
 * never touches the video.
 */
import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  auth,
  createUpload,
  getJson,
  makeVideo,
  patch,
  request,
  serversPerTest,
  tempDir,
  type TestServer
} from './support'

const servers = serversPerTest()
let first: Buffer
let second: Buffer

beforeAll(async () => {
  const dir = tempDir('replace')
  first = await makeVideo(path.join(dir, 'first.mp4'), { seconds: 2 })
  second = await makeVideo(path.join(dir, 'second.mp4'), { seconds: 3, noise: true })
})

interface ApiVideo {
  id: string
  title: string
  description: string
  durationMs: number
  sizeBytes: number
  url: string
  hasThumbnail: boolean
}

/** Uploads `bytes` in one PATCH; the final answer. */
async function upload(
  s: TestServer,
  bytes: Buffer,
  meta: Record<string, string>,
  token = s.token
): Promise<{ status: number; videoId: string; url: string; uploadId: string; text: string }> {
  const created = await createUpload(s, bytes.length, meta, token)
  expect(created.res.status, created.res.text).toBe(201)
  const res = await patch(s, created.path, 0, bytes, token)
  return {
    status: res.status,
    videoId: String(res.headers['sidecast-video-id'] ?? ''),
    url: String(res.headers['sidecast-video-url'] ?? ''),
    uploadId: created.id,
    text: res.text
  }
}

async function media(s: TestServer, id: string): Promise<Buffer> {
  const res = await request(s.url, 'GET', `/media/${id}`, { Authorization: `Bearer ${s.token}` })
  expect(res.status).toBe(200)
  return res.body
}

async function listed(s: TestServer): Promise<ApiVideo[]> {
  const { json } = await getJson<{ videos: ApiVideo[] }>(s, '/api/videos')
  return json.videos
}

describe('replacing a video', () => {
  it('swaps the media under the same id and link, updates title and description, and removes the old files', async () => {
    const s = await servers.start()
    const v1 = await upload(s, first, { filename: 'a.mp4', title: 'First take' })
    expect(v1.status).toBe(204)
    const oldThumb = fs.readFileSync(s.app.library.thumbnailPath(v1.videoId))

    // The new version is partly sent: the old one is still what the link plays.
    const created = await createUpload(s, second.length, {
      filename: 'b.mp4',
      title: 'Second take',
      description: 'now with sound',
      replaces: v1.videoId
    })
    expect(created.res.status).toBe(201)
    const half = Math.floor(second.length / 2)
    expect((await patch(s, created.path, 0, second.subarray(0, half))).status).toBe(204)
    expect((await media(s, v1.videoId)).equals(first)).toBe(true)
    expect((await getJson<ApiVideo>(s, `/api/videos/${v1.videoId}`)).json.title).toBe('First take')

    const done = await patch(s, created.path, half, second.subarray(half))
    expect(done.status).toBe(204)
    expect(done.headers['sidecast-upload-state']).toBe('done')
    expect(done.headers['sidecast-video-id']).toBe(v1.videoId)
    expect(done.headers['sidecast-video-url']).toBe(v1.url)

    const videos = await listed(s)
    expect(videos.map((v) => v.id)).toEqual([v1.videoId])
    const video = videos[0] as ApiVideo
    expect(video.title).toBe('Second take')
    expect(video.description).toBe('now with sound')
    expect(video.sizeBytes).toBe(second.length)
    expect(video.durationMs).toBeGreaterThan(2500)
    expect(video.hasThumbnail).toBe(true)
    expect((await media(s, v1.videoId)).equals(second)).toBe(true)
    expect(fs.readFileSync(s.app.library.thumbnailPath(v1.videoId)).equals(oldThumb)).toBe(false)

    // The old version's bytes and its upload record are gone; the status of either upload says done.
    await expect(s.app.library.storage.open(v1.uploadId)).rejects.toThrow()
    expect(await s.app.library.db.getUpload(v1.uploadId)).toBeNull()
    const status = await getJson(s, `${created.path}/video`)
    expect(status.json).toMatchObject({ state: 'done', id: v1.videoId })
    // The search finds the new words, not the old ones.
    expect((await getJson<{ total: number }>(s, '/api/videos?q=sound')).json.total).toBe(1)
    expect((await getJson<{ total: number }>(s, '/api/videos?q=First')).json.total).toBe(0)
  })

  it("lets an admin replace someone's video; the owner stays the owner", async () => {
    const s = await servers.start()
    const v1 = await upload(s, first, { filename: 'a.mp4', title: 'Mine' })
    const v2 = await upload(
      s,
      second,
      { filename: 'b.mp4', title: 'Fixed by admin', replaces: v1.videoId },
      s.adminToken
    )
    expect(v2.status).toBe(204)
    expect(v2.videoId).toBe(v1.videoId)
    const video = await s.app.library.db.getVideo(v1.videoId)
    expect(video?.ownerId).toBe(s.user.id)
    expect(video?.title).toBe('Fixed by admin')
  })

  it('refuses a replace by someone else, of a missing video or with a bad id, before anything is stored', async () => {
    const s = await servers.start()
    const v1 = await upload(s, first, { filename: 'a.mp4', title: 'Mine' })
    const before = await s.app.library.db.getVideo(v1.videoId)

    const notYours = await createUpload(
      s,
      second.length,
      { filename: 'b.mp4', title: 'Hijack', replaces: v1.videoId },
      s.otherToken
    )
    expect(notYours.res.status).toBe(403)
    expect(JSON.parse(notYours.res.text).error).toMatch(/only the owner.*upload it as a new video/i)
    expect(notYours.res.headers.location).toBeUndefined()
    expect(notYours.res.headers['sidecast-refused']).toBe('replace')

    const missing = await createUpload(s, second.length, {
      filename: 'b.mp4',
      title: 'Gone',
      replaces: 'NoSuchVideo12345'
    })
    expect(missing.res.status).toBe(404)
    expect(JSON.parse(missing.res.text).error).toMatch(/no longer in the library/i)
    expect(missing.res.headers['sidecast-refused']).toBe('replace')

    const bad = await createUpload(s, second.length, {
      filename: 'b.mp4',
      title: 'Bad',
      replaces: '../etc/passwd'
    })
    expect(bad.res.status).toBe(400)
    expect(JSON.parse(bad.res.text).error).toMatch(/^Upload-Metadata: replaces/)

    expect(await s.app.library.db.getVideo(v1.videoId)).toEqual(before)
    expect((await media(s, v1.videoId)).equals(first)).toBe(true)
    expect(await s.app.library.db.listUploads('uploading')).toEqual([])
  })

  it('fails a new version whose video was deleted while it uploaded, and adds nothing', async () => {
    const s = await servers.start()
    const v1 = await upload(s, first, { filename: 'a.mp4', title: 'Short-lived' })
    const created = await createUpload(s, second.length, {
      filename: 'b.mp4',
      title: 'Too late',
      replaces: v1.videoId
    })
    expect(created.res.status).toBe(201)
    const del = await request(s.url, 'DELETE', `/api/videos/${v1.videoId}`, auth(s.token))
    expect(del.status).toBe(204)

    const res = await patch(s, created.path, 0, second)
    expect(res.status).toBe(422)
    expect(JSON.parse(res.text).error).toMatch(/no longer in the library/i)
    expect(await listed(s)).toEqual([])
    expect((await s.app.library.db.getUpload(created.id))?.state).toBe('failed')
    await expect(s.app.library.storage.open(created.id)).rejects.toThrow()
  })

  it('keeps the old version whole when the new one is not a video', async () => {
    const s = await servers.start()
    const v1 = await upload(s, first, { filename: 'a.mp4', title: 'Good' })
    const thumb = fs.readFileSync(s.app.library.thumbnailPath(v1.videoId))
    const junk = Buffer.alloc(4096, 7)
    const res = await upload(s, junk, { filename: 'b.mp4', title: 'Junk', replaces: v1.videoId })
    expect(res.status).toBe(422)

    const video = await getJson<ApiVideo>(s, `/api/videos/${v1.videoId}`)
    expect(video.json).toMatchObject({ title: 'Good', sizeBytes: first.length })
    expect((await media(s, v1.videoId)).equals(first)).toBe(true)
    expect(fs.readFileSync(s.app.library.thumbnailPath(v1.videoId)).equals(thumb)).toBe(true)
    expect(fs.readdirSync(s.app.library.thumbsDir)).toEqual([`${v1.videoId}.jpg`])
  })
})
