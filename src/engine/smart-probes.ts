/**
 * The ffprobe and ffmpeg reads smart rendering needs: a recording's GOP index (its video
 * packets and codec parameters) and, for verification, whether stretches of a file decode
 * without a single error and how long its video lasts. Plain child processes with bounded
 * output; the parsing is pure (gop-index.ts).
 */
import { execFile } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { SidecastError } from '../shared/errors'
import {
  buildGopIndex,
  extradataSpsIds,
  parseHexDump,
  parsePacketCsv,
  type GopIndex
} from './gop-index'

/**
 * The ffprobe in the same folder as `ffmpegPath` (ffmpeg ships them together: Debian's package,
 * the static builds), or null. The app passes the one it located (with the bundled packages).
 */
export function ffprobeBeside(ffmpegPath: string): string | null {
  const name = basename(ffmpegPath).replace(/ffmpeg/i, (m) =>
    m === 'FFMPEG' ? 'FFPROBE' : 'ffprobe'
  )
  if (name === basename(ffmpegPath)) return null
  const candidate = join(dirname(ffmpegPath), name)
  try {
    accessSync(candidate, constants.X_OK)
    return candidate
  } catch {
    return null
  }
}

interface RunResult {
  readonly stdout: string
  readonly stderr: string
}

function runTool(
  binary: string,
  args: readonly string[],
  signal?: AbortSignal
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      [...args],
      { maxBuffer: 256 * 1024 * 1024, signal, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (signal?.aborted) {
          reject(new SidecastError('cancelled', 'Cancelled: export the video.'))
        } else if (error) {
          const detail = String(stderr).trim().split('\n').at(-1) || error.message
          reject(new Error(`${basename(binary)} failed: ${detail}`))
        } else resolve({ stdout: String(stdout), stderr: String(stderr) })
      }
    )
  })
}

interface ProbedStreamJson {
  codec_name?: string
  profile?: string
  level?: number
  width?: number
  height?: number
  pix_fmt?: string
  time_base?: string
  sample_aspect_ratio?: string
  field_order?: string
  has_b_frames?: number
  extradata?: string
}

/**
 * Reads the GOP index of `file`'s first video stream: one pass over its packets (no decoding;
 * about a second for a 10-minute recording) and one over its stream header.
 */
export async function probeGopIndex(
  ffprobePath: string,
  file: string,
  signal?: AbortSignal
): Promise<GopIndex> {
  // prettier-ignore
  const [header, packets] = await Promise.all([
    runTool(ffprobePath, [
      '-v', 'error', '-select_streams', 'v:0', '-show_data',
      '-show_entries',
      'stream=codec_name,profile,level,width,height,pix_fmt,time_base,sample_aspect_ratio,field_order,has_b_frames,extradata:format=start_time',
      '-of', 'json', file
    ], signal),
    runTool(ffprobePath, [
      '-v', 'error', '-select_streams', 'v:0',
      '-show_entries', 'packet=pts_time,dts_time,duration_time,flags',
      '-of', 'csv=p=0', file
    ], signal)
  ])
  const parsed = JSON.parse(header.stdout) as {
    streams?: ProbedStreamJson[]
    format?: { start_time?: string }
  }
  const s = parsed.streams?.[0]
  if (!s?.codec_name) throw new Error(`${basename(file)} has no video stream`)
  const startTime = Number(parsed.format?.start_time ?? 0)
  return buildGopIndex(parsePacketCsv(packets.stdout), Number.isFinite(startTime) ? startTime : 0, {
    codec: s.codec_name,
    profile: s.profile ?? '',
    level: s.level ?? 0,
    width: s.width ?? 0,
    height: s.height ?? 0,
    pixFmt: s.pix_fmt ?? '',
    timeBase: s.time_base ?? '',
    sampleAspectRatio: s.sample_aspect_ratio ?? '',
    fieldOrder: s.field_order ?? 'unknown',
    hasBFrames: s.has_b_frames ?? 0,
    spsIds: extradataSpsIds(parseHexDump(s.extradata ?? ''))
  })
}

/**
 * What ffmpeg reports at level `error` while decoding the video of `file` between `startMs`
 * and `endMs` (empty: it decoded cleanly). The seek lands on the keyframe before `startMs`, so
 * the decoder crosses whatever lies inside the window as a player would.
 */
export async function decodeErrors(
  ffmpegPath: string,
  file: string,
  window: readonly [startMs: number, endMs: number] | null,
  signal?: AbortSignal
): Promise<string> {
  const range = window
    ? ['-ss', (window[0] / 1000).toFixed(3), '-t', ((window[1] - window[0]) / 1000).toFixed(3)]
    : []
  // Frames pass through with their own times: the null output's default constant-rate clock
  // would report a variable-rate recording's close frames as "non monotonically increasing dts",
  // an error of the check, not of the file.
  // prettier-ignore
  const { stderr } = await runTool(ffmpegPath, [
    '-hide_banner', '-nostdin', '-v', 'error', ...range, '-i', file,
    '-map', '0:v:0', '-vsync', 'passthrough', '-enc_time_base', '-1', '-f', 'null', '-'
  ], signal)
  return stderr.trim()
}

/** The duration of `file`'s first video stream, ms (the container's when the stream's is unknown). */
export async function videoDurationMs(
  ffprobePath: string,
  file: string,
  signal?: AbortSignal
): Promise<number> {
  // prettier-ignore
  const { stdout } = await runTool(ffprobePath, [
    '-v', 'error', '-select_streams', 'v:0',
    '-show_entries', 'stream=duration:format=duration', '-of', 'json', file
  ], signal)
  const parsed = JSON.parse(stdout) as {
    streams?: { duration?: string }[]
    format?: { duration?: string }
  }
  const seconds = Number(parsed.streams?.[0]?.duration ?? parsed.format?.duration ?? NaN)
  return seconds * 1000
}

/**
 * Where `file`'s first decoded audio sample sits on the recording's clock, ms, or null when
 * there is no audio stream. That is the first decoded frame's time, not the stream's
 * `start_time`: Opus streams start with samples the decoder drops (pre-skip, 6.5 ms), and their
 * `start_time` counts them.
 */
export async function audioStartMs(
  ffprobePath: string,
  file: string,
  signal?: AbortSignal
): Promise<number | null> {
  // prettier-ignore
  const { stdout } = await runTool(ffprobePath, [
    '-v', 'error', '-select_streams', 'a:0', '-read_intervals', '%+#1',
    '-show_entries', 'stream=start_time:frame=best_effort_timestamp_time', '-of', 'json', file
  ], signal)
  const parsed = JSON.parse(stdout) as {
    streams?: { start_time?: string }[]
    frames?: { best_effort_timestamp_time?: string }[]
  }
  const stream = parsed.streams?.[0]
  if (!stream) return null
  const first = Number(parsed.frames?.[0]?.best_effort_timestamp_time)
  if (Number.isFinite(first)) return first * 1000
  const start = Number(stream.start_time)
  return Number.isFinite(start) ? start * 1000 : 0
}
