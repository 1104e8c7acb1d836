/**
 * Recording an answer to a library request: `recording:start`'s `answer` is checked, the take is
 * titled with the request and recording.json keeps `answers` through the finish (and a restart);
 * the loader accepts old files without it and refuses a malformed one.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { requireStartRequest } from '../../../../src/main/ipc/ipc-args'
import {
  createRecorderService,
  type RecorderService
} from '../../../../src/main/recording/recorder-service'
import { loadFacts, type RecordingFacts } from '../../../../src/shared/project'
import { DEFAULT_SETTINGS } from '../../../../src/shared/settings'
import { createTestProjectStore, type TestProjectStore } from '../../../support/project-store'
import { bytes, fakeMediaTools, tempDir } from '../helpers/fakes'

const REQUEST = { mimeType: 'video/webm;codecs=vp8,opus', sourceName: 'Entire screen' }
const ANSWER = { requestId: 'Req_123-abc', title: 'How do I reconcile supplier invoices?' }

let cleanup: () => Promise<void>
let projects: TestProjectStore
let recorder: RecorderService

beforeEach(async () => {
  const temp = await tempDir('sidecast-answer-')
  cleanup = temp.cleanup
  const tools = fakeMediaTools()
  projects = createTestProjectStore({
    dataDir: temp.dir,
    mediaTools: () => tools,
    mediaUrl: (id, file) => `media://${id}/${file}`,
    warn: () => undefined
  })
  recorder = createRecorderService({
    capture: projects,
    projects,
    settings: () => DEFAULT_SETTINGS,
    preventSleep: () => () => undefined,
    freeBytes: async () => 10_000 * 1024 * 1024,
    warn: () => undefined
  })
})

afterEach(async () => {
  await projects.close()
  await cleanup()
})

async function factsOnDisk(id: string): Promise<RecordingFacts> {
  return loadFacts(await readFile(join(projects.projectDir(id), 'recording.json'), 'utf8'))
}

describe('recording an answer', () => {
  it('titles the take with the request and keeps answers in recording.json through the finish', async () => {
    const started = await recorder.start(requireStartRequest({ ...REQUEST, answer: ANSWER }))
    expect(started.title).toBe(ANSWER.title)
    expect(await factsOnDisk(started.projectId)).toMatchObject({
      title: ANSWER.title,
      answers: ANSWER.requestId,
      status: 'recording'
    })
    await recorder.chunk(started.projectId, 0, bytes(1000, 1))
    await recorder.stop(started.projectId, {})
    expect(await factsOnDisk(started.projectId)).toMatchObject({
      title: ANSWER.title,
      answers: ANSWER.requestId,
      status: 'complete'
    })
  })

  it('keeps the answer in a restarted take', async () => {
    const request = requireStartRequest({ ...REQUEST, answer: ANSWER })
    const first = await recorder.start(request)
    const second = await recorder.restart(first.projectId, request)
    expect(await factsOnDisk(second.projectId)).toMatchObject({ answers: ANSWER.requestId })
    await recorder.discard(second.projectId)
  })

  it('leaves an ordinary recording without answers and with its dated title', async () => {
    const started = await recorder.start(requireStartRequest(REQUEST))
    expect(started.title).toMatch(/^Recording /)
    expect('answers' in (await factsOnDisk(started.projectId))).toBe(false)
    await recorder.discard(started.projectId)
  })
})

describe('requireStartRequest answer', () => {
  it('keeps a well-formed answer, the title on one line and trimmed', () => {
    expect(
      requireStartRequest({ ...REQUEST, answer: { requestId: 'abc', title: '  Line\none\t ' } })
        .answer
    ).toEqual({ requestId: 'abc', title: 'Line one' })
    expect(requireStartRequest({ ...REQUEST, answer: null }).answer).toBeUndefined()
  })

  it.each([
    ['a request id with a slash', { requestId: '../etc', title: 't' }],
    ['an empty request id', { requestId: '', title: 't' }],
    ['a request id that is a number', { requestId: 12, title: 't' }],
    ['a request id of 65 characters', { requestId: 'a'.repeat(65), title: 't' }],
    ['an empty title', { requestId: 'abc', title: '   ' }],
    ['a title of 201 characters', { requestId: 'abc', title: 'x'.repeat(201) }],
    ['a huge title', { requestId: 'abc', title: 'x'.repeat(100_000) }],
    ['a title that is not text', { requestId: 'abc', title: ['t'] }],
    ['an answer that is not an object', 'abc']
  ])('refuses %s', (_name, answer) => {
    expect(() => requireStartRequest({ ...REQUEST, answer })).toThrow(
      expect.objectContaining({ code: 'bad-request' })
    )
  })
})

describe('recording.json answers', () => {
  const base = {
    version: 1,
    id: '2026-12-03_1000_abcd',
    status: 'complete',
    title: 'T',
    createdAt: '2026-12-03T10:00:00.000Z',
    sourceName: 'Entire screen',
    file: 'recording.webm',
    container: 'webm',
    mimeType: 'video/webm'
  }

  it('loads old files without it and files with a request id', () => {
    expect(loadFacts(base).answers).toBeUndefined()
    expect(loadFacts({ ...base, answers: 'Req_1' }).answers).toBe('Req_1')
  })

  it('names a malformed answers field', () => {
    expect(() => loadFacts({ ...base, answers: 'a b' })).toThrow(/"answers" must be a request id/)
    expect(() => loadFacts({ ...base, answers: 5 })).toThrow(/"answers"/)
  })
})
