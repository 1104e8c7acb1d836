/**
 * npm run bench:server (third part; inside scripts/with-services.ts, which starts PostgreSQL and
 * Redis or takes SIDECAST_TEST_POSTGRES_URL / SIDECAST_TEST_REDIS_URL) — the library at company
 * scale (issue 16), on PostgreSQL AND on SQLite in the same run:
 *
 * 1. Upload throughput: one BENCH_SCALE_MB (default 256) MB upload in one PATCH (tus-js-client)
 *    to one instance, best of 2 (PostgreSQL: with Redis for the lock and upload state, as
 *    deployed; SQLite: the embedded defaults). The file is a real (faststart) MP4 followed by
 *    random bytes, so the timing includes the ffprobe check, thumbnail and database write
 *    (Server-Timing of the last PATCH).
 * 2. The library page and search with BENCH_SCALE_VIDEOS (default 100,000) videos, seeded with
 *    bulk INSERTs through the data layer's Kysely instance (videos with two callouts each and
 *    their search rows, laid out as putSearch lays them out): p50/p95 of BENCH_SCALE_REQUESTS
 *    (default 60) requests each (or as many as fit in BENCH_SCALE_BUDGET_S, default 10 s, at
 *    least 5) of the server's time (Server-Timing app;dur, arrival to response headers) and of
 *    the client's wall time over loopback, and the data layer's time (LibraryDb.findVideos as the
 *    page calls it, in this process). Goal: server p95 < 50 ms on both engines. A missed goal
 *    prints the query plans (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN + timings on
 *    SQLite).
 * 3. Sustained concurrent uploads: BENCH_SCALE_CLIENTS (default 50) clients, each sending
 *    BENCH_SCALE_UPLOADS (default 2) uploads of BENCH_SCALE_CLIENT_MB (default 8) MB one after
 *    the other, through nginx (tests/server/multi-support.ts) to two instances on PostgreSQL +
 *    Redis versus one; also one SQLite instance for reference.
 *
 * Env: BENCH_SCALE_ENGINES ("sqlite,postgres"), BENCH_SCALE_PARTS ("upload,pages,concurrent").
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import * as tus from 'tus-js-client'
import { databaseTarget, openLibraryDb } from '../../server/src/db/open'
import { makeSizedVideo } from './sized-video'
import { openSql, type SqlDb } from '../../server/src/db/sql/connection'
import { WALK_ABOVE } from '../../server/src/db/sql/find-videos'
import { searchDocument, sqliteOrderKey } from '../../server/src/db/sql/search'
import type { VideosTable } from '../../server/src/db/sql/tables'
import { LIBRARY_COUNT_UP_TO, SEARCH_COUNT_UP_TO } from '../../server/src/pages/routes/library'
import { PAGE_SIZE } from '../../server/src/pages/views'
import {
  addUser,
  createDatabase,
  dropDatabase,
  startCluster,
  startInstance,
  type ClusterEnv,
  type Instance
} from '../server/multi-support'

const MB = Number(process.env.BENCH_SCALE_MB ?? 256)
const VIDEOS = Number(process.env.BENCH_SCALE_VIDEOS ?? 100_000)
const REQUESTS = Number(process.env.BENCH_SCALE_REQUESTS ?? 60)
/** Each timed query stops after this many seconds (at least 5 runs): a slow one cannot stall the run. */
const BUDGET_MS = Number(process.env.BENCH_SCALE_BUDGET_S ?? 10) * 1000
const CLIENTS = Number(process.env.BENCH_SCALE_CLIENTS ?? 50)
const UPLOADS_PER_CLIENT = Number(process.env.BENCH_SCALE_UPLOADS ?? 2)
const CLIENT_MB = Number(process.env.BENCH_SCALE_CLIENT_MB ?? 8)
const ENGINES = (process.env.BENCH_SCALE_ENGINES ?? 'sqlite,postgres')
  .split(',')
  .map((e) => e.trim())
const PARTS = new Set(
  (process.env.BENCH_SCALE_PARTS ?? 'upload,pages,concurrent').split(',').map((p) => p.trim())
)
const PG_ADMIN = process.env.SIDECAST_TEST_POSTGRES_URL ?? null
const REDIS = process.env.SIDECAST_TEST_REDIS_URL ?? null
const GOAL_MS = 50
/** Flags for every instance: one user sends many uploads from one address. */
const SERVER_ARGS = [
  '--max-upload-size',
  `${Math.max(MB, CLIENT_MB) * 2 + 100}MB`,
  '--max-unfinished-uploads',
  '100000',
  '--max-unfinished-bytes',
  '1000GB',
  '--max-connections-per-address',
  '0'
]

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sidecast-bench-scale-'))
const cleanups: (() => Promise<void>)[] = []
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }))
/** Runs the clean-ups (instances, nginx, databases) once, newest first. */
async function cleanUp(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {})
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void cleanUp().finally(() => process.exit(130))
  })
}

/** startInstance, stopped by the clean-ups too if the run ends early. */
async function instanceFor(env: ClusterEnv, name: string): Promise<Instance> {
  const instance = await startInstance(env, name, SERVER_ARGS)
  cleanups.push(() => instance.stop())
  return instance
}

type Engine = 'sqlite' | 'postgres'

// ---------------------------------------------------------------------------------------------
// Figures

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN
}
const ms = (x: number): string => `${x.toFixed(1)} ms`
const mbps = (bytes: number, msTaken: number): number => bytes / 1024 / 1024 / (msTaken / 1000)

// ---------------------------------------------------------------------------------------------
// Engines

interface EngineSetup {
  engine: Engine
  env: ClusterEnv
  drop(): Promise<void>
}

async function setUpEngine(engine: Engine): Promise<EngineSetup> {
  const dataDir = fs.mkdtempSync(path.join(work, `${engine}-`))
  if (engine === 'sqlite') {
    return {
      engine,
      env: { dataDir, databaseUrl: null, redisUrl: null, publicUrl: null },
      drop: async () => fs.rmSync(dataDir, { recursive: true, force: true })
    }
  }
  const url = await createDatabase(PG_ADMIN as string, 'bench_scale')
  const drop = async (): Promise<void> => {
    await dropDatabase(PG_ADMIN as string, url).catch(() => {})
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
  cleanups.push(drop)
  return { engine, env: { dataDir, databaseUrl: url, redisUrl: REDIS, publicUrl: null }, drop }
}

const target = (env: ClusterEnv) =>
  databaseTarget({ dataDir: env.dataDir, databaseUrl: env.databaseUrl })

/** A user, a token and a page session, made through the data layer. */
async function benchUser(
  env: ClusterEnv
): Promise<{ userId: number; token: string; cookie: string }> {
  const db = await openLibraryDb(target(env))
  try {
    const user = await db.createUser('bench', 'bench-password', true)
    const token = (await db.createToken(user.id, 'bench')).token
    const session = await db.createSession(user.id)
    return { userId: user.id, token, cookie: `sidecast_session=${session.id}` }
  } finally {
    await db.close()
  }
}

// ---------------------------------------------------------------------------------------------
// 1. One large upload

function tusOnce(
  endpoint: string,
  token: string,
  file: string,
  size: number
): Promise<{ ms: number; processMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const upload = new tus.Upload(fs.createReadStream(file), {
      endpoint,
      uploadSize: size,
      chunkSize: Infinity,
      retryDelays: [],
      headers: { Authorization: `Bearer ${token}` },
      metadata: { filename: 'bench.mp4', title: 'Bench large upload' },
      onError: reject,
      onSuccess: (payload) => {
        if (!payload.lastResponse.getHeader('Sidecast-Video-Url')) {
          reject(new Error('no Sidecast-Video-Url on the final response'))
          return
        }
        const timing = /dur=([\d.]+)/.exec(payload.lastResponse.getHeader('Server-Timing') ?? '')
        resolve({ ms: performance.now() - t0, processMs: Number(timing?.[1] ?? 0) })
      }
    })
    upload.start()
  })
}

async function largeUpload(setup: EngineSetup, token: string, file: string): Promise<string> {
  const size = fs.statSync(file).size
  const instance = await instanceFor(setup.env, `bench-${setup.engine}`)
  try {
    const runs: { ms: number; processMs: number }[] = []
    for (let i = 0; i < 2; i++)
      runs.push(await tusOnce(`${instance.url}/api/uploads`, token, file, size))
    const best = runs.reduce((a, b) => (b.ms < a.ms ? b : a))
    return (
      `  one ${MB} MB upload, one PATCH: ${mbps(size, best.ms).toFixed(0)} MB/s (${(best.ms / 1000).toFixed(2)} s, best of ` +
      `${runs.map((r) => (r.ms / 1000).toFixed(2)).join(' / ')} s); of which verify+thumbnail+save ${best.processMs.toFixed(0)} ms`
    )
  } finally {
    await instance.stop()
  }
}

// ---------------------------------------------------------------------------------------------
// 2. 100,000 videos

const PRODUCTS = [
  'Billing',
  'Invoices',
  'Reports',
  'Settings',
  'Dashboard',
  'Onboarding',
  'Payroll',
  'Inventory'
]
const VERBS = ['export', 'import', 'filter', 'share', 'approve', 'archive', 'merge']
const NOUNS = ['quarterly totals', 'customer list', 'expense claims', 'team roles', 'tax codes']

/** The search row's text, as core-db.ts makes it (title, description, author, file, callouts). */
function searchText(v: {
  title: string
  description: string
  author: string
  filename: string
  callouts: { text: string }[]
}): string {
  return [v.title, v.description, v.author, v.filename, ...v.callouts.map((c) => c.text)].join('\n')
}

/** Columns the database fills in (Kysely's Generated<>). */
type Defaulted = 'edits_version' | 'access' | 'awaiting_edits' | 'awaiting_camera'

/**
 * Bulk INSERTs of `count` videos (two callouts each) and their search rows; ms taken. Search rows
 * are laid out as core-db.ts's putSearch lays them out (SQLite: the video's order key as rowid;
 * PostgreSQL: the video's created_at and seq): each batch's rows go to a staging table first and
 * are then copied with the video's order in one INSERT … SELECT.
 */
async function seedVideos(sqlDb: SqlDb, ownerId: number, count: number): Promise<number> {
  const t0 = performance.now()
  const batch = sqlDb.dialect === 'sqlite' ? 1000 : 500
  const start = Date.now()
  await benchSql(
    sqlDb,
    'CREATE TABLE bench_seed_search (video_id TEXT PRIMARY KEY, body TEXT NOT NULL)'
  )
  for (let from = 0; from < count; from += batch) {
    const videos: Omit<VideosTable, Defaulted>[] = []
    const search: { video_id: string; body: string }[] = []
    for (let i = from; i < Math.min(count, from + batch); i++) {
      const id = crypto.randomBytes(12).toString('base64url')
      const verb = VERBS[i % VERBS.length] as string
      const noun = NOUNS[i % NOUNS.length] as string
      const product = PRODUCTS[i % PRODUCTS.length] as string
      const title = `Walkthrough ${i}: how to ${verb} the ${noun} in ${product}`
      const description = `Step by step for team ${i % 50}: where ${noun} live and who may ${verb} them.`
      const callouts = [
        { text: `callout ${i}`, startMs: 0, endMs: 1000 },
        { text: `${verb} ${noun} here`, startMs: 2000, endMs: 4000 }
      ]
      const filename = `walkthrough-${i}.mp4`
      videos.push({
        id,
        title,
        description,
        owner_id: ownerId,
        author_name: 'bench',
        duration_ms: 60_000 + (i % 600) * 1000,
        size_bytes: 5_000_000 + i,
        filename,
        mime_type: 'video/mp4',
        project_id: null,
        callouts: JSON.stringify(callouts),
        has_thumbnail: 0,
        upload_id: crypto.randomBytes(16).toString('hex'),
        storage: 'file',
        width: 1920,
        height: 1080,
        created_at: new Date(start - i * 60_000).toISOString(),
        link_token: null,
        camera_upload_id: null,
        camera_facts: null
      })
      const text = searchText({ title, description, author: 'bench', filename, callouts })
      search.push({
        video_id: id,
        body: sqlDb.dialect === 'sqlite' ? text : searchDocument(text)
      })
    }
    await sqlDb.tx(async (trx) => {
      await trx.insertInto('videos').values(videos).execute()
      await trx
        .withTables<{ bench_seed_search: { video_id: string; body: string } }>()
        .insertInto('bench_seed_search')
        .values(search)
        .execute()
    })
    await benchSql(
      sqlDb,
      sqlDb.dialect === 'sqlite'
        ? `INSERT INTO video_search (rowid, video_id, body)
             SELECT ${sqliteOrderKey('videos')}, videos.id, s.body
             FROM bench_seed_search s JOIN videos ON videos.id = s.video_id`
        : `INSERT INTO video_search (video_id, body, created_at, seq)
             SELECT videos.id, to_tsvector('simple', s.body), videos.created_at, videos.seq
             FROM bench_seed_search s JOIN videos ON videos.id = s.video_id`
    )
    await benchSql(sqlDb, 'DELETE FROM bench_seed_search')
  }
  await benchSql(sqlDb, 'DROP TABLE bench_seed_search')
  if (sqlDb.dialect === 'postgres') {
    // What autovacuum would do soon after a bulk load: planner statistics, visibility map.
    await pgQuery('VACUUM ANALYZE')
  }
  return performance.now() - t0
}

/** A statement of the bench's own (staging the seed) on either engine, outside Kysely. */
async function benchSql(sqlDb: SqlDb, text: string): Promise<void> {
  if (sqlDb.sqlite) sqlDb.sqlite.exec(text)
  else await pgQuery(text)
}

/** A plain SQL statement on PostgreSQL (planner statistics, EXPLAIN), outside Kysely. */
let pgUrl: string | null = null
async function pgQuery(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: pgUrl as string })
  await client.connect()
  try {
    return await client.query(text, values)
  } finally {
    await client.end()
  }
}

const QUERIES: { label: string; path: string; q: string }[] = [
  { label: 'GET / (newest 48 of all)', path: '/', q: '' },
  { label: 'GET /?page=1000 (deep page)', path: '/?page=1000', q: '' },
  { label: 'GET /?q=walkthrough (every video)', path: '/?q=walkthrough', q: 'walkthrough' },
  { label: 'GET /?q=invoices (1 in 8)', path: '/?q=invoices', q: 'invoices' },
  {
    label: 'GET /?q=approve invoices (1 in 56)',
    path: '/?q=approve%20invoices',
    q: 'approve invoices'
  },
  { label: 'GET /?q=callout 99999 (one)', path: '/?q=callout%2099999', q: 'callout 99999' },
  { label: 'GET /api/videos?q=invoices', path: '/api/videos?q=invoices', q: 'invoices' }
]

/** Runs `once` REQUESTS times or until BUDGET_MS has passed (at least 5 times); the times. */
async function timed(once: () => Promise<number>): Promise<number[]> {
  const times: number[] = []
  const start = performance.now()
  while (times.length < REQUESTS && (times.length < 5 || performance.now() - start < BUDGET_MS)) {
    times.push(await once())
  }
  return times
}

const spread = (times: number[]): string =>
  `p50 ${ms(percentile(times, 50)).padStart(9)}  p95 ${ms(percentile(times, 95)).padStart(9)}` +
  `${times.length < REQUESTS ? ` (${times.length} runs)` : ''}`

async function timeGet(
  url: string,
  headers: Record<string, string>
): Promise<{ ms: number; serverMs: number; status: number; bytes: number }> {
  const t0 = performance.now()
  // A redirect (to the sign-in page) is an answer to report, not to follow.
  const res = await fetch(url, { headers, redirect: 'manual' })
  const body = await res.arrayBuffer()
  const clientMs = performance.now() - t0
  // The server's own time: Server-Timing app;dur (server-timing.ts), arrival to headers.
  const app = /(?:^|,\s*)app;dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')
  if (!app) throw new Error(`${url} answered without Server-Timing app;dur`)
  return { ms: clientMs, serverMs: Number(app[1]), status: res.status, bytes: body.byteLength }
}

/**
 * The plans of what findVideos runs for a search of `q` (its count, its own matches), printed
 * when a goal is missed. The statements are copies of server/src/db/sql/find-videos.ts's: keep
 * them in step when that file changes.
 */
async function explain(sqlDb: SqlDb, q: string): Promise<string> {
  const lines: string[] = []
  if (sqlDb.dialect === 'postgres') {
    const words = q
      .split(/\s+/)
      .filter(Boolean)
      .map((w) => `${w.toLowerCase()}:*`)
      .join(' & ')
    const texts = q
      ? [
          `SELECT count(*) FROM (SELECT 1 FROM video_search WHERE body @@ to_tsquery('simple', $1) LIMIT ${WALK_ABOVE + 1}) c`,
          `SELECT video_id FROM video_search WHERE ts_match_vq(body, to_tsquery('simple', $1)) ORDER BY created_at DESC, seq DESC LIMIT 49`,
          `WITH m AS MATERIALIZED (SELECT video_id, created_at, seq FROM video_search WHERE body @@ to_tsquery('simple', $1)) SELECT * FROM m ORDER BY created_at DESC, seq DESC LIMIT 49`
        ]
      : [
          `SELECT count(*) FROM (SELECT 1 FROM videos LIMIT ${LIBRARY_COUNT_UP_TO + 1}) c`,
          'SELECT * FROM videos WHERE id IN (SELECT id FROM videos ORDER BY created_at DESC, seq DESC LIMIT 49 OFFSET 47952)'
        ]
    for (const text of texts) {
      const plan = await pgQuery(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, q ? [words] : [])
      lines.push(`    ${text}`)
      for (const row of plan.rows as { 'QUERY PLAN': string }[])
        lines.push(`      ${row['QUERY PLAN']}`)
    }
  } else {
    const raw = sqlDb.sqlite
    if (!raw) return ''
    const match = q
      .split(/\s+/)
      .filter(Boolean)
      .map((w) => `"${w}"*`)
      .join(' AND ')
    const texts = q
      ? [
          `SELECT count(*) FROM (SELECT 1 FROM video_search WHERE video_search MATCH @m LIMIT ${SEARCH_COUNT_UP_TO + 1})`,
          'SELECT video_id FROM video_search WHERE video_search MATCH @m ORDER BY rowid DESC LIMIT 49'
        ]
      : [
          `SELECT count(*) FROM (SELECT 1 FROM videos LIMIT ${LIBRARY_COUNT_UP_TO + 1})`,
          'SELECT * FROM videos WHERE rowid IN (SELECT rowid FROM videos ORDER BY created_at DESC, rowid DESC LIMIT 49 OFFSET 47952)'
        ]
    for (const text of texts) {
      const params = q ? { m: match } : {}
      const plan = raw.prepare(`EXPLAIN QUERY PLAN ${text}`).all(params) as { detail: string }[]
      const t0 = performance.now()
      raw.prepare(text).all(params)
      lines.push(`    ${text}  (${ms(performance.now() - t0)})`)
      for (const row of plan) lines.push(`      ${row.detail}`)
    }
  }
  return lines.join('\n')
}

async function pages(
  setup: EngineSetup,
  user: { userId: number; cookie: string; token: string }
): Promise<void> {
  const out = { push: (line: string) => console.log(line) }
  const sqlDb = await openSql(target(setup.env))
  pgUrl = setup.env.databaseUrl
  let seedMs: number
  try {
    seedMs = await seedVideos(sqlDb, user.userId, VIDEOS)
  } catch (error) {
    await sqlDb.close()
    throw error
  }
  out.push(
    `  seeded ${VIDEOS.toLocaleString('en')} videos with callouts and search rows in ${(seedMs / 1000).toFixed(1)} s (bulk INSERTs)`
  )

  const instance = await instanceFor(setup.env, `bench-${setup.engine}`)
  const missed: string[] = []
  try {
    // Pages are signed in with the session (a Bearer token does not sign in pages), the API with
    // the token.
    const headersFor = (p: string): Record<string, string> =>
      p.startsWith('/api/') ? { authorization: `Bearer ${user.token}` } : { cookie: user.cookie }
    for (let i = 0; i < 5; i++) await timeGet(`${instance.url}/`, headersFor('/'))
    out.push(
      `  server time (Server-Timing app;dur: arrival to response headers) and client wall time over loopback, ${REQUESTS} requests each (at most ${BUDGET_MS / 1000} s) after 3 warm-ups:`
    )
    for (const query of QUERIES) {
      const url = `${instance.url}${query.path}`
      const headers = headersFor(query.path)
      for (let i = 0; i < 3; i++) await timeGet(url, headers)
      let bytes = 0
      const client: number[] = []
      const server = await timed(async () => {
        const r = await timeGet(url, headers)
        if (r.status !== 200) throw new Error(`${query.label} answered ${r.status}`)
        bytes = r.bytes
        client.push(r.ms)
        return r.serverMs
      })
      const p95 = percentile(server, 95)
      if (p95 >= GOAL_MS) missed.push(query.q)
      out.push(
        `    ${query.label.padEnd(38)} server ${spread(server)}   client ${spread(client)}  (${bytes.toLocaleString('en')} bytes)` +
          `${p95 < GOAL_MS ? '' : `  (server p95 above the ${GOAL_MS} ms goal)`}`
      )
    }
    // The data layer's share: the page's one call (findVideos, as routes/library.ts makes it).
    const db = await openLibraryDb(target(setup.env))
    try {
      out.push(`  data layer alone (LibraryDb.findVideos in this process, as the first page asks):`)
      for (const q of [...new Set(QUERIES.map((x) => x.q))]) {
        const opts = {
          limit: PAGE_SIZE + 1,
          countUpTo: q ? SEARCH_COUNT_UP_TO : LIBRARY_COUNT_UP_TO
        }
        const first = await db.findVideos(q, opts)
        const times = await timed(async () => {
          const t0 = performance.now()
          await db.findVideos(q, opts)
          return performance.now() - t0
        })
        out.push(
          `    q=${JSON.stringify(q).padEnd(20)} ${spread(times)}  (${first.total.toLocaleString('en')}${first.totalIsAtLeast ? '+' : ''} found)`
        )
      }
    } finally {
      await db.close()
    }
    for (const q of [...new Set(missed)]) {
      out.push(`  where the time goes for q=${JSON.stringify(q)}:`)
      out.push(await explain(sqlDb, q))
    }
  } finally {
    await instance.stop()
    await sqlDb.close()
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Many clients at once

function uploadOnce(base: string, token: string, file: string, size: number): Promise<number> {
  const t0 = performance.now()
  const call = (
    method: string,
    pathname: string,
    headers: Record<string, string | number>,
    body?: string
  ) =>
    new Promise<http.IncomingMessage>((resolve, reject) => {
      const u = new URL(base)
      const req = http.request(
        { host: u.hostname, port: u.port, method, path: pathname, agent: false, headers },
        (res) => {
          res.resume()
          res.on('end', () => resolve(res))
        }
      )
      req.setTimeout(600_000, () => req.destroy(new Error(`${method} timed out`)))
      req.on('error', reject)
      if (body !== undefined) {
        fs.createReadStream(body, { highWaterMark: 1024 * 1024 }).pipe(req)
      } else {
        req.end()
      }
    })
  const auth = { 'Tus-Resumable': '1.0.0', Authorization: `Bearer ${token}` }
  return (async () => {
    const meta = `filename ${Buffer.from('load.mp4').toString('base64')},title ${Buffer.from('Load').toString('base64')}`
    const created = await call('POST', '/api/uploads', {
      ...auth,
      'Upload-Length': size,
      'Upload-Metadata': meta
    })
    if (created.statusCode !== 201) throw new Error(`POST answered ${created.statusCode}`)
    const where = new URL(created.headers.location ?? '').pathname
    const done = await call(
      'PATCH',
      where,
      {
        ...auth,
        'Upload-Offset': 0,
        'Content-Type': 'application/offset+octet-stream',
        'Content-Length': size
      },
      file
    )
    if (done.statusCode !== 204) throw new Error(`PATCH answered ${done.statusCode}`)
    return performance.now() - t0
  })()
}

async function concurrent(
  label: string,
  engine: Engine,
  instances: number,
  file: string
): Promise<string> {
  const size = fs.statSync(file).size
  let token = ''
  const cluster = await startCluster({
    instances,
    postgresAdminUrl: engine === 'postgres' ? PG_ADMIN : null,
    redisUrl: engine === 'postgres' ? REDIS : null,
    prefix: 'bench_scale',
    serverArgs: SERVER_ARGS,
    prepare: async (env) => {
      token = await addUser(env, 'bench', 'bench-password', true)
    },
    dataDir: fs.mkdtempSync(path.join(work, 'cluster-'))
  })
  cleanups.push(() => cluster.stop())
  try {
    const latencies: number[] = []
    const failures: string[] = []
    const t0 = performance.now()
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (let i = 0; i < UPLOADS_PER_CLIENT; i++) {
          try {
            latencies.push(await uploadOnce(cluster.nginx.url, token, file, size))
          } catch (error) {
            failures.push(String(error))
          }
        }
      })
    )
    const wall = performance.now() - t0
    const done = latencies.length
    return (
      `  ${label.padEnd(34)} ${mbps(done * size, wall)
        .toFixed(0)
        .padStart(4)} MB/s, ${(done / (wall / 1000)).toFixed(1)} uploads/s ` +
      `(${done}/${CLIENTS * UPLOADS_PER_CLIENT} in ${(wall / 1000).toFixed(1)} s); one upload p50 ${(percentile(latencies, 50) / 1000).toFixed(1)} s, ` +
      `p95 ${(percentile(latencies, 95) / 1000).toFixed(1)} s${failures.length ? `; ${failures.length} failed: ${[...new Set(failures)].slice(0, 3).join('; ')}` : ''}`
    )
  } finally {
    await cluster.stop()
    fs.rmSync(cluster.env.dataDir, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const engines = ENGINES.filter((e): e is Engine => e === 'sqlite' || e === 'postgres')
  if (engines.includes('postgres') && (!PG_ADMIN || !REDIS)) {
    console.log(
      'PostgreSQL part skipped: SIDECAST_TEST_POSTGRES_URL / SIDECAST_TEST_REDIS_URL not set (run through scripts/with-services.ts)'
    )
    engines.splice(engines.indexOf('postgres'), 1)
  }
  console.log(
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`
  )
  const big = path.join(work, 'large.mp4')
  const small = path.join(work, 'client.mp4')
  if (PARTS.has('upload')) await makeSizedVideo(big, Math.round(MB * 1024 * 1024))
  if (PARTS.has('concurrent')) await makeSizedVideo(small, Math.round(CLIENT_MB * 1024 * 1024))

  for (const engine of engines) {
    console.log(`\n${engine === 'postgres' ? 'PostgreSQL (+ Redis)' : 'SQLite (embedded)'}:`)
    const setup = await setUpEngine(engine)
    try {
      const user = await benchUser(setup.env)
      if (PARTS.has('upload')) console.log(await largeUpload(setup, user.token, big))
      if (PARTS.has('pages')) await pages(setup, user)
    } finally {
      await setup.drop()
    }
  }

  if (PARTS.has('concurrent')) {
    console.log(
      `\n${CLIENTS} clients at once, ${UPLOADS_PER_CLIENT} uploads of ${CLIENT_MB} MB each, through nginx (load ${os.loadavg()[0]?.toFixed(1)}):`
    )
    if (engines.includes('sqlite'))
      console.log(await concurrent('SQLite, one instance', 'sqlite', 1, small))
    if (engines.includes('postgres')) {
      console.log(await concurrent('PostgreSQL + Redis, one instance', 'postgres', 1, small))
      console.log(await concurrent('PostgreSQL + Redis, two instances', 'postgres', 2, small))
    }
  }
  console.log(
    `\nload at the end ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`
  )
}

void main()
  .catch((error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
  .finally(async () => {
    await cleanUp()
    process.exit(process.exitCode ?? 0)
  })
