/**
 * When the disk is full. Out-of-space errors, however they arrive (Node's ENOSPC, a quota's
 * EDQUOT, a file-size limit's EFBIG, SQLite's SQLITE_FULL), are recognised here, and answered
 * 507 with OUT_OF_SPACE_MESSAGE (unavailable.ts).
 */

export const OUT_OF_SPACE_MESSAGE =
  'The library is out of disk space. Ask the person who runs it to free some space; deleting videos still works.'

const OUT_OF_SPACE_CODES = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'SQLITE_FULL'])

/** Whether `error` (or an error it wraps, as `cause`) says the disk is full. */
export function isOutOfSpace(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && OUT_OF_SPACE_CODES.has(code)) return true
    e = (e as { cause?: unknown }).cause
  }
  return false
}
