/**
 * The camera bubble in the library (docs/library-server.md, "The camera bubble"): a recording's
 * camera is a second tus upload linked to its video (Upload-Metadata `cameraFor`), only by the
 * video's owner; a recording sent with `cameraFollows` shows viewers nothing until its camera is
 * there and rendered; the viewers' render has the camera burnt in where the edits place the
 * bubble; a bubble move renders again, a callout's text does not; a second camera replaces the
 * first; deleting the video deletes its camera.
 */
import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Bubble, Edits } from '../../src/shared/edits'
import {
  makeCamera,
  makeScreen,
  meanColour,
  saveEdits as save,
  videoOf as video
} from '../support/camera-media'
import { startFakeS3 } from './fake-s3'
import {
  createUpload,
  patch,
  request,
  serversPerTest,
  startServer,
  tempDir,
  uploadWholeVideo,
  waitFor,
  type RawResponse,
  type TestServer
} from './support'

const servers = serversPerTest()

/** 6 s of flat blue, 320×240, H.264 + AAC: the screen. */
let screen: Buffer
/** 6 s of flat red, 160×120, VP8 WebM without sound: the camera. */
let redCamera: Buffer
/** The same in green: a second camera. */
let greenCamera: Buffer

beforeAll(async () => {
  const dir = tempDir('camera')
  const screenFile = path.join(dir, 'screen.mp4')
  await makeScreen(screenFile, { colour: '0x0000ff', seconds: 6, gop: 25 })
  screen = fs.readFileSync(screenFile)
  const camera = async (colour: string, name: string): Promise<Buffer> => {
    const file = path.join(dir, name)
    await makeCamera(file, colour, 6)
    return fs.readFileSync(file)
  }
  redCamera = await camera('0xff0000', 'red.webm')
  greenCamera = await camera('0x00ff00', 'green.webm')
})

const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` })

/** A bubble in the middle right of the frame: a 120 px rounded square at (160, 60) in 320×240. */
const BUBBLE: Bubble = { x: 0.5, y: 0.25, size: 0.5, shape: 'rounded', hidden: [] }
const INSIDE = { x: 200, y: 100, w: 40, h: 40 }
const OUTSIDE = { x: 20, y: 20, w: 40, h: 40 }

function editsWith(bubble: Bubble, calloutText = 'Hello'): Edits {
  return {
    version: 2,
    keep: [],
    annotations: [
      {
        id: 'c1',
        type: 'callout',
        startMs: 0,
        endMs: 1500,
        x: 0.05,
        y: 0.05,
        w: 0.3,
        h: 0.1,
        text: calloutText
      }
    ],
    bubble
  }
}

/** Uploads the screen recording with `cameraFollows`; its video id. */
async function uploadRecording(s: TestServer, cameraFollows: boolean): Promise<string> {
  const created = await createUpload(s, screen.length, {
    filename: 'screen.mp4',
    title: 'Screen',
    ...(cameraFollows ? { cameraFollows: '1' } : {})
  })
  expect(created.res.status).toBe(201)
  const res = await patch(s, created.path, 0, screen)
  expect(res.status).toBe(204)
  const videoId = String(res.headers['sidecast-video-id'] ?? '')
  await waitFor('the video', async () => s.app.library.db.getVideo(videoId))
  return videoId
}

/** Sends a camera recording for `videoId` as `token`; the creation's and the last PATCH's answers. */
async function uploadCamera(
  s: TestServer,
  videoId: string,
  bytes: Buffer,
  token = s.token,
  facts: Record<string, string> = { cameraOffsetMs: '0', cameraDurationMs: '6000' }
): Promise<{ created: RawResponse; finished: RawResponse | null; uploadId: string }> {
  const created = await createUpload(
    s,
    bytes.length,
    { filename: 'camera.webm', cameraFor: videoId, ...facts },
    token
  )
  if (created.res.status !== 201) return { created: created.res, finished: null, uploadId: '' }
  const finished = await patch(s, created.path, 0, bytes, token)
  return { created: created.res, finished, uploadId: created.id }
}

describe('the camera of a video', () => {
  it('is linked to its video; viewers wait (409) until it and its render are there, then see the bubble where the edits put it', async () => {
    const s = await servers.start()
    const videoId = await uploadRecording(s, true)
    expect(await video(s, videoId)).toMatchObject({ awaitingCamera: true, camera: null })
    // The recording alone: viewers get "being processed", the owner the original.
    const waiting = await request(s.url, 'GET', `/media/${videoId}`, bearer(s.otherToken))
    expect(waiting.status).toBe(409)
    const owners = await request(s.url, 'GET', `/media/${videoId}?original=1`, bearer(s.token))
    expect(owners.status).toBe(200)
    expect(owners.body.equals(screen)).toBe(true)

    // The edits place the bubble before the camera comes: still nothing for viewers.
    await save(s, videoId, 0, editsWith(BUBBLE))
    expect((await request(s.url, 'GET', `/media/${videoId}`, bearer(s.otherToken))).status).toBe(
      409
    )

    const sent = await uploadCamera(s, videoId, redCamera)
    expect(sent.created.status).toBe(201)
    expect(sent.created.headers['sidecast-video-id']).toBe(videoId)
    expect(sent.finished?.status).toBe(204)
    expect(sent.finished?.headers['sidecast-upload-state']).toBe('done')
    expect(sent.finished?.headers['sidecast-video-id']).toBe(videoId)
    const linked = await video(s, videoId)
    expect(linked.awaitingCamera).toBe(false)
    expect(linked.camera).toMatchObject({
      id: sent.uploadId,
      facts: { offsetMs: 0, durationMs: 6000, width: 160, height: 120, container: 'webm' }
    })
    // Stored like a video's bytes, and not a video of its own.
    expect(fs.readFileSync(path.join(s.dataDir, 'videos', sent.uploadId)).equals(redCamera)).toBe(
      true
    )
    expect(await s.app.library.db.countVideos()).toBe(1)

    await s.app.library.renders.idle()
    const media = await s.app.library.renders.viewerMedia(await video(s, videoId))
    if (media.kind !== 'render') throw new Error(`no render: ${JSON.stringify(media)}`)
    expect(media.stale).toBe(false)
    const served = await request(s.url, 'GET', `/media/${videoId}`, bearer(s.otherToken))
    expect(served.status).toBe(200)
    expect(served.body.equals(fs.readFileSync(media.file))).toBe(true)

    // The camera's red inside the bubble's box, the screen's blue outside it.
    const [ri, gi, bi] = await meanColour(media.file, 3, INSIDE)
    expect(ri).toBeGreaterThan(180)
    expect(gi).toBeLessThan(70)
    expect(bi).toBeLessThan(70)
    const [ro, , bo] = await meanColour(media.file, 3, OUTSIDE)
    expect(bo).toBeGreaterThan(180)
    expect(ro).toBeLessThan(70)
  })

  it('viewers wait for the render with the bubble once the camera is there (no render without it is shown)', async () => {
    const s = await servers.start()
    const videoId = await uploadRecording(s, true)
    await save(s, videoId, 0, editsWith(BUBBLE))
    // No render may be made: the camera is there, its render is not.
    await s.app.library.renders.close()
    const sent = await uploadCamera(s, videoId, redCamera)
    expect(sent.finished?.status).toBe(204)
    expect((await video(s, videoId)).awaitingCamera).toBe(false)
    expect(await s.app.library.renders.viewerMedia(await video(s, videoId))).toEqual({
      kind: 'processing',
      failed: null
    })
    expect((await request(s.url, 'GET', `/media/${videoId}`, bearer(s.otherToken))).status).toBe(
      409
    )
    // The owner still has the original.
    expect(
      (await request(s.url, 'GET', `/media/${videoId}?original=1`, bearer(s.token))).status
    ).toBe(200)
    expect(
      (await s.app.library.renders.rendersOf(videoId))
        .filter((r) => r.kind === 'viewer')
        .map((r) => r.state)
    ).toEqual(['queued'])
  })

  it('the download waits for the camera, has the bubble burnt in, and is made again for a new camera', async () => {
    const s = await servers.start()
    const videoId = await uploadRecording(s, true)
    await save(s, videoId, 0, editsWith(BUBBLE))
    // Asked before the camera is there: it waits, and nothing is rendered without the bubble.
    expect(await s.app.library.renders.download(await video(s, videoId))).toEqual({
      state: 'queued',
      progress: 0
    })
    expect(
      (await s.app.library.renders.rendersOf(videoId)).filter((r) => r.kind === 'download')
    ).toEqual([])
    expect((await uploadCamera(s, videoId, redCamera)).finished?.status).toBe(204)
    await s.app.library.renders.download(await video(s, videoId))
    await s.app.library.renders.idle()
    const red = await s.app.library.renders.download(await video(s, videoId))
    if (red.state !== 'ready') throw new Error(`download not ready: ${JSON.stringify(red)}`)
    const [r1, g1] = await meanColour(red.file, 3, INSIDE)
    expect(r1).toBeGreaterThan(180)
    expect(g1).toBeLessThan(70)

    // Another camera, same edits version: the download is made again, with it.
    expect((await uploadCamera(s, videoId, greenCamera)).finished?.status).toBe(204)
    expect((await s.app.library.renders.download(await video(s, videoId))).state).not.toBe('ready')
    await s.app.library.renders.idle()
    const green = await s.app.library.renders.download(await video(s, videoId))
    if (green.state !== 'ready') throw new Error(`download not ready: ${JSON.stringify(green)}`)
    const [r2, g2] = await meanColour(green.file, 3, INSIDE)
    expect(g2).toBeGreaterThan(180)
    expect(r2).toBeLessThan(70)
  })

  it('only its owner (or an admin) may send it: 403 for someone else’s video, 404 for none, 400 for bad facts', async () => {
    const s = await servers.start()
    const { videoId } = await uploadWholeVideo(s, screen, 'screen.mp4')
    const refused = await uploadCamera(s, videoId, redCamera, s.otherToken)
    expect(refused.created.status).toBe(403)
    expect(refused.created.headers['sidecast-refused']).toBe('camera')
    expect(JSON.parse(refused.created.text)).toEqual({
      error: 'Only the owner of a video (or an administrator) can add its camera recording.'
    })
    expect(refused.created.headers['sidecast-video-id']).toBeUndefined()
    const none = await uploadCamera(s, 'NoSuchVideo12345', redCamera)
    expect(none.created.status).toBe(404)
    expect(none.created.headers['sidecast-refused']).toBe('camera')
    const badOffset = await uploadCamera(s, videoId, redCamera, s.token, {
      cameraOffsetMs: 'soon'
    })
    expect(badOffset.created.status).toBe(400)
    expect(JSON.parse(badOffset.created.text).error).toMatch(/^Upload-Metadata: cameraOffsetMs/)
    const noOffset = await uploadCamera(s, videoId, redCamera, s.token, {})
    expect(noOffset.created.status).toBe(400)
    expect(JSON.parse(noOffset.created.text).error).toMatch(/cameraOffsetMs is required/)
    const badRanges = await uploadCamera(s, videoId, redCamera, s.token, {
      cameraOffsetMs: '0',
      cameraOffRanges: '[[5, 1]]'
    })
    expect(badRanges.created.status).toBe(400)
    // Nothing was stored or linked.
    expect((await video(s, videoId)).camera).toBeNull()
    expect(await s.app.library.db.listUploads('uploading')).toEqual([])
    // An admin may.
    const byAdmin = await uploadCamera(s, videoId, redCamera, s.adminToken)
    expect(byAdmin.finished?.status).toBe(204)
    expect((await video(s, videoId)).camera?.id).toBe(byAdmin.uploadId)
  })

  it('counts against the unfinished-upload caps like any upload', async () => {
    const s = await servers.start({ config: { maxUnfinishedUploads: 1 } })
    const { videoId } = await uploadWholeVideo(s, screen, 'screen.mp4')
    // A camera upload begun and not finished holds the one place…
    const begun = await createUpload(s, redCamera.length, {
      filename: 'camera.webm',
      cameraFor: videoId,
      cameraOffsetMs: '0'
    })
    expect(begun.res.status).toBe(201)
    // …so neither another camera nor a video may start until it is finished.
    const second = await uploadCamera(s, videoId, greenCamera)
    expect(second.created.status).toBe(429)
    const video2 = await createUpload(s, screen.length, { filename: 'other.mp4' })
    expect(video2.res.status).toBe(429)
    expect((await patch(s, begun.path, 0, redCamera)).status).toBe(204)
    expect((await video(s, videoId)).camera?.id).toBe(begun.id)
    expect((await uploadCamera(s, videoId, greenCamera)).finished?.status).toBe(204)
  })

  it('a camera that is not a video is refused (422) and nothing is linked', async () => {
    const s = await servers.start()
    const videoId = await uploadRecording(s, true)
    const junk = Buffer.alloc(4096, 7)
    const sent = await uploadCamera(s, videoId, junk)
    expect(sent.finished?.status).toBe(422)
    expect(JSON.parse(sent.finished?.text ?? '{}').error).toMatch(
      /^The camera recording is not usable/
    )
    expect(await video(s, videoId)).toMatchObject({ camera: null, awaitingCamera: true })
    expect(fs.existsSync(path.join(s.dataDir, 'videos', sent.uploadId))).toBe(false)
  })

  it('a bubble move renders again; a callout’s new text does not; a second camera replaces the first', async () => {
    const s = await servers.start()
    const videoId = await uploadRecording(s, true)
    await save(s, videoId, 0, editsWith(BUBBLE, 'One'))
    const first = await uploadCamera(s, videoId, redCamera)
    expect(first.finished?.status).toBe(204)
    await s.app.library.renders.idle()
    const viewerRenders = async (): Promise<
      { editsVersion: number; state: string; key: string }[]
    > =>
      (await s.app.library.renders.rendersOf(videoId))
        .filter((r) => r.kind === 'viewer')
        .map((r) => ({ editsVersion: r.editsVersion, state: r.state, key: r.redactionKey }))
    expect(await viewerRenders()).toEqual([
      { editsVersion: 1, state: 'done', key: expect.any(String) }
    ])
    const firstKey = (await viewerRenders())[0]?.key

    // A callout's text: same render key, nothing queued, the same render serves.
    await save(s, videoId, 1, editsWith(BUBBLE, 'Two'))
    expect(await viewerRenders()).toEqual([{ editsVersion: 1, state: 'done', key: firstKey }])
    expect(await s.app.library.renders.viewerMedia(await video(s, videoId))).toMatchObject({
      kind: 'render',
      editsVersion: 1,
      stale: false
    })

    // The bubble moved to the top-left corner: a new render, the old one served meanwhile.
    const moved: Bubble = { ...BUBBLE, x: 0, y: 0 }
    await save(s, videoId, 2, editsWith(moved, 'Two'))
    expect(await s.app.library.renders.viewerMedia(await video(s, videoId))).toMatchObject({
      kind: 'render',
      editsVersion: 1,
      stale: true
    })
    await s.app.library.renders.idle()
    const after = await s.app.library.renders.viewerMedia(await video(s, videoId))
    if (after.kind !== 'render') throw new Error('no render')
    expect(after).toMatchObject({ editsVersion: 3, stale: false })
    // Red now at the top-left, blue where the bubble was.
    const [rTop] = await meanColour(after.file, 3, { x: 30, y: 30, w: 40, h: 40 })
    expect(rTop).toBeGreaterThan(180)
    const [rOld, , bOld] = await meanColour(after.file, 3, INSIDE)
    expect(rOld).toBeLessThan(70)
    expect(bOld).toBeGreaterThan(180)

    // A second camera replaces the first: its bytes go, a new render has the new camera.
    const second = await uploadCamera(s, videoId, greenCamera)
    expect(second.finished?.status).toBe(204)
    expect((await video(s, videoId)).camera?.id).toBe(second.uploadId)
    expect(fs.existsSync(path.join(s.dataDir, 'videos', first.uploadId))).toBe(false)
    expect(await s.app.library.db.getUpload(first.uploadId)).toBeNull()
    await s.app.library.renders.idle()
    const green = await s.app.library.renders.viewerMedia(await video(s, videoId))
    if (green.kind !== 'render') throw new Error('no render')
    expect(green.stale).toBe(false)
    const [r, g] = await meanColour(green.file, 3, { x: 30, y: 30, w: 40, h: 40 })
    expect(g).toBeGreaterThan(180)
    expect(r).toBeLessThan(70)
  })

  it('a new version of the video drops the old camera; deleting the video deletes its camera', async () => {
    const s = await servers.start()
    const videoId = await uploadRecording(s, false)
    const cam = await uploadCamera(s, videoId, redCamera)
    expect(cam.finished?.status).toBe(204)
    const cameraFile = path.join(s.dataDir, 'videos', cam.uploadId)
    expect(fs.existsSync(cameraFile)).toBe(true)

    // Deleted with its video: the row, the upload record, the bytes.
    const del = await request(s.url, 'DELETE', `/api/videos/${videoId}`, bearer(s.token))
    expect(del.status).toBe(204)
    expect(fs.existsSync(cameraFile)).toBe(false)
    expect(await s.app.library.db.getUpload(cam.uploadId)).toBeNull()
    // A camera for the deleted video: 404.
    const late = await uploadCamera(s, videoId, redCamera)
    expect(late.created.status).toBe(404)

    // A new version (replaces) with its camera to follow: the old camera goes, viewers wait.
    const other = await uploadRecording(s, false)
    const cam2 = await uploadCamera(s, other, redCamera)
    expect(cam2.finished?.status).toBe(204)
    const created = await createUpload(s, screen.length, {
      filename: 'screen.mp4',
      replaces: other,
      cameraFollows: '1'
    })
    expect((await patch(s, created.path, 0, screen)).status).toBe(204)
    expect(await video(s, other)).toMatchObject({ camera: null, awaitingCamera: true })
    expect(fs.existsSync(path.join(s.dataDir, 'videos', cam2.uploadId))).toBe(false)
    expect((await request(s.url, 'GET', `/media/${other}`, bearer(s.otherToken))).status).toBe(409)
  })

  it('a new version of the recording renders again from its own pictures, without the old camera', async () => {
    const s = await servers.start()
    const videoId = await uploadRecording(s, true)
    // A blur as well, so viewers get a render with or without a camera.
    await save(s, videoId, 0, {
      ...editsWith(BUBBLE),
      annotations: [{ id: 'b1', type: 'blur', startMs: 0, endMs: 6000, x: 0, y: 0, w: 0.1, h: 0.1 }]
    })
    expect((await uploadCamera(s, videoId, redCamera)).finished?.status).toBe(204)
    await s.app.library.renders.idle()
    const before = await s.app.library.renders.viewerMedia(await video(s, videoId))
    if (before.kind !== 'render') throw new Error('no render')
    expect((await meanColour(before.file, 3, INSIDE))[0]).toBeGreaterThan(180)

    // A new version: a grey screen, no camera following.
    const greyFile = path.join(tempDir('camera-grey'), 'grey.mp4')
    await makeScreen(greyFile, { colour: '0x808080', seconds: 6, audio: false })
    const grey = fs.readFileSync(greyFile)
    const created = await createUpload(s, grey.length, { filename: 'grey.mp4', replaces: videoId })
    expect((await patch(s, created.path, 0, grey)).status).toBe(204)
    // The old render (blue screen, red bubble) is not what the new version looks like: gone.
    expect((await s.app.library.renders.viewerMedia(await video(s, videoId))).kind).toBe(
      'processing'
    )
    await s.app.library.renders.idle()
    const after = await s.app.library.renders.viewerMedia(await video(s, videoId))
    if (after.kind !== 'render') throw new Error(`no render: ${JSON.stringify(after)}`)
    expect(after.stale).toBe(false)
    for (const box of [INSIDE, OUTSIDE]) {
      const [r, g, b] = await meanColour(after.file, 3, box)
      expect(Math.max(Math.abs(r - 128), Math.abs(g - 128), Math.abs(b - 128))).toBeLessThan(20)
    }
  })

  it('DELETE /api/videos/:id/camera: only its owner; removes the camera, or says none will come', async () => {
    const s = await servers.start()
    const videoId = await uploadRecording(s, true)
    const view = async (token: string): Promise<{ status: number; json: unknown }> => {
      const res = await request(s.url, 'GET', `/api/videos/${videoId}/camera`, bearer(token))
      return { status: res.status, json: JSON.parse(res.text) }
    }
    expect(await view(s.otherToken)).toEqual({
      status: 200,
      json: { camera: null, awaitingCamera: true }
    })
    // The camera could not be sent: its owner says so, and viewers get the video as it is.
    const refused = await request(
      s.url,
      'DELETE',
      `/api/videos/${videoId}/camera`,
      bearer(s.otherToken)
    )
    expect(refused.status).toBe(403)
    expect((await video(s, videoId)).awaitingCamera).toBe(true)
    const none = await request(s.url, 'DELETE', `/api/videos/${videoId}/camera`, bearer(s.token))
    expect(none.status).toBe(204)
    expect((await video(s, videoId)).awaitingCamera).toBe(false)
    const plain = await request(s.url, 'GET', `/media/${videoId}`, bearer(s.otherToken))
    expect(plain.status).toBe(200)
    expect(plain.body.equals(screen)).toBe(true)

    // A camera, then removed: its bytes go, and the original (no edits) is what viewers get.
    const cam = await uploadCamera(s, videoId, redCamera, s.token, {
      cameraOffsetMs: '-40',
      cameraOffRanges: '[[1000,2000]]'
    })
    expect(cam.finished?.status).toBe(204)
    expect(await view(s.otherToken)).toEqual({
      status: 200,
      json: {
        camera: {
          offsetMs: -40,
          durationMs: 6000,
          offRanges: [[1000, 2000]],
          width: 160,
          height: 120
        },
        awaitingCamera: false
      }
    })
    // The API never tells where the camera is stored.
    const one = await request(s.url, 'GET', `/api/videos/${videoId}`, bearer(s.otherToken))
    expect(one.text).not.toContain(cam.uploadId)
    await s.app.library.renders.idle()
    expect((await s.app.library.renders.viewerMedia(await video(s, videoId))).kind).toBe('render')
    const removed = await request(s.url, 'DELETE', `/api/videos/${videoId}/camera`, bearer(s.token))
    expect(removed.status).toBe(204)
    expect((await video(s, videoId)).camera).toBeNull()
    expect(fs.existsSync(path.join(s.dataDir, 'videos', cam.uploadId))).toBe(false)
    expect(await s.app.library.db.getUpload(cam.uploadId)).toBeNull()
    expect(await s.app.library.renders.viewerMedia(await video(s, videoId))).toEqual({
      kind: 'original'
    })
  })
})

describe('the camera of a video on S3 storage', () => {
  it('is stored as an object, rendered from local copies, and removed with its video', async () => {
    const s3 = await startFakeS3()
    const s = await startServer({ env: s3.env })
    try {
      expect(s.app.library.storage.kind).toBe('s3')
      const videoId = await uploadRecording(s, true)
      await save(s, videoId, 0, editsWith(BUBBLE))
      const sent = await uploadCamera(s, videoId, redCamera)
      expect(sent.finished?.status).toBe(204)
      const stored = await s.app.library.storage.open(sent.uploadId)
      expect(stored.size).toBe(redCamera.length)
      await s.app.library.renders.idle()
      const media = await s.app.library.renders.viewerMedia(await video(s, videoId))
      if (media.kind !== 'render') throw new Error(`no render: ${JSON.stringify(media)}`)
      const [r, g, b] = await meanColour(media.file, 3, INSIDE)
      expect(r).toBeGreaterThan(180)
      expect(g).toBeLessThan(70)
      expect(b).toBeLessThan(70)

      const del = await request(s.url, 'DELETE', `/api/videos/${videoId}`, bearer(s.token))
      expect(del.status).toBe(204)
      await expect(s.app.library.storage.open(sent.uploadId)).rejects.toThrow()
      expect(await s.app.library.storage.completeness(sent.uploadId)).toBe('missing')
    } finally {
      await s.close()
      await s3.close()
    }
  })
})
