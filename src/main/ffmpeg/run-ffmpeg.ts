/**
 * Runs one fluent-ffmpeg command to completion, with the graceful stop the design asks for:
 * on cancel ffmpeg is sent `q` (it finishes the file it is writing), and killed if it has not
 * exited after a grace period.
 */
import type { ChildProcess } from 'node:child_process'
import type { FfmpegCommand } from 'fluent-ffmpeg'
import { SidecastError } from '../../shared/errors'

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

export function cancelledError(task: string): SidecastError {
  return new SidecastError('cancelled', `Cancelled: ${task}.`)
}

/** Settles one ffmpeg run and owns its cancel: `q` first, SIGKILL after a grace period. */
export interface GracefulRun {
  /** Ends the run: resolves, rejects with `error`, or with "cancelled" once the signal fired. Only the first call counts. */
  finish(error: Error | null): void
  /** Asks ffmpeg to stop (the abort handler; call it again once the process exists). */
  stop(): void
}

export function gracefulRun(options: {
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
        try {
          proc.stdin?.write('q')
        } catch {
          // stdin already closed; the kill still ends it
        }
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
