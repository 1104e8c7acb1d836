/** The capture writer: create, append, finish, close and recover, on real files. */
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { captureFileFor } from '../../../../src/main/recording/capture-writer'
import { bytes } from '../helpers/fakes'
import {
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
