/** ffprobe / ffmpeg helpers for tests: what is really in a file. */
import { execFile, spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface ProbedStream {
  codec_type: 'video' | 'audio' | string
  codec_name: string
  width?: number
  height?: number
  pix_fmt?: string
  nb_read_frames?: string
}

export interface Probed {
  streams: ProbedStream[]
  format: { duration?: string; format_name: string; size?: string }
}

const FFPROBE = process.env.SIDECAST_TEST_FFPROBE ?? 'ffprobe'
const FFMPEG = process.env.SIDECAST_TEST_FFMPEG ?? 'ffmpeg'

export async function probe(file: string, countFrames = false): Promise<Probed> {
  const args = ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format']
  if (countFrames) args.push('-count_frames')
  const { stdout } = await run(FFPROBE, [...args, file], { maxBuffer: 16 * 1024 * 1024 })
  return JSON.parse(stdout) as Probed
}

export function durationSeconds(probed: Probed): number {
  return Number(probed.format.duration ?? NaN)
}

/** Mean RGB of a size×size block at (x, y) in the frame shown at `atSeconds`. */
export async function sampleColour(
  file: string,
  atSeconds: number,
  x: number,
  y: number,
  size = 16
): Promise<[number, number, number]> {
  const { stdout } = await run(
    FFMPEG,
    [
      '-v',
      'error',
      '-ss',
      String(atSeconds),
      '-i',
      file,
      '-frames:v',
      '1',
      '-vf',
      `crop=${size}:${size}:${x}:${y},scale=1:1:flags=area`,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-'
    ],
    { encoding: 'buffer', maxBuffer: 1024 * 1024 }
  )
  if (stdout.length < 3) throw new Error(`No frame decoded at ${atSeconds}s of ${file}`)
  return [stdout[0]!, stdout[1]!, stdout[2]!]
}

/** Peak audio level in dBFS over the whole file (-91 for digital silence). */
export async function audioPeakDb(file: string): Promise<number> {
  const { stderr } = await run(
    FFMPEG,
    ['-v', 'info', '-i', file, '-map', '0:a:0', '-af', 'volumedetect', '-f', 'null', '-'],
    {
      maxBuffer: 16 * 1024 * 1024
    }
  )
  const match = /max_volume: (-?[\d.]+) dB/.exec(stderr)
  if (!match?.[1]) throw new Error(`volumedetect found no audio in ${file}`)
  return Number(match[1])
}

/** A region of a frame in pixels. */
export interface Region {
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
}

/** The RGB pixels of `region` in the frame shown at `atSeconds`, row by row. */
export async function framePixels(
  file: string,
  atSeconds: number,
  region: Region
): Promise<Buffer> {
  const { x, y, width, height } = region
  // prettier-ignore
  const { stdout } = await run(
    FFMPEG,
    [
      '-v', 'error', '-ss', String(atSeconds), '-i', file, '-frames:v', '1',
      '-vf', `crop=${width}:${height}:${x}:${y}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'
    ],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }
  )
  if (stdout.length < width * height * 3) {
    throw new Error(`No full frame decoded at ${atSeconds}s of ${file}`)
  }
  return stdout
}

/** How many pixels of `region` at `atSeconds` match `test`. */
export async function countPixels(
  file: string,
  atSeconds: number,
  region: Region,
  test: (r: number, g: number, b: number) => boolean
): Promise<number> {
  const pixels = await framePixels(file, atSeconds, region)
  let count = 0
  for (let i = 0; i + 2 < pixels.length; i += 3) {
    if (test(pixels[i]!, pixels[i + 1]!, pixels[i + 2]!)) count++
  }
  return count
}

/**
 * Runs ffmpeg with `args` ending in `pipe:1` and writes what it streams to `file`: written to a
 * pipe like MediaRecorder's output, the file has no duration and no cues.
 */
export async function ffmpegToFile(
  ffmpegPath: string,
  args: readonly string[],
  file: string
): Promise<void> {
  const child = spawn(ffmpegPath, [...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', resolve)
  })
  await pipeline(child.stdout, createWriteStream(file))
  const code = await exited
  if (code !== 0) throw new Error(`ffmpeg exited ${code}: ${stderr}`)
}
