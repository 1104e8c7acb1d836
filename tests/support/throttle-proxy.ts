/**
 * A throttling TCP proxy on 127.0.0.1 for tests and benches: a slow, breakable network between
 * the app and the library server.
 *
 *   const proxy = await startThrottleProxy({ target: () => library.port, upBytesPerSecond: 2.5e6 })
 *   // Start the library with publicUrl = proxy.url: the server writes its own address into tus
 *   // Locations (config.publicUrl), so without that the PATCHes would go around the proxy.
 *   proxy.setRate(null)             // upload unthrottled (setDownRate: the other direction)
 *   proxy.setRate(0)                // nothing moves up: a stalled link (connections stay open)
 *   proxy.bytesUp(), bytesDown()    // bytes forwarded each way so far, exactly (headers included)
 *   proxy.cut({ refuseMs: 2000 })   // reset every connection, refuse new ones for 2 s
 *   proxy.cut()                     // …refuse until proxy.restore()
 *   await proxy.close()
 *
 * It works on bytes, not HTTP: what the app sends and the server answers pass through unchanged,
 * so it is the network that is slow or lost, never the protocol that is altered. Each direction
 * has one token bucket shared by all connections (one link's bandwidth), refilled continuously
 * and holding at most 50 ms of the rate, so the flow is smooth rather than a burst per second.
 * The rate is a ceiling: on a busy machine timers fire late and the flow is a little slower,
 * never faster (a test may rely on the lower bound of a transfer's time, not on the upper).
 * A refused connection is accepted and reset at once (ECONNRESET, as a lost route often looks to
 * the client); `target` is asked per connection, so the proxy outlives restarts of the server.
 */
import {
  connect,
  createServer,
  type AddressInfo,
  type Server as TcpServer,
  type Socket
} from 'node:net'
import { Transform, pipeline, type TransformCallback } from 'node:stream'

export interface ThrottleProxyOptions {
  /** The server's port on 127.0.0.1 (or a function asked for each new connection). */
  readonly target: number | (() => number)
  /** Ceiling on the bytes/s sent to the server (the upload); null or absent: no limit. */
  readonly upBytesPerSecond?: number | null
  /** Ceiling on the bytes/s sent back to the client (the download); null or absent: no limit. */
  readonly downBytesPerSecond?: number | null
  /** Port to listen on (default 0: any free port). */
  readonly port?: number
}

export interface CutOptions {
  /** Refuse new connections for this long; absent: until restore(). 0: accept again at once. */
  readonly refuseMs?: number
}

export interface ThrottleProxy {
  /** http://127.0.0.1:<port>: give it to the app (and to the server as its public URL). */
  readonly url: string
  readonly port: number
  /** Sets the upload ceiling in bytes/s: null removes it, 0 stops the flow until changed. */
  setRate(bytesPerSecond: number | null): void
  /** Sets the download ceiling, like setRate. */
  setDownRate(bytesPerSecond: number | null): void
  /** Bytes forwarded from clients to the server so far. */
  bytesUp(): number
  /** Bytes forwarded from the server to clients so far. */
  bytesDown(): number
  /** Connections accepted and forwarded so far (refused ones not included). */
  connections(): number
  /** Connections open now. */
  openConnections(): number
  /** Connections refused so far (while cut). */
  refused(): number
  /** True while new connections are refused. */
  refusing(): boolean
  /** Resets every open connection (both ends) and refuses new ones, as a lost network does. */
  cut(options?: CutOptions): void
  /** Accepts new connections again. */
  restore(): void
  /** Resets every connection and stops listening. */
  close(): Promise<void>
}

/**
 * Largest burst, as a duration at the current rate: small enough that the flow looks smooth. One
 * grant carries a fifth of it, so a timer that fires up to 40 ms late (a busy machine) loses
 * nothing: the bucket has kept filling meanwhile.
 */
const BURST_SECONDS = 0.05
const PIECE_SECONDS = 0.01

interface Waiter {
  readonly owner: object
  readonly bytes: number
  readonly resolve: () => void
}

/**
 * A token bucket for one direction. `take` resolves, in order of asking, when the bytes may go.
 * Exported for the unit test.
 */
export class TokenBucket {
  private rate: number | null
  private tokens: number
  private last = performance.now()
  private readonly queue: Waiter[] = []
  private timer: NodeJS.Timeout | undefined

  constructor(bytesPerSecond: number | null) {
    this.rate = checkedRate(bytesPerSecond)
    this.tokens = this.capacity()
  }

  /** The most bytes one grant may carry (callers split larger writes). */
  piece(): number {
    return this.rate === null ? Infinity : Math.max(1, Math.floor(this.rate * PIECE_SECONDS))
  }

  setRate(bytesPerSecond: number | null): void {
    const rate = checkedRate(bytesPerSecond)
    this.refill()
    this.rate = rate
    this.tokens = Math.min(this.tokens, this.capacity())
    this.schedule()
  }

  /** Waits until `bytes` (at most piece()) may be sent; `owner` lets cancel() drop the wait. */
  take(owner: object, bytes: number): Promise<void> {
    return new Promise((resolve) => {
      this.queue.push({ owner, bytes, resolve })
      this.schedule()
    })
  }

  /** Drops the waits of a connection that has gone (their promises never resolve). */
  cancel(owner: object): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i]?.owner === owner) this.queue.splice(i, 1)
    }
    if (this.queue.length === 0) this.stopTimer()
  }

  dispose(): void {
    this.queue.length = 0
    this.stopTimer()
  }

  private capacity(): number {
    return this.rate === null ? Infinity : this.rate * BURST_SECONDS
  }

  private refill(): void {
    const now = performance.now()
    if (this.rate !== null) {
      this.tokens = Math.min(this.capacity(), this.tokens + ((now - this.last) / 1000) * this.rate)
    }
    this.last = now
  }

  private stopTimer(): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }

  /** Grants what the bucket holds, in order, then sleeps until the next waiter can go. */
  private schedule(): void {
    this.stopTimer()
    this.refill()
    while (this.queue.length > 0) {
      const head = this.queue[0] as Waiter
      if (this.rate === 0) return // stalled until setRate
      if (this.rate !== null) {
        // A grant never exceeds the capacity, so a waiter larger than it (asked before a rate
        // cut) waits for a full bucket and takes it all.
        const need = Math.min(head.bytes, this.capacity())
        if (this.tokens < need) {
          const ms = Math.max(1, Math.ceil(((need - this.tokens) / this.rate) * 1000))
          this.timer = setTimeout(() => this.schedule(), ms)
          return
        }
        this.tokens -= need
      }
      this.queue.shift()
      head.resolve()
    }
  }
}

function checkedRate(bytesPerSecond: number | null | undefined): number | null {
  if (bytesPerSecond === null || bytesPerSecond === undefined) return null
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond < 0) {
    throw new Error(`A rate is bytes per second ≥ 0 or null, not ${bytesPerSecond}.`)
  }
  return bytesPerSecond
}

/** Forwards chunks at the bucket's pace, counting what it lets through. */
function throttled(bucket: TokenBucket, count: (bytes: number) => void): Transform {
  const owner = {}
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      const send = async (): Promise<void> => {
        for (let offset = 0; offset < chunk.length;) {
          const size = Math.min(bucket.piece(), chunk.length - offset)
          await bucket.take(owner, size)
          if (stream.destroyed) return
          const piece = chunk.subarray(offset, offset + size)
          offset += size
          count(piece.length)
          stream.push(piece)
        }
        callback()
      }
      void send()
    },
    destroy(error, callback) {
      bucket.cancel(owner)
      callback(error)
    }
  })
  return stream
}

/** Starts the proxy on 127.0.0.1. */
export async function startThrottleProxy(options: ThrottleProxyOptions): Promise<ThrottleProxy> {
  const target =
    typeof options.target === 'number' ? () => options.target as number : options.target
  const up = new TokenBucket(options.upBytesPerSecond ?? null)
  const down = new TokenBucket(options.downBytesPerSecond ?? null)
  /** Each open connection's two sockets. */
  const open = new Set<readonly [Socket, Socket]>()
  let bytesUp = 0
  let bytesDown = 0
  let accepted = 0
  let refused = 0
  let refusing = false
  let refuseTimer: NodeJS.Timeout | undefined

  const reset = (socket: Socket): void => {
    // An RST where the socket is connected; a plain destroy where it is not (yet).
    if (socket.readyState === 'open') socket.resetAndDestroy()
    else socket.destroy()
  }

  const server: TcpServer = createServer({ allowHalfOpen: true }, (client) => {
    if (refusing) {
      refused++
      reset(client)
      return
    }
    accepted++
    const upstream = connect({ port: target(), host: '127.0.0.1', allowHalfOpen: true })
    const toServer = throttled(up, (n) => (bytesUp += n))
    const toClient = throttled(down, (n) => (bytesDown += n))
    const pair = [client, upstream] as const
    open.add(pair)
    let ended = 0
    const finish = (error: Error | null | undefined): void => {
      // A failure either way (a reset, a refused upstream) ends the connection both ways; a clean
      // end of each direction ends it once both are done.
      if (error || ++ended === 2) {
        open.delete(pair)
        for (const socket of pair) {
          if (error) reset(socket)
          else socket.destroy()
        }
        toServer.destroy()
        toClient.destroy()
      }
    }
    pipeline(client, toServer, upstream, finish)
    pipeline(upstream, toClient, client, finish)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port

  const resetAll = (): void => {
    for (const pair of [...open]) {
      open.delete(pair)
      for (const socket of pair) reset(socket)
    }
  }

  const restore = (): void => {
    clearTimeout(refuseTimer)
    refuseTimer = undefined
    refusing = false
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setRate: (rate) => up.setRate(rate),
    setDownRate: (rate) => down.setRate(rate),
    bytesUp: () => bytesUp,
    bytesDown: () => bytesDown,
    connections: () => accepted,
    openConnections: () => open.size,
    refused: () => refused,
    refusing: () => refusing,
    cut(cutOptions = {}) {
      restore()
      const { refuseMs } = cutOptions
      if (refuseMs === undefined || refuseMs > 0) refusing = true
      if (refuseMs !== undefined && refuseMs > 0) refuseTimer = setTimeout(restore, refuseMs)
      resetAll()
    },
    restore,
    close: () =>
      new Promise<void>((resolve) => {
        restore()
        refusing = true
        resetAll()
        up.dispose()
        down.dispose()
        server.close(() => resolve())
      })
  }
}
