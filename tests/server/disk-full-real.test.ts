/**
 * A full disk for real (issue 18): the library's data directory on a small tmpfs of its own,
 * filled to the last byte by another file. Here SQLite meets the full disk too — which no
 * injected fault can make it do — so this is where a delete on a full disk is proven. Mounting
 * needs root (CAP_SYS_ADMIN); where that is not allowed the test is skipped, saying why, and
 * disk-full.test.ts (injected faults) still runs.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OUT_OF_SPACE_MESSAGE } from '../../server/src/disk-space'
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

/** Room for the database, two small videos, a thumbnail and the 8 MiB space reserve. */
const TMPFS_SIZE = '40m'

function tryMount(dir: string): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE},mode=0700`, 'tmpfs', dir], {
      stdio: 'pipe'
    })
    return null
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? error).trim()
  }
}

const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'sidecast-tmpfs-'))
const cannotMount = process.platform === 'linux' ? tryMount(mountPoint) : 'not Linux'
if (cannotMount) {
  console.log(`[disk-full-real] skipped: cannot mount a tmpfs here (${cannotMount})`)
  fs.rmdirSync(mountPoint)
}

let s: TestServer | undefined
let video: Buffer

beforeAll(async () => {
  if (cannotMount) return
  video = await makeVideo(path.join(tempDir('full-real'), 'clip.mp4'))
})

afterAll(async () => {
  await s?.close()
  if (cannotMount) return
  execFileSync('umount', ['-l', mountPoint])
  fs.rmdirSync(mountPoint)
})

/** Writes a file until the filesystem is full (ENOSPC); returns its path. */
function fillUp(dir: string): string {
  const file = path.join(dir, 'filler')
  const fd = fs.openSync(file, 'w')
  const block = Buffer.alloc(64 * 1024, 7)
  try {
    for (let i = 0; i < 10_000; i++) {
      try {
        fs.writeSync(fd, block)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break
        throw error
      }
    }
    // The last, partial blocks.
    for (const size of [4096, 512, 1]) {
      for (;;) {
        try {
          fs.writeSync(fd, block.subarray(0, size))
        } catch {
          break
        }
      }
    }
  } finally {
    fs.closeSync(fd)
  }
  expect(fs.statfsSync(dir).bavail).toBe(0)
  return file
}

describe.skipIf(cannotMount)('a real full disk (tmpfs)', () => {
  it('refuses uploads with 507, leaves nothing behind, deletes a video, and resumes once there is space', async () => {
    const dataDir = path.join(mountPoint, 'data')
    s = await startServer({ dataDir })
    const server = s
    const bearer = { Authorization: `Bearer ${server.token}` }

    // One video in the library, one upload half way.
    const first = await createUpload(server, video.length, { filename: 'a.mp4', title: 'Kept' })
    const doomed = (await patch(server, first.path, 0, video)).headers[
      'sidecast-video-id'
    ] as string
    expect(doomed).toBeTruthy()
    const { path: up } = await createUpload(server, video.length, {
      filename: 'b.mp4',
      title: 'Resumed'
    })
    const part = Math.floor(video.length / 3)
    expect((await patch(server, up, 0, video.subarray(0, part))).status).toBe(204)
    const before = fs.readdirSync(path.join(dataDir, 'uploads')).sort()

    const filler = fillUp(mountPoint)

    const refusedPatch = await patch(server, up, part, video.subarray(part))
    expect(refusedPatch.status).toBe(507)
    expect(JSON.parse(refusedPatch.text).error).toBe(OUT_OF_SPACE_MESSAGE)
    const created = await createUpload(server, video.length, { filename: 'c.mp4' })
    expect(created.res.status).toBe(507)
    expect(JSON.parse(created.res.text).error).toBe(OUT_OF_SPACE_MESSAGE)
    expect(fs.readdirSync(path.join(dataDir, 'uploads')).sort()).toEqual(before)
    expect((await server.app.library.db.listUploads('uploading')).map((u) => u.id)).toEqual([
      up.split('/').pop()
    ])

    // The owner frees space through the app: the delete goes through on the full disk.
    const deleted = await request(server.url, 'DELETE', `/api/videos/${doomed}`, bearer)
    expect(deleted.status).toBe(204)
    expect((await getJson(server, `/api/videos/${doomed}`)).status).toBe(404)

    // Space is back (the filler goes): the half-way upload resumes to the same bytes.
    fs.rmSync(filler)
    const offset = Number((await head(server, up)).headers['upload-offset'])
    expect(offset).toBeGreaterThanOrEqual(part)
    const done = await patch(server, up, offset, video.subarray(offset))
    expect(done.status).toBe(204)
    const id = done.headers['sidecast-video-id'] as string
    const media = await request(server.url, 'GET', `/media/${id}`, bearer)
    expect(media.body.equals(video)).toBe(true)
  })
})
