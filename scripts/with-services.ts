/**
 * Runs a command with a PostgreSQL and a Redis server for the tests:
 *
 *   tsx scripts/with-services.ts [--postgres] -- <command> [args…]
 *
 * Starts both (tests/support/services.ts: 127.0.0.1, temp folders) unless
 * SIDECAST_TEST_POSTGRES_URL / SIDECAST_TEST_REDIS_URL already name ones to use, gives the command
 * those two variables, and stops what it started when the command ends (also on SIGINT, SIGTERM,
 * SIGHUP). `--postgres` also sets SIDECAST_TEST_DATABASE=postgres: the server tests then run every
 * library on PostgreSQL and Redis. Exits with the command's exit code.
 */
import { spawn } from 'node:child_process'
import os from 'node:os'
import { startPostgres, startRedis } from '../tests/support/services'

interface Stoppable {
  stop(): Promise<void>
}

const USAGE = 'usage: tsx scripts/with-services.ts [--postgres] -- <command> [args…]'

function parse(argv: string[]): { postgres: boolean; command: string[] } {
  const dashes = argv.indexOf('--')
  const flags = dashes < 0 ? argv : argv.slice(0, dashes)
  const command = dashes < 0 ? [] : argv.slice(dashes + 1)
  const unknown = flags.filter((f) => f !== '--postgres')
  if (unknown.length > 0 || command.length === 0) {
    throw new Error(
      unknown.length > 0 ? `unknown option ${unknown[0]}\n${USAGE}` : `no command\n${USAGE}`
    )
  }
  return { postgres: flags.includes('--postgres'), command }
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

async function main(): Promise<number> {
  const { postgres, command } = parse(process.argv.slice(2))
  const started: Stoppable[] = []
  let stopping: Promise<void> | null = null
  const stopAll = (): Promise<void> => {
    stopping ??= Promise.allSettled(started.splice(0).map((s) => s.stop())).then((results) => {
      for (const r of results) {
        if (r.status === 'rejected') console.error(`with-services: stopping failed: ${r.reason}`)
      }
    })
    return stopping
  }

  // A signal before the command runs: stop what was started and leave.
  let signalled: NodeJS.Signals | null = null
  let child: ReturnType<typeof spawn> | null = null
  const onSignal = (signal: NodeJS.Signals): void => {
    signalled ??= signal
    // The child usually has the terminal's SIGINT already; a SIGTERM sent to us alone is passed on.
    if (child && child.exitCode === null) child.kill(signal)
  }
  for (const s of SIGNALS) process.on(s, onSignal)

  try {
    const env: NodeJS.ProcessEnv = { ...process.env }
    const [pg, redis] = await Promise.allSettled([
      env.SIDECAST_TEST_POSTGRES_URL ? null : startPostgres(),
      env.SIDECAST_TEST_REDIS_URL ? null : startRedis()
    ])
    for (const r of [pg, redis]) if (r.status === 'fulfilled' && r.value) started.push(r.value)
    if (pg.status === 'rejected') throw pg.reason
    if (redis.status === 'rejected') throw redis.reason
    if (pg.value) {
      env.SIDECAST_TEST_POSTGRES_URL = pg.value.adminUrl
      console.error(`with-services: PostgreSQL on ${pg.value.adminUrl}`)
    }
    if (redis.value) {
      env.SIDECAST_TEST_REDIS_URL = redis.value.url
      console.error(`with-services: Redis on ${redis.value.url}`)
    }
    if (postgres) env.SIDECAST_TEST_DATABASE = 'postgres'
    if (signalled) return 128 + signalNumber(signalled)

    const [file, ...args] = command as [string, ...string[]]
    const code = await new Promise<number>((resolve) => {
      const proc = spawn(file, args, {
        stdio: 'inherit',
        env,
        // npm and npx are .cmd files on Windows.
        shell: process.platform === 'win32'
      })
      child = proc
      proc.on('error', (error) => {
        console.error(`with-services: could not run ${file}: ${error.message}`)
        resolve(127)
      })
      proc.on('exit', (exitCode, signal) => {
        resolve(exitCode ?? 128 + signalNumber(signal ?? 'SIGTERM'))
      })
    })
    return code
  } finally {
    await stopAll()
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  return os.constants.signals[signal] ?? 1
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`with-services: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  }
)
