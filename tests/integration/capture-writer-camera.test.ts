/**
 * The camera track against real ffmpeg: a MediaRecorder-like WebM screen and a WebM camera arrive
 * in chunks side by side, and both are finished into seekable files of the right length — after a
 * Stop, and after a hard quit (the writer closed, a new writer recovering both).
 */
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMediaTools, type MediaTools } from '../../src/main/ffmpeg/media-tools'
import type { RecordingFacts } from '../../src/shared/project'
import { ffmpegToFile } from '../support/media'
import { createTestProjectStore, type TestProjectStore } from '../support/project-store'
import {
  decodesCleanly,
  feedChunks,
  makeSource,
  probeVideo,
  testFfmpeg,
  timeBeforeCut,
  type TestFfmpeg
} from './helpers/media-fixtures'

const SCREEN_SECONDS = 3
const CAMERA_SECONDS = 2
let root: string
let ffmpeg: TestFfmpeg
let tools: MediaTools
let screenSource: string
const cameraSources = {} as Record<'vp8' | 'h264', string>

/** A live-style camera stream: video only (the microphone goes with the screen), 160×120. */
async function makeCamera(kind: 'vp8' | 'h264', file: string, seconds: number): Promise<void> {
  const video =
    kind === 'vp8'
      ? ['-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '300k', '-f', 'webm']
      : ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '30']
  // ffmpeg's WebM muxer refuses H.264 (Chromium's does not), so Matroska stands in for it.
  const muxer = kind === 'vp8' ? [] : ['-f', 'matroska']
  // prettier-ignore
  await ffmpegToFile(ffmpeg.ffmpegPath, [
    '-hide_banner', '-loglevel', 'error',
    '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=30',
    '-t', String(seconds), '-an',
    ...video, ...muxer, 'pipe:1'
  ], file)
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sidecast-int-camera-'))
  ffmpeg = testFfmpeg()
  tools = createMediaTools(ffmpeg)
  screenSource = join(root, 'screen.webm')
  await makeSource(ffmpeg, 'vp8', screenSource, SCREEN_SECONDS)
  for (const kind of ['vp8', 'h264'] as const) {
    cameraSources[kind] = join(root, `camera-${kind}.webm`)
    await makeCamera(kind, cameraSources[kind], CAMERA_SECONDS)
  }
})

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

let storeCount = 0
function newStore(dataDir = join(root, `data-${storeCount++}`)): {
  store: TestProjectStore
  dataDir: string
} {
  return {
    dataDir,
    store: createTestProjectStore({
      dataDir,
      mediaTools: () => tools,
      mediaUrl: (id, file) => `media://${id}/${file}`,
      warn: () => undefined
    })
  }
}

const SCREEN_MIME = 'video/webm;codecs=vp8,opus'

/** Feeds the screen and the camera, 16 KB at a time, as the two recorders would. */
async function feedBoth(
  store: TestProjectStore,
  id: string,
  camera: string,
  cameraLimitBytes?: number
): Promise<void> {
  const screenChunks = await feedChunks(store, id, screenSource, { chunkBytes: 16 * 1024 })
  const cameraChunks = await feedChunks(
    { appendChunk: (projectId, seq, bytes) => store.appendCameraChunk(projectId, seq, bytes) },
    id,
    camera,
    {
      chunkBytes: 16 * 1024,
      ...(cameraLimitBytes !== undefined ? { limitBytes: cameraLimitBytes } : {})
    }
  )
  expect(screenChunks).toBeGreaterThan(1)
  expect(cameraChunks).toBeGreaterThan(1)
}

function near(actualMs: number | undefined, expectedMs: number): void {
  expect(Math.abs((actualMs ?? -1_000_000) - expectedMs)).toBeLessThanOrEqual(500)
}

async function expectBothFinished(
  store: TestProjectStore,
  facts: RecordingFacts,
  camera: { file: string; codec: string; durationMs: number }
): Promise<void> {
  const dir = store.projectDir(facts.id)
  expect(facts).toMatchObject({ file: 'recording.webm', width: 320, height: 240 })
  near(facts.durationMs, SCREEN_SECONDS * 1000)
  expect(facts.camera).toMatchObject({
    file: camera.file,
    videoCodec: camera.codec,
    width: 160,
    height: 120
  })
  near(facts.camera?.durationMs, camera.durationMs)
  // The final files themselves now know their length and decode without errors.
  for (const [file, durationMs, width] of [
    ['recording.webm', SCREEN_SECONDS * 1000, 320],
    [camera.file, camera.durationMs, 160]
  ] as const) {
    const probed = await probeVideo(ffmpeg, join(dir, file))
    expect(probed.width).toBe(width)
    near(probed.durationMs, durationMs)
    await decodesCleanly(ffmpeg, join(dir, file))
  }
  expect(existsSync(join(dir, 'capture.webm'))).toBe(false)
  expect(existsSync(join(dir, 'camera-capture.webm'))).toBe(false)
  expect(JSON.parse(await readFile(join(dir, 'recording.json'), 'utf8'))).toEqual(facts)
  expect((await store.get(facts.id)).camera).toMatchObject({
    url: `media://${facts.id}/${camera.file}`,
    width: 160,
    height: 120,
    durationMs: facts.camera?.durationMs
  })
}

describe('a recording with a camera', () => {
  it.each([
    { kind: 'vp8', mimeType: 'video/webm;codecs=vp8', file: 'camera.webm' },
    // Chromium's H.264 WebM cannot stay WebM after a remux: it must become MP4.
    { kind: 'h264', mimeType: 'video/webm;codecs=h264', file: 'camera.mp4' }
  ] as const)('a $kind camera is finished to $file beside the screen', async (c) => {
    const { store } = newStore()
    const created = await store.create({
      sourceName: 'Entire screen',
      mimeType: SCREEN_MIME,
      camera: { mimeType: c.mimeType, deviceName: 'Fake camera' }
    })
    expect(created.camera?.file).toBe('camera-capture.webm')
    await feedBoth(store, created.id, cameraSources[c.kind])
    await store.updateCamera(created.id, { offsetMs: 120 })
    const facts = await store.finish(created.id, { status: 'complete' })
    expect(facts.status).toBe('complete')
    expect(facts.camera?.offsetMs).toBe(120)
    expect(facts.camera?.bytesWritten).toBe((await stat(cameraSources[c.kind])).size)
    await expectBothFinished(store, facts, {
      file: c.file,
      codec: c.kind,
      durationMs: CAMERA_SECONDS * 1000
    })
  })

  it('a camera file ffmpeg cannot read is kept raw and the screen is finished', async () => {
    const { store } = newStore()
    const created = await store.create({
      sourceName: 's',
      mimeType: SCREEN_MIME,
      camera: { mimeType: 'video/webm;codecs=vp8', deviceName: 'Broken camera' }
    })
    await feedChunks(store, created.id, screenSource)
    const garbage = new Uint8Array(50_000).map((_, i) => (i * 7919) % 251)
    await store.appendCameraChunk(created.id, 0, garbage)
    const facts = await store.finish(created.id, { status: 'complete' })
    expect(facts).toMatchObject({ status: 'complete', file: 'recording.webm' })
    near(facts.durationMs, SCREEN_SECONDS * 1000)
    expect(facts.camera).toMatchObject({ file: 'camera-capture.webm', bytesWritten: 50_000 })
    expect(facts.camera?.endedBecause).toMatch(
      /could not finish the camera file .* kept as camera-capture\.webm/
    )
    const raw = await readFile(join(store.projectDir(created.id), 'camera-capture.webm'))
    expect(raw.equals(Buffer.from(garbage))).toBe(true)
    expect((await store.get(created.id)).camera).toBeNull()
  })
})

describe('after a hard quit', () => {
  it('a new writer recovers both tracks that the closed writer left', async () => {
    const first = newStore()
    const created = await first.store.create({
      sourceName: 'Entire screen',
      mimeType: SCREEN_MIME,
      camera: { mimeType: 'video/webm;codecs=vp8', deviceName: 'Fake camera' }
    })
    await feedBoth(first.store, created.id, cameraSources.vp8)
    await first.store.updateCamera(created.id, { offsetMs: -60, offRanges: [[500, 800]] })
    // What a hard quit leaves: both files as written, the facts still saying "recording".
    await first.store.close()
    expect(
      (await readdir(first.store.projectDir(created.id))).sort((a, b) => a.localeCompare(b))
    ).toEqual(['camera-capture.webm', 'capture.webm', 'recording.json'])

    const second = newStore(first.dataDir)
    const notices = await second.store.recoverUnfinished([])
    expect(notices).toEqual([expect.objectContaining({ projectId: created.id, problem: null })])
    const facts = await second.store.readFacts(created.id)
    expect(facts.status).toBe('recovered')
    expect(facts.camera).toMatchObject({ offsetMs: -60, offRanges: [[500, 800]] })
    await expectBothFinished(second.store, facts, {
      file: 'camera.webm',
      codec: 'vp8',
      durationMs: CAMERA_SECONDS * 1000
    })
    expect(await second.store.recoverUnfinished([])).toEqual([])
  })

  it('a camera cut mid-cluster by the quit recovers as long as the cut', async () => {
    const first = newStore()
    const created = await first.store.create({
      sourceName: 's',
      mimeType: SCREEN_MIME,
      camera: { mimeType: 'video/webm;codecs=vp8', deviceName: 'Fake camera' }
    })
    const cut = Math.floor((await stat(cameraSources.vp8)).size * 0.6)
    await feedBoth(first.store, created.id, cameraSources.vp8, cut)
    const expectedMs = await timeBeforeCut(ffmpeg, cameraSources.vp8, cut)
    expect(expectedMs).toBeGreaterThan(300)
    await first.store.close()

    const second = newStore(first.dataDir)
    const [notice] = await second.store.recoverUnfinished([])
    expect(notice?.problem).toBeNull()
    const facts = await second.store.readFacts(created.id)
    await expectBothFinished(second.store, facts, {
      file: 'camera.webm',
      codec: 'vp8',
      durationMs: expectedMs
    })
  })
})
