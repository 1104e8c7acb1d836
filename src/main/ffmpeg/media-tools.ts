/**
 * The media operations the recorder needs, run through fluent-ffmpeg: make a MediaRecorder
 * capture seekable (stream-copy remux), read its facts (ffprobe), and grab a thumbnail.
 */
import { randomBytes } from 'node:crypto'
import { rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, extname, join } from 'node:path'
import ffmpeg, { type FfprobeData } from 'fluent-ffmpeg'
import { SidecastError } from '../../shared/errors'
import { runFfmpeg } from '../../engine/run-ffmpeg'

export interface MediaToolsOptions {
  /** Absolute path of the ffmpeg binary (see locateFfmpeg). */
  readonly ffmpegPath: string
  /** Absolute path of the ffprobe binary. */
  readonly ffprobePath: string
}

export interface MediaProbe {
  /** Whole milliseconds; 0 when the container does not say and no stream does either. */
  readonly durationMs: number
  readonly width: number
  readonly height: number
  /** ffprobe's codec name: `h264`, `vp8`, `vp9`, … */
  readonly videoCodec: string
  /** ffprobe's codec name, or null when there is no audio stream. */
  readonly audioCodec: string | null
  /** ffprobe's format name, e.g. `matroska,webm` or `mov,mp4,m4a,3gp,3g2,mj2`. */
  readonly formatName: string
}

export interface CancelOptions {
  /** Aborting stops ffmpeg (`q`, then a kill) and rejects with SidecastError('cancelled'). */
  readonly signal?: AbortSignal
}

export interface MediaTools {
  /** Stream-copies `input` into `output` (format from its extension); `output` appears only when complete. */
  remux(input: string, output: string, options?: CancelOptions): Promise<void>
  probe(file: string): Promise<MediaProbe>
  /** Writes a JPEG about 480 px wide of the frame at `atMs` (or the first frame when `atMs` is past the end). */
  thumbnail(input: string, outputJpg: string, atMs: number, options?: CancelOptions): Promise<void>
}

// The container rule is shared with the library server (it finishes uploads sent while recording).
export { finalContainer, type FinalContainer } from '../../shared/final-container'

// Even height keeps every JPEG encoder happy; 480 px wide is plenty for a list card.
// prettier-ignore
const THUMBNAIL_OPTIONS = [
  '-frames:v', '1', '-an',
  '-vf', 'scale=480:-2',
  '-q:v', '4',
  '-update', '1',
  '-f', 'image2', '-c:v', 'mjpeg'
]

const MUXER: Record<string, string> = { '.webm': 'webm', '.mp4': 'mp4', '.mkv': 'matroska' }

function partialName(output: string): string {
  return join(dirname(output), `.${basename(output)}.${randomBytes(3).toString('hex')}.partial`)
}

function positive(value: unknown): number | null {
  const n = typeof value === 'string' ? Number(value) : value
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : null
}

/** Turns ffprobe's output into MediaProbe, or says why the file is not a playable video. */
export function toMediaProbe(file: string, data: FfprobeData): MediaProbe {
  const video = data.streams.find(
    (s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1
  )
  const audio = data.streams.find((s) => s.codec_type === 'audio')
  const width = positive(video?.width)
  const height = positive(video?.height)
  if (!video || !video.codec_name || !width || !height) {
    throw new SidecastError(
      'not-a-video',
      `${basename(file)} has no playable video stream, so it is not a recording Sidecast can use.`
    )
  }
  // MediaRecorder's WebM has no container duration; fall back to the longest stream.
  const seconds =
    positive(data.format.duration) ??
    Math.max(0, ...data.streams.map((s) => positive(s.duration) ?? 0))
  return {
    durationMs: Math.round(seconds * 1000),
    width,
    height,
    videoCodec: video.codec_name,
    audioCodec: audio?.codec_name ?? null,
    formatName: String(data.format.format_name ?? '')
  }
}

export function createMediaTools(options: MediaToolsOptions): MediaTools {
  // fluent-ffmpeg keeps binary paths in a process-wide cache, so every command sets them again
  // right before it runs; this module is the only user of fluent-ffmpeg.
  const command = (): ffmpeg.FfmpegCommand =>
    ffmpeg().setFfmpegPath(options.ffmpegPath).setFfprobePath(options.ffprobePath)

  async function remux(input: string, output: string, opts: CancelOptions = {}): Promise<void> {
    const muxer = MUXER[extname(output).toLowerCase()]
    if (!muxer) throw new Error(`remux: unsupported output extension in ${output}`)
    const partial = partialName(output)
    const outputOptions = ['-map', '0:v:0', '-map', '0:a?', '-c', 'copy']
    if (muxer === 'mp4') {
      // faststart puts the index first so playback starts before the whole file is read;
      // Opus in MP4 is still flagged experimental by older ffmpeg builds.
      outputOptions.push('-movflags', '+faststart', '-strict', 'experimental')
    }
    outputOptions.push('-f', muxer)
    const cmd = command()
      .input(input)
      // A capture cut off by a crash ends mid-cluster: regenerate missing timestamps and drop
      // the broken tail instead of failing.
      .inputOptions(['-fflags', '+genpts+discardcorrupt'])
      .output(partial)
      .outputOptions(outputOptions)
    try {
      await runFfmpeg(cmd, { signal: opts.signal, task: 'make the recording seekable' })
      const written = await stat(partial)
      if (written.size === 0) {
        throw new SidecastError(
          'ffmpeg-failed',
          'ffmpeg produced an empty file from the recording.'
        )
      }
      await rename(partial, output)
    } finally {
      await rm(partial, { force: true })
    }
  }

  function probe(file: string): Promise<MediaProbe> {
    return new Promise<MediaProbe>((resolve, reject) => {
      command()
        .input(file)
        .ffprobe((error: unknown, data: FfprobeData) => {
          if (error) {
            const detail =
              error instanceof Error ? error.message.split('\n').filter(Boolean).at(-1) : ''
            reject(
              new SidecastError(
                'not-a-video',
                `${basename(file)} could not be read as a video${detail ? ` (${detail})` : ''}.`
              )
            )
            return
          }
          try {
            resolve(toMediaProbe(file, data))
          } catch (problem) {
            reject(problem)
          }
        })
    })
  }

  async function grabFrame(
    input: string,
    output: string,
    atMs: number,
    signal?: AbortSignal
  ): Promise<boolean> {
    const partial = partialName(output)
    const cmd = command()
      .input(input)
      .inputOptions(['-ss', (Math.max(0, atMs) / 1000).toFixed(3)])
      .output(partial)
      .outputOptions(THUMBNAIL_OPTIONS)
    try {
      await runFfmpeg(cmd, { signal, task: 'make a thumbnail' })
      const written = await stat(partial).catch(() => null)
      if (!written || written.size === 0) return false
      await rename(partial, output)
      return true
    } finally {
      await rm(partial, { force: true })
    }
  }

  async function thumbnail(
    input: string,
    outputJpg: string,
    atMs: number,
    opts: CancelOptions = {}
  ): Promise<void> {
    // Seeking past the last frame yields no image (ffmpeg still exits 0): try the first frame.
    if (await grabFrame(input, outputJpg, atMs, opts.signal)) return
    if (atMs > 0 && (await grabFrame(input, outputJpg, 0, opts.signal))) return
    throw new SidecastError(
      'ffmpeg-failed',
      `ffmpeg could not make a thumbnail of ${basename(input)}.`
    )
  }

  return { remux, probe, thumbnail }
}
