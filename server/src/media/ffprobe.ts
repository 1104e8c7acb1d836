/**
 * ffprobe and ffmpeg on uploads: is it a video the library takes, is it within the limits, is it
 * complete, and its thumbnail. Every run opens only the upload's own bytes and is bounded
 * (docs/security.md, "Media processing"):
 *
 *   1. The container is told from the first bytes (container.ts): MP4/MOV or Matroska/WebM, or
 *      the upload is refused before any tool runs. Playlists and file lists never reach ffmpeg.
 *   2. ffprobe reads the headers with that demuxer pinned (`-f`), only the `file` protocol, and
 *      without decoding anything (`-nofind_stream_info`).
 *   3. Frame size and duration are checked from that answer, before any frame is decoded.
 *   4. Only then ffmpeg decodes the last second (a file cut short fails there) and one frame for
 *      the thumbnail, each with the demuxer pinned, one thread, `-max_pixels` (should the
 *      headers lie about the frame size) and the chosen stream only.
 *
 * Every run has a time limit that ends in SIGKILL, and an address-space limit where `prlimit` is
 * installed (run-tool.ts).
 */
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import type { MediaConfig } from '../config'
import { sniffContainer, type Container } from './container'
import { findPrlimit, locateTools } from './locate-ffmpeg'
import { runTool, type RunResult } from './run-tool'

/** The tool runs on an upload, in order ('remux' first, for a live upload: remux-live.ts). */
export type MediaStep = 'probe' | 'decode-tail' | 'thumbnail' | 'remux'

/** The upload is refused: the message says why, for the person who sent it. */
export class NotAVideoError extends Error {}

/** A run was cut short because the server is stopping: not the upload's fault. */
export class MediaStoppedError extends Error {}

/** What the runs on one upload share. */
export interface MediaContext {
  config: MediaConfig
  /** Aborted when the server stops: running tools are killed at once. */
  signal: AbortSignal
  /** Told before each run (tests and monitoring). */
  onStep?(step: MediaStep): void
}

export interface ProbeResult {
  durationMs: number
  width: number
  height: number
  formatName: string
  mimeType: string
  videoCodec: string
  /** The demuxer every later run is pinned to. */
  container: Container
  /** The index of the video stream every later run decodes. */
  streamIndex: number
}

interface ProbeStream {
  index?: number
  codec_type?: string
  codec_name?: string
  width?: number
  height?: number
  duration?: string
  disposition?: { attached_pic?: number }
}

interface ProbeJson {
  streams?: ProbeStream[]
  format?: { format_name?: string; duration?: string }
}

const IMAGE_CODECS = new Set(['mjpeg', 'png', 'bmp', 'gif', 'webp', 'tiff'])

export const NOT_A_CONTAINER =
  'The file is not a video the library takes: only MP4/MOV and WebM/Matroska files are accepted (playlists, lists of files and other formats are refused).'

let prlimit: string | null | undefined

function bounds(ctx: MediaContext): Parameters<typeof runTool>[2] {
  prlimit ??= findPrlimit()
  return {
    timeoutMs: ctx.config.timeoutMs,
    killGraceMs: ctx.config.killGraceMs,
    memoryLimit: ctx.config.memoryLimit,
    prlimit,
    signal: ctx.signal
  }
}

/** "4 h", "15 min", "90 s", "1.5 s": a limit or a length as people say it. */
export function describeDuration(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`
  const seconds = ms / 1000
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`
}

/** Refuses a run that was stopped; otherwise hands its result back. */
function checked(result: RunResult, ctx: MediaContext): RunResult {
  if (result.aborted) throw new MediaStoppedError('the server is stopping')
  if (result.timedOut) {
    throw new NotAVideoError(
      `Checking the video took longer than ${describeDuration(ctx.config.timeoutMs)}, so it was stopped (is the file damaged?).`
    )
  }
  return result
}

/** The input arguments of every run: pinned demuxer, only the file protocol, the file itself. */
function input(file: string, container: Container): string[] {
  return [
    '-f',
    container.demuxer,
    ...container.options,
    '-protocol_whitelist',
    'file',
    '-i',
    `file:${path.resolve(file)}`
  ]
}

/** Decoder bounds for the ffmpeg runs: one thread, and no frame larger than the limit. */
function decoderBounds(config: MediaConfig): string[] {
  const maxPixels = Math.min(config.maxFrameWidth * config.maxFrameHeight, 2 ** 31 - 1)
  return ['-threads', '1', '-max_pixels', String(maxPixels)]
}

function mimeFor(container: Container, filename: string): string {
  const ext = path.extname(filename).toLowerCase()
  if (container.demuxer === 'matroska') return ext === '.mkv' ? 'video/x-matroska' : 'video/webm'
  return ext === '.mov' ? 'video/quicktime' : 'video/mp4'
}

function fits(width: number, height: number, config: MediaConfig): boolean {
  const { maxFrameWidth: w, maxFrameHeight: h } = config
  return (width <= w && height <= h) || (width <= h && height <= w)
}

/**
 * Checks that `file` is a video the library takes, from its headers alone: a container it
 * accepts, a real video stream (not a cover image), a positive duration, frames and length
 * within the limits. Throws NotAVideoError with a reason a person can act on. Decodes nothing.
 */
export async function probeVideo(
  file: string,
  filename: string,
  ctx: MediaContext
): Promise<ProbeResult> {
  if ((await fsp.stat(file)).size === 0) throw new NotAVideoError('The upload is empty.')
  const container = await sniffContainer(file)
  if (!container) throw new NotAVideoError(NOT_A_CONTAINER)

  ctx.onStep?.('probe')
  const { ffprobe } = locateTools(ctx.config)
  const probed = checked(
    await runTool(
      ffprobe,
      [
        '-v',
        'error',
        // Headers only: finding stream info decodes frames, which is what the limits guard.
        '-nofind_stream_info',
        ...input(file, container),
        '-print_format',
        'json',
        '-show_streams',
        '-show_format'
      ],
      bounds(ctx)
    ),
    ctx
  )
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
  if (json.format?.format_name !== container.formatName) throw new NotAVideoError(NOT_A_CONTAINER)

  const videos = (json.streams ?? []).filter(
    (s) =>
      s.codec_type === 'video' &&
      !s.disposition?.attached_pic &&
      !IMAGE_CODECS.has(s.codec_name ?? '')
  )
  const video = videos[0]
  if (!video || typeof video.index !== 'number') {
    throw new NotAVideoError('The file has no video stream.')
  }
  for (const stream of videos) {
    const width = stream.width ?? 0
    const height = stream.height ?? 0
    if (width <= 0 || height <= 0) {
      throw new NotAVideoError('The video does not say its frame size in its header.')
    }
    if (!fits(width, height, ctx.config)) {
      throw new NotAVideoError(
        `The video's frames are ${width}×${height}; the library takes at most ${ctx.config.maxFrameWidth}×${ctx.config.maxFrameHeight} (either way round).`
      )
    }
  }

  const seconds = Number(json.format?.duration ?? video.duration ?? NaN)
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new NotAVideoError('The video has no duration (was it finished and made seekable?).')
  }
  // The longest thing the file says it holds, so no stream hides a longer run behind the video.
  const longest = Math.max(
    seconds,
    ...(json.streams ?? []).map((s) => Number(s.duration ?? 0)).filter(Number.isFinite)
  )
  if (longest * 1000 > ctx.config.maxDurationMs) {
    throw new NotAVideoError(
      `The video lasts ${describeDuration(Math.round(longest) * 1000)}, longer than the library's limit of ${describeDuration(ctx.config.maxDurationMs)}.`
    )
  }

  return {
    durationMs: Math.round(seconds * 1000),
    width: video.width as number,
    height: video.height as number,
    formatName: container.formatName,
    mimeType: mimeFor(container, filename),
    videoCodec: video.codec_name ?? '',
    container,
    streamIndex: video.index
  }
}

/**
 * Decodes the last second of the checked video stream: a file cut short fails here even when its
 * index is at the front and ffprobe alone would accept it.
 */
export async function checkTail(
  file: string,
  probe: ProbeResult,
  ctx: MediaContext
): Promise<void> {
  ctx.onStep?.('decode-tail')
  const tail = checked(
    await runTool(
      locateTools(ctx.config).ffmpeg,
      [
        '-v',
        'error',
        '-nostdin',
        ...decoderBounds(ctx.config),
        '-sseof',
        '-1',
        ...input(file, probe.container),
        '-map',
        `0:${probe.streamIndex}`,
        '-threads',
        '1',
        '-f',
        'null',
        '-'
      ],
      bounds(ctx)
    ),
    ctx
  )
  if (tail.code !== 0 || /partial file|Invalid data found|end of file/i.test(tail.stderr)) {
    throw new NotAVideoError(
      'The video is cut short: its last frames are missing (was the file complete when uploaded?).'
    )
  }
}

/** Writes a JPEG thumbnail (at most 640 px wide) from a frame near the start. */
export async function makeThumbnail(
  file: string,
  probe: ProbeResult,
  out: string,
  ctx: MediaContext
): Promise<boolean> {
  const at = Math.min(1, probe.durationMs / 2000)
  if (await thumbnailAt(file, probe, at, out, ctx)) return true
  return at > 0 ? thumbnailAt(file, probe, 0, out, ctx) : false // shorter than it says
}

async function thumbnailAt(
  file: string,
  probe: ProbeResult,
  at: number,
  out: string,
  ctx: MediaContext
): Promise<boolean> {
  const tmp = `${out}.tmp.jpg`
  ctx.onStep?.('thumbnail')
  const run = await runTool(
    locateTools(ctx.config).ffmpeg,
    [
      '-v',
      'error',
      '-nostdin',
      '-y',
      ...decoderBounds(ctx.config),
      '-ss',
      at.toFixed(3),
      ...input(file, probe.container),
      '-map',
      `0:${probe.streamIndex}`,
      '-frames:v',
      '1',
      '-vf',
      "scale='min(640,iw)':-2",
      '-threads',
      '1',
      '-filter_threads',
      '1',
      '-q:v',
      '4',
      '-f',
      'image2',
      '-update',
      '1',
      tmp
    ],
    bounds(ctx)
  )
  if (run.aborted || run.timedOut) fs.rmSync(tmp, { force: true })
  const result = checked(run, ctx)
  if (result.code !== 0 || !fs.existsSync(tmp) || fs.statSync(tmp).size === 0) {
    fs.rmSync(tmp, { force: true })
    return false
  }
  fs.renameSync(tmp, out)
  return true
}
