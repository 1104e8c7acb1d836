/**
 * The upload queue's side of the edits sync, against a fake tus layer and a fake exporter: with a
 * library that applies edits itself a recording with edits goes as it is (no export; metadata of
 * the unedited recording) and the sync is told once the link is stored; with an older library it
 * is exported first as before; the decision survives a restart (queue.json).
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Edits } from '../../../../src/shared/edits'
import type { UploadState } from '../../../../src/shared/ipc'
import {
  createUploadQueue,
  type FinishedUpload,
  type UploadQueue,
  type UploadQueueOptions
} from '../../../../src/main/share/upload-queue'
import { QUEUE_FILE, UPLOADS_FOLDER } from '../../../../src/main/share/upload-queue-file'
import { createTestProjectStore, type TestProjectStore } from '../../../support/project-store'
import { FakeExporter, FakeTus, makeProject } from '../helpers/fake-share'
import { tempDir } from '../helpers/fakes'

const P1 = '20261129-120000-edit'

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
    }
  ]
}

let dataDir: string
let cleanup: () => Promise<void>
let projects: TestProjectStore
let tus: FakeTus
let exporter: FakeExporter
let finished: FinishedUpload[]
let order: string[]
let featureQuestions: number
let queues: UploadQueue[]

beforeEach(async () => {
  ;({ dir: dataDir, cleanup } = await tempDir('sidecast-edits-upload-'))
  projects = createTestProjectStore({
    dataDir,
    mediaTools: () => {
      throw new Error('no ffmpeg in this test')
    },
    mediaUrl: (id, file) => `media://${id}/${file}`
  })
  tus = new FakeTus()
  exporter = new FakeExporter()
  finished = []
  order = []
  featureQuestions = 0
  queues = []
})

afterEach(async () => {
  for (const queue of queues) await queue.shutdown()
  await cleanup()
})

async function started(
  takesEdits: boolean,
  overrides: Partial<UploadQueueOptions> = {}
): Promise<UploadQueue> {
  const queue = createUploadQueue({
    dataDir,
    tus,
    projects: {
      readFacts: (id) => projects.readFacts(id),
      projectDir: (id) => projects.projectDir(id),
      isRecording: () => false
    },
    exporter,
    credentials: async () => ({ url: 'https://lib.test', token: 'token-1' }),
    defaultPreset: () => ({ size: '720p', quality: 'small' }),
    storeLink: async () => {
      order.push('link stored')
    },
    announce: async () => {
      order.push('announced')
    },
    emit: () => undefined,
    takesEdits: async () => {
      featureQuestions++
      return takesEdits
    },
    uploaded: async (upload) => {
      order.push('sync told')
      finished.push(upload)
    },
    retryDelaysMs: [30, 60],
    warn: () => undefined,
    ...overrides
  })
  queues.push(queue)
  await queue.start()
  return queue
}

async function waitState(queue: UploadQueue, id: string, state: UploadState): Promise<void> {
  await vi.waitFor(() => expect(queue.get(id).state).toBe(state), { timeout: 5000 })
}

describe('a library that applies edits itself', () => {
  it('gets the recording as it is with the unedited metadata, and the sync is told when done', async () => {
    await makeProject(projects.projectsDir, P1, { size: 4321, edits: EDITS })
    const queue = await started(true)
    const info = await queue.add(P1, {})
    expect(info.state).toBe('queued')
    await vi.waitFor(() => expect(tus.runs).toHaveLength(1))
    const job = tus.last.job
    expect(job.file).toBe(join(projects.projectDir(P1), 'recording.webm'))
    expect(job.size).toBe(4321)
    // The recording's own length and no callouts: those come from the edits.
    expect(job.metadata.durationMs).toBe('10000')
    expect(job.metadata.callouts).toBeUndefined()
    expect(job.metadata.filename).toMatch(/\.webm$/)
    // Viewers get nothing of it until the edits are there.
    expect(job.metadata.editsFollow).toBe('1')

    tus.last.send(4321)
    tus.last.succeed('https://lib.test/v/vid9', 'vid9')
    await waitState(queue, info.id, 'done')
    expect(exporter.calls).toEqual([])
    expect(finished).toEqual([
      { projectId: P1, videoId: 'vid9', source: 'recording', sendsEdits: true, replaced: false }
    ])
    // The edits are with the library before the link is announced.
    expect(order).toEqual(['link stored', 'sync told', 'announced'])
  })

  it('keeps the decision across a restart (queue.json), without asking again', async () => {
    await makeProject(projects.projectsDir, P1, { size: 1000, edits: EDITS })
    const first = await started(true)
    const { id } = await first.add(P1, {})
    await vi.waitFor(() => expect(tus.runs).toHaveLength(1))
    await first.shutdown()
    const stored = JSON.parse(
      await readFile(join(dataDir, UPLOADS_FOLDER, QUEUE_FILE), 'utf8')
    ) as { uploads: { sendsEdits?: boolean; source: string }[] }
    expect(stored.uploads[0]).toMatchObject({ sendsEdits: true, source: 'recording' })

    const asked = featureQuestions
    const second = await started(false)
    await vi.waitFor(() => expect(tus.runs).toHaveLength(2))
    tus.last.send(1000)
    tus.last.succeed('https://lib.test/v/vid2', 'vid2')
    await waitState(second, id, 'done')
    expect(featureQuestions).toBe(asked)
    expect(exporter.calls).toEqual([])
    expect(finished[0]).toMatchObject({ sendsEdits: true, videoId: 'vid2' })
  })
})

describe('an older library', () => {
  it('exports a recording with edits first, as before, and sends the edited metadata', async () => {
    await makeProject(projects.projectsDir, P1, { edits: EDITS })
    const queue = await started(false)
    const info = await queue.add(P1, {})
    expect(info.state).toBe('exporting')
    await vi.waitFor(() => expect(exporter.calls).toHaveLength(1))
    await exporter.last.finish()
    await vi.waitFor(() => expect(tus.runs).toHaveLength(1))
    expect(tus.last.job.metadata.durationMs).toBe('8000')
    expect(tus.last.job.metadata.editsFollow).toBeUndefined()
    expect(JSON.parse(tus.last.job.metadata.callouts!)).toEqual([
      { startMs: 3000, endMs: 4000, text: 'Click Save', type: 'callout' }
    ])
    tus.last.send(5000)
    tus.last.succeed()
    await waitState(queue, info.id, 'done')
    expect(finished[0]).toMatchObject({ source: 'export', sendsEdits: false })
  })

  it('is not asked about features for a recording without edits', async () => {
    await makeProject(projects.projectsDir, P1)
    const queue = await started(true)
    await queue.add(P1, {})
    expect(featureQuestions).toBe(0)
  })
})
