/**
 * Issue 18, user ids reused: removing a user never hands their id — and with it their videos and
 * unfinished uploads — to the next user added. `user remove` decides explicitly what becomes of
 * the videos (--transfer-to <user> or --delete-videos, else it refuses); tokens, sessions and
 * unfinished uploads go. Run with the real command line against a real data directory.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { beforeAll, describe, expect, it } from 'vitest'
import { createLibraryServer } from '../../server/src/app'
import { loadConfig } from '../../server/src/config'
import { openLibraryDb } from '../../server/src/db/open'
import { MIGRATIONS } from '../../server/src/db/sql/migrations-sqlite'
import { engineEnv, libraryTarget, onPostgres } from './engine'
import { cli, encodeMetadata, makeVideo, request, tempDir, TUS } from './support'

let video: Buffer

beforeAll(async () => {
  video = await makeVideo(path.join(tempDir('vid'), 'clip.mp4'), { seconds: 1 })
})

async function tokenFor(name: string, where: string): Promise<string> {
  const r = await cli(['token', 'create', name, '--data', where], where)
  expect(r.code, r.stderr).toBe(0)
  return r.stdout.trim().split('\n').pop() as string
}

/** With a server on `where`: one finished video and one unfinished upload per token. */
async function uploadAs(
  where: string,
  tokens: string[]
): Promise<{ videos: string[]; unfinished: string[] }> {
  const app = await createLibraryServer(
    loadConfig(['--data', where, '--port', '0', '--host', '127.0.0.1'], await engineEnv(where)),
    { log: () => {} }
  )
  const videos: string[] = []
  const unfinished: string[] = []
  try {
    for (const token of tokens) {
      const headers = { ...TUS, Authorization: `Bearer ${token}` }
      const done = await request(
        app.url,
        'POST',
        '/api/uploads',
        {
          ...headers,
          'Upload-Length': video.length,
          'Upload-Metadata': encodeMetadata({ filename: 'clip.mp4' }),
          'Content-Type': 'application/offset+octet-stream'
        },
        video
      )
      expect(done.status, done.text).toBe(201)
      videos.push(done.headers['sidecast-video-id'] as string)
      const open = await request(app.url, 'POST', '/api/uploads', {
        ...headers,
        'Upload-Length': 1000,
        'Upload-Metadata': encodeMetadata({ filename: 'half.mp4' })
      })
      expect(open.status).toBe(201)
      const uploadPath = new URL(open.headers.location as string).pathname
      const part = await request(
        app.url,
        'PATCH',
        uploadPath,
        {
          ...headers,
          'Upload-Offset': 0,
          'Content-Type': 'application/offset+octet-stream'
        },
        Buffer.alloc(100)
      )
      expect(part.status).toBe(204)
      unfinished.push(uploadPath.split('/').pop() as string)
    }
  } finally {
    await app.close()
  }
  return { videos, unfinished }
}

/** How many sessions the library of `where` holds for these users (straight from the database). */
async function sessionsOf(where: string, userIds: [number, number]): Promise<number> {
  const target = await libraryTarget(where)
  if ('url' in target) {
    const client = new pg.Client({ connectionString: target.url })
    await client.connect()
    try {
      const { rows } = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM sessions WHERE user_id IN ($1, $2)',
        userIds
      )
      return rows[0]?.n ?? -1
    } finally {
      await client.end()
    }
  }
  const raw = new Database(target.file, { readonly: true })
  try {
    const row = raw
      .prepare('SELECT count(*) AS n FROM sessions WHERE user_id IN (?, ?)')
      .get(...userIds) as { n: number }
    return row.n
  } finally {
    raw.close()
  }
}

describe('user remove', () => {
  it(
    'refuses while the user has videos; --transfer-to and --delete-videos decide; ids are never reused',
    { timeout: 300_000 },
    async () => {
      const where = tempDir('users')
      const data = ['--data', where]
      // dave first, so carol has the highest id: the id SQLite reused.
      for (const name of ['dave', 'erin', 'carol']) {
        const r = await cli(['user', 'add', name, '--password', `${name}-password`, ...data], where)
        expect(r.code, r.stderr).toBe(0)
      }
      const carolToken = await tokenFor('carol', where)
      const erinToken = await tokenFor('erin', where)
      const {
        videos: [carolVideo, erinVideo],
        unfinished: [carolUpload, erinUpload]
      } = await uploadAs(where, [carolToken, erinToken])

      let db = await openLibraryDb(await libraryTarget(where))
      const carol = (await db.getUserByName('carol'))!
      const erin = (await db.getUserByName('erin'))!
      const dave = (await db.getUserByName('dave'))!
      await db.createSession(carol.id)
      const erinThumb = path.join(where, 'thumbs', `${erinVideo}.jpg`)
      await db.close()
      expect(fs.existsSync(erinThumb)).toBe(true)
      expect(fs.existsSync(path.join(where, 'uploads', carolUpload as string))).toBe(true)
      expect(fs.readdirSync(path.join(where, 'videos'))).toHaveLength(2)

      // Without a decision, nothing happens.
      let r = await cli(['user', 'remove', 'carol', ...data], where)
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(/carol owns 1 video/)
      expect(r.stderr).toMatch(/--transfer-to <user>/)
      expect(r.stderr).toMatch(/--delete-videos/)
      expect((await cli(['user', 'list', ...data], where)).stdout).toMatch(/^carol /m)
      r = await cli(['user', 'remove', 'carol', '--transfer-to', 'nobody', ...data], where)
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(/No user named nobody/)
      r = await cli(['user', 'remove', 'carol', '--transfer-to', 'carol', ...data], where)
      expect(r.code).toBe(1)
      r = await cli(
        ['user', 'remove', 'carol', '--transfer-to', 'dave', '--delete-videos', ...data],
        where
      )
      expect(r.code).toBe(1)

      // carol's video goes to dave; her unfinished upload, token and session go.
      r = await cli(['user', 'remove', 'carol', '--transfer-to', 'dave', ...data], where)
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).toMatch(/Removed user carol: 1 video now belongs to dave/)
      // erin's video is deleted with her: row, bytes and thumbnail.
      r = await cli(['user', 'remove', 'erin', '--delete-videos', ...data], where)
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).toMatch(/Removed user erin: 1 video deleted/)

      r = await cli(['user', 'add', 'mallory', '--password', 'mallory-password', ...data], where)
      expect(r.code).toBe(0)

      db = await openLibraryDb(await libraryTarget(where))
      try {
        const mallory = (await db.getUserByName('mallory'))!
        expect(mallory.id).toBeGreaterThan(carol.id)
        expect(mallory.id).not.toBe(erin.id)
        expect((await db.getVideo(carolVideo as string))?.ownerId).toBe(dave.id)
        expect((await db.getVideo(carolVideo as string))?.authorName).toBe('carol')
        expect(await db.getVideo(erinVideo as string)).toBeNull()
        expect(await db.userForToken(carolToken)).toBeNull()
        expect(await db.userForToken(erinToken)).toBeNull()
        expect(await db.getUpload(carolUpload as string)).toBeNull()
        expect(await db.getUpload(erinUpload as string)).toBeNull()
        expect(await sessionsOf(where, [carol.id, erin.id])).toBe(0)
      } finally {
        await db.close()
      }
      expect(fs.existsSync(path.join(where, 'uploads', carolUpload as string))).toBe(false)
      expect(fs.existsSync(path.join(where, 'uploads', erinUpload as string))).toBe(false)
      expect(fs.existsSync(erinThumb)).toBe(false)
      expect(fs.readdirSync(path.join(where, 'videos'))).toHaveLength(1)

      // mallory can neither change dave's (once carol's) video nor reach carol's old upload.
      const malloryToken = await tokenFor('mallory', where)
      const app = await createLibraryServer(
        loadConfig(['--data', where, '--port', '0', '--host', '127.0.0.1'], await engineEnv(where)),
        { log: () => {} }
      )
      try {
        const auth = { Authorization: `Bearer ${malloryToken}` }
        const del = await request(app.url, 'DELETE', `/api/videos/${carolVideo}`, auth)
        expect(del.status).toBe(403)
        const head = await request(app.url, 'HEAD', `/api/uploads/${carolUpload}`, {
          ...TUS,
          ...auth
        })
        expect(head.status).toBe(404)
      } finally {
        await app.close()
      }
    }
  )

  // SQLite-specific: migrates a schema-1 library.db file written here; PostgreSQL libraries
  // start at the current schema (its identity columns never reuse an id).
  it.skipIf(onPostgres)(
    'an existing database (schema 1) keeps its users and tokens and never reuses an id',
    async () => {
      const file = path.join(tempDir('migrate'), 'library.db')
      const old = new Database(file)
      old.exec(MIGRATIONS[0] as string)
      old.pragma('user_version = 1')
      const now = new Date().toISOString()
      old
        .prepare(
          'INSERT INTO users (id, name, password_hash, admin, created_at) VALUES (?, ?, ?, 0, ?)'
        )
        .run(1, 'alice', 'x', now)
      old
        .prepare(
          'INSERT INTO users (id, name, password_hash, admin, created_at) VALUES (?, ?, ?, 0, ?)'
        )
        .run(2, 'bob', 'x', now)
      old
        .prepare(
          "INSERT INTO tokens (user_id, hash, prefix, label, created_at) VALUES (2, 'h', 'p', 'l', ?)"
        )
        .run(now)
      // User 3 was removed before this release; their video and an upload are still there.
      old
        .prepare(
          `INSERT INTO videos (id, title, description, owner_id, author_name, size_bytes, filename,
         mime_type, callouts, has_thumbnail, upload_id, storage, created_at)
         VALUES ('v1', 't', '', 3, 'carol', 1, 'f.mp4', 'video/mp4', '[]', 0, 'u', 'file', ?)`
        )
        .run(now)
      old
        .prepare(
          `INSERT INTO uploads (id, user_id, video_id, state, metadata, created_at, updated_at)
         VALUES ('u2', 4, 'v2', 'uploading', '{}', ?, ?)`
        )
        .run(now, now)
      old.close()

      const db = await openLibraryDb({ file })
      try {
        expect((await db.listUsers()).map((u) => [u.id, u.name])).toEqual([
          [1, 'alice'],
          [2, 'bob']
        ])
        expect(await db.listTokens(2)).toHaveLength(1)
        const next = await db.createUser('mallory', 'mallory-password', false)
        expect(next.id).toBe(5)
        await db.removeUser('mallory')
        expect((await db.createUser('oscar', 'oscar-password', false)).id).toBe(6)
      } finally {
        await db.close()
      }
    }
  )
})
