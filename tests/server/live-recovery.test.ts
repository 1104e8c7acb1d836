/**
 * Instant share when things go wrong (issue 12): a live upload that cannot be finished fails with
 * its reason and a "Try again" (`replaces` = the reserved id) completes under the same link; a
 * server restarted mid-recording takes the upload up again at its offset; an upload nobody feeds
 * any more expires, one being fed does not; on S3 storage the seekable copy replaces the object.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { Upload } from '@tus/server'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../server/src/config'
import { s3ClientConfig } from '../../server/src/storage'
import { SlidingS3Store } from '../../server/src/storage/sliding-s3-store'
import { startFakeS3 } from './fake-s3'
import {
  createLive,
  feed,
  makeLiveRecording,
  page,
  patchLive,
  refreshOf,
  sessions
} from './live-support'
import {
  createUpload,
  getJson,
  head,
  makeVideo,
  patch,
  request,
  serversPerTest,
  startServer,
  tempDir
} from './support'

const servers = serversPerTest()
let recording: Buffer
let mp4: Buffer

beforeAll(async () => {
  ;[recording, mp4] = await Promise.all([
    makeLiveRecording(3, 'h264'),
    makeVideo(path.join(tempDir('live-mp4'), 'retry.mp4'))
  ])
})

describe('a live upload that cannot be finished', () => {
  it.each([
    ['garbage', () => crypto.randomBytes(20_000), /WebM that the recorder writes/],
    // Cut inside its header: not one whole frame.
    [
      'cut short before its first frame',
      () => recording.subarray(0, 120),
      /cannot be read|seekable/
    ]
  ])(
    '%s: fails with its reason, then "Try again" completes under the same link',
    async (_what, bytes, reason) => {
      const s = await servers.start()
      const { alice, bob } = await sessions(s)
      const body = bytes()
      const live = await createLive(s, { title: 'Will fail' })
      await feed(s, live.up, body, 2)
      const last = await patchLive(s, live.up, body.length, Buffer.alloc(0), body.length)
      expect(last.status).toBe(422)
      const error = String((JSON.parse(last.text) as { error: string }).error)
      expect(error).toMatch(reason)
      const status = await getJson(s, `${live.up}/status`)
      expect(status.json).toMatchObject({ state: 'failed', error })

      // The link says so; the reason is for its owner.
      const own = await page(s, alice, `/v/${live.videoId}`)
      expect(own.text).toContain('This video could not be finished')
      expect(own.text).toContain(error.replace(/"/g, '&quot;').slice(0, 40))
      expect(own.text).toContain('Try again')
      const colleague = await page(s, bob, `/v/${live.videoId}`)
      expect(colleague.text).toContain('This video could not be finished')
      expect(colleague.text).not.toContain(error.slice(0, 40))
      expect(refreshOf(colleague.text)).toBeGreaterThan(0)
      expect(
        (await getJson<{ videos: unknown[] }>(s, '/api/videos', s.otherToken)).json.videos
      ).toEqual([])

      // Someone else cannot take the reserved id.
      const stolen = await createUpload(
        s,
        mp4.length,
        { filename: 'x.mp4', replaces: live.videoId },
        s.otherToken
      )
      expect(stolen.res.status).toBe(404)
      expect(stolen.res.headers['sidecast-refused']).toBe('replace')

      // Try again: the finished local file, an ordinary upload, under the same link.
      const retry = await createUpload(s, mp4.length, {
        filename: 'retry.mp4',
        title: 'Will fail',
        replaces: live.videoId
      })
      expect(retry.res.status).toBe(201)
      expect(retry.res.headers['sidecast-video-id']).toBe(live.videoId)
      expect(retry.res.headers['sidecast-video-url']).toBe(live.videoUrl)
      const done = await patch(s, retry.path, 0, mp4)
      expect(done.status, done.text).toBe(204)
      expect(done.headers['sidecast-upload-state']).toBe('done')
      expect(done.headers['sidecast-video-url']).toBe(live.videoUrl)

      const listed = await getJson<{ videos: { id: string }[] }>(s, '/api/videos', s.otherToken)
      expect(listed.json.videos.map((v) => v.id)).toEqual([live.videoId])
      const watch = await page(s, bob, `/v/${live.videoId}`)
      expect(watch.text).toContain(`src="/media/${live.videoId}"`)
      expect((await page(s, alice, '/')).text).not.toContain('Could not be finished')
    }
  )

  it('discarding a failed live upload leaves the tombstone', async () => {
    const s = await servers.start()
    const { bob } = await sessions(s)
    const live = await createLive(s)
    const junk = crypto.randomBytes(5000)
    await patchLive(s, live.up, 0, junk, junk.length)
    const del = await request(s.url, 'DELETE', live.up, {
      'Tus-Resumable': '1.0.0',
      Authorization: `Bearer ${s.token}`
    })
    expect(del.status).toBe(204)
    const gone = await page(s, bob, `/v/${live.videoId}`)
    expect(gone.status).toBe(410)
    expect(gone.text).toContain('This video was discarded')
  })
})

describe('a live upload across a server restart', () => {
  it('continues from the offset on a new server over the same data and completes under the same link', async () => {
    const first = await servers.start()
    const live = await createLive(first, { title: 'Through a restart' })
    const part = Math.floor(recording.length / 3)
    await feed(first, live.up, recording.subarray(0, part), 2)
    await first.close()
    servers.forget(first)

    const second = await servers.start({ dataDir: first.dataDir, reuse: first })
    const resumed = await head(second, live.up)
    expect(resumed.status).toBe(200)
    expect(resumed.headers['upload-offset']).toBe(String(part))
    expect(resumed.headers['upload-defer-length']).toBe('1')
    const { bob } = await sessions(second)
    expect((await page(second, bob, `/v/${live.videoId}`)).text).toContain('Being recorded')

    await feed(second, live.up, recording, 2, part)
    const last = await patchLive(
      second,
      live.up,
      recording.length,
      Buffer.alloc(0),
      recording.length
    )
    expect(last.headers['sidecast-upload-state']).toBe('done')
    // The same link (the new server listens on another port here).
    expect(last.headers['sidecast-video-id']).toBe(live.videoId)
    expect(last.headers['sidecast-video-url']).toBe(`${second.url}/v/${live.videoId}`)
    expect((await second.app.library.db.getVideo(live.videoId))?.durationMs).toBeGreaterThan(2800)
  })
})

describe('expiry of a live upload', () => {
  /** Makes the upload look created `ms` ago (its record), and last written `writtenAgo` ago. */
  function age(dataDir: string, id: string, createdAgo: number, writtenAgo: number): void {
    const json = path.join(dataDir, 'uploads', `${id}.json`)
    const info = JSON.parse(fs.readFileSync(json, 'utf8')) as { creation_date: string }
    info.creation_date = new Date(Date.now() - createdAgo).toISOString()
    fs.writeFileSync(json, JSON.stringify(info))
    const written = new Date(Date.now() - writtenAgo)
    fs.utimesSync(path.join(dataDir, 'uploads', id), written, written)
  }

  it('counts from the last byte received: fed, it lives on past its creation; abandoned, it goes', async () => {
    const hour = 3_600_000
    const s = await servers.start({ config: { uploadExpiryMs: hour } })
    const fed = await createLive(s, { title: 'Long recording' })
    const abandoned = await createLive(s, { title: 'Abandoned' })
    const piece = recording.subarray(0, 3000)
    await feed(s, fed.up, piece, 1)
    await feed(s, abandoned.up, piece, 1)
    // Both were created two hours ago; one was written a minute ago, the other 61 minutes ago.
    age(s.dataDir, fed.id, 2 * hour, 60_000)
    age(s.dataDir, abandoned.id, 2 * hour, hour + 60_000)

    // Both still hold their place in the cap on unfinished uploads, however old their creation.
    const since = new Date(Date.now() + hour).toISOString()
    expect((await s.app.library.db.unfinishedUploads(s.user.id, since, 0)).count).toBe(2)

    const { expired } = await s.app.cleanup()
    expect(expired).toBe(1)
    expect(fs.existsSync(path.join(s.dataDir, 'uploads', abandoned.id))).toBe(false)
    expect([404, 410]).toContain((await patchLive(s, abandoned.up, 3000, piece)).status)

    // The fed one takes more, and says when it would expire: an hour after this write.
    const more = await patchLive(s, fed.up, 3000, recording.subarray(3000, 6000))
    expect(more.status).toBe(204)
    const expires = Date.parse(String(more.headers['upload-expires']))
    expect(expires).toBeGreaterThan(Date.now() + hour - 5 * 60_000)
  })
})

describe('a live upload on S3 storage', () => {
  it('the seekable copy takes the object’s place', async () => {
    const s3 = await startFakeS3()
    try {
      const s = await startServer({ env: s3.env })
      try {
        const live = await createLive(s, { title: 'On S3' })
        await feed(s, live.up, recording, 3)
        const last = await patchLive(
          s,
          live.up,
          recording.length,
          Buffer.alloc(0),
          recording.length
        )
        expect(last.status, last.text).toBe(204)
        expect(last.headers['sidecast-upload-state']).toBe('done')
        const video = (await s.app.library.db.getVideo(live.videoId))!
        expect(video.mimeType).toBe('video/mp4')
        const file = await s.app.library.openVideoFile(video)
        const bytes: Buffer[] = []
        for await (const c of file.stream()) bytes.push(c as Buffer)
        const stored = Buffer.concat(bytes)
        expect(stored.length).toBe(video.sizeBytes)
        expect(stored.toString('latin1', 4, 8)).toBe('ftyp')
        const ranged = await request(s.url, 'GET', `/media/${live.videoId}`, {
          Authorization: `Bearer ${s.token}`,
          Range: `bytes=${Math.floor(stored.length / 2)}-`
        })
        expect(ranged.status).toBe(206)
        expect(ranged.body.equals(stored.subarray(Math.floor(stored.length / 2)))).toBe(true)
      } finally {
        await s.close()
      }
    } finally {
      await s3.close()
    }
  })
})

describe('a large live upload on S3 storage', () => {
  it('a seekable copy larger than a part is stored as a multipart object', async () => {
    const big = await makeLiveRecording(3, 'h264', { noise: true })
    const s3 = await startFakeS3()
    try {
      const s = await startServer({ env: s3.env })
      try {
        const partSize = s.config.s3!.partSize
        expect(big.length).toBeGreaterThan(partSize + 1024 * 1024)
        const live = await createLive(s, { title: 'Big on S3' })
        await feed(s, live.up, big, 3)
        const last = await patchLive(s, live.up, big.length, Buffer.alloc(0), big.length)
        expect(last.status, last.text).toBe(204)
        const video = (await s.app.library.db.getVideo(live.videoId))!
        expect(video.sizeBytes).toBeGreaterThan(partSize)
        const file = await s.app.library.openVideoFile(video)
        expect(file.size).toBe(video.sizeBytes)
        const bytes: Buffer[] = []
        for await (const c of file.stream()) bytes.push(c as Buffer)
        const stored = Buffer.concat(bytes)
        expect(stored.length).toBe(video.sizeBytes)
        expect(stored.toString('latin1', 4, 8)).toBe('ftyp')
        expect(video.durationMs).toBeGreaterThan(2800)
      } finally {
        await s.close()
      }
    } finally {
      await s3.close()
    }
  })
})

describe('expiry of a live upload on S3 storage', () => {
  it('an instance whose own last write is old asks the bucket before it expires an upload another instance fed since', async () => {
    const hour = 3_600_000
    const s3 = await startFakeS3()
    try {
      const config = loadConfig(['--data', tempDir('live-s3-two')], s3.env)
      let clock = Date.now()
      // The fake bucket stamps parts with the real time; here they carry the stores' clock, as a
      // real bucket's would: the time of the newest write.
      let newestPartAt = clock
      class ClockedStore extends SlidingS3Store {
        protected override async retrieveParts(id: string, marker?: string) {
          const parts = await super.retrieveParts(id, marker)
          return parts.map((p) => ({ ...p, LastModified: new Date(newestPartAt) }))
        }
      }
      const storeOf = (): SlidingS3Store =>
        new ClockedStore({
          partSize: config.s3!.partSize,
          useTags: false,
          expirationPeriodInMilliseconds: hour,
          s3ClientConfig: { bucket: config.s3!.bucket, ...s3ClientConfig(config.s3!) },
          now: () => clock
        })
      const a = storeOf()
      const b = storeOf()
      const id = crypto.randomBytes(16).toString('hex')
      const part = 5 * 1024 * 1024 // S3's smallest part: written as a part
      const bytes = crypto.randomBytes(part)
      await b.create(new Upload({ id, offset: 0, metadata: {} }))
      // Instance B takes bytes 10 minutes in, instance A 50 minutes in.
      clock += 10 * 60_000
      expect(await b.write(Readable.from([bytes]), id, 0)).toBe(part)
      newestPartAt = clock
      clock += 40 * 60_000
      expect(await a.write(Readable.from([bytes]), id, part)).toBe(2 * part) // the new offset
      newestPartAt = clock
      // 100 minutes in: B's own write is 90 minutes old (past the hour), A's 50 minutes.
      clock += 50 * 60_000
      // tus counts expiry from creation_date: B says A's write, so a PATCH through B goes on…
      const seen = await b.getUpload(id)
      expect(seen.offset).toBe(2 * part)
      expect(Date.parse(seen.creation_date!)).toBe(newestPartAt)
      // …and B's cleanup leaves it.
      expect(await b.deleteExpired()).toBe(0)
      expect((await a.getUpload(id)).offset).toBe(2 * part)
    } finally {
      await s3.close()
    }
  })

  it('counts from the last byte received too', async () => {
    const hour = 3_600_000
    const s3 = await startFakeS3()
    try {
      const config = loadConfig(['--data', tempDir('live-s3')], s3.env)
      let clock = Date.now()
      const store = new SlidingS3Store({
        partSize: config.s3!.partSize,
        useTags: false,
        expirationPeriodInMilliseconds: hour,
        s3ClientConfig: { bucket: config.s3!.bucket, ...s3ClientConfig(config.s3!) },
        now: () => clock
      })
      const make = async (): Promise<string> => {
        const id = crypto.randomBytes(16).toString('hex')
        await store.create(new Upload({ id, offset: 0, metadata: {} }))
        expect(await store.write(Readable.from([recording.subarray(0, 3000)]), id, 0)).toBe(3000)
        return id
      }
      const fed = await make()
      const abandoned = await make()
      // An hour and a half on, the recording still feeds one of them…
      clock += 90 * 60_000
      await store.write(Readable.from([recording.subarray(3000, 6000)]), fed, 3000)
      // …and 45 minutes later the other, last fed over two hours ago, goes.
      clock += 45 * 60_000
      expect(await store.deleteExpired()).toBe(1)
      await expect(store.getUpload(abandoned)).rejects.toBeTruthy()
      const kept = await store.getUpload(fed)
      expect(kept.offset).toBe(6000)
      // tus counts an upload's expiry from `creation_date`: here, its last write.
      expect(Date.parse(kept.creation_date!)).toBe(clock - 45 * 60_000)
    } finally {
      await s3.close()
    }
  })
})
