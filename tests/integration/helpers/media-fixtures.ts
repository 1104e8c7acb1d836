/**
 * Test media made by real ffmpeg, shaped like MediaRecorder's output: written to a pipe, so the
 * Matroska/WebM file has no duration and no cues, exactly the problem finish() has to fix.
 */
import { execFile } from 'node:child_process'
import { open, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { locateFfmpeg } from '../../../src/main/ffmpeg/locate-ffmpeg'
import type { CaptureWriter } from '../../../src/main/recording/capture-writer'
import type { Annotation, Edits } from '../../../src/shared/edits'
import type { RecordingFacts } from '../../../src/shared/project'
import type { TimeRange } from '../../../src/shared/timeline'
import { ffmpegToFile } from '../../support/media'

const run = promisify(execFile)

export interface TestFfmpeg {
  readonly ffmpegPath: string
  readonly ffprobePath: string
}

/**
 * The ffmpeg the app would use with no setting: the bundled @ffmpeg-installer build (2018) with
 * the bundled ffprobe. It has libvpx, libopus and libx264, which is all these tests need.
 */
export function testFfmpeg(): TestFfmpeg {
  const found = locateFfmpeg({ settingPath: '' })
  if (!found.ok || !found.path || !found.ffprobePath) {
    throw new Error(`No ffmpeg for integration tests: ${found.problem ?? 'unknown problem'}`)
  }
  return { ffmpegPath: found.path, ffprobePath: found.ffprobePath }
}

export type SourceKind = 'vp8' | 'vp9' | 'h264'

const ENCODERS: Record<SourceKind, { video: string[]; muxer: string }> = {
  vp8: { video: ['-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '600k'], muxer: 'webm' },
  vp9: {
    video: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '600k'],
    muxer: 'webm'
  },
  // ffmpeg's WebM muxer refuses H.264 (Chromium's does not), so Matroska stands in for it.
  h264: {
    video: ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '30'],
    muxer: 'matroska'
  }
}

/** Writes `seconds` of a 320×240 test pattern with a sine tone, as a live-style stream. */
export async function makeSource(
  tools: TestFfmpeg,
  kind: SourceKind,
  file: string,
  seconds: number
): Promise<void> {
  const { video, muxer } = ENCODERS[kind]
  // prettier-ignore
  const args = [
    '-hide_banner', '-loglevel', 'error',
    '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', String(seconds),
    ...video,
    '-c:a', 'libopus', '-b:a', '64k',
    '-f', muxer, 'pipe:1'
  ]
  await ffmpegToFile(tools.ffmpegPath, args, file)
}

/** Sends the first `limitBytes` of `file` to the store in MediaRecorder-sized chunks. */
export async function feedChunks(
  store: Pick<CaptureWriter, 'appendChunk'>,
  projectId: string,
  file: string,
  options: { chunkBytes?: number; limitBytes?: number } = {}
): Promise<number> {
  const chunkBytes = options.chunkBytes ?? 64 * 1024
  const handle = await open(file, 'r')
  try {
    const size = (await handle.stat()).size
    const limit = Math.min(size, options.limitBytes ?? size)
    let seq = 0
    for (let offset = 0; offset < limit; offset += chunkBytes) {
      const length = Math.min(chunkBytes, limit - offset)
      const buffer = new Uint8Array(length)
      await handle.read(buffer, 0, length, offset)
      await store.appendChunk(projectId, seq++, buffer)
    }
    return seq
  } finally {
    await handle.close()
  }
}

interface PacketInfo {
  pts_time?: string
  duration_time?: string
  pos?: string
  size?: string
}

/**
 * The media time that survives when `file` is cut after `cutBytes`: the end of the last packet
 * whose bytes lie wholly before the cut.
 */
export async function timeBeforeCut(
  tools: TestFfmpeg,
  file: string,
  cutBytes: number
): Promise<number> {
  const { stdout } = await run(
    tools.ffprobePath,
    ['-v', 'error', '-show_entries', 'packet=pts_time,duration_time,pos,size', '-of', 'json', file],
    { maxBuffer: 64 * 1024 * 1024 }
  )
  const packets = (JSON.parse(stdout) as { packets: PacketInfo[] }).packets
  let end = 0
  for (const p of packets) {
    const pos = Number(p.pos)
    const size = Number(p.size)
    if (!Number.isFinite(pos) || pos + size > cutBytes) continue
    end = Math.max(end, Number(p.pts_time ?? 0) + Number(p.duration_time ?? 0))
  }
  return Math.round(end * 1000)
}

/** Width, height and codec of the first video stream, straight from ffprobe. */
export async function probeVideo(
  tools: TestFfmpeg,
  file: string
): Promise<{ width: number; height: number; codec: string; durationMs: number }> {
  // prettier-ignore
  const { stdout } = await run(tools.ffprobePath, [
    '-v', 'error', '-select_streams', 'v:0',
    '-show_entries', 'stream=width,height,codec_name:format=duration',
    '-of', 'json', file
  ])
  const data = JSON.parse(stdout) as {
    streams: { width: number; height: number; codec_name: string }[]
    format: { duration?: string }
  }
  const stream = data.streams[0]
  if (!stream) throw new Error(`${file} has no video stream`)
  return {
    width: stream.width,
    height: stream.height,
    codec: stream.codec_name,
    durationMs: Math.round(Number(data.format.duration ?? 0) * 1000)
  }
}

/** Decodes every frame of `file`; rejects when ffmpeg reports an error, i.e. the file does not play. */
export async function decodesCleanly(tools: TestFfmpeg, file: string): Promise<void> {
  await run(tools.ffmpegPath, ['-v', 'error', '-xerror', '-i', file, '-f', 'null', '-'])
}

/** Output times (ms) at which the picture turns from dark to bright. */
export async function flashOnsets(tools: TestFfmpeg, file: string): Promise<number[]> {
  // prettier-ignore
  const [times, pixels] = await Promise.all([
    run(tools.ffprobePath, [
      '-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=best_effort_timestamp_time',
      '-of', 'json', file
    ]),
    run(tools.ffmpegPath, [
      '-v', 'error', '-i', file, '-map', '0:v:0', '-vf', 'scale=1:1', '-vsync', 'passthrough',
      '-pix_fmt', 'gray', '-f', 'rawvideo', '-'
    ], { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 })
  ])
  const frames = (JSON.parse(times.stdout) as { frames: { best_effort_timestamp_time?: string }[] })
    .frames
  const pts = frames.map((f) => Number(f.best_effort_timestamp_time) * 1000)
  const onsets: number[] = []
  pixels.stdout.forEach((luma, i) => {
    if (luma > 128 && (i === 0 || (pixels.stdout[i - 1] ?? 0) <= 128)) onsets.push(pts[i] ?? NaN)
  })
  return onsets
}

/** Output times (ms) at which a beep starts after at least 200 ms of silence. */
export async function beepOnsets(tools: TestFfmpeg, file: string): Promise<number[]> {
  const rate = 48_000
  // prettier-ignore
  const { stdout } = await run(tools.ffmpegPath, [
    '-v', 'error', '-i', file, '-map', '0:a:0', '-ac', '1', '-ar', String(rate), '-f', 's16le', '-'
  ], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 })
  const onsets: number[] = []
  let lastLoud = -Infinity
  for (let i = 0; i + 1 < stdout.length; i += 2) {
    const n = i / 2
    if (Math.abs(stdout.readInt16LE(i)) < 8000) continue
    if (n - lastLoud > rate * 0.2) onsets.push((n / rate) * 1000)
    lastLoud = n
  }
  return onsets
}

/** A project folder whose recording.mp4 and recording.json are as finishing a recording leaves them. */
export interface FinishedProject {
  readonly dir: string
  readonly facts: RecordingFacts
}

/**
 * Stream-copies a capture into `<dir>/recording.mp4` and writes its facts, as finishing a
 * recording does (H.264 into MP4; the length is the container's duration, as the app probes it).
 */
export async function finishIntoMp4(
  tools: TestFfmpeg,
  dir: string,
  name: string,
  capture: string,
  opts: { readonly audio: boolean; readonly width: number; readonly height: number }
): Promise<FinishedProject> {
  const file = join(dir, 'recording.mp4')
  // prettier-ignore
  await run(tools.ffmpegPath, [
    '-hide_banner', '-loglevel', 'error', '-y', '-i', capture, '-map', '0:v:0', '-map', '0:a?',
    '-c', 'copy', '-movflags', '+faststart', '-strict', 'experimental', '-f', 'mp4', file
  ])
  // prettier-ignore
  const probed = await run(tools.ffprobePath, [
    '-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file
  ])
  const facts: RecordingFacts = {
    version: 1,
    id: name,
    status: 'complete',
    title: `Smart ${name}`,
    createdAt: '2026-12-02T10:00:00.000Z',
    sourceName: 'Generated',
    file: 'recording.mp4',
    container: 'mp4',
    mimeType: 'video/webm;codecs=h264,opus',
    videoCodec: 'h264',
    audioCodec: opts.audio ? 'opus' : null,
    width: opts.width,
    height: opts.height,
    durationMs: Math.round(Number(probed.stdout.trim()) * 1000)
  }
  await writeFile(join(dir, 'recording.json'), JSON.stringify(facts, null, 2))
  return { dir, facts }
}

/** Edits with these kept ranges and annotations. */
export function editsOf(keep: TimeRange[] = [], annotations: Annotation[] = []): Edits {
  return { version: 2, keep, annotations }
}

/** A green rectangle callout over [startMs, endMs). */
export function rectCallout(id: string, startMs: number, endMs: number): Annotation {
  return {
    ...{ id, type: 'rect', startMs, endMs },
    ...{ x: 0.1, y: 0.1, w: 0.3, h: 0.3, color: '#00ff00', strokeWidth: 0.05 }
  } as Annotation
}
