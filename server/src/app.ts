/**
 * The library server: one Node http server. `/api/uploads*` → tus (uploads/tus.ts), `/api/*` →
 * JSON API (api/router.ts), everything else → the pages (pages/router.ts). `/api/*` is open to
 * other origins (a preflight without a token, `Access-Control-Allow-Origin: *`; cors.ts).
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ServerConfig } from './config'
import { resolveUser } from './auth'
import {
  createSharedState,
  type SharedState,
  type SharedStateOptions
} from './cluster/shared-state'
import { sendJson } from './api/json'
import { handleApi } from './api/router'
import { guardConnections, serverTimeouts } from './connections'
import { allowCrossOrigin, answerPreflight, corsAllowed, isPreflight } from './cors'
import { BUSY_TIMEOUT_MS } from './db/busy'
import { databaseTarget, openLibraryDb } from './db/open'
import { createHealth, storageCheck, type Health } from './health'
import { createLibrary, type Library, type LibraryInternals } from './library'
import { handlePage } from './pages/router'
import { createStorage } from './storage'
import { timeResponse } from './server-timing'
import { useCounters } from './throttle'
import { UploadProcessor, type ProcessorHooks } from './uploads/processor'
import { UPLOADS_PATH, createUploadsHandler } from './uploads/tus'
import { unavailable } from './unavailable'
import { UPDATES_PATH, createUpdatesHandler } from './updates'

export interface LibraryServer {
  url: string
  server: http.Server
  library: Library
  close(): Promise<void>
}

export interface LibraryServerInternals extends LibraryServer {
  library: LibraryInternals
  processor: UploadProcessor
  /**
   * What this instance shares with the others (upload locks, sign-in and rate-limit counters,
   * S3 upload cache): in Redis with config.redisUrl, else in memory. `ping()` for readiness.
   */
  sharedState: SharedState
  /** /healthz and /readyz; not ready from the moment close() is called (health.ts). */
  health: Health
  /** Removes expired unfinished uploads, then finishes uploads whose library write is pending. */
  cleanup(): Promise<{ expired: number; finished: number; pending: number }>
}

export interface ServerOptions {
  /** Where problems are reported; defaults to stderr. */
  log?: (message: string) => void
  /** Seams into upload processing (tests, monitoring): slots taken, tools run. */
  processorHooks?: ProcessorHooks
  /** The Redis key prefix and lock timings (tests: a prefix of their own per server). */
  sharedState?: SharedStateOptions
}

/** Paths with dot segments (raw or percent-encoded) or encoded slashes are refused outright. */
function suspiciousPath(rawPath: string): boolean {
  if (/%2f|%5c|%00/i.test(rawPath)) return true
  let decoded: string
  try {
    decoded = decodeURIComponent(rawPath)
  } catch {
    return true
  }
  return decoded.split(/[/\\]/).some((seg) => seg === '..' || seg === '.') || decoded.includes('\0')
}

export async function createLibraryServer(
  config: ServerConfig,
  options: ServerOptions = {}
): Promise<LibraryServerInternals> {
  const log = options.log ?? ((m: string) => console.error(`[sidecast] ${m}`))
  // A short busy timeout: a locked database must not hold the event loop (db/busy.ts).
  const db = await openLibraryDb(databaseTarget(config), {
    busyTimeoutMs: BUSY_TIMEOUT_MS
  })
  let sharedState: SharedState
  try {
    sharedState = await createSharedState(config, log, options.sharedState)
  } catch (error) {
    await db.close()
    throw error
  }
  const storage = createStorage(config, { uploadCache: sharedState.uploadCache })
  const library = createLibrary(db, config, storage, log)
  useCounters(library, sharedState.counters)
  const processor = new UploadProcessor(library, log, options.processorHooks)
  const uploads = createUploadsHandler(library, processor, sharedState.locker)
  const pageContext = { library, resolveUser: (req: http.IncomingMessage) => resolveUser(req, db) }
  // /healthz and /readyz: each check bounded, no token, no log per probe (health.ts).
  const health = createHealth({
    checks: {
      database: () => db.ping(),
      redis: sharedState.kind === 'redis' ? () => sharedState.ping() : null,
      storage: storageCheck(config)
    },
    log
  })
  // The desktop app's updates, only when the operator names a folder (updates.ts).
  const updates = config.updatesDir
    ? createUpdatesHandler({ dir: config.updatesDir, resolveUser: pageContext.resolveUser, log })
    : null

  const server = http.createServer(
    // tus Upload-Metadata may carry up to 64 KB of callouts (base64: ~88 KB).
    // Timeouts and per-client limits against slow and many connections: connections.ts.
    { maxHeaderSize: 128 * 1024, ...serverTimeouts(config) },
    (req, res) => {
      timeResponse(res)
      if (!guard.admit(req, res)) return
      void route(req, res).catch((error: unknown) => {
        log(
          `request failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
        )
        const trouble = unavailable(error)
        if (res.headersSent) res.destroy()
        else if (trouble) sendJson(res, trouble.status, { error: trouble.message }, trouble.headers)
        else sendJson(res, 500, { error: 'internal error' })
      })
    }
  )

  const guard = guardConnections(server, config)

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/'
    const rawPath = rawUrl.split('?')[0] ?? '/'
    if (health.handle(req, res, rawPath)) return
    if (!rawPath.startsWith('/') || suspiciousPath(rawPath)) {
      req.resume()
      sendJson(res, 400, { error: 'bad path' })
      return
    }
    let url: URL
    try {
      url = new URL(rawUrl, 'http://localhost')
    } catch {
      sendJson(res, 400, { error: 'bad url' })
      return
    }
    const pathname = url.pathname
    if (corsAllowed(pathname)) {
      // Browsers on other origins: preflights need no token, everything else still does (cors.ts).
      if (isPreflight(req)) {
        answerPreflight(req, res)
        return
      }
      allowCrossOrigin(res)
    }
    if (pathname === UPLOADS_PATH || pathname.startsWith(`${UPLOADS_PATH}/`)) {
      await uploads.handle(req, res, pathname)
      return
    }
    if (pathname === '/api' || pathname.startsWith('/api/')) {
      await handleApi(req, res, url, library)
      return
    }
    if (updates && (pathname === UPDATES_PATH || pathname.startsWith(`${UPDATES_PATH}/`))) {
      await updates.handle(req, res, pathname)
      return
    }
    const handled = await handlePage(req, res, pageContext)
    if (!handled && !res.headersSent) {
      req.resume()
      sendJson(res, 404, { error: 'not found' })
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  const url = `http://${host}:${address.port}`
  if (config.port === 0 && config.publicUrl === `http://${host}:0`) config.publicUrl = url

  async function cleanup(): Promise<{ expired: number; finished: number; pending: number }> {
    // Made at start, and again once there is room after a full disk released it.
    await library.space.ready()
    const { finished, pending } = await processor.reconcile()
    let expired = 0
    try {
      expired = await uploads.tus.cleanUpExpiredUploads()
    } catch (error) {
      log(`expired-upload cleanup failed: ${String(error)}`)
    }
    return { expired, finished, pending }
  }

  let running: Promise<unknown> | null = null
  const runCleanup = (): void => {
    if (running) return
    running = cleanup()
      .catch((error: unknown) => log(`cleanup failed: ${String(error)}`))
      .finally(() => {
        running = null
      })
  }
  // Finish what a previous run left half done, then keep doing it on a schedule.
  runCleanup()
  library.startRenders()
  const timer = setInterval(runCleanup, config.cleanupIntervalMs)
  timer.unref()

  let closing: Promise<void> | null = null
  function close(): Promise<void> {
    closing ??= (async () => {
      // Not ready from now on: probes take this instance out of rotation (health.ts).
      health.stopping()
      clearInterval(timer)
      processor.close()
      // Before connections close: every upload lock held here is asked to let go, so each PATCH
      // in flight stops reading (after tus's lockDrainTimeout), keeps what it stored and answers
      // 204 with that Upload-Offset; the client resumes there through another instance. Locks
      // taken meanwhile are let go at once. Waits until all are released, at most 5 s.
      await sharedState.locker.releaseAll(5000)
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeIdleConnections()
        // Uploads in flight keep what they wrote; tus resumes them after a restart.
        setTimeout(() => server.closeAllConnections(), 2000).unref()
      })
      await running?.catch(() => {})
      await processor.drain()
      // A render cut short is queued again at the next start.
      await library.renders.close()
      await sharedState.close()
      await db.close()
    })()
    return closing
  }

  return { url, server, library, processor, health, sharedState, cleanup, close }
}
