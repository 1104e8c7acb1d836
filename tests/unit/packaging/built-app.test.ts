/**
 * The built app (`electron-vite build`, into a folder of its own so no other test's build is
 * disturbed) loads its renderer from app://sidecast and never from a file:// URL, and the app
 * scheme's real responder serves every file the built page asks for, with the CSP.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { promisify } from 'node:util'
import { transform } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAppFileResponder } from '../../../src/main/electron/app-files'
import { isAppUrl } from '../../../src/main/electron/app-url'
import {
  CONTENT_SECURITY_POLICY,
  META_CONTENT_SECURITY_POLICY
} from '../../../src/main/electron/content-security-policy'
import { ROOT } from './builder-config'

const run = promisify(execFile)
const BUILD_TIMEOUT_MS = 180_000

let top: string
let out: string

beforeAll(async () => {
  top = await mkdtemp(join(tmpdir(), 'sidecast-built-app-'))
  out = join(top, 'out')
  await run(
    process.execPath,
    [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--outDir', out],
    { cwd: ROOT, timeout: BUILD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }
  )
}, BUILD_TIMEOUT_MS)

afterAll(async () => {
  if (top) await rm(top, { recursive: true, force: true })
})

async function filesUnder(dir: string, extensions: RegExp): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile() && extensions.test(e.name))
    .map((e) => join(e.parentPath, e.name))
}

/** A bundle's code without its comments (which may well mention file://). */
async function code(path: string): Promise<string> {
  return (await transform(await readFile(path, 'utf8'), { loader: 'js' })).code
}

describe('the built app', () => {
  it('loads nothing from file://: no file: URL, pathToFileURL or loadFile in any bundle', async () => {
    const bundles = await filesUnder(out, /\.(c|m)?js$/)
    expect(bundles.map((b) => relative(out, b))).toEqual(
      expect.arrayContaining([join('main', 'index.js'), join('preload', 'index.cjs')])
    )
    for (const bundle of bundles) {
      const text = await code(bundle)
      const name = relative(out, bundle)
      expect(text, name).not.toMatch(/["'`]file:/)
      expect(text, name).not.toMatch(/\bpathToFileURL\s*\(/)
      expect(text, name).not.toMatch(/\bloadFile\s*\(/)
    }
  })

  it('loads the window from app://sidecast and registers that scheme', async () => {
    const main = await code(join(out, 'main', 'index.js'))
    expect(main).toMatch(/["'`]app:\/\/sidecast/)
    expect(main).toMatch(/registerSchemesAsPrivileged\(/)
    expect(main).toMatch(/\.loadURL\(/)
  })

  it('has a page with the app’s <meta> policy and no inline script or style', async () => {
    const html = await readFile(join(out, 'renderer', 'index.html'), 'utf8')
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html)?.[1]
    expect(meta).toBe(META_CONTENT_SECURITY_POLICY)
    expect(html).not.toMatch(/<style[\s>]/i)
    expect(html).not.toMatch(/\sstyle\s*=/i)
    for (const script of html.match(/<script\b[^>]*>/gi) ?? []) expect(script).toMatch(/\ssrc=/)
  })

  it('is served whole by the app scheme: the page with its CSP, then every file it names', async () => {
    const serve = createAppFileResponder(join(out, 'renderer'))
    const page = await serve(new Request('app://sidecast/index.html'))
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    const html = await page.text()

    const named = [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)
    const scripts = named.filter((u) => u.endsWith('.js'))
    const sheets = named.filter((u) => u.endsWith('.css'))
    expect(scripts.length).toBeGreaterThan(0)
    expect(sheets.length).toBeGreaterThan(0)
    const fonts: string[] = []
    for (const ref of named) {
      const url = new URL(ref, 'app://sidecast/index.html')
      expect(isAppUrl(url), ref).toBe(true)
      const response = await serve(new Request(url))
      expect(response.status, ref).toBe(200)
      const type = response.headers.get('content-type')
      // Module scripts load only with a JavaScript MIME type.
      if (ref.endsWith('.js')) expect(type).toBe('text/javascript; charset=utf-8')
      if (ref.endsWith('.css')) {
        expect(type).toBe('text/css; charset=utf-8')
        const css = await response.text()
        for (const m of css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) {
          if (!m[1]!.startsWith('data:')) fonts.push(new URL(m[1]!, url).href)
        }
      }
    }
    // The callout font, through the style sheet.
    expect(fonts.length).toBeGreaterThan(0)
    for (const font of fonts) {
      const response = await serve(new Request(font))
      expect(response.status, font).toBe(200)
      expect(response.headers.get('content-type')).toMatch(/^font\//)
    }
  })
})
