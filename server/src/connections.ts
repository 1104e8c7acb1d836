/**
 * What one connection and one client may hold, against slow or many connections (slowloris):
 *
 * - the request head must arrive within `headersTimeoutMs` (Node's headersTimeout — which
 *   `requestTimeout: 0` alone turns off);
 * - while the client should be sending (a body) or receiving (an answer), a connection on which
 *   nothing moves for `idleTimeoutMs` is closed (nginx's client_body_timeout and send_timeout).
 *   While the server itself is busy — working on the answer, or not reading the body because the
 *   storage is slow — the client is not blamed;
 * - a body must also average `minBodyRate` bytes a second over each idle-timeout window (Apache's
 *   mod_reqtimeout MinRate), so a trickle does not hold a connection for ever. A cut tus upload
 *   keeps what it received and resumes at that offset;
 * - a keep-alive connection waits `idleTimeoutMs` + 5 s for its next request (longer than the
 *   60 s most proxies and load balancers keep, so they close first);
 * - one client address (an IPv6 client: its /64) holds at most `maxConnectionsPerAddress`
 *   connections; the one over is closed at once. Connections from a trusted proxy are not
 *   counted (the proxy's own limits apply); there each forwarded client may have that many
 *   requests in flight, and the one over is answered 503.
 */
import type http from 'node:http'
import type { Socket } from 'node:net'
import { clientAddress, clientKey, isTrustedProxy } from './client-address'
import type { ServerConfig } from './config'

export type ConnectionLimits = Pick<
  ServerConfig,
  'headersTimeoutMs' | 'idleTimeoutMs' | 'minBodyRate' | 'maxConnectionsPerAddress' | 'trustProxy'
>

/** How long a keep-alive connection waits beyond the idle timeout for its next request. */
const KEEP_ALIVE_EXTRA_MS = 5000

/** Options for `http.createServer`. */
export function serverTimeouts(limits: ConnectionLimits): http.ServerOptions {
  return {
    // Uploads may take hours: no limit on a whole request; the idle timeout and the minimum
    // rate below judge a body as it comes.
    requestTimeout: 0,
    headersTimeout: limits.headersTimeoutMs,
    // How often Node looks for heads that are late: a quarter of the timeout, at most 30 s.
    connectionsCheckingInterval: Math.min(
      30_000,
      Math.max(50, Math.floor(limits.headersTimeoutMs / 4))
    ),
    keepAliveTimeout: limits.idleTimeoutMs + KEEP_ALIVE_EXTRA_MS
  }
}

/** Whether the server, not the client, is why no body bytes move (it stopped reading). */
function serverNotReading(req: http.IncomingMessage): boolean {
  return req.readableFlowing === false || req.readableLength >= req.readableHighWaterMark
}

function hasBody(req: http.IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length']) > 0
}

/** A count per key that forgets keys at zero. */
class Counter {
  private readonly counts = new Map<string, number>()
  get(key: string): number {
    return this.counts.get(key) ?? 0
  }
  add(key: string): void {
    this.counts.set(key, this.get(key) + 1)
  }
  remove(key: string): void {
    const left = this.get(key) - 1
    if (left > 0) this.counts.set(key, left)
    else this.counts.delete(key)
  }
}

export interface ConnectionGuard {
  /**
   * Called first for every request: false when it was answered already (503, a forwarded
   * client over its cap).
   */
  admit(req: http.IncomingMessage, res: http.ServerResponse): boolean
}

/** Puts the limits on `server` (made with `serverTimeouts`). */
export function guardConnections(server: http.Server, limits: ConnectionLimits): ConnectionGuard {
  const { idleTimeoutMs, maxConnectionsPerAddress: cap, trustProxy } = limits
  // Every socket gets the idle timeout; the 'timeout' listener below decides what it means.
  server.timeout = idleTimeoutMs

  const active = new WeakMap<Socket, { req: http.IncomingMessage; res: http.ServerResponse }>()
  const connections = new Counter()
  const forwarded = new Counter()

  server.on('connection', (socket: Socket) => {
    const peer = socket.remoteAddress ?? ''
    if (cap <= 0 || isTrustedProxy(peer, trustProxy)) return
    const key = clientKey(peer)
    if (connections.get(key) >= cap) {
      socket.destroy()
      return
    }
    connections.add(key)
    socket.once('close', () => connections.remove(key))
  })

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const socket = req.socket
    active.set(socket, { req, res })
    const done = (): void => {
      if (active.get(socket)?.res === res) active.delete(socket)
    }
    res.once('finish', done)
    res.once('close', done)
    if (limits.minBodyRate > 0 && hasBody(req)) watchBodyRate(req, socket)
  })

  server.on('timeout', (socket: Socket) => {
    const current = active.get(socket)
    // Between requests (keep-alive) or before the first one: nothing is owed, close.
    if (!current) {
      socket.destroy()
      return
    }
    const { req, res } = current
    const clientStalled = !req.complete
      ? !serverNotReading(req) // the body stopped coming
      : res.headersSent && (socket.writableLength > 0 || res.writableNeedDrain) // not read
    if (clientStalled) socket.destroy()
    // The server is the slow one (working on the answer, storage busy): look again later.
    else socket.setTimeout(idleTimeoutMs)
  })

  /** Cuts a body slower than `minBodyRate` on average over an idle-timeout window. */
  function watchBodyRate(req: http.IncomingMessage, socket: Socket): void {
    const needed = Math.max(1, Math.floor((limits.minBodyRate * idleTimeoutMs) / 1000))
    let last = socket.bytesRead
    const timer = setInterval(() => {
      if (req.complete || socket.destroyed) return stop()
      const now = socket.bytesRead
      if (now - last < needed && !serverNotReading(req)) {
        socket.destroy()
        return stop()
      }
      last = now
    }, idleTimeoutMs)
    timer.unref()
    const stop = (): void => clearInterval(timer)
    req.once('end', stop)
    req.once('close', stop)
  }

  return {
    admit(req, res) {
      if (cap <= 0 || !isTrustedProxy(req.socket.remoteAddress ?? '', trustProxy)) return true
      const key = clientKey(clientAddress(req, trustProxy))
      if (forwarded.get(key) >= cap) {
        req.resume()
        res.writeHead(503, {
          'Content-Type': 'text/plain; charset=utf-8',
          'Retry-After': '5',
          Connection: 'close'
        })
        res.end('Too many requests at once from your address. Try again in a moment.\n')
        return false
      }
      forwarded.add(key)
      res.once('close', () => forwarded.remove(key))
      return true
    }
  }
}
