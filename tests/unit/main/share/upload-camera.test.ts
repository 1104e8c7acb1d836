/**
 * A recording's camera in the upload queue (issue 15): to a library that takes cameras, the
 * recording goes with `cameraFollows` and, once it is done, its camera file follows as a second
 * resumable upload linked to the video (`cameraFor` and the camera's facts), retried and resumed
 * after a restart like any upload; to one that does not, the recording is exported (the bubble
 * burnt in) and no camera follows. Live uploads: the camera follows after Stop.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { UploadInfo, UploadState } from '../../../../src/shared/ipc'
import type { CameraFacts, RecordingFacts } from '../../../../src/shared/project'
import {
  createUploadQueue,
  type UploadQueue,
  type UploadQueueOptions
} from '../../../../src/main/share/upload-queue'
import { QUEUE_FILE, UPLOADS_FOLDER } from '../../../../src/main/share/upload-queue-file'
import { createTestProjectStore, type TestProjectStore } from '../../../support/project-store'
import { FakeExporter, FakeTus, makeProject } from '../helpers/fake-share'
import { tempDir } from '../helpers/fakes'

const P1 = '20261129-120000-aaaa'

let dataDir: string
let cleanup: () => Promise<void>
let projects: TestProjectStore
let tus: FakeTus
let exporter: FakeExporter
let writing: Set<string>
let announced: string[]
let storedLinks: string[]
let uploadedHook: { source: string; videoId: string }[]
/** The videos the library was told get no camera (dropCamera). */
let dropped: string[]
let queues: UploadQueue[]

const CAMERA: CameraFacts = {
  file: 'camera.webm',
  container: 'webm',
  mimeType: 'video/webm;codecs=vp8',
  deviceName: 'Fake camera',
  offsetMs: -120,
  offRanges: [[2000, 3000]],
  durationMs: 9800
}

beforeEach(async () => {
  ;({ dir: dataDir, cleanup } = await tempDir('sidecast-camera-queue-'))
  projects = createTestProjectStore({
    dataDir,
    mediaTools: () => {
      throw new Error('no ffmpeg in this test')
    },
    mediaUrl: (id, file) => `media://${id}/${file}`
  })
  tus = new FakeTus()
  exporter = new FakeExporter()
  writing = new Set()
  announced = []
  storedLinks = []
  uploadedHook = []
  dropped = []
  queues = []
})

afterEach(async () => {
  for (const queue of queues) await queue.shutdown()
  await cleanup()
})

/** A finished project whose recording has a camera file of `cameraBytes` bytes. */
async function projectWithCamera(
  camera: Partial<CameraFacts> | null = {},
  cameraBytes = 3000
): Promise<RecordingFacts> {
  const facts = await makeProject(projects.projectsDir, P1, { size: 12_000 })
  const dir = join(projects.projectsDir, P1)
  const withCamera = camera ? { ...facts, camera: { ...CAMERA, ...camera } } : facts
  await writeFile(join(dir, 'recording.json'), JSON.stringify(withCamera, null, 2))
  if (camera)
    await writeFile(join(dir, withCamera.camera?.file ?? ''), Buffer.alloc(cameraBytes, 2))
  return withCamera
}

function makeQueue(overrides: Partial<UploadQueueOptions> = {}): UploadQueue {
  const queue = createUploadQueue({
    dataDir,
    tus,
    projects: {
      readFacts: (id) => projects.readFacts(id),
      projectDir: (id) => projects.projectDir(id),
      isRecording: (id) => writing.has(id),
      isBeingWritten: (id) => writing.has(id)
    },
    exporter,
    credentials: async () => ({ url: 'https://lib.test', token: 'token-1' }),
    defaultPreset: () => ({ size: '720p', quality: 'small' }),
    storeLink: async (_projectId, link) => {
      storedLinks.push(link.videoId)
    },
    announce: async (link) => {
      announced.push(link.videoId)
    },
    uploaded: async (upload) => {
      uploadedHook.push({ source: upload.source, videoId: upload.videoId })
    },
    emit: () => undefined,
    takesEdits: async () => true,
    takesCamera: async () => true,
    dropCamera: async (videoId) => {
      dropped.push(videoId)
      return true
    },
    retryDelaysMs: [30, 60],
    livePollMs: 20,
    warn: () => undefined,
    ...overrides
  })
  queues.push(queue)
  return queue
}

async function started(overrides: Partial<UploadQueueOptions> = {}): Promise<UploadQueue> {
  const queue = makeQueue(overrides)
  await queue.start()
  return queue
}

async function waitRuns(count: number): Promise<void> {
  await vi.waitFor(() => expect(tus.runs.length).toBe(count), { timeout: 5000 })
}

async function waitState(queue: UploadQueue, id: string, state: UploadState): Promise<UploadInfo> {
  await vi.waitFor(() => expect(queue.get(id).state).toBe(state), { timeout: 5000 })
  return queue.get(id)
}

/** The queue's camera upload (the one titled "… (camera)"). */
function cameraUpload(queue: UploadQueue): UploadInfo | undefined {
  return queue.list().find((u) => u.title.endsWith('(camera)'))
}

describe('a recording with a camera, to a library that takes cameras', () => {
  it('goes with cameraFollows, then its camera follows linked to the video, with its facts', async () => {
    await projectWithCamera()
    const queue = await started()
    const added = await queue.add(P1, {})
    await waitRuns(1)
    // The recording as it is (no export), telling the library its camera follows.
    expect(exporter.calls).toHaveLength(0)
    expect(tus.last.job.file).toBe(join(projects.projectsDir, P1, 'recording.webm'))
    expect(tus.last.job.metadata).toMatchObject({
      cameraFollows: '1',
      filename: expect.any(String)
    })
    expect(tus.last.job.metadata.cameraFor).toBeUndefined()
    tus.last.succeed('https://lib.test/v/vid9', 'vid9')
    await waitState(queue, added.id, 'done')

    // The camera: a second upload of its own, shown in the list, linked to vid9.
    await waitRuns(2)
    const camera = cameraUpload(queue)
    expect(camera).toMatchObject({ projectId: P1, title: 'Walkthrough aaaa (camera)' })
    expect(tus.last.job).toMatchObject({
      file: join(projects.projectsDir, P1, 'camera.webm'),
      size: 3000,
      fingerprint: `sidecast/${P1}/camera-vid9/3000`,
      metadata: {
        filename: 'camera.webm',
        cameraFor: 'vid9',
        cameraOffsetMs: '-120',
        cameraDurationMs: '9800',
        cameraOffRanges: '[[2000,3000]]'
      }
    })
    tus.last.send(1000)
    await vi.waitFor(() => expect(cameraUpload(queue)?.bytesSent).toBe(1000))
    expect(cameraUpload(queue)).toMatchObject({ state: 'uploading', bytesTotal: 3000 })
    tus.last.succeed('https://lib.test/v/vid9', 'vid9')
    await vi.waitFor(() => expect(cameraUpload(queue)?.state).toBe('done'))
    expect(cameraUpload(queue)).toMatchObject({ fraction: 1, url: 'https://lib.test/v/vid9' })
    expect(dropped).toEqual([])
    // The video's link was stored and announced once, for the recording; the edits sync was
    // told about the recording only.
    expect(storedLinks).toEqual(['vid9'])
    expect(announced).toEqual(['vid9'])
    expect(uploadedHook).toEqual([{ source: 'recording', videoId: 'vid9' }])
    expect(tus.forgotten).toContain(`sidecast/${P1}/camera-vid9/3000`)
  })

  it('retries a camera upload that failed for a reason that may pass, and resumes it after a restart', async () => {
    await projectWithCamera()
    const queue = await started()
    await queue.add(P1, {})
    await waitRuns(1)
    tus.last.succeed('https://lib.test/v/vid9', 'vid9')
    await waitRuns(2)
    tus.last.fail({ kind: 'retry', message: 'connection reset' })
    // Retried by itself, from where the server is.
    await waitRuns(3)
    expect(tus.last.job.fingerprint).toBe(`sidecast/${P1}/camera-vid9/3000`)
    tus.last.send(1500)
    await vi.waitFor(() => expect(cameraUpload(queue)?.bytesSent).toBe(1500))

    // Quit mid-upload: queue.json holds the camera upload, and the next start resumes it.
    await queue.shutdown()
    const file = JSON.parse(await readFile(join(dataDir, UPLOADS_FOLDER, QUEUE_FILE), 'utf8')) as {
      uploads: { source: string; cameraFor?: string; state: string }[]
    }
    expect(file.uploads).toContainEqual(
      expect.objectContaining({ source: 'camera', cameraFor: 'vid9', state: 'uploading' })
    )
    const again = await started()
    await waitRuns(4)
    expect(tus.last.job.metadata).toMatchObject({ cameraFor: 'vid9' })
    // The fake server's HEAD: 1500 bytes are there already.
    await vi.waitFor(() => expect(cameraUpload(again)?.bytesSent).toBe(1500))
    tus.last.succeed('https://lib.test/v/vid9', 'vid9')
    await vi.waitFor(() => expect(cameraUpload(again)?.state).toBe('done'))
    expect(announced).toEqual(['vid9'])
  })

  it('fails with the library’s reason when it refuses the camera for good', async () => {
    await projectWithCamera()
    const queue = await started()
    await queue.add(P1, {})
    await waitRuns(1)
    tus.last.succeed('https://lib.test/v/vid9', 'vid9')
    await waitRuns(2)
    const why = 'Only the owner of a video (or an administrator) can add its camera recording.'
    tus.last.fail({ kind: 'rejected', status: 403, message: why })
    await vi.waitFor(() => expect(cameraUpload(queue)?.state).toBe('failed'))
    expect(cameraUpload(queue)?.error).toBe(why)
    // Viewers must not wait for a camera that will not come: the library is told.
    await vi.waitFor(() => expect(dropped).toEqual(['vid9']))
  })

  it('tells the library no camera comes when the camera upload is cancelled; a retry does not', async () => {
    await projectWithCamera()
    const queue = await started()
    await queue.add(P1, {})
    await waitRuns(1)
    tus.last.succeed('https://lib.test/v/vid9', 'vid9')
    await waitRuns(2)
    tus.last.fail({ kind: 'retry', message: 'connection reset' })
    await waitRuns(3)
    expect(dropped).toEqual([])
    const camera = cameraUpload(queue)
    if (!camera) throw new Error('no camera upload')
    await queue.cancel(camera.id)
    await vi.waitFor(() => expect(dropped).toEqual(['vid9']))
    expect(tus.last.terminated).toBe(true)
  })

  it('fails (no retry) when the camera file is gone by the time it is sent', async () => {
    await projectWithCamera()
    const queue = await started()
    await queue.add(P1, {})
    await waitRuns(1)
    const facts = await projects.readFacts(P1)
    await writeFile(
      join(projects.projectsDir, P1, 'recording.json'),
      JSON.stringify({ ...facts, camera: { ...CAMERA, file: 'gone.webm' } })
    )
    tus.last.succeed('https://lib.test/v/vid9', 'vid9')
    await vi.waitFor(() => expect(cameraUpload(queue)?.state).toBe('failed'))
    expect(cameraUpload(queue)?.error).toMatch(/camera recording is missing/)
    expect(tus.runs).toHaveLength(1)
    await vi.waitFor(() => expect(dropped).toEqual(['vid9']))
  })

  it('a recording whose camera has no length (not finished) goes without it', async () => {
    await projectWithCamera({ durationMs: undefined })
    const queue = await started()
    const added = await queue.add(P1, {})
    await waitRuns(1)
    expect(tus.last.job.metadata.cameraFollows).toBeUndefined()
    tus.last.succeed('https://lib.test/v/vid9', 'vid9')
    await waitState(queue, added.id, 'done')
    expect(cameraUpload(queue)).toBeUndefined()
  })
})

describe('a recording with a camera, to a library that does not take cameras', () => {
  it('is exported (the bubble burnt in) and no camera follows', async () => {
    await projectWithCamera()
    const queue = await started({ takesCamera: async () => false })
    const added = await queue.add(P1, {})
    await vi.waitFor(() => expect(exporter.calls).toHaveLength(1))
    await exporter.calls[0]?.finish(Buffer.alloc(5000, 3))
    await waitRuns(1)
    expect(tus.last.job.metadata.cameraFollows).toBeUndefined()
    expect(tus.last.job.metadata.editsFollow).toBeUndefined()
    tus.last.succeed('https://lib.test/v/vid9', 'vid9')
    await waitState(queue, added.id, 'done')
    expect(cameraUpload(queue)).toBeUndefined()
    expect(tus.runs).toHaveLength(1)
  })
})

describe('a live upload of a recording with a camera', () => {
  it('says cameraFollows from the start; the camera follows after Stop, once the recording is finished', async () => {
    // Being recorded: the capture grows, the camera's facts are there (its file not final yet).
    const facts = await makeProject(projects.projectsDir, P1, { status: 'recording', size: 4000 })
    const dir = join(projects.projectsDir, P1)
    await writeFile(
      join(dir, 'recording.json'),
      JSON.stringify({
        ...facts,
        file: 'capture.webm',
        camera: { ...CAMERA, file: 'camera-capture.webm', durationMs: undefined }
      })
    )
    await writeFile(join(dir, 'capture.webm'), Buffer.alloc(4000, 1))
    await writeFile(join(dir, 'camera-capture.webm'), Buffer.alloc(1000, 2))
    writing.add(P1)
    const queue = await started()
    const live = await queue.addLive(P1, { title: 'Live one', captureFile: 'capture.webm' })
    await waitRuns(1)
    expect(tus.last.job.metadata).toMatchObject({ live: '1', cameraFollows: '1' })
    tus.last.created('vid7')
    tus.last.send(4000)

    // Stop: the capture is sealed and sent; the library has the video.
    queue.sealLive(P1, 4000)
    tus.last.succeed('https://lib.test/v/vid7', 'vid7')
    await waitState(queue, live.id, 'done')
    // The camera waits while the recording is still being finished here…
    await vi.waitFor(() => expect(cameraUpload(queue)?.error).toMatch(/still being finished/))
    expect(tus.runs).toHaveLength(1)
    // …then goes, with the finished camera file and its length.
    await writeFile(
      join(dir, 'recording.json'),
      JSON.stringify({ ...facts, status: 'complete', camera: CAMERA })
    )
    await writeFile(join(dir, 'camera.webm'), Buffer.alloc(2500, 2))
    writing.delete(P1)
    await waitRuns(2)
    expect(tus.last.job).toMatchObject({
      file: join(dir, 'camera.webm'),
      size: 2500,
      metadata: { cameraFor: 'vid7', cameraDurationMs: '9800', cameraOffsetMs: '-120' }
    })
    tus.last.succeed('https://lib.test/v/vid7', 'vid7')
    await vi.waitFor(() => expect(cameraUpload(queue)?.state).toBe('done'))
  })

  it('without the camera feature, says nothing of a camera and sends none', async () => {
    const facts = await makeProject(projects.projectsDir, P1, { status: 'recording', size: 4000 })
    const dir = join(projects.projectsDir, P1)
    await writeFile(
      join(dir, 'recording.json'),
      JSON.stringify({ ...facts, file: 'capture.webm', camera: { ...CAMERA, file: 'c.webm' } })
    )
    await writeFile(join(dir, 'capture.webm'), Buffer.alloc(4000, 1))
    writing.add(P1)
    const queue = await started({ takesCamera: async () => false })
    const live = await queue.addLive(P1, { title: 'Live one', captureFile: 'capture.webm' })
    await waitRuns(1)
    expect(tus.last.job.metadata.cameraFollows).toBeUndefined()
    tus.last.send(4000)
    queue.sealLive(P1, 4000)
    writing.delete(P1)
    tus.last.succeed('https://lib.test/v/vid7', 'vid7')
    await waitState(queue, live.id, 'done')
    expect(cameraUpload(queue)).toBeUndefined()
  })
})
