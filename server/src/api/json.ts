/** JSON in and out, for the API and the upload lookups: escaped answers, bounded request bodies. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { HttpError, readBody } from '../http-request'

const MAX_BODY = 64 * 1024

/**
 * JSON with `<`, `>` and `&` written as \u escapes: the same data, but no HTML or script tag can
 * appear in the bytes even if something renders the response as HTML.
 */
export function safeJson(body: unknown): string {
  return JSON.stringify(body)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
}

/** Answers `body` as JSON (nothing for 204), never cached; `headers` add to or override these. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): void {
  if (status === 204) {
    res.writeHead(204, { 'Cache-Control': 'no-store', ...headers })
    res.end()
    return
  }
  const text = safeJson(body)
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers
  })
  res.end(text)
}

/** The request's JSON body (at most 64 KB, sent as application/json), or an HttpError. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'] ?? ''
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpError(415, 'send the body as application/json')
  }
  const body = await readBody(req, MAX_BODY, 'body too large')
  try {
    return JSON.parse(body.toString('utf8'))
  } catch {
    throw new HttpError(400, 'body is not valid JSON')
  }
}
