/**
 * The stream copy of a live upload made as its bytes arrive (issue 12, live-followers.ts): the
 * finish after the last byte only ends it, and falls back to copying the whole recording whenever
 * the follower's output cannot be used. Real server on 127.0.0.1, real ffmpeg; every wait is for
 * a condition (bounded), never a time.
 */
import { execFile } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import type { ProcessingStep } from '../../server/src/uploads/processor'
import { createLive, makeLiveRecording, patchLive, type LiveUpload } from './live-support'
import { request, serversPerTest, waitFor, type TestServer } from './support'

const run = promisify(execFile)
const FFMPEG = process.env.SIDECAST_TEST_FFMPEG ?? 'ffmpeg'
const FFPROBE = FFMPEG.replace(/ffmpeg$/, 'ffprobe')
const servers = serversPerTest()

let h264: Buffer
let vp8: Buffer

beforeAll(async () => {
  ;[h264, vp8] = await Promise.all([makeLiveRecording(6, 'h264'), makeLiveRecording(4, 'vp8')])
})

function sha(bytes: Buffer): string {
  return crypto.createHash('sha256').update(bytes).digest('hex')
}

/** What a server's hooks and log saw. */
interface Seen {
  steps: Map<string, ProcessingStep[]>
  follows: Map<string, number[]>
  raw: Map<string, string>
  log: string[]
}

function watch(): { seen: Seen; opts: Parameters<typeof servers.start>[0] } {
  const seen: Seen = { steps: new Map(), follows: new Map(), raw: new Map(), log: [] }
  return {
    seen,
    opts: {
      log: (m) => seen.log.push(m),
      hooks: {
        onStep: (id, step) => seen.steps.set(id, [...(seen.steps.get(id) ?? []), step]),
        onFollow: (id, pid) => seen.follows.set(id, [...(seen.follows.get(id) ?? []), pid]),
        onLiveBytes: (id, file) => {
          seen.raw.set(id, sha(fs.readFileSync(file)))
        }
      }
    }
  }
}

/** Sends `bytes[from, to)` in `pieces` PATCHes, letting the server breathe between them. */
async function feedSlowly(
  s: TestServer,
  live: LiveUpload,
  bytes: Buffer,
  from: number,
  to: number,
  pieces: number
): Promise<void> {
  const step = Math.ceil((to - from) / pieces)
  for (let offset = from; offset < to; offset += step) {
    const end = Math.min(to, offset + step)
    const res = await patchLive(s, live.up, offset, bytes.subarray(offset, end))
    expect(res.status, res.text).toBe(204)
    // A pause, as a recording has between chunks (pacing only: nothing is timed).
    await new Promise((r) => setTimeout(r, 150))
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Files in the server's work folder that belong to `uploadId`. */
function workFiles(s: TestServer, uploadId: string): string[] {
  return fs.readdirSync(path.join(s.dataDir, 'tmp')).filter((n) => n.includes(uploadId))
}

async function finishLive(s: TestServer, live: LiveUpload, bytes: Buffer): Promise<void> {
  const last = await patchLive(s, live.up, bytes.length, Buffer.alloc(0), bytes.length)
  expect(last.status, last.text).toBe(204)
  expect(last.headers['sidecast-upload-state']).toBe('done')
}

/** ffprobe's duration of the served video, read over HTTP, in seconds. */
async function servedDuration(s: TestServer, videoId: string): Promise<number> {
  const probe = await run(FFPROBE, [
    '-v',
    'error',
    '-headers',
    `Authorization: Bearer ${s.otherToken}\r\n`,
    '-show_entries',
    'format=duration',
    '-of',
    'csv=p=0',
    `${s.url}/media/${videoId}`
  ])
  return Number(probe.stdout)
}

describe('a live upload copied as it arrives', () => {
  it('H.264: the finish only ends the copy; the MP4 (index at the end) has the length, seeks over HTTP, and the raw bytes are what was sent', async () => {
    const { seen, opts } = watch()
    const s = await servers.start(opts)
    const live = await createLive(s, { title: 'Followed' })
    const half = Math.floor(h264.length / 2)
    await feedSlowly(s, live, h264, 0, half, 3)
    await waitFor('the follower to start', async () => seen.follows.has(live.id))
    await feedSlowly(s, live, h264, half, h264.length, 3)
    await finishLive(s, live, h264)

    // The whole-file copy did not run: only the checks and the thumbnail did.
    expect(seen.steps.get(live.id) ?? []).not.toContain('remux')
    expect(
      seen.log.some((m) => m.includes(`${live.id}: stream-copied as it arrived into mp4`))
    ).toBe(true)
    expect(seen.raw.get(live.id)).toBe(sha(h264))
    expect(workFiles(s, live.id)).toEqual([])

    const video = (await s.app.library.db.getVideo(live.videoId))!
    expect(video).toMatchObject({ mimeType: 'video/mp4', filename: 'capture.mp4' })
    expect(video.durationMs).toBeGreaterThan(5800)
    expect(video.durationMs).toBeLessThan(6200)
    expect(await servedDuration(s, live.videoId)).toBeGreaterThan(5.8)

    // Written progressively: the media data comes first, the index (moov) after it.
    const bearer = { Authorization: `Bearer ${s.otherToken}` }
    const first = await request(s.url, 'GET', `/media/${live.videoId}`, {
      ...bearer,
      Range: 'bytes=0-63'
    })
    expect(first.status).toBe(206)
    const boxes: string[] = []
    for (let at = 0; at + 8 <= first.body.length;) {
      boxes.push(first.body.toString('latin1', at + 4, at + 8))
      const size = first.body.readUInt32BE(at)
      if (size < 8) break
      at += size
    }
    expect(boxes[0]).toBe('ftyp')
    expect(boxes).not.toContain('moov')

    // Seekable: a Range in the middle answers 206, and ffmpeg seeks to 4 s over HTTP and decodes.
    const whole = await request(s.url, 'HEAD', `/media/${live.videoId}`, bearer)
    const size = Number(whole.headers['content-length'])
    const start = Math.floor(size / 2)
    const ranged = await request(s.url, 'GET', `/media/${live.videoId}`, {
      ...bearer,
      Range: `bytes=${start}-`
    })
    expect(ranged.status).toBe(206)
    expect(ranged.body.length).toBe(size - start)
    const decode = async (seek: string[]): Promise<string[]> => {
      const decoded = await run(FFMPEG, [
        '-v',
        'error',
        '-headers',
        `Authorization: Bearer ${s.otherToken}\r\n`,
        ...seek,
        '-i',
        `${s.url}/media/${live.videoId}`,
        '-frames:v',
        '10',
        '-f',
        'framemd5',
        '-'
      ])
      return decoded.stdout
        .split('\n')
        .filter((l) => /^0,/.test(l))
        .map((l) => l.split(',').pop()!.trim())
    }
    const seeked = await decode(['-ss', '4'])
    expect(seeked).toHaveLength(10)
    // The pictures decoded at 4 s are not the opening ones (the test pattern counts time).
    expect(seeked[0]).not.toBe((await decode([]))[0])
  })

  it('VP8: followed into WebM with a duration and cues', async () => {
    const { seen, opts } = watch()
    const s = await servers.start(opts)
    const live = await createLive(s, { title: 'VP8 followed' })
    const third = Math.floor(vp8.length / 3)
    await feedSlowly(s, live, vp8, 0, third, 2)
    await waitFor('the follower to start', async () => seen.follows.has(live.id))
    await feedSlowly(s, live, vp8, third, vp8.length, 3)
    await finishLive(s, live, vp8)

    expect(seen.steps.get(live.id) ?? []).not.toContain('remux')
    const video = (await s.app.library.db.getVideo(live.videoId))!
    expect(video.mimeType).toBe('video/webm')
    expect(video.durationMs).toBeGreaterThan(3800)
    expect(video.durationMs).toBeLessThan(4200)
    const file = await s.app.library.openVideoFile(video)
    const bytes: Buffer[] = []
    for await (const c of file.stream()) bytes.push(c as Buffer)
    const cues = Buffer.from([0x1c, 0x53, 0xbb, 0x6b])
    expect(Buffer.concat(bytes).includes(cues)).toBe(true)
  })

  it('a follower that fails: the finish copies the whole recording, still a correct video', async () => {
    const { seen, opts } = watch()
    const s = await servers.start(opts)
    const live = await createLive(s, { title: 'Follower killed' })
    const half = Math.floor(h264.length / 2)
    await feedSlowly(s, live, h264, 0, half, 2)
    const [pid] = await waitFor('the follower to start', async () => seen.follows.get(live.id))
    process.kill(pid!, 'SIGKILL')
    await waitFor('the follower to be given up', async () =>
      seen.log.some((m) => m.includes(`${live.id}: the copy made as it arrives stopped`))
    )
    expect(workFiles(s, live.id)).toEqual([])
    await feedSlowly(s, live, h264, half, h264.length, 2)
    await finishLive(s, live, h264)

    // Not followed again; the copy after the last byte made the video.
    expect(seen.follows.get(live.id)).toHaveLength(1)
    expect(seen.steps.get(live.id)).toContain('remux')
    expect(
      seen.log.some((m) => m.includes(`${live.id}: stream-copied after its last byte into mp4`))
    ).toBe(true)
    expect(seen.raw.get(live.id)).toBe(sha(h264))
    const video = (await s.app.library.db.getVideo(live.videoId))!
    expect(video.durationMs).toBeGreaterThan(5800)
    expect(video.durationMs).toBeLessThan(6200)
    expect(await servedDuration(s, live.videoId)).toBeGreaterThan(5.8)
  })

  it('terminated: the follower is killed and no file of the upload is left', async () => {
    const { seen, opts } = watch()
    const s = await servers.start(opts)
    const live = await createLive(s, { title: 'Thrown away' })
    await feedSlowly(s, live, h264, 0, Math.floor(h264.length / 2), 2)
    const [pid] = await waitFor('the follower to start', async () => seen.follows.get(live.id))
    expect(alive(pid!)).toBe(true)
    const del = await request(s.url, 'DELETE', live.up, {
      'Tus-Resumable': '1.0.0',
      Authorization: `Bearer ${s.token}`
    })
    expect(del.status).toBe(204)
    await waitFor('the follower to be gone', async () => !alive(pid!))
    await waitFor('its output to be gone', async () => workFiles(s, live.id).length === 0)
    expect(fs.existsSync(path.join(s.dataDir, 'uploads', live.id))).toBe(false)
    expect(s.app.processor.followers.running).toBe(0)
  })

  it('beyond the configured number of followers, an upload is copied after its last byte', async () => {
    const { seen, opts } = watch()
    const s = await servers.start({ ...opts, config: { liveFollowers: 0 } })
    const live = await createLive(s, { title: 'Not followed' })
    await feedSlowly(s, live, vp8, 0, vp8.length, 3)
    await finishLive(s, live, vp8)
    expect(seen.follows.has(live.id)).toBe(false)
    expect(seen.steps.get(live.id)).toContain('remux')
    expect((await s.app.library.db.getVideo(live.videoId))!.durationMs).toBeGreaterThan(3800)
  })
})

describe('a live upload copied as it arrives, across a server restart', () => {
  it('the new server follows it again from byte 0, and the finish uses that copy', async () => {
    const before = watch()
    const first = await servers.start(before.opts)
    const live = await createLive(first, { title: 'Through a restart' })
    const part = Math.floor(h264.length / 3)
    await feedSlowly(first, live, h264, 0, part, 2)
    const [pid] = await waitFor('the first follower', async () => before.seen.follows.get(live.id))
    await first.close()
    servers.forget(first)
    expect(alive(pid!)).toBe(false)
    expect(workFiles(first, live.id)).toEqual([])

    const after = watch()
    const second = await servers.start({
      ...after.opts,
      dataDir: first.dataDir,
      reuse: first
    })
    // Started from the bytes on disk, before any new PATCH.
    await waitFor('the new follower', async () => after.seen.follows.has(live.id))
    await feedSlowly(second, live, h264, part, h264.length, 3)
    await finishLive(second, live, h264)

    expect(after.seen.steps.get(live.id) ?? []).not.toContain('remux')
    expect(after.seen.raw.get(live.id)).toBe(sha(h264))
    const video = (await second.app.library.db.getVideo(live.videoId))!
    expect(video.durationMs).toBeGreaterThan(5800)
    expect(video.durationMs).toBeLessThan(6200)
    expect(await servedDuration(second, live.videoId)).toBeGreaterThan(5.8)
  })
})
