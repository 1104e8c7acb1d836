/**
 * Two library server PROCESSES on one PostgreSQL database, one Redis and one shared data folder
 * (file storage), behind nginx round-robin (issue 16): uploads whose PATCHes alternate between
 * instances, two clients on one upload through different instances, an instance killed in the
 * middle of a PATCH, a session made on one instance used on the other, a video uploaded through
 * one found through the other.
 *
 * Runs in the PostgreSQL pass of the server suite (SIDECAST_TEST_DATABASE=postgres) with
 * SIDECAST_TEST_POSTGRES_URL and SIDECAST_TEST_REDIS_URL (npm run test:server sets them through
 * scripts/with-services.ts) and nginx; skipped with the reason otherwise.
 * Instances are addressed directly (A, B) where the scenario needs a given instance, through
 * nginx where the issue says "behind nginx".
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  addUser,
  multiInstanceUnavailable,
  openPatch,
  sha256,
  startCluster,
  type Answer,
  type Cluster,
  type Instance
} from './multi-support'
import { encodeMetadata, makeVideo, request, tempDir, waitFor } from './support'

const unavailable = multiInstanceUnavailable()
const PASSWORD = 'alice-password-multi'

describe.skipIf(unavailable !== null)(
  `two instances behind nginx${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let cluster: Cluster
    let A: Instance
    let B: Instance
    let token = ''
    let video: Buffer

    beforeAll(async () => {
      const work = tempDir('multi-video')
      video = await makeVideo(path.join(work, 'clip.mp4'), { seconds: 3, faststart: true })
      cluster = await startCluster({
        postgresAdminUrl: process.env.SIDECAST_TEST_POSTGRES_URL as string,
        redisUrl: process.env.SIDECAST_TEST_REDIS_URL as string,
        prefix: 'multi',
        prepare: async (env) => {
          token = await addUser(env, 'alice', PASSWORD)
        }
      })
      ;[A, B] = cluster.instances as [Instance, Instance]
    }, 300_000)

    afterAll(async () => {
      await cluster?.stop()
    }, 60_000)

    const auth = (): Record<string, string> => ({
      'Tus-Resumable': '1.0.0',
      Authorization: `Bearer ${token}`
    })

    /** POST /api/uploads at `base`; the upload's path and id. */
    async function create(base: string, title: string): Promise<{ path: string; id: string }> {
      const res = await request(base, 'POST', '/api/uploads', {
        ...auth(),
        'Upload-Length': video.length,
        'Upload-Metadata': encodeMetadata({ filename: 'clip.mp4', title })
      })
      expect(res.status, res.text).toBe(201)
      const location = new URL(res.headers.location ?? '')
      // Links name the public address (nginx), whichever instance made them.
      expect(location.origin).toBe(cluster.nginx.url)
      return { path: location.pathname, id: location.pathname.split('/').pop() ?? '' }
    }

    function patchAt(base: string, uploadPath: string, offset: number, body: Buffer) {
      return request(
        base,
        'PATCH',
        uploadPath,
        {
          ...auth(),
          'Upload-Offset': offset,
          'Content-Type': 'application/offset+octet-stream'
        },
        body
      )
    }

    /** The upload's bytes stored so far (file storage: `<data>/uploads/<id>`). */
    const stored = (id: string): Buffer => {
      try {
        return fs.readFileSync(path.join(cluster.env.dataDir, 'uploads', id))
      } catch {
        return Buffer.alloc(0)
      }
    }
    const storedSize = (id: string): number => {
      try {
        return fs.statSync(path.join(cluster.env.dataDir, 'uploads', id)).size
      } catch {
        return 0
      }
    }

    /** The finished video: its stored original and what /media serves through `base`. */
    async function finishedBytes(
      base: string,
      uploadId: string,
      videoId: string
    ): Promise<{ file: Buffer; served: Buffer }> {
      await waitFor('the video in the library', async () => {
        const res = await request(base, 'GET', `/api/videos/${videoId}`, {
          Authorization: `Bearer ${token}`
        })
        return res.status === 200
      })
      const file = fs.readFileSync(path.join(cluster.env.dataDir, 'videos', uploadId))
      const media = await request(base, 'GET', `/media/${videoId}`, {
        Authorization: `Bearer ${token}`
      })
      expect(media.status).toBe(200)
      return { file, served: media.body }
    }

    const videoIdOf = (res: Answer): string => String(res.headers['sidecast-video-id'] ?? '')

    it('an upload whose PATCHes alternate between the instances completes with identical bytes', async () => {
      const upload = await create(cluster.nginx.url, 'Alternating')
      const pieces = 6
      const step = Math.ceil(video.length / pieces)
      const upstreams: string[] = []
      let last: Answer | null = null
      for (let offset = 0; offset < video.length; offset += step) {
        const res = await patchAt(
          cluster.nginx.url,
          upload.path,
          offset,
          video.subarray(offset, offset + step)
        )
        expect(res.status, res.text).toBe(204)
        expect(Number(res.headers['upload-offset'])).toBe(Math.min(offset + step, video.length))
        upstreams.push(String(res.headers['x-sidecast-upstream']))
        last = res
      }
      // Round-robin, one request at a time: every PATCH went to the other instance than the last.
      expect(new Set(upstreams)).toEqual(new Set([`127.0.0.1:${A.port}`, `127.0.0.1:${B.port}`]))
      for (let i = 1; i < upstreams.length; i++) expect(upstreams[i]).not.toBe(upstreams[i - 1])

      const videoId = videoIdOf(last as Answer)
      expect(videoId).not.toBe('')
      const { file, served } = await finishedBytes(cluster.nginx.url, upload.id, videoId)
      expect(sha256(file)).toBe(sha256(video))
      expect(sha256(served)).toBe(sha256(video))
    })

    it('two clients on one upload through different instances: the holder lets go, the stale one gets 409, the bytes stay a prefix', async () => {
      const upload = await create(cluster.nginx.url, 'Two clients')
      const first = Math.floor(video.length * 0.4)
      // Client 1 through A: a PATCH of the whole file, of which only the first 40 % is sent.
      const one = openPatch(A.url, upload.path, token, 0, video.length)
      await one.send(video.subarray(0, first))
      await waitFor('client 1 bytes stored', async () => storedSize(upload.id) === first)
      expect(one.settled()).toBe(false)

      // Client 2 through B, from offset 0: it waits for A to let go of the lock, then the offset
      // has moved on — 409, nothing written.
      const two = await patchAt(B.url, upload.path, 0, video)
      expect(two.status, two.text).toBe(409)

      // A let go when asked: client 1's PATCH was answered although its body is unfinished,
      // with the offset of what it stored.
      const answered = await waitFor('client 1 answered', async () =>
        one.settled() ? one.answer.catch((e: Error) => e) : null
      )
      one.destroy()
      expect(answered).not.toBeInstanceOf(Error)
      expect((answered as Answer).status).toBe(204)
      expect(Number((answered as Answer).headers['upload-offset'])).toBe(first)

      // What is stored is exactly a prefix of what was sent, and every instance says so.
      const bytes = stored(upload.id)
      expect(bytes.length).toBe(first)
      expect(bytes.equals(video.subarray(0, first))).toBe(true)
      for (const base of [A.url, B.url]) {
        const head = await request(base, 'HEAD', upload.path, auth())
        expect(head.status).toBe(200)
        expect(Number(head.headers['upload-offset'])).toBe(first)
      }

      // The upload still finishes, from where it is, and the bytes are the file's.
      const rest = await patchAt(B.url, upload.path, first, video.subarray(first))
      expect(rest.status, rest.text).toBe(204)
      const { file } = await finishedBytes(B.url, upload.id, videoIdOf(rest))
      expect(sha256(file)).toBe(sha256(video))
    })

    it('an instance killed with SIGKILL mid-PATCH: the upload completes through the other from the stored offset', async () => {
      const C = await cluster.startExtra('C')
      const upload = await create(C.url, 'Crash')
      const sent = Math.floor(video.length * 0.5)
      const patch = openPatch(C.url, upload.path, token, 0, video.length)
      await patch.send(video.subarray(0, sent))
      await waitFor('bytes stored through C', async () => storedSize(upload.id) === sent)
      // The PATCH is still streaming (its body unfinished) when C dies.
      expect(patch.settled()).toBe(false)
      await C.crash()
      const cut = await patch.answer.then(
        (a) => a,
        (e: Error) => e
      )
      patch.destroy()
      // The client heard no success: the connection went with the process.
      expect(cut instanceof Error || cut.status !== 204).toBe(true)

      // What C stored before it died stays, and is the start of the file.
      const before = stored(upload.id)
      expect(before.length).toBe(sent)
      expect(before.equals(video.subarray(0, sent))).toBe(true)

      // Through B: HEAD waits until the dead instance's lock expires, then says the offset.
      const head = await request(B.url, 'HEAD', upload.path, auth())
      expect(head.status).toBe(200)
      const offset = Number(head.headers['upload-offset'])
      expect(offset).toBe(before.length)
      const rest = await patchAt(B.url, upload.path, offset, video.subarray(offset))
      expect(rest.status, rest.text).toBe(204)
      const { file, served } = await finishedBytes(B.url, upload.id, videoIdOf(rest))
      expect(sha256(file)).toBe(sha256(video))
      expect(sha256(served)).toBe(sha256(video))
    })

    /** Signs in with the form at `base` (cookie + CSRF); the session cookie. */
    async function signIn(base: string): Promise<string> {
      const form = await request(base, 'GET', '/signin')
      expect(form.status).toBe(200)
      const setCookie = ([] as string[]).concat(form.headers['set-cookie'] ?? [])
      const signinCookie = /sidecast_signin=([^;]+)/.exec(setCookie.join('\n'))?.[1]
      const csrf = /name="csrf" value="([^"]+)"/.exec(form.text)?.[1]
      expect(signinCookie).toBeTruthy()
      expect(csrf).toBe(signinCookie)
      const body = new URLSearchParams({
        name: 'alice',
        password: PASSWORD,
        csrf: csrf as string,
        next: '/'
      }).toString()
      const res = await request(
        base,
        'POST',
        '/signin',
        {
          'Content-Type': 'application/x-www-form-urlencoded',
          Cookie: `sidecast_signin=${signinCookie}`,
          Origin: cluster.nginx.url
        },
        body
      )
      expect(res.status, res.text).toBe(303)
      const session = /sidecast_session=([^;]+)/.exec(
        ([] as string[]).concat(res.headers['set-cookie'] ?? []).join('\n')
      )?.[1]
      expect(session).toBeTruthy()
      return `sidecast_session=${session}`
    }

    it('signed in through one instance, the session works through the other (page, API write, sign-out form)', async () => {
      const cookie = await signIn(A.url)

      // B knows the session A made: the library page, signed in.
      const page = await request(B.url, 'GET', '/', { Cookie: cookie })
      expect(page.status).toBe(200)
      expect(page.text).toContain('alice')
      const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1]
      expect(csrf).toBeTruthy()

      // An API write with the session through B, read back through A.
      const title = `Walkthrough of the ${crypto.randomBytes(4).toString('hex')} screen`
      const made = await request(
        B.url,
        'POST',
        '/api/requests',
        {
          Cookie: cookie,
          'x-csrf-token': csrf as string,
          'Content-Type': 'application/json',
          Origin: cluster.nginx.url
        },
        JSON.stringify({ title })
      )
      expect(made.status, made.text).toBe(201)
      const requestId = (JSON.parse(made.text) as { id: string }).id
      const seen = await request(A.url, 'GET', `/api/requests/${requestId}`, { Cookie: cookie })
      expect(seen.status).toBe(200)
      expect((JSON.parse(seen.text) as { title: string }).title).toBe(title)

      // A form post through B (sign out); A no longer knows the session.
      const out = await request(
        B.url,
        'POST',
        '/signout',
        {
          Cookie: cookie,
          'Content-Type': 'application/x-www-form-urlencoded',
          Origin: cluster.nginx.url
        },
        new URLSearchParams({ csrf: csrf as string }).toString()
      )
      expect(out.status, out.text).toBe(303)
      expect(out.headers.location).toContain('/signin')
      const after = await request(A.url, 'GET', '/', { Cookie: cookie })
      expect(after.status).toBeGreaterThanOrEqual(300)
      expect(after.status).toBeLessThan(400)
      expect(after.headers.location).toContain('/signin')
    })

    it('a video uploaded through one instance is found through the other (API and library page) and through nginx', async () => {
      const word = `quokka${crypto.randomBytes(4).toString('hex')}`
      const upload = await create(A.url, `How the ${word} report is made`)
      const res = await patchAt(A.url, upload.path, 0, video)
      expect(res.status, res.text).toBe(204)
      const videoId = videoIdOf(res)
      expect(videoId).not.toBe('')

      for (const base of [B.url, cluster.nginx.url]) {
        const found = await request(base, 'GET', `/api/videos?q=${word}`, {
          Authorization: `Bearer ${token}`
        })
        expect(found.status).toBe(200)
        const json = JSON.parse(found.text) as { videos: { id: string }[]; total: number }
        expect(json.total).toBe(1)
        expect(json.videos.map((v) => v.id)).toEqual([videoId])
      }
      const cookie = await signIn(B.url)
      const page = await request(B.url, 'GET', `/?q=${word}`, { Cookie: cookie })
      expect(page.status).toBe(200)
      expect(page.text).toContain(`/v/${videoId}`)
      const none = await request(B.url, 'GET', `/?q=${word}x`, { Cookie: cookie })
      expect(none.status).toBe(200)
      expect(none.text).not.toContain(`/v/${videoId}`)
    })
  }
)
