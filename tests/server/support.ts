/**
 * Shared helpers for the server tests (helper A's): a real library server on 127.0.0.1 with a
 * temp data dir, small test videos made with ffmpeg lavfi, and raw HTTP for the tus protocol.
 */
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, afterEach } from 'vitest'
import { createLibraryServer, type LibraryServerInternals } from '../../server/src/app'
import { loadConfig, type ServerConfig } from '../../server/src/config'
import type { NewVideo, User } from '../../server/src/db/types'
import type { ProcessorHooks } from '../../server/src/uploads/processor'
import { engineConfig, engineEnv } from './engine'

const run = promisify(execFile)
const made: string[] = []

// Registered when a test file imports this module, so it runs after that file's own afterAll
// hooks (which close the servers): every temp dir a test made is removed.
afterAll(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})
const FFMPEG = process.env.SIDECAST_TEST_FFMPEG ?? 'ffmpeg'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const SERVER_DIR = path.join(ROOT, 'server')
export const TSX = path.join(ROOT, 'node_modules/.bin/tsx')

/**
 * Runs the server's command line (`src/main.ts`) the way the workspace script does: cwd server/,
 * INIT_CWD where npm ran. Never throws for a non-zero exit; the code is in the answer.
 */
export async function cli(
  args: string[],
  initCwd: string
): Promise<{ code: number; stdout: string; stderr: string }> {
  // On the PostgreSQL run the command reaches the library of its --data folder in that folder's
  // database, like a test server on it.
  const data = args.indexOf('--data')
  const dataDir = data >= 0 ? args[data + 1] : undefined
  const engine = dataDir ? await engineEnv(path.resolve(initCwd, dataDir)) : {}
  try {
    const { stdout, stderr } = await run(TSX, ['src/main.ts', ...args], {
      cwd: SERVER_DIR,
      env: { ...process.env, ...engine, INIT_CWD: initCwd },
      timeout: 60_000
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string }
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }
  }
}

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sidecast-${prefix}-`))
  made.push(dir)
  return dir
}

/** Runs ffmpeg quietly, overwriting its output (SIDECAST_TEST_FFMPEG, else `ffmpeg` on PATH). */
export async function ffmpeg(args: string[]): Promise<void> {
  await run(FFMPEG, ['-v', 'error', '-y', ...args], { timeout: 60_000 })
}

/** A 2 s 320×240 H.264/AAC MP4 (index at the end unless `faststart`). */
export async function makeVideo(
  file: string,
  opts: { seconds?: number; faststart?: boolean; noise?: boolean } = {}
): Promise<Buffer> {
  const seconds = opts.seconds ?? 2
  const source = opts.noise
    ? `nullsrc=size=320x240:rate=25:duration=${seconds},geq=random(1)*255:128:128`
    : `testsrc=size=320x240:rate=25:duration=${seconds}`
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    source,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:duration=${seconds}`,
    '-c:v',
    'libx264',
    ...(opts.noise ? ['-qp', '0', '-preset', 'ultrafast'] : ['-preset', 'veryfast']),
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    ...(opts.faststart ? ['-movflags', '+faststart'] : []),
    file
  ])
  return fs.readFileSync(file)
}

export interface TestServer {
  app: LibraryServerInternals
  url: string
  dataDir: string
  config: ServerConfig
  user: User
  token: string
  /** A second, non-admin user. */
  other: User
  otherToken: string
  admin: User
  adminToken: string
  close(): Promise<void>
}

export interface StartOptions {
  dataDir?: string
  config?: Partial<ServerConfig>
  env?: NodeJS.ProcessEnv
  /** Reuse users from an earlier run on the same data dir. */
  reuse?: Pick<TestServer, 'user' | 'token' | 'other' | 'otherToken' | 'admin' | 'adminToken'>
  log?: (message: string) => void
  /** Seams into the upload processor (what runs, when a processing slot is taken). */
  hooks?: ProcessorHooks
}

/** The servers one test file starts: `start` one, `forget` one the test closed itself. */
export interface ServersPerTest {
  start(opts?: StartOptions): Promise<TestServer>
  forget(server: TestServer): void
}

/**
 * Servers a test file starts, each closed after its test. Call it once at the top of the file;
 * after-each hooks the file registers later run before this close (vitest runs them as a stack),
 * so a test's own clean-up (a released lock, a freed disk) comes first.
 */
export function serversPerTest(): ServersPerTest {
  const open: TestServer[] = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()))
  })
  return {
    async start(opts = {}) {
      const server = await startServer(opts)
      open.push(server)
      return server
    },
    forget(server) {
      const i = open.indexOf(server)
      if (i >= 0) open.splice(i, 1)
    }
  }
}

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? tempDir('data')
  const loaded = loadConfig(
    ['--port', '0', '--host', '127.0.0.1', '--data', dataDir],
    opts.env ?? {}
  )
  const config: ServerConfig = {
    ...loaded,
    // On the PostgreSQL run: this folder's database (the same one on a restart) and Redis.
    ...(await engineConfig(loaded.dataDir)),
    ...opts.config
  }
  const app = await createLibraryServer(config, {
    log: opts.log ?? (() => {}),
    processorHooks: opts.hooks
  })
  const db = app.library.db
  let users = opts.reuse
  if (!users) {
    const user = await db.createUser('alice', 'alice-password', false)
    const other = await db.createUser('bob', 'bob-password', false)
    const admin = await db.createUser('root', 'root-password', true)
    users = {
      user,
      token: (await db.createToken(user.id, 'test')).token,
      other,
      otherToken: (await db.createToken(other.id, 'test')).token,
      admin,
      adminToken: (await db.createToken(admin.id, 'test')).token
    }
  }
  const { user, token, other, otherToken, admin, adminToken } = users
  return {
    app,
    url: app.url,
    dataDir,
    config,
    user,
    token,
    other,
    otherToken,
    admin,
    adminToken,
    close: () => app.close()
  }
}

export interface RawResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
  text: string
}

/** One HTTP request with exactly these headers (no client-side normalisation of the path). */
export function request(
  base: string,
  method: string,
  pathOrUrl: string,
  headers: Record<string, string | number> = {},
  body?: Buffer | string
): Promise<RawResponse> {
  const target = new URL(base)
  const pathname = pathOrUrl.startsWith('http') ? new URL(pathOrUrl).pathname : pathOrUrl
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        method,
        path: pathname,
        headers: {
          ...(body !== undefined ? { 'Content-Length': Buffer.byteLength(body) } : {}),
          ...headers
        },
        agent: false
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const buf = Buffer.concat(chunks)
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: buf,
            text: buf.toString()
          })
        })
        res.on('error', reject)
      }
    )
    req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${pathname} timed out`)))
    req.on('error', reject)
    req.end(body)
  })
}

export function encodeMetadata(meta: Record<string, string | null>): string {
  return Object.entries(meta)
    .map(([k, v]) => (v === null ? k : `${k} ${Buffer.from(v, 'utf8').toString('base64')}`))
    .join(',')
}

export const TUS = { 'Tus-Resumable': '1.0.0' }

export function auth(token: string): Record<string, string> {
  return { ...TUS, Authorization: `Bearer ${token}` }
}

/** POST /api/uploads; returns the response and the upload path (from Location). */
export async function createUpload(
  s: TestServer,
  length: number,
  meta: Record<string, string | null> = { filename: 'clip.mp4', title: 'Clip' },
  token = s.token,
  body?: Buffer
): Promise<{ res: RawResponse; path: string; id: string }> {
  const headers: Record<string, string | number> = {
    ...auth(token),
    'Upload-Length': length,
    'Upload-Metadata': encodeMetadata(meta)
  }
  if (body) headers['Content-Type'] = 'application/offset+octet-stream'
  const res = await request(s.url, 'POST', '/api/uploads', headers, body)
  const location = res.headers.location ?? ''
  const uploadPath = location ? new URL(location).pathname : ''
  return { res, path: uploadPath, id: uploadPath.split('/').pop() ?? '' }
}

export function patch(
  s: TestServer,
  uploadPath: string,
  offset: number | string,
  body: Buffer,
  token = s.token
): Promise<RawResponse> {
  return request(
    s.url,
    'PATCH',
    uploadPath,
    {
      ...auth(token),
      'Upload-Offset': offset,
      'Content-Type': 'application/offset+octet-stream'
    },
    body
  )
}

export function head(s: TestServer, uploadPath: string, token = s.token): Promise<RawResponse> {
  return request(s.url, 'HEAD', uploadPath, auth(token))
}

export async function getJson<T = Record<string, unknown>>(
  s: TestServer,
  pathname: string,
  token = s.token
): Promise<{ status: number; json: T; text: string }> {
  const res = await request(s.url, 'GET', pathname, { Authorization: `Bearer ${token}` })
  return { status: res.status, json: (res.text ? JSON.parse(res.text) : null) as T, text: res.text }
}

export async function waitFor<T>(
  what: string,
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 20_000
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/**
 * Uploads `bytes` as a new video of `s.user` in one PATCH and waits for it to be in the library;
 * its id and the stored original's path (file storage).
 */
export async function uploadWholeVideo(
  s: TestServer,
  bytes: Buffer,
  filename: string
): Promise<{ videoId: string; file: string }> {
  const created = await createUpload(s, bytes.length, { filename, title: filename })
  if (created.res.status !== 201) throw new Error(`upload refused: ${created.res.text}`)
  const res = await patch(s, created.path, 0, bytes)
  const videoId = String(res.headers['sidecast-video-id'] ?? '')
  if (res.status !== 204 || !videoId) throw new Error(`upload failed: ${res.status} ${res.text}`)
  await waitFor('the video in the library', async () => s.app.library.db.getVideo(videoId))
  const where = await s.app.library.db.videoStorage(videoId)
  if (!where) throw new Error('the video has no stored file')
  return { videoId, file: path.join(s.dataDir, 'videos', where.uploadId) }
}

/**
 * A 60-second video's facts for `insertVideo` (tests that put videos straight in the database):
 * no bytes behind it, no thumbnail; `extra` overrides any field.
 */
export function videoFacts(
  id: string,
  ownerId: number,
  title: string,
  extra: Partial<NewVideo> = {}
): NewVideo {
  return {
    id,
    title,
    description: '',
    ownerId,
    durationMs: 60_000,
    sizeBytes: 10,
    filename: `${id}.mp4`,
    mimeType: 'video/mp4',
    projectId: null,
    callouts: [],
    hasThumbnail: false,
    uploadId: 'f'.repeat(32),
    storage: 'file',
    ...extra
  }
}
