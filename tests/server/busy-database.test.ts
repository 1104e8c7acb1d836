/**
 * A busy database (issue 18): another connection holds SQLite's write lock while requests run —
 * a backup, a migration, the command line, another instance on the same host. Reads (a static
 * file, a token's read, a signed-in page) answer at once, because nothing on the read path writes;
 * writes answer 503 with Retry-After within about a second instead of freezing the whole server
 * for SQLite's busy timeout; and once the lock is gone everything works and nothing is lost.
 *
 * The lock is real: a second better-sqlite3 connection to the library's file in `BEGIN EXCLUSIVE`
 * (in WAL mode that is the write lock; readers go on).
 */
import path from 'node:path'
import fs from 'node:fs'
import Database, { type Database as Connection } from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { onPostgres } from './engine'
import { signInWithFetch } from './helpers-pages/session'
import {
  createUpload,
  request,
  type RawResponse,
  type TestServer,
  serversPerTest,
  videoFacts
} from './support'

/**
 * Longest a read may take while the database is locked. Measured on a 2-core machine: about
 * 5000 ms before (a token's first read stamped "last used" and waited out the 5 s busy timeout,
 * freezing every other request with it), a few ms after. Generous for a slow, noisy machine.
 */
const READ_BOUND_MS = 1000
/** Longest a write may take to be refused while locked (it retries for about a second). */
const WRITE_BOUND_MS = 3000

const servers = serversPerTest()
const holders: Connection[] = []

afterEach(async () => {
  for (const h of holders.splice(0)) if (h.open) h.close()
})

const start = (): Promise<TestServer> => servers.start()

/** Takes SQLite's write lock on the library's database from a second connection. */
function lockDatabase(s: TestServer): Connection {
  const holder = new Database(path.join(s.dataDir, 'library.db'))
  holders.push(holder)
  holder.exec('BEGIN EXCLUSIVE')
  return holder
}

/** A video row to read and change (its bytes do not matter here). */
async function seedVideo(s: TestServer, id: string, title: string): Promise<void> {
  await s.app.library.db.insertVideo(videoFacts(id, s.user.id, title, { durationMs: 2000 }))
}

async function timed(send: () => Promise<RawResponse>): Promise<{ res: RawResponse; ms: number }> {
  const started = performance.now()
  const res = await send()
  return { res, ms: performance.now() - started }
}

const bearer = (s: TestServer): Record<string, string> => ({ Authorization: `Bearer ${s.token}` })

function jsonPatch(s: TestServer, id: string, body: unknown): Promise<RawResponse> {
  return request(
    s.url,
    'PATCH',
    `/api/videos/${id}`,
    { ...bearer(s), 'Content-Type': 'application/json' },
    JSON.stringify(body)
  )
}

function expectBusy(res: RawResponse): void {
  expect(res.status).toBe(503)
  const retryAfter = String(res.headers['retry-after'] ?? '')
  expect(retryAfter).toMatch(/^\d+$/)
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1)
  expect(Number(retryAfter)).toBeLessThanOrEqual(60)
}

// SQLite-specific: the lock is SQLite's whole-file write lock taken through library.db. PostgreSQL
// has no such lock (rows are locked, other writers wait their turn).
describe.skipIf(onPostgres)('a database locked by another connection', () => {
  it('reads answer at once, writes answer 503 with Retry-After, and nothing is lost', async () => {
    const s = await start()
    await seedVideo(s, 'busyVideo0000001', 'Before the lock')
    const session = await signInWithFetch(s.url, 'alice', 'alice-password')

    const holder = lockDatabase(s)
    // The lock holder's own change, committed when it lets go: it must survive.
    holder
      .prepare('UPDATE videos SET description = ? WHERE id = ?')
      .run('written by the lock holder', 'busyVideo0000001')

    // A write waits for the lock (and is refused); reads running beside it are not held up.
    const write = timed(() => jsonPatch(s, 'busyVideo0000001', { title: 'During the lock' }))
    const reads = await Promise.all([
      timed(() => request(s.url, 'GET', '/public/style.css')),
      // The token's first use: its "last used" stamp must not be written on the request path.
      timed(() => request(s.url, 'GET', '/api/me', bearer(s))),
      timed(() => request(s.url, 'GET', '/api/videos', bearer(s))),
      timed(() => request(s.url, 'GET', '/api/videos/busyVideo0000001', bearer(s))),
      timed(() => request(s.url, 'GET', '/', { Cookie: session.cookie, Accept: 'text/html' }))
    ])
    const { res: written, ms: writeMs } = await write
    const readMs = reads.map((r) => Math.round(r.ms))
    console.log(
      `[busy] reads while locked: ${readMs.join(', ')} ms; write refused in ${Math.round(writeMs)} ms`
    )
    for (const { res } of reads) expect(res.status).toBe(200)
    expect(Math.max(...readMs)).toBeLessThan(READ_BOUND_MS)
    expectBusy(written)
    expect(JSON.parse(written.text).error).toMatch(/busy/i)
    expect(writeMs).toBeLessThan(WRITE_BOUND_MS)

    // Every kind of write says the same: the JSON API, a page's form, a tus creation.
    expectBusy(await request(s.url, 'DELETE', '/api/videos/busyVideo0000001', bearer(s)))
    const form = await fetch(`${s.url}/v/busyVideo0000001/edit`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Cookie: session.cookie,
        Origin: s.url
      },
      body: new URLSearchParams({ csrf: session.csrf, title: 'From the form', description: '' })
    })
    expect(form.status).toBe(503)
    expect(form.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(form.headers.get('content-type')).toMatch(/text\/html/)
    expect(await form.text()).toMatch(/busy/i)
    const created = await createUpload(s, 100, { filename: 'busy.mp4' })
    expectBusy(created.res)
    expect(fs.readdirSync(path.join(s.dataDir, 'uploads'))).toEqual([])

    holder.exec('COMMIT')
    holder.close()

    // Afterwards everything works, and the lock holder's change and the server's are both kept.
    const after = await jsonPatch(s, 'busyVideo0000001', { title: 'After the lock' })
    expect(after.status).toBe(200)
    const video = await s.app.library.db.getVideo('busyVideo0000001')
    expect(video).toMatchObject({
      title: 'After the lock',
      description: 'written by the lock holder'
    })
    expect((await createUpload(s, 100, { filename: 'after.mp4' })).res.status).toBe(201)
    expect((await request(s.url, 'GET', '/api/me', bearer(s))).status).toBe(200)
  })

  it('stamps a token’s "last used" off the request path, at most once a minute, and never fails a read for it', async () => {
    const s = await start()
    const file = path.join(s.dataDir, 'library.db')
    const stampOnDisk = (): string | null => {
      const reader = new Database(file, { readonly: true })
      try {
        const row = reader
          .prepare('SELECT last_used_at FROM tokens WHERE user_id = ?')
          .get(s.user.id) as { last_used_at: string | null } | undefined
        return row?.last_used_at ?? null
      } finally {
        reader.close()
      }
    }
    const lastUsed = async (): Promise<string | null> =>
      (await s.app.library.db.listTokens(s.user.id))[0]?.lastUsedAt ?? null

    const holder = lockDatabase(s)
    for (let i = 0; i < 3; i++) {
      const { res, ms } = await timed(() => request(s.url, 'GET', '/api/me', bearer(s)))
      expect(res.status).toBe(200)
      expect(ms).toBeLessThan(READ_BOUND_MS)
    }
    // Shown on the profile page at once, though not written yet…
    expect(await lastUsed()).not.toBeNull()
    // …and a write attempted while the lock is held keeps the stamp for later, without throwing.
    await s.app.library.db.flushTokenUses()
    holder.exec('COMMIT')
    holder.close()
    expect(stampOnDisk()).toBeNull()

    await s.app.library.db.flushTokenUses()
    const stamped = stampOnDisk()
    expect(stamped).not.toBeNull()
    expect(stamped).toBe(await lastUsed())

    // Within the minute, more reads stamp nothing new.
    expect((await request(s.url, 'GET', '/api/me', bearer(s))).status).toBe(200)
    await s.app.library.db.flushTokenUses()
    expect(stampOnDisk()).toBe(stamped)
  })
})
