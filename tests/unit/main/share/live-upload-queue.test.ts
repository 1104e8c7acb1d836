/**
 * The upload queue's live uploads (Share while recording) against the fake tus layer, with real
 * project folders, a real capture file read by the real GrowingFile and the real queue.json:
 * recording → finishing → processing → done, the link copied once at Stop, discard, a failed
 * finish and its Try again under the same link, a restart after a crash, and the capture kept
 * exactly as long as the library lacks bytes.
 */
import { existsSync } from 'node:fs'
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { UploadInfo, UploadState } from '../../../../src/shared/ipc'
import type { RecordingFacts } from '../../../../src/shared/project'
import type { ShareLink } from '../../../../src/main/projects/share-link'
import {
  createUploadQueue,
  type UploadQueue,
  type UploadQueueOptions
} from '../../../../src/main/share/upload-queue'
import { QUEUE_FILE, UPLOADS_FOLDER } from '../../../../src/main/share/upload-queue-file'
import { createTestProjectStore, type TestProjectStore } from '../../../support/project-store'
import { FakeExporter, FakeTus, makeProject } from '../helpers/fake-share'
import { tempDir } from '../helpers/fakes'

const P1 = '20261202-120000-aaaa'
const P2 = '20261202-130000-bbbb'

let dataDir: string
let cleanup: () => Promise<void>
let projects: TestProjectStore
let tus: FakeTus
let recording: Set<string>
let stored: { projectId: string; video: ShareLink }[]
let announced: { url: string; title: string }[]
let linksTold: { url: string; title: string }[]
let events: UploadInfo[]
let queues: UploadQueue[]

beforeEach(async () => {
  ;({ dir: dataDir, cleanup } = await tempDir('sidecast-live-queue-'))
  projects = createTestProjectStore({
    dataDir,
    mediaTools: () => {
      throw new Error('no ffmpeg in this test')
    },
    mediaUrl: (id, file) => `media://${id}/${file}`
  })
  tus = new FakeTus()
  recording = new Set()
  stored = []
  announced = []
  linksTold = []
  events = []
  queues = []
})

afterEach(async () => {
  for (const queue of queues) await queue.shutdown()
  await cleanup()
})

function makeQueue(overrides: Partial<UploadQueueOptions> = {}): UploadQueue {
  const queue = createUploadQueue({
    dataDir,
    tus,
    projects: {
      readFacts: (id) => projects.readFacts(id),
      projectDir: (id) => projects.projectDir(id),
      isRecording: (id) => recording.has(id)
    },
    exporter: new FakeExporter(),
    credentials: async () => ({ url: 'https://lib.test', token: 'token-1' }),
    defaultPreset: () => ({ size: '720p', quality: 'small' }),
    storeLink: async (projectId, video) => {
      stored.push({ projectId, video })
    },
    announce: async (video, title) => {
      announced.push({ url: video.url, title })
    },
    announceLink: async (url, title) => {
      linksTold.push({ url, title })
    },
    emit: (info) => events.push(info),
    retryDelaysMs: [30, 60],
    livePollMs: 20,
    warn: () => undefined,
    ...overrides
  })
  queues.push(queue)
  return queue
}

async function started(): Promise<UploadQueue> {
  const queue = makeQueue()
  await queue.start()
  return queue
}

/** Polls (bounded) until `check` holds; a condition, never a timed assertion. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (check()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`gave up waiting until ${what}`)
}

const captureOf = (id: string): string => join(projects.projectsDir, id, 'capture.webm')

/** A project being recorded: recording.json saying so and a capture with `size` bytes. */
async function recordingProject(id: string, size: number): Promise<void> {
  const dir = join(projects.projectsDir, id)
  await mkdir(dir, { recursive: true })
  const facts: RecordingFacts = {
    version: 1,
    id,
    status: 'recording',
    title: `Live ${id.slice(-4)}`,
    createdAt: '2026-12-02T12:00:00.000Z',
    sourceName: 'Entire screen',
    file: 'capture.webm',
    container: 'webm',
    mimeType: 'video/webm;codecs=vp8,opus',
    bytesWritten: size
  }
  await writeFile(join(dir, 'recording.json'), JSON.stringify(facts, null, 2))
  await writeFile(captureOf(id), Buffer.alloc(size, 3))
  recording.add(id)
}

/** The recording stopped and was finished locally (recording.webm next to the kept capture). */
async function finishLocally(
  id: string,
  status: RecordingFacts['status'] = 'complete'
): Promise<void> {
  recording.delete(id)
  const dir = join(projects.projectsDir, id)
  const facts = JSON.parse(await readFile(join(dir, 'recording.json'), 'utf8')) as RecordingFacts
  await writeFile(join(dir, 'recording.webm'), Buffer.alloc(777, 4))
  await writeFile(
    join(dir, 'recording.json'),
    JSON.stringify({ ...facts, status, file: 'recording.webm', durationMs: 4000 }, null, 2)
  )
}

function phasesOf(id: string): (string | undefined)[] {
  const out: (string | undefined)[] = []
  for (const e of events) {
    if (e.id !== id) continue
    const phase = `${e.state}${e.live ? `/${e.live}` : ''}`
    if (out[out.length - 1] !== phase) out.push(phase)
  }
  return out
}

async function storedQueue(): Promise<{ uploads: Record<string, unknown>[] }> {
  return JSON.parse(await readFile(join(dataDir, UPLOADS_FOLDER, QUEUE_FILE), 'utf8'))
}

const state = (queue: UploadQueue, id: string): UploadState => queue.get(id).state

describe('a live upload', () => {
  it('follows the recording: recording → finishing → processing → done, the link copied once at Stop', async () => {
    await recordingProject(P1, 1000)
    const queue = await started()
    const added = await queue.addLive(P1, { title: 'Live aaaa', captureFile: 'capture.webm' })
    expect(added).toMatchObject({ state: 'queued', live: 'recording', bytesTotal: null })
    await until(() => tus.runs.length === 1, 'the upload started')
    const run = tus.last
    expect(run.job).toMatchObject({
      endpoint: 'https://lib.test/api/uploads',
      file: captureOf(P1),
      size: null,
      fingerprint: `sidecast/${P1}/live`,
      metadata: { title: 'Live aaaa', filename: 'live-aaaa.webm', projectId: P1, live: '1' }
    })
    expect(run.job.growing?.sealedSize()).toBeNull()
    // The growing file answers what is written so far, and waits for more.
    expect(await run.job.growing?.available(0, 5000)).toEqual({ end: 1000, done: false })

    run.created('vid1')
    await until(() => queue.get(added.id).url === 'https://lib.test/v/vid1', 'the link is known')
    expect(queue.get(added.id).live).toBe('recording')
    // Not copied while recording: the link is told at Stop.
    expect(linksTold).toEqual([])
    run.send(1000)
    await appendFile(captureOf(P1), Buffer.alloc(500, 5))
    expect(queue.captureNeeded(P1)).toBe(true)

    // Stop: the capture has 1500 bytes, 500 of them still to send.
    queue.sealLive(P1, 1500)
    expect(queue.get(added.id)).toMatchObject({ live: 'finishing', bytesTotal: 1500 })
    expect(run.job.growing?.sealedSize()).toBe(1500)
    await until(() => linksTold.length === 1, 'the link was told')
    expect(linksTold).toEqual([{ url: 'https://lib.test/v/vid1', title: 'Live aaaa' }])
    expect(queue.get(added.id).linkAnnounced).toBe(true)
    queue.sealLive(P1, 1500)
    await finishLocally(P1)

    run.send(500)
    await until(() => queue.get(added.id).live === 'processing', 'every byte is there')
    expect(queue.get(added.id).fraction).toBe(1)
    run.succeed('https://lib.test/v/vid1', 'vid1')
    await until(() => state(queue, added.id) === 'done', 'done')
    expect(queue.get(added.id).live).toBeUndefined()
    expect(phasesOf(added.id)).toEqual([
      'queued/recording',
      'uploading/recording',
      'uploading/finishing',
      'uploading/processing',
      'done'
    ])
    expect(stored).toMatchObject([{ projectId: P1, video: { url: 'https://lib.test/v/vid1' } }])
    // Told once, at Stop; the end is not announced again.
    expect(linksTold).toHaveLength(1)
    expect(announced).toEqual([])
    // The library has every byte: the capture goes, the finished recording stays.
    await until(() => !existsSync(captureOf(P1)), 'the capture is removed')
    expect(existsSync(join(projects.projectsDir, P1, 'recording.webm'))).toBe(true)
    expect(queue.captureNeeded(P1)).toBe(false)
  })

  it('copies the link when the creation answers after Stop, once', async () => {
    await recordingProject(P1, 100)
    const queue = await started()
    const added = await queue.addLive(P1, { title: 'Live', captureFile: 'capture.webm' })
    await until(() => tus.runs.length === 1, 'the upload started')
    recording.delete(P1)
    queue.sealLive(P1, 100)
    expect(linksTold).toEqual([])
    tus.last.created('vid7')
    await until(() => linksTold.length === 1, 'the link was told')
    expect(linksTold[0]?.url).toBe('https://lib.test/v/vid7')
    expect(queue.get(added.id).linkAnnounced).toBe(true)
  })

  it('never delays or holds up an ordinary upload: both run at once', async () => {
    await makeProject(projects.projectsDir, P2, { size: 5000 })
    await recordingProject(P1, 10)
    const queue = await started()
    const ordinary = await queue.add(P2, {})
    await until(() => tus.runs.length === 1, 'the ordinary upload started')
    const live = await queue.addLive(P1, { title: 'Live', captureFile: 'capture.webm' })
    await until(() => tus.runs.length === 2, 'the live upload started beside it')
    expect(state(queue, ordinary.id)).toBe('uploading')
    expect(state(queue, live.id)).toBe('uploading')
  })

  it('a second addLive for the same recording answers the first', async () => {
    await recordingProject(P1, 10)
    const queue = await started()
    const first = await queue.addLive(P1, { title: 'Live', captureFile: 'capture.webm' })
    const second = await queue.addLive(P1, { title: 'Live', captureFile: 'capture.webm' })
    expect(second.id).toBe(first.id)
    expect(queue.list()).toHaveLength(1)
  })

  it('discard terminates the upload on the server and drops it from the list', async () => {
    await recordingProject(P1, 10)
    const queue = await started()
    const added = await queue.addLive(P1, { title: 'Live', captureFile: 'capture.webm' })
    await until(() => tus.runs.length === 1, 'the upload started')
    tus.last.created('vid1')
    await queue.discardLive(P1)
    await until(() => tus.last.terminated, 'the server upload was terminated')
    expect(queue.list()).toEqual([])
    expect(events[events.length - 1]).toMatchObject({ id: added.id, state: 'cancelled' })
    await until(() => existsSync(join(dataDir, UPLOADS_FOLDER, QUEUE_FILE)), 'queue.json saved')
    await queues[0]?.shutdown()
    expect((await storedQueue()).uploads).toEqual([])
  })

  it('cancel terminates it, the recording carries on unshared, and the capture is left to the recording', async () => {
    await recordingProject(P1, 10)
    const queue = await started()
    const added = await queue.addLive(P1, { title: 'Live', captureFile: 'capture.webm' })
    await until(() => tus.runs.length === 1, 'the upload started')
    await queue.cancel(added.id)
    await until(() => tus.last.terminated, 'terminated')
    expect(state(queue, added.id)).toBe('cancelled')
    expect(queue.captureNeeded(P1)).toBe(false)
    // Still being recorded: the capture writer needs it (and removes it after the remux).
    expect(existsSync(captureOf(P1))).toBe(true)
  })

  it('a failed finish keeps the link: Try again sends the finished recording replacing the reserved video', async () => {
    await recordingProject(P1, 300)
    const queue = await started()
    const added = await queue.addLive(P1, { title: 'Live', captureFile: 'capture.webm' })
    await until(() => tus.runs.length === 1, 'the upload started')
    const run = tus.last
    run.created('vid1')
    run.send(300)
    queue.sealLive(P1, 300)
    await finishLocally(P1)
    await until(() => queue.get(added.id).live === 'processing', 'every byte is there')
    run.fail({
      kind: 'rejected',
      status: 422,
      message: 'The library did not accept the file: the video is cut short.'
    })
    await until(() => state(queue, added.id) === 'failed', 'failed')
    expect(queue.get(added.id)).toMatchObject({
      error: 'The library did not accept the file: the video is cut short.',
      url: 'https://lib.test/v/vid1'
    })
    expect(queue.get(added.id).live).toBeUndefined()
    // The library had every byte: the capture is no longer needed.
    expect(queue.captureNeeded(P1)).toBe(false)
    await until(() => !existsSync(captureOf(P1)), 'the capture is removed')

    await queue.resume(added.id)
    await until(() => tus.runs.length === 2, 'Try again started')
    expect(tus.last.job).toMatchObject({
      file: join(projects.projectsDir, P1, 'recording.webm'),
      size: 777,
      fingerprint: `sidecast/${P1}/original~replaces-vid1/777`,
      metadata: { replaces: 'vid1', title: 'Live', durationMs: '4000' }
    })
    expect(tus.last.job.growing).toBeUndefined()
    expect(tus.last.job.metadata.live).toBeUndefined()
    tus.last.succeed('https://lib.test/v/vid1', 'vid1')
    await until(() => state(queue, added.id) === 'done', 'done')
    // The user asked to try again: its end is told.
    await until(() => announced.length === 1, 'announced')
  })

  it('a failure before every byte was sent resumes the live upload itself', async () => {
    await recordingProject(P1, 300)
    const queue = await started()
    const added = await queue.addLive(P1, { title: 'Live', captureFile: 'capture.webm' })
    await until(() => tus.runs.length === 1, 'the upload started')
    tus.last.send(100)
    tus.last.fail({ kind: 'rejected', status: 413, message: 'Too large.' })
    await until(() => state(queue, added.id) === 'failed', 'failed')
    expect(queue.captureNeeded(P1)).toBe(true)
    await queue.resume(added.id)
    await until(() => tus.runs.length === 2, 'resumed')
    expect(tus.last.job).toMatchObject({ size: null, fingerprint: `sidecast/${P1}/live` })
    expect(tus.last.job.growing).toBeDefined()
  })

  it('retries network trouble from the server’s offset; the recording never notices', async () => {
    await recordingProject(P1, 300)
    const queue = await started()
    const added = await queue.addLive(P1, { title: 'Live', captureFile: 'capture.webm' })
    await until(() => tus.runs.length === 1, 'the upload started')
    tus.last.send(200)
    tus.last.fail({ kind: 'retry', message: 'The connection to the library was cut.' })
    await until(() => tus.runs.length === 2, 'retried')
    await until(() => queue.get(added.id).bytesSent === 200, 'resumed at the server’s offset')
    expect(queue.get(added.id).live).toBe('recording')
  })

  it('after a crash: the next start seals it at the capture’s size and completes it under the same link', async () => {
    await recordingProject(P1, 400)
    const first = await started()
    const added = await first.addLive(P1, { title: 'Live', captureFile: 'capture.webm' })
    await until(() => tus.runs.length === 1, 'the upload started')
    tus.last.created('vid1')
    tus.last.send(250)
    await until(() => first.get(added.id).url !== undefined, 'the link is known')
    await appendFile(captureOf(P1), Buffer.alloc(100, 9))
    await first.shutdown()
    // The app is gone; recovery finishes the recording locally and keeps the capture.
    await finishLocally(P1, 'recovered')

    const second = await started()
    await until(() => tus.runs.length === 2, 'resumed')
    expect(second.get(added.id)).toMatchObject({
      url: 'https://lib.test/v/vid1',
      bytesTotal: 500,
      live: 'finishing'
    })
    expect(tus.last.job.growing?.sealedSize()).toBe(500)
    tus.last.send(250)
    tus.last.succeed('https://lib.test/v/vid1', 'vid1')
    await until(() => state(second, added.id) === 'done', 'done')
    // Not told at a Stop the user made here: its end is announced instead.
    expect(linksTold).toEqual([])
    await until(() => announced.length === 1, 'announced')
    await until(() => !existsSync(captureOf(P1)), 'the capture is removed')
  })

  it('keeps the raw capture when it is the recording itself (its local finish failed)', async () => {
    await recordingProject(P1, 50)
    const queue = await started()
    const added = await queue.addLive(P1, { title: 'Live', captureFile: 'capture.webm' })
    await until(() => tus.runs.length === 1, 'the upload started')
    recording.delete(P1)
    const facts = JSON.parse(
      await readFile(join(projects.projectsDir, P1, 'recording.json'), 'utf8')
    ) as RecordingFacts
    await writeFile(
      join(projects.projectsDir, P1, 'recording.json'),
      JSON.stringify({ ...facts, status: 'recovered' })
    )
    queue.sealLive(P1, 50)
    tus.last.send(50)
    tus.last.succeed('https://lib.test/v/vid1', 'vid1')
    await until(() => state(queue, added.id) === 'done', 'done')
    await queue.shutdown()
    expect(existsSync(captureOf(P1))).toBe(true)
  })

  it('is not queued for a take already thrown away', async () => {
    const queue = await started()
    await expect(
      queue.addLive(P1, { title: 'Live', captureFile: 'capture.webm' })
    ).rejects.toMatchObject({ code: 'not-found' })
    expect(queue.list()).toEqual([])
  })
})
