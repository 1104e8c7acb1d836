/**
 * Sending media bytes: a stored original or a file of this machine (a render), whole (200), one
 * range (206) or 416 outside it, HEAD without the body.
 */
import type { FileHandle } from 'node:fs/promises'
import { open } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { pipeline } from 'node:stream/promises'
import { parseRange } from '../../../src/shared/http-range'

/* eslint-disable no-control-regex */
/** `Content-Disposition: attachment` for `name`, with an ASCII fallback (RFC 6266). */
export function attachment(name: string): string {
  const clean = name.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '').trim() || 'video'
  const ascii = clean.replace(/[^\x20-\x7e]/g, '_').replace(/["%;\\]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(clean)}`
}
/* eslint-enable no-control-regex */

export async function pipeStream(
  stream: NodeJS.ReadableStream,
  res: ServerResponse
): Promise<void> {
  try {
    await pipeline(stream, res)
  } catch {
    // The client went away (seeking aborts requests all the time) or storage failed mid-way:
    // the headers are out, so all we can do is close the connection.
    if (!res.destroyed) res.destroy()
  }
}

/** `size` bytes answered whole (200), one range (206) or 416; HEAD without a body. */
export async function sendBytes(
  req: IncomingMessage,
  res: ServerResponse,
  size: number,
  headers: Record<string, string>,
  stream: (range: { start: number; end: number } | undefined) => NodeJS.ReadableStream
): Promise<void> {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value)
  res.setHeader('Accept-Ranges', 'bytes')
  // A Range with If-Range is only honoured when the validator matches; we send none, so ignore it.
  const rangeHeader = req.headers['if-range'] ? undefined : req.headers.range
  const range = parseRange(rangeHeader, size)
  if (range === 'unsatisfiable') {
    res.statusCode = 416
    res.setHeader('Content-Range', `bytes */${size}`)
    res.end()
    return
  }
  if (range) {
    res.statusCode = 206
    res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${size}`)
    res.setHeader('Content-Length', range.end - range.start + 1)
  } else {
    res.statusCode = 200
    res.setHeader('Content-Length', size)
  }
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  await pipeStream(stream(range ?? undefined), res)
}

/**
 * A file of this machine (a render): its bytes as they are when opened, so a render replaced
 * meanwhile still finishes this answer. False, with nothing sent, when the file is gone.
 */
export async function sendLocalFile(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  headers: Record<string, string>
): Promise<boolean> {
  let handle: FileHandle
  try {
    handle = await open(path, 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
  try {
    const { size } = await handle.stat()
    await sendBytes(req, res, size, headers, (range) =>
      handle.createReadStream({ start: range?.start ?? 0, end: range?.end, autoClose: false })
    )
  } finally {
    await handle.close()
  }
  return true
}
