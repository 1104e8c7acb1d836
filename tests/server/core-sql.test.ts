/**
 * The library's core records (db/sql/core-db.ts) on both engines: every test runs once on a fresh
 * SQLite file and once on a fresh PostgreSQL database (made from SIDECAST_TEST_POSTGRES_URL, an
 * admin URL, and dropped after; without it the PostgreSQL half is skipped).
 */
import pg from 'pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openSql, type SqlDb } from '../../server/src/db/sql/connection'
import { createLibraryDb } from '../../server/src/db/sql/core-db'
import { POSTGRES_MIGRATIONS } from '../../server/src/db/sql/migrations-postgres'
import { MIGRATIONS } from '../../server/src/db/sql/migrations-sqlite'
import type { LibraryDb, NewVideo } from '../../server/src/db/types'
import { ENGINES, freshTarget, type Fresh } from './both-engines'

function videoFacts(id: string, ownerId: number, extra: Partial<NewVideo> = {}): NewVideo {
  return {
    id,
    title: `Video ${id}`,
    description: '',
    ownerId,
    durationMs: 2000,
    sizeBytes: 1000,
    filename: 'recording.mp4',
    mimeType: 'video/mp4',
    projectId: null,
    callouts: [],
    hasThumbnail: false,
    uploadId: `up-${id}`,
    storage: 'file',
    ...extra
  }
}

describe.each(ENGINES)('core-db on $engine', ({ engine, skip, title }) => {
  describe.skipIf(skip)(title, () => {
    let fresh: Fresh
    let sqlDb: SqlDb
    let lib: LibraryDb

    beforeEach(async () => {
      fresh = await freshTarget(engine, 'h1core')
      sqlDb = await openSql(fresh.target)
      lib = await createLibraryDb(sqlDb)
    })
    afterEach(async () => {
      await lib.close()
      await fresh.drop()
    })

    /** Closes the library and opens it again on the same database. */
    async function reopen(): Promise<void> {
      await lib.close()
      sqlDb = await openSql(fresh.target)
      lib = await createLibraryDb(sqlDb)
    }

    it('migrates an empty database to the same version on either engine, and reopens as is', async () => {
      expect(POSTGRES_MIGRATIONS.length).toBe(MIGRATIONS.length)
      const version = async (): Promise<number> => {
        if (sqlDb.sqlite) return Number(sqlDb.sqlite.pragma('user_version', { simple: true }))
        const client = new pg.Client({ connectionString: (fresh.target as { url: string }).url })
        await client.connect()
        try {
          const rows = await client.query<{ version: number }>(
            'SELECT version FROM sidecast_schema'
          )
          return Number(rows.rows[0]?.version)
        } finally {
          await client.end()
        }
      }
      expect(lib.dialect).toBe(engine)
      expect(await version()).toBe(MIGRATIONS.length)
      await lib.createUser('ada', 'pw-ada-123', true)
      await reopen()
      expect(await version()).toBe(MIGRATIONS.length)
      expect((await lib.getUserByName('ada'))?.admin).toBe(true)
      await lib.ping()
    })

    it('finds users by name whatever the case, refuses a second of one name, never reuses an id', async () => {
      const ada = await lib.createUser('Ada', 'pw-ada-123', false)
      expect((await lib.getUserByName('aDA'))?.id).toBe(ada.id)
      await expect(lib.createUser('ADA', 'other-pass', false)).rejects.toThrow()
      await lib.createUser('carl', 'pw-carl-123', false)
      await lib.createUser('Bob', 'pw-bob-123', false)
      expect((await lib.listUsers()).map((u) => u.name)).toEqual(['Ada', 'Bob', 'carl'])

      expect((await lib.verifyPassword('ada', 'pw-ada-123'))?.id).toBe(ada.id)
      expect(await lib.verifyPassword('ada', 'wrong-pass')).toBeNull()
      expect(await lib.verifyPassword('nobody', 'pw-ada-123')).toBeNull()

      const newest = await lib.createUser('dora', 'pw-dora-123', false)
      const removed = await lib.removeUser('DORA')
      expect(removed?.user.id).toBe(newest.id)
      expect(await lib.getUser(newest.id)).toBeNull()
      expect(await lib.removeUser('dora')).toBeNull()
      const next = await lib.createUser('dora', 'pw-dora-456', false)
      expect(next.id).toBeGreaterThan(newest.id)
      await reopen()
      const after = await lib.createUser('eve', 'pw-eve-1234', false)
      expect(after.id).toBeGreaterThan(next.id)
    })

    it('tokens: found by the token, use noted without a write and flushed, revoked by prefix or id; sessions', async () => {
      const ada = await lib.createUser('ada', 'pw-ada-123', false)
      const bob = await lib.createUser('bob', 'pw-bob-123', false)
      const { token, record } = await lib.createToken(ada.id, 'laptop')
      expect(record).toMatchObject({ userId: ada.id, label: 'laptop', lastUsedAt: null })
      expect(record.prefix).toBe(token.slice(0, 8))

      expect((await lib.userForToken(token))?.id).toBe(ada.id)
      expect(await lib.userForToken(`${token}x`)).toBeNull()
      expect(await lib.userForToken('')).toBeNull()
      const stored = async (): Promise<string | null | undefined> =>
        (
          await sqlDb.db
            .selectFrom('tokens')
            .select('last_used_at')
            .where('id', '=', record.id)
            .executeTakeFirst()
        )?.last_used_at
      // Noted, not written: listTokens shows the note, the row does not have it yet.
      expect(await stored()).toBeNull()
      const listed = await lib.listTokens(ada.id)
      expect(listed.map((t) => t.id)).toEqual([record.id])
      const noted = listed[0]?.lastUsedAt
      expect(noted).toEqual(expect.any(String))
      await lib.flushTokenUses()
      expect(await stored()).toBe(noted)

      const second = await lib.createToken(ada.id, 'phone')
      expect((await lib.listTokens(ada.id)).map((t) => t.id)).toEqual([second.record.id, record.id])
      expect(await lib.revokeToken(bob.id, record.prefix)).toBe(false) // not bob's
      expect(await lib.revokeToken(ada.id, 'ab')).toBe(false) // too short
      expect(await lib.revokeToken(ada.id, record.prefix)).toBe(true)
      expect(await lib.userForToken(token)).toBeNull()
      expect(await lib.revokeToken(null, second.record.id)).toBe(true)
      expect(await lib.listTokens(ada.id)).toEqual([])

      const session = await lib.createSession(ada.id)
      expect(await lib.getSession(session.id)).toEqual({
        user: expect.objectContaining({ id: ada.id }),
        csrf: session.csrf
      })
      await lib.deleteSession(session.id)
      expect(await lib.getSession(session.id)).toBeNull()
      // An expired one is not a session (and the next createSession deletes it).
      await sqlDb.db
        .insertInto('sessions')
        .values({
          id_hash: 'expired-hash',
          user_id: ada.id,
          csrf: 'c',
          created_at: '2000-01-01T00:00:00.000Z',
          expires_at: '2000-01-31T00:00:00.000Z'
        })
        .execute()
      const live = await lib.createSession(ada.id)
      const hashes = await sqlDb.db.selectFrom('sessions').select('id_hash').execute()
      expect(hashes.map((h) => h.id_hash)).not.toContain('expired-hash')

      // Tokens and sessions go with their user; a noted use of a gone token is harmless.
      const third = await lib.createToken(ada.id, 'tablet')
      await lib.userForToken(third.token)
      await lib.removeUser('ada')
      expect(await lib.getSession(live.id)).toBeNull()
      expect(await sqlDb.db.selectFrom('tokens').selectAll().execute()).toEqual([])
      await lib.flushTokenUses()
    })

    it('close writes the token uses still noted', async () => {
      const ada = await lib.createUser('ada', 'pw-ada-123', false)
      const { token, record } = await lib.createToken(ada.id, 'laptop')
      await lib.userForToken(token)
      const closing = lib.close()
      await Promise.all([closing, lib.close()]) // closing twice is closing once
      await reopen()
      expect((await lib.listTokens(ada.id))[0]?.lastUsedAt).toEqual(expect.any(String))
      expect(record.lastUsedAt).toBeNull()
    })

    it('searches videos: diacritics, prefixes, callouts, author; newest first, paged and counted', async () => {
      const grace = await lib.createUser('Grace', 'pw-grace-12', false)
      const t = '2026-01-01T00:00:00.000Z'
      await lib.insertVideo(
        videoFacts('v-cafe', grace.id, {
          title: 'Café résumé',
          description: 'how to order',
          createdAt: t,
          sizeBytes: 5_000_000_000
        })
      )
      await lib.insertVideo(
        videoFacts('v-zebra', grace.id, {
          title: 'Crossing',
          callouts: [{ text: 'Zebra stripes', startMs: 0, endMs: 1000 }],
          createdAt: t
        })
      )
      await lib.insertVideo(
        videoFacts('v-old', grace.id, {
          createdAt: '2025-01-01T00:00:00.000Z',
          filename: 'quarterly-report.mp4'
        })
      )
      const ids = async (
        q: string,
        opts?: { limit?: number; offset?: number }
      ): Promise<string[]> => (await lib.searchVideos(q, opts)).map((v) => v.id)

      const cafe = await lib.getVideo('v-cafe')
      expect(cafe).toMatchObject({ authorName: 'Grace', sizeBytes: 5_000_000_000, editsVersion: 0 })
      expect(typeof cafe?.sizeBytes).toBe('number')
      expect(await ids('cafe')).toEqual(['v-cafe'])
      expect(await ids('RÉSU')).toEqual(['v-cafe'])
      expect(await ids('caf ord')).toEqual(['v-cafe'])
      expect(await ids('cafe zebra')).toEqual([])
      expect(await ids('zebr')).toEqual(['v-zebra'])
      expect(await ids('report.mp4')).toEqual(['v-old']) // the file name, as words
      expect(await ids('grac')).toEqual(['v-zebra', 'v-cafe', 'v-old'])
      expect(await ids('"* OR NEAR(')).toEqual([])
      expect(await lib.countVideos('grace')).toBe(3)
      expect(await lib.countVideos('zebra')).toBe(1)
      expect(await lib.countVideos('')).toBe(3)
      expect(await lib.countVideos('!!!')).toBe(3) // no words: everything, like an empty box

      // Equal times: the one added last first. Paging clamps like the old code.
      expect(await ids('')).toEqual(['v-zebra', 'v-cafe', 'v-old'])
      expect(await ids('', { limit: 1, offset: 1 })).toEqual(['v-cafe'])
      expect(await ids('', { limit: -5 })).toEqual([])
      expect(await ids('', { limit: Number.NaN, offset: Number.NaN })).toHaveLength(3)
      expect(await ids('', { offset: 1e30 })).toEqual([])

      // Text changes are found under the new words only.
      await lib.updateVideo('v-cafe', { title: 'Tea ceremony' })
      expect(await ids('resume')).toEqual([])
      expect(await ids('ceremon')).toEqual(['v-cafe'])
      expect((await lib.getVideo('v-cafe'))?.description).toBe('how to order')
      expect(await lib.updateVideo('missing', { title: 'x' })).toBeNull()
      const saved = await lib.saveEdits('v-zebra', 0, '{}', grace.id, [
        { text: 'Giraffe neck', startMs: 0, endMs: 500 }
      ])
      expect(saved).toEqual({ version: 1 })
      expect(await ids('stripes')).toEqual([])
      expect(await ids('giraf')).toEqual(['v-zebra'])

      expect(await lib.deleteVideo('v-zebra')).toBe(true)
      expect(await lib.deleteVideo('v-zebra')).toBe(false)
      expect(await ids('giraf')).toEqual([])
      expect(await lib.countVideos()).toBe(2)
      expect(await lib.editsOf('v-zebra')).toBeNull()
    })

    it('completeUpload, replaceVideo and attachCamera are idempotent', async () => {
      const ada = await lib.createUser('ada', 'pw-ada-123', false)
      await lib.createUpload('u1', ada.id, 'v1', '{}', 1000)
      const first = await lib.completeUpload('u1', videoFacts('v1', ada.id, { uploadId: 'u1' }))
      const again = await lib.completeUpload('u1', videoFacts('v1', ada.id, { uploadId: 'u1' }))
      expect(first.answered).toBeNull()
      expect(again.video).toEqual(first.video)
      expect(await lib.countVideos()).toBe(1)
      expect((await lib.getUpload('u1'))?.state).toBe('done')
      // Two finishing at once (two instances): one video, both answers it.
      await lib.createUpload('u9', ada.id, 'v9', '{}', 1000)
      const racing = await Promise.all(
        [1, 2, 3].map(() => lib.completeUpload('u9', videoFacts('v9', ada.id, { uploadId: 'u9' })))
      )
      expect(new Set(racing.map((r) => JSON.stringify(r.video))).size).toBe(1)
      expect((await lib.searchVideos('')).map((v) => v.id).sort()).toEqual(['v1', 'v9'])

      await lib.createUpload('c1', ada.id, 'v1', '{"cameraFor":"v1"}', 10)
      const cam = await lib.attachCamera('c1', 'v1', { offsetMs: 0, durationMs: 2000 })
      expect(cam?.previousUploadId).toBeNull()
      expect(cam?.video.camera).toEqual({ id: 'c1', facts: { offsetMs: 0, durationMs: 2000 } })
      expect(
        (await lib.attachCamera('c1', 'v1', { offsetMs: 0, durationMs: 2000 }))?.previousUploadId
      ).toBeNull()
      await lib.createUpload('c2', ada.id, 'v1', '{"cameraFor":"v1"}', 10)
      const swapped = await lib.attachCamera('c2', 'v1', { offsetMs: 5, durationMs: 1000 })
      expect(swapped?.previousUploadId).toBe('c1')
      expect(await lib.getUpload('c1')).toBeNull()
      expect((await lib.getUpload('c2'))?.state).toBe('done')
      expect(await lib.attachCamera('c2', 'missing', { offsetMs: 0, durationMs: 1 })).toBeNull()

      await lib.createUpload('u2', ada.id, 'v1', '{}', 2000)
      const facts = videoFacts('v1', ada.id, {
        uploadId: 'u2',
        title: 'Second take',
        sizeBytes: 3_000_000_000,
        awaitingCamera: true
      })
      const replaced = await lib.replaceVideo('u2', facts)
      expect(replaced).toMatchObject({ previousUploadId: 'u1', previousCameraUploadId: 'c2' })
      expect(replaced?.video).toMatchObject({
        title: 'Second take',
        sizeBytes: 3_000_000_000,
        camera: null,
        awaitingCamera: true
      })
      expect(await lib.getUpload('u1')).toBeNull()
      expect(await lib.getUpload('c2')).toBeNull()
      expect(await lib.videoStorage('v1')).toEqual({ uploadId: 'u2', storage: 'file' })
      expect((await lib.searchVideos('second')).map((v) => v.id)).toEqual(['v1'])
      // Run again: already on u2, nothing more forgotten.
      const rerun = await lib.replaceVideo('u2', facts)
      expect(rerun).toMatchObject({ previousUploadId: 'u2', previousCameraUploadId: null })
      expect(rerun?.video).toEqual(replaced?.video)
      expect((await lib.getUpload('u2'))?.state).toBe('done')
      expect(await lib.replaceVideo('u3', videoFacts('missing', ada.id))).toBeNull()

      expect(await lib.detachCamera('v1')).toEqual({ previousUploadId: null })
      expect(await lib.detachCamera('missing')).toBeNull()
      await lib.createUpload('c3', ada.id, 'v1', '{"cameraFor":"v1"}', 10)
      await lib.attachCamera('c3', 'v1', { offsetMs: 0, durationMs: 1 })
      expect(await lib.detachCamera('v1')).toEqual({ previousUploadId: 'c3' })
      expect(await lib.getUpload('c3')).toBeNull()
      expect((await lib.getVideo('v1'))?.camera).toBeNull()
    })

    it('saveEdits: the next version on the newest base, a conflict otherwise, one winner of two at once', async () => {
      const ada = await lib.createUser('ada', 'pw-ada-123', false)
      await lib.insertVideo(videoFacts('v1', ada.id, { awaitingEdits: true }))
      expect((await lib.getVideo('v1'))?.awaitingEdits).toBe(true)
      expect(await lib.saveEdits('v1', 0, '{"a":1}', ada.id, [])).toEqual({ version: 1 })
      expect(await lib.saveEdits('v1', 0, '{"a":2}', ada.id, [])).toEqual({ conflict: 1 })
      expect(await lib.saveEdits('missing', 0, '{}', ada.id, [])).toBeNull()
      const v1 = await lib.getVideo('v1')
      expect(v1).toMatchObject({ editsVersion: 1, awaitingEdits: false })

      const both = await Promise.all([
        lib.saveEdits('v1', 1, '{"b":1}', ada.id, []),
        lib.saveEdits('v1', 1, '{"b":2}', ada.id, [])
      ])
      expect(both.filter((r) => r !== null && 'version' in r)).toEqual([{ version: 2 }])
      expect(both.filter((r) => r !== null && 'conflict' in r)).toEqual([{ conflict: 2 }])
      expect((await lib.editsOf('v1'))?.version).toBe(2)
      expect((await lib.editsOf('v1', 1))?.edits).toBe('{"a":1}')
      expect(await lib.editsOf('v1', 7)).toBeNull()

      const shared = await lib.setAccess('v1', 'link', 'tok-1')
      expect(shared).toMatchObject({ access: 'link', linkToken: 'tok-1' })
      expect((await lib.videoByLinkToken('tok-1'))?.id).toBe('v1')
      await lib.setAccess('v1', 'team', 'tok-1')
      expect(await lib.videoByLinkToken('tok-1')).toBeNull()
      expect(await lib.setAccess('missing', 'team', null)).toBeNull()
    })

    it('render queue: queued once, taken oldest first by exactly one taker, requeued, finished', async () => {
      const ada = await lib.createUser('ada', 'pw-ada-123', false)
      await lib.insertVideo(videoFacts('v1', ada.id))
      expect(await lib.hasQueuedRender()).toBe(false)
      expect(await lib.takeQueuedRender()).toBeNull()
      const a = await lib.queueRender('v1', 'viewer', 1, 'key-a')
      expect(await lib.queueRender('v1', 'viewer', 1, 'key-other')).toEqual(a)
      await lib.queueRender('v1', 'download', 1, 'key-a')
      await lib.queueRender('v1', 'viewer', 2, 'key-b')
      expect(await lib.hasQueuedRender()).toBe(true)

      const first = await lib.takeQueuedRender()
      expect(first).toMatchObject({
        kind: 'viewer',
        editsVersion: 1,
        state: 'running',
        progress: 0
      })
      // Two takers at once for two queued renders, plus one too many: each render taken once.
      const taken = await Promise.all([
        lib.takeQueuedRender(),
        lib.takeQueuedRender(),
        lib.takeQueuedRender()
      ])
      const names = taken.filter((r) => r !== null).map((r) => `${r.kind}/${r.editsVersion}`)
      expect(names.sort()).toEqual(['download/1', 'viewer/2'])
      expect(taken.filter((r) => r === null)).toHaveLength(1)
      expect(await lib.hasQueuedRender()).toBe(false)

      expect(await lib.requeueRunningRenders()).toBe(3)
      expect((await lib.takeQueuedRender())?.editsVersion).toBe(1)
      await lib.updateRender('v1', 'viewer', 1, {
        state: 'done',
        progress: 1,
        file: 'renders/v1.mp4',
        sizeBytes: 4_500_000_000,
        durationMs: 2000
      })
      await lib.updateRender('v1', 'viewer', 2, { state: 'done', progress: 0.5 })
      const done = await lib.getRender('v1', 'viewer', 1)
      expect(done).toMatchObject({
        state: 'done',
        progress: 1,
        sizeBytes: 4_500_000_000,
        error: null
      })
      expect((await lib.latestDoneRender('v1', 'viewer'))?.editsVersion).toBe(2)
      expect((await lib.latestDoneRender('v1', 'viewer'))?.progress).toBe(0.5)
      expect(await lib.latestDoneRender('v1', 'download')).toBeNull()
      expect((await lib.rendersOf('v1')).map((r) => `${r.kind}/${r.editsVersion}`)).toEqual([
        'download/1',
        'viewer/1',
        'viewer/2'
      ])
      expect(await lib.deleteRender('v1', 'viewer', 2)).toBe(true)
      expect(await lib.getRender('v1', 'viewer', 2)).toBeNull()
      expect(await lib.deleteRender('v1', 'viewer', 2)).toBe(false)

      // A row replaced for new redactions while a run made the old one: the run's finish does
      // not mark the new row done with its file.
      expect(await lib.deleteRender('v1', 'download', 1)).toBe(true) // still queued: out of the way
      await lib.queueRender('v1', 'viewer', 3, 'key-old')
      const run = await lib.takeQueuedRender()
      expect(run?.redactionKey).toBe('key-old')
      // Running: a conditional delete leaves it; once it is not running, it goes.
      expect(await lib.deleteRender('v1', 'viewer', 3, { unlessRunning: true })).toBe(false)
      expect((await lib.getRender('v1', 'viewer', 3))?.state).toBe('running')
      await lib.updateRender('v1', 'viewer', 3, { state: 'failed', error: 'x' })
      expect(await lib.deleteRender('v1', 'viewer', 3, { unlessRunning: true })).toBe(true)
      await lib.queueRender('v1', 'viewer', 3, 'key-new')
      expect(
        await lib.updateRender(
          'v1',
          'viewer',
          3,
          { state: 'done', file: 'stale.mp4' },
          { redactionKey: 'key-old' }
        )
      ).toBe(false)
      expect(await lib.getRender('v1', 'viewer', 3)).toMatchObject({
        state: 'queued',
        file: null,
        redactionKey: 'key-new'
      })
      // Queued again (not running): a run that thinks it holds it changes nothing either.
      const mine = { redactionKey: 'key-new', running: true }
      expect(await lib.updateRender('v1', 'viewer', 3, { progress: 0.5 }, mine)).toBe(false)
      expect(await lib.takeQueuedRender()).toMatchObject({ editsVersion: 3, state: 'running' })
      expect(await lib.updateRender('v1', 'viewer', 3, { progress: 0.5 }, mine)).toBe(true)
      expect(
        await lib.updateRender('v1', 'viewer', 3, { state: 'done', file: 'new.mp4' }, mine)
      ).toBe(true)
      expect((await lib.getRender('v1', 'viewer', 3))?.file).toBe('new.mp4')
      expect(await lib.updateRender('v1', 'viewer', 3, { progress: 1 }, mine)).toBe(false) // done
      expect(await lib.updateRender('v1', 'viewer', 9, { progress: 1 })).toBe(false) // no such row

      await lib.deleteVideo('v1')
      expect(await lib.rendersOf('v1')).toEqual([])
    })

    it('unfinishedUploads counts and sums bytes past 2^31 as numbers; live ones whatever their age', async () => {
      const ada = await lib.createUser('ada', 'pw-ada-123', false)
      await lib.createUpload('a', ada.id, 'va', '{}', 3_000_000_000)
      await lib.createUpload('b', ada.id, 'vb', '{}', 3_000_000_000)
      await lib.createUpload('c', ada.id, 'vc', '{}', null) // deferred length
      await lib.createUpload('d', ada.id, 'vd', '{}', 5_000_000_000, true) // live
      await lib.createUpload('e', ada.id, 've', '{}', 7)
      await lib.setUploadState('e', 'processing')
      const past = '2000-01-01T00:00:00.000Z'
      const future = '2999-01-01T00:00:00.000Z'
      const all = await lib.unfinishedUploads(ada.id, past, 4_000_000_000)
      expect(all).toEqual({ count: 4, bytes: 15_000_000_000 })
      expect(typeof all.bytes).toBe('number')
      expect(await lib.unfinishedUploads(ada.id, future, 4_000_000_000)).toEqual({
        count: 1,
        bytes: 5_000_000_000
      })
      expect(await lib.unfinishedUploads(ada.id + 1, past, 1)).toEqual({ count: 0, bytes: 0 })
      expect((await lib.listUploads('processing')).map((u) => u.id)).toEqual(['e'])
      await lib.setUploadState('e', 'failed', 'broken')
      expect(await lib.getUpload('e')).toMatchObject({
        state: 'failed',
        error: 'broken',
        live: false
      })
    })

    it('reservations, tombstones of discarded live uploads, failed reservations', async () => {
      const ada = await lib.createUser('ada', 'pw-ada-123', false)
      await lib.createUpload('live1', ada.id, 'v1', '{}', null, true)
      await lib.createUpload('cam1', ada.id, 'v1', '{"cameraFor":"v1"}', null, true)
      expect((await lib.reservation('v1'))?.id).toBe('live1')
      expect((await lib.reservationsOf(ada.id)).map((u) => u.id)).toEqual(['live1'])
      expect(await lib.failedReservation('v1', ada.id)).toBe(false)
      await lib.setUploadState('live1', 'failed', 'finish failed')
      expect(await lib.failedReservation('v1', ada.id)).toBe(true)
      // A retry under the same link: its newest upload is the reservation.
      await lib.createUpload('retry1', ada.id, 'v1', '{}', 10, false)
      expect((await lib.reservation('v1'))?.id).toBe('retry1')
      expect((await lib.reservationsOf(ada.id)).map((u) => u.id)).toEqual(['retry1'])
      // Discarding the live one while the retry may still become the video: no tombstone.
      expect(await lib.discardUpload('live1')).toBe(true)
      expect(await lib.discardedVideo('v1')).toBeNull()
      expect(await lib.discardUpload('live1')).toBe(false)

      await lib.createUpload('live2', ada.id, 'v2', '{}', null, true)
      expect(await lib.discardUpload('live2')).toBe(true)
      expect(await lib.discardedVideo('v2')).toEqual({
        userId: ada.id,
        discardedAt: expect.any(String)
      })
      expect(await lib.reservation('v2')).toBeNull()

      // Once the video is there, it is no reservation.
      await lib.completeUpload('retry1', videoFacts('v1', ada.id, { uploadId: 'retry1' }))
      expect(await lib.reservation('v1')).toBeNull()
      expect(await lib.reservationsOf(ada.id)).toEqual([])
    })

    it('removeUser: refuses while they own videos, else hands them on in one transaction', async () => {
      const ada = await lib.createUser('ada', 'pw-ada-123', false)
      const bob = await lib.createUser('bob', 'pw-bob-123', false)
      await lib.insertVideo(videoFacts('v1', ada.id))
      await lib.createUpload('p1', ada.id, 'v2', '{}', 10)
      await lib.setUploadState('p1', 'processing')
      await lib.createUpload('w1', ada.id, 'v3', '{}', 10)
      expect(await lib.userHoldings(ada.id)).toEqual({ videos: ['v1'], pending: ['p1'] })

      await expect(lib.removeUser('ada')).rejects.toThrow(/still owns videos/)
      await expect(lib.removeUser('ada', { transferTo: ada.id })).rejects.toThrow()
      await expect(lib.removeUser('ada', { transferTo: 999_999 })).rejects.toThrow()
      expect((await lib.getUser(ada.id))?.name).toBe('ada')

      const removed = await lib.removeUser('ADA', { transferTo: bob.id })
      expect(removed).toMatchObject({ user: { id: ada.id }, transferred: 1, uploads: ['w1'] })
      expect(await lib.getVideo('v1')).toMatchObject({ ownerId: bob.id, authorName: 'ada' })
      expect((await lib.getUpload('p1'))?.userId).toBe(bob.id)
      expect(await lib.getUpload('w1')).toBeNull()
      expect(await lib.userHoldings(bob.id)).toEqual({ videos: ['v1'], pending: ['p1'] })
    })
  })
})

/** An ISO time later than `after` (the clock has moved on by at least a millisecond). */
async function isoAfter(after: string): Promise<string> {
  for (let i = 0; i < 10_000; i++) {
    const t = new Date().toISOString()
    if (t > after) return t
    await new Promise((resolve) => setImmediate(resolve))
  }
  throw new Error('the clock did not move')
}

describe.each(ENGINES)('upload claims and stale renders on $engine', ({ engine, skip, title }) => {
  describe.skipIf(skip)(title, () => {
    let fresh: Fresh
    /** Two instances' connections to one database. */
    let a: LibraryDb
    let b: LibraryDb

    beforeEach(async () => {
      fresh = await freshTarget(engine, 'h1core')
      a = await createLibraryDb(await openSql(fresh.target))
      b = await createLibraryDb(await openSql(fresh.target))
    })
    afterEach(async () => {
      await a.close()
      await b.close()
      await fresh.drop()
    })

    it('claimUpload: one holder at a time, renewed by its holder, taken once it lapses or is released', async () => {
      const ada = await a.createUser('ada', 'pw-ada-123', false)
      await a.createUpload('u1', ada.id, 'v1', '{}', 10)
      expect(await a.claimUpload('u1', 'instance-a', 120_000)).toBe(true)
      expect(await b.claimUpload('u1', 'instance-b', 120_000)).toBe(false)
      // Renewed by its holder, still refused to the other.
      expect(await a.claimUpload('u1', 'instance-a', 120_000)).toBe(true)
      expect(await b.claimUpload('u1', 'instance-b', 120_000)).toBe(false)
      // Releasing someone else's claim does nothing.
      await b.releaseUpload('u1', 'instance-b')
      expect(await b.claimUpload('u1', 'instance-b', 120_000)).toBe(false)
      await a.releaseUpload('u1', 'instance-a')
      expect(await b.claimUpload('u1', 'instance-b', 120_000)).toBe(true)
      expect(await a.claimUpload('u1', 'instance-a', 120_000)).toBe(false)

      // A claim not renewed in time (its holder crashed): the lease has run out, another takes it.
      await a.createUpload('u2', ada.id, 'v2', '{}', 10)
      expect(await a.claimUpload('u2', 'crashed', -60_000)).toBe(true)
      expect(await b.claimUpload('u2', 'instance-b', 120_000)).toBe(true)
      expect(await a.claimUpload('u2', 'crashed', 120_000)).toBe(false)

      // No such upload: nothing to claim. The claim is not part of the record's state.
      expect(await a.claimUpload('nope', 'instance-a', 120_000)).toBe(false)
      expect(await a.getUpload('u1')).toMatchObject({ id: 'u1', state: 'uploading' })
      // Gone with the upload.
      await a.deleteUpload('u1')
      expect(await b.claimUpload('u1', 'instance-b', 120_000)).toBe(false)
    })

    it('claimUpload: of many instances claiming at once, exactly one wins', async () => {
      const ada = await a.createUser('ada', 'pw-ada-123', false)
      for (let round = 0; round < 5; round++) {
        const id = `race${round}`
        await a.createUpload(id, ada.id, `v${round}`, '{}', 10)
        const claims = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            (i % 2 === 0 ? a : b).claimUpload(id, `instance-${i}`, 120_000)
          )
        )
        expect(claims.filter(Boolean)).toHaveLength(1)
      }
    })

    it('requeueRunningRenders(staleBefore) leaves renders touched since then running', async () => {
      const ada = await a.createUser('ada', 'pw-ada-123', false)
      await a.insertVideo(videoFacts('v1', ada.id))
      await a.queueRender('v1', 'viewer', 1, 'key')
      await a.queueRender('v1', 'download', 1, 'key')
      const crashed = await a.takeQueuedRender()
      const alive = await b.takeQueuedRender()
      expect(crashed?.kind).toBe('viewer')
      expect(alive?.kind).toBe('download')
      const cut = await isoAfter(crashed?.updatedAt as string)
      // The living instance's heartbeat: its progress written again.
      await b.updateRender('v1', 'download', 1, { progress: 0.25 })

      expect(await b.requeueRunningRenders(cut)).toBe(1)
      expect((await a.getRender('v1', 'viewer', 1))?.state).toBe('queued')
      expect(await a.getRender('v1', 'download', 1)).toMatchObject({
        state: 'running',
        progress: 0.25
      })
      // Without a limit (SQLite's one process at its start): every running render.
      expect(await a.requeueRunningRenders()).toBe(1)
      expect((await a.getRender('v1', 'download', 1))?.state).toBe('queued')
    })
  })
})
