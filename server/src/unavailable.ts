/**
 * Requests the library cannot serve right now for a reason outside the request: the database is
 * busy, or PostgreSQL or Redis cannot be reached (503 with `Retry-After`; the client should try
 * again), or the disk is full (507). Every
 * front — the JSON API, the pages, tus, the server's last-resort handler — answers these the same
 * way instead of a bare 500 (docs/security.md, "When things break").
 */
import { BUSY_RETRY_AFTER_SECONDS, DatabaseBusyError, isBusy } from './db/busy'
import { OUT_OF_SPACE_MESSAGE, isOutOfSpace } from './disk-space'

export interface Unavailable {
  status: 503 | 507
  /** A page's heading. */
  title: string
  /** Said to whoever sent the request (the JSON `error`, the page's text). */
  message: string
  /** `Retry-After` for a busy database. */
  headers: Record<string, string>
}

/** What to answer for `error`, or null when it is not one of these (a 500, then). */
export function unavailable(error: unknown): Unavailable | null {
  if (isBusy(error)) {
    const seconds =
      error instanceof DatabaseBusyError ? error.retryAfterSeconds : BUSY_RETRY_AFTER_SECONDS
    return {
      status: 503,
      title: 'The library is busy',
      message: `The library is busy. Try again in ${seconds} seconds; nothing was changed.`,
      headers: { 'Retry-After': String(seconds) }
    }
  }
  if (isUnreachable(error)) {
    return {
      status: 503,
      title: 'The library cannot reach its database',
      message: `The library cannot reach its database or shared state right now. Try again in ${BUSY_RETRY_AFTER_SECONDS} seconds.`,
      headers: { 'Retry-After': String(BUSY_RETRY_AFTER_SECONDS) }
    }
  }
  if (isOutOfSpace(error)) {
    return {
      status: 507,
      title: 'The library is out of space',
      message: OUT_OF_SPACE_MESSAGE,
      headers: {}
    }
  }
  return null
}

/** Socket errors meaning the other side is not there (now). */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EPIPE'
])
/** What pg and ioredis say when their server went away or does not answer. */
const UNREACHABLE_MESSAGE =
  /Connection terminated|Connection is closed|Command timed out|timeout exceeded when trying to connect|max retries per request/i

/**
 * PostgreSQL or Redis cannot be reached: a refused or dropped connection, a timeout, PostgreSQL's
 * connection-exception class (08…), a server shutting down or not yet accepting (57P01–57P03), or
 * out of connections (53300).
 */
export function isUnreachable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null
  const code = typeof e?.code === 'string' ? e.code : ''
  if (UNREACHABLE_CODES.has(code)) return true
  if (/^08[0-9A-Z]{3}$/.test(code) || /^57P0[123]$/.test(code) || code === '53300') return true
  return typeof e?.message === 'string' && UNREACHABLE_MESSAGE.test(e.message)
}
