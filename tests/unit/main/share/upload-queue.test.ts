/**
 * The upload queue's state machine against a fake tus layer and a fake exporter, with real
 * project folders and the real queue.json on disk.
 */
import { existsSync } from 'node:fs'
import { readFile, writeFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Edits } from '../../../../src/shared/edits'
import type { UploadInfo, UploadState } from '../../../../src/shared/ipc'
import { AUTH_REFUSED_MESSAGE } from '../../../../src/main/share/tus-layer'
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

const P1 = '20261129-120000-aaaa'
const P2 = '20261129-130000-bbbb'

let dataDir: string
let cleanup: () => Promise<void>
let projects: TestProjectStore
let tus: FakeTus
let exporter: FakeExporter
let credentials: { url: string; token: string } | null
let recording: Set<string>
let stored: { projectId: string; video: ShareLink; state: UploadState | undefined }[]
let shared: { video: ShareLink; title: string }[]
let events: UploadInfo[]
let queues: UploadQueue[]

const EDITS: Edits = {
  version: 2,
  keep: [
    [0, 2000],
    [4000, 10_000]
  ],
  annotations: [
    {
      id: 'c1',
      type: 'callout',
      startMs: 5000,
      endMs: 6000,
      x: 0.1,
      y: 0.1,
      w: 0.3,
      h: 0.1,
      text: 'Click Save'
    },
    { id: 'r1', type: 'rect', startMs: 0, endMs: 1000, x: 0, y: 0, w: 0.5, h: 0.5 }
  ]
}

beforeEach(async () => {
  ;({ dir: dataDir, cleanup } = await tempDir('sidecast-queue-'))
  projects = createTestProjectStore({
    dataDir,
    mediaTools: () => {
      throw new Error('no ffmpeg in this test')
    },
    mediaUrl: (id, file) => `media://${id}/${file}`
  })
  tus = new FakeTus()
  exporter = new FakeExporter()
  credentials = { url: 'https://lib.test', token: 'token-1' }
  recording = new Set()
  stored = []
  shared = []
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
    exporter,
    credentials: async () => credentials,
    defaultPreset: () => ({ size: '720p', quality: 'small' }),
    storeLink: async (projectId, video) => {
      // What the user could see at the moment the link is stored.
      const state = queues[queues.length - 1]?.list().find((u) => u.projectId === projectId)?.state
      stored.push({ projectId, video, state })
    },
    announce: async (video, title) => {
      shared.push({ video, title })
    },
    emit: (info) => events.push(info),
    retryDelaysMs: [30, 60],
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

async function waitState(queue: UploadQueue, id: string, state: UploadState): Promise<UploadInfo> {
  await vi.waitFor(() => expect(queue.get(id).state).toBe(state), { timeout: 5000 })
  return queue.get(id)
}

async function waitRuns(count: number): Promise<void> {
  await vi.waitFor(() => expect(tus.runs.length).toBe(count), { timeout: 5000 })
}

function statesOf(id: string): UploadState[] {
  const states: UploadState[] = []
  for (const e of events)
    if (e.id === id && states[states.length - 1] !== e.state) states.push(e.state)
  return states
}

async function storedQueue(): Promise<{ uploads: Record<string, unknown>[] }> {
  return JSON.parse(await readFile(join(dataDir, UPLOADS_FOLDER, QUEUE_FILE), 'utf8'))
}

describe('a recording without edits', () => {
  it('goes queued → uploading → done, with the link stored and announced', async () => {
    await makeProject(projects.projectsDir, P1, { size: 12_345 })
    const queue = await started()
    const added = await queue.add(P1, { description: 'How to\nsave' })
    expect(added).toMatchObject({ projectId: P1, title: 'Walkthrough aaaa', bytesTotal: 12_345 })

    await waitRuns(1)
    const { job } = tus.last
    expect(job).toMatchObject({
      endpoint: 'https://lib.test/api/uploads',
      token: 'token-1',
      file: join(projects.projectsDir, P1, 'recording.webm'),
      size: 12_345,
      fingerprint: `sidecast/${P1}/original/12345`,
      metadata: {
        filename: 'walkthrough-aaaa.webm',
        title: 'Walkthrough aaaa',
        description: 'How to\nsave',
        durationMs: '10000',
        projectId: P1
      }
    })
    expect(job.metadata.callouts).toBeUndefined()

    tus.last.send(5000)
    await vi.waitFor(() => expect(queue.get(added.id).bytesSent).toBe(5000))
    expect(queue.get(added.id).fraction).toBeCloseTo(5000 / 12_345)
    tus.last.succeed('https://lib.test/v/abc', 'abc')

    const done = await waitState(queue, added.id, 'done')
    expect(done).toMatchObject({ url: 'https://lib.test/v/abc', fraction: 1, bytesSent: 12_345 })
    expect(statesOf(added.id)).toEqual(['queued', 'uploading', 'done'])
    await vi.waitFor(() => expect(shared).toHaveLength(1))
    expect(shared[0]).toMatchObject({
      title: 'Walkthrough aaaa',
      video: { url: 'https://lib.test/v/abc', videoId: 'abc' }
    })
    // Stored with the project while the upload still showed as uploading: never "done" without it.
    expect(stored).toMatchObject([
      { projectId: P1, video: { url: 'https://lib.test/v/abc' }, state: 'uploading' }
    ])
    expect(tus.forgotten).toEqual([job.fingerprint])
    await vi.waitFor(async () =>
      expect((await storedQueue()).uploads).toMatchObject([
        { id: added.id, state: 'done', url: 'https://lib.test/v/abc', videoId: 'abc' }
      ])
    )
  })

  it('uses the title the user gave', async () => {
    await makeProject(projects.projectsDir, P1)
    const queue = await started()
    const added = await queue.add(P1, { title: '  How to file a bug  ' })
    await waitRuns(1)
    expect(added.title).toBe('How to file a bug')
    expect(tus.last.job.metadata).toMatchObject({
      title: 'How to file a bug',
      filename: 'how-to-file-a-bug.webm'
    })
  })

  it('asks the server for the link when the final answer had none (still processing)', async () => {
    await makeProject(projects.projectsDir, P1)
    tus.statuses = [
      { state: 'processing' },
      { state: 'done', url: 'https://lib.test/v/late', id: 'late' }
    ]
    const queue = await started()
    const { id } = await queue.add(P1, {})
    await waitRuns(1)
    tus.last.succeed(null, null)
    expect((await waitState(queue, id, 'done')).url).toBe('https://lib.test/v/late')
    expect(tus.statusCalls).toBe(2)
  })
})

describe('refusals', () => {
  it('needs the library address and token', async () => {
    await makeProject(projects.projectsDir, P1)
    credentials = null
    const queue = await started()
    await expect(queue.add(P1, {})).rejects.toMatchObject({
      code: 'library-not-set',
      message: "Set the library's address and token in Settings first."
    })
  })

  it('refuses a recording still being recorded', async () => {
    await makeProject(projects.projectsDir, P1, { status: 'recording' })
    await makeProject(projects.projectsDir, P2)
    recording.add(P2)
    const queue = await started()
    await expect(queue.add(P1, {})).rejects.toMatchObject({ code: 'still-recording' })
    await expect(queue.add(P2, {})).rejects.toMatchObject({ code: 'still-recording' })
  })

  it('refuses a second upload of the same recording while one runs, even on a double click', async () => {
    await makeProject(projects.projectsDir, P1)
    const queue = await started()
    const results = await Promise.allSettled([queue.add(P1, {}), queue.add(P1, {})])
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
    await expect(queue.add(P1, {})).rejects.toMatchObject({
      code: 'upload-busy',
      message: expect.stringMatching(/already being uploaded/)
    })
    expect(queue.list()).toHaveLength(1)
  })

  it('sends one upload at a time, in order', async () => {
    await makeProject(projects.projectsDir, P1)
    await makeProject(projects.projectsDir, P2)
    const queue = await started()
    const a = await queue.add(P1, {})
    const b = await queue.add(P2, {})
    await waitRuns(1)
    expect(queue.get(b.id).state).toBe('queued')
    tus.last.succeed()
    await waitState(queue, a.id, 'done')
    await waitRuns(2)
    expect(tus.last.job.fingerprint).toContain(P2)
  })
})

describe('pause, resume, cancel', () => {
  it('pause aborts without deleting; resume continues the same upload from the server offset', async () => {
    await makeProject(projects.projectsDir, P1, { size: 10_000 })
    const queue = await started()
    const { id } = await queue.add(P1, {})
    await waitRuns(1)
    const first = tus.last
    first.send(4000)

    const paused = await queue.pause(id)
    expect(paused.state).toBe('paused')
    expect(first).toMatchObject({ aborted: true, terminated: false })
    expect(tus.terminated).toEqual([])

    await queue.resume(id)
    await waitRuns(2)
    expect(tus.last.job.fingerprint).toBe(first.job.fingerprint)
    await vi.waitFor(() => expect(queue.get(id).bytesSent).toBe(4000))
    tus.last.send(6000)
    tus.last.succeed()
    await waitState(queue, id, 'done')
  })

  it('cancel deletes the upload on the server and leaves nothing to resume', async () => {
    await makeProject(projects.projectsDir, P1)
    const queue = await started()
    const { id } = await queue.add(P1, {})
    await waitRuns(1)
    tus.last.send(1000)
    const cancelled = await queue.cancel(id)
    expect(cancelled.state).toBe('cancelled')
    await vi.waitFor(() => expect(tus.last.terminated).toBe(true))
    await expect(queue.resume(id)).rejects.toMatchObject({ code: 'upload-finished' })
    // Cancelled is final: a new upload of the project may start.
    await queue.add(P1, {})
    await waitRuns(2)
  })

  it('cancel of a paused upload deletes it on the server by its fingerprint', async () => {
    await makeProject(projects.projectsDir, P1)
    const queue = await started()
    const { id } = await queue.add(P1, {})
    await waitRuns(1)
    const fingerprint = tus.last.job.fingerprint
    await queue.pause(id)
    await queue.cancel(id)
    await vi.waitFor(() => expect(tus.terminated).toEqual([fingerprint]))
  })

  it('says what is wrong for actions that do not apply', async () => {
    await makeProject(projects.projectsDir, P1)
    const queue = await started()
    await expect(queue.pause('nope')).rejects.toMatchObject({ code: 'upload-not-found' })
    const { id } = await queue.add(P1, {})
    await waitRuns(1)
    tus.last.succeed()
    await waitState(queue, id, 'done')
    await expect(queue.pause(id)).rejects.toMatchObject({ code: 'upload-not-running' })
    await expect(queue.cancel(id)).rejects.toMatchObject({
      message: expect.stringMatching(/delete it in the library/)
    })
  })
})

describe('failures', () => {
  it('retries network and server errors with backoff, resuming the same upload', async () => {
    await makeProject(projects.projectsDir, P1, { size: 10_000 })
    const queue = await started({ retryDelaysMs: [40, 80] })
    const { id } = await queue.add(P1, {})
    await waitRuns(1)
    tus.last.send(3000)
    tus.last.fail({ kind: 'retry', message: 'The connection to the library was cut.' })

    const waiting = queue.get(id)
    expect(waiting).toMatchObject({
      state: 'queued',
      error: 'Waiting to retry: The connection to the library was cut.',
      bytesSent: 3000
    })
    await waitRuns(2)
    expect(tus.last.job.fingerprint).toBe(tus.runs[0]!.job.fingerprint)
    expect(tus.terminated).toEqual([])
    await vi.waitFor(() => expect(queue.get(id).state).toBe('uploading'))
    // No progress, another failure, another wait; then the upload goes through.
    tus.last.fail({ kind: 'retry', message: 'The library answered HTTP 503.' })
    await waitRuns(3)
    tus.last.send(7000)
    tus.last.succeed()
    await waitState(queue, id, 'done')
    expect(queue.get(id).error).toBeUndefined()
  })

  it('waits as long as a busy library asks (Retry-After) instead of its own backoff, and says so', async () => {
    await makeProject(projects.projectsDir, P1)
    const queue = await started({ retryDelaysMs: [10] })
    const { id } = await queue.add(P1, {})
    await waitRuns(1)
    const failedAt = Date.now()
    tus.last.fail({ kind: 'retry', message: 'The library is busy (HTTP 503).', retryAfterMs: 400 })
    expect(queue.get(id)).toMatchObject({
      state: 'queued',
      error: 'The library is busy — retrying in 1 s'
    })
    await waitRuns(2)
    expect(Date.now() - failedAt).toBeGreaterThanOrEqual(380)
    expect(tus.last.job.fingerprint).toBe(tus.runs[0]!.job.fingerprint)
    tus.last.succeed()
    await waitState(queue, id, 'done')
  })

  it('goes at once when the network comes back instead of waiting out the backoff', async () => {
    await makeProject(projects.projectsDir, P1)
    const queue = await started({ retryDelaysMs: [60_000] })
    const { id } = await queue.add(P1, {})
    await waitRuns(1)
    tus.last.fail({ kind: 'retry', message: 'There is no network connection.' })
    await new Promise((r) => setTimeout(r, 50))
    expect(tus.runs).toHaveLength(1)
    expect(queue.get(id).error).toMatch(/^Waiting to retry/)
    queue.networkBack()
    await waitRuns(2)
  })

  it('stops on a refused token, does not retry, and resumes when a new token is set', async () => {
    await makeProject(projects.projectsDir, P1)
    const queue = await started({ retryDelaysMs: [10] })
    const { id } = await queue.add(P1, {})
    await waitRuns(1)
    tus.last.send(2000)
    tus.last.fail({ kind: 'auth', message: AUTH_REFUSED_MESSAGE })
    const failed = await waitState(queue, id, 'failed')
    expect(failed).toMatchObject({
      needsToken: true,
      error: 'The library refused the access token. Enter a new token in Settings.'
    })
    await new Promise((r) => setTimeout(r, 100))
    expect(tus.runs).toHaveLength(1)

    credentials = { url: 'https://lib.test', token: 'token-2' }
    queue.credentialsChanged()
    await waitRuns(2)
    expect(tus.last.job.token).toBe('token-2')
    expect(queue.get(id).needsToken).toBeUndefined()
    tus.last.succeed()
    await waitState(queue, id, 'done')
  })

  it('fails for good when the server refuses the file (not a video)', async () => {
    await makeProject(projects.projectsDir, P1)
    const queue = await started({ retryDelaysMs: [10] })
    const { id } = await queue.add(P1, {})
    await waitRuns(1)
    tus.last.fail({
      kind: 'rejected',
      status: 422,
      message: 'The library did not accept the file: no video stream.'
    })
    expect((await waitState(queue, id, 'failed')).error).toBe(
      'The library did not accept the file: no video stream.'
    )
    await new Promise((r) => setTimeout(r, 80))
    expect(tus.runs).toHaveLength(1)
    // A new upload of the project replaces the failed one.
    await queue.add(P1, {})
    expect(queue.list().filter((u) => u.projectId === P1)).toHaveLength(1)
  })

  it('fails clearly when the recording file is gone', async () => {
    await makeProject(projects.projectsDir, P1)
    const queue = await started()
    await queue.pause((await queue.add(P1, {})).id).catch(() => undefined)
    const [entry] = queue.list()
    const { rm } = await import('node:fs/promises')
    await rm(join(projects.projectsDir, P1, 'recording.webm'))
    await queue.resume(entry!.id)
    expect((await waitState(queue, entry!.id, 'failed')).error).toMatch(/recording.webm is missing/)
  })
})

describe('a recording with edits', () => {
  it('exports first (with progress) into a file the upload owns, then uploads it and removes it', async () => {
    await makeProject(projects.projectsDir, P1, { edits: EDITS })
    const queue = await started()
    const added = await queue.add(P1, {})
    expect(added).toMatchObject({ state: 'exporting', bytesTotal: null })

    await vi.waitFor(() => expect(exporter.calls).toHaveLength(1))
    const outFile = join(dataDir, UPLOADS_FOLDER, `${added.id}.mp4`)
    expect(exporter.last.outFile).toBe(outFile)
    exporter.last.progress(0.5)
    await vi.waitFor(() => expect(queue.get(added.id).fraction).toBe(0.5))
    await exporter.last.finish(Buffer.alloc(4321, 9))

    await waitRuns(1)
    const { job } = tus.last
    expect(job.file).toBe(outFile)
    expect(job.size).toBe(4321)
    expect(job.fingerprint).toMatch(new RegExp(`^sidecast/${P1}/[0-9a-f]{64}/4321$`))
    expect(job.metadata).toMatchObject({ filename: 'walkthrough-aaaa.mp4', durationMs: '8000' })
    // The callout at 5–6 s of the recording shows at 3–4 s of the cut video.
    expect(JSON.parse(job.metadata.callouts!)).toEqual([
      { startMs: 3000, endMs: 4000, text: 'Click Save', type: 'callout' }
    ])
    tus.last.succeed()
    await waitState(queue, added.id, 'done')
    await vi.waitFor(() => expect(existsSync(outFile)).toBe(false))
    expect(statesOf(added.id)).toEqual(['exporting', 'queued', 'uploading', 'done'])
  })

  it('gives the same fingerprint to the same edits exported the same way', async () => {
    await makeProject(projects.projectsDir, P1, { edits: EDITS })
    await makeProject(projects.projectsDir, P2, { edits: EDITS })
    const queue = await started()
    await queue.add(P1, {})
    await vi.waitFor(() => expect(exporter.calls).toHaveLength(1))
    await exporter.last.finish(Buffer.alloc(100))
    await waitRuns(1)
    const first = tus.last.job.fingerprint
    expect(first.split('/')[2]).toHaveLength(64)
    // Another project with the same edits differs only by its id.
    await queue.add(P2, {})
    await vi.waitFor(() => expect(exporter.calls).toHaveLength(2))
    await exporter.last.finish(Buffer.alloc(100))
    tus.runs[0]!.succeed()
    await waitRuns(2)
    expect(tus.last.job.fingerprint).toBe(first.replace(P1, P2))
  })

  it('fails with the reason when the export fails', async () => {
    await makeProject(projects.projectsDir, P1, { edits: EDITS })
    const queue = await started()
    const { id } = await queue.add(P1, {})
    await vi.waitFor(() => expect(exporter.calls).toHaveLength(1))
    exporter.last.fail('ffmpeg exited with code 1')
    expect((await waitState(queue, id, 'failed')).error).toBe(
      'The video could not be prepared for upload: ffmpeg exited with code 1'
    )
  })

  it('pause during the export stops it; resume exports again', async () => {
    await makeProject(projects.projectsDir, P1, { edits: EDITS })
    const queue = await started()
    const { id } = await queue.add(P1, {})
    await vi.waitFor(() => expect(exporter.calls).toHaveLength(1))
    expect((await queue.pause(id)).state).toBe('paused')
    expect(exporter.last.signal.aborted).toBe(true)
    await new Promise((r) => setTimeout(r, 50))
    expect(exporter.calls).toHaveLength(1)
    expect(queue.get(id).state).toBe('paused')
    expect((await queue.resume(id)).state).toBe('exporting')
    await vi.waitFor(() => expect(exporter.calls).toHaveLength(2))
    await exporter.last.finish()
    await waitRuns(1)
  })

  it('cancel during the export stops it and removes the file', async () => {
    await makeProject(projects.projectsDir, P1, { edits: EDITS })
    const queue = await started()
    const { id } = await queue.add(P1, {})
    await vi.waitFor(() => expect(exporter.calls).toHaveLength(1))
    await queue.cancel(id)
    expect(exporter.last.signal.aborted).toBe(true)
    expect(tus.runs).toHaveLength(0)
  })
})

describe('persistence across restarts', () => {
  it('a new queue over the same data dir resumes unfinished uploads by itself; paused ones stay paused', async () => {
    await makeProject(projects.projectsDir, P1, { size: 10_000 })
    await makeProject(projects.projectsDir, P2, { size: 20_000 })
    const first = await started()
    const a = await first.add(P1, {})
    const b = await first.add(P2, {})
    await waitRuns(1)
    tus.last.send(6000)
    await first.pause(b.id)
    await first.shutdown()
    expect(tus.runs[0]!.aborted).toBe(true)
    expect(tus.terminated).toEqual([])

    const second = await started()
    await waitRuns(2)
    expect(tus.last.job.fingerprint).toBe(tus.runs[0]!.job.fingerprint)
    await vi.waitFor(() => expect(second.get(a.id).bytesSent).toBe(6000))
    expect(second.get(b.id).state).toBe('paused')
    tus.last.send(4000)
    tus.last.succeed()
    await waitState(second, a.id, 'done')
    // The paused one waits for the user.
    await new Promise((r) => setTimeout(r, 50))
    expect(tus.runs).toHaveLength(2)
    expect(second.get(b.id).state).toBe('paused')
  })

  it('a restart during the export redoes the export instead of uploading a partial file', async () => {
    await makeProject(projects.projectsDir, P1, { edits: EDITS })
    const first = await started()
    const { id } = await first.add(P1, {})
    await vi.waitFor(() => expect(exporter.calls).toHaveLength(1))
    exporter.last.progress(0.7)
    await first.shutdown()
    // What a crash mid-export could leave behind.
    const outFile = join(dataDir, UPLOADS_FOLDER, `${id}.mp4`)
    await mkdir(join(dataDir, UPLOADS_FOLDER), { recursive: true })
    await writeFile(outFile, 'partial')
    await writeFile(`${outFile}.part`, 'partial')

    const second = await started()
    await vi.waitFor(() => expect(exporter.calls).toHaveLength(2))
    expect(exporter.staleFileAtStart[1]).toBe(false)
    expect(second.get(id).state).toBe('exporting')
    await exporter.last.finish(Buffer.alloc(3000))
    await waitRuns(1)
    expect(tus.last.job.size).toBe(3000)
  })

  it('a refused token stays refused after a restart, but a changed token resumes', async () => {
    await makeProject(projects.projectsDir, P1)
    const first = await started()
    const { id } = await first.add(P1, {})
    await waitRuns(1)
    tus.last.fail({ kind: 'auth', message: AUTH_REFUSED_MESSAGE })
    await waitState(first, id, 'failed')
    await first.shutdown()

    const second = await started()
    await new Promise((r) => setTimeout(r, 50))
    expect(second.get(id)).toMatchObject({ state: 'failed', needsToken: true })
    expect(tus.runs).toHaveLength(1)
    await second.shutdown()

    credentials = { url: 'https://lib.test', token: 'token-from-env' }
    await started()
    await waitRuns(2)
    expect(tus.last.job.token).toBe('token-from-env')
  })

  it('keeps finished uploads with their links across restarts', async () => {
    await makeProject(projects.projectsDir, P1)
    const first = await started()
    const { id } = await first.add(P1, {})
    await waitRuns(1)
    tus.last.succeed('https://lib.test/v/kept', 'kept')
    await waitState(first, id, 'done')
    await first.shutdown()
    const second = await started()
    expect(second.get(id)).toMatchObject({ state: 'done', url: 'https://lib.test/v/kept' })
  })
})

describe('progress', () => {
  it('tells progress at most every interval, with speed and time left from a sliding window', async () => {
    await makeProject(projects.projectsDir, P1, { size: 100_000 })
    let clock = 1_000_000
    const queue = await started({ now: () => clock, progressIntervalMs: 250, speedWindowMs: 5000 })
    const { id } = await queue.add(P1, {})
    await waitRuns(1)
    const before = events.filter((e) => e.id === id).length
    clock += 300
    for (let i = 1; i <= 10; i++) tus.last.send(100)
    // All at the same instant: one event now (the latest value follows with the next one).
    expect(events.filter((e) => e.id === id).length - before).toBe(1)
    expect(queue.get(id).speedBps).toBeNull()
    clock += 2000
    tus.last.send(2000)
    const latest = queue.get(id)
    expect(latest.bytesSent).toBe(3000)
    // From 100 bytes to 3000 bytes in 2 s.
    expect(latest.speedBps).toBe(1450)
    expect(latest.etaMs).toBe(Math.round((97_000 * 1000) / 1450))
    expect(events.filter((e) => e.id === id).length - before).toBe(2)
  })
})

describe('a recording already in the library', () => {
  async function linked(edits?: Edits): Promise<void> {
    await makeProject(projects.projectsDir, P1, edits ? { edits } : {})
    await writeFile(
      join(projects.projectsDir, P1, 'share.json'),
      JSON.stringify({ url: 'https://lib.test/v/vid-1', videoId: 'vid-1', uploadedAt: '' })
    )
  }

  it('is sent as a new version of its video (replaces), with its own fingerprint', async () => {
    await linked()
    const queue = await started()
    await queue.add(P1, { title: 'Take two' })
    await waitRuns(1)
    expect(tus.last.job.metadata).toMatchObject({ title: 'Take two', replaces: 'vid-1' })
    expect(tus.last.job.fingerprint).toBe(`sidecast/${P1}/original~replaces-vid-1/10000`)
  })

  it('keeps replaces through an export', async () => {
    await linked(EDITS)
    const queue = await started()
    await queue.add(P1, {})
    await vi.waitFor(() => expect(exporter.calls).toHaveLength(1))
    await exporter.last.finish(Buffer.alloc(100, 1))
    await waitRuns(1)
    expect(tus.last.job.metadata.replaces).toBe('vid-1')
    expect(tus.last.job.fingerprint).toMatch(/~replaces-vid-1\/100$/)
  })

  it('is a new video when asked (asNewVideo)', async () => {
    await linked()
    const queue = await started()
    await queue.add(P1, { asNewVideo: true })
    await waitRuns(1)
    expect(tus.last.job.metadata.replaces).toBeUndefined()
    expect(tus.last.job.fingerprint).toBe(`sidecast/${P1}/original/10000`)
  })
})
