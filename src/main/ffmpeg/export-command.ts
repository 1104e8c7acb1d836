/**
 * Runs a planned ffmpeg job from its raw argument list (export-plan.ts builds it), reading
 * `-progress pipe:1` for progress. The arguments are spawned exactly as planned — no wrapper
 * rewrites them — so the benchmark can compare against the same command run by hand.
 * Cancel is graceful first (`q` on stdin lets ffmpeg stop cleanly), then a kill.
 */
import { spawn } from 'node:child_process'
import { SidecastError } from '../../shared/errors'
import { cancelledError, gracefulRun, lastErrorLine } from './run-ffmpeg'

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
