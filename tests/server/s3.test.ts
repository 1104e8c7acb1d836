/**
 * The library server on S3 storage (@tus/s3-store) against s3rver, a fake S3 on 127.0.0.1: a
 * multi-part upload that resumes, completes, is verified, thumbnailed, listed and served. What
 * the S3 store itself promises (range reads, remove…) is in storage-s3.test.ts.
 */
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeS3, type FakeS3 } from './fake-s3'
import {
  createUpload,
  getJson,
  head,
  makeVideo,
  patch,
  request,
  startServer,
  tempDir,
  type TestServer
} from './support'

let s3: FakeS3
let s: TestServer
let video: Buffer

beforeAll(async () => {
  video = await makeVideo(path.join(tempDir('vid'), 'noise.mp4'), { noise: true })
  expect(video.length).toBeGreaterThan(5 * 1024 * 1024) // more than one S3 part
  s3 = await startFakeS3()
  s = await startServer({ env: s3.env })
})

afterAll(async () => {
  await s?.close()
  await s3?.close()
})

describe('S3 storage', () => {
  it('uses parts of at least 5 MiB', () => {
    expect(s.config.s3?.partSize).toBe(5 * 1024 * 1024)
  })

  it('an upload in pieces completes, plays (ffprobe accepted it) and is served whole', async () => {
    const { res, path: up } = await createUpload(s, video.length, {
      filename: 'noise.mp4',
      title: 'From S3',
      callouts: JSON.stringify([{ text: 'static everywhere', startMs: 0, endMs: 1000 }])
    })
    expect(res.status).toBe(201)
    const a = 3 * 1024 * 1024
    let r = await patch(s, up, 0, video.subarray(0, a))
    expect(r.status).toBe(204)
    expect((await head(s, up)).headers['upload-offset']).toBe(String(a))
    r = await patch(s, up, a, video.subarray(a))
    expect(r.status).toBe(204)
    expect(r.headers['sidecast-upload-state']).toBe('done')
    const id = r.headers['sidecast-video-id'] as string
    expect(r.headers['sidecast-video-url']).toBe(`${s.url}/v/${id}`)

    const found = await getJson<{
      videos: { id: string; hasThumbnail: boolean; durationMs: number }[]
    }>(s, '/api/videos?q=static')
    expect(found.json.videos.map((v) => v.id)).toEqual([id])
    expect(found.json.videos[0]?.hasThumbnail).toBe(true)
    expect(found.json.videos[0]?.durationMs).toBeGreaterThan(1900)

    const v = (await s.app.library.db.getVideo(id))!
    const file = await s.app.library.openVideoFile(v)
    expect(file.size).toBe(video.length)
    const chunks: Buffer[] = []
    for await (const c of file.stream()) chunks.push(c as Buffer)
    expect(Buffer.concat(chunks).equals(video)).toBe(true)

    // HEAD after completion, and termination is refused for the finished upload.
    expect((await head(s, up)).headers['upload-offset']).toBe(String(video.length))
    expect(
      (
        await request(s.url, 'DELETE', up, {
          'Tus-Resumable': '1.0.0',
          Authorization: `Bearer ${s.token}`
        })
      ).status
    ).toBe(400)

    // Deleting the video removes the object.
    await s.app.library.deleteVideo(id)
    await expect(s.app.library.openVideoFile(v)).rejects.toThrow()
  })

  it('a non-video is refused and its object removed', async () => {
    const junk = Buffer.alloc(200_000, 7)
    const { path: up, id } = await createUpload(s, junk.length, { filename: 'junk.mp4' })
    const r = await patch(s, up, 0, junk)
    expect(r.status).toBe(422)
    expect(await s.app.library.storage.completeness(id)).toBe('missing')
  })

  it('terminating an unfinished S3 upload', async () => {
    const { path: up } = await createUpload(s, video.length, { filename: 't.mp4' })
    await patch(s, up, 0, video.subarray(0, 1000))
    const del = await request(s.url, 'DELETE', up, {
      'Tus-Resumable': '1.0.0',
      Authorization: `Bearer ${s.token}`
    })
    expect(del.status).toBe(204)
    expect((await head(s, up)).status).toBe(404)
  })
})
