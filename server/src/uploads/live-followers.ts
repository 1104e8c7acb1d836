/**
 * The stream copy of a live upload made as its bytes arrive (instant share, issue 12), so the
 * finish after the last byte takes about a second whatever the recording's length.
 *
 * While an upload sent while recording is fed (file storage), one bounded ffmpeg per upload reads
 * the raw upload file as it grows (follow-file.ts) through its standard input and copies every
 * packet (`-c copy`) into a seekable file beside it, in the container the app would pick
 * (src/shared/final-container.ts, decided from the track headers in the first bytes). An MP4 is
 * written progressively, so its index (moov) goes at the end: `+faststart` would be the second
 * full pass this exists to avoid, and a browser finds an index at the end with one Range request.
 * At the last byte the reader reaches the end, ffmpeg's input closes, and it writes its index and
 * exits — independent of the length.
 *
 * Whatever is wrong with it — ffmpeg failed or was stopped, the server restarted and the new
 * follower has not caught up in time, the file is not the one followed — finish() answers null and
 * the processor makes the copy after the last byte as before (remux-live.ts): never a broken video.
 * Bounded: at most `max` followers at once (the others are copied at the finish); each is killed
 * when its upload is terminated, expires (its file goes, or stops growing) or the server stops.
 */
import fsp from 'node:fs/promises'
import path from 'node:path'
import type { MediaConfig } from '../config'
import { NotAVideoError, type MediaContext } from '../media/ffprobe'
import { locateTools } from '../media/locate-ffmpeg'
import {
  bounds,
  liveCopyArgs,
  probeLiveStreams,
  wasCutShort,
  type LiveRemux,
  type LiveStreams
} from '../media/remux-live'
import { runTool, type RunResult } from '../media/run-tool'
import { followFile, type FollowedFile } from '../storage/follow-file'

/** Below this, the track headers may not all be there yet: wait for more bytes. */
const MIN_PROBE_BYTES = 4096
/** With this much and still no readable track headers, it is not worth following. */
const MAX_PROBE_BYTES = 4 * 1024 * 1024
/** How often a follower at the end of the file looks for more when no PATCH woke it. */
const POLL_MS = 500

export interface LiveFollowersOptions {
  /** Where an unfinished upload's bytes grow on disk; absent (S3): nothing is followed. */
  growingFile?: (uploadId: string) => string
  /** Folder for the followers' output (same disk as the videos). */
  tmpDir: string
  /**
   * Names this process's output files: the tmp folder may be shared by several instances, each
   * of which may follow the same upload (the PATCHes of one upload reach either, and each one's
   * reconciler nudges the live uploads it finds), so two never write one file.
   */
  instanceTag?: string
  media: MediaConfig
  /** Most followers at once; 0: none. */
  max: number
  /** A follower whose file has not grown for this long stops (the upload is abandoned). */
  idleLimitMs: number
  /** Whether the upload is a live upload still being fed (checked before and after starting). */
  followable(uploadId: string): Promise<boolean>
  log(message: string): void
  /** A follower's ffmpeg started (tests stop it from outside to check the fallback). */
  onFollow?(uploadId: string, pid: number): void
}

interface Follower {
  raw: string
  output: string
  streams: LiveStreams
  reader: FollowedFile
  controller: AbortController
  run: Promise<RunResult>
  /** Why it cannot be used, once known. */
  failed: string | null
}

export class LiveFollowers {
  private readonly followers = new Map<string, Follower>()
  /** Uploads whose follower is being started (probing the first bytes). */
  private readonly starting = new Set<string>()
  /** Uploads not followed again (unreadable headers after megabytes, a follower that failed). */
  private readonly skipped = new Set<string>()
  private closed = false
  private readonly stopping = new AbortController()

  constructor(private readonly options: LiveFollowersOptions) {}

  /** How many followers run now. */
  get running(): number {
    return this.followers.size
  }

  /** Bytes of a live upload arrived (or may be on disk: a restart): follow it, or wake it up. */
  nudge(uploadId: string): void {
    const follower = this.followers.get(uploadId)
    if (follower) {
      follower.reader.wake()
      return
    }
    const { growingFile, max } = this.options
    if (this.closed || !growingFile || this.starting.has(uploadId)) return
    if (this.skipped.has(uploadId) || this.followers.size + this.starting.size >= max) return
    // The slot is taken before the first (followable is a database read, in start()).
    this.starting.add(uploadId)
    this.start(uploadId, growingFile(uploadId))
      .catch((error: unknown) => {
        this.options.log(`upload ${uploadId}: could not follow it as it arrives: ${String(error)}`)
      })
      .finally(() => this.starting.delete(uploadId))
  }

  private async start(uploadId: string, raw: string): Promise<void> {
    if (!(await this.options.followable(uploadId))) return
    const size = await fsp.stat(raw).then(
      (s) => s.size,
      () => 0
    )
    if (size < MIN_PROBE_BYTES) return
    const ctx = this.context()
    let streams: LiveStreams
    try {
      streams = await probeLiveStreams(raw, ctx)
    } catch (error) {
      if (!(error instanceof NotAVideoError)) throw error
      // Not all the headers yet, or never: the finish copies it (and says why it cannot).
      if (size >= MAX_PROBE_BYTES) this.skipped.add(uploadId)
      return
    }
    if (this.closed || !(await this.options.followable(uploadId))) return
    if (this.closed || this.followers.has(uploadId)) return

    const tag = this.options.instanceTag ? `-${this.options.instanceTag}` : ''
    const output = path.join(
      this.options.tmpDir,
      `live-${uploadId}${tag}.follow.${streams.container}`
    )
    await fsp.rm(output, { force: true })
    const { media } = this.options
    const reader = followFile(raw, { pollMs: POLL_MS, idleLimitMs: this.options.idleLimitMs })
    const controller = new AbortController()
    const stop = (): void => controller.abort()
    this.stopping.signal.addEventListener('abort', stop, { once: true })
    const { ffmpeg } = locateTools(media)
    const run = runTool(
      ffmpeg,
      [
        '-v',
        'error',
        '-nostdin',
        '-y',
        '-f',
        'matroska',
        '-protocol_whitelist',
        'pipe',
        '-i',
        'pipe:0',
        ...liveCopyArgs(streams.container, output, false)
      ],
      {
        ...bounds(ctx),
        // It lives as long as the recording: bounded by the longest video accepted (with room
        // for pauses) and by the upload's expiry (the reader stops when the file does).
        timeoutMs: 2 * media.maxDurationMs + media.timeoutMs,
        signal: controller.signal,
        stdin: reader.stream,
        onSpawn: (pid) => this.options.onFollow?.(uploadId, pid)
      }
    )
    const follower: Follower = {
      raw: path.resolve(raw),
      output,
      streams,
      reader,
      controller,
      run,
      failed: null
    }
    this.followers.set(uploadId, follower)
    // Its stream never outlives its ffmpeg (which stops reading it when it exits).
    reader.stream.on('error', (error: Error) => {
      follower.failed ??= `reading the upload: ${error.message}`
    })
    void run.then((result) => {
      this.stopping.signal.removeEventListener('abort', stop)
      reader.stream.destroy()
      if (result.code !== 0 || result.aborted || result.timedOut) {
        follower.failed ??= result.aborted
          ? 'stopped'
          : `ffmpeg ${result.timedOut ? 'ran too long' : `exited with ${result.code}`}: ${result.stderr.trim().slice(0, 200)}`
      }
      if (follower.failed) {
        if (this.followers.get(uploadId) === follower) {
          // Not tried again (a second failure would cost a second pass for nothing): the finish
          // copies the whole recording.
          this.followers.delete(uploadId)
          this.skipped.add(uploadId)
          this.options.log(
            `upload ${uploadId}: the copy made as it arrives stopped (${follower.failed}); its finish will copy the whole recording`
          )
        }
        void fsp.rm(output, { force: true })
      }
    })
  }

  /**
   * All of the upload's bytes are at `raw`: lets its follower read to the end and finish, and
   * moves the seekable file to `<outBase>.<container>`. Null when there is no follower or its
   * output cannot be trusted (then the caller copies the whole recording).
   */
  async finish(uploadId: string, raw: string, outBase: string): Promise<LiveRemux | null> {
    this.skipped.delete(uploadId)
    const follower = this.followers.get(uploadId)
    if (!follower) return null
    try {
      if (follower.failed || follower.raw !== path.resolve(raw)) return null
      const { size } = await fsp.stat(raw)
      follower.reader.end(size)
      // Normally about a second; one far behind (a restart) gets a tool run's time, then the
      // copy after the last byte, which is no slower, takes over.
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), this.options.media.timeoutMs)
      })
      const result = await Promise.race([follower.run, late])
      clearTimeout(timer)
      if (!result) {
        follower.failed = 'it was still behind when the upload finished'
        return null
      }
      if (follower.failed || result.code !== 0) return null
      if (follower.reader.position() !== size) return null
      const written = await fsp.stat(follower.output).then(
        (s) => s.size,
        () => 0
      )
      if (written === 0) return null
      const file = `${outBase}.${follower.streams.container}`
      await fsp.rename(follower.output, file)
      return {
        file,
        container: follower.streams.container,
        videoCodec: follower.streams.videoCodec,
        audioCodec: follower.streams.audioCodec,
        cutShort: wasCutShort(result.stderr)
      }
    } finally {
      this.followers.delete(uploadId)
      await this.discard(follower)
    }
  }

  /** The upload was terminated: its follower stops and its output goes. */
  stop(uploadId: string): Promise<void> {
    const follower = this.followers.get(uploadId)
    this.skipped.delete(uploadId)
    if (!follower) return Promise.resolve()
    this.followers.delete(uploadId)
    follower.failed ??= 'the upload was terminated'
    return this.discard(follower)
  }

  /** Stops every follower (the server is stopping); the next start follows from byte 0. */
  async close(): Promise<void> {
    this.closed = true
    this.stopping.abort()
    const all = [...this.followers.values()]
    this.followers.clear()
    await Promise.all(all.map((f) => this.discard(f)))
  }

  private async discard(follower: Follower): Promise<void> {
    follower.controller.abort()
    follower.reader.stream.destroy()
    await follower.run
    await fsp.rm(follower.output, { force: true })
  }

  private context(): MediaContext {
    return { config: this.options.media, signal: this.stopping.signal }
  }
}
