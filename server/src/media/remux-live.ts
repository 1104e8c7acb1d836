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

function bounds(ctx: MediaContext): RunBounds {
  prlimit ??= findPrlimit()
  return {
    timeoutMs: ctx.config.timeoutMs,
    killGraceMs: ctx.config.killGraceMs,
    memoryLimit: ctx.config.memoryLimit,
    prlimit,
    signal: ctx.signal
  }
}

function stopped(result: RunResult, ctx: MediaContext): RunResult {
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

/**
 * Stream-copies the raw recording `raw` into `<outBase>.<mp4|webm|mkv>`. Throws NotAVideoError
 * (with a reason for the person who recorded it) when it is not a recording with video.
 */
export async function remuxLiveRecording(
  raw: string,
  outBase: string,
  ctx: MediaContext
): Promise<LiveRemux> {
  if ((await fsp.stat(raw)).size === 0) throw new NotAVideoError('The upload is empty.')
  const sniffed = await sniffContainer(raw)
  if (sniffed?.demuxer !== 'matroska') throw new NotAVideoError(LIVE_NOT_WEBM)
  const input = ['-f', 'matroska', '-protocol_whitelist', 'file', '-i', `file:${path.resolve(raw)}`]
  const { ffmpeg, ffprobe } = locateTools(ctx.config)

  ctx.onStep?.('remux')
  // Codecs from the track headers alone (nothing decoded) choose the container.
  const probed = stopped(
    await runTool(
      ffprobe,
      ['-v', 'error', '-nofind_stream_info', ...input, '-print_format', 'json', '-show_streams'],
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
  const container = finalContainer(video.codec_name, audioCodec)

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
        ...input,
        '-map',
        '0:v',
        '-map',
        '0:a?',
        '-c',
        'copy',
        // The index in front: a browser starts playing from the first bytes it gets. Opus in
        // MP4 is "experimental" to older ffmpeg builds, though browsers play it (as the app does).
        ...(container === 'mp4' ? ['-movflags', '+faststart', '-strict', 'experimental'] : []),
        '-f',
        MUXER[container],
        `file:${path.resolve(partial)}`
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
    throw new NotAVideoError(
      `The recording could not be made seekable (${firstLine(run.stderr) || 'no whole frame in it'}).`
    )
  }
  await fsp.rename(partial, file)
  const cutShort = /ended prematurely|truncat/i.test(run.stderr)
  return { file, container, videoCodec: video.codec_name, audioCodec, cutShort }
}
