/**
 * The e2e harness: serves the built renderer over http://127.0.0.1 and answers its `window.api`
 * with the real main-process services (recording store, ffmpeg, settings, upload queue) over a
 * WebSocket bridge. Only the Electron edge is replaced: one "Entire screen" source and one window
 * (live fake thumbnails; POST /__test/sources {"window": false} closes the window), no sleep
 * blocker, no shell, the token stored unencrypted, and a clipboard and notifications that tests
 * can read at GET /__test/clipboard (text/plain) and GET /__test/notifications (JSON: title,
 * body, the `url` a click opens), and the pages the browser was asked to open at GET
 * /__test/opened (JSON list). Updates run
 * the app's update service against a scripted engine (fake-updater.ts): POST /__test/updates sets
 * what the next check finds, GET /__test/updates says what happened.
 */
import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, resolve, sep } from 'node:path'
import { Readable } from 'node:stream'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import Conf from 'conf'
import { WebSocketServer, type WebSocket } from 'ws'
import { createAppServices, type PlatformAdapters } from '../../../src/main/app-services'
import { dispatchInvoke } from '../../../src/main/ipc/dispatch'
import { createSettingsStore } from '../../../src/main/settings/settings-store'
import { CONTENT_SECURITY_POLICY } from '../../../src/main/electron/content-security-policy'
import { PLAIN_SECRETS } from '../../../src/main/share/token-store'
import {
  createMediaResponder,
  mediaAddress,
  type MediaAddress
} from '../../../src/main/projects/media-response'
import type { RecoveryNotice } from '../../../src/shared/project'
import { SETTINGS_SCHEMA, type Settings } from '../../../src/shared/settings'
import type { EventChannel, EventPayload } from '../../../src/shared/ipc'
import { decodeRequest, type BridgeServerMessage } from './client/bridge-protocol'
import { createFakeUpdater } from './fake-updater'

const here = fileURLToPath(new URL('.', import.meta.url))
const repoRoot = resolve(here, '../../..')

export interface HarnessOptions {
  /** Where projects and settings live (the app's SIDECAST_DATA_DIR). */
  readonly dataDir: string
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  readonly port: number
  /** The built renderer (electron-vite's out/renderer). */
  readonly rendererDir?: string
  /**
   * The environment (SIDECAST_LIBRARY_URL / SIDECAST_LIBRARY_TOKEN, SIDECAST_SHARE_WHILE_RECORDING:
   * main's services read them as in the app); default process.env.
   */
  readonly env?: Readonly<Record<string, string | undefined>>
}

/** A notification the app showed, as GET /__test/notifications lists it. */
export interface HarnessNotification {
  readonly title: string
  readonly body: string
  /** The page a click on it opens (a library notification), when it has one. */
  readonly url?: string
  readonly at: string
}

export interface Harness {
  readonly url: string
  readonly recovered: RecoveryNotice[]
  close(): Promise<void>
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.woff2': 'font/woff2',
  '.json': 'application/json'
}

/** Project files are served at `/media/<project id>/<file name>` (the app uses sidecast-media:). */
const MEDIA_PREFIX = '/media/'

function harnessMediaUrl(projectId: string, fileName: string): string {
  return `${MEDIA_PREFIX}${encodeURIComponent(projectId)}/${encodeURIComponent(fileName)}`
}

function parseHarnessMediaUrl(url: string): MediaAddress | null {
  const { pathname } = new URL(url)
  return pathname.startsWith(MEDIA_PREFIX)
    ? mediaAddress(pathname.slice(MEDIA_PREFIX.length).split('/'))
    : null
}

/** Writes a fetch Response (what main's media responder answers) to Node's HTTP response. */
function sendResponse(res: ServerResponse, response: Response): void {
  res.writeHead(response.status, Object.fromEntries(response.headers))
  if (response.body) Readable.fromWeb(response.body as NodeReadableStream).pipe(res)
  else res.end()
}

async function bundleBridgeClient(): Promise<string> {
  const result = await build({
    entryPoints: [join(here, 'client/bridge-client.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'chrome120',
    logLevel: 'silent'
  })
  const file = result.outputFiles[0]
  if (!file) throw new Error('esbuild produced no bridge client')
  return file.text
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const rendererDir = options.rendererDir ?? join(repoRoot, 'out/renderer')
  const indexHtml = await readFile(join(rendererDir, 'index.html'), 'utf8').catch(() => {
    throw new Error(
      `The renderer is not built (${join(rendererDir, 'index.html')} is missing). Run "npx electron-vite build" first.`
    )
  })
  // The bridge must define window.api before the renderer's (deferred) module script runs.
  const page = indexHtml.replace(
    '<head>',
    '<head>\n    <script src="/__harness/bridge.js"></script>'
  )
  const bridgeJs = await bundleBridgeClient()

  const sockets = new Set<WebSocket>()
  const emit = <E extends EventChannel>(channel: E, payload: EventPayload<E>): void => {
    const message: BridgeServerMessage = { kind: 'event', channel, payload }
    const text = JSON.stringify(message)
    for (const socket of sockets) socket.send(text)
  }

  // The fake capture sources: POST /__test/sources {"window": false} closes the window.
  let sourceLooks = 0
  let harnessWindowOpen = true
  // What Electron's clipboard and notifications would get, kept for tests to read.
  let clipboard = ''
  const notifications: HarnessNotification[] = []
  // What the default browser would have been asked to open (GET /__test/opened).
  const opened: string[] = []

  const adapters: PlatformAdapters = {
    // A browser tab cannot hold a wake lock for the OS; the Electron edge uses powerSaveBlocker.
    preventSleep: () => () => undefined,
    // One screen and (unless a test closed it) one window, with thumbnails that change at every
    // call, as desktopCapturer's live ones do: the picker's live refresh can be seen.
    listCaptureSources: async () => {
      sourceLooks += 1
      return [
        {
          id: 'screen:harness:0',
          name: 'Entire screen',
          kind: 'screen',
          thumbnailDataUrl: fakeThumbnail('screen', sourceLooks)
        },
        ...(harnessWindowOpen
          ? [
              {
                id: 'window:harness:1',
                name: 'Notes — Harness editor',
                kind: 'window' as const,
                thumbnailDataUrl: fakeThumbnail('window', sourceLooks),
                appIconDataUrl: fakeThumbnail('icon', 0)
              }
            ]
          : [])
      ]
    },
    revealPath: async (path) => {
      console.log(`[harness] show in folder: ${path}`)
    },
    mediaUrl: harnessMediaUrl,
    copyText: (text) => {
      clipboard = text
      console.log(`[harness] clipboard: ${text}`)
    },
    notify: (title, body, options) => {
      notifications.push({
        title,
        body,
        ...(options?.url ? { url: options.url } : {}),
        at: new Date().toISOString()
      })
      console.log(`[harness] notification: ${title} — ${body}`)
    },
    openExternal: async (url) => {
      opened.push(url)
      console.log(`[harness] open in browser: ${url}`)
    },
    // A browser harness has no OS secret store: the token is kept as plain text (mode 0600).
    secrets: PLAIN_SECRETS
  }

  const conf = new Conf<Settings>({
    schema: SETTINGS_SCHEMA as never,
    cwd: options.dataDir,
    configName: 'settings',
    projectName: 'sidecast'
  })
  const updater = createFakeUpdater()
  const services = createAppServices({
    updates: { support: { mode: 'install' }, engine: updater.engine },
    dataDir: options.dataDir,
    version: '0.1.0-harness',
    platform: process.platform,
    harness: true,
    settings: createSettingsStore(conf),
    adapters,
    emit,
    env: options.env ?? process.env,
    // SIDECAST_E2E_DELETE_UNDO_MS shortens the time a delete can be undone, so a test need not
    // wait the app's 10 s for the files to go.
    ...deleteUndoMs(options.env ?? process.env),
    // SIDECAST_E2E_LEARN_POLL_MS polls the library's notifications that often instead of every
    // 60 s, so a test sees a native notification without waiting a minute.
    ...learnPoll(options.env ?? process.env)
  })
  const serveMedia = createMediaResponder({
    projectDir: (id) => services.projects.projectDir(id),
    parseUrl: parseHarnessMediaUrl
  })
  const recovered = await services.startup()
  for (const notice of recovered) {
    console.log(
      `[harness] recovered ${notice.projectId}${notice.problem ? ` (problem: ${notice.problem})` : ''}`
    )
  }

  const server = createServer((req, res) => {
    handleHttp(req, res).catch((error: unknown) => {
      console.error('[harness] request failed', error)
      if (!res.headersSent) res.writeHead(500)
      res.end()
    })
  })

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (url.pathname === '/' || url.pathname === '/index.html') {
      res.writeHead(200, {
        'content-type': MIME['.html'],
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        // The app's own policy, unchanged: 'self' is this origin here as it is app://sidecast in
        // the app, and covers the media at /media/ and the bridge's WebSocket (CSP's 'self'
        // matches ws: on the same host and port). tests/e2e/setup.ts fails a test on a violation.
        'content-security-policy': CONTENT_SECURITY_POLICY
      })
      res.end(page)
      return
    }
    if (url.pathname === '/__harness/bridge.js') {
      res.writeHead(200, { 'content-type': MIME['.js'], 'cache-control': 'no-store' })
      res.end(bridgeJs)
      return
    }
    if (url.pathname === '/__harness/health') {
      res.writeHead(200, { 'content-type': MIME['.json'] })
      res.end(JSON.stringify({ ok: true, pid: process.pid, recorder: services.recorder.state() }))
      return
    }
    if (url.pathname === '/__test/clipboard') {
      res.writeHead(200, {
        'content-type': 'text/plain; charset=utf-8',
        'cache-control': 'no-store'
      })
      res.end(clipboard)
      return
    }
    if (url.pathname === '/__test/notifications') {
      res.writeHead(200, { 'content-type': MIME['.json'], 'cache-control': 'no-store' })
      res.end(JSON.stringify(notifications))
      return
    }
    if (url.pathname === '/__test/opened') {
      res.writeHead(200, { 'content-type': MIME['.json'], 'cache-control': 'no-store' })
      res.end(JSON.stringify(opened))
      return
    }
    if (url.pathname === '/__test/sources' && req.method === 'POST') {
      const chunks: Buffer[] = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
        window?: unknown
      }
      if (typeof body.window === 'boolean') harnessWindowOpen = body.window
      res.writeHead(200, { 'content-type': MIME['.json'], 'cache-control': 'no-store' })
      res.end(JSON.stringify({ window: harnessWindowOpen, looks: sourceLooks }))
      return
    }
    if (url.pathname === '/__test/updates') {
      if (req.method === 'POST') {
        const chunks: Buffer[] = []
        for await (const chunk of req) chunks.push(chunk as Buffer)
        try {
          updater.script(JSON.parse(Buffer.concat(chunks).toString('utf8')))
        } catch (error) {
          res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' })
          res.end(error instanceof Error ? error.message : String(error))
          return
        }
      }
      res.writeHead(200, { 'content-type': MIME['.json'], 'cache-control': 'no-store' })
      res.end(JSON.stringify(updater.log()))
      return
    }
    if (url.pathname.startsWith(MEDIA_PREFIX)) {
      // Main's own Range responder, so seeking in the e2e tests exercises the app's code.
      const request = new Request(url, {
        method: req.method,
        headers: req.headers.range ? { range: req.headers.range } : {}
      })
      sendResponse(res, await serveMedia(request))
      return
    }
    await serveStatic(url.pathname, res)
  }

  async function serveStatic(pathname: string, res: ServerResponse): Promise<void> {
    const file = resolve(rendererDir, '.' + decodeURIComponent(pathname))
    if (!file.startsWith(rendererDir + sep)) {
      res.writeHead(403).end()
      return
    }
    const info = await stat(file).catch(() => null)
    if (!info?.isFile()) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-length': info.size
    })
    createReadStream(file).pipe(res)
  }

  const wss = new WebSocketServer({ server, path: '/__harness/ws', maxPayload: 256 * 1024 * 1024 })
  wss.on('connection', (socket, req) => {
    // Only pages served by this harness may drive it.
    const origin = req.headers.origin ?? ''
    if (!/^http:\/\/(127\.0\.0\.1|localhost):\d+$/.test(origin)) {
      socket.close(1008, 'origin not allowed')
      return
    }
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    // Requests are answered in arrival order, so chunks are appended in the order they were sent.
    let queue: Promise<void> = Promise.resolve()
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      queue = queue.then(async () => {
        if (!isBinary) return
        let id = -1
        let reply: BridgeServerMessage
        try {
          const request = decodeRequest(
            new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
          )
          id = request.id
          reply = {
            kind: 'reply',
            id,
            response: await dispatchInvoke(services.handlers, request.channel, request.args)
          }
        } catch (error) {
          reply = {
            kind: 'reply',
            id,
            response: { ok: false, error: { code: 'bad-request', message: String(error) } }
          }
        }
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(reply))
      })
    })
  })

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject)
    server.listen(options.port, '127.0.0.1', () => resolvePromise())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    recovered,
    async close() {
      for (const socket of sockets) socket.terminate()
      wss.close()
      await services.shutdown()
      await new Promise<void>((r) => server.close(() => r()))
    }
  }
}

function deleteUndoMs(env: Readonly<Record<string, string | undefined>>): {
  deleteUndoMs?: number
} {
  const value = Number(env.SIDECAST_E2E_DELETE_UNDO_MS)
  return env.SIDECAST_E2E_DELETE_UNDO_MS && Number.isFinite(value) ? { deleteUndoMs: value } : {}
}

function learnPoll(env: Readonly<Record<string, string | undefined>>): {
  learnPoll?: { intervalMs: number }
} {
  const value = Number(env.SIDECAST_E2E_LEARN_POLL_MS)
  return env.SIDECAST_E2E_LEARN_POLL_MS && Number.isFinite(value) && value >= 100
    ? { learnPoll: { intervalMs: value } }
    : {}
}

/** A small SVG as a data URL, different for each `look` (a fake live thumbnail). */
function fakeThumbnail(kind: string, look: number): string {
  const colour = kind === 'screen' ? '#3a6ea5' : kind === 'window' ? '#a5763a' : '#4a4'
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="90">` +
    `<rect width="160" height="90" fill="${colour}"/>` +
    `<text x="8" y="50" fill="#fff" font-size="20">${kind} ${look}</text></svg>`
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`
}
