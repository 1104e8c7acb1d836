/**
 * npm run bench:server-learn (also run by npm run bench:server, after tests/bench/server.ts)
 *
 * Learning together at team size (issue 17): the library server as its own process over loopback,
 * with a seeded library of 1,000 users.
 *
 * 1. The watch page of a video with 500 comments (threads and replies, moments spread over its
 *    10 minutes, questions, links; 300 people watched it, 120 marked "This helped"), as its owner
 *    (who also sees who watched and who it helped) and as another viewer; and the library's home
 *    with 1,000 open requests (and 200 solved). BENCH_N (default 200) sequential GETs each after
 *    a warm-up: median and p95 (goal p95 < 50 ms). Measured at the client over loopback, an upper
 *    bound of the server's time (the server sets no Server-Timing on pages), and the server
 *    process's CPU time per request (from /proc: robust to a busy machine). The same pages are
 *    first measured on the same library before the learning data is added, for what it costs.
 * 2. Notification fan-out: a thread on a second video in which each of the 1,000 users commented;
 *    BENCH_FANOUT (default 20) replies posted through the JSON API (Bearer token), each by another
 *    participant: median and p95 of the POST, and each reply must have made 999–1,000
 *    notifications (counted in the database: everyone in the thread and the owner, not the
 *    author) — else the bench fails.
 * 3. The app's poll: GET /api/notifications?after=<newest id> (nothing new) and the first poll
 *    without `after`, for a user with ~1,000 notifications.
 *
 * Exits non-zero on errors (a page or call failing, a wrong fan-out), not on missed goals.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { openLibraryDb } from '../../server/src/db/open'
import type { LibraryDb } from '../../server/src/db/types'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const N = Number(process.env.BENCH_N ?? 200)
const FANOUT = Number(process.env.BENCH_FANOUT ?? 20)
const USERS = 1000
const COMMENTS = 500
const THREADS = 200
const OPEN_REQUESTS = 1000
const SOLVED_REQUESTS = 200
const GOAL_MS = 50
/** BENCH_SAVE_PAGES=<dir>: keep the last answer of each measured GET there, to look at. */
const SAVE_DIR = process.env.BENCH_SAVE_PAGES
/** BENCH_CPU_PROFILE=<dir>: the server runs with --cpu-prof, its profiles written there. */
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE
const PASSWORD = 'bench password 1'

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sidecast-bench-learn-'))
const data = path.join(work, 'library')
const dbFile = path.join(data, 'library.db')
const children: ChildProcess[] = []

function cleanup(): void {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM')
  fs.rmSync(work, { recursive: true, force: true })
}
process.on('exit', cleanup)
process.on('SIGINT', () => process.exit(130))

/** A fixed pseudo-random sequence, so every run seeds the same library. */
let seed = 17
function rand(): number {
  seed = (seed * 1103515245 + 12345) % 2 ** 31
  return seed / 2 ** 31
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.max(0, Math.ceil(q * s.length) - 1)] as number
}
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}

// ---------------------------------------------------------------------------------------------
// Seeding

interface Seeded {
  sage: number
  learner: number
  /** Every user id, sage and learner first. */
  users: number[]
  watchVideo: string
  fanoutVideo: string
  fanoutThread: string
}

async function newVideo(db: LibraryDb, ownerId: number, title: string, i: number): Promise<string> {
  const id = crypto.randomBytes(12).toString('base64url')
  await db.insertVideo({
    id,
    title,
    description: `How we do it here, step by step (${i}).`,
    ownerId,
    durationMs: 600_000,
    sizeBytes: 50_000_000,
    filename: `walkthrough-${i}.mp4`,
    mimeType: 'video/mp4',
    projectId: null,
    callouts: [
      { text: `Open the ledger ${i}`, startMs: 5_000, endMs: 9_000 },
      { text: 'Match the invoice', startMs: 60_000, endMs: 66_000 }
    ],
    hasThumbnail: false,
    uploadId: crypto.randomBytes(16).toString('hex'),
    storage: 'file'
  })
  return id
}

/** Users and videos: what the library holds before any learning data. */
async function seedLibrary(): Promise<Seeded> {
  const db = await openLibraryDb({ file: dbFile })
  // Two users who sign in through the form get real scrypt hashes; the other 998 share the
  // sage's hash, inserted in one transaction (createUser's scrypt would take ~35 ms each).
  const sage = (await db.createUser('sage', PASSWORD, false)).id
  const learner = (await db.createUser('learner', PASSWORD, false)).id
  const videos = {
    watchVideo: await newVideo(db, sage, 'Reconciling supplier invoices', 0),
    fanoutVideo: await newVideo(db, sage, 'Closing the month', 1)
  }
  for (let i = 2; i < 12; i++) await newVideo(db, sage, `Walkthrough ${i}`, i)
  await db.close()

  const raw = new Database(dbFile)
  const hash = (
    raw.prepare('SELECT password_hash FROM users WHERE id = ?').get(sage) as {
      password_hash: string
    }
  ).password_hash
  const insert = raw.prepare(
    'INSERT INTO users (name, password_hash, admin, created_at) VALUES (?, ?, 0, ?)'
  )
  const at = new Date().toISOString()
  raw.transaction(() => {
    for (let i = 3; i <= USERS; i++) insert.run(`user${String(i).padStart(4, '0')}`, hash, at)
  })()
  const users = (raw.prepare('SELECT id FROM users ORDER BY id').all() as { id: number }[]).map(
    (r) => r.id
  )
  raw.close()
  if (users.length !== USERS) throw new Error(`seeded ${users.length} users, not ${USERS}`)
  return { sage, learner, users, ...videos, fanoutThread: '' }
}

const TOPICS = [
  'reconcile supplier invoices',
  'book a meeting room for a client',
  'export the quarterly report',
  'set up two-factor sign-in',
  'request a refund in the billing tool',
  'merge duplicate customer records',
  'rotate the staging database password',
  'file travel expenses in another currency'
]
const TAGS = ['finance', 'billing', 'crm', 'it', 'security', 'travel', 'reports', 'onboarding']
const REMARKS = [
  'Why does the total change when you press Match here?',
  'This is the step I always miss, thanks.',
  'Is there a shortcut for this? I click through three menus every time.',
  'The screen looks different for me: the button is under More → Actions.',
  'See https://wiki.example.com/finance/invoices?tab=matching#step-3 for the old way.',
  'What happens if the supplier sent two invoices with the same number?',
  'Worked for me, but only after I refreshed the page.',
  '<b>Bold</b> & "quoted" text — escaped, I hope.'
]

/** The learning data, through LearnDb as the pages and the API write it. */
async function seedLearning(
  s: Seeded
): Promise<{ seconds: Record<string, number>; notifications: number }> {
  const db = await openLibraryDb({ file: dbFile })
  const seconds: Record<string, number> = {}
  const timed = async (label: string, fn: () => Promise<void>): Promise<void> => {
    const t0 = performance.now()
    await fn()
    seconds[label] = (performance.now() - t0) / 1000
  }
  const others = s.users.slice(2)

  await timed('requests', async () => {
    const answerVideos: string[] = []
    for (const i of [2, 3, 4, 5, 6])
      answerVideos.push(await newVideo(db, pick(others), `Answer ${i}`, i))
    for (let i = 0; i < OPEN_REQUESTS + SOLVED_REQUESTS; i++) {
      const askerId = i % 10 === 0 ? s.learner : pick(others)
      const r = await db.createRequest({
        title: `How do I ${pick(TOPICS)}? (r${String(i).padStart(4, '0')})`,
        details: `I tried the wiki page but it is out of date. ${pick(REMARKS)}`,
        tags: [pick(TAGS), pick(TAGS)].filter((t, k, a) => a.indexOf(t) === k),
        askerId
      })
      for (let w = Math.floor(rand() * 4); w > 0; w--) await db.setWanted(r.id, pick(others), true)
      if (i >= OPEN_REQUESTS) {
        const video = pick(answerVideos)
        await db.linkAnswer(r.id, video, s.sage)
        await db.markSolved(r.id, video, askerId)
      }
    }
    const open = await db.countRequests({ state: 'open' })
    if (open !== OPEN_REQUESTS)
      throw new Error(`${open} open requests seeded, not ${OPEN_REQUESTS}`)
  })

  await timed('watch-page comments', async () => {
    const threads: string[] = []
    for (let i = 0; i < COMMENTS; i++) {
      const marker = `(c${String(i).padStart(4, '0')})`
      const thread = i < THREADS || threads.length === 0 ? null : pick(threads)
      const atMs = thread === null && rand() > 0.1 ? Math.floor(rand() * 600_000) : null
      const c = await db.addComment({
        videoId: s.watchVideo,
        parentId: thread,
        authorId: i % 7 === 0 ? s.learner : pick(others),
        atMs,
        body: `${pick(REMARKS)} ${marker}`,
        question: thread === null && rand() < 0.3
      })
      if (thread === null) {
        threads.push(c.id)
        if (c.question && rand() < 0.5) await db.setAnswered(c.id, true, s.sage)
      }
    }
    const count = await db.countComments(s.watchVideo)
    if (count !== COMMENTS) throw new Error(`${count} comments seeded, not ${COMMENTS}`)
  })

  await timed('watching and reactions', async () => {
    for (const userId of others.slice(0, 300)) {
      const start = Math.floor(rand() * 300_000)
      await db.addWatched(
        s.watchVideo,
        userId,
        [[start, start + Math.floor(rand() * 300_000)]],
        600_000
      )
    }
    for (const userId of others.slice(0, 120))
      await db.toggleReaction(s.watchVideo, userId, 'helped', null)
    for (const userId of others.slice(120, 220))
      await db.toggleReaction(
        s.watchVideo,
        userId,
        pick(['👍', '💡', '😕'] as const),
        Math.floor(rand() * 600_000)
      )
  })

  // The fan-out thread: the learner asks, then every other user (the sage, the video's owner,
  // among them) replies once. Each reply notifies everyone before it: ~500,000 notifications.
  await timed('fan-out thread (1,000 participants)', async () => {
    const first = await db.addComment({
      videoId: s.fanoutVideo,
      parentId: null,
      authorId: s.learner,
      atMs: 42_000,
      body: 'Where does the closing balance come from?',
      question: true
    })
    s.fanoutThread = first.id
    for (const userId of s.users)
      if (userId !== s.learner)
        await db.addComment({
          videoId: s.fanoutVideo,
          parentId: first.id,
          authorId: userId,
          atMs: null,
          body: `Same question here (${userId}).`,
          question: false
        })
  })
  await db.close()
  const raw = new Database(dbFile, { readonly: true })
  const notifications = (
    raw.prepare('SELECT count(*) AS n FROM notifications').get() as { n: number }
  ).n
  raw.close()
  return { seconds, notifications }
}

/**
 * The database calls behind the pages and the poll, timed in this process (median of 50 after a
 * warm-up): how much of a page's time is the data and how much the rendering.
 */
async function timeDbCalls(s: Seeded): Promise<{ what: string; ms: number; note: string }[]> {
  const db = await openLibraryDb({ file: dbFile })
  const out: { what: string; ms: number; note: string }[] = []
  const time = async (
    what: string,
    fn: () => Promise<unknown>,
    note: (r: unknown) => string
  ): Promise<void> => {
    let r: unknown
    for (let i = 0; i < 5; i++) r = await fn()
    const times: number[] = []
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now()
      r = await fn()
      times.push(performance.now() - t0)
    }
    out.push({ what, ms: median(times), note: note(r) })
  }
  const length = (r: unknown): string => `${(r as unknown[]).length} rows`
  await time('commentsOf(watch video)', () => db.commentsOf(s.watchVideo), length)
  await time(
    'reactionsOf(watch video)',
    () => db.reactionsOf(s.watchVideo, s.sage),
    () => ''
  )
  await time('watchersOf(watch video)', () => db.watchersOf(s.watchVideo), length)
  await time(
    "listRequests({ state: 'open', limit: 10 })",
    () => db.listRequests({ state: 'open', limit: 10 }),
    length
  )
  await time("countRequests({ state: 'open' })", () => db.countRequests({ state: 'open' }), String)
  await time(
    'notificationsOf(learner, { limit: 20 })',
    () => db.notificationsOf(s.learner, { limit: 20 }),
    length
  )
  await time('unreadCount(learner)', () => db.unreadCount(s.learner), String)
  await db.close()
  return out
}

// ---------------------------------------------------------------------------------------------
// The server and the client

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  // node itself (not the tsx wrapper, which runs node as its child), so that its pid is the
  // server's, for the CPU time in /proc.
  const child = spawn(
    process.execPath,
    [
      ...(PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR] : []),
      '--import',
      'tsx',
      'src/main.ts',
      '--port',
      '0',
      '--data',
      data
    ],
    { cwd: path.join(ROOT, 'server'), stdio: ['ignore', 'pipe', 'inherit'] }
  )
  children.push(child)
  serverPid = child.pid ?? 0
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /Sidecast library: (http:\/\/\S+)/.exec(out)
      if (m) resolve({ url: m[1] as string, child })
    })
    child.on('exit', (code) => reject(new Error(`the library server exited (${code}): ${out}`)))
  })
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  await exited
}

function cookiePair(res: Response, name: string): string {
  const found = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0] ?? '')
    .find((c) => c.startsWith(`${name}=`))
  if (!found) throw new Error(`no ${name} cookie set (${res.status})`)
  return found
}

/** Signs in through the sign-in form, as a browser does; returns the session cookie. */
async function signIn(base: string, name: string): Promise<string> {
  const form = await fetch(`${base}/signin`)
  const signinCookie = cookiePair(form, 'sidecast_signin')
  const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1]
  if (!csrf) throw new Error('no csrf field on the sign-in form')
  const res = await fetch(`${base}/signin`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Cookie: signinCookie,
      Origin: base
    },
    body: new URLSearchParams({ name, password: PASSWORD, csrf, next: '/' }).toString()
  })
  if (res.status !== 303) throw new Error(`sign-in as ${name} answered ${res.status}`)
  return cookiePair(res, 'sidecast_session')
}

let serverPid = 0
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100

/**
 * CPU time the server process has used so far (user + system, all its threads), ms. Far less
 * sensitive to other work on the machine than the wall time a client sees.
 */
function serverCpuMs(): number {
  const stat = fs.readFileSync(`/proc/${serverPid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK
}

interface Timed {
  ms: number
  status: number
  body: string
}

async function timedFetch(url: string, init: RequestInit): Promise<Timed> {
  const t0 = performance.now()
  const res = await fetch(url, init)
  const body = await res.text()
  return { ms: performance.now() - t0, status: res.status, body }
}

interface Row {
  what: string
  median: number
  p95: number
  runs: number
  /** Server CPU per request, ms. */
  cpu: number
  /** The 1-minute load average when the row was done. */
  load: number
  note: string
  goal: boolean
}
const rows: Row[] = []

/** Warm-up, then `n` sequential GETs; every answer must be 200. */
async function measureGet(
  what: string,
  url: string,
  headers: Record<string, string>,
  check: (body: string) => string,
  goal = true
): Promise<void> {
  for (let i = 0; i < 10; i++) await timedFetch(url, { headers })
  const times: number[] = []
  let last = ''
  const cpu0 = serverCpuMs()
  for (let i = 0; i < N; i++) {
    const r = await timedFetch(url, { headers })
    if (r.status !== 200)
      throw new Error(`${what}: ${url} answered ${r.status}: ${r.body.slice(0, 300)}`)
    times.push(r.ms)
    last = r.body
  }
  if (SAVE_DIR) {
    fs.mkdirSync(SAVE_DIR, { recursive: true })
    fs.writeFileSync(path.join(SAVE_DIR, `${what.replace(/[^\w]+/g, '-')}.txt`), last)
  }
  rows.push({
    what,
    median: median(times),
    p95: quantile(times, 0.95),
    runs: N,
    cpu: (serverCpuMs() - cpu0) / N,
    load: os.loadavg()[0] as number,
    note: check(last),
    goal
  })
}

/** How many distinct seeded markers (`(c0042)`, `(r0042)`) a page shows. */
function markers(body: string, letter: string): number {
  return new Set(body.match(new RegExp(`\\(${letter}\\d{4}\\)`, 'g')) ?? []).size
}

/** The comments API's reply, as the comments helper built it (docs/learning-together.md). */
function postReply(base: string, token: string, videoId: string, threadId: string): Promise<Timed> {
  return timedFetch(`${base}/api/videos/${encodeURIComponent(videoId)}/comments`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      body: 'Found it: the balance comes from the ledger.',
      parentId: threadId
    })
  })
}

async function measurePages(base: string, s: Seeded, phase: string): Promise<void> {
  const sage = await signIn(base, 'sage')
  const learner = await signIn(base, 'learner')
  const watch = `${base}/v/${encodeURIComponent(s.watchVideo)}`
  const shown = (letter: string) => (body: string) =>
    `${markers(body, letter)} shown, ${(body.length / 1024).toFixed(0)} KiB`
  await measureGet(`watch page, owner${phase}`, watch, { Cookie: sage }, shown('c'))
  await measureGet(`watch page, viewer${phase}`, watch, { Cookie: learner }, shown('c'))
  await measureGet(`home page${phase}`, `${base}/`, { Cookie: learner }, shown('r'))
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  console.log(`Seeding ${USERS} users and 12 videos…`)
  const s = await seedLibrary()

  // The same pages before the learning data: what the data costs.
  let server = await startServer()
  await measurePages(server.url, s, ' — before the learning data')
  await stopServer(server.child)

  console.log('Seeding requests, comments, views, reactions and the 1,000-person thread…')
  const seeded = await seedLearning(s)
  for (const [label, sec] of Object.entries(seeded.seconds))
    console.log(`  ${label}: ${sec.toFixed(1)} s`)
  console.log(`  notifications in the database: ${seeded.notifications.toLocaleString('en')}`)

  const dbCalls = await timeDbCalls(s)

  // Tokens: the learner (who polls) and the participants who post the replies.
  const setup = await openLibraryDb({ file: dbFile })
  const learnerToken = (await setup.createToken(s.learner, 'bench')).token
  const posters: string[] = []
  for (const id of s.users.slice(2, 2 + FANOUT))
    posters.push((await setup.createToken(id, 'bench')).token)
  await setup.close()

  server = await startServer()
  const base = server.url
  await measurePages(base, s, '')

  // Fan-out: each reply by another participant; its notifications counted in the database.
  const raw = new Database(dbFile, { readonly: true })
  const countAll = raw.prepare('SELECT count(*) AS n FROM notifications')
  const count = (): number => (countAll.get() as { n: number }).n
  const fanTimes: number[] = []
  const made: number[] = []
  const cpu0 = serverCpuMs()
  for (const token of posters) {
    const before = count()
    const r = await postReply(base, token, s.fanoutVideo, s.fanoutThread)
    if (r.status < 200 || r.status > 299)
      throw new Error(`posting a reply answered ${r.status}: ${r.body.slice(0, 300)}`)
    fanTimes.push(r.ms)
    made.push(count() - before)
  }
  const learnerNotes = (
    raw.prepare('SELECT count(*) AS n FROM notifications WHERE user_id = ?').get(s.learner) as {
      n: number
    }
  ).n
  raw.close()
  const fanOk = made.every((n) => n >= USERS - 1 && n <= USERS)
  rows.push({
    what: `reply in a 1,000-person thread (POST, fan-out)`,
    median: median(fanTimes),
    p95: quantile(fanTimes, 0.95),
    runs: fanTimes.length,
    cpu: (serverCpuMs() - cpu0) / fanTimes.length,
    load: os.loadavg()[0] as number,
    note: `${Math.min(...made)}–${Math.max(...made)} notifications each`,
    goal: false
  })

  // The app's poll, as the learner with ~1,000 notifications.
  const auth = { Authorization: `Bearer ${learnerToken}` }
  const first = await timedFetch(`${base}/api/notifications`, { headers: auth })
  if (first.status !== 200) throw new Error(`GET /api/notifications answered ${first.status}`)
  const page = JSON.parse(first.body) as { notifications: { id: number }[]; unread: number }
  const newest = page.notifications[0]?.id ?? 0
  const pollNote = (body: string): string => {
    const p = JSON.parse(body) as { notifications: unknown[]; unread: number }
    return `${p.notifications.length} returned, unread ${p.unread}; user has ${learnerNotes}`
  }
  await measureGet(
    `poll GET /api/notifications?after=<newest>`,
    `${base}/api/notifications?after=${newest}`,
    auth,
    pollNote,
    false
  )
  await measureGet(
    'first GET /api/notifications',
    `${base}/api/notifications`,
    auth,
    pollNote,
    false
  )
  await stopServer(server.child)

  console.log(
    `\nLearning together, ${USERS} users, ${COMMENTS} comments, ${OPEN_REQUESTS} open requests; ` +
      `client time over loopback and the server's CPU time per request (ms), load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}:`
  )
  const w = Math.max(...rows.map((r) => r.what.length))
  console.log(`  ${'what'.padEnd(w)}  median     p95  server CPU  runs  load  note`)
  for (const r of rows) {
    const miss = r.goal && r.p95 >= GOAL_MS ? `  (p95 above the ${GOAL_MS} ms goal)` : ''
    console.log(
      `  ${r.what.padEnd(w)}  ${r.median.toFixed(1).padStart(6)}  ${r.p95.toFixed(1).padStart(6)}  ${r.cpu.toFixed(1).padStart(10)}  ${String(r.runs).padStart(4)}  ${r.load.toFixed(1).padStart(4)}  ${r.note}${miss}`
    )
  }
  console.log('\nThe database calls behind them, in this process (median of 50, ms):')
  const dw = Math.max(...dbCalls.map((d) => d.what.length))
  for (const d of dbCalls)
    console.log(`  ${d.what.padEnd(dw)}  ${d.ms.toFixed(2).padStart(6)}  ${d.note}`)
  if (!fanOk)
    throw new Error(
      `each reply should notify ${USERS - 1}–${USERS} people; made ${made.join(', ')}`
    )
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  }
)
