/** The JSON API: /api/me, search, one video, PATCH and DELETE with owner/admin rules. */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SESSION_COOKIE } from '../../server/src/auth'
import { createUpload, makeVideo, request, startServer, tempDir, type TestServer } from './support'

let s: TestServer
let video: Buffer
let aliceVideo = ''
let bobVideo = ''

async function upload(token: string, meta: Record<string, string>): Promise<string> {
  const { res } = await createUpload(s, video.length, meta, token, video)
  expect(res.status).toBe(201)
  return res.headers['sidecast-video-id'] as string
}

function call(
  method: string,
  pathname: string,
  headers: Record<string, string> = {},
  body?: unknown
): Promise<{ status: number; json: Record<string, unknown>; headers: Record<string, unknown> }> {
  const payload = body === undefined ? undefined : JSON.stringify(body)
  return request(
    s.url,
    method,
    pathname,
    { ...(payload ? { 'Content-Type': 'application/json' } : {}), ...headers },
    payload
  ).then((r) => ({
    status: r.status,
    json: r.text ? (JSON.parse(r.text) as Record<string, unknown>) : {},
    headers: r.headers
  }))
}

const bearer = (t: string): Record<string, string> => ({ Authorization: `Bearer ${t}` })

beforeAll(async () => {
  video = await makeVideo(path.join(tempDir('vid'), 'clip.mp4'))
  s = await startServer()
  aliceVideo = await upload(s.token, {
    filename: 'onboarding.mp4',
    title: 'Onboarding tour',
    description: 'How to file an expense report',
    callouts: JSON.stringify([{ text: 'Click the pelican button', startMs: 0, endMs: 500 }])
  })
  bobVideo = await upload(s.otherToken, { filename: 'release.mp4', title: 'Release checklist' })
})

afterAll(async () => {
  await s?.close()
})

describe('GET /api/me', () => {
  it('answers name, admin and what the library can do', async () => {
    expect((await call('GET', '/api/me', bearer(s.token))).json).toEqual({
      name: 'alice',
      admin: false,
      features: ['edits', 'camera', 'learn']
    })
    expect((await call('GET', '/api/me', bearer(s.adminToken))).json).toEqual({
      name: 'root',
      admin: true,
      features: ['edits', 'camera', 'learn']
    })
  })
})

describe('GET /api/videos', () => {
  it('lists newest first with a total', async () => {
    const r = await call('GET', '/api/videos', bearer(s.token))
    expect(r.status).toBe(200)
    const videos = r.json.videos as { id: string; url: string; thumbnailUrl: string }[]
    expect(videos.map((v) => v.id)).toEqual([bobVideo, aliceVideo])
    expect(r.json.total).toBe(2)
    expect(videos[0]?.url).toBe(`${s.url}/v/${bobVideo}`)
    expect(videos[0]?.thumbnailUrl).toBe(`${s.url}/thumbs/${bobVideo}.jpg`)
  })

  it.each([
    ['title', 'onboarding', 'alice'],
    ['description', 'expense', 'alice'],
    ['callout text', 'pelican', 'alice'],
    ['author', 'bob', 'bob'],
    ['word prefix', 'checkl', 'bob'],
    ['several words', 'release checklist', 'bob']
  ])('searches by %s (%s)', async (_what, q, who) => {
    const r = await call('GET', `/api/videos?q=${encodeURIComponent(q)}`, bearer(s.token))
    const ids = (r.json.videos as { id: string }[]).map((v) => v.id)
    expect(ids).toEqual([who === 'alice' ? aliceVideo : bobVideo])
    expect(r.json.total).toBe(1)
  })

  it('treats search syntax as text', async () => {
    for (const q of ['"', 'a OR b', 'NEAR(', '*', 'title:x', "'; DROP TABLE videos; --"]) {
      const r = await call('GET', `/api/videos?q=${encodeURIComponent(q)}`, bearer(s.token))
      expect(r.status, q).toBe(200)
    }
    expect((await call('GET', '/api/videos?q=zzzznothing', bearer(s.token))).json.total).toBe(0)
  })

  it('pages with limit and offset', async () => {
    const r = await call('GET', '/api/videos?limit=1&offset=1', bearer(s.token))
    expect((r.json.videos as { id: string }[]).map((v) => v.id)).toEqual([aliceVideo])
    expect(r.json.total).toBe(2)
  })
})

describe('one video', () => {
  it('GET returns it; an unknown id is 404 JSON', async () => {
    const r = await call('GET', `/api/videos/${aliceVideo}`, bearer(s.otherToken))
    expect(r.status).toBe(200)
    expect(r.json.title).toBe('Onboarding tour')
    const missing = await call('GET', '/api/videos/doesnotexist1', bearer(s.token))
    expect(missing.status).toBe(404)
    expect(missing.json.error).toBeTruthy()
  })

  it('PATCH: the owner may, another user may not (403), an admin may', async () => {
    let r = await call('PATCH', `/api/videos/${aliceVideo}`, bearer(s.otherToken), {
      title: 'hijacked'
    })
    expect(r.status).toBe(403)
    r = await call('PATCH', `/api/videos/${aliceVideo}`, bearer(s.token), {
      title: 'Onboarding, take 2'
    })
    expect(r.status).toBe(200)
    expect(r.json.title).toBe('Onboarding, take 2')
    r = await call('PATCH', `/api/videos/${aliceVideo}`, bearer(s.adminToken), {
      description: 'by the admin'
    })
    expect(r.status).toBe(200)
    expect(r.json.title).toBe('Onboarding, take 2')
    expect(r.json.description).toBe('by the admin')
    // The search index follows the edit.
    const found = await call('GET', '/api/videos?q=take', bearer(s.token))
    expect(found.json.total).toBe(1)
  })

  it('PATCH validates its body', async () => {
    const cases: [unknown, number][] = [
      [{ title: '' }, 400],
      [{ title: 't'.repeat(201) }, 400],
      [{ title: 5 }, 400],
      [{ ownerId: 2 }, 400],
      [[1], 400]
    ]
    for (const [body, status] of cases) {
      const r = await call('PATCH', `/api/videos/${aliceVideo}`, bearer(s.token), body)
      expect(r.status, JSON.stringify(body)).toBe(status)
      expect(r.json.error).toBeTruthy()
    }
    const notJson = await request(
      s.url,
      'PATCH',
      `/api/videos/${aliceVideo}`,
      { ...bearer(s.token), 'Content-Type': 'application/json' },
      '{oops'
    )
    expect(notJson.status).toBe(400)
    const wrongType = await request(
      s.url,
      'PATCH',
      `/api/videos/${aliceVideo}`,
      { ...bearer(s.token), 'Content-Type': 'text/plain' },
      'x'
    )
    expect(wrongType.status).toBe(415)
  })

  it('DELETE: another user 403; the owner 204, and the bytes and thumbnail go too', async () => {
    const extra = await upload(s.token, { filename: 'gone.mp4', title: 'To delete' })
    const where = (await s.app.library.db.videoStorage(extra))!
    const file = path.join(s.dataDir, 'videos', where.uploadId)
    const thumb = path.join(s.dataDir, 'thumbs', `${extra}.jpg`)
    expect(fs.existsSync(file) && fs.existsSync(thumb)).toBe(true)
    expect((await call('DELETE', `/api/videos/${extra}`, bearer(s.otherToken))).status).toBe(403)
    expect((await call('DELETE', `/api/videos/${extra}`, bearer(s.token))).status).toBe(204)
    expect((await call('GET', `/api/videos/${extra}`, bearer(s.token))).status).toBe(404)
    expect(fs.existsSync(file)).toBe(false)
    expect(fs.existsSync(thumb)).toBe(false)
    expect((await call('DELETE', `/api/videos/${extra}`, bearer(s.token))).status).toBe(404)
  })

  it('an admin may delete anyone’s video', async () => {
    const extra = await upload(s.otherToken, { filename: 'b.mp4', title: 'Bob’s other' })
    expect((await call('DELETE', `/api/videos/${extra}`, bearer(s.adminToken))).status).toBe(204)
  })

  it('unknown routes and wrong methods answer JSON errors', async () => {
    const r = await call('GET', '/api/nope', bearer(s.token))
    expect(r.status).toBe(404)
    expect(r.json.error).toBeTruthy()
    expect((await call('POST', '/api/videos', bearer(s.token), {})).status).toBe(405)
    expect((await call('POST', `/api/videos/${aliceVideo}`, bearer(s.token), {})).status).toBe(405)
  })
})

describe('session auth (the pages’ scripts)', () => {
  it('reads with the cookie; writes need the x-csrf-token of that session', async () => {
    const session = await s.app.library.db.createSession(s.user.id)
    const cookie = { Cookie: `${SESSION_COOKIE}=${session.id}` }
    expect((await call('GET', '/api/me', cookie)).json).toEqual({
      name: 'alice',
      admin: false,
      features: ['edits', 'camera', 'learn']
    })

    let r = await call('PATCH', `/api/videos/${aliceVideo}`, cookie, { title: 'via session' })
    expect(r.status).toBe(403)
    r = await call(
      'PATCH',
      `/api/videos/${aliceVideo}`,
      { ...cookie, 'x-csrf-token': 'wrong' },
      { title: 'via session' }
    )
    expect(r.status).toBe(403)
    const otherSession = await s.app.library.db.createSession(s.user.id)
    r = await call(
      'PATCH',
      `/api/videos/${aliceVideo}`,
      { ...cookie, 'x-csrf-token': otherSession.csrf },
      { title: 'x' }
    )
    expect(r.status).toBe(403)
    r = await call(
      'PATCH',
      `/api/videos/${aliceVideo}`,
      { ...cookie, 'x-csrf-token': session.csrf },
      { title: 'via session' }
    )
    expect(r.status).toBe(200)
    expect(r.json.title).toBe('via session')

    await s.app.library.db.deleteSession(session.id)
    expect((await call('GET', '/api/me', cookie)).status).toBe(401)
  })

  it('a session cookie does not open the upload endpoint (tokens only)', async () => {
    const session = await s.app.library.db.createSession(s.user.id)
    const r = await request(s.url, 'POST', '/api/uploads', {
      'Tus-Resumable': '1.0.0',
      Cookie: `${SESSION_COOKIE}=${session.id}`,
      'Upload-Length': 10
    })
    expect(r.status).toBe(401)
  })
})
