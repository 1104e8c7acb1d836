import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { access } from 'node:fs/promises'
import {
  createRecorderService,
  type RecorderService
} from '../../../../src/main/recording/recorder-service'
import { type RecorderState } from '../../../../src/shared/ipc'
import { SidecastError } from '../../../../src/shared/errors'
import { DEFAULT_SETTINGS, type Settings } from '../../../../src/shared/settings'
import { createTestProjectStore, type TestProjectStore } from '../../../support/project-store'
import { bytes, fakeMediaTools, tempDir, type FakeMediaTools } from '../helpers/fakes'

const MB = 1024 * 1024
const REQUEST = { mimeType: 'video/webm;codecs=vp8,opus', sourceName: 'Entire screen' }

let cleanup: () => Promise<void>
let tools: FakeMediaTools
let projects: TestProjectStore
let recorder: RecorderService
let free: number
let freeCalls: number
let settings: Settings
let sleep: { acquired: number; released: number }
let states: RecorderState[]
let failAppendWith: string | null
let failCameraAppendWith: string | null
/** What the take hooks were told, in order: `finished <id>`, `discarded <id>`. */
let told: string[]

beforeEach(async () => {
  const temp = await tempDir('sidecast-recorder-')
  cleanup = temp.cleanup
  tools = fakeMediaTools()
  const store = createTestProjectStore({
    dataDir: temp.dir,
    mediaTools: () => tools,
    mediaUrl: (id, file) => `media://${id}/${file}`,
    warn: () => undefined
  })
  failAppendWith = null
  failCameraAppendWith = null
  // The real store, with switches to make the disk "fill up" (or fail) under either file.
  projects = {
    ...store,
    appendChunk: async (id, seq, data) => {
      if (failAppendWith)
        throw Object.assign(new Error('no space left on device'), { code: failAppendWith })
      return store.appendChunk(id, seq, data)
    },
    appendCameraChunk: async (id, seq, data) => {
      if (failCameraAppendWith) {
        const code = failCameraAppendWith
        throw Object.assign(new Error(`${code}: the camera write failed`), { code })
      }
      return store.appendCameraChunk(id, seq, data)
    }
  }
  free = 10_000 * MB
  freeCalls = 0
  settings = { ...DEFAULT_SETTINGS }
  sleep = { acquired: 0, released: 0 }
  states = []
  told = []
  recorder = createRecorderService({
    takes: {
      started: () => undefined,
      discarded: (id) => told.push(`discarded ${id}`),
      finished: (id) => told.push(`finished ${id}`)
    },
    capture: projects,
    projects,
    settings: () => settings,
    preventSleep: () => {
      sleep.acquired++
      return () => sleep.released++
    },
    freeBytes: async () => {
      freeCalls++
      return free
    },
    warn: () => undefined
  })
  recorder.onState((state) => states.push(state))
})

afterEach(async () => {
  await projects.close()
  await cleanup()
})

async function rejection(promise: Promise<unknown>): Promise<SidecastError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(SidecastError)
  return error as SidecastError
}

describe('start', () => {
  it('creates the project, keeps the machine awake and reports "recording"', async () => {
    const started = await recorder.start(REQUEST)
    expect(started.title).toMatch(/^Recording /)
    expect(recorder.state()).toEqual({ phase: 'recording', projectId: started.projectId })
    expect(states).toEqual([{ phase: 'recording', projectId: started.projectId }])
    expect(sleep).toEqual({ acquired: 1, released: 0 })
    expect((await projects.get(started.projectId)).status).toBe('recording')
    expect(recorder.activeIds()).toEqual([started.projectId])
  })

  it('refuses a second recording, also when both starts race', async () => {
    await recorder.start(REQUEST)
    expect((await rejection(recorder.start(REQUEST))).code).toBe('already-recording')

    await recorder.stop(recorder.state().projectId ?? '', {}).catch(() => undefined)
    const results = await Promise.allSettled([recorder.start(REQUEST), recorder.start(REQUEST)])
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
    expect((await projects.list()).filter((p) => p.status === 'recording')).toHaveLength(1)
  })

  it('refuses to start below the free-space minimum, touching nothing', async () => {
    free = 312 * MB
    settings = { ...settings, minFreeDiskMb: 1024 }
    const error = await rejection(recorder.start(REQUEST))
    expect(error.code).toBe('disk-full')
    expect(error.message).toMatch(
      /^Only 312 MB free on .*projects\. Sidecast needs at least 1024 MB/
    )
    expect(await projects.list()).toEqual([])
    expect(sleep.acquired).toBe(0)
    expect(recorder.state().phase).toBe('idle')
    expect(states).toEqual([])
  })
})

describe('while recording', () => {
  it('appends chunks and checks free space on the first chunk and then every 20', async () => {
    const { projectId } = await recorder.start(REQUEST)
    const callsAfterStart = freeCalls
    const first = await recorder.chunk(projectId, 0, bytes(100, 1))
    expect(first).toEqual({ bytesWritten: 100, diskLow: false })
    free = 150 * MB // below the 200 MB floor, but not checked again until chunk 21
    const acks = []
    for (let seq = 1; seq <= 20; seq++)
      acks.push(await recorder.chunk(projectId, seq, bytes(100, 1)))
    expect(acks.slice(0, 19).every((a) => !a.diskLow)).toBe(true)
    expect(acks[19]).toEqual({ bytesWritten: 2100, diskLow: true })
    expect(freeCalls - callsAfterStart).toBe(2)
  })

  it('pauses and resumes, reporting each phase', async () => {
    const { projectId } = await recorder.start(REQUEST)
    recorder.setPhase(projectId, 'paused')
    recorder.setPhase(projectId, 'paused')
    recorder.setPhase(projectId, 'recording')
    expect(states.map((s) => s.phase)).toEqual(['recording', 'paused', 'recording'])
  })

  it.each([
    ['chunk', (r: RecorderService) => r.chunk('20990101-000000-beef', 0, bytes(1, 1))],
    ['setPhase', async (r: RecorderService) => r.setPhase('20990101-000000-beef', 'paused')]
  ])('%s for another recording is refused', async (_label, call) => {
    await recorder.start(REQUEST)
    expect((await rejection(call(recorder))).code).toBe('not-recording')
  })
})

describe('stop', () => {
  it('goes finishing → idle, releases the sleep blocker and returns the finished project', async () => {
    const { projectId } = await recorder.start(REQUEST)
    await recorder.chunk(projectId, 0, bytes(100, 1))
    const summary = await recorder.stop(projectId, {
      endedBecause: 'The shared window was closed.'
    })
    expect(summary).toMatchObject({
      id: projectId,
      status: 'complete',
      endedBecause: 'The shared window was closed.'
    })
    expect(states.map((s) => s.phase)).toEqual(['recording', 'finishing', 'idle'])
    expect(recorder.state()).toEqual({ phase: 'idle', projectId: null })
    expect(sleep).toEqual({ acquired: 1, released: 1 })
    // Stopping again (a second click) answers with the same project.
    expect((await recorder.stop(projectId, {})).id).toBe(projectId)
    expect((await rejection(recorder.chunk(projectId, 1, bytes(1, 1)))).code).toBe('not-recording')
  })

  it('tells the take hooks once the recording is in place, not when it fails or is thrown away', async () => {
    const { projectId } = await recorder.start(REQUEST)
    await recorder.chunk(projectId, 0, bytes(100, 1))
    await Promise.all([recorder.stop(projectId, {}), recorder.stop(projectId, {})])
    expect(told).toEqual([`finished ${projectId}`])

    const failing = await recorder.start(REQUEST)
    await recorder.chunk(failing.projectId, 0, bytes(100, 1))
    tools.fail.remux = true
    await rejection(recorder.stop(failing.projectId, {}))
    tools.fail.remux = false
    const thrown = await recorder.start(REQUEST)
    await recorder.discard(thrown.projectId)
    expect(told).toEqual([`finished ${projectId}`, `discarded ${thrown.projectId}`])
  })

  it('two stops at once share one finish', async () => {
    const { projectId } = await recorder.start(REQUEST)
    await recorder.chunk(projectId, 0, bytes(100, 1))
    const [a, b] = await Promise.all([recorder.stop(projectId, {}), recorder.stop(projectId, {})])
    expect(a).toEqual(b)
    expect(tools.calls.filter((c) => c.startsWith('remux'))).toHaveLength(1)
  })

  it.each([
    {
      name: 'remux fails',
      setup: () => (tools.fail.remux = true),
      chunks: 1,
      code: 'finish-failed'
    },
    { name: 'nothing was recorded', setup: () => undefined, chunks: 0, code: 'empty-recording' }
  ])(
    'releases the sleep blocker and returns to idle when $name',
    async ({ setup, chunks, code }) => {
      const { projectId } = await recorder.start(REQUEST)
      for (let seq = 0; seq < chunks; seq++) await recorder.chunk(projectId, seq, bytes(100, 1))
      setup()
      expect((await rejection(recorder.stop(projectId, {}))).code).toBe(code)
      expect(sleep).toEqual({ acquired: 1, released: 1 })
      expect(recorder.state()).toEqual({ phase: 'idle', projectId: null })
      // A new recording can start at once.
      await recorder.start(REQUEST)
    }
  )

  it('a full disk mid-write finishes the recording with what was written', async () => {
    const { projectId } = await recorder.start(REQUEST)
    await recorder.chunk(projectId, 0, bytes(100, 1))
    failAppendWith = 'ENOSPC'
    const error = await rejection(recorder.chunk(projectId, 1, bytes(100, 1)))
    expect(error.code).toBe('disk-full')
    expect(error.message).toMatch(/saved/)
    expect(recorder.state().phase).toBe('idle')
    expect(sleep.released).toBe(1)
    // The renderer's own stop, arriving afterwards, gets the saved project.
    const summary = await recorder.stop(projectId, {})
    expect(summary).toMatchObject({
      status: 'complete',
      endedBecause: expect.stringMatching(/disk became full/)
    })
  })

  it('other write errors are passed on without stopping', async () => {
    const { projectId } = await recorder.start(REQUEST)
    failAppendWith = 'EIO'
    await expect(recorder.chunk(projectId, 0, bytes(1, 1))).rejects.toMatchObject({ code: 'EIO' })
    expect(recorder.state().phase).toBe('recording')
  })

  it('shutdown finishes an active recording safely', async () => {
    const { projectId } = await recorder.start(REQUEST)
    await recorder.chunk(projectId, 0, bytes(100, 1))
    await recorder.shutdown()
    expect(await projects.get(projectId)).toMatchObject({
      status: 'complete',
      endedBecause: 'Sidecast was closed while recording.'
    })
    expect(sleep.released).toBe(1)
    await recorder.shutdown() // nothing to do the second time
  })

  it('stop for a recording this process never started is refused', async () => {
    expect((await rejection(recorder.stop('20990101-000000-beef', {}))).code).toBe('not-found')
  })
})

describe('discard and restart', () => {
  it('discard deletes the take, releases the writer and the sleep blocker, and nothing is recovered', async () => {
    const { projectId } = await recorder.start(REQUEST)
    await recorder.chunk(projectId, 0, bytes(100, 1))
    await recorder.discard(projectId)
    expect(states.map((s) => s.phase)).toEqual(['recording', 'finishing', 'idle'])
    expect(recorder.state()).toEqual({ phase: 'idle', projectId: null })
    expect(sleep).toEqual({ acquired: 1, released: 1 })
    expect(recorder.activeIds()).toEqual([])
    expect(projects.activeIds()).toEqual([])
    expect(await projects.list()).toEqual([])
    await expect(access(projects.projectDir(projectId))).rejects.toThrow()
    // The next start finds nothing to recover, and a late chunk is refused.
    expect(await projects.recoverUnfinished([])).toEqual([])
    expect((await rejection(recorder.chunk(projectId, 1, bytes(1, 1)))).code).toBe('not-recording')
    // A new recording can start straight away.
    await recorder.start(REQUEST)
  })

  it('restart replaces the take with a new one and stays "recording" throughout', async () => {
    const first = await recorder.start(REQUEST)
    await recorder.chunk(first.projectId, 0, bytes(100, 1))
    recorder.setPhase(first.projectId, 'paused')
    const second = await recorder.restart(first.projectId, REQUEST)
    expect(second.projectId).not.toBe(first.projectId)
    expect(states.map((s) => s.phase)).toEqual(['recording', 'paused', 'recording'])
    expect(recorder.state()).toEqual({ phase: 'recording', projectId: second.projectId })
    expect(sleep).toEqual({ acquired: 1, released: 0 })
    // Chunks of the old take are refused; the new take starts again at chunk 0.
    expect((await rejection(recorder.chunk(first.projectId, 1, bytes(1, 1)))).code).toBe(
      'not-recording'
    )
    expect(await recorder.chunk(second.projectId, 0, bytes(50, 2))).toEqual({
      bytesWritten: 50,
      diskLow: false
    })
    const summary = await recorder.stop(second.projectId, {})
    expect(summary.id).toBe(second.projectId)
    expect((await projects.list()).map((p) => p.id)).toEqual([second.projectId])
    await expect(access(projects.projectDir(first.projectId))).rejects.toThrow()
  })

  it('restart below the free-space minimum keeps the take recording', async () => {
    const { projectId } = await recorder.start(REQUEST)
    free = 10 * MB
    settings = { ...settings, minFreeDiskMb: 1024 }
    expect((await rejection(recorder.restart(projectId, REQUEST))).code).toBe('disk-full')
    expect(recorder.state()).toEqual({ phase: 'recording', projectId })
    expect(await recorder.chunk(projectId, 0, bytes(10, 1))).toMatchObject({ bytesWritten: 10 })
  })

  it('discard or restart of a recording that is not in progress is refused', async () => {
    expect((await rejection(recorder.discard('20990101-000000-beef'))).code).toBe('not-recording')
    const { projectId } = await recorder.start(REQUEST)
    await recorder.chunk(projectId, 0, bytes(10, 1))
    await recorder.stop(projectId, {})
    expect((await rejection(recorder.discard(projectId))).code).toBe('not-recording')
    expect((await rejection(recorder.restart(projectId, REQUEST))).code).toBe('not-recording')
    expect((await projects.list()).map((p) => p.id)).toEqual([projectId])
  })
})

describe('with a camera', () => {
  const CAMERA_REQUEST = {
    ...REQUEST,
    camera: { mimeType: 'video/webm;codecs=vp8', deviceName: 'Integrated Camera' }
  }

  it('records the camera beside the screen, keeps its info, and the stop finishes both', async () => {
    const { projectId } = await recorder.start(CAMERA_REQUEST)
    expect((await projects.readFacts(projectId)).camera).toMatchObject({
      file: 'camera-capture.webm',
      deviceName: 'Integrated Camera',
      offsetMs: 0
    })
    await recorder.chunk(projectId, 0, bytes(100, 1))
    expect(await recorder.cameraChunk(projectId, 0, bytes(30, 2))).toEqual({
      bytesWritten: 30,
      diskLow: false
    })
    expect(await recorder.cameraChunk(projectId, 1, bytes(30, 3))).toEqual({
      bytesWritten: 60,
      diskLow: false
    })
    await recorder.cameraInfo(projectId, { offsetMs: -80, offRanges: [[10, 20]] })
    const summary = await recorder.stop(projectId, {})
    expect(summary).toMatchObject({ status: 'complete' })
    expect(summary.camera).toEqual({
      url: `media://${projectId}/camera.webm`,
      offsetMs: -80,
      durationMs: 4000,
      width: 1920,
      height: 1080,
      offRanges: [[10, 20]],
      endedBecause: null
    })
    expect((await rejection(recorder.cameraChunk(projectId, 2, bytes(1, 1)))).code).toBe(
      'not-recording'
    )
    expect((await rejection(recorder.cameraInfo(projectId, { offsetMs: 1 }))).code).toBe(
      'not-recording'
    )
  })

  it('counts camera chunks in the free-space check', async () => {
    const { projectId } = await recorder.start(CAMERA_REQUEST)
    free = 100 * MB
    freeCalls = 0 // the start's own check is not counted here
    // The first chunk of either kind checks; then every 20 chunks of both kinds together.
    expect((await recorder.cameraChunk(projectId, 0, bytes(1, 1))).diskLow).toBe(true)
    expect(freeCalls).toBe(1)
    for (let seq = 0; seq < 10; seq++) {
      await recorder.chunk(projectId, seq, bytes(1, 1))
      await recorder.cameraChunk(projectId, seq + 1, bytes(1, 1))
    }
    expect(freeCalls).toBe(2)
  })

  it('a failed camera write is told as such and the screen recording goes on', async () => {
    const { projectId } = await recorder.start(CAMERA_REQUEST)
    failCameraAppendWith = 'EIO'
    const error = await rejection(recorder.cameraChunk(projectId, 0, bytes(10, 1)))
    expect(error.code).toBe('camera-failed')
    expect(error.message).toMatch(
      /^Saving the camera failed \(EIO: the camera write failed\); the screen recording goes on\.$/
    )
    expect(recorder.state()).toEqual({ phase: 'recording', projectId })
    expect((await recorder.chunk(projectId, 0, bytes(10, 1))).bytesWritten).toBe(10)
    expect((await recorder.stop(projectId, {})).status).toBe('complete')
  })

  it('a full disk under the camera stops the recording like a screen chunk’s would', async () => {
    const { projectId } = await recorder.start(CAMERA_REQUEST)
    await recorder.chunk(projectId, 0, bytes(100, 1))
    failCameraAppendWith = 'ENOSPC'
    const error = await rejection(recorder.cameraChunk(projectId, 0, bytes(10, 1)))
    expect(error.code).toBe('disk-full')
    expect(recorder.state().phase).toBe('idle')
    expect(await recorder.stop(projectId, {})).toMatchObject({
      status: 'complete',
      endedBecause: expect.stringMatching(/disk became full/),
      // Nothing of the camera reached the disk: no camera.
      camera: null
    })
  })

  it('camera chunks and info for a recording without a camera are refused', async () => {
    const { projectId } = await recorder.start(REQUEST)
    expect((await rejection(recorder.cameraChunk(projectId, 0, bytes(1, 1)))).code).toBe(
      'no-camera'
    )
    expect((await rejection(recorder.cameraInfo(projectId, { offsetMs: 0 }))).code).toBe(
      'no-camera'
    )
    expect(recorder.state().phase).toBe('recording')
  })

  it('restart makes the new take with its camera; the old take’s camera chunks are refused', async () => {
    const first = await recorder.start(CAMERA_REQUEST)
    await recorder.cameraChunk(first.projectId, 0, bytes(10, 1))
    const second = await recorder.restart(first.projectId, CAMERA_REQUEST)
    expect((await projects.readFacts(second.projectId)).camera).toMatchObject({
      file: 'camera-capture.webm',
      bytesWritten: 0
    })
    expect((await rejection(recorder.cameraChunk(first.projectId, 1, bytes(1, 1)))).code).toBe(
      'not-recording'
    )
    expect((await recorder.cameraChunk(second.projectId, 0, bytes(5, 1))).bytesWritten).toBe(5)
    // A restart without the camera (it was switched to none) makes a take without one.
    const third = await recorder.restart(second.projectId, REQUEST)
    expect((await projects.readFacts(third.projectId)).camera).toBeUndefined()
  })
})
