/**
 * The edits API against a real server (issue 13): versions and stale writes, who may read and
 * change edits, refusals naming the field, search over the current callout texts, the view the
 * watch page polls (output clock, ETag/304), who may watch (the link on, renewed, off), and the
 * media rule: never the original's bytes to anyone but its owner while the edits hide something.
 *
 * The render service is closed before any test: no render can finish, so a video whose edits
 * cut something stays "being processed" for viewers (the served render is the lead's tests').
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { conflictMessage } from '../../server/src/edits/edits-rules'
import { loadEdits } from '../../src/shared/edits'
import { librarySql } from './engine'
import { signInWithFetch, type FetchSession } from './helpers-pages/session'
import {
  createUpload,
  makeVideo,
  request,
  startServer,
  tempDir,
  type RawResponse,
  type TestServer
} from './support'

let s: TestServer
let original: Buffer
let alice: FetchSession

type Json = Record<string, unknown>

async function upload(title: string): Promise<string> {
  const { res } = await createUpload(
    s,
    original.length,
    { filename: 'clip.mp4', title },
    s.token,
    original
  )
  expect(res.status).toBe(201)
  const id = res.headers['sidecast-video-id']
  expect(typeof id).toBe('string')
  return id as string
}

function call(
  method: string,
  pathname: string,
  headers: Record<string, string> = {},
  body?: unknown
): Promise<RawResponse & { json: Json }> {
  const payload = body === undefined ? undefined : JSON.stringify(body)
  return request(
    s.url,
    method,
    pathname,
    { ...(payload !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
    payload
  ).then((r) => ({
    ...r,
    json:
      r.text && /json/.test(String(r.headers['content-type'])) ? (JSON.parse(r.text) as Json) : {}
  }))
}

const bearer = (t: string): Record<string, string> => ({ Authorization: `Bearer ${t}` })

function callout(id: string, startMs: number, endMs: number, text: string): Json {
  return { id, type: 'callout', startMs, endMs, x: 0.1, y: 0.1, w: 0.4, h: 0.1, text }
}

/** Edits with one callout and nothing hidden. */
function calloutEdits(text: string, startMs = 200, endMs = 900): Json {
  return { version: 1, keep: [], annotations: [callout('c1', startMs, endMs, text)] }
}

/** Edits that cut 0.5–1 s out of the 2 s recording, with a callout after the cut. */
const CUT_EDITS = {
  version: 1,
  keep: [
    [0, 500],
    [1000, 1800]
  ],
  annotations: [callout('after', 1200, 1500, 'After the cut')]
}

function putEdits(
  id: string,
  baseVersion: number,
  edits: unknown,
  token = s.token
): ReturnType<typeof call> {
  return call('PUT', `/api/videos/${id}/edits`, bearer(token), { baseVersion, edits })
}

async function getEdits(id: string, token = s.token): Promise<{ version: number; edits: unknown }> {
  const r = await call('GET', `/api/videos/${id}/edits`, bearer(token))
  expect(r.status).toBe(200)
  return r.json as { version: number; edits: unknown }
}

async function search(q: string): Promise<string[]> {
  const r = await call('GET', `/api/videos?q=${encodeURIComponent(q)}`, bearer(s.otherToken))
  expect(r.status).toBe(200)
  return (r.json.videos as { id: string }[]).map((v) => v.id)
}

function setAccess(id: string, body: unknown, token = s.token): ReturnType<typeof call> {
  return call('POST', `/api/videos/${id}/access`, bearer(token), body)
}

/** The path of a visitor's link (`/s/<token>`) from its absolute address. */
function linkPath(linkUrl: unknown): string {
  expect(typeof linkUrl).toBe('string')
  const url = new URL(linkUrl as string)
  expect(url.origin).toBe(new URL(s.url).origin)
  expect(url.pathname).toMatch(/^\/s\/[A-Za-z0-9_-]{43}$/)
  return url.pathname
}

beforeAll(async () => {
  original = await makeVideo(path.join(tempDir('edits-api'), 'clip.mp4'))
  s = await startServer()
  // No render may finish in these tests (see the module comment).
  await s.app.library.renders.close()
  alice = await signInWithFetch(s.url, 'alice', 'alice-password')
})

afterAll(async () => {
  await s?.close()
})

describe('GET/PUT /api/videos/:id/edits', () => {
  it('saves baseVersion 0 as version 1, refuses a stale write (409) and keeps what was saved', async () => {
    const id = await upload('Versions')
    expect(await getEdits(id)).toEqual({
      version: 0,
      // An empty edits.json is written at the current format (EDITS_VERSION 2, the bubble's).
      edits: { version: 2, keep: [], annotations: [] }
    })

    const first = await putEdits(id, 0, calloutEdits('First text'))
    expect(first.status).toBe(200)
    expect(first.json.version).toBe(1)
    expect((first.json.video as Json).editsVersion).toBe(1)
    expect(await getEdits(id)).toEqual({
      version: 1,
      edits: loadEdits(calloutEdits('First text'))
    })

    // Another copy of the app still at version 0: refused, told the newest, nothing saved.
    const stale = await putEdits(id, 0, calloutEdits('Second text'))
    expect(stale.status).toBe(409)
    expect(stale.json).toEqual({ error: conflictMessage(0, 1), version: 1 })
    expect(await getEdits(id)).toEqual({
      version: 1,
      edits: loadEdits(calloutEdits('First text'))
    })
    // Ahead of the library is stale too.
    expect((await putEdits(id, 5, calloutEdits('Second text'))).json.version).toBe(1)

    const second = await putEdits(id, 1, calloutEdits('Second text'))
    expect(second.json.version).toBe(2)
    expect((await getEdits(id)).version).toBe(2)
  })

  it('lets the owner and an admin read and change edits, no one else (403, nothing saved)', async () => {
    const id = await upload('Owner only')
    expect((await putEdits(id, 0, calloutEdits('Mine'))).status).toBe(200)

    const read = await call('GET', `/api/videos/${id}/edits`, bearer(s.otherToken))
    expect(read.status).toBe(403)
    expect(read.json.error).toBe("Only the video's owner can read its edits.")
    const write = await putEdits(id, 1, calloutEdits('Not yours'), s.otherToken)
    expect(write.status).toBe(403)
    expect(await getEdits(id)).toEqual({ version: 1, edits: loadEdits(calloutEdits('Mine')) })

    expect((await getEdits(id, s.adminToken)).version).toBe(1)
    expect(
      (await putEdits(id, 1, calloutEdits('Fixed by an admin'), s.adminToken)).json.version
    ).toBe(2)
    expect(await call('GET', '/api/videos/nosuchvideo123/edits', bearer(s.token))).toMatchObject({
      status: 404
    })
  })

  it('gives the owner the saved edits back after the recording became shorter than them', async () => {
    const id = await upload('Shortened')
    const late = { version: 1, keep: [[1000, 1800]], annotations: [] }
    expect((await putEdits(id, 0, late)).status).toBe(200)
    // A new version of the recording (a `replaces` upload) keeps the edits; this one is 0.5 s.
    await librarySql(s.dataDir, 'UPDATE videos SET duration_ms = 500 WHERE id = ?', [id])
    expect(await getEdits(id)).toEqual({ version: 1, edits: loadEdits(late) })
    // Saving them again is checked against the new length.
    const refused = await putEdits(id, 1, late)
    expect(refused.status).toBe(400)
    expect(refused.json.error).toMatch(/keep has no range inside the recording \(0–500 ms\)/)
  })

  it('needs the CSRF header for a session write', async () => {
    const id = await upload('Session')
    const body = { baseVersion: 0, edits: calloutEdits('From the page') }
    const without = await call('PUT', `/api/videos/${id}/edits`, { Cookie: alice.cookie }, body)
    expect(without.status).toBe(403)
    expect((await getEdits(id)).version).toBe(0)
    const withCsrf = await call(
      'PUT',
      `/api/videos/${id}/edits`,
      { Cookie: alice.cookie, 'x-csrf-token': alice.csrf },
      body
    )
    expect(withCsrf.status).toBe(200)
    expect(withCsrf.json.version).toBe(1)
  })

  it('refuses bad edits with a reason naming the field, and saves nothing', async () => {
    const id = await upload('Refusals')
    const bad = {
      ...calloutEdits('x'),
      annotations: [{ ...callout('c', 0, 100, 'x'), startMs: -1 }]
    }
    const refused = await putEdits(id, 0, bad)
    expect(refused.status).toBe(400)
    expect(refused.json.error).toMatch(/^The edits were refused: .*annotations\[0\]\.startMs/)

    const unknown = await putEdits(id, 0, {
      version: 1,
      annotations: [{ id: 'z', type: 'sparkle', startMs: 0, endMs: 10 }]
    })
    expect(unknown.status).toBe(400)
    expect(unknown.json.error).toMatch(/annotations\[0\]\.type is "sparkle"/)

    const noBase = await call('PUT', `/api/videos/${id}/edits`, bearer(s.token), { edits: {} })
    expect(noBase.status).toBe(400)
    expect(noBase.json.error).toMatch(/baseVersion/)

    const notJson = await request(
      s.url,
      'PUT',
      `/api/videos/${id}/edits`,
      { ...bearer(s.token), 'Content-Type': 'text/plain' },
      '{}'
    )
    expect(notJson.status).toBe(415)

    const huge = calloutEdits('x'.repeat(600 * 1024))
    const tooLarge = await putEdits(id, 0, huge)
    expect(tooLarge.status).toBe(413)

    expect((await getEdits(id)).version).toBe(0)
  })
})

describe('search and the video JSON', () => {
  it('finds the current callout text and no longer the old one; callouts on the output clock', async () => {
    const id = await upload('Search me')
    expect(await search('pelican')).toEqual([])
    await putEdits(id, 0, calloutEdits('Press the pelican button'))
    expect(await search('pelican')).toEqual([id])

    await putEdits(id, 1, {
      ...CUT_EDITS,
      annotations: [callout('c1', 1200, 1500, 'Now the flamingo')]
    })
    expect(await search('pelican')).toEqual([])
    expect(await search('flamingo')).toEqual([id])

    const video = await call('GET', `/api/videos/${id}`, bearer(s.otherToken))
    // 1.2–1.5 s of the recording is 0.7–1 s of the output (0.5–1 s is cut).
    expect(video.json.callouts).toEqual([{ text: 'Now the flamingo', startMs: 700, endMs: 1000 }])
    expect(video.json.editsVersion).toBe(2)
  })

  it('never shows the link token; the owner and admins get linkUrl, others not', async () => {
    const id = await upload('Token kept')
    const on = await setAccess(id, { access: 'link' })
    expect(on.status).toBe(200)
    const token = linkPath(on.json.linkUrl).slice(3)

    const mine = await call('GET', `/api/videos/${id}`, bearer(s.token))
    expect(mine.json).toMatchObject({ access: 'link', linkUrl: on.json.linkUrl })
    expect((await call('GET', `/api/videos/${id}`, bearer(s.adminToken))).json.linkUrl).toBe(
      on.json.linkUrl
    )
    const theirs = await call('GET', `/api/videos/${id}`, bearer(s.otherToken))
    expect(theirs.json.access).toBe('link')
    expect(theirs.json).not.toHaveProperty('linkUrl')
    const list = await call('GET', '/api/videos?limit=200', bearer(s.otherToken))
    expect(mine.text).not.toContain('linkToken')
    for (const r of [theirs, list]) {
      expect(r.text).not.toContain(token)
      expect(r.text).not.toContain('linkToken')
    }
  })
})

describe('GET /api/videos/:id/view', () => {
  it('gives callouts on the output clock and the kept length, with an ETag and 304', async () => {
    const id = await upload('View')
    const before = await call('GET', `/api/videos/${id}/view`, bearer(s.otherToken))
    expect(before.status).toBe(200)
    expect(before.json).toMatchObject({
      version: 0,
      annotations: [],
      media: { kind: 'original' },
      mediaUrl: `/media/${id}`
    })
    expect(before.json.durationMs).toBeGreaterThanOrEqual(1800)
    expect(before.json).not.toHaveProperty('originalUrl')

    expect((await putEdits(id, 0, CUT_EDITS)).status).toBe(200)
    const view = await call('GET', `/api/videos/${id}/view`, bearer(s.otherToken))
    expect(view.json).toMatchObject({
      version: 1,
      durationMs: 1300,
      media: { kind: 'processing', failed: false }
    })
    expect(view.json.annotations).toEqual([
      expect.objectContaining({
        id: 'after',
        type: 'callout',
        startMs: 700,
        endMs: 1000,
        text: 'After the cut'
      })
    ])
    const etag = view.headers.etag
    expect(etag).toMatch(/^"[^"]+"$/)
    expect(etag).not.toBe(before.headers.etag)

    const again = await call('GET', `/api/videos/${id}/view`, {
      ...bearer(s.otherToken),
      'If-None-Match': etag as string
    })
    expect(again.status).toBe(304)
    expect(again.body.length).toBe(0)

    // A new version (a callout's text) changes the ETag: the poll gets it.
    await putEdits(id, 1, {
      ...CUT_EDITS,
      annotations: [callout('after', 1200, 1500, 'Fixed typo')]
    })
    const changed = await call('GET', `/api/videos/${id}/view`, {
      ...bearer(s.otherToken),
      'If-None-Match': etag as string
    })
    expect(changed.status).toBe(200)
    expect(changed.json.version).toBe(2)
    expect((changed.json.annotations as Json[])[0]?.text).toBe('Fixed typo')

    const owner = await call('GET', `/api/videos/${id}/view`, bearer(s.token))
    expect(owner.json.originalUrl).toBe(`/media/${id}?original=1`)
    expect(owner.headers.etag).not.toBe(changed.headers.etag)
  })
})

describe('the media rule', () => {
  it('gives a viewer the original while nothing is hidden, and none of it once a cut is saved', async () => {
    const id = await upload('Media rule')
    const plain = await request(s.url, 'GET', `/media/${id}`, bearer(s.otherToken))
    expect(plain.status).toBe(200)
    expect(plain.body.equals(original)).toBe(true)

    // Callouts hide nothing: still the original.
    await putEdits(id, 0, calloutEdits('Just a callout'))
    expect(
      (await request(s.url, 'GET', `/media/${id}`, bearer(s.otherToken))).body.equals(original)
    ).toBe(true)

    await putEdits(id, 1, CUT_EDITS)
    // The render was asked for (it cannot run here: the service is closed).
    expect(
      (await s.app.library.db.rendersOf(id)).filter(
        (r) => r.kind === 'viewer' && r.editsVersion === 2
      )
    ).toHaveLength(1)

    for (const [who, headers] of [
      ['member', bearer(s.otherToken)],
      ['member, a range', { ...bearer(s.otherToken), Range: 'bytes=0-1023' }],
      ['member, a download', bearer(s.otherToken)],
      ['owner without ?original=1', bearer(s.token)]
    ] as const) {
      const pathname = who.endsWith('download') ? `/media/${id}?download=1` : `/media/${id}`
      const r = await request(s.url, 'GET', pathname, headers)
      expect(r.status, who).toBe(409)
      expect(r.headers['retry-after'], who).toBe('5')
      expect(r.text, who).toBe('This video is being processed.')
    }

    const refused = await request(s.url, 'GET', `/media/${id}?original=1`, bearer(s.otherToken))
    expect(refused.status).toBe(403)
    expect(refused.body.length).toBeLessThan(200)

    const mine = await request(s.url, 'GET', `/media/${id}?original=1`, bearer(s.token))
    expect(mine.status).toBe(200)
    expect(mine.body.equals(original)).toBe(true)
    const ranged = await request(s.url, 'GET', `/media/${id}?original=1`, {
      ...bearer(s.adminToken),
      Range: 'bytes=10-19'
    })
    expect(ranged.status).toBe(206)
    expect(ranged.body.equals(original.subarray(10, 20))).toBe(true)
  })
})

describe('a recording whose edits follow (Upload-Metadata editsFollow)', () => {
  it('gives viewers nothing of it until its edits are in; then what the edits say', async () => {
    const { res } = await createUpload(
      s,
      original.length,
      { filename: 'clip.mp4', title: 'Edits follow', editsFollow: '1' },
      s.token,
      original
    )
    expect(res.status).toBe(201)
    const id = String(res.headers['sidecast-video-id'])
    expect((await s.app.library.db.getVideo(id))?.awaitingEdits).toBe(true)

    const waiting = await request(s.url, 'GET', `/media/${id}`, bearer(s.otherToken))
    expect(waiting.status).toBe(409)
    expect(waiting.body.equals(original)).toBe(false)
    // Its owner may watch the original meanwhile.
    const mine = await request(s.url, 'GET', `/media/${id}?original=1`, bearer(s.token))
    expect(mine.body.equals(original)).toBe(true)

    // Edits that hide nothing arrive: the original is what everyone sees.
    expect((await putEdits(id, 0, calloutEdits('Hello'))).status).toBe(200)
    expect((await s.app.library.db.getVideo(id))?.awaitingEdits).toBe(false)
    const after = await request(s.url, 'GET', `/media/${id}`, bearer(s.otherToken))
    expect(after.status).toBe(200)
    expect(after.body.equals(original)).toBe(true)
  })

  it('refuses a value other than 0 or 1, naming it', async () => {
    const { res } = await createUpload(s, original.length, {
      filename: 'clip.mp4',
      editsFollow: 'yes'
    })
    expect(res.status).toBe(400)
    expect(JSON.parse(res.text).error).toMatch(/^Upload-Metadata: editsFollow /)
  })
})

describe('serving a render', () => {
  it('sends the render file with Range as video/mp4; its file gone, "being processed"', async () => {
    const id = await upload('Rendered')
    await putEdits(id, 0, CUT_EDITS)
    // A stand-in for a finished render (the real ones are the render service's tests).
    const file = path.join(tempDir('render'), 'viewer-1.mp4')
    const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251))
    fs.writeFileSync(file, bytes)
    const media = vi.spyOn(s.app.library.renders, 'viewerMedia').mockResolvedValue({
      kind: 'render',
      file,
      sizeBytes: bytes.length,
      durationMs: 1300,
      editsVersion: 1,
      stale: false
    })
    try {
      const whole = await request(s.url, 'GET', `/media/${id}`, bearer(s.otherToken))
      expect(whole.status).toBe(200)
      expect(whole.headers['content-type']).toBe('video/mp4')
      expect(whole.body.equals(bytes)).toBe(true)

      const part = await request(s.url, 'GET', `/media/${id}?r=1`, {
        ...bearer(s.otherToken),
        Range: 'bytes=100-199'
      })
      expect(part.status).toBe(206)
      expect(part.headers['content-range']).toBe(`bytes 100-199/${bytes.length}`)
      expect(part.body.equals(bytes.subarray(100, 200))).toBe(true)

      const download = await request(s.url, 'GET', `/media/${id}?download=1`, bearer(s.token))
      expect(download.headers['content-disposition']).toMatch(/^attachment; filename="clip\.mp4"/)

      const view = await call('GET', `/api/videos/${id}/view`, bearer(s.otherToken))
      expect(view.json).toMatchObject({
        media: { kind: 'render', editsVersion: 1, stale: false },
        mediaUrl: `/media/${id}?r=1`
      })

      // Replaced by a newer render and removed between the lookup and the read: never the original.
      fs.rmSync(file)
      const gone = await request(s.url, 'GET', `/media/${id}`, bearer(s.otherToken))
      expect(gone.status).toBe(409)
      expect(gone.text).toBe('This video is being processed.')
    } finally {
      media.mockRestore()
    }
  })
})

describe('a failed render', () => {
  it('is told to every viewer; why (it may name server files) only to the owner', async () => {
    const id = await upload('Failed render')
    await putEdits(id, 0, CUT_EDITS)
    const why = 'The render failed: ffmpeg could not read /srv/sidecast/data/uploads/x'
    const media = vi
      .spyOn(s.app.library.renders, 'viewerMedia')
      .mockResolvedValue({ kind: 'processing', failed: why })
    try {
      const member = await call('GET', `/api/videos/${id}/view`, bearer(s.otherToken))
      expect(member.json.media).toEqual({ kind: 'processing', failed: true })
      expect(member.text).not.toContain('/srv/')
      const owner = await call('GET', `/api/videos/${id}/view`, bearer(s.token))
      expect(owner.json.media).toEqual({ kind: 'processing', failed: true, error: why })
      const bytes = await request(s.url, 'GET', `/media/${id}`, bearer(s.otherToken))
      expect(bytes.status).toBe(409)
    } finally {
      media.mockRestore()
    }
  })
})

describe('who may watch: POST /api/videos/:id/access and /s/:token', () => {
  it('opens the video to anyone with the link, without the library around it', async () => {
    const id = await upload('Customer walkthrough')
    expect((await setAccess(id, { access: 'link' }, s.otherToken)).status).toBe(403)
    const noCsrf = await call(
      'POST',
      `/api/videos/${id}/access`,
      { Cookie: alice.cookie },
      { access: 'link' }
    )
    expect(noCsrf.status).toBe(403)
    expect((await setAccess(id, { access: 'everyone' })).status).toBe(400)

    const on = await setAccess(id, { access: 'link' })
    expect(on.status).toBe(200)
    expect(on.json.access).toBe('link')
    const link = linkPath(on.json.linkUrl)
    // Turning it on again keeps the same link.
    expect((await setAccess(id, { access: 'link' })).json.linkUrl).toBe(on.json.linkUrl)

    const page = await request(s.url, 'GET', link, { Accept: 'text/html' })
    expect(page.status).toBe(200)
    expect(page.text).toContain('Customer walkthrough')
    expect(page.text).toContain(`${link}/media`)
    expect(page.text).toMatch(/<meta name="robots" content="noindex/)
    expect(page.text).not.toMatch(/role="search"/)
    expect(page.text).not.toContain('href="/profile"')
    expect(page.text).not.toContain(`/media/${id}`)
    expect(page.text).not.toContain('original=1')

    const media = await request(s.url, 'GET', `${link}/media`)
    expect(media.status).toBe(200)
    expect(media.body.equals(original)).toBe(true)
    const view = await request(s.url, 'GET', `${link}/view`)
    expect(view.status).toBe(200)
    expect(JSON.parse(view.text)).toMatchObject({ version: 0, mediaUrl: `${link}/media` })
    expect(JSON.parse(view.text)).not.toHaveProperty('originalUrl')
    expect((await request(s.url, 'GET', `${link}/thumb.jpg`)).headers['content-type']).toBe(
      'image/jpeg'
    )

    // The link is no key to the library: signed-in routes still want a sign-in.
    expect((await request(s.url, 'GET', `/media/${id}`)).status).toBe(401)
    expect((await request(s.url, 'GET', `/api/videos/${id}/view`)).status).toBe(401)
  })

  it('gives a visitor none of the original once the edits hide something', async () => {
    const id = await upload('Redacted for visitors')
    const link = linkPath((await setAccess(id, { access: 'link' })).json.linkUrl)
    await putEdits(id, 0, CUT_EDITS)

    for (const pathname of [`${link}/media`, `${link}/media?original=1`]) {
      const r = await request(s.url, 'GET', pathname, { Range: 'bytes=0-' })
      expect(r.status, pathname).toBe(409)
      expect(r.text, pathname).toBe('This video is being processed.')
    }
    // The thumbnail is a frame of the original: not shown while something is hidden.
    expect((await request(s.url, 'GET', `${link}/thumb.jpg`)).status).toBe(404)
    const page = await request(s.url, 'GET', link, { Accept: 'text/html' })
    expect(page.status).toBe(200)
    expect(page.text).not.toContain('thumb.jpg')
    const view = JSON.parse((await request(s.url, 'GET', `${link}/view`)).text) as Json
    expect(view).toMatchObject({ version: 1, durationMs: 1300, media: { kind: 'processing' } })
  })

  it('renews the link (the old one stops working) and turns it off (forgetting it)', async () => {
    const id = await upload('Renewed')
    const first = linkPath((await setAccess(id, { access: 'link' })).json.linkUrl)
    const renewed = await setAccess(id, { access: 'link', renew: true })
    expect(renewed.status).toBe(200)
    const second = linkPath(renewed.json.linkUrl)
    expect(second).not.toBe(first)

    const gone = await request(s.url, 'GET', first, { Accept: 'text/html' })
    expect(gone.status).toBe(404)
    expect(gone.text).toContain('This link was turned off or never existed.')
    expect(gone.text).not.toContain('Renewed')
    expect((await request(s.url, 'GET', `${first}/media`)).status).toBe(404)
    expect((await request(s.url, 'GET', `${first}/view`)).status).toBe(404)
    expect((await request(s.url, 'GET', second)).status).toBe(200)

    const off = await setAccess(id, { access: 'team' })
    expect(off.json).toEqual({ access: 'team', linkUrl: null })
    expect((await request(s.url, 'GET', second)).status).toBe(404)
    expect((await request(s.url, 'GET', `${second}/media`)).status).toBe(404)
    expect((await call('GET', `/api/videos/${id}`, bearer(s.token))).json.linkUrl).toBeNull()

    // On again: a new link, never the one turned off.
    const third = linkPath((await setAccess(id, { access: 'link' })).json.linkUrl)
    expect([first, second]).not.toContain(third)
    expect((await request(s.url, 'GET', third)).status).toBe(200)

    // An address that is no token at all gets the same answer.
    const never = await request(s.url, 'GET', '/s/not-a-token', { Accept: 'text/html' })
    expect(never.status).toBe(404)
    expect(never.text).toContain('This link was turned off or never existed.')
  })
})
