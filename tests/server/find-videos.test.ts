/**
 * The library's pages and searches (LibraryDb.findVideos, db/sql/find-videos.ts) on both engines:
 * every test runs once on a fresh SQLite file and once on a fresh PostgreSQL database (made from
 * SIDECAST_TEST_POSTGRES_URL, an admin URL, and dropped after; without it the PostgreSQL half is
 * skipped). Order (created_at, then insertion), paging, matches through comments merged in place,
 * capped counts, updates keeping a video's place, PostgreSQL's two ways of reading matches
 * (walking the order index past WALK_ABOVE matches, sorting fewer) and migration 9.
 */
import Database from 'better-sqlite3'
import pg from 'pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openSql } from '../../server/src/db/sql/connection'
import { createLibraryDb } from '../../server/src/db/sql/core-db'
import { WALK_ABOVE } from '../../server/src/db/sql/find-videos'
import { MIGRATIONS } from '../../server/src/db/sql/migrations-sqlite'
import type { FindVideosOptions, LibraryDb, NewVideo, User } from '../../server/src/db/types'
import { ENGINES, freshTarget, postgresAtVersion, type Fresh } from './both-engines'
import { videoFacts } from './support'

/** Minute `m` of 2026 as an ISO time (what the server writes: toISOString). */
function minute(m: number): string {
  return new Date(Date.UTC(2026, 0, 1) + m * 60_000).toISOString()
}

/** A video added to the test's expectations: its id, time and insertion number. */
interface Added {
  id: string
  createdAt: string
  n: number
}

/** The library's order: newest first, and among equal times the one inserted later first. */
function expectedOrder(videos: Added[]): string[] {
  return [...videos]
    .sort((a, b) =>
      a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? 1 : -1) : b.n - a.n
    )
    .map((v) => v.id)
}

describe.each(ENGINES)('findVideos on $engine', ({ engine, skip, title }) => {
  describe.skipIf(skip)(title, () => {
    let fresh: Fresh
    let lib: LibraryDb
    let owner: User
    let inserted: number

    beforeEach(async () => {
      fresh = await freshTarget(engine, 'fv')
      lib = await createLibraryDb(await openSql(fresh.target))
      owner = await lib.createUser('grace', 'pw-grace-12', false)
      inserted = 0
    })
    afterEach(async () => {
      await lib?.close()
      await fresh?.drop()
    })

    /** Inserts a video (through insertVideo) titled `title`, created at `createdAt`. */
    async function add(
      id: string,
      title: string,
      createdAt: string,
      extra: Partial<NewVideo> = {}
    ): Promise<Added> {
      await lib.insertVideo(
        videoFacts(id, owner.id, title, { filename: 'clip.mp4', createdAt, ...extra })
      )
      return { id, createdAt, n: inserted++ }
    }

    async function comment(videoId: string, body: string): Promise<string> {
      const c = await lib.addComment({
        videoId,
        parentId: null,
        authorId: owner.id,
        atMs: 0,
        body,
        question: false
      })
      return c.id
    }

    const ids = async (q: string, opts?: FindVideosOptions): Promise<string[]> =>
      (await lib.findVideos(q, opts)).videos.map((v) => v.id)

    /** Every page of `q` with `limit`, one after another until an empty one, concatenated. */
    async function allPages(q: string, limit: number): Promise<string[]> {
      const out: string[] = []
      for (let offset = 0; ; offset += limit) {
        const page = await ids(q, { limit, offset })
        expect(page.length).toBeLessThanOrEqual(limit)
        if (page.length === 0) return out
        out.push(...page)
        // A page shorter than the limit is the last one.
        if (page.length < limit) {
          expect(await ids(q, { limit, offset: offset + limit })).toEqual([])
          return out
        }
      }
    }

    it('orders newest first by createdAt, equal times the later inserted first, whatever the insertion order', async () => {
      // Inserted out of time order: older ones after newer ones, two pairs with equal times.
      const added = [
        await add('v-mid', 'alpha mid', minute(20)),
        await add('v-old', 'alpha old', minute(10)),
        await add('v-new', 'alpha new', minute(30)),
        await add('v-mid2', 'alpha mid again', minute(20)),
        await add('v-oldest', 'alpha oldest', minute(1)),
        await add('v-beta', 'beta newest', minute(40)),
        await add('v-mid3', 'alpha mid third', minute(20))
      ]
      const alpha = added.filter((v) => v.id !== 'v-beta')
      expect(expectedOrder(alpha)).toEqual([
        'v-new',
        'v-mid3',
        'v-mid2',
        'v-mid',
        'v-old',
        'v-oldest'
      ])
      expect(await ids('')).toEqual(expectedOrder(added))
      expect(await ids('alpha')).toEqual(expectedOrder(alpha))
      expect(await ids('ALPH')).toEqual(expectedOrder(alpha)) // a prefix, any case
      expect(await ids('mid')).toEqual(['v-mid3', 'v-mid2', 'v-mid'])
      expect(await ids('beta')).toEqual(['v-beta'])
      expect(await ids('nothing')).toEqual([])
      // searchVideos / countVideos are the same reading.
      expect((await lib.searchVideos('alpha')).map((v) => v.id)).toEqual(expectedOrder(alpha))
      expect(await lib.countVideos('alpha')).toBe(6)
      expect(await lib.countVideos()).toBe(7)
    })

    it('pages: concatenated pages of a search and of the library are the whole list; past the end is empty', async () => {
      const added: Added[] = []
      for (let i = 0; i < 17; i++) {
        // Times in a scrambled order, some equal (i*7 mod 17 halves).
        const m = Math.floor(((i * 7) % 17) / 2)
        added.push(await add(`p-${i}`, i % 3 === 0 ? `other ${i}` : `common ${i}`, minute(m)))
      }
      const all = expectedOrder(added)
      const common = expectedOrder(added.filter((v) => v.n % 3 !== 0))
      expect(common).toHaveLength(11)
      expect(await ids('', { limit: 100 })).toEqual(all)
      expect(await ids('common', { limit: 100 })).toEqual(common)
      for (const limit of [1, 2, 3, 5, 11, 16, 17, 50]) {
        expect(await allPages('', limit), `library, limit ${limit}`).toEqual(all)
        expect(await allPages('common', limit), `search, limit ${limit}`).toEqual(common)
      }
      // An arbitrary window is that slice of the whole list.
      expect(await ids('', { limit: 4, offset: 6 })).toEqual(all.slice(6, 10))
      expect(await ids('common', { limit: 4, offset: 6 })).toEqual(common.slice(6, 10))
      for (const q of ['', 'common']) {
        expect(await ids(q, { limit: 5, offset: 17 })).toEqual([])
        expect(await ids(q, { limit: 5, offset: 1000 })).toEqual([])
        expect(await ids(q, { offset: 1e30 })).toEqual([])
        const pastEnd = await lib.findVideos(q, { limit: 5, offset: 500 })
        // The count does not depend on the page asked for.
        expect(pastEnd.total).toBe(q ? 11 : 17)
        expect(pastEnd.totalIsAtLeast).toBe(false)
      }
    })

    it('merges videos found through comments in their place, each video once, counted once', async () => {
      const added = [
        await add('m-own1', 'apple pie', minute(50)),
        await add('m-com1', 'plain one', minute(45)), // only a comment says apple
        await add('m-both', 'apple tart', minute(40)), // its text and a comment
        await add('m-own2', 'apple crumble', minute(30)),
        await add('m-com2', 'plain two', minute(60)), // newest; only a comment
        await add('m-none', 'plain three', minute(55)),
        await add('m-com3', 'plain four', minute(5)), // oldest; two comments say apple
        await add('m-own3', 'apple juice', minute(40)) // same time as m-both, inserted later
      ]
      await comment('m-com1', 'tastes like apple')
      await comment('m-both', 'apple again')
      await comment('m-com2', 'Apples everywhere')
      await comment('m-com3', 'apple one')
      await comment('m-com3', 'apple two')
      await comment('m-none', 'pear only')
      const found = expectedOrder(added.filter((v) => v.id !== 'm-none'))
      expect(found).toEqual(['m-com2', 'm-own1', 'm-com1', 'm-own3', 'm-both', 'm-own2', 'm-com3'])
      const whole = await lib.findVideos('apple')
      expect(whole.videos.map((v) => v.id)).toEqual(found)
      expect(whole.total).toBe(7)
      expect(whole.totalIsAtLeast).toBe(false)
      expect(await lib.countVideos('apple')).toBe(7)
      for (const limit of [1, 2, 3, 4, 7]) {
        expect(await allPages('apple', limit), `limit ${limit}`).toEqual(found)
      }
      expect(await ids('apple', { limit: 3, offset: 2 })).toEqual(found.slice(2, 5))
      expect(await ids('apple', { limit: 3, offset: 7 })).toEqual([])
      // Found by a comment alone: only comment matches.
      expect(await ids('pear')).toEqual(['m-none'])
      expect((await lib.findVideos('pear')).total).toBe(1)
      // Capped counts in the merged case: the union, counted once per video, up to the cap.
      expect(await lib.findVideos('apple', { countUpTo: 7 })).toMatchObject({
        total: 7,
        totalIsAtLeast: false
      })
      // 4 own matches (below 5), 7 in all: the cap applies to the union.
      expect(await lib.findVideos('apple', { countUpTo: 5 })).toMatchObject({
        total: 5,
        totalIsAtLeast: true
      })
      expect(await lib.findVideos('apple', { countUpTo: 2 })).toMatchObject({
        total: 2,
        totalIsAtLeast: true
      })
    })

    it('countUpTo: exact below it, capped above, 0 still gives videos; no words is the whole library', async () => {
      const added: Added[] = []
      for (let i = 0; i < 7; i++) added.push(await add(`k-${i}`, `kiwi ${i}`, minute(7 - i)))
      added.push(await add('k-x', 'mango', minute(100)))
      const kiwi = expectedOrder(added.filter((v) => v.id !== 'k-x'))

      expect(await lib.findVideos('kiwi')).toMatchObject({ total: 7, totalIsAtLeast: false })
      expect(await lib.findVideos('kiwi', { countUpTo: 100 })).toMatchObject({
        total: 7,
        totalIsAtLeast: false
      })
      expect(await lib.findVideos('kiwi', { countUpTo: 7 })).toMatchObject({
        total: 7,
        totalIsAtLeast: false
      })
      const capped = await lib.findVideos('kiwi', { countUpTo: 6, limit: 3 })
      expect(capped).toMatchObject({ total: 6, totalIsAtLeast: true })
      expect(capped.videos.map((v) => v.id)).toEqual(kiwi.slice(0, 3))
      const cappedFar = await lib.findVideos('kiwi', { countUpTo: 2, limit: 3, offset: 5 })
      expect(cappedFar).toMatchObject({ total: 2, totalIsAtLeast: true })
      expect(cappedFar.videos.map((v) => v.id)).toEqual(kiwi.slice(5))
      const uncounted = await lib.findVideos('kiwi', { countUpTo: 0 })
      expect(uncounted.total).toBe(0)
      expect(uncounted.videos.map((v) => v.id)).toEqual(kiwi)

      // The whole library: '' and text without words alike.
      const library = expectedOrder(added)
      for (const q of ['', '!!! ---']) {
        expect(await ids(q)).toEqual(library)
        expect(await lib.findVideos(q)).toMatchObject({ total: 8, totalIsAtLeast: false })
        expect(await lib.findVideos(q, { countUpTo: 8 })).toMatchObject({
          total: 8,
          totalIsAtLeast: false
        })
        const top = await lib.findVideos(q, { countUpTo: 3, limit: 2 })
        expect(top).toMatchObject({ total: 3, totalIsAtLeast: true })
        expect(top.videos.map((v) => v.id)).toEqual(library.slice(0, 2))
        const none = await lib.findVideos(q, { countUpTo: 0 })
        expect(none.total).toBe(0)
        expect(none.videos.map((v) => v.id)).toEqual(library)
      }
      // limit 0: the count alone.
      expect(await lib.findVideos('kiwi', { limit: 0 })).toEqual({
        videos: [],
        total: 7,
        totalIsAtLeast: false
      })
      expect(await lib.findVideos('', { limit: 0 })).toEqual({
        videos: [],
        total: 8,
        totalIsAtLeast: false
      })
    })

    it('updates keep a video in its place; a deleted one is gone and the others unaffected', async () => {
      const added = [
        await add('u-a', 'zeta first', minute(30)),
        await add('u-b', 'zeta second', minute(10)), // older, inserted after a newer one
        await add('u-c', 'zeta third', minute(20)),
        await add('u-d', 'zeta fourth', minute(20)),
        await add('u-e', 'zeta fifth', minute(40))
      ]
      const zeta = expectedOrder(added)
      expect(zeta).toEqual(['u-e', 'u-a', 'u-d', 'u-c', 'u-b'])
      expect(await ids('zeta')).toEqual(zeta)

      // New words: found under them, and still in its place under the old ones.
      expect(await lib.updateVideo('u-c', { title: 'zeta omega' })).not.toBeNull()
      expect(await ids('omega')).toEqual(['u-c'])
      expect(await ids('third')).toEqual([])
      expect(await ids('zeta')).toEqual(zeta)
      expect(await lib.updateVideo('u-b', { description: 'omega too' })).not.toBeNull()
      expect(await ids('omega')).toEqual(['u-c', 'u-b'])
      expect(await ids('zeta')).toEqual(zeta)
      expect(await ids('')).toEqual(zeta)

      // Callouts saved with edits rewrite the search row too.
      expect(
        await lib.saveEdits('u-d', 0, '{}', owner.id, [{ text: 'gamma ray', startMs: 0, endMs: 1 }])
      ).toEqual({ version: 1 })
      expect(await ids('gamma')).toEqual(['u-d'])
      expect(await ids('zeta')).toEqual(zeta)
      expect(await ids('zeta', { limit: 2, offset: 2 })).toEqual(['u-d', 'u-c'])

      // Words taken away: no longer found by them; the others keep their order.
      await lib.updateVideo('u-a', { title: 'eta' })
      expect(await ids('zeta')).toEqual(zeta.filter((id) => id !== 'u-a'))
      expect(await ids('eta')).toEqual(['u-a'])
      expect(await ids('')).toEqual(zeta)

      expect(await lib.deleteVideo('u-d')).toBe(true)
      expect(await ids('gamma')).toEqual([])
      expect(await ids('zeta')).toEqual(['u-e', 'u-c', 'u-b'])
      expect(await ids('omega')).toEqual(['u-c', 'u-b'])
      expect(await ids('')).toEqual(['u-e', 'u-a', 'u-c', 'u-b'])
      expect(await lib.findVideos('zeta')).toMatchObject({ total: 3, totalIsAtLeast: false })
      expect(await lib.findVideos('')).toMatchObject({ total: 4, totalIsAtLeast: false })

      // A video added later at an older time than all of them goes last; updating it keeps it there.
      await add('u-f', 'zeta late', minute(0))
      await lib.updateVideo('u-f', { title: 'zeta late renamed' })
      expect(await ids('zeta')).toEqual(['u-e', 'u-c', 'u-b', 'u-f'])
      expect(await ids('renamed')).toEqual(['u-f'])
    })

    it.skipIf(engine !== 'sqlite')(
      'SQLite: a video whose rowid was renumbered (a VACUUM by hand may) is still updated and deleted, found once',
      async () => {
        await add('r-a', 'renumbered alpha', minute(1))
        await add('r-b', 'renumbered beta', minute(2))
        const raw = new Database((fresh.target as { file: string }).file)
        try {
          raw.prepare("UPDATE videos SET rowid = 777777 WHERE id = 'r-a'").run()
        } finally {
          raw.close()
        }
        expect(await lib.updateVideo('r-a', { title: 'renumbered gamma' })).not.toBeNull()
        expect(await ids('renumbered')).toEqual(['r-b', 'r-a'])
        expect(await ids('alpha')).toEqual([])
        expect(await ids('gamma')).toEqual(['r-a'])
        expect(await lib.findVideos('renumbered')).toMatchObject({ total: 2 })
        expect(await lib.deleteVideo('r-a')).toBe(true)
        expect(await ids('renumbered')).toEqual(['r-b'])
        expect(await ids('gamma')).toEqual([])
      }
    )

    it(`more than WALK_ABOVE (${WALK_ABOVE}) matches and fewer give the same order and pages`, async () => {
      // WALK_ABOVE + 40 videos with "common" (PostgreSQL walks the order index for it); every 10th
      // also "rare" (~200: PostgreSQL sorts the matches); 10 more with neither.
      const n = WALK_ABOVE + 40
      const facts: { v: NewVideo; added: Added }[] = []
      for (let i = 0; i < n + 10; i++) {
        const id = `w-${String(i).padStart(5, '0')}`
        // Scrambled times, each shared by two or three videos (ties: insertion order).
        const createdAt = minute(Math.floor(((i * 7919) % (n + 10)) / 2.5))
        const words = i >= n ? 'unrelated' : i % 10 === 0 ? 'common rare' : 'common'
        facts.push({
          v: videoFacts(id, owner.id, `${words} ${i}`, { filename: 'clip.mp4', createdAt }),
          added: { id, createdAt, n: i }
        })
      }
      const started = Date.now()
      // In insertion order (the order among equal times), a few at a time on PostgreSQL.
      const batch = engine === 'postgres' ? 8 : 1
      for (let i = 0; i < facts.length; i += batch) {
        const group = facts.slice(i, i + batch)
        // Equal times in one group would race for the insertion order: insert those alone.
        const times = new Set(group.map((f) => f.added.createdAt))
        if (times.size === group.length) await Promise.all(group.map((f) => lib.insertVideo(f.v)))
        else for (const f of group) await lib.insertVideo(f.v)
      }
      const seconds = (Date.now() - started) / 1000
      console.info(
        `[find-videos] ${engine}: inserted ${facts.length} videos in ${seconds.toFixed(1)} s`
      )

      const all = facts.map((f) => f.added)
      const common = expectedOrder(all.filter((v) => v.n < n))
      const rare = expectedOrder(all.filter((v) => v.n < n && v.n % 10 === 0))
      expect(common).toHaveLength(n)
      expect(rare.length).toBeLessThan(WALK_ABOVE)

      for (const [q, list] of [
        ['common', common],
        ['rare', rare]
      ] as const) {
        for (const offset of [0, 48, 49, 200, list.length - 30, list.length - 1]) {
          expect(await ids(q, { limit: 49, offset }), `${q} at ${offset}`).toEqual(
            list.slice(offset, offset + 49)
          )
        }
        expect(await ids(q, { limit: 49, offset: list.length })).toEqual([])
        expect(await lib.findVideos(q, { limit: 1 })).toMatchObject({
          total: list.length,
          totalIsAtLeast: false
        })
        expect(await lib.findVideos(q, { limit: 1, countUpTo: 1000 })).toMatchObject({
          total: Math.min(list.length, 1000),
          totalIsAtLeast: list.length > 1000
        })
      }
      // A page deep inside the walk, and all of it in pages of the largest size.
      expect(await ids('common', { limit: 1000, offset: 0 })).toEqual(common.slice(0, 1000))
      expect(await ids('common', { limit: 1000, offset: 1000 })).toEqual(common.slice(1000, 2000))
      expect(await ids('common', { limit: 1000, offset: 2000 })).toEqual(common.slice(2000))
      expect(await ids('', { limit: 49, offset: 1500 })).toEqual(
        expectedOrder(all).slice(1500, 1549)
      )

      // Matches through a comment merge into the walked ones in their place.
      const extra = all.filter((v) => v.n >= n)
      await comment(extra[0]!.id, 'a common remark')
      await comment(extra[1]!.id, 'a rare remark')
      const commonMerged = expectedOrder([...all.filter((v) => v.n < n), extra[0]!])
      const rareMerged = expectedOrder([...all.filter((v) => v.n < n && v.n % 10 === 0), extra[1]!])
      const at = commonMerged.indexOf(extra[0]!.id)
      for (const offset of [0, Math.max(0, at - 20), commonMerged.length - 25]) {
        expect(await ids('common', { limit: 49, offset }), `merged common at ${offset}`).toEqual(
          commonMerged.slice(offset, offset + 49)
        )
      }
      expect(await ids('rare', { limit: 1000 })).toEqual(rareMerged)
      expect(await lib.findVideos('common', { limit: 0 })).toMatchObject({
        total: n + 1,
        totalIsAtLeast: false
      })
      expect(await lib.findVideos('rare', { limit: 0 })).toMatchObject({
        total: rareMerged.length,
        totalIsAtLeast: false
      })
    })
  })
})

describe.each(ENGINES)('migration 9 on $engine', ({ engine, skip, title }) => {
  describe.skipIf(skip)(title, () => {
    let fresh: Fresh
    let lib: LibraryDb | null

    beforeEach(async () => {
      fresh = await freshTarget(engine, 'fv')
      lib = null
    })
    afterEach(async () => {
      await lib?.close()
      await fresh?.drop()
    })

    /**
     * Videos of a schema-8 library, in insertion order, with created_at out of that order; their
     * search rows are written in yet another order, plus one for a video no longer there.
     */
    const OLD_VIDEOS: [id: string, title: string, createdAt: string][] = [
      ['o-new', 'legacy new', minute(30)],
      ['o-old', 'legacy old', minute(10)],
      ['o-mid', 'legacy mid', minute(20)],
      ['o-tie', 'legacy tie', minute(20)], // same time as o-mid, inserted after it
      ['o-plain', 'plain', minute(25)]
    ]
    const SEARCH_ROWS: [videoId: string, body: string][] = [
      ['o-tie', 'legacy tie'],
      ['o-gone', 'legacy gone'], // its video was deleted: an orphan
      ['o-plain', 'plain'],
      ['o-old', 'legacy old'],
      ['o-new', 'legacy new'],
      ['o-mid', 'legacy mid']
    ]
    const INSERT_VIDEO = `INSERT INTO videos (id, title, description, owner_id, author_name,
      size_bytes, filename, mime_type, callouts, has_thumbnail, upload_id, storage, created_at)
      VALUES ($1, $2, '', 1, 'erin', 1, 'f.mp4', 'video/mp4', '[]', 0, 'u', 'file', $3)`

    /** Writes a schema-8 library at the fresh target, in the old search-row layout. */
    async function buildVersion8(): Promise<void> {
      const t = minute(0)
      if ('file' in fresh.target) {
        const raw = new Database(fresh.target.file)
        for (const step of MIGRATIONS.slice(0, 8)) raw.exec(step)
        raw.pragma('user_version = 8')
        raw
          .prepare(
            "INSERT INTO users (id, name, password_hash, admin, created_at) VALUES (1, 'erin', 'x', 1, ?)"
          )
          .run(t)
        const insert = raw.prepare(INSERT_VIDEO.replace(/\$\d/g, '?'))
        for (const [id, videoTitle, createdAt] of OLD_VIDEOS) insert.run(id, videoTitle, createdAt)
        const search = raw.prepare('INSERT INTO video_search (video_id, body) VALUES (?, ?)')
        // A damaged file may hold two rows for one video (PostgreSQL's key forbids it): the
        // older one, written first, is dropped.
        search.run('o-new', 'stale words')
        for (const [id, body] of SEARCH_ROWS) search.run(id, body)
        raw.close()
        return
      }
      // As connection.ts migratePostgres does: the steps, then sidecast_schema at their count.
      const client = new pg.Client({ connectionString: fresh.target.url })
      await client.connect()
      try {
        await client.query('BEGIN')
        await postgresAtVersion(client, 8)
        await client.query(
          "INSERT INTO users (id, name, password_hash, admin, created_at) VALUES (1, 'erin', 'x', 1, $1)",
          [t]
        )
        for (const [id, videoTitle, createdAt] of OLD_VIDEOS) {
          await client.query(INSERT_VIDEO, [id, videoTitle, createdAt])
        }
        for (const [id, body] of SEARCH_ROWS) {
          await client.query(
            "INSERT INTO video_search (video_id, body) VALUES ($1, to_tsvector('simple', $2))",
            [id, body]
          )
        }
        await client.query('COMMIT')
      } finally {
        await client.end()
      }
    }

    /** The schema version and the video ids of the search rows, read directly. */
    async function inspect(): Promise<{ version: number; searchRows: string[] }> {
      if ('file' in fresh.target) {
        const raw = new Database(fresh.target.file, { readonly: true })
        try {
          const version = Number(raw.pragma('user_version', { simple: true }))
          const rows = raw.prepare('SELECT video_id FROM video_search').all() as {
            video_id: string
          }[]
          return { version, searchRows: rows.map((r) => r.video_id).sort() }
        } finally {
          raw.close()
        }
      }
      const client = new pg.Client({ connectionString: fresh.target.url })
      await client.connect()
      try {
        const version = (
          await client.query<{ version: number }>('SELECT version FROM sidecast_schema')
        ).rows[0]?.version
        const rows = await client.query<{ video_id: string }>('SELECT video_id FROM video_search')
        return { version: Number(version), searchRows: rows.rows.map((r) => r.video_id).sort() }
      } finally {
        await client.end()
      }
    }

    it('rebuilds schema-8 search rows in the library order and drops orphans; new videos and updates work', async () => {
      await buildVersion8()
      expect((await inspect()).version).toBe(8)
      lib = await createLibraryDb(await openSql(fresh.target))
      const after = await inspect()
      expect(after.version).toBe(MIGRATIONS.length)
      expect(after.searchRows).toEqual(['o-mid', 'o-new', 'o-old', 'o-plain', 'o-tie'])

      const ids = async (q: string, opts?: FindVideosOptions): Promise<string[]> =>
        ((await lib?.findVideos(q, opts))?.videos ?? []).map((v) => v.id)
      expect(await ids('legacy')).toEqual(['o-new', 'o-tie', 'o-mid', 'o-old'])
      expect(await ids('legacy', { limit: 2, offset: 1 })).toEqual(['o-tie', 'o-mid'])
      expect(await ids('gone')).toEqual([])
      expect(await ids('stale')).toEqual([])
      expect(await ids('')).toEqual(['o-new', 'o-plain', 'o-tie', 'o-mid', 'o-old'])
      expect(await lib.findVideos('legacy')).toMatchObject({ total: 4, totalIsAtLeast: false })

      // New videos (newer and older than every old one) and an update of an old one.
      await lib.insertVideo(videoFacts('o-newer', 1, 'legacy newer', { createdAt: minute(40) }))
      await lib.insertVideo(videoFacts('o-older', 1, 'legacy older', { createdAt: minute(0) }))
      expect(await lib.updateVideo('o-plain', { title: 'legacy plain' })).not.toBeNull()
      expect(await lib.updateVideo('o-mid', { title: 'middle' })).not.toBeNull()
      expect(await ids('legacy')).toEqual([
        'o-newer',
        'o-new',
        'o-plain',
        'o-tie',
        'o-old',
        'o-older'
      ])
      expect(await ids('middle')).toEqual(['o-mid'])
      expect(await lib.deleteVideo('o-tie')).toBe(true)
      expect(await ids('legacy')).toEqual(['o-newer', 'o-new', 'o-plain', 'o-old', 'o-older'])
      expect((await inspect()).searchRows).toEqual([
        'o-mid',
        'o-new',
        'o-newer',
        'o-old',
        'o-older',
        'o-plain'
      ])
    })
  })
})
