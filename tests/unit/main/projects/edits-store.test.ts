import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AppServices } from '../../../../src/main/app-services'
import { readEdits, writeEdits } from '../../../../src/main/projects/edits-store'
import { EDITS_FILE } from '../../../../src/shared/project'
import { EditsError, emptyEdits, type Edits } from '../../../../src/shared/edits'
import { tempDir } from '../helpers/fakes'
import { testAppServices } from '../../../support/app-services'

const PROJECT = '20261129-100000-aa11'
let dir: string
let cleanup: () => Promise<void>

beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir('sidecast-edits-'))
})
afterEach(() => cleanup())

const arrow = {
  id: 'a1',
  type: 'arrow',
  startMs: 1000,
  endMs: 4000,
  x1: 0.1,
  y1: 0.1,
  x2: 0.5,
  y2: 0.5,
  futureStyle: 'glow'
}

describe('readEdits', () => {
  it('gives no edits when the project has no edits.json', async () => {
    expect(await readEdits(dir, 10_000)).toEqual(emptyEdits())
  })

  it.each([
    ['not JSON', '{ nope', '(top level)'],
    [
      'a bad annotation time',
      JSON.stringify({ version: 1, keep: [], annotations: [{ ...arrow, endMs: 'x' }] }),
      'endMs'
    ],
    ['a bad kept range', JSON.stringify({ version: 1, keep: [[5, 'z']], annotations: [] }), 'keep']
  ])('refuses %s with an EditsError naming the field', async (_name, text, field) => {
    await writeFile(join(dir, EDITS_FILE), text)
    const error = await readEdits(dir, 10_000).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(EditsError)
    expect((error as EditsError).code).toBe('invalid-edits')
    expect((error as EditsError).message).toContain(field)
  })
})

describe('writeEdits', () => {
  it('writes atomically (no temp file left) and reads back the same edits, unknown keys kept', async () => {
    const saved = await writeEdits(
      dir,
      {
        version: 1,
        keep: [
          [3000, 6000],
          [0, 2000]
        ],
        annotations: [arrow],
        app: { zoom: 2 }
      },
      10_000
    )
    expect(saved.keep).toEqual([
      [0, 2000],
      [3000, 6000]
    ])
    expect(await readdir(dir)).toEqual([EDITS_FILE])
    const text = await readFile(join(dir, EDITS_FILE), 'utf8')
    expect(JSON.parse(text)).toMatchObject({
      app: { zoom: 2 },
      annotations: [{ futureStyle: 'glow' }]
    })
    expect(await readEdits(dir, 10_000)).toEqual(saved)
  })

  it('refuses bad edits naming the field and leaves the old file untouched', async () => {
    await writeEdits(dir, { version: 1, keep: [], annotations: [arrow] }, 10_000)
    const before = await readFile(join(dir, EDITS_FILE), 'utf8')
    const error = await writeEdits(
      dir,
      { version: 1, keep: [], annotations: [{ ...arrow, x1: 'left' }] },
      10_000
    ).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(EditsError)
    expect((error as Error).message).toContain('x1')
    expect(await readFile(join(dir, EDITS_FILE), 'utf8')).toBe(before)
    expect(await readdir(dir)).toEqual([EDITS_FILE])
  })
})

describe('edits:get and edits:save handlers', () => {
  async function servicesWith(status: 'recording' | 'complete'): Promise<AppServices> {
    const projectDir = join(dir, 'projects', PROJECT)
    await mkdir(projectDir, { recursive: true })
    await writeFile(
      join(projectDir, 'recording.json'),
      JSON.stringify({
        version: 1,
        id: PROJECT,
        status,
        title: 'T',
        createdAt: '2026-11-29T10:00:00.000Z',
        sourceName: 'Screen',
        file: 'recording.webm',
        container: 'webm',
        mimeType: 'video/webm;codecs=vp8,opus',
        durationMs: 10_000
      })
    )
    return testAppServices({ dataDir: dir })
  }

  it('saves, then gets the same edits back (kept ranges clamped to the recording)', async () => {
    const services = await servicesWith('complete')
    const saved = await services.handlers['edits:save'](PROJECT, {
      version: 1,
      keep: [[0, 60_000]],
      annotations: [arrow]
    } as unknown as Edits)
    expect(saved.keep).toEqual([[0, 10_000]])
    expect(await services.handlers['edits:get'](PROJECT)).toEqual(saved)
  })

  it.each([
    ['a recording still being recorded', 'recording', PROJECT, { version: 1 }, 'still-recording'],
    ['a bad project id', 'complete', '../x', { version: 1 }, 'bad-request'],
    ['bad edits', 'complete', PROJECT, { version: 1, keep: 'all' }, 'invalid-edits']
  ] as const)('refuses to save for %s', async (_name, status, id, edits, code) => {
    const services = await servicesWith(status)
    await expect(
      services.handlers['edits:save'](id, edits as unknown as Edits)
    ).rejects.toMatchObject({ code })
    expect(await readdir(join(dir, 'projects', PROJECT))).toEqual(['recording.json'])
  })
})
