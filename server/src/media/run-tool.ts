/**
 * Runs ffprobe or ffmpeg on an upload within bounds: a time limit that ends in SIGKILL (a stop
 * request, SIGTERM, can be ignored), the whole process group stopped (nothing it started is left
 * behind), a cap on the output kept, an optional address-space limit (`prlimit --as`), and an
 * AbortSignal that kills the run at once (the server is stopping).
 */
import { spawn } from 'node:child_process'
import type { Readable } from 'node:stream'

export interface RunBounds {
  /** Longest the run may take; then SIGTERM, and SIGKILL after `killGraceMs`. */
  timeoutMs: number
  killGraceMs: number
  /** Address-space limit in bytes, applied through `prlimit`; 0 for none. */
  memoryLimit: number
  /** The `prlimit` binary, or null when there is none (the limit is then not applied). */
  prlimit: string | null
  /** Kills the run at once when aborted. */
  signal?: AbortSignal
  /**
   * Fed to the tool's standard input (e.g. a growing upload followed as it arrives); without it
   * standard input is closed. A tool that exits early simply stops reading it.
   */
  stdin?: Readable
  /** Told the process id once the tool started (tests stop a run from outside). */
  onSpawn?(pid: number): void
}

export interface RunResult {
  /** The exit code, or null when the run was killed or could not start. */
  code: number | null
  stdout: string
  stderr: string
  /** Stopped because it ran past `timeoutMs`. */
  timedOut: boolean
  /** Stopped because `signal` was aborted. */
  aborted: boolean
}

/** More than any honest ffprobe answer about one upload; a run that writes more is stopped. */
const MAX_STDOUT = 8 * 1024 * 1024
const MAX_STDERR = 64 * 1024
/** After the process exits, how long its pipes may stay open (held by something it started). */
const PIPE_GRACE_MS = 1000

const GROUPS = process.platform !== 'win32'

export function runTool(bin: string, args: string[], bounds: RunBounds): Promise<RunResult> {
  const command =
    bounds.memoryLimit > 0 && bounds.prlimit
      ? {
          bin: bounds.prlimit,
          args: [`--as=${bounds.memoryLimit}`, '--core=0', '--', bin, ...args]
        }
      : { bin, args }

  return new Promise((resolve) => {
    const result: RunResult = {
      code: null,
      stdout: '',
      stderr: '',
      timedOut: false,
      aborted: false
    }
    if (bounds.signal?.aborted) {
      resolve({ ...result, aborted: true })
      return
    }
    const child = spawn(command.bin, command.args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group, so a stop reaches whatever it started as well.
      detached: GROUPS,
      windowsHide: true
    })
    // The tool closing its input early (it failed, or was stopped) is not an error here: its
    // exit code says what happened.
    child.stdin.on('error', () => {})
    if (bounds.stdin) {
      bounds.stdin.on('error', () => child.stdin.destroy())
      bounds.stdin.pipe(child.stdin)
    } else {
      child.stdin.end() // nothing to read: at its end at once
    }
    if (child.pid !== undefined) bounds.onSpawn?.(child.pid)
    const out: Buffer[] = []
    let outBytes = 0
    const err: Buffer[] = []
    let errBytes = 0
    let settled = false
    let exited = false
    let killTimer: NodeJS.Timeout | undefined
    let pipeTimer: NodeJS.Timeout | undefined

    const signalAll = (sig: NodeJS.Signals): void => {
      try {
        if (GROUPS && child.pid !== undefined) process.kill(-child.pid, sig)
        else child.kill(sig)
      } catch {
        // already gone
      }
    }
    const kill = (): void => {
      clearTimeout(killTimer)
      signalAll('SIGKILL')
    }
    const stop = (): void => {
      signalAll('SIGTERM')
      killTimer ??= setTimeout(kill, bounds.killGraceMs)
    }
    const timer = setTimeout(() => {
      result.timedOut = true
      stop()
    }, bounds.timeoutMs)
    const onAbort = (): void => {
      result.aborted = true
      kill()
    }
    bounds.signal?.addEventListener('abort', onAbort, { once: true })

    const finish = (): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      clearTimeout(pipeTimer)
      bounds.signal?.removeEventListener('abort', onAbort)
      // A run that was stopped may have left something behind in its group: end it now.
      if (result.timedOut || result.aborted) kill()
      result.stdout = Buffer.concat(out).toString()
      result.stderr = Buffer.concat(err).toString()
      resolve(result)
    }

    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length
      if (outBytes > MAX_STDOUT) {
        stop()
        return
      }
      out.push(chunk)
    })
    child.stderr.on('data', (chunk: Buffer) => {
      if (errBytes >= MAX_STDERR) return
      errBytes += chunk.length
      err.push(chunk)
    })
    child.on('error', (error) => {
      err.push(Buffer.from(`${error.message}\n`))
      if (!exited) finish()
    })
    child.on('exit', (code) => {
      exited = true
      result.code = code
      // Normally the pipes close with the process; if something it started holds them, do not
      // wait for it.
      pipeTimer = setTimeout(() => {
        child.stdout.destroy()
        child.stderr.destroy()
        finish()
      }, PIPE_GRACE_MS)
    })
    child.on('close', finish)
  })
}
