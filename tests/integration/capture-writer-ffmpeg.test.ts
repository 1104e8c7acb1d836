/**
 * The recording path against real ffmpeg: MediaRecorder-like WebM arrives in 64 KB chunks, is
 * finished into a seekable file, and survives being cut off by a crash.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMediaTools, type MediaTools } from '../../src/main/ffmpeg/media-tools'
import { createTestProjectStore, type TestProjectStore } from '../support/project-store'
import { SidecastError } from '../../src/shared/errors'
import {
  decodesCleanly,
  feedChunks,
  makeSource,
  probeVideo,
  testFfmpeg,
  timeBeforeCut,
  type SourceKind,
  type TestFfmpeg
} from './helpers/media-fixtures'

const SECONDS = 3
let root: string
let ffmpeg: TestFfmpeg
let tools: MediaTools
const sources = {} as Record<SourceKind, string>

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sidecast-int-'))
  ffmpeg = testFfmpeg()
  tools = createMediaTools(ffmpeg)
  for (const kind of ['vp8', 'vp9', 'h264'] as const) {
    sources[kind] = join(root, `source-${kind}.webm`)
    await makeSource(ffmpeg, kind, sources[kind], SECONDS)
  }
})

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

let storeCount = 0
function newStore(dataDir?: string): { store: TestProjectStore; dataDir: string } {
  const dir = dataDir ?? join(root, `data-${storeCount++}`)
  return {
    dataDir: dir,
    store: createTestProjectStore({
      dataDir: dir,
      mediaTools: () => tools,
      mediaUrl: (id, file) => `media://${id}/${file}`,
      warn: () => undefined
    })
  }
}

describe('finishing a complete recording', () => {
  it.each([
    { kind: 'vp8', mimeType: 'video/webm;codecs=vp8,opus', container: 'webm' },
    { kind: 'vp9', mimeType: 'video/webm;codecs=vp9,opus', container: 'webm' },
    // Chromium's H.264 WebM cannot stay WebM after a remux: it must become MP4.
    { kind: 'h264', mimeType: 'video/webm;codecs=h264,opus', container: 'mp4' }
  ] as const)('$kind → $container', async ({ kind, mimeType, container }) => {
    const { store } = newStore()
    const created = await store.create({ sourceName: 'Entire screen', mimeType })
    expect(created.file).toBe('capture.webm')
    const chunks = await feedChunks(store, created.id, sources[kind])
    expect(chunks).toBeGreaterThan(1)

    const facts = await store.finish(created.id, { status: 'complete' })
    const dir = store.projectDir(created.id)
    expect(facts).toMatchObject({
      status: 'complete',
      file: `recording.${container}`,
      container,
      videoCodec: kind,
      audioCodec: 'opus',
      width: 320,
      height: 240
    })
    expect(Math.abs((facts.durationMs ?? 0) - SECONDS * 1000)).toBeLessThanOrEqual(500)
    expect(existsSync(join(dir, 'capture.webm'))).toBe(false)

    const final = join(dir, facts.file)
    await decodesCleanly(ffmpeg, final)
    const probed = await probeVideo(ffmpeg, final)
    expect(probed).toMatchObject({ width: 320, height: 240, codec: kind })
    // The container itself now knows its duration (MediaRecorder's WebM does not).
    expect(Math.abs(probed.durationMs - SECONDS * 1000)).toBeLessThanOrEqual(500)

    const thumb = await probeVideo(ffmpeg, join(dir, 'thumbnail.jpg'))
    expect(thumb).toMatchObject({ width: 480, height: 360, codec: 'mjpeg' })

    const onDisk = JSON.parse(await readFile(join(dir, 'recording.json'), 'utf8')) as unknown
    expect(onDisk).toEqual(facts)
    const [summary] = await store.list()
    expect(summary).toMatchObject({
      id: created.id,
      mediaUrl: `media://${created.id}/recording.${container}`,
      thumbnailUrl: `media://${created.id}/thumbnail.jpg`,
      sizeBytes: (await stat(final)).size
    })
  })

  it('writes MP4 with the index at the front (faststart)', async () => {
    const { store } = newStore()
    const created = await store.create({ sourceName: 's', mimeType: 'video/webm;codecs=h264,opus' })
    await feedChunks(store, created.id, sources.h264)
    const facts = await store.finish(created.id, { status: 'complete' })
    const bytes = await readFile(join(store.projectDir(created.id), facts.file))
    const moov = bytes.indexOf('moov')
    const mdat = bytes.indexOf('mdat')
    expect(moov).toBeGreaterThan(0)
    expect(moov).toBeLessThan(mdat)
  })
})

describe('a capture cut off by a crash', () => {
  it.each([{ kind: 'vp8' }, { kind: 'h264' }] as const)(
    '$kind cut at 60 percent recovers to a playable file as long as the cut',
    async ({ kind }) => {
      const { store } = newStore()
      const created = await store.create({ sourceName: 's', mimeType: 'video/webm' })
      const cut = Math.floor((await stat(sources[kind])).size * 0.6)
      await feedChunks(store, created.id, sources[kind], { limitBytes: cut })
      const expectedMs = await timeBeforeCut(ffmpeg, sources[kind], cut)
      expect(expectedMs).toBeGreaterThan(500)

      const facts = await store.finish(created.id, {
        status: 'recovered',
        endedBecause: 'Sidecast closed before this recording was stopped.'
      })
      expect(facts.status).toBe('recovered')
      expect(facts.endedBecause).toBe('Sidecast closed before this recording was stopped.')
      expect(Math.abs((facts.durationMs ?? 0) - expectedMs)).toBeLessThanOrEqual(500)
      await decodesCleanly(ffmpeg, join(store.projectDir(created.id), facts.file))
    }
  )

  it('recoverUnfinished finishes a project left in "recording" by an earlier run', async () => {
    // What a crash leaves behind: facts still saying "recording" and a capture cut mid-cluster.
    const { store, dataDir } = newStore()
    const id = '20261129-142233-dead'
    const dir = join(dataDir, 'projects', id)
    await mkdir(dir, { recursive: true })
    const bytes = await readFile(sources.vp9)
    await writeFile(join(dir, 'capture.webm'), bytes.subarray(0, Math.floor(bytes.length * 0.6)))
    const left = {
      version: 1,
      id,
      status: 'recording',
      title: 'Left behind',
      createdAt: '2026-11-29T14:22:33.000Z',
      sourceName: 'Entire screen',
      file: 'capture.webm',
      container: 'webm',
      mimeType: 'video/webm;codecs=vp9,opus',
      bytesWritten: 65536
    }
    await writeFile(join(dir, 'recording.json'), JSON.stringify(left))
    expect((await store.get(id)).mediaUrl).toBeNull()
    // A project this process is writing is never "recovered" under its feet.
    expect(await store.recoverUnfinished([id])).toEqual([])

    const notices = await store.recoverUnfinished([])
    expect(notices).toHaveLength(1)
    expect(notices[0]).toMatchObject({ projectId: id, title: 'Left behind', problem: null })
    expect(notices[0]?.durationMs).toBeGreaterThan(500)
    const summary = await store.get(id)
    expect(summary).toMatchObject({
      status: 'recovered',
      mediaUrl: `media://${id}/recording.webm`
    })
    expect(summary.endedBecause).toMatch(/closed before/)
    // Nothing is left to recover the second time.
    expect(await store.recoverUnfinished([])).toEqual([])
  })
})

describe('when ffmpeg cannot make sense of the capture', () => {
  it('keeps the raw bytes, marks the project recovered and says so', async () => {
    const { store } = newStore()
    const created = await store.create({ sourceName: 's', mimeType: 'video/webm' })
    const garbage = new Uint8Array(100_000).map((_, i) => (i * 7919) % 251)
    await store.appendChunk(created.id, 0, garbage)

    const error = await store.finish(created.id, { status: 'complete' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SidecastError)
    expect((error as SidecastError).code).toBe('finish-failed')
    expect((error as SidecastError).message).toMatch(/safe/)

    const capture = join(store.projectDir(created.id), 'capture.webm')
    expect((await readFile(capture)).equals(Buffer.from(garbage))).toBe(true)
    const facts = await store.readFacts(created.id)
    expect(facts).toMatchObject({ status: 'recovered', file: 'capture.webm' })
    expect(facts.endedBecause).toMatch(/raw recording is kept as capture\.webm/)
  })

  it('keeps the raw bytes when ffmpeg is missing altogether', async () => {
    const dataDir = join(root, 'no-ffmpeg')
    const store = createTestProjectStore({
      dataDir,
      mediaTools: () => {
        throw new SidecastError('ffmpeg-missing', 'ffmpeg was not found.')
      },
      mediaUrl: (id, file) => `${id}/${file}`
    })
    const created = await store.create({ sourceName: 's', mimeType: 'video/webm' })
    await feedChunks(store, created.id, sources.vp8)
    await expect(store.finish(created.id, { status: 'complete' })).rejects.toMatchObject({
      code: 'finish-failed'
    })
    const summary = await store.get(created.id)
    expect(summary).toMatchObject({ status: 'recovered', mediaUrl: `${created.id}/capture.webm` })
    expect(summary.sizeBytes).toBe((await stat(sources.vp8)).size)
  })
})

describe('media tools', () => {
  it.each([
    ['a text file', 'not-video.txt', 'hello, not a video'],
    ['an empty file', 'empty.webm', '']
  ])('probe rejects %s with a clear error', async (_label, name, contents) => {
    const file = join(root, name)
    await writeFile(file, contents)
    await expect(tools.probe(file)).rejects.toMatchObject({
      code: 'not-a-video',
      message: expect.stringContaining(name)
    })
  })

  it('probe rejects an audio-only file', async () => {
    const file = join(root, 'audio-only.webm')
    // Strip the video with ffmpeg itself so the file is a valid, playable WebM with audio only.
    await new Promise<void>((resolve, reject) =>
      execFile(
        ffmpeg.ffmpegPath,
        ['-y', '-v', 'error', '-i', sources.vp8, '-vn', '-c', 'copy', file],
        (e) => (e ? reject(e) : resolve())
      )
    )
    await expect(tools.probe(file)).rejects.toMatchObject({ code: 'not-a-video' })
  })

  it('remux cancelled before it starts leaves no output behind', async () => {
    const output = join(root, 'cancelled.webm')
    const controller = new AbortController()
    const running = tools.remux(sources.vp8, output, { signal: controller.signal })
    controller.abort()
    await expect(running).rejects.toMatchObject({ code: 'cancelled' })
    expect(existsSync(output)).toBe(false)
    const aborted = AbortSignal.abort()
    await expect(tools.remux(sources.vp8, output, { signal: aborted })).rejects.toMatchObject({
      code: 'cancelled'
    })
  })

  it('cancelling a remux stuck on its input kills ffmpeg and leaves no output', async () => {
    // A FIFO nobody writes to blocks ffmpeg before it reads its keyboard, so `q` goes unheard
    // and only the kill after the grace period can end it.
    const fifo = join(root, 'stuck.fifo')
    await new Promise<void>((resolve, reject) =>
      execFile('mkfifo', [fifo], (e) => (e ? reject(e) : resolve()))
    )
    const output = join(root, 'stuck.webm')
    const controller = new AbortController()
    const started = Date.now()
    const running = tools.remux(fifo, output, { signal: controller.signal })
    setTimeout(() => controller.abort(), 300)
    await expect(running).rejects.toMatchObject({ code: 'cancelled' })
    expect(Date.now() - started).toBeLessThan(20_000)
    expect(existsSync(output)).toBe(false)
  })

  it('thumbnail past the end falls back to the first frame', async () => {
    const out = join(root, 'late-thumb.jpg')
    await tools.thumbnail(sources.vp8, out, 60_000)
    expect((await probeVideo(ffmpeg, out)).width).toBe(480)
  })
})
