/**
 * ffprobe / ffmpeg for the library: is an upload a playable video, how long is it, and its
 * thumbnail. The binaries are found as the app finds them (src/shared/ffmpeg-lookup.ts):
 * SIDECAST_FFMPEG / SIDECAST_FFPROBE, then the @ffmpeg-installer / @ffprobe-installer packages,
 * then PATH.
 */
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import {
  FFMPEG_ENV,
  FFPROBE_ENV,
  lookupFfmpeg,
  type FfmpegBinary,
  type FfmpegSystem
} from '../../../src/shared/ffmpeg-lookup'

const PACKAGES: Record<FfmpegBinary, string> = {
  ffmpeg: '@ffmpeg-installer/ffmpeg',
  ffprobe: '@ffprobe-installer/ffprobe'
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}

function fromPackage(binary: FfmpegBinary): string | null {
  try {
    const require = createRequire(import.meta.url)
    const found = require(PACKAGES[binary]) as { path?: unknown }
    return typeof found.path === 'string' ? found.path : null
  } catch {
    // The packages throw when their platform binary is missing: not bundled.
    return null
  }
}

/** Node's view of the machine for the shared lookup. */
function nodeSystem(env: NodeJS.ProcessEnv): FfmpegSystem {
  const windows = process.platform === 'win32'
  return {
    isExecutable,
    bundled: fromPackage,
    pathDirs: (env.PATH ?? '').split(path.delimiter),
    pathExtensions: windows ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').filter(Boolean) : [''],
    exeSuffix: windows ? '.exe' : '',
    path
  }
}

const warned = new Set<string>()

/**
 * The binaries to run. When the lookup finds none, the chosen or bare name is still returned, so
 * the run fails and the upload is refused as "not a video ffprobe can read"; the reason is logged
 * once.
 */
function binaries(env: NodeJS.ProcessEnv): Record<FfmpegBinary, string> {
  const chosen = { ffmpeg: env[FFMPEG_ENV] ?? '', ffprobe: env[FFPROBE_ENV] ?? '' }
  const found = lookupFfmpeg({ kind: 'env', ...chosen }, nodeSystem(env))
  if (found.problem && !warned.has(found.problem)) {
    warned.add(found.problem)
    console.error(`[sidecast] ${found.problem}`)
  }
  return {
    ffmpeg: found.path ?? (chosen.ffmpeg.trim() || 'ffmpeg'),
    ffprobe: found.ffprobePath ?? (chosen.ffprobe.trim() || 'ffprobe')
  }
}

export function findFfprobe(env: NodeJS.ProcessEnv = process.env): string {
  return binaries(env).ffprobe
}

export function findFfmpeg(env: NodeJS.ProcessEnv = process.env): string {
  return binaries(env).ffmpeg
}

interface RunResult {
  code: number
  stdout: string
  stderr: string
}

function run(bin: string, args: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      bin,
      args,
      { timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024, windowsHide: true },
      (error, stdout, stderr) => {
        const code =
          error === null ? 0 : typeof error.code === 'number' ? error.code : error.killed ? -1 : 1
        resolve({ code, stdout: String(stdout), stderr: String(stderr) })
      }
    )
  })
}

export interface ProbeResult {
  durationMs: number
  width: number | null
  height: number | null
  formatName: string
  mimeType: string
  videoCodec: string
}

export class NotAVideoError extends Error {}

interface ProbeJson {
  streams?: {
    codec_type?: string
    codec_name?: string
    width?: number
    height?: number
    duration?: string
    disposition?: { attached_pic?: number }
  }[]
  format?: { format_name?: string; duration?: string }
}

const IMAGE_CODECS = new Set(['mjpeg', 'png', 'bmp', 'gif', 'webp', 'tiff'])

function mimeFor(formatName: string, filename: string): string {
  const ext = path.extname(filename).toLowerCase()
  if (formatName.includes('webm') || formatName.includes('matroska')) {
    return ext === '.mkv' ? 'video/x-matroska' : 'video/webm'
  }
  if (formatName.includes('mp4') || formatName.includes('mov')) {
    return ext === '.mov' ? 'video/quicktime' : 'video/mp4'
  }
  if (formatName.includes('ogg')) return 'video/ogg'
  if (formatName.includes('avi')) return 'video/x-msvideo'
  return 'application/octet-stream'
}

/**
 * Checks that `file` is a video a browser can be given: a real video stream (not a cover image),
 * a positive duration, and a tail that decodes (a file cut short fails here, even when its index
 * is at the front and ffprobe alone would accept it). Throws NotAVideoError with a reason a
 * person can act on.
 */
export async function probeVideo(file: string, filename: string): Promise<ProbeResult> {
  // ffprobe and the tail decode run side by side: the answer comes after the slower of the two.
  const [probed, tail] = await Promise.all([
    run(
      findFfprobe(),
      ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', file],
      60_000
    ),
    // Decode the last second: a truncated file reports "partial file" or fails.
    run(
      findFfmpeg(),
      ['-v', 'error', '-nostdin', '-sseof', '-1', '-i', file, '-map', '0:v:0', '-f', 'null', '-'],
      120_000
    )
  ])
  if (probed.code !== 0) {
    const detail = probed.stderr.split('\n').find((l) => l.trim().length > 0) ?? ''
    const truncated = /moov atom not found|partial file|end of file/i.test(probed.stderr)
    throw new NotAVideoError(
      truncated
        ? 'The file is not a complete video: it ends before its index (cut short?).'
        : `The file is not a video ffprobe can read${detail ? ` (${detail.replace(/^.*?: /, '').slice(0, 200)})` : ''}.`
    )
  }
  let json: ProbeJson
  try {
    json = JSON.parse(probed.stdout) as ProbeJson
  } catch {
    throw new NotAVideoError('The file is not a video ffprobe can read.')
  }
  const video = (json.streams ?? []).find(
    (s) =>
      s.codec_type === 'video' &&
      !s.disposition?.attached_pic &&
      !IMAGE_CODECS.has(s.codec_name ?? '')
  )
  const formatName = json.format?.format_name ?? ''
  if (!video || /image2|_pipe$|^gif$|^png|^mjpeg$/.test(formatName)) {
    throw new NotAVideoError('The file has no video stream.')
  }
  const seconds = Number(json.format?.duration ?? video.duration ?? NaN)
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new NotAVideoError('The video has no duration (was it finished and made seekable?).')
  }

  if (tail.code !== 0 || /partial file|Invalid data found|end of file/i.test(tail.stderr)) {
    throw new NotAVideoError(
      'The video is cut short: its last frames are missing (was the file complete when uploaded?).'
    )
  }

  return {
    durationMs: Math.round(seconds * 1000),
    width: video.width ?? null,
    height: video.height ?? null,
    formatName,
    mimeType: mimeFor(formatName, filename),
    videoCodec: video.codec_name ?? ''
  }
}

/** Writes a JPEG thumbnail (at most 640 px wide) from a frame near the start. */
export async function makeThumbnail(
  file: string,
  durationMs: number,
  out: string
): Promise<boolean> {
  const at = Math.min(1, durationMs / 2000)
  if (await thumbnailAt(file, at, out)) return true
  return at > 0 ? thumbnailAt(file, 0, out) : false // a clip shorter than we were told
}

async function thumbnailAt(file: string, at: number, out: string): Promise<boolean> {
  const tmp = `${out}.tmp.jpg`
  const result = await run(
    findFfmpeg(),
    [
      '-v',
      'error',
      '-nostdin',
      '-y',
      '-ss',
      at.toFixed(3),
      '-i',
      file,
      '-frames:v',
      '1',
      '-vf',
      "scale='min(640,iw)':-2",
      '-q:v',
      '4',
      tmp
    ],
    60_000
  )
  if (result.code !== 0 || !fs.existsSync(tmp) || fs.statSync(tmp).size === 0) {
    fs.rmSync(tmp, { force: true })
    return false
  }
  fs.renameSync(tmp, out)
  return true
}
