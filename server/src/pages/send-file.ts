/**
 * Sends a file of this machine (a render of a video's edits) as media: 200 whole, 206 one range,
 * 416 outside the file, HEAD without the body.
 */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
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

export interface SendFileOptions {
  readonly type: string
  /** A Content-Disposition, e.g. attachment(...). */
  readonly disposition?: string
}

export async function sendLocalFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  options: SendFileOptions
): Promise<void> {
  const { size } = await stat(file)
  res.setHeader('Content-Type', options.type)
  res.setHeader('Accept-Ranges', 'bytes')
  res.setHeader('Cache-Control', 'private')
  if (options.disposition) res.setHeader('Content-Disposition', options.disposition)
  // A Range with If-Range is only honoured when the validator matches; we send none, so ignore it.
  const range = parseRange(req.headers['if-range'] ? undefined : req.headers.range, size)
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
  try {
    await pipeline(createReadStream(file, range ?? {}), res)
  } catch {
    // The client went away (seeking aborts requests all the time): close the connection.
    if (!res.destroyed) res.destroy()
  }
}
