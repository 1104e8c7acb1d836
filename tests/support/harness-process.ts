/** Runs the harness as its own process (as the app's main process would be), for e2e and bench. */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { resolve } from 'node:path'

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..')

export interface HarnessProcess {
  readonly url: string
  readonly pid: number
  readonly child: ChildProcess
  /** Everything the harness printed so far. */
  output(): string
  /** SIGTERM and wait (the harness finishes an active recording first). */
  stop(): Promise<void>
  /** SIGKILL: a crash. */
  kill(): Promise<void>
}

export async function startHarnessProcess(
  dataDir: string,
  extraEnv: NodeJS.ProcessEnv = {}
): Promise<HarnessProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'tests/e2e/harness/cli.ts', '--port', '0'],
    {
      cwd: repoRoot,
      env: { ...process.env, ...extraEnv, SIDECAST_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe']
    }
  )
  let log = ''
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()))
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Harness did not start in 60 s:\n${log}`)),
      60_000
    )
    const onData = (): void => {
      const match = /Sidecast harness: (http:\/\/\S+)/.exec(log)
      if (match?.[1]) {
        clearTimeout(timer)
        resolveUrl(match[1])
      }
    }
    child.stdout?.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`Harness exited with ${code} before starting:\n${log}`))
    })
  })
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  return {
    url,
    pid: child.pid ?? -1,
    child,
    output: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    }
  }
}
