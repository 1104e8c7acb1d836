/**
 * HTTP Range parsing for every media route: the `sidecast-media:` protocol in the app, the
 * harness's `/media/` route and the library server. Seeking in a <video> only works when single byte ranges are honoured.
 */

/** An inclusive byte range inside a file. */
export interface ByteRange {
  /** First byte, 0-based. */
  readonly start: number
  /** Last byte, inclusive (as in `Content-Range: bytes start-end/size`). */
  readonly end: number
}

const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/

/**
 * Reads a `Range` header against a file of `size` bytes.
 * - null: no usable Range header, answer 200 with the whole file (RFC 9110 lets a server ignore
 *   a Range it does not understand, and media elements only ever ask for one range);
 * - 'unsatisfiable': answer 416 with `Content-Range: bytes *\/size`;
 * - otherwise the inclusive range to answer with 206.
 */
export function parseRange(
  header: string | null | undefined,
  size: number
): ByteRange | 'unsatisfiable' | null {
  if (!header) return null
  const match = SINGLE_RANGE.exec(header.trim())
  if (!match) return null
  const [, first = '', last = ''] = match
  if (first === '' && last === '') return null

  if (first === '') {
    // Suffix range: the last N bytes.
    const length = Number(last)
    if (!Number.isSafeInteger(length)) return null
    if (length === 0 || size === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - length), end: size - 1 }
  }

  const start = Number(first)
  const end = last === '' ? Number.MAX_SAFE_INTEGER : Number(last)
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) return null
  if (end < start) return null
  if (start >= size) return 'unsatisfiable'
  return { start, end: Math.min(end, size - 1) }
}
