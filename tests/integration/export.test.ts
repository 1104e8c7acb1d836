/**
 * Export through real ffmpeg on small generated sources: cuts, odd sizes, callout pixels over
 * their ranges, blur, the stream-copy path, cancel, and the headless `render` script.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runExport, type ExportProgress } from '../../src/engine/run-export'
import type { ExportPreset } from '../../src/shared/export-preset'
import type { Annotation, Edits } from '../../src/shared/edits'
import { SidecastError } from '../../src/shared/errors'
import type { RecordingFacts } from '../../src/shared/project'
import type { TimeRange } from '../../src/shared/timeline'
import { beepOnsets, flashOnsets, testFfmpeg, type TestFfmpeg } from './helpers/media-fixtures'

const run = promisify(execFile)
const tools: TestFfmpeg = testFfmpeg()
const SYSTEM_FFMPEG = '/usr/bin/ffmpeg'
const root = mkdtempSync(join(tmpdir(), 'sidecast-export-test-'))
const SOURCE: ExportPreset = { size: 'source', quality: 'standard' }
/** One frame at 30 fps, the tolerance the issue allows for cuts. */
const FRAME_MS = 1000 / 30

afterAll(() => rmSync(root, { recursive: true, force: true }))

interface Source {
  readonly dir: string
  readonly facts: RecordingFacts
}

/** A project folder holding a lavfi-generated recording and its facts. */
async function makeProject(
  name: string,
  opts: {
    video: string
    seconds: number
    width: number
    height: number
    codec: 'vp8' | 'h264'
    audio?: boolean
    /** A lavfi audio source; default a 440 Hz tone. */
    audioSource?: string
  }
): Promise<Source> {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  const file = opts.codec === 'vp8' ? 'recording.webm' : 'recording.mkv'
  const audio = opts.audio !== false
  // prettier-ignore
  const args = [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', opts.video,
    ...(audio ? ['-f', 'lavfi', '-i', opts.audioSource ?? 'sine=frequency=440:sample_rate=48000'] : []),
    '-t', String(opts.seconds),
    ...(opts.codec === 'vp8'
      ? ['-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '1M']
      : ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '30']),
    ...(audio ? ['-c:a', 'libopus', '-b:a', '64k'] : []),
    join(dir, file)
  ]
  await run(tools.ffmpegPath, args)
  const facts: RecordingFacts = {
    version: 1,
    id: name,
    status: 'complete',
    title: `Test ${name}`,
    createdAt: '2026-11-29T10:00:00.000Z',
    sourceName: 'Generated',
    file,
    container: opts.codec === 'vp8' ? 'webm' : 'mkv',
    mimeType: opts.codec === 'vp8' ? 'video/webm;codecs=vp8,opus' : 'video/x-matroska',
    videoCodec: opts.codec,
    audioCodec: audio ? 'opus' : null,
    width: opts.width,
    height: opts.height,
    durationMs: opts.seconds * 1000
  }
  writeFileSync(join(dir, 'recording.json'), JSON.stringify(facts, null, 2))
  return { dir, facts }
}

function edits(keep: TimeRange[] = [], annotations: Annotation[] = []): Edits {
  return { version: 2, keep, annotations }
}

async function exportOf(
  source: Source,
  e: Edits,
  extra: { preset?: ExportPreset; out?: string; ffmpegPath?: string } = {}
) {
  const outFile = join(source.dir, 'exports', extra.out ?? 'out.mp4')
  return runExport({
    projectDir: source.dir,
    facts: source.facts,
    edits: e,
    preset: extra.preset ?? SOURCE,
    outFile,
    ffmpegPath: extra.ffmpegPath ?? tools.ffmpegPath,
    // The bundled ffprobe is not beside the bundled ffmpeg (another package): the app passes it too.
    ...(extra.ffmpegPath ? {} : { ffprobePath: tools.ffprobePath })
  })
}

interface StreamInfo {
  codec_type: string
  codec_name: string
  width?: number
  height?: number
  pix_fmt?: string
  duration?: string
  nb_read_packets?: string
}

async function streams(file: string, countPackets = false): Promise<StreamInfo[]> {
  // prettier-ignore
  const { stdout } = await run(tools.ffprobePath, [
    '-v', 'error', ...(countPackets ? ['-count_packets'] : []),
    '-show_streams', '-of', 'json', file
  ])
  return (JSON.parse(stdout) as { streams: StreamInfo[] }).streams
}

/** Decoded pixels of a w×h block at (x, y) of the frame shown at `atMs`: RGB or gray bytes. */
async function block(
  file: string,
  atMs: number,
  box: { x: number; y: number; w: number; h: number },
  pixFmt: 'rgb24' | 'gray'
): Promise<Buffer> {
  // prettier-ignore
  const { stdout } = await run(tools.ffmpegPath, [
    '-v', 'error', '-i', file, '-ss', (atMs / 1000).toFixed(3),
    '-frames:v', '1', '-vf', `crop=${box.w}:${box.h}:${box.x}:${box.y}`,
    '-pix_fmt', pixFmt, '-f', 'rawvideo', '-'
  ], { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 })
  return stdout
}

async function meanColour(file: string, atMs: number, x: number, y: number): Promise<number[]> {
  const px = await block(file, atMs, { x, y, w: 4, h: 4 }, 'rgb24')
  const sum = [0, 0, 0]
  for (let i = 0; i < px.length; i += 3) for (let c = 0; c < 3; c++) sum[c]! += px[i + c]!
  return sum.map((s) => Math.round(s / (px.length / 3)))
}

function variance(px: Buffer): number {
  const mean = px.reduce((s, v) => s + v, 0) / px.length
  return px.reduce((s, v) => s + (v - mean) ** 2, 0) / px.length
}

const ffmpegs: [name: string, path: string][] = [
  ['bundled ffmpeg', tools.ffmpegPath],
  ...(existsSync(SYSTEM_FFMPEG) ? [['system ffmpeg', SYSTEM_FFMPEG] as [string, string]] : [])
]

describe('export', () => {
  let pattern: Source
  beforeAll(async () => {
    pattern = await makeProject('pattern', {
      video: 'testsrc2=size=320x240:rate=30',
      seconds: 8,
      width: 320,
      height: 240,
      codec: 'vp8'
    })
  })

  it.each(ffmpegs)('cuts last the sum of the kept ranges (%s)', async (_name, ffmpegPath) => {
    const result = await exportOf(
      pattern,
      edits([
        [0, 2000],
        [3000, 4500],
        [6000, 8000]
      ]),
      { ffmpegPath, out: `cuts-${_name.split(' ')[0]}.mp4` }
    )
    expect(result.durationMs).toBe(5500)
    expect(result.mode).toBe('encode')
    const [video, audio] = await Promise.all(
      ['video', 'audio'].map(async (type) =>
        (await streams(result.outFile)).find((s) => s.codec_type === type)
      )
    )
    expect(Math.abs(Number(video?.duration) * 1000 - 5500)).toBeLessThanOrEqual(FRAME_MS)
    expect(Math.abs(Number(audio?.duration) * 1000 - 5500)).toBeLessThanOrEqual(FRAME_MS)
    expect(result.sizeBytes).toBeGreaterThan(0)
    expect(existsSync(`${result.outFile}.part`)).toBe(false)
  })

  it('beeps stay within a frame of their flashes after cuts', async () => {
    // A white flash and a 1 kHz beep during the first 100 ms of every second.
    const synced = await makeProject('synced', {
      video: "color=c=black:size=160x120:rate=30,drawbox=c=white:t=fill:enable='lt(mod(t,1),0.1)'",
      audioSource: "aevalsrc='if(lt(mod(t,1),0.1),0.8*sin(2*PI*1000*t),0)':s=48000",
      seconds: 8,
      width: 160,
      height: 120,
      codec: 'vp8'
    })
    // Cuts fall between flashes: flashes at 0, 1 | 3, 4 | 6, 7 s of the recording.
    const result = await exportOf(
      synced,
      edits([
        [0, 1300],
        [2450, 5000],
        [5700, 8000]
      ])
    )
    const expected = [0, 1000, 1850, 2850, 4150, 5150]
    const [flashes, beeps] = await Promise.all([
      flashOnsets(tools, result.outFile),
      beepOnsets(tools, result.outFile)
    ])
    expect(flashes).toHaveLength(expected.length)
    expect(beeps).toHaveLength(expected.length)
    expected.forEach((ms, i) => {
      expect(Math.abs(flashes[i]! - ms), `flash ${i}`).toBeLessThanOrEqual(FRAME_MS)
      expect(Math.abs(beeps[i]! - flashes[i]!), `beep ${i}`).toBeLessThanOrEqual(FRAME_MS)
    })
  })

  it('an odd-sized VP8/Opus WebM exports as even H.264 yuv420p with AAC', async () => {
    const odd = await makeProject('odd', {
      video: 'testsrc2=size=321x241:rate=30',
      seconds: 3,
      width: 321,
      height: 241,
      codec: 'vp8'
    })
    const result = await exportOf(odd, edits())
    const s = await streams(result.outFile)
    const video = s.find((x) => x.codec_type === 'video')
    expect(video).toMatchObject({ codec_name: 'h264', pix_fmt: 'yuv420p', width: 320, height: 240 })
    expect(s.find((x) => x.codec_type === 'audio')?.codec_name).toBe('aac')
  })

  it('a callout shows exactly over its range, mapped through a cut', async () => {
    const plain = await makeProject('plain', {
      video: 'color=c=0x808080:size=320x240:rate=30',
      seconds: 6,
      width: 320,
      height: 240,
      codec: 'vp8',
      audio: false
    })
    // Kept 0–1 s and 1.5–6 s; the rect runs 2–4 s of the recording → 1.5–3.5 s of the output.
    const rect: Annotation = {
      ...{ id: 'r', type: 'rect', startMs: 2000, endMs: 4000 },
      ...{ x: 0.1, y: 0.1, w: 0.3, h: 0.3, color: '#00ff00', strokeWidth: 0.05 }
    }
    const result = await exportOf(
      plain,
      edits(
        [
          [0, 1000],
          [1500, 6000]
        ],
        [rect]
      )
    )
    // The rect's left edge is at x = 32 px; its 12 px stroke covers the sampled block.
    const at = (ms: number): Promise<number[]> => meanColour(result.outFile, ms, 30, 60)
    const isGreen = ([r, g, b]: number[]): boolean => g! > 200 && r! < 60 && b! < 60
    const isGray = (rgb: number[]): boolean => rgb.every((c) => Math.abs(c - 128) < 16)
    for (const ms of [1000, 1400, 3600, 4500]) expect(isGray(await at(ms)), `${ms} ms`).toBe(true)
    for (const ms of [1600, 2500, 3400]) expect(isGreen(await at(ms)), `${ms} ms`).toBe(true)
  })

  it('blur lowers the detail inside its box only', async () => {
    const noisy = await makeProject('noisy', {
      video: 'color=c=0x808080:size=320x240:rate=30,noise=alls=80:allf=t',
      seconds: 2,
      width: 320,
      height: 240,
      codec: 'vp8',
      audio: false
    })
    const blur: Annotation = {
      ...{ id: 'b', type: 'blur', startMs: 0, endMs: 2000 },
      ...{ x: 0.5, y: 0, w: 0.5, h: 0.5 }
    }
    const result = await exportOf(noisy, edits([], [blur]))
    const source = join(noisy.dir, noisy.facts.file)
    const inside = { x: 224, y: 40, w: 32, h: 32 }
    const outside = { x: 40, y: 160, w: 32, h: 32 }
    const v = async (file: string, box: typeof inside): Promise<number> =>
      variance(await block(file, 1000, box, 'gray'))
    const [srcIn, srcOut, outIn, outOut] = await Promise.all([
      v(source, inside),
      v(source, outside),
      v(result.outFile, inside),
      v(result.outFile, outside)
    ])
    expect(srcIn).toBeGreaterThan(100) // the source really is noisy there
    expect(outIn).toBeLessThan(srcIn * 0.2)
    expect(outOut).toBeGreaterThan(srcOut * 0.5)
  })

  it('with no edits an H.264 source is stream-copied, audio to AAC', async () => {
    const h264 = await makeProject('h264', {
      video: 'testsrc2=size=320x240:rate=30',
      seconds: 4,
      width: 320,
      height: 240,
      codec: 'h264'
    })
    const result = await exportOf(h264, edits())
    expect(result.mode).toBe('copy')
    // The audio is the recording's, encoded to AAC once and copied (timeline-audio.ts).
    expect(result.audio).toEqual({ how: 'spliced' })
    const [src, out] = await Promise.all([
      streams(join(h264.dir, h264.facts.file), true),
      streams(result.outFile, true)
    ])
    const srcVideo = src.find((s) => s.codec_type === 'video')
    const outVideo = out.find((s) => s.codec_type === 'video')
    expect(outVideo?.codec_name).toBe('h264')
    // A re-encode at veryfast would not reproduce ultrafast's packets one for one.
    expect(outVideo?.nb_read_packets).toBe(srcVideo?.nb_read_packets)
    expect(out.find((s) => s.codec_type === 'audio')?.codec_name).toBe('aac')
  })

  it('cancel stops ffmpeg and removes the partial file', async () => {
    const big = await makeProject('big', {
      video: 'testsrc2=size=640x480:rate=30',
      seconds: 12,
      width: 640,
      height: 480,
      codec: 'vp8'
    })
    const controller = new AbortController()
    const outFile = join(big.dir, 'exports', 'cancelled.mp4')
    const seen: ExportProgress[] = []
    const exporting = runExport({
      projectDir: big.dir,
      facts: big.facts,
      edits: edits(),
      preset: { size: 'source', quality: 'high' },
      outFile,
      ffmpegPath: tools.ffmpegPath,
      ffprobePath: tools.ffprobePath,
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p)
        if (p.outTimeMs > 0) controller.abort()
      }
    })
    const error = await exporting.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SidecastError)
    expect((error as SidecastError).code).toBe('cancelled')
    expect(seen.length).toBeGreaterThan(0)
    expect(seen[0]!.fraction).toBeLessThan(1)
    expect(readdirSync(join(big.dir, 'exports'))).toEqual([])
  })

  it('an ffmpeg failure reaches the caller in words and leaves no partial file', async () => {
    const broken = join(root, 'broken')
    mkdirSync(broken, { recursive: true })
    writeFileSync(join(broken, 'recording.webm'), 'not a video')
    const facts = { ...pattern.facts, id: 'broken', file: 'recording.webm' }
    const error = await exportOf({ dir: broken, facts }, edits()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SidecastError)
    expect((error as SidecastError).code).toBe('export-failed')
    expect((error as Error).message).toMatch(/recording is safe.*recording\.webm/s)
    expect(readdirSync(join(broken, 'exports'))).toEqual([])
  })
})

describe('npm run render', () => {
  const tsx = resolve('node_modules/.bin/tsx')
  const render = async (
    ...args: string[]
  ): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const { stdout, stderr } = await run(tsx, ['scripts/render.ts', ...args])
      return { code: 0, stdout, stderr }
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string }
      return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }
    }
  }

  it('exports a project to exports/<title>-<size>-<quality>.mp4, never upscaling', async () => {
    const project = await makeProject('render ok', {
      video: 'testsrc2=size=320x240:rate=30',
      seconds: 2,
      width: 320,
      height: 240,
      codec: 'vp8'
    })
    writeFileSync(
      join(project.dir, 'edits.json'),
      JSON.stringify({ version: 1, keep: [[0, 1000]], annotations: [] })
    )
    const { code, stdout } = await render(project.dir, '--preset', '720p', '--quality', 'small')
    expect(code).toBe(0)
    const out = join(project.dir, 'exports', 'test-render-ok-720p-small.mp4')
    expect(stdout).toContain(out)
    expect(stdout).toMatch(/\d+%/)
    const video = (await streams(out)).find((s) => s.codec_type === 'video')
    expect(video).toMatchObject({ width: 320, height: 240 })
  })

  it.each([
    ['recording.json', { width: 'wide' }, null, /"width" must be a whole number/],
    [
      'edits.json',
      {},
      { version: 1, annotations: [{ id: 'a', type: 'rect', startMs: 0, endMs: 5 }] },
      /annotations\[0\]\.x/
    ],
    [
      'edits.json (a type from a newer Sidecast)',
      {},
      { version: 1, annotations: [{ id: 'z', type: 'zoom', startMs: 0, endMs: 5 }] },
      /annotations\[0\]\.type is "zoom", which this Sidecast cannot draw/
    ]
  ])('a bad %s exits 1 naming the field', async (_file, factsPatch, editsJson, message) => {
    const dir = join(root, `bad-${_file}`)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'recording.webm'), '')
    writeFileSync(
      join(dir, 'recording.json'),
      JSON.stringify({ ...badFacts(), ...factsPatch }, null, 2)
    )
    if (editsJson) writeFileSync(join(dir, 'edits.json'), JSON.stringify(editsJson))
    const { code, stderr } = await render(dir)
    expect(code).toBe(1)
    expect(stderr).toMatch(message)
  })

  it('a bad option exits 1 with the accepted values', async () => {
    const { code, stderr } = await render(root, '--preset', '4k')
    expect(code).toBe(1)
    expect(stderr).toMatch(/4k.*source, 1080p, 720p/)
  })
})

function badFacts(): RecordingFacts {
  return {
    version: 1,
    id: 'bad',
    status: 'complete',
    title: 'Bad',
    createdAt: '2026-11-29T10:00:00.000Z',
    sourceName: 'Generated',
    file: 'recording.webm',
    container: 'webm',
    mimeType: 'video/webm',
    videoCodec: 'vp8',
    audioCodec: 'opus',
    width: 320,
    height: 240,
    durationMs: 1000
  }
}
