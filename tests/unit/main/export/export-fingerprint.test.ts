/**
 * An export records what it was made from; an upload of the same edits, recording and preset
 * sends that export instead of exporting again.
 */
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  EXPORT_SOURCES_FILE,
  exportFingerprint,
  type RecordingIdentity
} from '../../../../src/main/export/export-fingerprint'
import { createExportService, type ExportService } from '../../../../src/main/export/export-service'
import type { ExportResult, RunExportOptions } from '../../../../src/engine/run-export'
import { uploadExporter } from '../../../../src/main/share/upload-exporter'
import { emptyEdits, type Edits } from '../../../../src/shared/edits'
import type { ExportProgressEvent } from '../../../../src/shared/ipc'
import type { RecordingFacts } from '../../../../src/shared/project'
import { tempDir } from '../helpers/fakes'

const P = 'p1'
let root: string
let cleanup: () => Promise<void>
let edits: Edits
let runs: RunExportOptions[]

const TRIMMED: Edits = { ...emptyEdits(), keep: [[0, 3000]] }
const PRESET = { size: '720p', quality: 'standard' } as const

function facts(id: string): RecordingFacts {
  return {
    version: 1,
    id,
    status: 'complete',
    title: 'Demo',
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

/** An export service whose pipeline writes `export of <edits>` into the output at once. */
function service(): ExportService {
  return createExportService({
    projects: { readFacts: async (id) => facts(id), projectDir: (id) => join(root, id) },
    ffmpegPath: () => '/fake/ffmpeg',
    emit: () => undefined,
    readEdits: async () => edits,
    runExport: async (options): Promise<ExportResult> => {
      runs.push(options)
      const bytes = `export of ${JSON.stringify(options.edits)} at ${options.preset.size}`
      await writeFile(options.outFile, bytes)
      return { outFile: options.outFile, sizeBytes: Buffer.byteLength(bytes) } as ExportResult
    }
  })
}

/** Exports as the user does (into the project's exports/), and waits until it is done. */
async function userExport(exports: ExportService): Promise<string> {
  const done = new Promise<string>((resolve, reject) => {
    void exports.start(P, PRESET, {
      onEvent: (event: ExportProgressEvent) => {
        if (event.state === 'done') resolve(event.outFile)
        else if (event.state !== 'running') reject(new Error(event.error ?? event.state))
      }
    })
  })
  return done
}

beforeEach(async () => {
  ;({ dir: root, cleanup } = await tempDir('sidecast-export-fp-'))
  await mkdir(join(root, P, 'exports'), { recursive: true })
  await writeFile(join(root, P, 'recording.webm'), Buffer.alloc(1000, 1))
  edits = TRIMMED
  runs = []
})
afterEach(() => cleanup())

describe('the export fingerprint', () => {
  const recording: RecordingIdentity = {
    projectId: P,
    file: 'recording.webm',
    sizeBytes: 1000,
    mtimeMs: 1
  }

  it('is the same for the same edits, recording and preset, and changes with each', () => {
    const base = exportFingerprint(TRIMMED, recording, PRESET)
    expect(exportFingerprint({ ...TRIMMED }, { ...recording }, { ...PRESET })).toBe(base)
    expect(exportFingerprint(emptyEdits(), recording, PRESET)).not.toBe(base)
    expect(exportFingerprint(TRIMMED, { ...recording, sizeBytes: 1001 }, PRESET)).not.toBe(base)
    expect(exportFingerprint(TRIMMED, { ...recording, mtimeMs: 2 }, PRESET)).not.toBe(base)
    expect(exportFingerprint(TRIMMED, { ...recording, projectId: 'p2' }, PRESET)).not.toBe(base)
    expect(exportFingerprint(TRIMMED, recording, { ...PRESET, size: '1080p' })).not.toBe(base)
    expect(exportFingerprint(TRIMMED, recording, { ...PRESET, quality: 'high' })).not.toBe(base)
  })
})

describe('finding an export made from the same things', () => {
  it("finds the user's export of the current edits, recording and preset", async () => {
    const exports = service()
    const file = await userExport(exports)
    const sources = JSON.parse(await readFile(join(root, P, EXPORT_SOURCES_FILE), 'utf8'))
    expect(sources).toEqual({
      version: 1,
      exports: {
        'demo-720p-standard.mp4': {
          fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
          sizeBytes: (await readFile(file)).length
        }
      }
    })
    // exports/ holds only the MP4.
    expect(await readdir(join(root, P, 'exports'))).toEqual(['demo-720p-standard.mp4'])
    expect(await exports.findExport(P, PRESET)).toBe(file)
  })

  it('finds none after the edits, the preset or the recording changed, or the export did', async () => {
    const exports = service()
    const file = await userExport(exports)

    expect(await exports.findExport(P, { ...PRESET, size: '1080p' })).toBeNull()
    edits = emptyEdits()
    expect(await exports.findExport(P, PRESET)).toBeNull()
    edits = TRIMMED
    expect(await exports.findExport(P, PRESET)).toBe(file)

    await utimes(join(root, P, 'recording.webm'), new Date(), new Date(Date.now() + 5000))
    expect(await exports.findExport(P, PRESET)).toBeNull()

    const again = await userExport(exports)
    expect(await exports.findExport(P, PRESET)).toBe(again)
    await writeFile(again, 'changed by hand')
    expect(await exports.findExport(P, PRESET)).toBeNull()

    // A removed export is forgotten at the next record.
    await rm(again)
    await userExport(exports)
    const sources = JSON.parse(await readFile(join(root, P, EXPORT_SOURCES_FILE), 'utf8'))
    expect(Object.keys(sources.exports).sort()).toEqual(
      (await readdir(join(root, P, 'exports'))).sort()
    )
  })

  it("writes no record for an upload's own export", async () => {
    const exports = service()
    const outFile = join(root, 'upload.mp4')
    await new Promise<void>((resolve) => {
      void exports.start(P, PRESET, {
        outFile,
        onEvent: (event) => event.state === 'done' && resolve()
      })
    })
    expect(existsSync(join(root, P, EXPORT_SOURCES_FILE))).toBe(false)
  })
})

describe("an upload's export", () => {
  it('sends the matching export without exporting again', async () => {
    const exports = service()
    const made = await userExport(exports)
    expect(runs).toHaveLength(1)

    const outFile = join(root, 'upload.mp4')
    const onProgress = vi.fn()
    await uploadExporter(exports).export({
      projectId: P,
      preset: PRESET,
      outFile,
      signal: new AbortController().signal,
      onProgress
    })
    expect(runs).toHaveLength(1)
    expect(await readFile(outFile)).toEqual(await readFile(made))
    expect(onProgress).toHaveBeenLastCalledWith(1)
  })

  it('exports when nothing matches', async () => {
    const exports = service()
    await userExport(exports)
    edits = emptyEdits()
    await uploadExporter(exports).export({
      projectId: P,
      preset: PRESET,
      outFile: join(root, 'upload.mp4'),
      signal: new AbortController().signal,
      onProgress: () => undefined
    })
    expect(runs).toHaveLength(2)
  })
})
