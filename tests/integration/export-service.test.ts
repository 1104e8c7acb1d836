/**
 * Export through the app's IPC handlers with the real bundled ffmpeg: edits saved over
 * `edits:save`, `export:start` emitting progress that ends in `done`, and cancel removing the
 * partial file.
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import type { AppServices } from '../../src/main/app-services'
import type { ExportProgressEvent } from '../../src/shared/ipc'
import type { RecordingFacts } from '../../src/shared/project'
import { testFfmpeg, type TestFfmpeg } from './helpers/media-fixtures'
import { testAppServices } from '../support/app-services'

const run = promisify(execFile)
const ID = '20261129-120000-e5e5'
let root: string
let ffmpeg: TestFfmpeg
let services: AppServices
let projectDir: string
const progress: ExportProgressEvent[] = []
const revealed: string[] = []

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sidecast-export-svc-int-'))
  ffmpeg = testFfmpeg()
  const dataDir = join(root, 'data')
  projectDir = join(dataDir, 'projects', ID)
  await mkdir(projectDir, { recursive: true })
  // prettier-ignore
  await run(ffmpeg.ffmpegPath, [
    '-hide_banner', '-loglevel', 'error',
    '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '6',
    '-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '600k',
    '-c:a', 'libopus', '-b:a', '64k',
    join(projectDir, 'recording.webm')
  ])
  const facts: RecordingFacts = {
    version: 1,
    id: ID,
    status: 'complete',
    title: 'Service test',
    createdAt: '2026-11-29T12:00:00.000Z',
    sourceName: 'Generated',
    file: 'recording.webm',
    container: 'webm',
    mimeType: 'video/webm;codecs=vp8,opus',
    videoCodec: 'vp8',
    audioCodec: 'opus',
    width: 320,
    height: 240,
    durationMs: 6000
  }
  await writeFile(join(projectDir, 'recording.json'), JSON.stringify(facts, null, 2))

  services = testAppServices({
    dataDir,
    adapters: {
      revealPath: async (path) => {
        revealed.push(path)
      }
    },
    emit: (channel, payload) => {
      if (channel === 'export:progress') progress.push(payload as ExportProgressEvent)
    }
  })
}, 60_000)

afterAll(async () => {
  await services.shutdown()
  await rm(root, { recursive: true, force: true })
})

function finalEvent(exportId: string): ExportProgressEvent | undefined {
  return progress.find((e) => e.exportId === exportId && e.state !== 'running')
}

it('saves edits and exports them through the handlers as H.264 + AAC', async () => {
  const h = services.handlers
  expect(await h['edits:get'](ID)).toMatchObject({ keep: [], annotations: [] })
  const saved = await h['edits:save'](ID, {
    version: 2,
    keep: [
      [0, 2000],
      [3000, 5000]
    ],
    annotations: [
      { id: 'r1', type: 'rect', startMs: 500, endMs: 4000, x: 0.1, y: 0.1, w: 0.4, h: 0.3 }
    ]
  })
  expect(saved.keep).toHaveLength(2)

  const { exportId, outFile } = await h['export:start'](ID, { size: 'source' })
  expect(outFile).toBe(join(projectDir, 'exports', 'service-test-source-standard.mp4'))
  await vi.waitFor(() => expect(finalEvent(exportId)).toBeDefined(), {
    timeout: 60_000,
    interval: 100
  })
  const events = progress.filter((e) => e.exportId === exportId)
  expect(events[0]).toMatchObject({ state: 'running', fraction: 0 })
  expect(finalEvent(exportId)).toMatchObject({ state: 'done', fraction: 1, outFile })
  expect(finalEvent(exportId)?.sizeBytes).toBeGreaterThan(1000)

  // prettier-ignore
  const { stdout } = await run(ffmpeg.ffprobePath, [
    '-v', 'error', '-show_entries', 'stream=codec_name,codec_type:format=duration', '-of', 'json', outFile
  ])
  const probe = JSON.parse(stdout) as {
    streams: { codec_type: string; codec_name: string }[]
    format: { duration: string }
  }
  expect(probe.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort()).toEqual([
    'audio:aac',
    'video:h264'
  ])
  expect(Number(probe.format.duration)).toBeGreaterThan(3.8)
  expect(Number(probe.format.duration)).toBeLessThan(4.2)

  await h['export:reveal'](exportId)
  expect(revealed).toEqual([outFile])
}, 90_000)

it('cancel stops the export and removes the partial file; the next export gets a new name', async () => {
  const h = services.handlers
  // High quality on the whole recording is slow enough to cancel on the way.
  await h['edits:save'](ID, { version: 2, keep: [], annotations: [] })
  const { exportId, outFile } = await h['export:start'](ID, { quality: 'high' })
  expect(outFile).toBe(join(projectDir, 'exports', 'service-test-source-high.mp4'))
  // Cancel once ffmpeg has begun writing, so there is a partial file to remove.
  await vi.waitFor(
    async () =>
      expect(await readdir(join(projectDir, 'exports'))).toContain(
        'service-test-source-high.mp4.part'
      ),
    { timeout: 30_000, interval: 10 }
  )
  await h['export:cancel'](exportId)
  await vi.waitFor(() => expect(finalEvent(exportId)).toBeDefined(), {
    timeout: 30_000,
    interval: 100
  })
  expect(finalEvent(exportId)?.state).toBe('cancelled')
  await services.exports.idle()
  expect((await readdir(join(projectDir, 'exports'))).sort()).toEqual([
    'service-test-source-standard.mp4'
  ])

  const again = await h['export:start'](ID, { size: 'source' })
  expect(again.outFile).toBe(join(projectDir, 'exports', 'service-test-source-standard (2).mp4'))
  await h['export:cancel'](again.exportId)
  await services.exports.idle()
}, 90_000)

it('prepares a finished recording’s audio once, in the project’s cache/, for fast exports', async () => {
  await services.exports.prepareAudio(ID)
  const cacheDir = join(projectDir, 'cache')
  expect((await readdir(cacheDir)).sort()).toEqual(['audio-160k.aac', 'audio-160k.json'])
  const made = (await stat(join(cacheDir, 'audio-160k.aac'))).mtimeMs
  const head = (await readFile(join(cacheDir, 'audio-160k.aac'))).subarray(0, 2)
  expect([...head]).toEqual([0xff, 0xf1]) // ADTS, MPEG-4 AAC
  // Asked again (a second take hook, the editor): the cached file is kept as it is.
  await services.exports.prepareAudio(ID)
  expect((await stat(join(cacheDir, 'audio-160k.aac'))).mtimeMs).toBe(made)
  // A recording that does not exist is only logged; nothing is thrown at the caller.
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
  await services.exports.prepareAudio('20261129-120000-none')
  expect(warn).toHaveBeenCalledWith(expect.stringMatching(/could not prepare the audio/))
  warn.mockRestore()
})
