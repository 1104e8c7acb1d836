/**
 * A recording with a camera, uploaded by main's upload queue over the real tus layer to the real
 * library server (in-process, 127.0.0.1): the library names the camera feature, the recording
 * goes as it is, its camera follows as a second upload linked to the video (with its facts), and
 * the viewers' render has the camera's colour inside the default bubble's box. (That viewers get
 * nothing in between is tests/server/camera.test.ts's.) A camera that cannot be sent is dropped on the library (DELETE
 * /api/videos/:id/camera), so viewers get the video without a bubble instead of waiting for ever.
 */
import { readFileSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { bubbleBox, defaultBubble } from '../../src/shared/bubble'
import { loadFacts, type RecordingFacts } from '../../src/shared/project'
import { createEditsFeatureCheck } from '../../src/main/share/edits-api'
import { createNodeTusLayer } from '../../src/main/share/tus-layer'
import { createUploadQueue, type UploadQueue } from '../../src/main/share/upload-queue'
import { DiskUrlStorage } from '../../src/main/share/url-storage'
import type { UploadInfo } from '../../src/shared/ipc'
import { request, startServer, tempDir, type TestServer } from '../server/support'
import { makeCamera, makeScreen, meanColour } from '../support/camera-media'

const ID = '20261203-070000-cam1'

let screenFile: string
let cameraFile: string
const cleanups: (() => Promise<void> | void)[] = []

beforeAll(async () => {
  const dir = tempDir('upload-camera-src')
  screenFile = join(dir, 'screen.mp4')
  cameraFile = join(dir, 'camera.webm')
  await makeScreen(screenFile, { colour: '0x0000ff', seconds: 3, faststart: true })
  await makeCamera(cameraFile, '0xff0000', 3)
}, 120_000)

afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

/** A finished project: the screen recording and its camera (unless `withCameraFile` is false). */
async function project(projectsDir: string, withCameraFile = true): Promise<RecordingFacts> {
  const dir = join(projectsDir, ID)
  await mkdir(dir, { recursive: true })
  const facts: RecordingFacts = {
    version: 1,
    id: ID,
    status: 'complete',
    title: 'Camera walkthrough',
    createdAt: '2026-12-03T07:00:00.000Z',
    sourceName: 'Entire screen',
    file: 'recording.mp4',
    container: 'mp4',
    mimeType: 'video/mp4',
    videoCodec: 'h264',
    audioCodec: 'aac',
    width: 320,
    height: 240,
    durationMs: 3000,
    camera: {
      file: 'camera.webm',
      container: 'webm',
      mimeType: 'video/webm;codecs=vp8',
      deviceName: 'Generated',
      offsetMs: 0,
      durationMs: 3000,
      width: 160,
      height: 120
    }
  }
  await writeFile(join(dir, 'recording.json'), JSON.stringify(facts, null, 2))
  await writeFile(join(dir, 'recording.mp4'), readFileSync(screenFile))
  if (withCameraFile) {
    await writeFile(join(dir, 'camera.webm'), readFileSync(cameraFile))
  }
  return facts
}

interface Harness {
  server: TestServer
  queue: UploadQueue
  projectsDir: string
}

async function harness(): Promise<Harness> {
  const server = await startServer()
  cleanups.push(() => server.close())
  const dataDir = tempDir('upload-camera-app')
  const projectsDir = join(dataDir, 'projects')
  const credentials = async (): Promise<{ url: string; token: string }> => ({
    url: server.url,
    token: server.token
  })
  const features = createEditsFeatureCheck({ credentials })
  const readFacts = async (id: string): Promise<RecordingFacts> =>
    loadFacts(await readFile(join(projectsDir, id, 'recording.json'), 'utf8'))
  const queue = createUploadQueue({
    dataDir,
    tus: createNodeTusLayer({ storage: new DiskUrlStorage(join(dataDir, 'tus-urls.json')) }),
    projects: {
      readFacts,
      projectDir: (id) => join(projectsDir, id),
      isRecording: () => false
    },
    exporter: {
      export: async () => {
        throw new Error('a library that takes cameras gets the recording as it is')
      }
    },
    credentials,
    defaultPreset: () => ({ size: '720p', quality: 'small' }),
    storeLink: async () => undefined,
    announce: async () => undefined,
    emit: () => undefined,
    takesEdits: () => features.takesEdits(),
    takesCamera: () => features.takesCamera(),
    retryDelaysMs: [100, 200],
    warn: () => undefined
  })
  cleanups.push(() => queue.shutdown())
  await queue.start()
  return { server, queue, projectsDir }
}

function byTitle(queue: UploadQueue, suffix: string): UploadInfo | undefined {
  return queue.list().find((u) => u.title.endsWith(suffix))
}

describe('a recording with a camera, to the real library', () => {
  it('goes with its camera; viewers wait for the render, then see the camera in the default bubble', async () => {
    const { server, queue, projectsDir } = await harness()
    await project(projectsDir)
    const added = await queue.add(ID, {})
    await vi.waitFor(() => expect(queue.get(added.id).state).toBe('done'), {
      timeout: 60_000,
      interval: 100
    })
    const videoId = queue.get(added.id).url?.split('/').pop() ?? ''
    expect(videoId).not.toBe('')
    await vi.waitFor(() => expect(byTitle(queue, '(camera)')?.state).toBe('done'), {
      timeout: 60_000,
      interval: 100
    })
    const video = await server.app.library.db.getVideo(videoId)
    expect(video?.camera?.facts).toMatchObject({ offsetMs: 0, durationMs: 3000, width: 160 })
    expect(video?.awaitingCamera).toBe(false)

    await server.app.library.renders.idle()
    const media = await server.app.library.renders.viewerMedia(
      (await server.app.library.db.getVideo(videoId))!
    )
    if (media.kind !== 'render') throw new Error(`no render: ${JSON.stringify(media)}`)
    const served = await request(server.url, 'GET', `/media/${videoId}`, {
      Authorization: `Bearer ${server.otherToken}`
    })
    expect(served.status).toBe(200)
    // No edits were sent: the default bubble, bottom left; red inside, blue beside it.
    const frame = { width: 320, height: 240 }
    const box = bubbleBox(defaultBubble(frame), frame)
    const centre = { x: box.x + box.size / 2 - 8, y: box.y + box.size / 2 - 8, w: 16, h: 16 }
    const [r, g, b] = await meanColour(media.file, 1.5, centre)
    expect(r).toBeGreaterThan(180)
    expect(g).toBeLessThan(70)
    expect(b).toBeLessThan(70)
    const [ro, , bo] = await meanColour(media.file, 1.5, { x: 200, y: 40, w: 40, h: 40 })
    expect(bo).toBeGreaterThan(180)
    expect(ro).toBeLessThan(70)
  })

  it('a camera that cannot be sent is dropped on the library: viewers get the recording', async () => {
    const { server, queue, projectsDir } = await harness()
    await project(projectsDir)
    const added = await queue.add(ID, {})
    // The camera file goes before its turn (it follows the recording): removed by hand, say.
    await rm(join(projectsDir, ID, 'camera.webm'))
    await vi.waitFor(() => expect(queue.get(added.id).state).toBe('done'), {
      timeout: 60_000,
      interval: 100
    })
    const videoId = queue.get(added.id).url?.split('/').pop() ?? ''
    await vi.waitFor(() => expect(byTitle(queue, '(camera)')?.state).toBe('failed'), {
      timeout: 60_000,
      interval: 100
    })
    expect(byTitle(queue, '(camera)')?.error).toMatch(/camera recording is missing/)
    // The queue told the library (DELETE …/camera): viewers stop waiting and get the recording.
    await vi.waitFor(
      async () =>
        expect((await server.app.library.db.getVideo(videoId))?.awaitingCamera).toBe(false),
      { timeout: 20_000, interval: 100 }
    )
    const served = await request(server.url, 'GET', `/media/${videoId}`, {
      Authorization: `Bearer ${server.otherToken}`
    })
    expect(served.status).toBe(200)
    expect(served.body.equals(readFileSync(screenFile))).toBe(true)
  })
})
