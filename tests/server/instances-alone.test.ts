/**
 * Several instances on one database and one data folder (issue 16): nothing assumes it is alone.
 * Two in-process servers on the same data folder share one database (SQLite: the folder's file;
 * on the suite's PostgreSQL pass the folder's database, tests/server/engine.ts).
 *
 * - An upload one instance is processing (held mid-processing by its onStart hook) is left alone
 *   by the other's reconciler; once the first one's claim lapses (a crash) the other finishes it,
 *   and the first, coming back, changes nothing and answers what the other made.
 * - A processing upload whose bytes are missing is failed only under the reconciler's claim.
 * - A live upload whose PATCHes reach both instances is followed by both, into two files.
 * - Renders: a starting instance on PostgreSQL queues again only renders whose heartbeat stopped
 *   (SQLite, one process by design: all running ones), and removes only project folders no
 *   heartbeat touched lately (SQLite: all).
 */
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { RENDER_STALE_MS } from '../../server/src/renders/render-queue'
import { CLAIM_LEASE_MS } from '../../server/src/uploads/processor'
import { onPostgres } from './engine'
import { createLive, feed, makeLiveRecording, patchLive } from './live-support'
import {
  createUpload,
  makeVideo,
  patch,
  serversPerTest,
  tempDir,
  waitFor,
  type TestServer
} from './support'

const servers = serversPerTest()

/** A promise and the function that settles it. */
function signal(): { promise: Promise<void>; fire: () => void } {
  let fire!: () => void
  const promise = new Promise<void>((resolve) => {
    fire = resolve
  })
  return { promise, fire }
}

/** Runs one statement on the server's own database (the test's stand-in for elapsed time). */
async function onDatabase(s: TestServer, text: string, values: unknown[]): Promise<void> {
  if (s.config.databaseUrl) {
    const client = new pg.Client({ connectionString: s.config.databaseUrl })
    await client.connect()
    try {
      await client.query(text, values)
    } finally {
      await client.end()
    }
    return
  }
  const { default: Database } = await import('better-sqlite3')
  const raw = new Database(path.join(s.dataDir, 'library.db'))
  try {
    raw.pragma('busy_timeout = 5000')
    raw.prepare(text.replace(/\$\d+/g, '?')).run(...values)
  } finally {
    raw.close()
  }
}

describe('two instances on one database and data folder', () => {
  it('a reconcile leaves an upload the other instance is processing alone; takes it over once that claim lapses', async () => {
    const held = signal()
    const atStart = signal()
    const logA: string[] = []
    const a = await servers.start({
      log: (m) => logA.push(m),
      hooks: {
        onStart: async () => {
          atStart.fire()
          await held.promise
        }
      }
    })
    const startedOnB: string[] = []
    const b = await servers.start({
      dataDir: a.dataDir,
      reuse: a,
      hooks: { onStart: (id) => void startedOnB.push(id) }
    })
    expect(b.app.processor.owner).not.toBe(a.app.processor.owner)

    const bytes = await makeVideo(path.join(tempDir('clip'), 'clip.mp4'))
    const created = await createUpload(a, bytes.length, { filename: 'clip.mp4', title: 'Clip' })
    expect(created.res.status).toBe(201)
    // The last byte reaches A, which holds the upload mid-processing.
    const finishing = patch(a, created.path, 0, bytes)
    await atStart.promise

    // B's reconciler (its cleanup tick) finds a complete upload in `processing`: not its own.
    const first = await b.app.cleanup()
    expect(first.finished).toBe(0)
    expect(startedOnB).toEqual([])
    expect((await b.app.library.db.getUpload(created.id))?.state).toBe('processing')
    // Neither bytes nor record were touched: the upload is as A left it.
    expect(fs.existsSync(path.join(a.dataDir, 'uploads', created.id))).toBe(true)

    // A stops renewing (as if it crashed): its lease runs out. B's next tick takes it over.
    expect(
      await a.app.library.db.claimUpload(created.id, a.app.processor.owner, -CLAIM_LEASE_MS)
    ).toBe(true)
    const second = await b.app.cleanup()
    expect(second.finished).toBe(1)
    expect(startedOnB).toEqual([created.id])
    const record = await b.app.library.db.getUpload(created.id)
    expect(record?.state).toBe('done')
    const video = await b.app.library.db.getVideo(record?.videoId ?? '')
    expect(video?.title).toBe('Clip')

    // A comes back: it finds the upload finished by B and answers that, changing nothing.
    held.fire()
    const res = await finishing
    expect(res.status).toBe(204)
    expect(res.headers['sidecast-video-id']).toBe(record?.videoId)
    expect(await a.app.library.db.countVideos()).toBe(1)
    expect((await a.app.library.db.getUpload(created.id))?.state).toBe('done')
    expect(logA.filter((m) => /failed|could not/.test(m))).toEqual([])
  })

  it('a reconcile does not fail a processing upload whose bytes another instance holds the claim on', async () => {
    const a = await servers.start()
    const b = await servers.start({ dataDir: a.dataDir, reuse: a })
    const db = a.app.library.db
    // A `processing` upload with no bytes in the folder (the instance working on it moved them,
    // or they are lost) while a third instance holds its claim: neither A nor B marks it failed.
    // (Claimed before it is `processing`: the servers' own start-up reconciles may still run.)
    const id = 'a'.repeat(32)
    await db.createUpload(id, a.user.id, 'AbCdEfGhIjKlMnOp', '{}', 10)
    expect(await db.claimUpload(id, 'instance-c', CLAIM_LEASE_MS)).toBe(true)
    await db.setUploadState(id, 'processing')
    await b.app.cleanup()
    await a.app.cleanup()
    expect((await db.getUpload(id))?.state).toBe('processing')

    // Unclaimed (C released it, or its claim lapsed): the bytes are lost, it fails.
    await db.releaseUpload(id, 'instance-c')
    await b.app.cleanup()
    expect(await db.getUpload(id)).toMatchObject({
      state: 'failed',
      error: 'The upload was lost before it was processed.'
    })
  })

  it('two instances following one live upload each write their own copy; the finish uses its own', async () => {
    const followedOnA = signal()
    const followedOnB = signal()
    const a = await servers.start({ hooks: { onFollow: () => followedOnA.fire() } })
    const b = await servers.start({
      dataDir: a.dataDir,
      reuse: a,
      hooks: { onFollow: () => followedOnB.fire() }
    })
    const recording = await makeLiveRecording(4)
    const live = await createLive(a)
    expect(live.res.status).toBe(201)
    // The recording's PATCHes reach either instance (round-robin): each follows it.
    const half = Math.floor(recording.length / 2)
    let offset = await feed(a, live.up, recording.subarray(0, half), 1)
    await followedOnA.promise
    offset = await feed(
      b,
      live.up,
      recording.subarray(0, Math.floor(recording.length * 0.75)),
      1,
      offset
    )
    await followedOnB.promise
    // Two followers, two files (each under its process's name, once its ffmpeg has written the
    // headers): neither truncates nor moves the other's.
    const copies = await waitFor('both copies in tmp/', async () => {
      const names = fs
        .readdirSync(path.join(a.dataDir, 'tmp'))
        .filter((name) => name.includes('.follow.'))
      const ofA = names.filter((n) => n.startsWith(`live-${live.id}-${a.app.processor.owner}.`))
      const ofB = names.filter((n) => n.startsWith(`live-${live.id}-${b.app.processor.owner}.`))
      return ofA.length === 1 && ofB.length === 1 && names
    })
    expect(copies).toHaveLength(2)

    // The last byte reaches A: its finish uses its own copy (or copies after the last byte).
    const last = await patchLive(a, live.up, offset, recording.subarray(offset), recording.length)
    expect(last.status, last.text).toBe(204)
    const video = await a.app.library.db.getVideo(live.videoId)
    expect(video?.durationMs).toBeGreaterThan(3000)
  })

  it(`a starting instance queues again only renders left running without a heartbeat (${onPostgres ? 'PostgreSQL' : 'SQLite: all of them, one process by design'})`, async () => {
    const a = await servers.start()
    const db = a.app.library.db
    // Renders of videos that are not in the library: whoever takes one drops it (never renders).
    await db.queueRender('Running0000000aa', 'download', 1, 'k')
    const running = await db.takeQueuedRender()
    expect(running?.state).toBe('running')
    await db.queueRender('Crashed00000000a', 'download', 1, 'k')
    expect((await db.takeQueuedRender())?.videoId).toBe('Crashed00000000a')
    // The crashed instance's render: not touched for longer than the stale limit.
    const old = new Date(Date.now() - 2 * RENDER_STALE_MS).toISOString()
    await onDatabase(a, 'UPDATE renders SET updated_at = $1 WHERE video_id = $2', [
      old,
      'Crashed00000000a'
    ])

    const logB: string[] = []
    const b = await servers.start({ dataDir: a.dataDir, reuse: a, log: (m) => logB.push(m) })
    await b.app.library.renders.idle()

    const requeued = logB.filter((m) => /interrupted render\(s\) queued again/.test(m))
    const crashed = await db.getRender('Crashed00000000a', 'download', 1)
    // Queued again, then taken and dropped (its video is not there): not left running.
    expect(crashed?.state ?? 'dropped').not.toBe('running')
    const alive = await db.getRender('Running0000000aa', 'download', 1)
    if (onPostgres) {
      expect(requeued).toEqual(['render queue: 1 interrupted render(s) queued again'])
      expect(alive).toMatchObject({ state: 'running', updatedAt: running?.updatedAt })
    } else {
      expect(requeued).toEqual(['render queue: 2 interrupted render(s) queued again'])
      expect(alive?.state ?? 'dropped').not.toBe('running')
    }
  })

  it(`a starting instance removes only render project folders no heartbeat touched lately (${onPostgres ? 'PostgreSQL' : 'SQLite: all of them'})`, async () => {
    const a = await servers.start()
    const rendersDir = path.join(a.dataDir, 'renders')
    const fresh = path.join(rendersDir, '.project-instance-a-Running0000000aa-x1')
    const stale = path.join(rendersDir, '.project-crashed-Crashed00000000a-x2')
    for (const dir of [fresh, stale]) {
      fs.mkdirSync(dir, { recursive: true })
      fs.writeFileSync(path.join(dir, 'recording.mp4'), '')
    }
    const then = new Date(Date.now() - 2 * RENDER_STALE_MS)
    fs.utimesSync(stale, then, then)

    const b = await servers.start({ dataDir: a.dataDir, reuse: a })
    await b.app.library.renders.idle()

    expect(fs.existsSync(stale)).toBe(false)
    expect(fs.existsSync(fresh)).toBe(onPostgres)
  })
})
