/**
 * Issue 18, unfinished uploads per user: one user's uploads that are created but not finished
 * are capped by count and by the bytes they declare together (300 × 10 GB were accepted);
 * beyond, creation is refused with 429 and the reason, before anything is stored. Finishing,
 * deleting or letting an upload expire frees its place.
 */
import { describe, expect, it } from 'vitest'
import { librarySql } from './engine'
import {
  auth,
  createUpload,
  encodeMetadata,
  request,
  type StartOptions,
  type TestServer,
  serversPerTest
} from './support'

const servers = serversPerTest()

async function start(config: StartOptions['config'] = {}): Promise<TestServer> {
  return servers.start({ config })
}

const GB = 1024 ** 3

describe('unfinished uploads per user', () => {
  it('with the defaults, 10 GB uploads stop at 50 GB declared; other users are not affected', async () => {
    const s = await start()
    for (let i = 0; i < 5; i++) {
      expect((await createUpload(s, 10 * GB)).res.status).toBe(201)
    }
    const refused = await createUpload(s, 10 * GB)
    expect(refused.res.status).toBe(429)
    expect(refused.res.headers['tus-resumable']).toBe('1.0.0')
    expect(JSON.parse(refused.res.text).error).toMatch(/50 GB/)
    expect(refused.res.headers.location).toBeUndefined()
    // Someone else's uploads are their own.
    expect((await createUpload(s, 10 * GB, undefined, s.otherToken)).res.status).toBe(201)
  })

  it('counts uploads; finishing or deleting one, or its expiry, frees a place', async () => {
    const s = await start({ maxUnfinishedUploads: 3 })
    const made = []
    for (let i = 0; i < 3; i++) {
      const created = await createUpload(s, 100)
      expect(created.res.status).toBe(201)
      made.push(created)
    }
    const refused = await createUpload(s, 100)
    expect(refused.res.status).toBe(429)
    expect(JSON.parse(refused.res.text).error).toMatch(/3 unfinished uploads/)
    expect(await s.app.library.db.listUploads('uploading')).toHaveLength(3)

    // Deleted (tus termination): its place is free.
    const del = await request(s.url, 'DELETE', made[0]!.path, auth(s.token))
    expect(del.status).toBe(204)
    expect((await createUpload(s, 100)).res.status).toBe(201)
    expect((await createUpload(s, 100)).res.status).toBe(429)

    // Past its expiry an upload no longer counts, even before the cleanup removes it.
    await librarySql(s.dataDir, 'UPDATE uploads SET created_at = ? WHERE id = ?', [
      new Date(Date.now() - s.config.uploadExpiryMs - 1000).toISOString(),
      made[1]!.id
    ])
    expect((await createUpload(s, 100)).res.status).toBe(201)
  })

  it('a deferred length counts as the largest upload', async () => {
    const s = await start({ maxUploadSize: 1000, maxUnfinishedBytes: 2500 })
    const deferred = (): Promise<{ status: number; text: string }> =>
      request(s.url, 'POST', '/api/uploads', {
        ...auth(s.token),
        'Upload-Defer-Length': '1',
        'Upload-Metadata': encodeMetadata({ filename: 'live.webm' })
      })
    expect((await deferred()).status).toBe(201)
    expect((await deferred()).status).toBe(201)
    const third = await deferred()
    expect(third.status).toBe(429)
    expect(JSON.parse(third.text).error).toMatch(/2500 bytes|2\.4 KB/)
    expect((await createUpload(s, 500)).res.status).toBe(201)
  })
})
