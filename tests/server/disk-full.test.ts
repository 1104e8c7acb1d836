/**
 * A full disk (issue 18). The disk fills where Node writes files (disk-full-support.ts: what fits
 * is written, then ENOSPC, as the kernel does), or SQLite answers SQLITE_FULL (its code for a full
 * disk) from the database layer. Uploads answer 507 with a message that says the library is out
 * of space; a failed creation leaves no row and no file; an upload cut short keeps a clean prefix
 * and resumes to identical bytes once there is space; a video can still be deleted.
 * tests/server/disk-full-real.test.ts does the same on a real, full filesystem where it can.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { OUT_OF_SPACE_MESSAGE } from '../../server/src/disk-space'
import { fullDisk, type FullDisk } from './disk-full-support'
import { signInWithFetch } from './helpers-pages/session'
import {
  createUpload,
  head,
  makeVideo,
  patch,
  request,
  tempDir,
  type RawResponse,
  type TestServer,
  serversPerTest
} from './support'

let video: Buffer
const servers = serversPerTest()
const disks: FullDisk[] = []

beforeAll(async () => {
  video = await makeVideo(path.join(tempDir('full'), 'clip.mp4'))
})

afterEach(async () => {
  for (const disk of disks.splice(0)) disk.free()
})

const start = (): Promise<TestServer> => servers.start()

function fill(s: TestServer, freeBytes = 0): FullDisk {
  const disk = fullDisk(s.dataDir, freeBytes)
  disks.push(disk)
  return disk
}

function expectOutOfSpace(res: RawResponse): void {
  expect(res.status).toBe(507)
  expect(JSON.parse(res.text).error).toBe(OUT_OF_SPACE_MESSAGE)
}

/** What a failed creation could leave behind: upload files and records. */
async function leftovers(s: TestServer): Promise<{ files: string[]; rows: string[] }> {
  const db = s.app.library.db
  return {
    files: fs.readdirSync(path.join(s.dataDir, 'uploads')),
    rows: [...(await db.listUploads('uploading')), ...(await db.listUploads('processing'))].map(
      (u) => u.id
    )
  }
}

/** A database error as better-sqlite3 throws it when the disk is full. */
function sqliteFull(): Error {
  return Object.assign(new Error('database or disk is full'), {
    name: 'SqliteError',
    code: 'SQLITE_FULL'
  })
}

async function storedBytes(s: TestServer, videoId: string): Promise<Buffer> {
  const v = (await s.app.library.db.getVideo(videoId))!
  const chunks: Buffer[] = []
  for await (const c of (await s.app.library.openVideoFile(v)).stream()) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

describe('uploads on a full disk', () => {
  it('a creation answers 507 with the message and leaves no row and no file', async () => {
    const s = await start()
    fill(s)
    expectOutOfSpace((await createUpload(s, video.length, { filename: 'a.mp4' })).res)
    expect(await leftovers(s)).toEqual({ files: [], rows: [] })
    // With the first bytes in the same request (creation-with-upload), too.
    const withBody = await createUpload(s, video.length, { filename: 'b.mp4' }, s.token, video)
    expectOutOfSpace(withBody.res)
    expect(await leftovers(s)).toEqual({ files: [], rows: [] })
  })

  it('an upload cut short answers 507, keeps a clean prefix, and resumes to the same bytes once there is space', async () => {
    const s = await start()
    const { path: up } = await createUpload(s, video.length, {
      filename: 'resume.mp4',
      title: 'Resumed'
    })
    const part = Math.floor(video.length * 0.3)
    expect((await patch(s, up, 0, video.subarray(0, part))).status).toBe(204)

    const disk = fill(s, 1000)
    expectOutOfSpace(await patch(s, up, part, video.subarray(part)))
    // What fitted is kept, and HEAD says so: the next PATCH goes on from there.
    const stored = Number((await head(s, up)).headers['upload-offset'])
    expect(stored).toBe(part + 1000)
    // While the disk stays full, uploads are refused before any byte is read.
    expectOutOfSpace(await patch(s, up, stored, video.subarray(stored)))
    expectOutOfSpace((await createUpload(s, video.length, { filename: 'c.mp4' })).res)
    expect(Number((await head(s, up)).headers['upload-offset'])).toBe(stored)

    disk.free()
    const done = await patch(s, up, stored, video.subarray(stored))
    expect(done.status).toBe(204)
    const videoId = done.headers['sidecast-video-id'] as string
    expect(videoId).toBeTruthy()
    expect((await storedBytes(s, videoId)).equals(video)).toBe(true)
    expect((await createUpload(s, video.length, { filename: 'd.mp4' })).res.status).toBe(201)
  })

  it('tus metadata is never left half written: a failed length declaration keeps the upload', async () => {
    const s = await start()
    const created = await request(s.url, 'POST', '/api/uploads', {
      'Tus-Resumable': '1.0.0',
      Authorization: `Bearer ${s.token}`,
      'Upload-Defer-Length': '1',
      'Upload-Metadata': `filename ${Buffer.from('deferred.mp4').toString('base64')}`
    })
    expect(created.status).toBe(201)
    const up = new URL(created.headers.location!).pathname
    expect((await patch(s, up, 0, video.subarray(0, 500))).status).toBe(204)

    const disk = fill(s, 10)
    const declare = await request(
      s.url,
      'PATCH',
      up,
      {
        'Tus-Resumable': '1.0.0',
        Authorization: `Bearer ${s.token}`,
        'Upload-Offset': 500,
        'Upload-Length': video.length,
        'Content-Type': 'application/offset+octet-stream'
      },
      video.subarray(500)
    )
    expect(declare.status).toBe(507)
    disk.free()
    const h = await head(s, up)
    expect(h.status).toBe(200)
    expect(Number(h.headers['upload-offset'])).toBeGreaterThanOrEqual(500)
  })
})

describe('the database on a full disk', () => {
  it('the JSON API, the pages and tus creation answer 507 with the message', async () => {
    const s = await start()
    const db = s.app.library.db
    const session = await signInWithFetch(s.url, 'alice', 'alice-password')
    const { path: up } = await createUpload(s, video.length, { filename: 'v.mp4', title: 'V' })
    const id = (await patch(s, up, 0, video)).headers['sidecast-video-id'] as string
    db.updateVideo = async () => {
      throw sqliteFull()
    }
    db.createUploadWithin = async () => {
      throw sqliteFull()
    }

    expectOutOfSpace(
      await request(
        s.url,
        'PATCH',
        `/api/videos/${id}`,
        { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' },
        JSON.stringify({ title: 'New title' })
      )
    )
    const page = await fetch(`${s.url}/v/${id}/edit`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Cookie: session.cookie,
        Origin: s.url
      },
      body: new URLSearchParams({ csrf: session.csrf, title: 'From the form', description: '' })
    })
    expect(page.status).toBe(507)
    expect(page.headers.get('content-type')).toMatch(/text\/html/)
    const html = await page.text()
    expect(html).toContain('The library is out of space')
    expect(html).toContain('out of disk space')
    const before = await leftovers(s)
    expectOutOfSpace((await createUpload(s, video.length, { filename: 'w.mp4' })).res)
    expect(await leftovers(s)).toEqual(before)
  })

  it('DELETE of a video still works: its bytes go first, and the reserve makes room', async () => {
    const s = await start()
    const db = s.app.library.db
    const { path: up } = await createUpload(s, video.length, { filename: 'x.mp4', title: 'X' })
    const id = (await patch(s, up, 0, video)).headers['sidecast-video-id'] as string
    const where = (await db.videoStorage(id))!
    const bytesFile = path.join(s.dataDir, 'videos', where.uploadId)
    const reserve = path.join(s.dataDir, 'space-reserve')
    expect(fs.existsSync(bytesFile)).toBe(true)
    expect(fs.existsSync(reserve)).toBe(true)

    // SQLite cannot commit until something is freed on the disk.
    const deleteVideo = db.deleteVideo.bind(db)
    let refused = 0
    db.deleteVideo = async (videoId) => {
      if (fs.existsSync(bytesFile) && fs.existsSync(reserve)) {
        refused++
        throw sqliteFull()
      }
      return deleteVideo(videoId)
    }
    const res = await request(s.url, 'DELETE', `/api/videos/${id}`, {
      Authorization: `Bearer ${s.token}`
    })
    expect(res.status).toBe(204)
    expect(refused).toBe(1)
    expect(await db.getVideo(id)).toBeNull()
    expect(fs.existsSync(bytesFile)).toBe(false)
    expect(await db.searchVideos('')).toEqual([])
  })
})
