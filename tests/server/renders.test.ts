/**
 * The renders of a video's edits (server/src/renders/): the viewers' version has the cut parts
 * absent and the blur burnt in (its length and its pixels say so), a callout's new text renders
 * nothing, the download has the callouts burnt in too, and a render cut short by a stop is made
 * at the next start.
 */
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Edits } from '../../src/shared/edits'
import { boxPixels, saveEdits as save, videoOf as video, type Box } from '../support/camera-media'
import { signInWithFetch } from './helpers-pages/session'
import {
  request,
  serversPerTest,
  startServer,
  tempDir,
  uploadWholeVideo,
  type RawResponse
} from './support'

const run = promisify(execFile)
const FFMPEG = process.env.SIDECAST_TEST_FFMPEG ?? 'ffmpeg'
const servers = serversPerTest()

/** 6 s of random pixels: a blurred box in it is smooth, the same box unblurred is not. */
let noise: Buffer

beforeAll(async () => {
  const dir = tempDir('renders')
  const file = path.join(dir, 'noise.mp4')
  await run(FFMPEG, [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'nullsrc=size=320x240:rate=25:duration=6,geq=random(1)*255:128:128',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:duration=6',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-crf',
    '10',
    '-g',
    '25',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    file
  ])
  noise = fs.readFileSync(file)
})

/** A cut of 2–4 s, a blur box over the frame's middle, and one callout in the first second. */
function editsWith(calloutText: string): Edits {
  return {
    version: 2,
    keep: [
      [0, 2000],
      [4000, 6000]
    ],
    annotations: [
      { id: 'b1', type: 'blur', startMs: 0, endMs: 6000, x: 0.25, y: 0.25, w: 0.5, h: 0.5 },
      {
        id: 'c1',
        type: 'callout',
        startMs: 0,
        endMs: 1500,
        x: 0.05,
        y: 0.05,
        w: 0.6,
        h: 0.15,
        text: calloutText
      }
    ]
  }
}

async function durationMs(file: string): Promise<number> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'format=duration',
    '-of',
    'csv=p=0',
    file
  ])
  return Math.round(Number(stdout.trim()) * 1000)
}

/** The grey pixels of a box of the frame at `seconds` (the box in 320×240 pixels). */
function grayBox(input: string, seconds: number, box: Box): Promise<Uint8Array> {
  return boxPixels(input, seconds, box, 'gray')
}

/** Variance of neighbouring pixels' differences: large for noise, small once blurred. */
function roughness(pixels: Uint8Array): number {
  let sum = 0
  for (let i = 1; i < pixels.length; i++) sum += ((pixels[i] ?? 0) - (pixels[i - 1] ?? 0)) ** 2
  return sum / (pixels.length - 1)
}

/** Mean absolute difference of two equal-sized pixel boxes. */
function difference(a: Uint8Array, b: Uint8Array): number {
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0))
  return sum / a.length
}

const BLUR_BOX = { x: 120, y: 90, w: 80, h: 60 }
const CALLOUT_BOX = { x: 20, y: 14, w: 160, h: 30 }

describe('renders of the edits', () => {
  it('the viewers’ version: the cut is absent, the blur burnt in; a callout’s new text renders nothing', async () => {
    const s = await servers.start()
    const { videoId, file: original } = await uploadWholeVideo(s, noise, 'noise.mp4')
    expect(await s.app.library.renders.viewerMedia(await video(s, videoId))).toEqual({
      kind: 'original'
    })

    await save(s, videoId, 0, editsWith('Click here'))
    // Redactions and no render yet: nothing may be shown.
    expect(await s.app.library.renders.viewerMedia(await video(s, videoId))).toMatchObject({
      kind: 'processing'
    })
    const thumb = (token: string): Promise<RawResponse> =>
      request(s.url, 'GET', `/thumbs/${videoId}.jpg`, { Authorization: `Bearer ${token}` })
    // Its thumbnail is a frame of the original: not for viewers while nothing else is there.
    expect((await thumb(s.otherToken)).status).toBe(404)
    await s.app.library.renders.idle()
    const media = await s.app.library.renders.viewerMedia(await video(s, videoId))
    if (media.kind !== 'render') throw new Error(`no render: ${JSON.stringify(media)}`)
    expect(media).toMatchObject({ editsVersion: 1, stale: false })
    // Viewers get a thumbnail of their version; the owner the original's.
    const viewers = await thumb(s.otherToken)
    const owners = await thumb(s.token)
    expect(viewers.status).toBe(200)
    expect(viewers.headers['content-type']).toBe('image/jpeg')
    expect(viewers.body.equals(fs.readFileSync(media.file.replace(/\.mp4$/, '.jpg')))).toBe(true)
    expect(owners.body.equals(fs.readFileSync(s.app.library.thumbnailPath(videoId)))).toBe(true)
    expect(viewers.body.equals(owners.body)).toBe(false)

    // 2 s of 6 cut: 4 s left (a frame either way).
    expect(Math.abs((await durationMs(media.file)) - 4000)).toBeLessThanOrEqual(80)
    expect(Math.abs(media.durationMs - 4000)).toBeLessThanOrEqual(80)
    // The box is smooth in the render and rough in the original, at the same moment (output
    // 1.0 s = recording 1.0 s, before the cut).
    const rendered = roughness(await grayBox(media.file, 1, BLUR_BOX))
    const raw = roughness(await grayBox(original, 1, BLUR_BOX))
    expect(raw).toBeGreaterThan(1000)
    expect(rendered).toBeLessThan(raw / 20)
    // Callouts are drawn by the page, not burnt into the viewers' version.
    const calloutArea = await grayBox(media.file, 1, CALLOUT_BOX)
    expect(roughness(calloutArea)).toBeGreaterThan(1000)

    // The callout's text changes: same redactions, so the same render serves, and none is queued.
    const rendersBefore = (await s.app.library.renders.rendersOf(videoId)).length
    await save(s, videoId, 1, editsWith('Click there'))
    expect(await s.app.library.renders.rendersOf(videoId)).toHaveLength(rendersBefore)
    expect(await s.app.library.renders.viewerMedia(await video(s, videoId))).toMatchObject({
      kind: 'render',
      editsVersion: 1,
      stale: false
    })
  })

  it('while a new cut renders, viewers keep the previous render and the callouts follow its clock', async () => {
    const s = await servers.start()
    const { videoId } = await uploadWholeVideo(s, noise, 'noise.mp4')
    await save(s, videoId, 0, editsWith('Before'))
    await s.app.library.renders.idle()
    // No new render may finish: the service stops taking work.
    await s.app.library.renders.close()
    const moved = editsWith('After')
    await save(s, videoId, 1, {
      ...moved,
      keep: [
        [0, 1000],
        [4000, 6000]
      ],
      annotations: moved.annotations.map((a) =>
        a.id === 'c1' ? { ...a, startMs: 4500, endMs: 5000 } : a
      )
    })
    const res = await request(s.url, 'GET', `/api/videos/${videoId}/view`, {
      Authorization: `Bearer ${s.otherToken}`
    })
    const view = JSON.parse(res.text) as {
      version: number
      durationMs: number
      annotations: { id: string; startMs: number; endMs: number; text?: string }[]
      media: { kind: string; stale: boolean; editsVersion: number }
    }
    expect(view.media).toMatchObject({ kind: 'render', stale: true, editsVersion: 1 })
    expect(view.version).toBe(2)
    // The served render cut 2–4 s: 4.5 s of the recording plays at 2.5 s, and it lasts 4 s.
    expect(view.durationMs).toBe(4000)
    expect(view.annotations).toEqual([
      expect.objectContaining({ id: 'c1', startMs: 2500, endMs: 3000, text: 'After' })
    ])
  })

  it('the download has everything burnt in, the callout too, and is kept per edits version', async () => {
    const s = await servers.start()
    const { videoId } = await uploadWholeVideo(s, noise, 'noise.mp4')
    await save(s, videoId, 0, editsWith('Burnt in'))
    const asked = await s.app.library.renders.download(await video(s, videoId))
    expect(['queued', 'running']).toContain(asked.state)
    await s.app.library.renders.idle()
    const ready = await s.app.library.renders.download(await video(s, videoId))
    if (ready.state !== 'ready') throw new Error(`download not ready: ${JSON.stringify(ready)}`)
    expect(Math.abs((await durationMs(ready.file)) - 4000)).toBeLessThanOrEqual(80)

    const viewer = await s.app.library.renders.viewerMedia(await video(s, videoId))
    if (viewer.kind !== 'render') throw new Error('no viewers’ render')
    // The callout's bubble covers its box in the download, not in the viewers' version.
    const withCallout = await grayBox(ready.file, 1, CALLOUT_BOX)
    const without = await grayBox(viewer.file, 1, CALLOUT_BOX)
    expect(difference(withCallout, without)).toBeGreaterThan(20)
    expect(roughness(withCallout)).toBeLessThan(roughness(without))

    // Asked again for the same version: the same file, nothing queued.
    expect(await s.app.library.renders.download(await video(s, videoId))).toEqual(ready)

    // Each run wrote under a name of its own and renamed it into place: the final names are
    // there (the viewers' thumbnail beside its render), no run's file is left behind.
    const dir = path.dirname(ready.file)
    expect(path.dirname(viewer.file)).toBe(dir)
    expect(fs.existsSync(viewer.file.replace(/\.mp4$/, '.jpg'))).toBe(true)
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([])
  })

  it('GET /v/:id/download: progress while it renders, then the MP4 as an attachment; a visitor by link too', async () => {
    const s = await servers.start()
    const { videoId } = await uploadWholeVideo(s, noise, 'noise.mp4')
    await save(s, videoId, 0, editsWith('Download me'))
    const bob = await signInWithFetch(s.url, 'bob', 'bob-password')
    const url = `${s.url}/v/${videoId}/download`

    const waiting = await fetch(url, {
      headers: { Cookie: bob.cookie, Accept: 'application/json' }
    })
    expect(waiting.status).toBe(202)
    expect(['queued', 'running']).toContain(((await waiting.json()) as { state: string }).state)
    const page = await fetch(url, { headers: { Cookie: bob.cookie } })
    expect(page.status).toBe(202)
    const text = await page.text()
    expect(text).toMatch(/<progress max="100" value="\d+"/)
    expect(text).toContain('<meta http-equiv="refresh" content="2" />')

    await s.app.library.renders.idle()
    const done = await fetch(url, { headers: { Cookie: bob.cookie } })
    expect(done.status).toBe(200)
    expect(done.headers.get('content-type')).toBe('video/mp4')
    expect(done.headers.get('content-disposition')).toContain('filename="noise.mp4.mp4"')
    const bytes = Buffer.from(await done.arrayBuffer())
    const ready = await s.app.library.renders.download(await video(s, videoId))
    if (ready.state !== 'ready') throw new Error('not ready')
    expect(bytes.equals(fs.readFileSync(ready.file))).toBe(true)

    // Without a session: to sign-in, never the file.
    const anonymous = await fetch(url, { redirect: 'manual' })
    expect(anonymous.status).toBe(303)
    // A visitor by link, while the link is on.
    await s.app.library.write((db) => db.setAccess(videoId, 'link', 'a'.repeat(43)))
    const visitor = await fetch(`${s.url}/s/${'a'.repeat(43)}/download`)
    expect(visitor.status).toBe(200)
    expect(Buffer.from(await visitor.arrayBuffer()).length).toBe(bytes.length)
    await s.app.library.write((db) => db.setAccess(videoId, 'team', null))
    expect((await fetch(`${s.url}/s/${'a'.repeat(43)}/download`)).status).toBe(404)
  })

  it('a running render whose row another instance replaced puts nothing in place; the queue heals', async () => {
    const s = await servers.start()
    const { videoId } = await uploadWholeVideo(s, noise, 'noise.mp4')
    await save(s, videoId, 0, editsWith('Replaced'))
    const { db } = s.app.library
    // Wait (bounded) until the viewers' render runs here.
    let running = null
    for (let i = 0; i < 2000 && !running; i++) {
      running = (await db.rendersOf(videoId)).find((r) => r.state === 'running') ?? null
      if (!running) await new Promise((resolve) => setImmediate(resolve))
    }
    if (!running) throw new Error('the render never ran')
    // What another instance does when the recording is replaced: the row goes, a new one waits.
    await s.app.library.write(async (d) => {
      await d.deleteRender(videoId, running.kind, running.editsVersion)
      await d.queueRender(videoId, running.kind, running.editsVersion, 'another-recording')
    })
    await s.app.library.renders.idle()
    // The first run neither marked the new row done nor put its file in place; the new row was
    // rendered, then the real redactions again (its key was not theirs): one row, done, theirs.
    const rows = (await db.rendersOf(videoId)).filter((r) => r.kind === running.kind)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ state: 'done', redactionKey: running.redactionKey })
    const media = await s.app.library.renders.viewerMedia(await video(s, videoId))
    if (media.kind !== 'render') throw new Error('no viewers’ render')
    expect(Math.abs((await durationMs(media.file)) - 4000)).toBeLessThanOrEqual(80)
    expect(fs.readdirSync(path.dirname(media.file)).filter((n) => n.startsWith('.'))).toEqual([])
  })

  it('a render cut short by a stop is made at the next start', async () => {
    const s = await servers.start()
    const { videoId } = await uploadWholeVideo(s, noise, 'noise.mp4')
    await save(s, videoId, 0, editsWith('Restart'))
    // Stop the server while the render runs (or before it started: queued survives too).
    await s.close()
    servers.forget(s)
    const { openLibraryDb, databaseTarget } = await import('../../server/src/db/open')
    const left = await openLibraryDb(databaseTarget(s.config))
    const states = (await left.rendersOf(videoId)).map((r) => r.state)
    await left.close()
    expect(states).toHaveLength(1)
    expect(['queued', 'running']).toContain(states[0])

    const again = await startServer({ dataDir: s.dataDir, reuse: s })
    try {
      await again.app.library.renders.idle()
      const media = await again.app.library.renders.viewerMedia(await video(again, videoId))
      expect(media).toMatchObject({ kind: 'render', editsVersion: 1 })
      expect((await again.app.library.renders.rendersOf(videoId)).map((r) => r.state)).toEqual([
        'done'
      ])
    } finally {
      await again.close()
    }
  })
})
