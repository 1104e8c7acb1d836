/**
 * `Server-Timing: app;dur=<ms>` on every answer: the time from the request's arrival to its
 * response headers, what the server spent on it without the network's share (a page is built
 * whole before its headers go). Operators can log it (nginx: `$upstream_http_server_timing`) and
 * the benchmarks read it. A handler's own entries (an upload's `process`) are kept; `app` is added
 * after them.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'

const NAME = 'server-timing'

/** Adds `entry` to a Server-Timing value, if any. */
function withEntry(value: unknown, entry: string): string {
  if (value === undefined || value === null || value === '') return entry
  return `${Array.isArray(value) ? value.join(', ') : String(value)}, ${entry}`
}

/** Makes `res` say, when its headers are written, how long the server took to get there. */
export function timeResponse(res: ServerResponse): void {
  const started = performance.now()
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse
  res.writeHead = ((...args: unknown[]) => {
    if (!res.headersSent) {
      const entry = `app;dur=${(performance.now() - started).toFixed(1)}`
      // writeHead(status[, message][, headers]): headers given here win over setHeader's.
      const headers = args.find(
        (a, i) => i > 0 && typeof a === 'object' && a !== null && !Array.isArray(a)
      ) as OutgoingHttpHeaders | undefined
      const key = headers && Object.keys(headers).find((k) => k.toLowerCase() === NAME)
      if (headers && key !== undefined) headers[key] = withEntry(headers[key], entry)
      else res.setHeader('Server-Timing', withEntry(res.getHeader(NAME), entry))
    }
    return writeHead(...args)
  }) as typeof res.writeHead
}
