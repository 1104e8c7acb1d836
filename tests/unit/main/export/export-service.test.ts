import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ExportResult, RunExportOptions } from '../../../../src/engine/run-export'
import {
  createExportService,
  exportFileName,
  titleSlug,
  uniqueExportPath,
  type ExportService
} from '../../../../src/main/export/export-service'
import { emptyEdits } from '../../../../src/shared/edits'
import { type ExportProgressEvent } from '../../../../src/shared/ipc'
import { SidecastError } from '../../../../src/shared/errors'
import type { RecordingFacts } from '../../../../src/shared/project'
import { tempDir } from '../helpers/fakes'

let root: string
let cleanup: () => Promise<void>
let events: ExportProgressEvent[]
let calls: RunExportOptions[]
let clock: number
/** Controls the fake pipeline: each call waits here until the test settles it. */
let pending: { resolve: (r: ExportResult) => void; reject: (e: unknown) => void }[]
let status: RecordingFacts['status']

function facts(id: string): RecordingFacts {
  return {
    version: 1,
    id,
    status,
    title: 'Démo: Sign-in flow',
    createdAt: '2026-11-29T10:00:00.000Z',
    sourceName: 'Screen',
    file: 'recording.webm',
    container: 'webm',
    mimeType: 'video/webm',
    width: 320,
    height: 240,
    durationMs: 5000
  }
}

function service(): ExportService {
  return createExportService({
    projects: { readFacts: async (id) => facts(id), projectDir: (id) => join(root, id) },
    ffmpegPath: () => '/fake/ffmpeg',
    emit: (e) => events.push(e),
    readEdits: async () => emptyEdits(),
    now: () => clock,
    runExport: (options) => {
      calls.push(options)
      return new Promise<ExportResult>((resolve, reject) => {
        pending.push({ resolve, reject })
        options.signal?.addEventListener('abort', () =>
          reject(new SidecastError('cancelled', 'Cancelled: export the video.'))
        )
      })
    }
  })
}

beforeEach(async () => {
  ;({ dir: root, cleanup } = await tempDir('sidecast-export-svc-'))
  events = []
  calls = []
  pending = []
  clock = 0
  status = 'complete'
})
afterEach(() => cleanup())

describe('file naming', () => {
  it.each([
    ['Recording 2026-11-29 14:03', 'recording-2026-11-29-14-03'],
    ['Démo: Sign-in flow!', 'demo-sign-in-flow'],
    ['***', 'recording'],
    ['a'.repeat(79) + ' b', 'a'.repeat(79)]
  ])('slugs %j as %j', (title, slug) => {
    expect(titleSlug(title)).toBe(slug)
  })

  it('names the file after title, size and quality', () => {
    expect(exportFileName('My demo', { size: '720p', quality: 'high' })).toBe(
      'my-demo-720p-high.mp4'
    )
  })

  it('never overwrites: adds (2), (3) past existing files and partial files', async () => {
    const dir = join(root, 'exports')
    await mkdir(dir)
    expect(await uniqueExportPath(dir, 'x.mp4')).toBe(join(dir, 'x.mp4'))
    await writeFile(join(dir, 'x.mp4'), 'done')
    expect(await uniqueExportPath(dir, 'x.mp4')).toBe(join(dir, 'x (2).mp4'))
    await writeFile(join(dir, 'x (2).mp4.part'), 'half')
    expect(await uniqueExportPath(dir, 'x.mp4')).toBe(join(dir, 'x (3).mp4'))
  })
})

describe('export runs', () => {
  it('start → throttled progress → done, with the size', async () => {
    const exportsService = service()
    const { exportId, outFile } = await exportsService.start('p1', { size: '720p' })
    expect(outFile).toBe(join(root, 'p1', 'exports', 'demo-sign-in-flow-720p-standard.mp4'))
    expect(calls[0]).toMatchObject({
      ffmpegPath: '/fake/ffmpeg',
      outFile,
      preset: { size: '720p', quality: 'standard' }
    })
    const report = calls[0]?.onProgress
    clock = 100
    report?.({ fraction: 0.1, outTimeMs: 500, etaMs: null }) // too soon after the first event
    clock = 300
    report?.({ fraction: 0.3, outTimeMs: 1500, etaMs: 2000 })
    clock = 400
    report?.({ fraction: 0.4, outTimeMs: 2000, etaMs: 1500 }) // too soon again
    const render = {
      mode: 'full' as const,
      copiedFraction: 0,
      reason: 'the 720p size scales every frame'
    }
    pending[0]?.resolve({
      outFile,
      sizeBytes: 1234,
      durationMs: 5000,
      mode: 'encode',
      render,
      audio: { how: 'encoded' }
    })
    await exportsService.idle()
    expect(events.map((e) => [e.state, e.fraction])).toEqual([
      ['running', 0],
      ['running', 0.3],
      ['done', 1]
    ])
    expect(events.at(-1)).toMatchObject({
      exportId,
      projectId: 'p1',
      sizeBytes: 1234,
      outFile,
      render
    })
    expect(exportsService.finishedFile(exportId)).toBe(outFile)
    expect(exportsService.current()).toBeNull()
  })

  it('a file exported without the camera bubble says so in its done event', async () => {
    const exportsService = service()
    const { outFile } = await exportsService.start('p1', {})
    pending[0]?.resolve({
      outFile,
      sizeBytes: 1,
      durationMs: 5000,
      mode: 'encode',
      render: { mode: 'full', copiedFraction: 0, reason: null },
      audio: { how: 'encoded' },
      bubble: {
        shown: false,
        why: 'the camera recording (camera.webm) is missing from the project folder, so the video was exported without the camera bubble'
      }
    })
    await exportsService.idle()
    expect(events.at(-1)).toMatchObject({
      state: 'done',
      warning:
        'The camera recording (camera.webm) is missing from the project folder, so the video was exported without the camera bubble.'
    })
  })

  it('a file with its bubble, or without a camera, has no warning', async () => {
    const exportsService = service()
    const first = await exportsService.start('p1', {})
    pending[0]?.resolve({
      outFile: first.outFile,
      sizeBytes: 1,
      durationMs: 5000,
      mode: 'encode',
      render: { mode: 'full', copiedFraction: 0, reason: null },
      audio: { how: 'encoded' },
      bubble: { shown: true }
    })
    await exportsService.idle()
    expect(events.at(-1)?.state).toBe('done')
    expect(events.at(-1)).not.toHaveProperty('warning')
  })

  it('a failure ends in "failed" with ffmpeg’s message, and frees the slot', async () => {
    const exportsService = service()
    const { exportId } = await exportsService.start('p1', undefined)
    pending[0]?.reject(new SidecastError('export-failed', 'The export failed: Invalid data'))
    await exportsService.idle()
    expect(events.at(-1)).toMatchObject({
      exportId,
      state: 'failed',
      error: 'The export failed: Invalid data'
    })
    expect(exportsService.finishedFile(exportId)).toBeNull()
    await expect(exportsService.start('p1', undefined)).resolves.toBeTruthy()
  })

  it('cancel aborts the pipeline and ends in "cancelled"', async () => {
    const exportsService = service()
    const { exportId } = await exportsService.start('p1', undefined)
    exportsService.cancel('someone-else')
    expect(calls[0]?.signal?.aborted).toBe(false)
    exportsService.cancel(exportId)
    expect(calls[0]?.signal?.aborted).toBe(true)
    await exportsService.idle()
    expect(events.at(-1)).toMatchObject({ exportId, state: 'cancelled' })
    expect(events.at(-1)?.error).toBeUndefined()
  })

  it.each([
    ['the same recording', 'p1', /already being exported/],
    ['another recording', 'p2', /Another recording is being exported/]
  ])('refuses a second start for %s while one runs', async (_name, second, message) => {
    const exportsService = service()
    await exportsService.start('p1', undefined)
    const error = await exportsService.start(second, undefined).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'export-busy', message: expect.stringMatching(message) })
    expect(calls).toHaveLength(1)
    await exportsService.shutdown()
    expect(events.at(-1)?.state).toBe('cancelled')
  })

  it('two starts in the same tick: only one gets through', async () => {
    const exportsService = service()
    const results = await Promise.allSettled([
      exportsService.start('p1', undefined),
      exportsService.start('p2', undefined)
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected'])
    await exportsService.shutdown()
  })

  it.each([
    ['an unknown preset', () => undefined, { size: '4k' }, 'invalid-preset'],
    ['a recording still recording', () => (status = 'recording'), undefined, 'still-recording']
  ])('refuses %s and stays free', async (_name, arrange, preset, code) => {
    arrange()
    const exportsService = service()
    await expect(exportsService.start('p1', preset)).rejects.toMatchObject({ code })
    expect(calls).toHaveLength(0)
    expect(exportsService.current()).toBeNull()
    await exportsService.idle()
  })

  it('shutdown cancels a running export and waits for it', async () => {
    const exportsService = service()
    await exportsService.start('p1', undefined)
    const onDone = vi.fn()
    const stopped = exportsService.shutdown().then(onDone)
    await stopped
    expect(onDone).toHaveBeenCalled()
    expect(calls[0]?.signal?.aborted).toBe(true)
    expect(exportsService.current()).toBeNull()
  })
})
