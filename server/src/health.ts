/**
 * `GET /healthz` and `GET /readyz`, for the reverse proxy, the orchestrator and the operator
 * (docs/deployment.md). Neither needs a token; neither logs per request.
 *
 * - `/healthz` (liveness): `200 ok` while the process answers at all. It checks nothing else, so a
 *   database outage never gets every instance restarted at once.
 * - `/readyz` (readiness): whether this instance can do its work now. Each check — the database
 *   (`ping()`), Redis when configured (`ping()`), the video storage (file: the uploads and videos
 *   folders are there and a small file can be written and removed in uploads/; S3: HeadBucket) — is
 *   bounded by a timeout. `200 { ready: true, checks }`, else `503 { ready: false, reason,
 *   checks }` naming the failing checks with a short reason (URLs in it redacted, never a
 *   password). Hits while a round of checks runs share that round: a burst of probes costs one.
 *   Once a graceful stop has begun (`stopping()`), `/readyz` answers `503` `stopping` at once, so
 *   the proxy sends new work to the other instances.
 *
 * A change of readiness (ready → not, a different failure, back to ready) is logged once.
 */
import crypto from 'node:crypto'
import fsp from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import path from 'node:path'
import { S3 } from '@aws-sdk/client-s3'
import { sendJson } from './api/json'
import { redactUrl, type ServerConfig } from './config'
import { s3ClientConfig } from './storage'

export const HEALTHZ_PATH = '/healthz'
export const READYZ_PATH = '/readyz'

/** How long one check may take before it counts as failed. */
export const CHECK_TIMEOUT_MS = 2000

/** A short, bounded reason in answers and logs. */
const MAX_REASON = 200

export type CheckName = 'database' | 'redis' | 'storage'

/** A check resolves when what it checks works; null: not configured (e.g. no Redis). */
export type Check = (() => Promise<void>) | null

export type CheckResult = 'ok' | 'not configured' | `failed: ${string}`

export interface Readiness {
  ready: boolean
  /** Why not ready: `stopping`, or the failing checks with their reasons. */
  reason?: string
  checks: Partial<Record<CheckName, CheckResult>>
}

export interface HealthOptions {
  checks: Record<CheckName, Check>
  timeoutMs?: number
  /** Where a change of readiness is reported. */
  log?: (message: string) => void
}

export interface Health {
  /**
   * Answers `/healthz` and `/readyz` (GET or HEAD; other methods 405); false for any other path,
   * which is left untouched.
   */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): boolean
  /** Runs the checks (or joins the round under way). */
  readiness(): Promise<Readiness>
  /** From now on `/readyz` answers 503 `stopping` (the graceful stop has begun). */
  stopping(): void
  readonly isStopping: boolean
}

/** An error as a short message without credentials: URLs redacted, one line, bounded. */
export function shortReason(error: unknown): string {
  const text =
    error instanceof Error
      ? error.message || error.name
      : typeof error === 'string'
        ? error
        : 'failed'
  const code = (error as { code?: unknown } | null)?.code
  const redacted = text
    .replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, (url) => redactUrl(url))
    .replace(/\s+/g, ' ')
    .trim()
  const withCode =
    typeof code === 'string' && code && !redacted.includes(code) ? `${code}: ${redacted}` : redacted
  return (withCode || 'failed').slice(0, MAX_REASON)
}

/** `check`, failing with "timed out after N ms" when it takes longer than `timeoutMs`. */
async function bounded(check: () => Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs)
    timer.unref()
  })
  try {
    // The check itself may go on in the background; its late outcome is ignored.
    await Promise.race([Promise.resolve().then(check), timeout])
  } finally {
    clearTimeout(timer)
  }
}

export function createHealth(options: HealthOptions): Health {
  const timeoutMs = options.timeoutMs ?? CHECK_TIMEOUT_MS
  const log = options.log ?? (() => {})
  const names = Object.keys(options.checks) as CheckName[]
  let stopping = false
  let round: Promise<Readiness> | null = null
  /** What was last reported, to log changes only. */
  let lastState = 'ready'

  async function runChecks(): Promise<Readiness> {
    const results = await Promise.all(
      names.map(async (name): Promise<[CheckName, CheckResult]> => {
        const check = options.checks[name]
        if (!check) return [name, 'not configured']
        try {
          await bounded(check, timeoutMs)
          return [name, 'ok']
        } catch (error) {
          return [name, `failed: ${shortReason(error)}`]
        }
      })
    )
    const checks = Object.fromEntries(results) as Readiness['checks']
    const failing = results.filter(([, result]) => result.startsWith('failed'))
    if (stopping) return { ready: false, reason: 'stopping', checks }
    if (failing.length === 0) return { ready: true, checks }
    return {
      ready: false,
      reason: failing.map(([name, result]) => `${name} ${result}`).join('; '),
      checks
    }
  }

  function report(readiness: Readiness): void {
    const state = readiness.ready ? 'ready' : (readiness.reason ?? 'not ready')
    if (state === lastState) return
    lastState = state
    log(readiness.ready ? 'ready again' : `not ready: ${state}`)
  }

  function readiness(): Promise<Readiness> {
    if (stopping) return Promise.resolve({ ready: false, reason: 'stopping', checks: {} })
    round ??= runChecks()
      .then((result) => {
        report(result)
        return result
      })
      .finally(() => {
        round = null
      })
    return round
  }

  function answer(res: ServerResponse, status: number, body: unknown, head: boolean): void {
    if (!head) {
      sendJson(res, status, body)
      return
    }
    res.writeHead(status, { 'Cache-Control': 'no-store' })
    res.end()
  }

  return {
    handle(req, res, pathname) {
      if (pathname !== HEALTHZ_PATH && pathname !== READYZ_PATH) return false
      // Nothing to read; a body someone sent anyway is drained.
      req.resume()
      const head = req.method === 'HEAD'
      if (req.method !== 'GET' && !head) {
        sendJson(res, 405, { error: 'use GET' }, { Allow: 'GET, HEAD' })
        return true
      }
      if (pathname === HEALTHZ_PATH) {
        res.writeHead(200, {
          'Content-Type': 'text/plain; charset=utf-8',
          'Content-Length': '3',
          'Cache-Control': 'no-store'
        })
        res.end(head ? undefined : 'ok\n')
        return true
      }
      readiness().then(
        (result) => {
          if (res.headersSent || res.destroyed) return
          answer(res, result.ready ? 200 : 503, result, head)
        },
        (error: unknown) => {
          // runChecks catches each check's failure; this is a defect, still answered.
          if (res.headersSent || res.destroyed) return
          answer(res, 503, { ready: false, reason: shortReason(error), checks: {} }, head)
        }
      )
      return true
    },
    readiness,
    stopping() {
      if (!stopping) log('stopping: /readyz answers 503 from now on')
      stopping = true
      lastState = 'stopping'
    },
    get isStopping() {
      return stopping
    }
  }
}

/**
 * The video storage check. File storage: `uploads/` and `videos/` are folders, and a small file
 * can be written in `uploads/` (where tus writes) and removed again. S3: HeadBucket on the
 * bucket (the credentials are good and the bucket is there), one cheap request.
 */
export function storageCheck(config: Pick<ServerConfig, 'dataDir' | 's3'>): () => Promise<void> {
  if (config.s3) {
    const s3 = config.s3
    const client = new S3({ ...s3ClientConfig(s3), maxAttempts: 1 })
    return async () => {
      try {
        await client.headBucket({ Bucket: s3.bucket })
      } catch (error) {
        // The SDK's message for a bare 403/404 is often just "UnknownError": say the status.
        const e = error as { name?: string; $metadata?: { httpStatusCode?: number } }
        const status = e.$metadata?.httpStatusCode
        throw new Error(`bucket: ${shortReason(error)}${status ? ` (HTTP ${status})` : ''}`)
      }
    }
  }
  const uploadsDir = path.join(config.dataDir, 'uploads')
  const videosDir = path.join(config.dataDir, 'videos')
  return async () => {
    for (const [name, dir] of [
      ['uploads', uploadsDir],
      ['videos', videosDir]
    ] as const) {
      const stat = await fsp.stat(dir).catch((error: unknown) => {
        throw new Error(`${name} folder: ${(error as { code?: string }).code ?? 'unreadable'}`)
      })
      if (!stat.isDirectory()) throw new Error(`${name} folder: not a folder`)
    }
    // Not an upload id and no `.json`: tus and the cleanup never take it for an upload.
    const probe = path.join(uploadsDir, `.readyz-${crypto.randomBytes(6).toString('hex')}`)
    try {
      await fsp.writeFile(probe, 'ok')
      await fsp.rm(probe)
    } catch (error) {
      await fsp.rm(probe, { force: true }).catch(() => {})
      throw new Error(
        `uploads folder not writable: ${(error as { code?: string }).code ?? 'error'}`
      )
    }
  }
}
