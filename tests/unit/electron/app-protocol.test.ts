/**
 * The app scheme: its registration (in the one privileged-schemes call, with the media scheme)
 * and its responder, run against a real folder laid out like out/renderer.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'

const electron = vi.hoisted(() => ({
  registerSchemesAsPrivileged: vi.fn(),
  handle: vi.fn()
}))
vi.mock('electron', () => ({
  protocol: {
    registerSchemesAsPrivileged: electron.registerSchemesAsPrivileged,
    handle: electron.handle
  }
}))

import { appContentType, appFileSegments } from '../../../src/main/electron/app-files'
import {
  handleAppProtocol,
  registerPrivilegedSchemes
} from '../../../src/main/electron/app-protocol'
import { CONTENT_SECURITY_POLICY } from '../../../src/main/electron/content-security-policy'

let top: string
let rendererDir: string
const INDEX = '<!doctype html><title>Sidecast</title><script type="module" src="./assets/a.js">'
const SCRIPT = 'console.log("sidecast")'

beforeAll(async () => {
  top = await mkdtemp(join(tmpdir(), 'sidecast-app-'))
  rendererDir = join(top, 'out', 'renderer')
  await mkdir(join(rendererDir, 'assets'), { recursive: true })
  await writeFile(join(rendererDir, 'index.html'), INDEX)
  await writeFile(join(rendererDir, 'assets', 'a.js'), SCRIPT)
  await writeFile(join(rendererDir, 'assets', 'a.css'), 'body { margin: 0 }')
  await writeFile(join(rendererDir, 'assets', 'font.ttf'), Buffer.from([0, 1, 0, 0]))
  await writeFile(join(rendererDir, 'assets', 'blob.bin'), Buffer.from([1, 2, 3]))
  await writeFile(join(top, 'out', 'secret.txt'), 'outside the renderer')
  await writeFile(join(top, 'secret.txt'), 'outside the renderer')
  // A link that leaves the folder and one that stays inside it.
  await symlink(join(top, 'secret.txt'), join(rendererDir, 'leak.txt'))
  await symlink(join(top, 'out'), join(rendererDir, 'up'))
  await symlink(join(rendererDir, 'assets', 'a.js'), join(rendererDir, 'alias.js'))
})
afterAll(async () => {
  await rm(top, { recursive: true, force: true })
})

function serve(): (request: Request) => Promise<Response> {
  electron.handle.mockClear()
  handleAppProtocol(rendererDir)
  expect(electron.handle).toHaveBeenCalledTimes(1)
  const [scheme, handler] = electron.handle.mock.calls[0] as [
    string,
    (r: Request) => Promise<Response>
  ]
  expect(scheme).toBe('app')
  return handler
}

describe('privileged schemes', () => {
  beforeEach(() => vi.clearAllMocks())

  it('registers the app and media schemes in one call, with what each needs', () => {
    registerPrivilegedSchemes()
    expect(electron.registerSchemesAsPrivileged).toHaveBeenCalledTimes(1)
    expect(electron.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      // A real, secure origin from which module scripts and fetch load; no other origin reads it.
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
      {
        scheme: 'sidecast-media',
        privileges: {
          standard: true,
          secure: true,
          supportFetchAPI: true,
          stream: true,
          corsEnabled: true
        }
      }
    ])
  })
})

describe('app scheme responder', () => {
  it('serves index.html with the CSP, its type and nosniff', async () => {
    const response = await serve()(new Request('app://sidecast/index.html'))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(INDEX)))
    expect(await response.text()).toBe(INDEX)
  })

  it('serves index.html for the bare origin', async () => {
    const response = await serve()(new Request('app://sidecast/'))
    expect(response.status).toBe(200)
    expect(await response.text()).toBe(INDEX)
  })

  it.each([
    ['assets/a.js', 'text/javascript; charset=utf-8'],
    ['assets/a.css', 'text/css; charset=utf-8'],
    ['assets/font.ttf', 'font/ttf'],
    ['assets/blob.bin', 'application/octet-stream']
  ])('serves %s as %s, with nosniff and without a CSP', async (path, type) => {
    const response = await serve()(new Request(`app://sidecast/${path}`))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe(type)
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.has('content-security-policy')).toBe(false)
  })

  it('answers HEAD with the headers and no body', async () => {
    const response = await serve()(new Request('app://sidecast/assets/a.js', { method: 'HEAD' }))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-length')).toBe(String(SCRIPT.length))
    expect(response.body).toBeNull()
  })

  it('follows a link that stays inside the renderer folder', async () => {
    const response = await serve()(new Request('app://sidecast/alias.js'))
    expect(response.status).toBe(200)
    expect(await response.text()).toBe(SCRIPT)
  })

  it.each([
    // Missing files and folders: no fallback page.
    ['app://sidecast/missing.js', 404],
    ['app://sidecast/assets', 404],
    ['app://sidecast/assets/', 404],
    ['app://sidecast/settings', 404],
    // Absolute paths.
    ['app://sidecast//etc/passwd', 404],
    ['app://sidecast/%2Fetc%2Fpasswd', 403],
    ['app://sidecast/C:%5CWindows%5Cwin.ini', 403],
    // Traversal, plain (resolved by the URL parser: it stays inside), encoded into a segment,
    // with backslashes, with a NUL.
    ['app://sidecast/../secret.txt', 404],
    ['app://sidecast/%2e%2e/secret.txt', 404],
    ['app://sidecast/assets/%2e%2e/%2e%2e/secret.txt', 404],
    ['app://sidecast/..%2Fsecret.txt', 403],
    ['app://sidecast/assets/..%2F..%2Fsecret.txt', 403],
    ['app://sidecast/..%5Csecret.txt', 403],
    ['app://sidecast/..\\secret.txt', 403],
    ['app://sidecast/index.html%00.js', 403],
    ['app://sidecast/%E0%A4%A', 403],
    // Links out of the folder.
    ['app://sidecast/leak.txt', 403],
    ['app://sidecast/up/secret.txt', 403],
    // Other origins.
    ['app://other/index.html', 404],
    ['app://sidecast:8080/index.html', 404],
    ['sidecast-media://sidecast/index.html', 404]
  ])('%s → %d', async (url, status) => {
    const response = await serve()(new Request(url))
    expect(response.status).toBe(status)
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await response.text()).toBe('')
  })

  it('refuses methods other than GET and HEAD', async () => {
    const response = await serve()(
      new Request('app://sidecast/index.html', { method: 'POST', body: 'x' })
    )
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('GET, HEAD')
  })

  it('answers 404 when the renderer is not built', async () => {
    electron.handle.mockClear()
    handleAppProtocol(join(top, 'nowhere'))
    const handler = electron.handle.mock.calls[0]![1] as (r: Request) => Promise<Response>
    expect((await handler(new Request('app://sidecast/index.html'))).status).toBe(404)
  })
})

describe('app scheme addresses', () => {
  it.each([
    ['app://sidecast/index.html', ['index.html']],
    ['app://sidecast/', ['index.html']],
    ['app://sidecast', ['index.html']],
    ['app://sidecast/assets/index-CPQ0OsBS.js', ['assets', 'index-CPQ0OsBS.js']],
    ['app://sidecast/assets/with%20space.png', ['assets', 'with space.png']],
    ['app://sidecast/index.html?x=1#y', ['index.html']]
  ])('%s names %j', (url, segments) => {
    expect(appFileSegments(url)).toEqual(segments)
  })

  it('refuses a URL with credentials (a Request cannot carry one)', () => {
    expect(appFileSegments('app://user@sidecast/index.html')).toBe(404)
    expect(appFileSegments('not a url')).toBe(404)
  })

  it.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['INDEX.HTML', 'text/html; charset=utf-8'],
    ['a.mjs', 'text/javascript; charset=utf-8'],
    ['a.js.map', 'application/json; charset=utf-8'],
    ['icon.svg', 'image/svg+xml'],
    ['font.woff2', 'font/woff2'],
    ['noext', 'application/octet-stream']
  ])('appContentType(%j) is %s', (name, type) => {
    expect(appContentType(name)).toBe(type)
  })
})
