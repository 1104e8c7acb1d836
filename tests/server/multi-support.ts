/**
 * Several library server PROCESSES on one PostgreSQL database, one Redis and one shared data
 * folder, behind a real nginx (round-robin): what tests/server/multi-instance.test.ts and
 * tests/bench/server-scale.ts run against. Everything started here is a child process that
 * `stop()` ends (SIGKILL when SIGTERM is not enough), and every wait is bounded.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import pg from 'pg'

const run = promisify(execFile)

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const MAIN = 'server/src/main.ts'
export const NGINX = process.env.SIDECAST_TEST_NGINX ?? '/usr/sbin/nginx'

/** Why the multi-instance pieces cannot run here, or null when they can. */
export function multiInstanceUnavailable(): string | null {
  // The suite runs twice (SQLite, then PostgreSQL); these tests are PostgreSQL's, so once.
  if (process.env.SIDECAST_TEST_DATABASE !== 'postgres') {
    return 'runs in the PostgreSQL pass of the server suite (SIDECAST_TEST_DATABASE=postgres: npm run test:server:postgres)'
  }
  if (!process.env.SIDECAST_TEST_POSTGRES_URL) {
    return 'SIDECAST_TEST_POSTGRES_URL is not set (npm run test:server sets it through scripts/with-services.ts)'
  }
  if (!process.env.SIDECAST_TEST_REDIS_URL) {
    return 'SIDECAST_TEST_REDIS_URL is not set (npm run test:server sets it through scripts/with-services.ts)'
  }
  if (!fs.existsSync(NGINX)) return `nginx is not installed at ${NGINX} (apt-get install nginx)`
  return null
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: a fresh database per cluster

/** `adminUrl` with its database replaced by `name`. */
export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return url.toString()
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end().catch(() => {})
  }
}

/** A new empty database named `<prefix>_<random>`; its URL. */
export async function createDatabase(adminUrl: string, prefix: string): Promise<string> {
  const name = `${prefix}_${crypto.randomBytes(6).toString('hex')}`
  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`))
  return databaseUrl(adminUrl, name)
}

/** Drops the database of `url` (connections to it are ended: PostgreSQL 13+). */
export async function dropDatabase(adminUrl: string, url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1)
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`not a database this helper made: ${name}`)
  await withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
}

// ---------------------------------------------------------------------------------------------
// Processes

/** A free TCP port on 127.0.0.1 (free when asked; nginx binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** Ends a child: SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs)
    child.once('exit', () => {
      clearTimeout(kill)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

/** The last `max` characters of what a child wrote, for failure messages. */
function tail(text: string, max = 4000): string {
  return text.length > max ? `…${text.slice(-max)}` : text
}

export interface Instance {
  readonly name: string
  /** Its own address (http://127.0.0.1:port), for requests that must reach this instance. */
  readonly url: string
  readonly port: number
  readonly child: ChildProcess
  /** Everything it wrote to stdout and stderr so far. */
  output(): string
  /** SIGKILL, as a crash; resolves when it is gone. */
  crash(): Promise<void>
  stop(): Promise<void>
}

export interface ClusterEnv {
  dataDir: string
  /** The PostgreSQL database; null: the embedded SQLite file in dataDir. */
  databaseUrl: string | null
  redisUrl: string | null
  /** SIDECAST_LIBRARY_PUBLIC_URL (the nginx address); null: each instance's own. */
  publicUrl: string | null
}

function serverEnv(env: ClusterEnv, instance?: string): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env }
  // Nothing of the test runner's own library settings leaks in.
  for (const key of Object.keys(out)) if (key.startsWith('SIDECAST_LIBRARY_')) delete out[key]
  if (env.databaseUrl) out.SIDECAST_LIBRARY_DATABASE_URL = env.databaseUrl
  if (env.redisUrl) out.SIDECAST_LIBRARY_REDIS_URL = env.redisUrl
  if (env.publicUrl) out.SIDECAST_LIBRARY_PUBLIC_URL = env.publicUrl
  if (instance) out.SIDECAST_LIBRARY_INSTANCE = instance
  return out
}

/** The server's admin command line (`user add`, `token create`…) on this cluster's database. */
export async function clusterCli(env: ClusterEnv, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', MAIN, ...args, '--data', env.dataDir],
      { cwd: REPO_ROOT, env: serverEnv(env), timeout: 60_000 }
    )
    return stdout
  } catch (error) {
    const e = error as { message: string; stdout?: string; stderr?: string }
    throw new Error(
      `CLI ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`
    )
  }
}

/** Adds a user with `password` and gives them a token; the token. */
export async function addUser(
  env: ClusterEnv,
  name: string,
  password: string,
  admin = false
): Promise<string> {
  await clusterCli(env, [
    'user',
    'add',
    name,
    '--password',
    password,
    ...(admin ? ['--admin'] : [])
  ])
  const out = await clusterCli(env, ['token', 'create', name, '--label', 'multi-instance'])
  const token = out.trim().split('\n').pop()?.trim() ?? ''
  if (!/^\S{20,}$/.test(token)) throw new Error(`token create printed no token: ${out}`)
  return token
}

/**
 * Starts `node --import tsx server/src/main.ts` on 127.0.0.1 (port 0: the system picks), trusting
 * a proxy on 127.0.0.1; resolves when it says where it listens.
 */
export async function startInstance(
  env: ClusterEnv,
  name: string,
  extraArgs: string[] = [],
  timeoutMs = 90_000
): Promise<Instance> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      MAIN,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--data',
      env.dataDir,
      '--trust-proxy',
      '127.0.0.1',
      ...extraArgs
    ],
    { cwd: REPO_ROOT, env: serverEnv(env, name), stdio: ['ignore', 'pipe', 'pipe'] }
  )
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (out += d.toString()))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`instance ${name} did not start within ${timeoutMs} ms:\n${tail(out)}`))
    }, timeoutMs)
    const onData = (): void => {
      const m = /Sidecast library: (http:\/\/\S+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        child.stdout.off('data', onData)
        child.off('exit', onExit)
        resolve(m[1] as string)
      }
    }
    const onExit = (code: number | null, signal: string | null): void => {
      clearTimeout(timer)
      reject(new Error(`instance ${name} exited (${code ?? signal}) while starting:\n${tail(out)}`))
    }
    child.stdout.on('data', onData)
    child.once('exit', onExit)
  })
  return {
    name,
    url,
    port: Number(new URL(url).port),
    child,
    output: () => out,
    crash: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGKILL')
      }),
    stop: () => stopChild(child)
  }
}

export interface Nginx {
  /** http://127.0.0.1:port */
  readonly url: string
  readonly port: number
  readonly dir: string
  readonly child: ChildProcess
  /** nginx's error log so far. */
  errors(): string
  stop(): Promise<void>
}

/**
 * nginx's configuration: round-robin over `upstreams` (host:port), one worker (so sequential
 * requests alternate deterministically), no keep-alive to clients (every request picks anew),
 * request bodies streamed as they arrive, no body size limit. Every answer names the instance
 * that gave it in `X-Sidecast-Upstream`.
 */
export function nginxConf(dir: string, port: number, upstreams: string[]): string {
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0
  return `# written by tests/server/multi-support.ts
${asRoot ? 'user root;\n' : ''}worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream library {
${upstreams.map((u) => `    server ${u} max_fails=0;`).join('\n')}
  }
  server {
    listen 127.0.0.1:${port};
    keepalive_timeout 0;
    client_max_body_size 0;
    location / {
      proxy_pass http://library;
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_request_buffering off;
      proxy_buffering off;
      proxy_read_timeout 300s;
      proxy_send_timeout 300s;
      add_header X-Sidecast-Upstream $upstream_addr always;
    }
  }
}
`
}

/**
 * Runs nginx (`-p dir -c conf -g 'daemon off;'`) on `port` in front of `upstreams`; resolves when
 * it accepts connections.
 */
export async function startNginx(
  dir: string,
  port: number,
  upstreams: string[],
  timeoutMs = 30_000
): Promise<Nginx> {
  fs.mkdirSync(dir, { recursive: true })
  const conf = path.join(dir, 'nginx.conf')
  fs.writeFileSync(conf, nginxConf(dir, port, upstreams))
  const errorLog = path.join(dir, 'error.log')
  // -e: nginx writes here even before it has read the configuration (not /var/log/nginx).
  const child = spawn(NGINX, ['-p', dir, '-e', errorLog, '-c', conf, '-g', 'daemon off;'], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (out += d.toString()))
  const errors = (): string => {
    let log = ''
    try {
      log = fs.readFileSync(errorLog, 'utf8')
    } catch {
      // not written yet
    }
    return `${out}${log}`
  }
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}):\n${errors()}`)
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (up) break
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`nginx did not listen on ${port} within ${timeoutMs} ms:\n${errors()}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    child,
    errors,
    // SIGQUIT: a graceful stop; SIGTERM is nginx's fast stop, enough for a test.
    stop: () => stopChild(child, 5000)
  }
}

// ---------------------------------------------------------------------------------------------
// The cluster: a database, Redis, a shared folder, instances, nginx

export interface Cluster {
  env: ClusterEnv
  nginx: Nginx
  /** The instances behind nginx, in the upstream's order. */
  instances: Instance[]
  /** Starts another instance on the same database, Redis and folder (not behind nginx). */
  startExtra(name: string): Promise<Instance>
  /** Stops nginx and every instance, drops the database; safe to call twice. */
  stop(): Promise<void>
}

export interface ClusterOptions {
  /** Instances behind nginx (default 2). */
  instances?: number
  /** PostgreSQL admin URL (CREATE DATABASE); null: SQLite in the shared folder. */
  postgresAdminUrl: string | null
  redisUrl: string | null
  /** Database name prefix (who made it). */
  prefix: string
  /** Extra server flags for every instance. */
  serverArgs?: string[]
  /** Runs after the database exists and before any instance starts (e.g. users via the CLI). */
  prepare?: (env: ClusterEnv) => Promise<void>
  /** The shared data folder; default a new temp dir, removed by stop(). */
  dataDir?: string
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const ownDir = opts.dataDir === undefined
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sidecast-multi-'))
  const nginxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sidecast-nginx-'))
  const started: { stop(): Promise<void> }[] = []
  let dbUrl: string | null = null
  let stopped = false
  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    await Promise.all(started.splice(0).map((s) => s.stop().catch(() => {})))
    if (dbUrl && opts.postgresAdminUrl) {
      await dropDatabase(opts.postgresAdminUrl, dbUrl).catch(() => {})
    }
    fs.rmSync(nginxDir, { recursive: true, force: true })
    if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true })
  }
  try {
    if (opts.postgresAdminUrl) dbUrl = await createDatabase(opts.postgresAdminUrl, opts.prefix)
    const nginxPort = await freePort()
    const env: ClusterEnv = {
      dataDir,
      databaseUrl: dbUrl,
      redisUrl: opts.redisUrl,
      publicUrl: `http://127.0.0.1:${nginxPort}`
    }
    await opts.prepare?.(env)
    const names = Array.from({ length: opts.instances ?? 2 }, (_, i) => String.fromCharCode(65 + i))
    // One at a time: the first runs the migrations (concurrent ones wait on an advisory lock).
    const instances: Instance[] = []
    for (const name of names) {
      const instance = await startInstance(env, name, opts.serverArgs)
      started.push(instance)
      instances.push(instance)
    }
    const nginx = await startNginx(
      nginxDir,
      nginxPort,
      instances.map((i) => `127.0.0.1:${i.port}`)
    )
    started.push(nginx)
    return {
      env,
      nginx,
      instances,
      async startExtra(name) {
        const instance = await startInstance(env, name, opts.serverArgs)
        started.push(instance)
        return instance
      },
      stop
    }
  } catch (error) {
    await stop()
    throw error
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP

export interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
  text: string
}

/**
 * A PATCH whose body the test sends piece by piece (`send`), with Content-Length `length` set up
 * front: the server holds the upload's lock while the body is unfinished.
 */
export interface OpenPatch {
  send(bytes: Buffer): Promise<void>
  /** The answer, whenever the server gives one (possibly before the body is all sent). */
  answer: Promise<Answer>
  /** Whether the server has answered (or the connection ended) yet. */
  settled(): boolean
  destroy(): void
}

export function openPatch(
  base: string,
  uploadPath: string,
  token: string,
  offset: number,
  length: number
): OpenPatch {
  const target = new URL(base)
  let done = false
  const req = http.request({
    host: target.hostname,
    port: target.port,
    method: 'PATCH',
    path: uploadPath,
    agent: false,
    headers: {
      'Tus-Resumable': '1.0.0',
      Authorization: `Bearer ${token}`,
      'Upload-Offset': offset,
      'Content-Type': 'application/offset+octet-stream',
      'Content-Length': length
    }
  })
  const answer = new Promise<Answer>((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        done = true
        const body = Buffer.concat(chunks)
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString() })
      })
      res.on('error', (e) => {
        done = true
        reject(e)
      })
    })
    req.on('error', (e) => {
      done = true
      reject(e)
    })
  })
  // The answer is awaited by the test when it matters; an early reset must not go unhandled.
  answer.catch(() => {})
  req.flushHeaders()
  return {
    send: (bytes) =>
      new Promise<void>((resolve, reject) => {
        req.write(bytes, (error) => (error ? reject(error) : resolve()))
      }),
    answer,
    settled: () => done,
    destroy: () => req.destroy()
  }
}

export const sha256 = (bytes: Buffer): string =>
  crypto.createHash('sha256').update(bytes).digest('hex')
