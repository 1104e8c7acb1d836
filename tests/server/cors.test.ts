/**
 * Cross-origin requests to the API (server/src/cors.ts), over raw HTTP: a preflight is answered
 * without a token, everything else still needs one; answers are readable (`*`, exposed headers)
 * but never with credentials; the pages get no CORS at all. The browser's side of it:
 * cors-browser.test.ts.
 */
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  auth,
  createUpload,
  head,
  makeVideo,
  patch,
  request,
  serversPerTest,
  tempDir,
  TUS,
  type RawResponse
} from './support'

const servers = serversPerTest()
const ORIGIN = 'https://uploader.example'

function preflight(
  base: string,
  pathname: string,
  method: string,
  requestHeaders: string
): Promise<RawResponse> {
  return request(base, 'OPTIONS', pathname, {
    Origin: ORIGIN,
    'Access-Control-Request-Method': method,
    'Access-Control-Request-Headers': requestHeaders
  })
}

function listed(header: string | string[] | undefined): string[] {
  return String(header ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean)
}

const TUS_REQUEST_HEADERS = [
  'authorization',
  'content-type',
  'tus-resumable',
  'upload-length',
  'upload-offset',
  'upload-metadata',
  'upload-defer-length',
  'upload-concat',
  'x-http-method-override',
  'x-requested-with'
]

describe('a CORS preflight', () => {
  it('is answered 204 without a token on the upload endpoints and the JSON API', async () => {
    const s = await servers.start()
    const { path: up } = await createUpload(s, 1000)
    const cases: [string, string, string][] = [
      ['/api/uploads', 'POST', 'authorization,tus-resumable,upload-length,upload-metadata'],
      [up, 'PATCH', 'authorization,content-type,tus-resumable,upload-offset'],
      [up, 'HEAD', 'authorization,tus-resumable'],
      [up, 'DELETE', 'authorization,tus-resumable'],
      [`${up}/status`, 'GET', 'authorization'],
      ['/api/uploads/00000000000000000000000000000000', 'PATCH', 'authorization'],
      ['/api/me', 'GET', 'authorization'],
      ['/api/videos', 'GET', 'authorization'],
      ['/api/videos/abcdefghijklmnop', 'PATCH', 'authorization,content-type'],
      ['/api/videos/abcdefghijklmnop', 'DELETE', 'authorization']
    ]
    for (const [pathname, method, requested] of cases) {
      const r = await preflight(s.url, pathname, method, requested)
      const what = `preflight for ${method} ${pathname}`
      expect(r.status, what).toBe(204)
      expect(r.text, what).toBe('')
      expect(r.headers['access-control-allow-origin'], what).toBe('*')
      expect(r.headers['access-control-allow-credentials'], what).toBeUndefined()
      const methods = listed(r.headers['access-control-allow-methods'])
      for (const m of ['get', 'head', 'post', 'patch', 'delete', 'options']) {
        expect(methods, what).toContain(m)
      }
      const allowed = listed(r.headers['access-control-allow-headers'])
      for (const h of TUS_REQUEST_HEADERS) expect(allowed, what).toContain(h)
      // The pages' CSRF header is not for other origins.
      expect(allowed, what).not.toContain('x-csrf-token')
      expect(Number(r.headers['access-control-max-age']), what).toBeGreaterThan(0)
      // It says nothing about the library or the upload.
      expect(r.headers['tus-max-size'], what).toBeUndefined()
      expect(r.headers['upload-offset'], what).toBeUndefined()
    }
    // The preflights changed nothing: the upload is where it was.
    const h = await head(s, up)
    expect(h.status).toBe(200)
    expect(h.headers['upload-offset']).toBe('0')
  })

  it('even with a session cookie, never allows credentials', async () => {
    const s = await servers.start()
    const session = await s.app.library.db.createSession(s.user.id)
    const r = await request(s.url, 'OPTIONS', '/api/me', {
      Origin: ORIGIN,
      'Access-Control-Request-Method': 'GET',
      Cookie: `sidecast_session=${session.id}`
    })
    expect(r.status).toBe(204)
    expect(r.headers['access-control-allow-origin']).toBe('*')
    expect(r.headers['access-control-allow-credentials']).toBeUndefined()
  })

  it('is not answered on the pages: no CORS allowance there', async () => {
    const s = await servers.start()
    for (const pathname of ['/', '/signin', '/login', '/v/abcdefghijklmnop', '/profile']) {
      for (const method of ['GET', 'POST']) {
        const r = await preflight(s.url, pathname, method, 'content-type')
        const what = `preflight for ${method} ${pathname}`
        expect(r.status, what).not.toBe(204)
        expect(r.headers['access-control-allow-origin'], what).toBeUndefined()
        expect(r.headers['access-control-allow-methods'], what).toBeUndefined()
        expect(r.headers['access-control-allow-headers'], what).toBeUndefined()
      }
      const g = await request(s.url, 'GET', pathname, { Origin: ORIGIN })
      expect(g.headers['access-control-allow-origin'], `GET ${pathname}`).toBeUndefined()
    }
  })
})

describe('everything but the preflight', () => {
  it('still needs the token, also from another origin (and the 401 is readable there)', async () => {
    const s = await servers.start()
    const { path: up } = await createUpload(s, 1000)
    const cases: [string, string][] = [
      ['POST', '/api/uploads'],
      ['OPTIONS', '/api/uploads'],
      ['PATCH', up],
      ['HEAD', up],
      ['DELETE', up],
      ['GET', `${up}/status`],
      ['GET', '/api/me'],
      ['GET', '/api/videos'],
      ['PATCH', '/api/videos/abcdefghijklmnop'],
      ['DELETE', '/api/videos/abcdefghijklmnop']
    ]
    for (const [method, pathname] of cases) {
      const body = method === 'PATCH' || method === 'POST' ? Buffer.alloc(16) : undefined
      const r = await request(
        s.url,
        method,
        pathname,
        {
          ...TUS,
          Origin: ORIGIN,
          'Upload-Length': 1000,
          'Upload-Offset': 0,
          'Content-Type': 'application/offset+octet-stream'
        },
        body
      )
      const what = `${method} ${pathname} from ${ORIGIN} without a token`
      expect(r.status, what).toBe(401)
      expect(r.headers['access-control-allow-origin'], what).toBe('*')
      expect(r.headers['access-control-allow-credentials'], what).toBeUndefined()
      expect(listed(r.headers['access-control-expose-headers']), what).toContain('www-authenticate')
    }
    // An OPTIONS that names a method but comes from no origin is no preflight either.
    const noOrigin = await request(s.url, 'OPTIONS', '/api/uploads', {
      'Access-Control-Request-Method': 'POST'
    })
    expect(noOrigin.status).toBe(401)
    const h = await head(s, up)
    expect(h.headers['upload-offset']).toBe('0')
  })

  it('with a token, answers readably: Location, Upload-Offset and the Sidecast headers exposed', async () => {
    const s = await servers.start()
    const video = await makeVideo(path.join(tempDir('cors'), 'clip.mp4'))
    const withOrigin = { Origin: ORIGIN }

    const created = await request(s.url, 'POST', '/api/uploads', {
      ...auth(s.token),
      ...withOrigin,
      'Upload-Length': video.length,
      'Upload-Metadata': `filename ${Buffer.from('clip.mp4').toString('base64')}`
    })
    expect(created.status).toBe(201)
    expect(created.headers['access-control-allow-origin']).toBe('*')
    expect(created.headers['access-control-allow-credentials']).toBeUndefined()
    const exposedOnCreate = listed(created.headers['access-control-expose-headers'])
    for (const h of ['location', 'upload-offset', 'tus-resumable', 'upload-expires']) {
      expect(exposedOnCreate).toContain(h)
    }
    const up = new URL(created.headers.location ?? '').pathname

    const h = await request(s.url, 'HEAD', up, { ...auth(s.token), ...withOrigin })
    expect(h.status).toBe(200)
    expect(h.headers['access-control-allow-origin']).toBe('*')
    expect(listed(h.headers['access-control-expose-headers'])).toContain('upload-offset')

    const done = await patch(s, up, 0, video)
    expect(done.status).toBe(204)
    const final = await request(s.url, 'HEAD', up, { ...auth(s.token), ...withOrigin })
    expect(final.status).toBe(200)
    expect(final.headers['sidecast-upload-state']).toBe('done')
    const exposed = listed(final.headers['access-control-expose-headers'])
    for (const name of [
      'upload-offset',
      'upload-length',
      'sidecast-video-id',
      'sidecast-video-url',
      'sidecast-upload-state'
    ]) {
      expect(exposed).toContain(name)
    }

    const me = await request(s.url, 'GET', '/api/me', {
      Authorization: `Bearer ${s.token}`,
      ...withOrigin
    })
    expect(me.status).toBe(200)
    expect(me.headers['access-control-allow-origin']).toBe('*')
    expect(JSON.parse(me.text)).toEqual({
      name: 'alice',
      admin: false,
      features: ['edits', 'camera', 'learn']
    })
  })

  it('never allows credentials: an answer to the session cookie is not readable cross-origin', async () => {
    const s = await servers.start()
    const session = await s.app.library.db.createSession(s.user.id)
    const r = await request(s.url, 'GET', '/api/me', {
      Origin: ORIGIN,
      Cookie: `sidecast_session=${session.id}`
    })
    // The server answers as before (same-origin scripts use it); a browser refuses to hand a
    // credentialed answer to another origin when the origin is `*` and credentials are not allowed.
    expect(r.status).toBe(200)
    expect(r.headers['access-control-allow-origin']).toBe('*')
    expect(r.headers['access-control-allow-credentials']).toBeUndefined()
  })
})
