/**
 * Instant share on the library server (issue 12): an upload of deferred length created at Record
 * answers the video's link at once; PATCHes follow the growing recording; the last one declares
 * the length; the raw MediaRecorder WebM is stream-copied into a seekable file, checked,
 * thumbnailed and only then listed. Real server on 127.0.0.1, real ffmpeg.
 */
import { execFile } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  createLive,
  feed,
  makeLiveRecording,
  page,
  patchLive,
  refreshOf,
  sessions
} from './live-support'
import { getJson, head, request, serversPerTest, waitFor } from './support'

const run = promisify(execFile)
const FFMPEG = process.env.SIDECAST_TEST_FFMPEG ?? 'ffmpeg'
const FFPROBE = FFMPEG.replace(/ffmpeg$/, 'ffprobe')
const servers = serversPerTest()

let h264: Buffer
let vp8: Buffer

beforeAll(async () => {
  ;[h264, vp8] = await Promise.all([makeLiveRecording(4, 'h264'), makeLiveRecording(3, 'vp8')])
})

function sha(bytes: Buffer): string {
  return crypto.createHash('sha256').update(bytes).digest('hex')
}

interface ApiVideo {
  id: string
  durationMs: number
  mimeType: string
  filename: string
  hasThumbnail: boolean
}

describe('a live upload', () => {
  it('is named by live = 1 (or 0); anything else is refused before anything is stored', async () => {
    const s = await servers.start()
    const refused = await createLive(s, { live: 'y' })
    expect(refused.res.status).toBe(400)
    expect(refused.res.text).toContain('Upload-Metadata: live must be 1')
    expect(refused.res.headers['sidecast-video-id']).toBeUndefined()
    const ordinary = await createLive(s, { live: '0' })
    expect(ordinary.res.status).toBe(201)
    expect((await s.app.library.db.getUpload(ordinary.id))?.live).toBe(false)
    const live = await createLive(s)
    expect((await s.app.library.db.getUpload(live.id))?.live).toBe(true)
  })

  it('answers the link at creation, follows the recording, and becomes a seekable, listed video', async () => {
    const raw = new Map<string, string>()
    const s = await servers.start({
      hooks: {
        onLiveBytes: (id, file) => {
          raw.set(id, sha(fs.readFileSync(file)))
        }
      }
    })
    const live = await createLive(s, { title: 'Quarterly numbers' })
    expect(live.res.status).toBe(201)
    expect(live.videoId).toMatch(/^[A-Za-z0-9_-]{16}$/)
    expect(live.videoUrl).toBe(`${s.url}/v/${live.videoId}`)
    expect(String(live.res.headers['access-control-expose-headers'])).toContain(
      'Sidecast-Video-Url'
    )

    // Growing: HEAD says how much is there and that the length is still to come.
    const half = Math.floor(h264.length / 2)
    await feed(s, live.up, h264.subarray(0, half), 3)
    const mid = await head(s, live.up)
    expect(mid.status).toBe(200)
    expect(mid.headers['upload-offset']).toBe(String(half))
    expect(mid.headers['upload-defer-length']).toBe('1')
    const status = await getJson(s, `${live.up}/status`)
    expect(status.json).toMatchObject({
      state: 'uploading',
      live: true,
      offset: half,
      length: null,
      id: live.videoId,
      url: live.videoUrl
    })
    // Nothing of an unfinished upload is served.
    expect(
      (
        await request(s.url, 'GET', `/media/${live.videoId}`, {
          Authorization: `Bearer ${s.token}`
        })
      ).status
    ).toBe(404)

    await feed(s, live.up, h264, 2, half)
    // Stop: the length, with an empty body.
    const last = await patchLive(s, live.up, h264.length, Buffer.alloc(0), h264.length)
    expect(last.status, last.text).toBe(204)
    expect(last.headers['sidecast-upload-state']).toBe('done')
    expect(last.headers['sidecast-video-id']).toBe(live.videoId)
    expect(last.headers['sidecast-video-url']).toBe(live.videoUrl)

    // The raw bytes the stream copy started from are exactly what was sent.
    expect(raw.get(live.id)).toBe(sha(h264))

    // Listed for a colleague, as MP4 (H.264) with its duration and a thumbnail.
    const listed = await getJson<{ videos: ApiVideo[] }>(s, '/api/videos', s.otherToken)
    const video = listed.json.videos.find((v) => v.id === live.videoId)
    expect(video).toMatchObject({
      mimeType: 'video/mp4',
      filename: 'capture.mp4',
      hasThumbnail: true
    })
    expect(video!.durationMs).toBeGreaterThan(3800)
    expect(video!.durationMs).toBeLessThan(4200)

    // Seekable: a Range in the middle answers 206, and ffmpeg seeks to 2 s over HTTP and decodes.
    const bearer = { Authorization: `Bearer ${s.otherToken}` }
    const whole = await request(s.url, 'HEAD', `/media/${live.videoId}`, bearer)
    const size = Number(whole.headers['content-length'])
    const start = Math.floor(size / 2)
    const ranged = await request(s.url, 'GET', `/media/${live.videoId}`, {
      ...bearer,
      Range: `bytes=${start}-`
    })
    expect(ranged.status).toBe(206)
    expect(ranged.headers['content-range']).toBe(`bytes ${start}-${size - 1}/${size}`)
    expect(ranged.body.length).toBe(size - start)
    const media = `${s.url}/media/${live.videoId}`
    const headers = `Authorization: Bearer ${s.otherToken}\r\n`
    const probe = await run(FFPROBE, [
      '-v',
      'error',
      '-headers',
      headers,
      '-show_entries',
      'format=duration',
      '-of',
      'csv=p=0',
      media
    ])
    expect(Number(probe.stdout)).toBeGreaterThan(3.8)
    const decoded = await run(FFMPEG, [
      '-v',
      'error',
      '-headers',
      headers,
      '-ss',
      '2',
      '-i',
      media,
      '-frames:v',
      '10',
      '-f',
      'framemd5',
      '-'
    ])
    expect(decoded.stdout.split('\n').filter((l) => /^0,/.test(l))).toHaveLength(10)
    // One index (moov) beside the media data: in front when copied after the last byte
    // (+faststart), at the end when copied as the bytes arrived (live-follow.test.ts).
    const all = await request(s.url, 'GET', `/media/${live.videoId}`, bearer)
    const boxes: string[] = []
    for (let at = 0; at + 8 <= all.body.length; at += all.body.readUInt32BE(at)) {
      boxes.push(all.body.toString('latin1', at + 4, at + 8))
      if (all.body.readUInt32BE(at) < 8) break
    }
    expect(boxes[0]).toBe('ftyp')
    expect(boxes.filter((b) => b === 'moov')).toHaveLength(1)
    expect(boxes).toContain('mdat')
  })

  it('VP8 stays WebM, with a duration and cues', async () => {
    const s = await servers.start()
    const live = await createLive(s, { title: 'VP8 one' })
    await feed(s, live.up, vp8, 4)
    const last = await patchLive(s, live.up, vp8.length, Buffer.alloc(0), vp8.length)
    expect(last.headers['sidecast-upload-state']).toBe('done')
    const video = (await s.app.library.db.getVideo(live.videoId))!
    expect(video.mimeType).toBe('video/webm')
    expect(video.durationMs).toBeGreaterThan(2800)
    const file = await s.app.library.openVideoFile(video)
    const bytes: Buffer[] = []
    for await (const c of file.stream()) bytes.push(c as Buffer)
    // Cues (0x1C53BB6B) were written: the raw stream had none.
    const cues = Buffer.from([0x1c, 0x53, 0xbb, 0x6b])
    expect(vp8.includes(cues)).toBe(false)
    expect(Buffer.concat(bytes).includes(cues)).toBe(true)
  })

  it('its watch page says Being recorded, then Finishing, refreshing itself, then plays', async () => {
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    const s = await servers.start({ hooks: { onStart: () => held } })
    const { alice, bob } = await sessions(s)
    const live = await createLive(s, { title: 'Watch me' })
    await feed(s, live.up, h264.subarray(0, 4000), 1)

    const recording = await page(s, bob, `/v/${live.videoId}`)
    expect(recording.status).toBe(200)
    expect(recording.text).toContain('Being recorded')
    expect(recording.text).toContain('Watch me')
    expect(refreshOf(recording.text)).toBeGreaterThan(0)
    expect(recording.text).not.toContain('<script>') // CSP: no inline script
    expect(recording.headers.get('cache-control')).toBe('no-store')

    // The owner sees it in the library as "Recording…"; the colleague does not, and search finds
    // it for nobody.
    const own = await page(s, alice, '/')
    expect(own.text).toContain('Recording…')
    expect(own.text).toContain(`/v/${live.videoId}`)
    expect((await page(s, bob, '/')).text).not.toContain(live.videoId)
    expect((await page(s, alice, '/?q=Watch')).text).not.toContain(live.videoId)
    expect((await getJson<{ videos: ApiVideo[] }>(s, '/api/videos?q=Watch')).json.videos).toEqual(
      []
    )

    await feed(s, live.up, h264, 1, 4000)
    const finishing = patchLive(s, live.up, h264.length, Buffer.alloc(0), h264.length)
    const second = await waitFor('the Finishing page', async () => {
      const p = await page(s, bob, `/v/${live.videoId}`)
      return p.text.includes('Finishing — ready in a few seconds') ? p : null
    })
    expect(refreshOf(second.text)).toBeGreaterThan(0)
    expect((await page(s, alice, '/')).text).toContain('Processing…')
    release()
    expect((await finishing).headers['sidecast-upload-state']).toBe('done')

    const ready = await page(s, bob, `/v/${live.videoId}`)
    expect(ready.status).toBe(200)
    expect(ready.text).toContain(`src="/media/${live.videoId}"`)
    expect(refreshOf(ready.text)).toBeNull()
    expect((await page(s, alice, '/')).text).not.toContain('Processing…')
  })

  it('terminated: bytes and reservation gone, the link answers 410 "This video was discarded"', async () => {
    const s = await servers.start()
    const { alice, bob } = await sessions(s)
    const live = await createLive(s)
    await feed(s, live.up, h264.subarray(0, 5000), 1)
    const del = await request(s.url, 'DELETE', live.up, {
      'Tus-Resumable': '1.0.0',
      Authorization: `Bearer ${s.token}`
    })
    expect(del.status).toBe(204)
    expect(fs.existsSync(`${s.dataDir}/uploads/${live.id}`)).toBe(false)
    expect((await head(s, live.up)).status).toBe(404)
    for (const who of [alice, bob]) {
      const gone = await page(s, who, `/v/${live.videoId}`)
      expect(gone.status).toBe(410)
      expect(gone.text).toContain('This video was discarded')
    }
    expect((await page(s, alice, '/')).text).not.toContain(live.videoId)
    // Its place is free again: the unfinished-upload count no longer holds it.
    expect(
      (await s.app.library.db.unfinishedUploads(s.user.id, '1970-01-01T00:00:00Z', 0)).count
    ).toBe(0)
    // A "Try again" cannot bring a discarded video back.
    const retry = await request(s.url, 'POST', '/api/uploads', {
      'Tus-Resumable': '1.0.0',
      Authorization: `Bearer ${s.token}`,
      'Upload-Length': 10,
      'Upload-Metadata': `filename ${Buffer.from('x.mp4').toString('base64')},replaces ${Buffer.from(live.videoId).toString('base64')}`
    })
    expect(retry.status).toBe(404)
  })
})
