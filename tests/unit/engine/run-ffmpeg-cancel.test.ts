/**
 * Cancelling a fluent-ffmpeg run whose ffmpeg no longer reads its keyboard: the `q` then meets a
 * closed pipe. A short remux can finish and close its end before the 'start' handler sends `q`
 * (seen on a busy machine in the integration test "remux cancelled before it starts": an
 * uncaught `write EPIPE`, which in the app would be an uncaught exception in main). Here the
 * order is forced: the process closes its stdin, then the run is cancelled.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { EventEmitter, once } from 'node:events'
import type { FfmpegCommand } from 'fluent-ffmpeg'
import { describe, expect, it } from 'vitest'
import { runFfmpeg } from '../../../src/engine/run-ffmpeg'

/** Stands in for ffmpeg: closes its stdin, says so, then waits to be killed. */
const CLOSES_STDIN =
  "require('fs').closeSync(0); process.stdout.write('closed'); setInterval(() => {}, 1000)"

/** A command whose process has closed its stdin by the time 'start' is emitted. */
class ClosedStdinCommand extends EventEmitter {
  ffmpegProc?: ChildProcess

  run(): void {
    const proc = spawn(process.execPath, ['-e', CLOSES_STDIN], {
      stdio: ['pipe', 'pipe', 'ignore']
    })
    this.ffmpegProc = proc
    void once(proc.stdout, 'data').then(() => this.emit('start', 'ffmpeg'))
    void once(proc, 'exit').then(() => this.emit('error', new Error('killed'), '', ''))
  }

  kill(signal: string): void {
    this.ffmpegProc?.kill(signal as NodeJS.Signals)
  }
}

describe('runFfmpeg cancelled when ffmpeg has stopped reading', () => {
  it('rejects as cancelled, and q on the closed pipe is no uncaught error', async () => {
    const command = new ClosedStdinCommand()
    const controller = new AbortController()
    // Cancelled once ffmpeg has closed its end, so the only `q` meets the closed pipe.
    command.once('start', () => controller.abort())
    const running = runFfmpeg(command as unknown as FfmpegCommand, {
      signal: controller.signal,
      killAfterMs: 200,
      task: 'make the recording seekable'
    })
    await expect(running).rejects.toMatchObject({ code: 'cancelled' })
    // The write did meet the closed pipe (before the fix: Vitest's "Uncaught Exception: write EPIPE").
    expect(command.ffmpegProc?.stdin?.destroyed).toBe(true)
  })
})
