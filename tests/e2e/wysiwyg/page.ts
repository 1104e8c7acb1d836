/**
 * Serves a page with the real CalloutOverlay on 127.0.0.1: page-entry.js bundled by esbuild
 * (with overlay.css and the DejaVu fonts it loads through @font-face, exactly as in the app),
 * plus any extra files (frames to show under the overlay).
 */
import { createServer, type Server } from 'node:http'
import { mkdirSync, readFileSync, existsSync } from 'node:fs'
import { extname, join, normalize, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { CONTENT_SECURITY_POLICY } from '../../../src/main/electron/content-security-policy'

const HERE = fileURLToPath(new URL('.', import.meta.url))

export interface OverlayPage {
  /** The page's address, e.g. http://127.0.0.1:41234/ */
  readonly url: string
  /** Serves `bytes` at `/files/<name>`; returns its URL path. */
  addFile(name: string, bytes: Buffer): string
  close(): Promise<void>
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.png': 'image/png',
  '.webm': 'video/webm',
  '.map': 'application/json'
}

const INDEX = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Callout overlay</title>
    <link rel="stylesheet" href="/page-entry.css" />
    <link rel="stylesheet" href="/page.css" />
  </head>
  <body>
    <div id="root"></div>
    <script type="module" src="/page-entry.js"></script>
  </body>
</html>`

const PAGE_CSS = 'html, body { margin: 0; background: #808080; }'

/** Bundles the page into `outDir` and serves it until close(). */
export async function startOverlayPage(outDir: string): Promise<OverlayPage> {
  mkdirSync(outDir, { recursive: true })
  await build({
    entryPoints: [join(HERE, 'page-entry.js')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    outdir: outDir,
    jsx: 'automatic',
    loader: { '.ttf': 'file' },
    assetNames: 'assets/[name]-[hash]',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent'
  })
  const files = new Map<string, Buffer>()
  const root = resolve(outDir)
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname)
    let body: Buffer | undefined
    let type = 'text/html; charset=utf-8'
    if (path === '/') body = Buffer.from(INDEX)
    else if (path === '/page.css') {
      body = Buffer.from(PAGE_CSS)
      type = TYPES['.css']!
    } else if (files.has(path)) {
      body = files.get(path)
      type = TYPES[extname(path)] ?? 'application/octet-stream'
    } else {
      const file = normalize(join(root, path))
      if (file.startsWith(root) && existsSync(file)) {
        body = readFileSync(file)
        type = TYPES[extname(file)] ?? 'application/octet-stream'
      }
    }
    if (!body) {
      res.writeHead(404).end()
      return
    }
    // The app's own Content-Security-Policy, so the overlay is edited under the policy it meets
    // in the app (tests/e2e/setup.ts fails a test on any violation).
    const csp = path === '/' ? { 'content-security-policy': CONTENT_SECURITY_POLICY } : {}
    // A video (the camera bubble's) is read in ranges, as the app's media scheme serves it.
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '')
    if (range && (range[1] || range[2])) {
      const size = body.length
      const first = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]))
      const last = range[1] && range[2] ? Math.min(size - 1, Number(range[2])) : size - 1
      if (first >= size || last < first) {
        res.writeHead(416, { 'content-range': `bytes */${size}` }).end()
        return
      }
      res
        .writeHead(206, {
          'content-type': type,
          'cache-control': 'no-store',
          'accept-ranges': 'bytes',
          'content-range': `bytes ${first}-${last}/${size}`
        })
        .end(body.subarray(first, last + 1))
      return
    }
    res
      .writeHead(200, {
        'content-type': type,
        'cache-control': 'no-store',
        'accept-ranges': 'bytes',
        ...csp
      })
      .end(body)
  })
  await new Promise<void>((done, fail) => {
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => done())
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}/`,
    addFile(name, bytes) {
      const path = `/files/${name}`
      files.set(path, bytes)
      return path
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections()
        server.close(() => done())
      })
  }
}
