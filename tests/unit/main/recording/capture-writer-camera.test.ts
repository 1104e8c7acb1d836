/**
 * The capture writer's camera track: its own capture file beside the screen's, chunks appended
 * in order, its facts kept, finished and recovered with the screen — and its trouble never costs
 * the screen recording. Real files, fake media tools.
 */
import { existsSync } from 'node:fs'
import { open, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { MediaProbe } from '../../../../src/main/ffmpeg/media-tools'
import {
  cameraCaptureFileFor,
  type CaptureFileHandle
} from '../../../../src/main/recording/capture-writer'
import { createTestProjectStore, type TestProjectStore } from '../../../support/project-store'
import { SidecastError } from '../../../../src/shared/errors'
import type { CameraFacts } from '../../../../src/shared/project'
import { bytes } from '../helpers/fakes'
import {
  dataDir,
  factsOnDisk,
  rejection,
  store,
  tools,
  useProjectStore,
  validFacts,
  warnings,
  writeProject
} from '../helpers/project-store-fixture'

useProjectStore()

const SCREEN = 'video/webm;codecs=vp9,opus'
const CAMERA = { mimeType: 'video/webm;codecs=vp8', deviceName: 'FaceTime HD Camera' }

const CAMERA_PROBE: MediaProbe = {
  durationMs: 3500,
  width: 640,
  height: 480,
  videoCodec: 'vp8',
  audioCodec: null,
  formatName: 'matroska,webm'
}

/** The fake tools probe camera files as a 640×480 camera and everything else as the screen. */
function probeCameraAsCamera(): void {
  const screenProbe = tools.probe.bind(tools)
  tools.probe = async (file) => {
    if (/[\\/]camera[^\\/]*$/.test(file)) {
      tools.calls.push(`probe ${file}`)
      return CAMERA_PROBE
    }
    return screenProbe(file)
  }
}

/** Makes the fake tools fail on camera files only. */
function failCameraRemux(): void {
  const remux = tools.remux.bind(tools)
  tools.remux = async (input, output, options) => {
    if (input.includes('camera')) throw new SidecastError('ffmpeg-failed', 'camera remux: boom')
    return remux(input, output, options)
  }
}

async function withCamera(): Promise<string> {
  return (await store.create({ sourceName: 'Entire screen', mimeType: SCREEN, camera: CAMERA })).id
}

async function recordBoth(id: string, screenChunks = 3, cameraChunks = 2): Promise<void> {
  for (let seq = 0; seq < screenChunks; seq++) await store.appendChunk(id, seq, bytes(100, seq))
  for (let seq = 0; seq < cameraChunks; seq++)
    await store.appendCameraChunk(id, seq, bytes(40, 50 + seq))
}

function cameraPath(id: string, file = 'camera-capture.webm'): string {
  return join(store.projectDir(id), file)
}

describe('create with a camera', () => {
  it('opens camera-capture.<ext> beside the screen capture and puts facts.camera on disk', async () => {
    const facts = await store.create({ sourceName: 's', mimeType: SCREEN, camera: CAMERA })
    const camera: CameraFacts = {
      file: 'camera-capture.webm',
      container: 'webm',
      mimeType: CAMERA.mimeType,
      deviceName: CAMERA.deviceName,
      offsetMs: 0,
      bytesWritten: 0
    }
    expect(facts.camera).toEqual(camera)
    expect((await factsOnDisk(facts.id)).camera).toEqual(camera)
    expect((await readdir(store.projectDir(facts.id))).sort()).toEqual([
      'camera-capture.webm',
      'capture.webm',
      'recording.json'
    ])
    expect(await readFile(cameraPath(facts.id))).toHaveLength(0)
  })

  it('makes no camera file and no facts.camera when no camera is asked for', async () => {
    const facts = await store.create({ sourceName: 's', mimeType: SCREEN })
    expect(facts.camera).toBeUndefined()
    expect('camera' in (await factsOnDisk(facts.id))).toBe(false)
    expect(await readdir(store.projectDir(facts.id))).toEqual(['capture.webm', 'recording.json'])
  })

  it.each([
    ['video/webm;codecs=vp8', 'camera-capture.webm', 'webm'],
    ['video/mp4;codecs=avc1', 'camera-capture.mp4', 'mp4'],
    ['video/x-matroska;codecs=avc1', 'camera-capture.mkv', 'mkv']
  ])('cameraCaptureFileFor(%s) → %s', (mimeType, file, container) => {
    expect(cameraCaptureFileFor(mimeType)).toEqual({ file, container })
  })
})

describe('appendCameraChunk', () => {
  it('appends in order to the camera file only, acknowledging a resend, counting bytes in facts', async () => {
    const id = await withCamera()
    await store.appendChunk(id, 0, bytes(10, 9))
    const acks: number[] = []
    for (const seq of [0, 1, 1, 0, 2]) {
      acks.push((await store.appendCameraChunk(id, seq, bytes(5, seq + 1))).bytesWritten)
    }
    expect(acks).toEqual([5, 10, 10, 10, 15])
    expect(await readFile(cameraPath(id))).toEqual(
      Buffer.from([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3])
    )
    expect(await readFile(join(store.projectDir(id), 'capture.webm'))).toEqual(
      Buffer.from(bytes(10, 9))
    )
    const onDisk = await factsOnDisk(id)
    expect(onDisk.camera?.bytesWritten).toBe(15)
    expect(onDisk.bytesWritten).toBe(10)
  })

  it('refuses a gap, writes nothing for it, then takes the expected chunk', async () => {
    const id = await withCamera()
    await store.appendCameraChunk(id, 0, bytes(3, 1))
    const error = await rejection(store.appendCameraChunk(id, 2, bytes(3, 3)))
    expect(error.code).toBe('chunk-gap')
    expect(error.message).toMatch(/Part 2 of the camera recording .* part 1/)
    await store.appendCameraChunk(id, 1, bytes(3, 2))
    expect(await readFile(cameraPath(id))).toEqual(Buffer.from([1, 1, 1, 2, 2, 2]))
    // A gap in the camera is no trouble of the screen's.
    expect((await store.appendChunk(id, 0, bytes(2, 7))).bytesWritten).toBe(2)
  })

  it('numbers the camera chunks apart from the screen chunks, sent together unawaited', async () => {
    const id = await withCamera()
    const sends = Array.from({ length: 10 }, (_, seq) => [
      store.appendChunk(id, seq, bytes(100, seq)),
      store.appendCameraChunk(id, seq, bytes(10, seq))
    ]).flat()
    await Promise.all(sends)
    const screen = await readFile(join(store.projectDir(id), 'capture.webm'))
    const camera = await readFile(cameraPath(id))
    expect(screen).toHaveLength(1000)
    expect(camera).toHaveLength(100)
    expect(Array.from({ length: 10 }, (_, i) => camera[i * 10])).toEqual(
      Array.from({ length: 10 }, (_, i) => i)
    )
  })

  it.each([
    { name: 'a recording without a camera', camera: false, code: 'no-camera' },
    { name: 'an unknown recording', camera: true, code: 'not-recording' }
  ])('refuses a chunk for $name', async ({ camera, code }) => {
    const created = await store.create({
      sourceName: 's',
      mimeType: SCREEN,
      ...(camera ? { camera: CAMERA } : {})
    })
    const id = code === 'not-recording' ? '20990101-000000-beef' : created.id
    expect((await rejection(store.appendCameraChunk(id, 0, bytes(1, 1)))).code).toBe(code)
    expect(await store.readFacts(created.id)).not.toHaveProperty('camera.endedBecause')
  })

  it.each([
    {
      code: 'EIO',
      reason: /^Saving the camera failed \(.*EIO.*\); the screen recording goes on\.$/
    },
    { code: 'ENOSPC', reason: /^The disk became full, so the camera recording stopped\.$/ }
  ])(
    'a failed camera write ($code) ends the camera, says so in the facts, and the screen goes on',
    async ({ code, reason }) => {
      const faulty = faultyStore()
      const { id } = await faulty.store.create({
        sourceName: 's',
        mimeType: SCREEN,
        camera: CAMERA
      })
      await faulty.store.appendCameraChunk(id, 0, bytes(4, 1))
      faulty.failCameraWrites(code)
      const failure = await faulty.store
        .appendCameraChunk(id, 1, bytes(4, 2))
        .catch((e: unknown) => e)
      expect((failure as NodeJS.ErrnoException).code).toBe(code)
      const camera = (await factsOnDisk(id)).camera
      expect(camera?.endedBecause).toMatch(reason)
      // The bytes that made it before the failure are counted; later chunks are refused clearly.
      expect(camera?.bytesWritten).toBe(6)
      const later = await rejection(faulty.store.appendCameraChunk(id, 2, bytes(4, 3)))
      expect(later.code).toBe('camera-ended')
      expect(later.message).toMatch(/Further parts of the camera are not saved/)
      // camera-info cannot overwrite the failure's reason.
      await faulty.store.updateCamera(id, { endedBecause: 'The camera was unplugged.' })
      expect((await factsOnDisk(id)).camera?.endedBecause).toMatch(reason)
      // The screen keeps recording and finishes as ever.
      for (let seq = 0; seq < 3; seq++) await faulty.store.appendChunk(id, seq, bytes(100, seq))
      probeCameraAsCamera()
      const facts = await faulty.store.finish(id, { status: 'complete' })
      expect(facts).toMatchObject({ status: 'complete', file: 'recording.webm', bytesWritten: 300 })
      // What the camera got before it failed is still finished.
      expect(facts.camera).toMatchObject({ file: 'camera.webm', durationMs: 3500, bytesWritten: 6 })
      expect(facts.camera?.endedBecause).toMatch(reason)
    }
  )
})

/**
 * A second store on the same data dir whose camera files can be made to fail: the next write
 * puts 2 bytes on disk, then fails with `code` (as a disk that fills up mid-write does).
 */
function faultyStore(syncIntervalMs?: number): {
  store: TestProjectStore
  failCameraWrites: (code: string) => void
  cameraSyncs: () => number
} {
  let syncs = 0
  let failWith: string | null = null
  let throwNext: string | null = null
  const faulty = createTestProjectStore({
    dataDir,
    mediaTools: () => tools,
    mediaUrl: (id, file) => `media://${id}/${file}`,
    factsIntervalMs: 0,
    ...(syncIntervalMs !== undefined ? { syncIntervalMs } : {}),
    warn: (message) => warnings.push(message),
    async openForAppend(path) {
      const handle = await open(path, 'a')
      if (!path.includes('camera')) return handle
      return {
        close: () => handle.close(),
        datasync: () => {
          syncs++
          return handle.datasync()
        },
        write: (async (data: Uint8Array, offset = 0, length = data.byteLength - offset) => {
          if (throwNext) {
            const code = throwNext
            throwNext = null
            throw Object.assign(new Error(`${code}: write failed`), { code })
          }
          if (failWith) {
            // A short write first, as the OS gives when the disk fills; the rest then fails.
            throwNext = failWith
            failWith = null
            return handle.write(data, offset, Math.min(2, length))
          }
          return handle.write(data, offset, length)
        }) as CaptureFileHandle['write']
      }
    }
  })
  stores.push(faulty)
  return {
    store: faulty,
    failCameraWrites: (code) => (failWith = code),
    cameraSyncs: () => syncs
  }
}

const stores: TestProjectStore[] = []
afterEach(async () => {
  for (const extra of stores.splice(0)) await extra.close()
})

describe('flushing the camera file', () => {
  it.each([
    { name: 'every chunk with no interval', interval: 0, syncs: 3 },
    { name: 'not before the interval has passed', interval: 3_600_000, syncs: 0 }
  ])('syncs $name, a resend not counted', async ({ interval, syncs }) => {
    const counted = faultyStore(interval)
    const { id } = await counted.store.create({ sourceName: 's', mimeType: SCREEN, camera: CAMERA })
    for (const seq of [0, 1, 1, 2]) await counted.store.appendCameraChunk(id, seq, bytes(3, seq))
    expect(counted.cameraSyncs()).toBe(syncs)
  })
})

describe('updateCamera', () => {
  it('keeps offset, off stretches and the camera’s own end in facts.camera at once', async () => {
    const id = await withCamera()
    await store.updateCamera(id, { offsetMs: -120 })
    expect((await factsOnDisk(id)).camera).toMatchObject({ offsetMs: -120 })
    await store.updateCamera(id, {
      offRanges: [
        [1000, 2000],
        [3000, 3500]
      ]
    })
    await store.updateCamera(id, { endedBecause: 'The camera was unplugged.' })
    expect((await factsOnDisk(id)).camera).toMatchObject({
      offsetMs: -120,
      offRanges: [
        [1000, 2000],
        [3000, 3500]
      ],
      endedBecause: 'The camera was unplugged.'
    })
    // A later list replaces the earlier one.
    await store.updateCamera(id, { offRanges: [[500, 600]] })
    expect((await factsOnDisk(id)).camera?.offRanges).toEqual([[500, 600]])
    // The facts stay loadable by the shared checker (recording.json is read back through it).
    expect((await store.readFacts(id)).camera?.offsetMs).toBe(-120)
  })

  it('refuses a recording without a camera, and one not being recorded', async () => {
    const plain = await store.create({ sourceName: 's', mimeType: SCREEN })
    expect((await rejection(store.updateCamera(plain.id, { offsetMs: 5 }))).code).toBe('no-camera')
    expect((await rejection(store.updateCamera('20990101-000000-beef', {}))).code).toBe(
      'not-recording'
    )
  })
})

describe('finish with a camera', () => {
  it('remuxes the camera to camera.<container>, probes it into facts.camera, removes both captures', async () => {
    const id = await withCamera()
    await recordBoth(id)
    await store.updateCamera(id, { offsetMs: 40, offRanges: [[100, 200]] })
    probeCameraAsCamera()
    const facts = await store.finish(id, { status: 'complete' })
    expect(facts).toMatchObject({ status: 'complete', file: 'recording.webm', durationMs: 4000 })
    expect(facts.camera).toEqual({
      file: 'camera.webm',
      container: 'webm',
      mimeType: CAMERA.mimeType,
      deviceName: CAMERA.deviceName,
      offsetMs: 40,
      offRanges: [[100, 200]],
      videoCodec: 'vp8',
      width: 640,
      height: 480,
      durationMs: 3500,
      bytesWritten: 80
    })
    expect(await factsOnDisk(id)).toEqual(facts)
    expect((await readdir(store.projectDir(id))).sort()).toEqual([
      'camera.webm',
      'recording.json',
      'recording.webm',
      'thumbnail.jpg'
    ])
    expect(tools.calls).toContain(`remux ${cameraPath(id)} ${cameraPath(id, 'camera.webm')}`)
    expect((await store.get(id)).camera).toEqual({
      url: `media://${id}/camera.webm`,
      offsetMs: 40,
      durationMs: 3500,
      width: 640,
      height: 480,
      offRanges: [[100, 200]],
      endedBecause: null
    })
  })

  it('an off stretch still open when recording ended (a crash while off) ends with the recording', async () => {
    const id = await withCamera()
    await recordBoth(id)
    await store.updateCamera(id, {
      offRanges: [
        [100, 200],
        [3000, Number.MAX_SAFE_INTEGER]
      ]
    })
    probeCameraAsCamera()
    // The screen probes at 4000 ms: the open stretch is ended there.
    const facts = await store.finish(id, { status: 'recovered' })
    expect(facts.camera?.offRanges).toEqual([
      [100, 200],
      [3000, 4000]
    ])
    expect((await factsOnDisk(id)).camera?.offRanges).toEqual([
      [100, 200],
      [3000, 4000]
    ])
  })

  it('an H.264 camera becomes camera.mp4', async () => {
    const id = await withCamera()
    await recordBoth(id)
    probeCameraAsCamera()
    const probe = tools.probe
    tools.probe = async (file) =>
      file.includes('camera') ? { ...(await probe(file)), videoCodec: 'h264' } : probe(file)
    const facts = await store.finish(id, { status: 'complete' })
    expect(facts.camera).toMatchObject({ file: 'camera.mp4', container: 'mp4', videoCodec: 'h264' })
    expect(existsSync(cameraPath(id, 'camera.mp4'))).toBe(true)
  })

  it('drops an empty camera file and facts.camera (the camera never delivered)', async () => {
    const id = await withCamera()
    await recordBoth(id, 3, 0)
    const facts = await store.finish(id, { status: 'complete' })
    expect(facts.status).toBe('complete')
    expect(facts.camera).toBeUndefined()
    expect('camera' in (await factsOnDisk(id))).toBe(false)
    expect(existsSync(cameraPath(id))).toBe(false)
    expect((await store.get(id)).camera).toBeNull()
    expect(tools.calls.some((call) => call.includes('camera'))).toBe(false)
  })

  it('a camera that cannot be finished keeps its raw file and says so; the screen finishes normally', async () => {
    const id = await withCamera()
    await recordBoth(id)
    await store.updateCamera(id, { endedBecause: 'The camera was unplugged.' })
    failCameraRemux()
    const facts = await store.finish(id, { status: 'complete' })
    expect(facts).toMatchObject({
      status: 'complete',
      file: 'recording.webm',
      durationMs: 4000,
      width: 1920
    })
    expect(facts.camera).toMatchObject({ file: 'camera-capture.webm', bytesWritten: 80 })
    expect(facts.camera?.durationMs).toBeUndefined()
    expect(facts.camera?.endedBecause).toBe(
      'The camera was unplugged. Sidecast could not finish the camera file (camera remux: boom); the raw camera recording is kept as camera-capture.webm.'
    )
    expect(await readFile(cameraPath(id))).toHaveLength(80)
    expect(existsSync(join(store.projectDir(id), 'capture.webm'))).toBe(false)
    expect((await store.get(id)).camera).toBeNull()
    expect(warnings.join()).toMatch(/camera file/)
  })

  it('when the screen fails to finish, a finished camera is kept with the raw screen', async () => {
    const id = await withCamera()
    await recordBoth(id)
    probeCameraAsCamera()
    const remux = tools.remux
    tools.remux = async (input, output) => {
      if (!input.includes('camera')) throw new SidecastError('ffmpeg-failed', 'screen: boom')
      return remux(input, output)
    }
    expect((await rejection(store.finish(id, { status: 'complete' }))).code).toBe('finish-failed')
    const facts = await factsOnDisk(id)
    expect(facts).toMatchObject({ status: 'recovered', file: 'capture.webm' })
    expect(facts.camera).toMatchObject({ file: 'camera.webm', durationMs: 3500 })
    expect((await readdir(store.projectDir(id))).sort()).toEqual([
      'camera.webm',
      'capture.webm',
      'recording.json'
    ])
  })

  it('nothing of the screen recorded: the whole project goes, camera and all', async () => {
    const id = await withCamera()
    await recordBoth(id, 0, 2)
    expect((await rejection(store.finish(id, { status: 'complete' }))).code).toBe('empty-recording')
    expect(existsSync(store.projectDir(id))).toBe(false)
  })

  it('discard removes both files with the folder', async () => {
    const id = await withCamera()
    await recordBoth(id)
    await store.discard(id)
    expect(existsSync(store.projectDir(id))).toBe(false)
    expect((await rejection(store.appendCameraChunk(id, 2, bytes(1, 1)))).code).toBe(
      'not-recording'
    )
  })
})

describe('close and recovery with a camera', () => {
  it('close leaves both captures and their counts for recovery, which finishes both', async () => {
    const id = await withCamera()
    await recordBoth(id)
    await store.updateCamera(id, { offsetMs: 25 })
    await store.close()
    const left = await factsOnDisk(id)
    expect(left).toMatchObject({ status: 'recording', bytesWritten: 300 })
    expect(left.camera).toMatchObject({ file: 'camera-capture.webm', bytesWritten: 80 })
    expect((await rejection(store.appendCameraChunk(id, 2, bytes(1, 1)))).code).toBe(
      'not-recording'
    )

    probeCameraAsCamera()
    const notices = await store.recoverUnfinished([])
    expect(notices).toEqual([{ projectId: id, title: left.title, durationMs: 4000, problem: null }])
    const facts = await factsOnDisk(id)
    expect(facts).toMatchObject({ status: 'recovered', file: 'recording.webm' })
    expect(facts.camera).toMatchObject({
      file: 'camera.webm',
      offsetMs: 25,
      durationMs: 3500,
      bytesWritten: 80
    })
    expect((await readdir(store.projectDir(id))).sort()).toEqual([
      'camera.webm',
      'recording.json',
      'recording.webm',
      'thumbnail.jpg'
    ])
  })

  it('recovers a crash-left project with a camera whose facts lag behind its file', async () => {
    const id = '20261128-090000-cafe'
    const camera: CameraFacts = {
      file: 'camera-capture.webm',
      container: 'webm',
      mimeType: CAMERA.mimeType,
      deviceName: CAMERA.deviceName,
      offsetMs: -30,
      bytesWritten: 10
    }
    await writeProject(
      id,
      validFacts(id, { status: 'recording', file: 'capture.webm', camera }),
      bytes(500, 7)
    )
    await writeFile(join(store.projectDir(id), 'camera-capture.webm'), bytes(123, 4))
    probeCameraAsCamera()
    const [notice] = await store.recoverUnfinished([])
    expect(notice).toMatchObject({ projectId: id, problem: null })
    const facts = await factsOnDisk(id)
    expect(facts.status).toBe('recovered')
    expect(facts.camera).toMatchObject({ file: 'camera.webm', offsetMs: -30, bytesWritten: 123 })
    expect(existsSync(join(store.projectDir(id), 'camera-capture.webm'))).toBe(false)
  })

  it('recovery with the camera file gone keeps the screen and drops the camera', async () => {
    const id = await withCamera()
    await recordBoth(id)
    await store.close()
    await rm(cameraPath(id))
    const [notice] = await store.recoverUnfinished([])
    expect(notice?.problem).toBeNull()
    const facts = await factsOnDisk(id)
    expect(facts).toMatchObject({ status: 'recovered', file: 'recording.webm' })
    expect(facts.camera).toBeUndefined()
  })
})
