/**
 * Throw-away PostgreSQL and Redis servers for the tests: each on 127.0.0.1 on a free port, with
 * its data in a fresh temp folder that `stop()` removes. Debian's packages provide them
 * (`apt-get install postgresql redis-server`). PostgreSQL refuses to run as root, so as root its
 * folder belongs to the `postgres` user and its programs run through `runuser -u postgres`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'

export interface PostgresService {
  /** A superuser's URL (trust authentication) to the `postgres` database. */
  readonly adminUrl: string
  readonly port: number
  stop(): Promise<void>
}

export interface RedisService {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  stop(): Promise<void>
}

/** How long a server may take to accept connections (a loaded 2-core machine). */
const START_TIMEOUT_S = 60
/** Starting again on another port when the free one was taken meanwhile. */
const START_ATTEMPTS = 3

/** Redis' logical databases: the server tests give each library its own. */
export const REDIS_DATABASES = 4096

const POSTGRES_INSTALL = 'Install it: apt-get install postgresql'
const REDIS_INSTALL = 'Install it: apt-get install redis-server'

/** A TCP port nothing listens on right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))))
    })
  })
}

interface Ran {
  code: number
  output: string
}

/** Runs a program to its end (bounded), never throwing for a non-zero exit. */
function runProgram(
  file: string,
  args: string[],
  options: { cwd: string; timeoutMs: number }
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { cwd: options.cwd, timeout: options.timeoutMs, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`.trim()
        if (!error) return resolve({ code: 0, output })
        const e = error as NodeJS.ErrnoException & { code?: number | string; killed?: boolean }
        if (e.code === 'ENOENT') return reject(e)
        if (e.killed) {
          return resolve({
            code: -1,
            output: `${output}\n(${path.basename(file)} killed after ${options.timeoutMs / 1000} s)`
          })
        }
        resolve({ code: typeof e.code === 'number' ? e.code : 1, output })
      }
    )
  })
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

interface PostgresBinaries {
  initdb: string
  pgCtl: string
}

/** initdb and pg_ctl of the newest PostgreSQL under /usr/lib/postgresql (Debian's layout). */
export function postgresBinaries(root = '/usr/lib/postgresql'): PostgresBinaries {
  let versions: string[] = []
  try {
    versions = fs.readdirSync(root)
  } catch {
    // No PostgreSQL installed: said below.
  }
  versions.sort((a, b) => Number(b) - Number(a) || b.localeCompare(a))
  for (const version of versions) {
    const bin = path.join(root, version, 'bin')
    const initdb = path.join(bin, 'initdb')
    const pgCtl = path.join(bin, 'pg_ctl')
    if (fs.existsSync(initdb) && fs.existsSync(pgCtl) && fs.existsSync(path.join(bin, 'postgres')))
      return { initdb, pgCtl }
  }
  throw new Error(
    `PostgreSQL's server programs (initdb, pg_ctl, postgres) are not in ${root}/<version>/bin. ${POSTGRES_INSTALL}`
  )
}

/** uid and gid of a system user, from /etc/passwd; null when there is no such user. */
function systemUser(name: string): { uid: number; gid: number } | null {
  let passwd = ''
  try {
    passwd = fs.readFileSync('/etc/passwd', 'utf8')
  } catch {
    return null
  }
  for (const line of passwd.split('\n')) {
    const fields = line.split(':')
    if (fields[0] === name && fields.length >= 4) {
      return { uid: Number(fields[2]), gid: Number(fields[3]) }
    }
  }
  return null
}

const isRoot = (): boolean => process.getuid?.() === 0

/**
 * Starts a PostgreSQL server of its own: initdb in a fresh temp folder (trust authentication,
 * superuser `postgres`), listening on 127.0.0.1 only with its unix socket in that folder,
 * fsync off (test data), 300 connections. Resolves once it accepts connections.
 */
export async function startPostgres(): Promise<PostgresService> {
  const { initdb, pgCtl } = postgresBinaries()
  let owner: { uid: number; gid: number } | null = null
  if (isRoot()) {
    owner = systemUser('postgres')
    if (!owner) {
      throw new Error(
        `PostgreSQL does not run as root and there is no 'postgres' user to run it. ${POSTGRES_INSTALL}`
      )
    }
  }
  // As root, every PostgreSQL program runs as the postgres user.
  const asOwner = (file: string, args: string[]): [string, string[]] =>
    owner ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args]

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sidecast-postgres-'))
  const dataDir = path.join(dir, 'data')
  const logFile = path.join(dir, 'server.log')
  let started = false

  const removeDir = (): void => fs.rmSync(dir, { recursive: true, force: true })
  const stopServer = async (mode: 'fast' | 'immediate'): Promise<Ran> => {
    const [file, args] = asOwner(pgCtl, ['stop', '-D', dataDir, '-m', mode, '-w', '-t', '30'])
    return runProgram(file, args, { cwd: dir, timeoutMs: 40_000 })
  }
  const logTail = (): string => {
    try {
      return fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-15).join('\n')
    } catch {
      return ''
    }
  }

  try {
    if (owner) fs.chownSync(dir, owner.uid, owner.gid)
    const [initFile, initArgs] = asOwner(initdb, [
      '-D',
      dataDir,
      '-A',
      'trust',
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
      '--no-sync',
      '--no-instructions'
    ])
    const init = await runProgram(initFile, initArgs, { cwd: dir, timeoutMs: 120_000 })
    if (init.code !== 0) throw new Error(`initdb failed (exit ${init.code}):\n${init.output}`)

    for (let attempt = 1; ; attempt++) {
      const port = await freePort()
      const options = [
        `-p ${port}`,
        `-k ${dir}`,
        '-c listen_addresses=127.0.0.1',
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
        '-c max_connections=300'
      ].join(' ')
      const [file, args] = asOwner(pgCtl, [
        'start',
        '-D',
        dataDir,
        '-l',
        logFile,
        '-w',
        '-t',
        String(START_TIMEOUT_S),
        '-o',
        options
      ])
      // pg_ctl may leave a server starting after its own wait gave up: stopped below.
      started = true
      const start = await runProgram(file, args, {
        cwd: dir,
        timeoutMs: (START_TIMEOUT_S + 15) * 1000
      })
      if (start.code === 0) {
        let stopped: Promise<void> | null = null
        return {
          adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
          port,
          stop() {
            stopped ??= (async () => {
              const fast = await stopServer('fast')
              if (fast.code !== 0) await stopServer('immediate')
              removeDir()
            })()
            return stopped
          }
        }
      }
      const log = logTail()
      await stopServer('immediate')
      started = false
      if (attempt < START_ATTEMPTS && /address already in use/i.test(log)) continue
      throw new Error(
        `PostgreSQL did not start on 127.0.0.1:${port} (pg_ctl exit ${start.code}):\n${start.output}\n${log}`
      )
    }
  } catch (error) {
    if (started) await stopServer('immediate').catch(() => {})
    removeDir()
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        `Could not run PostgreSQL's programs (${(error as Error).message}). ${POSTGRES_INSTALL}`
      )
    }
    throw error
  }
}

// ---------------------------------------------------------------------------------------------
// Redis

/** Resolves true when a Redis server answers PING on 127.0.0.1:port. */
function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    let answer = ''
    const done = (ok: boolean): void => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(2000, () => done(false))
    socket.on('error', () => done(false))
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString()
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'))
    })
  })
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  if (!(await within(exited, 10_000))) {
    child.kill('SIGKILL')
    await within(exited, 5000)
  }
}

/** Whether `promise` settled within `ms`; the timer does not keep the process alive after. */
async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms)
  })
  try {
    return await Promise.race([promise.then(() => true as const), late])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Starts a Redis server of its own on 127.0.0.1 (no persistence: nothing saved, no append-only
 * file; its working folder a fresh temp folder; REDIS_DATABASES databases). Resolves once it
 * answers PING.
 */
export async function startRedis(): Promise<RedisService> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sidecast-redis-'))
  const removeDir = (): void => fs.rmSync(dir, { recursive: true, force: true })
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort()
      const child = spawn(
        'redis-server',
        [
          '--bind',
          '127.0.0.1',
          '--port',
          String(port),
          '--save',
          '',
          '--appendonly',
          'no',
          // One logical database per test server (tests/server/engine.ts).
          '--databases',
          String(REDIS_DATABASES),
          '--dir',
          dir,
          '--daemonize',
          'no'
        ],
        { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }
      )
      let output = ''
      const keep = (chunk: Buffer): void => {
        output = (output + chunk.toString()).slice(-4000)
      }
      child.stdout?.on('data', keep)
      child.stderr?.on('data', keep)
      let failed: Error | null = null
      child.on('error', (error: NodeJS.ErrnoException) => {
        failed =
          error.code === 'ENOENT'
            ? new Error(`redis-server is not installed (not on PATH). ${REDIS_INSTALL}`)
            : error
      })
      const deadline = Date.now() + START_TIMEOUT_S * 1000
      let ready = false
      while (!ready && !failed && child.exitCode === null && Date.now() < deadline) {
        ready = await redisAnswers(port)
        if (!ready) await delay(100)
      }
      if (ready) {
        // Its output is no longer needed; reading it keeps the pipe from filling up.
        child.stdout?.resume()
        child.stderr?.resume()
        let stopped: Promise<void> | null = null
        return {
          url: `redis://127.0.0.1:${port}`,
          port,
          stop() {
            stopped ??= stopProcess(child).then(removeDir)
            return stopped
          }
        }
      }
      await stopProcess(child)
      if (failed) throw failed
      if (attempt < START_ATTEMPTS && /address already in use/i.test(output)) continue
      throw new Error(
        `redis-server did not answer on 127.0.0.1:${port} within ${START_TIMEOUT_S} s:\n${output.trim()}`
      )
    }
  } catch (error) {
    removeDir()
    throw error
  }
}
