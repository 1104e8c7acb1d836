/**
 * Requests the library cannot serve right now for a reason outside the request: the database is
 * busy (503 with `Retry-After`; the client should try again) or the disk is full (507). Every
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
