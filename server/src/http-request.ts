/**
 * Reading a request, the same way for the JSON API and the pages: the refusal a route throws
 * (and its router answers in its own format), a body read within a size limit, and the
 * constant-time comparison of the secrets a request carries (CSRF tokens).
 */
import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** A request refused with `status`; `message` is shown to whoever sent it. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message)
  }
}

/**
 * The whole body, at most `limit` bytes; beyond that the rest is drained and the request is
 * refused with 413 and `tooLarge`.
 */
export async function readBody(
  req: IncomingMessage,
  limit: number,
  tooLarge: string
): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) {
      req.resume()
      throw new HttpError(413, tooLarge)
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

/** Constant-time string comparison (false for different lengths, and for an empty `a`). */
export function safeEqual(a: string | undefined | null, b: string | undefined | null): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || a.length === 0) return false
  const ab = Buffer.from(a, 'utf8')
  const bb = Buffer.from(b, 'utf8')
  return ab.length === bb.length && timingSafeEqual(ab, bb)
}
