/**
 * S3 storage (@tus/s3-store) against s3rver, a fake S3 on 127.0.0.1: a multi-part upload that
 * resumes, completes, is verified, thumbnailed, listed and served with byte ranges.
 */
import path from 'node:path'
import S3rver from 's3rver'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addMultipartOperations } from './s3rver-multipart'
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

let s3: S3rver
let s: TestServer
let video: Buffer

beforeAll(async () => {
  video = await makeVideo(path.join(tempDir('vid'), 'noise.mp4'), { noise: true })
  expect(video.length).toBeGreaterThan(5 * 1024 * 1024) // more than one S3 part
  s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: tempDir('s3'),
    configureBuckets: [{ name: 'sidecast-test' }]
  })
  addMultipartOperations(s3)
  const { port } = await s3.run()
  s = await startServer({
    env: {
      SIDECAST_S3_BUCKET: 'sidecast-test',
      SIDECAST_S3_ENDPOINT: `http://127.0.0.1:${port}`,
      SIDECAST_S3_REGION: 'us-east-1',
      SIDECAST_S3_ACCESS_KEY_ID: 'S3RVER',
      SIDECAST_S3_SECRET_ACCESS_KEY: 'S3RVER',
      SIDECAST_S3_FORCE_PATH_STYLE: '1',
      SIDECAST_S3_PART_SIZE: '1MB' // raised to S3's 5 MiB minimum
    }
  })
})

afterAll(async () => {
  await s?.close()
  await s3?.close()
})

describe('S3 storage', () => {
  it('uses parts of at least 5 MiB', () => {
    expect(s.config.s3?.partSize).toBe(5 * 1024 * 1024)
  })

  it('an upload in pieces completes, plays (ffprobe accepted it) and is served with ranges', async () => {
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

    const v = s.app.library.db.getVideo(id)!
    const file = await s.app.library.openVideoFile(v)
    expect(file.size).toBe(video.length)
    const read = async (range?: { start: number; end: number }): Promise<Buffer> => {
      const chunks: Buffer[] = []
      for await (const c of file.stream(range)) chunks.push(c as Buffer)
      return Buffer.concat(chunks)
    }
    expect((await read()).equals(video)).toBe(true)
    expect(
      (await read({ start: 100, end: 5_300_000 })).equals(video.subarray(100, 5_300_001))
    ).toBe(true)

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
