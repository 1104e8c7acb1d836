/**
 * Generated media for the camera bubble's export tests: a MediaRecorder-like screen recording
 * (H.264, full range, a keyframe a second, jittered frame times, finished into MP4 as the app
 * does) with a camera recording beside it (VP8 WebM, as Chromium records a camera), and ways to
 * read back what the export drew: a block's colour at a moment, a block's brightness per frame.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { CameraFacts, RecordingFacts } from '../../../src/shared/project'
import { finishIntoMp4, probeVideo, type TestFfmpeg } from './media-fixtures'

const run = promisify(execFile)

export interface CameraProject {
  readonly dir: string
  /** The facts with `camera` (its length probed, as the app's finish does). */
  readonly facts: RecordingFacts
}

/**
 * A project folder with `recording.mp4` made from the lavfi `screen` source and `camera.webm`
 * made from the lavfi `camera` source; the camera's first frame falls at `offsetMs` on the
 * recording's clock.
 */
export async function makeCameraProject(
  tools: TestFfmpeg,
  dir: string,
  opts: {
    readonly screen: string
    readonly seconds: number
    readonly width: number
    readonly height: number
    readonly camera: string
    readonly cameraSeconds: number
    readonly offsetMs: number
  }
): Promise<CameraProject> {
  mkdirSync(dir, { recursive: true })
  const capture = join(dir, 'capture.mkv')
  // prettier-ignore
  await run(tools.ffmpegPath, [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', opts.screen, '-t', String(opts.seconds),
    '-vf', "setpts='(N/30+0.004*sin(N))/TB'",
    '-c:v', 'libx264', '-preset', 'ultrafast', '-profile:v', 'baseline', '-level:v', '3.1',
    '-pix_fmt', 'yuvj420p', '-g', '30', '-keyint_min', '30', '-sc_threshold', '0',
    '-bsf:v', 'dump_extra', '-enc_time_base', '1:1000', '-vsync', 'vfr',
    '-f', 'matroska', capture
  ])
  const finished = await finishIntoMp4(tools, dir, 'bubble', capture, {
    audio: false,
    width: opts.width,
    height: opts.height
  })
  const cameraFile = join(dir, 'camera.webm')
  // prettier-ignore
  await run(tools.ffmpegPath, [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', opts.camera, '-t', String(opts.cameraSeconds),
    '-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '800k', '-g', '25',
    '-f', 'webm', cameraFile
  ])
  const probed = await probeVideo(tools, cameraFile)
  const camera: CameraFacts = {
    file: 'camera.webm',
    container: 'webm',
    mimeType: 'video/webm;codecs=vp8',
    deviceName: 'Generated camera',
    offsetMs: opts.offsetMs,
    videoCodec: 'vp8',
    width: probed.width,
    height: probed.height,
    durationMs: probed.durationMs
  }
  const facts: RecordingFacts = { ...finished.facts, camera }
  writeFileSync(join(dir, 'recording.json'), JSON.stringify(facts, null, 2))
  return { dir, facts }
}

/** Mean RGB of the `size`×`size` block at (x, y) of the frame shown at `atMs`. */
export async function colourAt(
  tools: TestFfmpeg,
  file: string,
  atMs: number,
  x: number,
  y: number,
  size = 2
): Promise<[number, number, number]> {
  // prettier-ignore
  const { stdout } = await run(tools.ffmpegPath, [
    '-v', 'error', '-i', file, '-ss', (atMs / 1000).toFixed(3), '-frames:v', '1',
    '-vf', `crop=${size}:${size}:${x}:${y}`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-'
  ], { encoding: 'buffer', maxBuffer: 1024 * 1024 })
  const sum = [0, 0, 0]
  for (let i = 0; i + 2 < stdout.length; i += 3)
    for (let c = 0; c < 3; c++) sum[c]! += stdout[i + c]!
  const n = Math.max(1, stdout.length / 3)
  return [Math.round(sum[0]! / n), Math.round(sum[1]! / n), Math.round(sum[2]! / n)]
}

/** Per decoded frame: its time (ms) and the mean brightness (0–255) of a block. */
export async function brightnessTrack(
  tools: TestFfmpeg,
  file: string,
  block: { readonly x: number; readonly y: number; readonly size: number }
): Promise<{ timeMs: number; luma: number }[]> {
  // prettier-ignore
  const [times, pixels] = await Promise.all([
    run(tools.ffprobePath, [
      '-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=best_effort_timestamp_time',
      '-of', 'json', file
    ]),
    run(tools.ffmpegPath, [
      '-v', 'error', '-i', file, '-map', '0:v:0',
      '-vf', `crop=${block.size}:${block.size}:${block.x}:${block.y},scale=1:1:flags=area`,
      '-vsync', 'passthrough', '-pix_fmt', 'gray', '-f', 'rawvideo', '-'
    ], { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 })
  ])
  const frames = (JSON.parse(times.stdout) as { frames: { best_effort_timestamp_time?: string }[] })
    .frames
  return [...pixels.stdout].map((luma, i) => ({
    timeMs: Number(frames[i]?.best_effort_timestamp_time) * 1000,
    luma
  }))
}

/** Times (ms) at which a block turns from dark to bright (brightness crossing 128). */
export function brightOnsets(track: readonly { timeMs: number; luma: number }[]): number[] {
  const onsets: number[] = []
  track.forEach(({ timeMs, luma }, i) => {
    if (luma > 128 && (i === 0 || track[i - 1]!.luma <= 128)) onsets.push(timeMs)
  })
  return onsets
}

/** True for a colour that is mostly red (the generated camera), false for anything else. */
export function isRed([r, g, b]: readonly number[]): boolean {
  return r! > 170 && g! < 90 && b! < 90
}

/** True for a colour that is mostly blue (the generated screen). */
export function isBlue([r, g, b]: readonly number[]): boolean {
  return b! > 170 && r! < 90 && g! < 90
}
