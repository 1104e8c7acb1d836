/**
 * The desktop app's updates folder (`--updates-dir`, server/src/updates.ts): what electron-updater
 * fetches (latest.yml, an installer in byte ranges, a blockmap) to signed-in clients only, nothing
 * outside the folder, and nothing at all when no folder is set.
 */
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../server/src/config'
import { request, serversPerTest, tempDir, waitFor, type TestServer } from './support'

const servers = serversPerTest()

const LATEST_YML = [
  'version: 0.2.0',
  'files:',
  '  - url: Sidecast-Setup-0.2.0.exe',
  '    sha512: abc',
  '    size: 4096',
  'path: Sidecast-Setup-0.2.0.exe',
  "releaseDate: '2026-12-01T10:00:00.000Z'",
  ''
].join('\n')

/** A release folder as an operator copies it from dist/, plus a secret beside it. */
function releaseFolder(): { dir: string; installer: Buffer; secret: string } {
  const root = tempDir('updates')
  const dir = path.join(root, 'releases')
  fs.mkdirSync(dir)
  const installer = Buffer.alloc(4096)
  for (let i = 0; i < installer.length; i++) installer[i] = (i * 7 + 3) % 251
  fs.writeFileSync(path.join(dir, 'latest.yml'), LATEST_YML)
  fs.writeFileSync(path.join(dir, 'Sidecast-Setup-0.2.0.exe'), installer)
  fs.writeFileSync(path.join(dir, 'Sidecast-Setup-0.2.0.exe.blockmap'), Buffer.from([1, 2, 3]))
  const secret = path.join(root, 'secret.txt')
  fs.writeFileSync(secret, 'not for downloading')
  return { dir, installer, secret }
}

async function withUpdates(): Promise<{
  s: TestServer
  dir: string
  installer: Buffer
  secret: string
}> {
  const folder = releaseFolder()
  const s = await servers.start({ config: { updatesDir: folder.dir } })
  return { s, ...folder }
}

const bearer = (s: TestServer): Record<string, string> => ({ Authorization: `Bearer ${s.token}` })

describe('updates folder: configuration', () => {
  it('is off by default, set by --updates-dir or SIDECAST_LIBRARY_UPDATES_DIR, relative to where npm ran', () => {
    expect(loadConfig([], {}).updatesDir).toBeNull()
    expect(loadConfig([], { SIDECAST_LIBRARY_UPDATES_DIR: '  ' }).updatesDir).toBeNull()
    expect(
      loadConfig([], { INIT_CWD: '/srv/library', SIDECAST_LIBRARY_UPDATES_DIR: 'releases' })
        .updatesDir
    ).toBe(path.resolve('/srv/library/releases'))
    expect(
      loadConfig(['--updates-dir', '/opt/sidecast'], {
        SIDECAST_LIBRARY_UPDATES_DIR: '/elsewhere'
      }).updatesDir
    ).toBe(path.resolve('/opt/sidecast'))
  })
})

describe('updates folder: off', () => {
  it('answers /updates/ exactly like any unknown address, signed in or not', async () => {
    const s = await servers.start()
    const unknown = await request(s.url, 'GET', '/no-such-place', bearer(s))
    expect(unknown.status).toBe(404)
    for (const target of ['/updates/latest.yml', '/updates/', '/updates']) {
      for (const headers of [bearer(s), {}]) {
        const res = await request(s.url, 'GET', target, headers)
        expect(res.status).toBe(404)
        expect(res.text).toBe(unknown.text)
        expect(res.headers['www-authenticate']).toBeUndefined()
      }
    }
  })
})

describe('updates folder: on', () => {
  it('serves latest.yml as YAML with validators, and answers a conditional request with 304', async () => {
    const { s } = await withUpdates()
    const res = await request(s.url, 'GET', '/updates/latest.yml', bearer(s))
    expect(res.status).toBe(200)
    expect(res.text).toBe(LATEST_YML)
    expect(res.headers['content-type']).toBe('text/yaml; charset=utf-8')
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(LATEST_YML)))
    expect(res.headers['cache-control']).toBe('private, no-cache')
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    const etag = res.headers.etag as string
    expect(etag).toMatch(/^"[0-9a-f-]+"$/)
    expect(Date.parse(res.headers['last-modified'] as string)).toBeGreaterThan(0)

    const again = await request(s.url, 'GET', '/updates/latest.yml', {
      ...bearer(s),
      'If-None-Match': etag
    })
    expect(again.status).toBe(304)
    expect(again.body.length).toBe(0)
    const since = await request(s.url, 'GET', '/updates/latest.yml', {
      ...bearer(s),
      'If-Modified-Since': res.headers['last-modified'] as string
    })
    expect(since.status).toBe(304)
  })

  it('sees a newly published latest.yml at once (a new tag)', async () => {
    const { s, dir } = await withUpdates()
    const first = await request(s.url, 'GET', '/updates/latest.yml', bearer(s))
    fs.writeFileSync(path.join(dir, 'latest.yml.new'), LATEST_YML.replace('0.2.0', '0.3.0'))
    fs.renameSync(path.join(dir, 'latest.yml.new'), path.join(dir, 'latest.yml'))
    const second = await request(s.url, 'GET', '/updates/latest.yml', {
      ...bearer(s),
      'If-None-Match': first.headers.etag as string
    })
    expect(second.status).toBe(200)
    expect(second.text).toContain('version: 0.3.0')
  })

  it('serves an installer whole and in byte ranges, as the differential download asks', async () => {
    const { s, installer } = await withUpdates()
    const file = '/updates/Sidecast-Setup-0.2.0.exe'
    const whole = await request(s.url, 'GET', file, bearer(s))
    expect(whole.status).toBe(200)
    expect(whole.body.equals(installer)).toBe(true)
    expect(whole.headers['content-type']).toBe('application/octet-stream')
    expect(whole.headers['accept-ranges']).toBe('bytes')
    expect(whole.headers['content-disposition']).toBe(
      'attachment; filename="Sidecast-Setup-0.2.0.exe"'
    )

    const part = await request(s.url, 'GET', file, { ...bearer(s), Range: 'bytes=100-1123' })
    expect(part.status).toBe(206)
    expect(part.headers['content-range']).toBe('bytes 100-1123/4096')
    expect(part.headers['content-length']).toBe('1024')
    expect(part.body.equals(installer.subarray(100, 1124))).toBe(true)

    const tail = await request(s.url, 'GET', file, { ...bearer(s), Range: 'bytes=-96' })
    expect(tail.status).toBe(206)
    expect(tail.body.equals(installer.subarray(4000))).toBe(true)

    const outside = await request(s.url, 'GET', file, { ...bearer(s), Range: 'bytes=5000-' })
    expect(outside.status).toBe(416)
    expect(outside.headers['content-range']).toBe('bytes */4096')

    // Several ranges at once: the whole file (RFC 9110 allows it; the app asks for one at a time).
    const several = await request(s.url, 'GET', file, { ...bearer(s), Range: 'bytes=0-9, 20-29' })
    expect(several.status).toBe(200)
    expect(several.body.equals(installer)).toBe(true)

    // A range for another version of the file is not spliced into this one.
    const stale = await request(s.url, 'GET', file, {
      ...bearer(s),
      Range: 'bytes=0-9',
      'If-Range': '"0-0-0"'
    })
    expect(stale.status).toBe(200)
    const fresh = await request(s.url, 'GET', file, {
      ...bearer(s),
      Range: 'bytes=0-9',
      'If-Range': whole.headers.etag as string
    })
    expect(fresh.status).toBe(206)
    expect(fresh.body.equals(installer.subarray(0, 10))).toBe(true)

    const blockmap = await request(s.url, 'GET', `${file}.blockmap`, bearer(s))
    expect(blockmap.status).toBe(200)
    expect([...blockmap.body]).toEqual([1, 2, 3])
  })

  it('answers HEAD with the headers and no body', async () => {
    const { s } = await withUpdates()
    const res = await request(s.url, 'HEAD', '/updates/Sidecast-Setup-0.2.0.exe', {
      ...bearer(s),
      Range: 'bytes=0-99'
    })
    expect(res.status).toBe(206)
    expect(res.headers['content-length']).toBe('100')
    expect(res.body.length).toBe(0)
  })

  it('needs a token or a session; a wrong token or none gets 401, and nothing is read', async () => {
    const { s } = await withUpdates()
    const refused: Record<string, string>[] = [{}, { Authorization: 'Bearer not-a-token' }]
    for (const headers of refused) {
      const res = await request(s.url, 'GET', '/updates/latest.yml', headers)
      expect(res.status).toBe(401)
      expect(res.headers['www-authenticate']).toBe('Bearer realm="sidecast"')
      expect(res.text).not.toContain('0.2.0')
    }
    // A person in a browser is sent to sign in, and comes back to the file.
    const browser = await request(s.url, 'GET', '/updates/latest.yml', { Accept: 'text/html' })
    expect(browser.status).toBe(303)
    expect(browser.headers.location).toBe('/signin?next=%2Fupdates%2Flatest.yml')

    const session = await s.app.library.db.createSession(s.user.id)
    const signedIn = await request(s.url, 'GET', '/updates/latest.yml', {
      Cookie: `sidecast_session=${session.id}`
    })
    expect(signedIn.status).toBe(200)
    expect(signedIn.text).toBe(LATEST_YML)
  })

  it('lists nothing and serves nothing but plain files directly in the folder', async () => {
    const { s, dir, secret } = await withUpdates()
    fs.mkdirSync(path.join(dir, 'old'))
    fs.writeFileSync(path.join(dir, 'old', 'latest.yml'), 'version: 0.0.1\n')
    fs.writeFileSync(path.join(dir, '.htpasswd'), 'hidden')
    fs.symlinkSync(secret, path.join(dir, 'escape.yml'))
    fs.symlinkSync(path.join(dir, 'latest.yml'), path.join(dir, 'alias.yml'))

    const refused: [string, number][] = [
      ['/updates/', 404],
      ['/updates', 404],
      ['/updates/old', 404],
      ['/updates/old/latest.yml', 404],
      ['/updates/.htpasswd', 404],
      ['/updates/escape.yml', 404],
      ['/updates/alias.yml', 404],
      ['/updates/missing.yml', 404],
      ['/updates/..%5csecret.txt', 400],
      ['/updates/../secret.txt', 400],
      ['/updates/%2e%2e/secret.txt', 400],
      ['/updates/..%2fsecret.txt', 400],
      ['/updates/%2E%2E%2Fsecret.txt', 400],
      ['/updates/latest.yml%00.exe', 400]
    ]
    for (const [target, status] of refused) {
      const res = await request(s.url, 'GET', target, bearer(s))
      expect({ target, status: res.status }).toEqual({ target, status })
      expect(res.text).not.toContain('not for downloading')
      expect(res.text).not.toContain('hidden')
      expect(res.text).not.toContain('0.0.1')
    }
  })

  it('only reads: other methods get 405', async () => {
    const { s, dir } = await withUpdates()
    for (const method of ['PUT', 'POST', 'DELETE']) {
      const res = await request(
        s.url,
        method,
        '/updates/latest.yml',
        { ...bearer(s), 'Content-Type': 'text/yaml' },
        'version: 9.9.9\n'
      )
      expect(res.status).toBe(405)
      expect(res.headers.allow).toBe('GET, HEAD')
    }
    expect(fs.readFileSync(path.join(dir, 'latest.yml'), 'utf8')).toBe(LATEST_YML)
  })

  it('runs on when the folder is missing, answering 404, and says so at start', async () => {
    const logged: string[] = []
    const missing = path.join(tempDir('updates-missing'), 'not-yet')
    const s = await servers.start({
      config: { updatesDir: missing },
      log: (message) => logged.push(message)
    })
    const res = await request(s.url, 'GET', '/updates/latest.yml', bearer(s))
    expect(res.status).toBe(404)
    await waitFor('the warning', async () =>
      logged.some((line) => line.includes(`--updates-dir ${missing} does not exist`))
    )
  })
})
