/** Starts a private Xvfb screen for a test run, so Chromium has a real screen to capture. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { setTimeout as delay } from 'node:timers/promises'

export interface XDisplay {
  /** Value for DISPLAY, e.g. ":93". */
  readonly display: string
  readonly width: number
  readonly height: number
  stop(): Promise<void>
}

function freeDisplayNumber(): number {
  for (let n = 90 + Math.floor(Math.random() * 50); n < 400; n++) {
    if (!existsSync(`/tmp/.X11-unix/X${n}`) && !existsSync(`/tmp/.X${n}-lock`)) return n
  }
  throw new Error('No free X display number between :90 and :400.')
}

export async function startXvfb(width = 1920, height = 1080): Promise<XDisplay> {
  const n = freeDisplayNumber()
  // -noreset keeps the root window colour after xsetroot's client exits.
  const proc: ChildProcess = spawn(
    'Xvfb',
    [`:${n}`, '-screen', '0', `${width}x${height}x24`, '-noreset', '-nolisten', 'tcp'],
    { stdio: 'ignore' }
  )
  let failed: Error | null = null
  proc.on('error', (error) => {
    failed = new Error(`Xvfb could not start (${error.message}). Install it: apt-get install xvfb.`)
  })
  for (let i = 0; i < 100 && !existsSync(`/tmp/.X11-unix/X${n}`); i++) {
    if (failed) throw failed
    await delay(100)
  }
  if (!existsSync(`/tmp/.X11-unix/X${n}`))
    throw new Error(`Xvfb :${n} did not come up within 10 s.`)
  return {
    display: `:${n}`,
    width,
    height,
    async stop() {
      if (proc.exitCode !== null) return
      const exited = new Promise((r) => proc.once('exit', r))
      proc.kill('SIGTERM')
      await Promise.race([exited, delay(5000)])
    }
  }
}

/** Paints the X root window one solid colour (needs x11-xserver-utils' xsetroot). */
export function paintRoot(display: string, colour: string): void {
  const result = spawnSync('xsetroot', ['-solid', colour], {
    env: { ...process.env, DISPLAY: display }
  })
  if (result.error || result.status !== 0) {
    throw new Error(`xsetroot failed: ${result.error?.message ?? result.stderr.toString()}`)
  }
}
