/**
 * Processing bombs and load: a tiny file with huge frames is refused from ffprobe's answer before
 * anything decodes it; frame size and duration limits come from the configuration; uploads that
 * finish together are processed a bounded number at a time, the others queued with their place.
 */
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { recordSteps, uploadWhole, within } from './media-support'
import {
  createUpload,
  ffmpeg,
  getJson,
  makeVideo,
  patch,
  tempDir,
  waitFor,
  serversPerTest
} from './support'
import fs from 'node:fs'

let video: Buffer
let huge: Buffer
const servers = serversPerTest()

beforeAll(async () => {
  const dir = tempDir('bomb')
  video = await makeVideo(path.join(dir, 'clip.mp4'))
  // One black 8192×8192 H.264 frame: about 200 KB on disk, gigabytes to decode with threads.
  const file = path.join(dir, 'huge.mp4')
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    'color=c=black:s=8192x8192:r=1:d=1',
    '-frames:v',
    '1',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-threads',
    '1',
    '-pix_fmt',
    'yuv420p',
    file
  ])
  huge = fs.readFileSync(file)
})

const start = servers.start

describe('limits checked before any decode', () => {
  it('an 8192×8192 video is refused with 422 within seconds, and never decoded', async () => {
    const log = recordSteps()
    const s = await start({ hooks: log.hooks })
    expect(huge.length).toBeLessThan(400_000)
    const r = await uploadWhole(s, huge, 'huge.mp4')
    expect(r.res.status, r.res.text).toBe(422)
    expect(r.error).toMatch(/8192×8192/)
    expect(r.error).toMatch(/7680×4320/)
    // ffprobe read the header; nothing decoded a frame.
    expect(log.of(r.id)).toEqual(['probe'])
    // Generous for a slow machine; decoding it takes far longer than this.
    expect(r.ms).toBeLessThan(5000)
    const status = await getJson<{ state: string; error: string }>(s, `${r.up}/status`)
    expect(status.json).toMatchObject({ state: 'failed', error: r.error })
  })

  it('frame size and duration limits come from the configuration', async () => {
    const log = recordSteps()
    const small = await start({
      hooks: log.hooks,
      env: { SIDECAST_LIBRARY_MAX_FRAME_SIZE: '160x120' }
    })
    const tooBig = await uploadWhole(small, video, 'big.mp4')
    expect(tooBig.res.status).toBe(422)
    expect(tooBig.error).toMatch(/320×240.*160×120/)
    expect(log.of(tooBig.id)).toEqual(['probe'])

    // The limit holds either way round: 320×240 fits a portrait 240×320.
    const portrait = await start({ env: { SIDECAST_LIBRARY_MAX_FRAME_SIZE: '240x320' } })
    expect((await uploadWhole(portrait, video, 'ok.mp4')).res.status).toBe(204)

    const short = await start({ hooks: log.hooks, env: { SIDECAST_LIBRARY_MAX_DURATION: '1s' } })
    const tooLong = await uploadWhole(short, video, 'long.mp4')
    expect(tooLong.res.status).toBe(422)
    expect(tooLong.error).toMatch(/longer than/)
    expect(log.of(tooLong.id)).toEqual(['probe'])
  })
})

describe('a bounded number of uploads at once', () => {
  it('uploads finishing together run at most `concurrency` at a time; the rest show "queued" and their place; all end done', async () => {
    const N = 6
    const CONCURRENCY = 2
    let running = 0
    let most = 0
    const started: string[] = []
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const s = await start({
      env: { SIDECAST_LIBRARY_PROCESSING_CONCURRENCY: String(CONCURRENCY) },
      hooks: {
        async onStart(id) {
          running++
          most = Math.max(most, running)
          started.push(id)
          await gate // hold the slots until the queue has been looked at
        },
        onEnd() {
          running--
        }
      }
    })
    const uploads = []
    for (let i = 0; i < N; i++) {
      uploads.push(await createUpload(s, video.length, { filename: `q${i}.mp4`, title: `Q${i}` }))
    }
    const finals = uploads.map((u) => patch(s, u.path, 0, video))

    await waitFor('the first slots to be taken', async () => started.length >= CONCURRENCY)
    const waiting = uploads.filter((u) => !started.includes(u.id))
    expect(waiting).toHaveLength(N - CONCURRENCY)
    // Every upload's bytes are in; the ones without a slot say so, with their place in line.
    const places = await waitFor('the others to be queued', async () => {
      const states = await Promise.all(
        waiting.map((u) => getJson<{ state: string; position?: number }>(s, `${u.path}/status`))
      )
      return states.every((st) => st.json.state === 'queued') ? states : null
    })
    expect(places.map((p) => p.json.position).sort()).toEqual([1, 2, 3, 4])
    const lookup = await getJson<{ state: string }>(s, `${waiting[0]!.path}/video`)
    expect(lookup.status).toBe(202)
    expect(lookup.json.state).toBe('queued')
    expect(running).toBe(CONCURRENCY)

    release()
    const answers = await within(60_000, 'the queued uploads', Promise.all(finals))
    for (const a of answers) {
      expect(a.status, a.text).toBe(204)
      expect(a.headers['sidecast-upload-state']).toBe('done')
    }
    expect(started).toHaveLength(N)
    expect(most).toBe(CONCURRENCY)
    expect(await s.app.library.db.searchVideos('', { limit: 100 })).toHaveLength(N)
  })
})
