/**
 * Finishes an upload sent while recording (instant share). MediaRecorder writes WebM as a stream:
 * no duration, no index (cues), so a browser cannot seek it and ffprobe cannot say how long it
 * is. One stream copy (`-c copy`, nothing re-encoded) makes it a seekable file with both, in the
 * container the app would pick for the same streams (src/shared/final-container.ts): MP4 with
 * the index in front (`+faststart`) for H.264, WebM for VP8/VP9.
 *
 * Bounded like every other run on an upload (run-tool.ts): the demuxer pinned, only the file
 * protocol, a time limit, an address-space limit. A recording whose last bytes are cut short (the
 * app crashed mid-write) keeps every whole frame, as the app's own recovery does; a file with no
 * whole frame is refused.
 */
import fsp from 'node:fs/promises'
import path from 'node:path'
import { finalContainer, type FinalContainer } from '../../../src/shared/final-container'
import type { MediaContext } from './ffprobe'
import { MediaStoppedError, NotAVideoError, describeDuration } from './ffprobe'
import { sniffContainer } from './container'
import { findPrlimit, locateTools } from './locate-ffmpeg'
import { runTool, type RunBounds, type RunResult } from './run-tool'

/** What the stream copy made. */
export interface LiveRemux {
  /** The seekable file (`<outBase>.<container>`); the caller adopts or removes it. */
  file: string
  container: FinalContainer
  /** ffprobe's codec names of what was copied. */
  videoCodec: string
  audioCodec: string | null
  /** Whether the raw recording ended part-way through a frame (only whole frames were kept). */
  cutShort: boolean
}

/** Refused before any tool runs: what a live upload must be. */
export const LIVE_NOT_WEBM =
  'A video sent while recording must be the WebM that the recorder writes; this file is not.'

let prlimit: string | null | undefined

export function bounds(ctx: MediaContext): RunBounds {
  prlimit ??= findPrlimit()
  return {
    timeoutMs: ctx.config.timeoutMs,
    killGraceMs: ctx.config.killGraceMs,
    memoryLimit: ctx.config.memoryLimit,
    prlimit,
    signal: ctx.signal
  }
}

export function stopped(result: RunResult, ctx: MediaContext): RunResult {
  if (result.aborted) throw new MediaStoppedError('the server is stopping')
  if (result.timedOut) {
    throw new NotAVideoError(
      `Finishing the recording took longer than ${describeDuration(ctx.config.timeoutMs)}, so it was stopped (is the file damaged?).`
    )
  }
  return result
}

function firstLine(stderr: string): string {
  const line = stderr.split('\n').find((l) => l.trim().length > 0) ?? ''
  return line.replace(/^\[[^\]]*\]\s*/, '').slice(0, 200)
}

const MUXER: Record<FinalContainer, string> = { mp4: 'mp4', webm: 'webm', mkv: 'matroska' }

/** The codecs of a raw live recording, from its track headers, and the container they go to. */
export interface LiveStreams {
  container: FinalContainer
  videoCodec: string
  audioCodec: string | null
}

/**
 * Reads the track headers of the raw recording `raw` (nothing decoded; the first bytes of a
 * growing upload are enough) and picks the container. Throws NotAVideoError when it is not WebM
 * with a video track, or its headers cannot be read (yet).
 */
export async function probeLiveStreams(raw: string, ctx: MediaContext): Promise<LiveStreams> {
  if ((await fsp.stat(raw)).size === 0) throw new NotAVideoError('The upload is empty.')
  const sniffed = await sniffContainer(raw)
  if (sniffed?.demuxer !== 'matroska') throw new NotAVideoError(LIVE_NOT_WEBM)
  const { ffprobe } = locateTools(ctx.config)
  const probed = stopped(
    await runTool(
      ffprobe,
      [
        '-v',
        'error',
        '-nofind_stream_info',
        ...fileInput(raw),
        '-print_format',
        'json',
        '-show_streams'
      ],
      bounds(ctx)
    ),
    ctx
  )
  let streams: Array<{ codec_type?: string; codec_name?: string }> = []
  try {
    streams = (JSON.parse(probed.stdout) as { streams?: typeof streams }).streams ?? []
  } catch {
    // not JSON: refused below
  }
  if (probed.code !== 0) {
    throw new NotAVideoError(
      `The recording cannot be read (${firstLine(probed.stderr) || 'no readable header'}); it may be cut short before its first frame.`
    )
  }
  const video = streams.find((s) => s.codec_type === 'video')
  if (!video?.codec_name) throw new NotAVideoError('The recording has no video stream.')
  const audioCodec = streams.find((s) => s.codec_type === 'audio')?.codec_name ?? null
  return {
    container: finalContainer(video.codec_name, audioCodec),
    videoCodec: video.codec_name,
    audioCodec
  }
}

function fileInput(raw: string): string[] {
  return ['-f', 'matroska', '-protocol_whitelist', 'file', '-i', `file:${path.resolve(raw)}`]
}

/**
 * ffmpeg's arguments after the input: every video and audio packet copied (nothing re-encoded)
 * into `output`. With `faststart` an MP4's index goes in front (a second pass over the file);
 * without, at the end, where a browser finds it with one Range request.
 */
export function liveCopyArgs(
  container: FinalContainer,
  output: string,
  faststart: boolean
): string[] {
  return [
    '-map',
    '0:v',
    '-map',
    '0:a?',
    '-c',
    'copy',
    // Opus in MP4 is "experimental" to older ffmpeg builds, though browsers play it (as the app
    // does).
    ...(container === 'mp4'
      ? [...(faststart ? ['-movflags', '+faststart'] : []), '-strict', 'experimental']
      : []),
    '-f',
    MUXER[container],
    `file:${path.resolve(output)}`
  ]
}

/** Whether ffmpeg said the recording's last bytes were cut short (only whole frames kept). */
export function wasCutShort(stderr: string): boolean {
  return /ended prematurely|truncat/i.test(stderr)
}

/** The reason for a failed stream copy, for the person who recorded it. */
export function copyFailure(stderr: string): string {
  return `The recording could not be made seekable (${firstLine(stderr) || 'no whole frame in it'}).`
}

/**
 * Stream-copies the raw recording `raw` into `<outBase>.<mp4|webm|mkv>` after its last byte (the
 * fallback when it was not followed as it arrived: live-followers.ts). Throws NotAVideoError
 * (with a reason for the person who recorded it) when it is not a recording with video.
 */
export async function remuxLiveRecording(
  raw: string,
  outBase: string,
  ctx: MediaContext
): Promise<LiveRemux> {
  const { ffmpeg } = locateTools(ctx.config)
  ctx.onStep?.('remux')
  const { container, videoCodec, audioCodec } = await probeLiveStreams(raw, ctx)
  const file = `${outBase}.${container}`
  const partial = `${outBase}.partial.${container}`
  await fsp.rm(partial, { force: true })
  const run = stopped(
    await runTool(
      ffmpeg,
      [
        '-v',
        'error',
        '-nostdin',
        '-y',
        ...fileInput(raw),
        // The index in front: a browser starts playing from the first bytes it gets.
        ...liveCopyArgs(container, partial, true)
      ],
      bounds(ctx)
    ),
    ctx
  )
  const size =
    run.code === 0
      ? await fsp.stat(partial).then(
          (s) => s.size,
          () => 0
        )
      : 0
  if (size === 0) {
    await fsp.rm(partial, { force: true })
    throw new NotAVideoError(copyFailure(run.stderr))
  }
  await fsp.rename(partial, file)
  return { file, container, videoCodec, audioCodec, cutShort: wasCutShort(run.stderr) }
}
