import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  captureFileFor,
  createProjectStore,
  type ProjectStore
} from '../../../../src/main/projects/project-store'
import { SidecastError } from '../../../../src/shared/errors'
import type { RecordingFacts } from '../../../../src/shared/project'
import { bytes, fakeMediaTools, tempDir, type FakeMediaTools } from '../helpers/fakes'

let dataDir: string
let cleanup: () => Promise<void>
let tools: FakeMediaTools
let store: ProjectStore
const warnings: string[] = []

function makeStore(): ProjectStore {
  return createProjectStore({
    dataDir,
    mediaTools: () => tools,
    mediaUrl: (id, file) => `media://${id}/${file}`,
    now: () => new Date(2026, 10, 29, 14, 22, 33),
    factsIntervalMs: 0,
    warn: (message) => warnings.push(message)
  })
}

beforeEach(async () => {
  ;({ dir: dataDir, cleanup } = await tempDir('sidecast-store-'))
  tools = fakeMediaTools()
  warnings.length = 0
  store = makeStore()
})

afterEach(async () => {
  await store.close()
  await cleanup()
})

async function factsOnDisk(id: string): Promise<RecordingFacts> {
  return JSON.parse(
    await readFile(join(store.projectDir(id), 'recording.json'), 'utf8')
  ) as RecordingFacts
}

async function rejection(promise: Promise<unknown>): Promise<SidecastError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(SidecastError)
  return error as SidecastError
}

async function writeProject(folder: string, facts: unknown, capture?: Uint8Array): Promise<void> {
  const dir = join(dataDir, 'projects', folder)
  await mkdir(dir, { recursive: true })
  await writeFile(
    join(dir, 'recording.json'),
    typeof facts === 'string' ? facts : JSON.stringify(facts)
  )
  if (capture) await writeFile(join(dir, 'capture.webm'), capture)
}

function validFacts(id: string, overrides: Partial<RecordingFacts> = {}): RecordingFacts {
  return {
    version: 1,
    id,
    status: 'complete',
    title: `Title ${id}`,
    createdAt: '2026-11-29T10:00:00.000Z',
    sourceName: 'Entire screen',
    file: 'recording.webm',
    container: 'webm',
    mimeType: 'video/webm;codecs=vp8,opus',
    ...overrides
  }
}

describe('create', () => {
  it('makes a folder with an empty capture file and recording.json saying "recording"', async () => {
    const facts = await store.create({
      sourceName: 'Entire screen',
      mimeType: 'video/webm;codecs=vp9,opus'
    })
    expect(facts.id).toMatch(/^20261129-142233-[0-9a-f]{4}$/)
    expect(facts).toMatchObject({
      version: 1,
      status: 'recording',
      title: 'Recording 2026-11-29 14:22',
      sourceName: 'Entire screen',
      file: 'capture.webm',
      container: 'webm',
      mimeType: 'video/webm;codecs=vp9,opus',
      bytesWritten: 0
    })
    expect(await factsOnDisk(facts.id)).toEqual(facts)
    expect(await readFile(join(store.projectDir(facts.id), 'capture.webm'))).toHaveLength(0)
    expect(await readdir(store.projectDir(facts.id))).toEqual(['capture.webm', 'recording.json'])
  })

  it('gives unique ids to recordings started in the same second', async () => {
    const ids = new Set<string>()
    for (let i = 0; i < 5; i++)
      ids.add((await store.create({ sourceName: 's', mimeType: 'video/webm' })).id)
    expect(ids.size).toBe(5)
  })

  it.each([
    ['video/webm;codecs=h264,opus', 'capture.webm', 'webm'],
    ['video/webm', 'capture.webm', 'webm'],
    ['video/mp4;codecs=avc1', 'capture.mp4', 'mp4'],
    ['video/x-matroska;codecs=avc1', 'capture.mkv', 'mkv']
  ])('captureFileFor(%s) → %s', (mimeType, file, container) => {
    expect(captureFileFor(mimeType)).toEqual({ file, container })
  })
})

describe('appendChunk', () => {
  it.each([
    { name: 'in order', seqs: [0, 1, 2], written: [0, 1, 2] },
    { name: 'a resent chunk is ignored', seqs: [0, 1, 1, 2, 0], written: [0, 1, 2] },
    { name: 'single chunk', seqs: [0], written: [0] }
  ])('$name', async ({ seqs, written }) => {
    const { id } = await store.create({ sourceName: 's', mimeType: 'video/webm' })
    const acks: number[] = []
    for (const seq of seqs)
      acks.push((await store.appendChunk(id, seq, bytes(10 + seq, seq + 1))).bytesWritten)
    const expected = Buffer.concat(written.map((seq) => Buffer.from(bytes(10 + seq, seq + 1))))
    expect(await readFile(join(store.projectDir(id), 'capture.webm'))).toEqual(expected)
    expect(acks.at(-1)).toBe(expected.length)
    expect((await factsOnDisk(id)).bytesWritten).toBe(expected.length)
  })

  it('refuses a gap, writes nothing for it, and carries on with the expected chunk', async () => {
    const { id } = await store.create({ sourceName: 's', mimeType: 'video/webm' })
    await store.appendChunk(id, 0, bytes(4, 1))
    const error = await rejection(store.appendChunk(id, 2, bytes(4, 3)))
    expect(error.code).toBe('chunk-gap')
    expect(error.message).toMatch(/Part 2 .* part 1/)
    await store.appendChunk(id, 1, bytes(4, 2))
    expect(await readFile(join(store.projectDir(id), 'capture.webm'))).toEqual(
      Buffer.from([1, 1, 1, 1, 2, 2, 2, 2])
    )
  })

  it('serialises chunks sent without waiting for each ack', async () => {
    const { id } = await store.create({ sourceName: 's', mimeType: 'video/webm' })
    const sends = Array.from({ length: 20 }, (_, seq) =>
      store.appendChunk(id, seq, bytes(1000, seq))
    )
    const acks = await Promise.all(sends)
    expect(acks.map((a) => a.bytesWritten)).toEqual(
      Array.from({ length: 20 }, (_, i) => (i + 1) * 1000)
    )
    const data = await readFile(join(store.projectDir(id), 'capture.webm'))
    expect(Array.from({ length: 20 }, (_, i) => data[i * 1000])).toEqual(
      Array.from({ length: 20 }, (_, i) => i)
    )
  })

  it.each([
    { name: 'an unknown recording', id: '20990101-000000-beef', seq: 0, code: 'not-recording' },
    { name: 'a traversal id', id: '../x', seq: 0, code: 'bad-project-id' },
    { name: 'a negative chunk number', id: null, seq: -1, code: 'bad-request' },
    { name: 'a fractional chunk number', id: null, seq: 1.5, code: 'bad-request' }
  ])('rejects $name', async ({ id, seq, code }) => {
    const created = await store.create({ sourceName: 's', mimeType: 'video/webm' })
    const error = await rejection(store.appendChunk(id ?? created.id, seq, bytes(1, 1)))
    expect(error.code).toBe(code)
  })
})

describe('finish', () => {
  async function recorded(chunks = 3): Promise<string> {
    const { id } = await store.create({ sourceName: 's', mimeType: 'video/webm;codecs=vp8,opus' })
    for (let seq = 0; seq < chunks; seq++) await store.appendChunk(id, seq, bytes(100, seq))
    return id
  }

  it('remuxes, probes, makes a thumbnail, records the facts, then removes the capture', async () => {
    const id = await recorded()
    const facts = await store.finish(id, { status: 'complete' })
    expect(facts).toMatchObject({
      status: 'complete',
      file: 'recording.webm',
      container: 'webm',
      videoCodec: 'vp8',
      audioCodec: 'opus',
      width: 1920,
      height: 1080,
      durationMs: 4000,
      bytesWritten: 300
    })
    expect(facts.endedBecause).toBeUndefined()
    expect(Date.parse(facts.finishedAt ?? '')).not.toBeNaN()
    expect(await factsOnDisk(id)).toEqual(facts)
    expect((await readdir(store.projectDir(id))).sort()).toEqual([
      'recording.json',
      'recording.webm',
      'thumbnail.jpg'
    ])
    expect(await store.get(id)).toMatchObject({
      mediaUrl: `media://${id}/recording.webm`,
      thumbnailUrl: `media://${id}/thumbnail.jpg`,
      sizeBytes: 300
    })
  })

  it.each([
    ['h264', 'opus', 'recording.mp4', 'mp4'],
    ['vp9', null, 'recording.webm', 'webm'],
    ['vp8', 'aac', 'recording.mkv', 'mkv']
  ] as const)('%s + %s goes to %s', async (videoCodec, audioCodec, file, container) => {
    tools.probeResult = { ...tools.probeResult, videoCodec, audioCodec }
    const id = await recorded()
    expect(await store.finish(id, { status: 'complete' })).toMatchObject({ file, container })
  })

  it('keeps endedBecause and the recovered status when asked', async () => {
    const id = await recorded()
    const facts = await store.finish(id, {
      status: 'recovered',
      endedBecause: 'The window was closed.'
    })
    expect(facts).toMatchObject({ status: 'recovered', endedBecause: 'The window was closed.' })
  })

  it('removes a project with nothing recorded and says so', async () => {
    const id = await recorded(0)
    const error = await rejection(store.finish(id, { status: 'complete' }))
    expect(error.code).toBe('empty-recording')
    expect(error.message).toMatch(/Nothing was recorded/)
    expect(existsSync(store.projectDir(id))).toBe(false)
  })

  it.each(['remux', 'probe'] as const)(
    'never deletes bytes when %s fails: keeps the capture and marks it recovered',
    async (step) => {
      const id = await recorded()
      tools.fail[step] = true
      const error = await rejection(
        store.finish(id, { status: 'complete', endedBecause: 'Stopped.' })
      )
      expect(error.code).toBe('finish-failed')
      expect(error.message).toMatch(/safe/)
      const facts = await factsOnDisk(id)
      expect(facts).toMatchObject({ status: 'recovered', file: 'capture.webm', bytesWritten: 300 })
      expect(facts.endedBecause).toMatch(/^Stopped\. Sidecast could not finish the file/)
      expect(await readFile(join(store.projectDir(id), 'capture.webm'))).toHaveLength(300)
      expect((await store.get(id)).mediaUrl).toBe(`media://${id}/capture.webm`)
    }
  )

  it('still completes without a thumbnail when the thumbnail fails', async () => {
    const id = await recorded()
    tools.fail.thumbnail = true
    const facts = await store.finish(id, { status: 'complete' })
    expect(facts.status).toBe('complete')
    expect((await store.get(id)).thumbnailUrl).toBeNull()
    expect(warnings.join()).toMatch(/no thumbnail/)
  })

  it('moves through the statuses once: recording → complete, then no more chunks or finishes', async () => {
    const id = await recorded()
    expect((await store.get(id)).status).toBe('recording')
    expect((await store.get(id)).mediaUrl).toBeNull()
    await store.finish(id, { status: 'complete' })
    expect((await rejection(store.appendChunk(id, 3, bytes(1, 1)))).code).toBe('not-recording')
    expect((await rejection(store.finish(id, { status: 'complete' }))).code).toBe('not-recording')
    expect(store.activeIds()).toEqual([])
  })

  it('waits for chunks already sent before closing the file', async () => {
    const { id } = await store.create({ sourceName: 's', mimeType: 'video/webm' })
    const pending = [0, 1, 2].map((seq) => store.appendChunk(id, seq, bytes(50, seq)))
    const finished = store.finish(id, { status: 'complete' })
    await Promise.all(pending)
    expect((await finished).bytesWritten).toBe(150)
  })
})

describe('close', () => {
  it('closes open captures unfinished, leaving them to recovery with their bytes counted', async () => {
    const { id } = await store.create({ sourceName: 's', mimeType: 'video/webm' })
    await store.appendChunk(id, 0, bytes(10, 1))
    await store.close()
    expect(store.activeIds()).toEqual([])
    expect(await factsOnDisk(id)).toMatchObject({ status: 'recording', bytesWritten: 10 })
    expect((await rejection(store.appendChunk(id, 1, bytes(1, 1)))).code).toBe('not-recording')
    expect(await store.recoverUnfinished([])).toHaveLength(1)
  })
})

describe('recoverUnfinished', () => {
  it('finishes projects left in "recording", skipping active ones', async () => {
    await writeProject(
      '20261128-090000-aaaa',
      validFacts('20261128-090000-aaaa', { status: 'recording', file: 'capture.webm' }),
      bytes(500, 7)
    )
    await writeProject(
      '20261128-090000-bbbb',
      validFacts('20261128-090000-bbbb', { status: 'recording', file: 'capture.webm' }),
      bytes(500, 7)
    )
    await writeProject(
      '20261128-090000-cccc',
      validFacts('20261128-090000-cccc', { status: 'complete' })
    )
    // Nothing recorded before the crash: removed without a notice.
    await writeProject(
      '20261128-090000-dddd',
      validFacts('20261128-090000-dddd', { status: 'recording', file: 'capture.webm' }),
      new Uint8Array()
    )
    const active = await store.create({ sourceName: 's', mimeType: 'video/webm' })

    const notices = await store.recoverUnfinished(['20261128-090000-bbbb'])
    expect(notices).toEqual([
      {
        projectId: '20261128-090000-aaaa',
        title: 'Title 20261128-090000-aaaa',
        durationMs: 4000,
        problem: null
      }
    ])
    expect((await factsOnDisk('20261128-090000-aaaa')).status).toBe('recovered')
    expect((await factsOnDisk('20261128-090000-aaaa')).endedBecause).toMatch(/closed before/)
    expect((await factsOnDisk('20261128-090000-bbbb')).status).toBe('recording')
    expect(existsSync(store.projectDir('20261128-090000-dddd'))).toBe(false)
    expect((await store.get(active.id)).status).toBe('recording')
  })

  it('reports a project it could not finish, with the problem, and keeps its bytes', async () => {
    await writeProject(
      '20261128-090000-aaaa',
      validFacts('20261128-090000-aaaa', { status: 'recording', file: 'capture.webm' }),
      bytes(500, 7)
    )
    tools.fail.remux = true
    const [notice] = await store.recoverUnfinished([])
    expect(notice).toMatchObject({ projectId: '20261128-090000-aaaa', durationMs: null })
    expect(notice?.problem).toMatch(/safe/)
    expect(
      await readFile(join(store.projectDir('20261128-090000-aaaa'), 'capture.webm'))
    ).toHaveLength(500)
  })
})

describe('list', () => {
  it('lists valid projects newest first and skips invalid folders', async () => {
    await writeProject(
      '20261101-080000-0001',
      validFacts('20261101-080000-0001', { createdAt: '2026-11-01T08:00:00.000Z' })
    )
    await writeProject(
      '20261102-080000-0002',
      validFacts('20261102-080000-0002', {
        createdAt: '2026-11-02T08:00:00.000Z',
        durationMs: 1234,
        width: 800,
        height: 600
      })
    )
    // Copied in from a colleague under another folder name: the folder name is its id here.
    await writeProject(
      'copied from alice',
      validFacts('20250101-000000-ffff', { createdAt: '2026-11-03T08:00:00.000Z' })
    )
    await writeProject('20261104-080000-0004', '{ not json')
    await writeProject('20261105-080000-0005', {
      ...validFacts('20261105-080000-0005'),
      status: 'exploded'
    })
    await writeProject('.hidden', validFacts('20261106-080000-0006'))
    await mkdir(join(dataDir, 'projects', '20261107-080000-0007'))
    await writeFile(join(dataDir, 'projects', 'stray-file.txt'), 'x')
    const recording = await store.create({
      sourceName: 's',
      mimeType: 'video/webm',
      now: new Date('2026-11-10T08:00:00Z')
    })

    const list = await store.list()
    expect(list.map((p) => p.id)).toEqual([
      recording.id,
      'copied from alice',
      '20261102-080000-0002',
      '20261101-080000-0001'
    ])
    expect(list[0]).toMatchObject({
      status: 'recording',
      mediaUrl: null,
      thumbnailUrl: null,
      sizeBytes: 0
    })
    expect(list[2]).toEqual({
      id: '20261102-080000-0002',
      title: 'Title 20261102-080000-0002',
      status: 'complete',
      createdAt: '2026-11-02T08:00:00.000Z',
      durationMs: 1234,
      width: 800,
      height: 600,
      sizeBytes: null,
      thumbnailUrl: null,
      mediaUrl: 'media://20261102-080000-0002/recording.webm',
      dir: join(dataDir, 'projects', '20261102-080000-0002'),
      endedBecause: null,
      shareUrl: null
    })
    expect(warnings.join('\n')).toMatch(/20261104-080000-0004/)
    expect(warnings.join('\n')).toMatch(/"status"/)
  })

  it('is empty before the first recording', async () => {
    expect(await store.list()).toEqual([])
  })
})

describe('rename, remove and ids', () => {
  it('renames with the title trimmed and kept on disk', async () => {
    await writeProject('20261101-080000-0001', validFacts('20261101-080000-0001'))
    const summary = await store.rename('20261101-080000-0001', '  Deploying the app \n')
    expect(summary.title).toBe('Deploying the app')
    expect((await factsOnDisk('20261101-080000-0001')).title).toBe('Deploying the app')
  })

  it('a rename during recording survives the next chunk', async () => {
    const { id } = await store.create({ sourceName: 's', mimeType: 'video/webm' })
    await store.rename(id, 'Live title')
    await store.appendChunk(id, 0, bytes(5, 1))
    expect((await factsOnDisk(id)).title).toBe('Live title')
    expect((await store.finish(id, { status: 'complete' })).title).toBe('Live title')
  })

  it.each([
    ['empty', ''],
    ['only spaces', '   '],
    ['201 characters', 'x'.repeat(201)]
  ])('refuses a title that is %s', async (_label, title) => {
    await writeProject('20261101-080000-0001', validFacts('20261101-080000-0001'))
    const error = await rejection(store.rename('20261101-080000-0001', title))
    expect(error.code).toBe('bad-title')
    expect(error.message).toMatch(/1 to 200 characters/)
  })

  it('accepts a title of exactly 200 characters', async () => {
    await writeProject('20261101-080000-0001', validFacts('20261101-080000-0001'))
    expect((await store.rename('20261101-080000-0001', 'y'.repeat(200))).title).toHaveLength(200)
  })

  it.each(['../x', '..%2Fx', '', '.', '..', 'a/b', 'a\\b', '/etc', 'x'.repeat(129)])(
    'refuses the id %j everywhere',
    async (id) => {
      await writeProject('x', validFacts('x'))
      for (const attempt of [
        store.get(id),
        store.rename(id, 'T'),
        store.remove(id),
        store.finish(id, { status: 'complete' })
      ]) {
        expect((await rejection(attempt)).code).toBe('bad-project-id')
      }
      expect(() => store.projectDir(id)).toThrow(SidecastError)
      expect(existsSync(join(dataDir, 'projects', 'x'))).toBe(true)
    }
  )

  it('removes a project folder, and says when there is none', async () => {
    await writeProject('20261101-080000-0001', validFacts('20261101-080000-0001'))
    await store.remove('20261101-080000-0001')
    expect(existsSync(store.projectDir('20261101-080000-0001'))).toBe(false)
    expect((await rejection(store.remove('20261101-080000-0001'))).code).toBe('not-found')
    expect((await rejection(store.get('20261101-080000-0001'))).code).toBe('not-found')
  })

  it('refuses to delete a recording in progress', async () => {
    const { id } = await store.create({ sourceName: 's', mimeType: 'video/webm' })
    const error = await rejection(store.remove(id))
    expect(error.code).toBe('recording-active')
    expect(existsSync(store.projectDir(id))).toBe(true)
  })
})
