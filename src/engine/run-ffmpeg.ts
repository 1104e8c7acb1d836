/**
 * Runs ffmpeg to completion, with the graceful stop the design asks for: on cancel ffmpeg is sent
 * `q` (it finishes the file it is writing), and killed if it has not exited after a grace period.
 * Two ways in: a planned job from its raw argument list (export-plan.ts builds it; spawned exactly
 * as planned, so the benchmark can compare against the same command run by hand), reading
 * `-progress pipe:1` for progress; and a fluent-ffmpeg command (media-tools.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { setPriority } from 'node:os'
import type { FfmpegCommand } from 'fluent-ffmpeg'
import { SidecastError } from '../shared/errors'

export interface RunFfmpegOptions {
  /** Cancels the run: `q` first, SIGKILL after `killAfterMs`. */
  readonly signal?: AbortSignal
  /** How long ffmpeg gets to stop after `q`; default 3 s. */
  readonly killAfterMs?: number
  /** Words for error messages, e.g. "make the recording seekable". */
  readonly task: string
}

/** Lines that say nothing about why ffmpeg failed; the line before them does. */
const GENERIC = [/^Conversion failed!?$/i, /^Exiting normally/i, /^frame=/, /^Press \[q\]/]

/** The last meaningful line ffmpeg wrote to stderr, which is usually the reason it failed. */
export function lastErrorLine(stderr: string | null | undefined): string {
  const lines = (stderr ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !GENERIC.some((pattern) => pattern.test(line)))
  return lines.at(-1) ?? 'no details'
}

function cancelledError(task: string): SidecastError {
  return new SidecastError('cancelled', `Cancelled: ${task}.`)
}

/** Settles one ffmpeg run and owns its cancel: `q` first, SIGKILL after a grace period. */
interface GracefulRun {
  /** Ends the run: resolves, rejects with `error`, or with "cancelled" once the signal fired. Only the first call counts. */
  finish(error: Error | null): void
  /** Asks ffmpeg to stop (the abort handler; call it again once the process exists). */
  stop(): void
}

function gracefulRun(options: {
  readonly signal?: AbortSignal
  readonly task: string
  readonly killAfterMs: number
  /** Sends `q`; false when there is no process yet to send it to. */
  readonly quit: () => boolean
  readonly kill: () => void
  readonly resolve: () => void
  readonly reject: (error: Error) => void
}): GracefulRun {
  const { signal } = options
  let killTimer: NodeJS.Timeout | undefined
  let settled = false
  const stop = (): void => {
    if (!options.quit()) return
    killTimer = setTimeout(options.kill, options.killAfterMs)
    killTimer.unref()
  }
  signal?.addEventListener('abort', stop, { once: true })
  return {
    stop,
    finish(error) {
      if (settled) return
      settled = true
      if (killTimer) clearTimeout(killTimer)
      signal?.removeEventListener('abort', stop)
      if (signal?.aborted) options.reject(cancelledError(options.task))
      else if (error) options.reject(error)
      else options.resolve()
    }
  }
}

export function runFfmpeg(command: FfmpegCommand, options: RunFfmpegOptions): Promise<void> {
  const { signal, task } = options
  if (signal?.aborted) return Promise.reject(cancelledError(task))
  return new Promise<void>((resolve, reject) => {
    // fluent-ffmpeg keeps the spawned process on the command but does not type it.
    const processOf = (): ChildProcess | undefined =>
      (command as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc

    const { stop, finish } = gracefulRun({
      signal,
      task,
      killAfterMs: options.killAfterMs ?? 3000,
      quit: () => {
        const proc = processOf()
        if (!proc) return false // not spawned yet: the 'start' handler stops it
        // ffmpeg may already have exited (a short job, a busy machine): the write then fails
        // with EPIPE, reported on the stream, not thrown, and unheard it is an uncaught
        // exception. The kill (or the exit already under way) still ends the run.
        if (proc.stdin && proc.stdin.listenerCount('error') === 0) {
          proc.stdin.on('error', () => undefined)
        }
        proc.stdin?.write('q', () => undefined)
        return true
      },
      kill: () => command.kill('SIGKILL'),
      resolve,
      reject
    })

    command
      .on('start', () => {
        if (signal?.aborted) stop()
      })
      .on('end', () => finish(null))
      .on('error', (error: Error, _stdout: string | null, stderr: string | null) => {
        finish(
          new SidecastError(
            'ffmpeg-failed',
            `ffmpeg could not ${task}: ${lastErrorLine(stderr) || error.message}`
          )
        )
      })
      .run()
  })
}

export interface FfmpegProgress {
  /** How far the output has got, in ms of output time. */
  readonly outTimeMs: number
}

export interface RunFfmpegArgsOptions {
  /** Cancels the run: `q` first, SIGKILL after `killAfterMs`; rejects with SidecastError('cancelled'). */
  readonly signal?: AbortSignal
  /** How long ffmpeg gets to stop after `q`; default 2 s. */
  readonly killAfterMs?: number
  /** Called for each `-progress` block ffmpeg writes. */
  readonly onProgress?: (progress: FfmpegProgress) => void
  /** Words for error messages, e.g. "export the video". */
  readonly task: string
  /** The error code of a failed run; default `ffmpeg-failed`. */
  readonly errorCode?: string
  /** Runs ffmpeg at a lower CPU priority (nice 10): background work that nobody waits on yet. */
  readonly lowPriority?: boolean
}

/**
 * Output time from one `key=value` progress line, in ms, or null. `out_time_us` is in
 * microseconds; older builds only write `out_time_ms`, which despite its name is microseconds
 * too; `N/A` appears before the first frame.
 */
export function parseProgressLine(line: string): number | null {
  const match = /^(out_time_us|out_time_ms)=(-?\d+)$/.exec(line.trim())
  if (!match?.[2]) return null
  const micros = Number(match[2])
  return Number.isFinite(micros) ? Math.max(0, Math.round(micros / 1000)) : null
}

/** Keeps only the end of stderr: a long job's log is not needed, only why it stopped. */
const STDERR_KEEP = 16 * 1024

export function runFfmpegArgs(
  ffmpegPath: string,
  args: readonly string[],
  options: RunFfmpegArgsOptions
): Promise<void> {
  const { signal, task } = options
  if (signal?.aborted) return Promise.reject(cancelledError(task))
  return new Promise<void>((resolve, reject) => {
    const child = spawn(ffmpegPath, [...args], { stdio: ['pipe', 'pipe', 'pipe'] })
    if (options.lowPriority && child.pid !== undefined) {
      try {
        setPriority(child.pid, 10)
      } catch {
        // Not allowed here: it runs at normal priority, which is only slower for the rest.
      }
    }
    let stderr = ''
    let pending = ''
    let lastMs = -1
    const { stop, finish } = gracefulRun({
      signal,
      task,
      killAfterMs: options.killAfterMs ?? 2000,
      // ffmpeg may already have closed stdin (or exited); the kill still ends it.
      quit: () => {
        child.stdin.write('q', () => undefined)
        return true
      },
      kill: () => child.kill('SIGKILL'),
      resolve,
      reject
    })

    child.stdin.on('error', () => undefined)
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      pending += chunk
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) {
        const ms = parseProgressLine(line)
        if (ms !== null && ms !== lastMs) {
          lastMs = ms
          options.onProgress?.({ outTimeMs: ms })
        }
      }
    })
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEEP)
    })
    child.on('error', (error) =>
      finish(
        new SidecastError(
          options.errorCode ?? 'ffmpeg-failed',
          `ffmpeg could not be started to ${task}: ${error.message}. Check the ffmpeg in Settings.`
        )
      )
    )
    child.on('close', (code, killedBy) => {
      if (code === 0) return finish(null)
      const why = lastErrorLine(stderr)
      const detail = why === 'no details' && killedBy ? `stopped by ${killedBy}` : why
      finish(
        new SidecastError(
          options.errorCode ?? 'ffmpeg-failed',
          `ffmpeg could not ${task}: ${detail}`
        )
      )
    })
    if (signal?.aborted) stop()
  })
}
