/**
 * The tests' throttling proxy against a real TCP server on 127.0.0.1. Time is only ever a lower
 * bound (a ceiling on the rate can make a transfer slower on a busy machine, never faster); the
 * counters are exact.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { startThrottleProxy, TokenBucket, type ThrottleProxy } from '../../support/throttle-proxy'

const MiB = 1024 * 1024

/** A server that counts what it receives and, when the client has sent all (FIN), replies. */
interface Sink {
  readonly port: number
  received(): number
  close(): Promise<void>
}

async function startSink(replyBytes: number): Promise<Sink> {
  let received = 0
  const sockets = new Set<Socket>()
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    socket.on('data', (chunk: Buffer) => (received += chunk.length))
    socket.on('end', () => socket.end(Buffer.alloc(replyBytes, 7)))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    received: () => received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}

interface Exchange {
  /** Bytes the client got back. */
  readonly replied: number
  readonly ms: number
}

/** Sends `bytes` through the proxy in 64 KiB writes, half-closes, and reads the reply to the end. */
function exchange(port: number, bytes: number): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    let replied = 0
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true })
    socket.on('error', reject)
    socket.on('data', (chunk: Buffer) => (replied += chunk.length))
    socket.on('end', () => {
      socket.end()
      resolve({ replied, ms: performance.now() - started })
    })
    socket.on('connect', () => {
      const piece = Buffer.alloc(64 * 1024, 1)
      let left = bytes
      const write = (): void => {
        while (left > 0) {
          const next = piece.subarray(0, Math.min(piece.length, left))
          left -= next.length
          if (!socket.write(next)) {
            socket.once('drain', write)
            return
          }
        }
        socket.end()
      }
      write()
    })
  })
}

/** Opens a connection and resolves how it ended: 'reset' (an error) or 'closed'. */
function ending(socket: Socket): Promise<'reset' | 'closed'> {
  return new Promise((resolve) => {
    let failed = false
    socket.on('error', () => (failed = true))
    socket.on('close', () => resolve(failed ? 'reset' : 'closed'))
  })
}

/** Polls `check` every 20 ms until it holds; fails after `ms`. */
async function until(check: () => boolean | Promise<boolean>, ms = 4000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('The condition did not hold in time.')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('throttle proxy', () => {
  let sink: Sink
  let proxy: ThrottleProxy | undefined

  beforeEach(async () => {
    sink = await startSink(300_000)
  })
  afterEach(async () => {
    await proxy?.close()
    proxy = undefined
    await sink.close()
  })

  it('forwards every byte both ways and counts them exactly', async () => {
    proxy = await startThrottleProxy({ target: sink.port })
    const result = await exchange(proxy.port, 2 * MiB + 17)
    expect(sink.received()).toBe(2 * MiB + 17)
    expect(result.replied).toBe(300_000)
    expect(proxy.bytesUp()).toBe(2 * MiB + 17)
    expect(proxy.bytesDown()).toBe(300_000)
    expect(proxy.connections()).toBe(1)
    await until(() => proxy?.openConnections() === 0)
  })

  it('holds the upload to its rate: 2 MiB at 4 MiB/s takes at least 0.4 s', async () => {
    proxy = await startThrottleProxy({ target: sink.port, upBytesPerSecond: 4 * MiB })
    const result = await exchange(proxy.port, 2 * MiB)
    // 0.5 s at the rate, less the 50 ms the bucket may hold at the start.
    expect(result.ms).toBeGreaterThanOrEqual(400)
    expect(proxy.bytesUp()).toBe(2 * MiB)
    expect(result.replied).toBe(300_000)
  })

  it('holds the download to its rate: 1 MiB at 2 MiB/s takes at least 0.4 s', async () => {
    await sink.close()
    sink = await startSink(MiB)
    proxy = await startThrottleProxy({ target: sink.port, downBytesPerSecond: 2 * MiB })
    const result = await exchange(proxy.port, 1000)
    expect(result.ms).toBeGreaterThanOrEqual(400)
    expect(result.replied).toBe(MiB)
    expect(proxy.bytesDown()).toBe(MiB)
  })

  it('shares one rate between connections, as one link does', async () => {
    proxy = await startThrottleProxy({ target: sink.port, upBytesPerSecond: 4 * MiB })
    const started = performance.now()
    const port = proxy.port
    await Promise.all([exchange(port, MiB), exchange(port, MiB)])
    expect(performance.now() - started).toBeGreaterThanOrEqual(400)
    expect(sink.received()).toBe(2 * MiB)
    expect(proxy.connections()).toBe(2)
  })

  it('takes a new rate while running: 0 holds every byte, null lets them through', async () => {
    proxy = await startThrottleProxy({ target: sink.port, upBytesPerSecond: 0 })
    const done = exchange(proxy.port, 500_000)
    await until(() => proxy?.openConnections() === 1)
    // Nothing may move at rate 0, however long this waits on a busy machine.
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(sink.received()).toBe(0)
    expect(proxy.bytesUp()).toBe(0)
    proxy.setRate(null)
    const result = await done
    expect(sink.received()).toBe(500_000)
    expect(result.replied).toBe(300_000)
  })

  it('cuts every connection and refuses new ones until restored', async () => {
    proxy = await startThrottleProxy({ target: sink.port, upBytesPerSecond: 0 })
    const held = connect({ port: proxy.port, host: '127.0.0.1' })
    const heldEnd = ending(held)
    held.write(Buffer.alloc(1000))
    await until(() => proxy?.openConnections() === 1)

    proxy.cut()
    expect(await heldEnd).toBe('reset')
    expect(proxy.openConnections()).toBe(0)
    expect(proxy.refusing()).toBe(true)

    const refused = connect({ port: proxy.port, host: '127.0.0.1' })
    const refusedEnd = ending(refused)
    expect(await refusedEnd).toBe('reset')
    expect(proxy.refused()).toBe(1)
    expect(sink.received()).toBe(0)

    proxy.restore()
    proxy.setRate(null)
    const result = await exchange(proxy.port, 1000)
    expect(result.replied).toBe(300_000)
    expect(proxy.connections()).toBe(2)
  })

  it('accepts connections again by itself after refuseMs', async () => {
    proxy = await startThrottleProxy({ target: sink.port })
    proxy.cut({ refuseMs: 100 })
    expect(proxy.refusing()).toBe(true)
    await until(() => proxy?.refusing() === false)
    const result = await exchange(proxy.port, 1000)
    expect(result.replied).toBe(300_000)
  })

  it('close() resets open connections and stops listening', async () => {
    const closing = await startThrottleProxy({ target: sink.port, upBytesPerSecond: 0 })
    const held = connect({ port: closing.port, host: '127.0.0.1' })
    const heldEnd = ending(held)
    await until(() => closing.openConnections() === 1)
    await closing.close()
    expect(await heldEnd).toBe('reset')
    const after = connect({ port: closing.port, host: '127.0.0.1' })
    expect(await ending(after)).toBe('reset')
  })

  it('rejects a rate that is not bytes per second', () => {
    expect(() => new TokenBucket(-1)).toThrow(/bytes per second/)
    expect(() => new TokenBucket(Number.NaN)).toThrow(/bytes per second/)
    expect(() => new TokenBucket(Infinity)).toThrow(/bytes per second/)
  })
})

describe('token bucket, on a fake clock', () => {
  afterEach(() => vi.useRealTimers())

  /** Asks for `total` bytes in grants of piece() and counts those granted as the clock runs. */
  function drain(bucket: TokenBucket, total: number): { granted: () => number } {
    let granted = 0
    const owner = {}
    void (async () => {
      for (let left = total; left > 0;) {
        const size = Math.min(bucket.piece(), left)
        await bucket.take(owner, size)
        granted += size
        left -= size
      }
    })()
    return { granted: () => granted }
  }

  it('grants smoothly at the rate: a 50 ms burst, then the rate, never ahead of it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
    const start = performance.now()
    const bucket = new TokenBucket(1_000_000)
    const flow = drain(bucket, 1_000_000)
    await vi.advanceTimersByTimeAsync(0)
    expect(flow.granted()).toBe(50_000)
    for (const ms of [100, 250, 500, 900]) {
      await vi.advanceTimersByTimeAsync(start + ms - performance.now())
      // What the rate allows by now, give or take one 10 ms grant.
      expect(flow.granted()).toBeGreaterThanOrEqual(50_000 + ms * 1000 - 10_000)
      expect(flow.granted()).toBeLessThanOrEqual(50_000 + ms * 1000)
    }
    await vi.advanceTimersByTimeAsync(100)
    expect(flow.granted()).toBe(1_000_000)
  })

  it('holds every byte at rate 0 and lets the rest through at once when the limit goes', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
    const bucket = new TokenBucket(0)
    const flow = drain(bucket, 300_000)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(flow.granted()).toBe(0)
    bucket.setRate(null)
    await vi.advanceTimersByTimeAsync(0)
    expect(flow.granted()).toBe(300_000)
  })
})
