/** The project catalogue: list, rename, delete and ids, on real project folders. */
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SidecastError } from '../../../../src/shared/errors'
import type { CameraFacts } from '../../../../src/shared/project'
import { bytes } from '../helpers/fakes'
import {
  dataDir,
  factsOnDisk,
  rejection,
  store,
  useProjectStore,
  validFacts,
  warnings,
  writeProject
} from '../helpers/project-store-fixture'

useProjectStore()

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
      editedDurationMs: 1234,
      width: 800,
      height: 600,
      sizeBytes: null,
      thumbnailUrl: null,
      mediaUrl: 'media://20261102-080000-0002/recording.webm',
      dir: join(dataDir, 'projects', '20261102-080000-0002'),
      endedBecause: null,
      shareUrl: null,
      camera: null
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

describe('the edited length', () => {
  it('is the kept ranges’ total, counted as export counts it; the whole length without edits', async () => {
    const id = '20261101-080000-0001'
    await writeProject(id, validFacts(id, { durationMs: 10_000 }))
    expect((await store.get(id)).editedDurationMs).toBe(10_000)
    // A trim at 1 s and a cut of 4–6 s: 1–4 and 6–10 kept.
    await writeFile(
      join(store.projectDir(id), 'edits.json'),
      JSON.stringify({
        version: 1,
        keep: [
          [1000, 4000],
          [6000, 10_000]
        ],
        annotations: []
      })
    )
    const summary = await store.get(id)
    expect(summary.durationMs).toBe(10_000)
    expect(summary.editedDurationMs).toBe(7000)
    // Unreadable edits never hide the recording: its own length is shown.
    await writeFile(join(store.projectDir(id), 'edits.json'), '{ nope')
    expect((await store.get(id)).editedDurationMs).toBe(10_000)
  })
})

describe('the camera', () => {
  const CAMERA: CameraFacts = {
    file: 'camera.webm',
    container: 'webm',
    mimeType: 'video/webm;codecs=vp8',
    deviceName: 'USB Camera',
    offsetMs: -40,
    videoCodec: 'vp8',
    width: 640,
    height: 480,
    durationMs: 5960
  }

  it('is summarised once finished with its file there and its length known', async () => {
    const id = '20261101-080000-0001'
    await writeProject(id, validFacts(id, { durationMs: 6000, camera: CAMERA }))
    await writeFile(join(store.projectDir(id), 'camera.webm'), 'cam')
    expect((await store.get(id)).camera).toEqual({
      url: `media://${id}/camera.webm`,
      offsetMs: -40,
      durationMs: 5960,
      width: 640,
      height: 480,
      offRanges: [],
      endedBecause: null
    })
    await writeProject(
      id,
      validFacts(id, {
        camera: { ...CAMERA, offRanges: [[100, 900]], endedBecause: 'The camera was unplugged.' }
      })
    )
    expect((await store.get(id)).camera).toMatchObject({
      offRanges: [[100, 900]],
      endedBecause: 'The camera was unplugged.'
    })
  })

  it.each([
    { name: 'no camera at all', camera: undefined, status: 'complete', file: true },
    { name: 'its file missing', camera: CAMERA, status: 'complete', file: false },
    {
      name: 'its length unknown (a raw camera kept)',
      camera: { ...CAMERA, file: 'camera-capture.webm', durationMs: undefined },
      status: 'recovered',
      file: true
    },
    { name: 'still recording', camera: CAMERA, status: 'recording', file: true }
  ] as const)('is null with $name', async ({ camera, status, file }) => {
    const id = '20261101-080000-0001'
    await writeProject(id, validFacts(id, { status, ...(camera ? { camera } : {}) }))
    if (file) await writeFile(join(store.projectDir(id), camera?.file ?? 'camera.webm'), 'cam')
    expect((await store.get(id)).camera).toBeNull()
  })
})
