/**
 * Issue 18, slowloris: a request head must arrive within the headers timeout; a connection on
 * which nothing moves while the client should be sending is closed after the idle timeout, and
 * a body that trickles slower than the minimum rate is cut — a cut upload resumes where it
 * stopped; one client address holds a bounded number of connections (behind a trusted proxy:
 * requests in flight per forwarded client). Short timeouts configured here; all on loopback.
 */
import net from 'node:net'
import path from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  auth,
  createUpload,
  head,
  makeVideo,
  patch,
  request,
  tempDir,
  type StartOptions,
  type TestServer,
  serversPerTest
} from './support'

const servers = serversPerTest()
const sockets: net.Socket[] = []
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy()
})

async function start(
  config: StartOptions['config'],
  hooks?: StartOptions['hooks']
): Promise<TestServer> {
  return servers.start({ config, hooks })
}

interface Raw {
  socket: net.Socket
  /** Everything the server sent. */
  received(): string
  /** Resolves with the milliseconds from `connected` to the close, or 'open' after `boundMs`. */
  closed(boundMs: number): Promise<number | 'open'>
  connectedAt: number
}

/** A raw TCP connection to the server (from `localAddress`, a loopback address). */
async function connect(s: TestServer, localAddress = '127.0.0.1'): Promise<Raw> {
  const { port } = new URL(s.url)
  const socket = net.connect({ host: '127.0.0.1', port: Number(port), localAddress })
  sockets.push(socket)
  let data = ''
  let closedAt: number | null = null
  const whenClosed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closedAt = performance.now()
      resolve()
    })
  )
  socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')))
  socket.on('error', () => {})
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  const connectedAt = performance.now()
  return {
    socket,
    connectedAt,
    received: () => data,
    async closed(boundMs) {
      let timer: NodeJS.Timeout | undefined
      const bound = new Promise<'open'>((resolve) => {
        timer = setTimeout(() => resolve('open'), boundMs)
      })
      const result = await Promise.race([whenClosed.then(() => 'closed' as const), bound])
      clearTimeout(timer)
      return result === 'open' ? 'open' : (closedAt as unknown as number) - connectedAt
    }
  }
}

/** Waits until `check` passes (bounded): for the server to notice a socket the client closed. */
async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('request heads', () => {
  it('a connection that never finishes its headers is closed within the headers timeout (408)', async () => {
    const s = await start({ headersTimeoutMs: 1000, idleTimeoutMs: 60_000 })
    const raw = await connect(s)
    raw.socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ')
    // A trickle does not keep it open: the head as a whole has the time.
    const trickle = setInterval(() => raw.socket.write('a'), 100)
    const ms = await raw.closed(15_000)
    clearInterval(trickle)
    expect(ms).not.toBe('open')
    expect(ms).toBeGreaterThanOrEqual(900)
    expect(ms).toBeLessThan(6000)
    expect(raw.received()).toMatch(/^HTTP\/1\.1 408/)
  })

  it('a connection that sends nothing is closed after the idle timeout', async () => {
    const s = await start({ headersTimeoutMs: 60_000, idleTimeoutMs: 1000 })
    const raw = await connect(s)
    const ms = await raw.closed(15_000)
    expect(ms).not.toBe('open')
    expect(ms).toBeLessThan(6000)
  })
})

describe('connections per client address', () => {
  it('the one over the cap is refused while others are served, and a freed place is taken again', async () => {
    const s = await start({ maxConnectionsPerAddress: 4, idleTimeoutMs: 60_000 })
    const held = await Promise.all([1, 2, 3, 4].map(() => connect(s)))
    for (const raw of held) raw.socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n')
    const fifth = await connect(s)
    fifth.socket.write('GET /public/style.css HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    const ms = await fifth.closed(10_000)
    expect(ms).not.toBe('open')
    expect(fifth.received()).toBe('')
    // Someone at another address is served all the while.
    const other = await connect(s, '127.0.0.2')
    other.socket.write(
      'GET /public/style.css HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'
    )
    await other.closed(10_000)
    expect(other.received()).toMatch(/^HTTP\/1\.1 200/)
    // One of the four goes: a new connection from the first address is served again.
    held[0]?.socket.destroy()
    await eventually('a freed place', async () => {
      const res = await request(s.url, 'GET', '/public/style.css').catch(() => null)
      return res?.status === 200
    })
  })

  it('behind a trusted proxy: not the proxy’s connections but each forwarded client’s requests in flight are capped (503)', async () => {
    const s = await start({
      trustProxy: ['127.0.0.1'],
      maxConnectionsPerAddress: 2,
      idleTimeoutMs: 60_000
    })
    /** A request in flight for `client`: its body is promised but never sent. */
    const inFlight = async (client: string): Promise<Raw> => {
      const raw = await connect(s)
      raw.socket.write(
        'POST /signin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
          `X-Forwarded-For: ${client}\r\nContent-Length: 100\r\n\r\nname=`
      )
      return raw
    }
    await inFlight('203.0.113.5')
    await inFlight('203.0.113.5')
    const third = await inFlight('203.0.113.5')
    expect(await third.closed(10_000)).not.toBe('open')
    expect(third.received()).toMatch(/^HTTP\/1\.1 503/)
    expect(third.received()).toMatch(/Retry-After: \d+/i)
    // The proxy's own connections are not capped, and other clients are served.
    for (const client of ['203.0.113.6', '203.0.113.7', '203.0.113.8']) {
      const res = await request(s.url, 'GET', '/public/style.css', { 'X-Forwarded-For': client })
      expect(res.status).toBe(200)
    }
  })
})

describe('request bodies', () => {
  let video: Buffer
  beforeAll(async () => {
    video = await makeVideo(path.join(tempDir('vid'), 'clip.mp4'))
  })

  /** Starts a PATCH of `total` bytes on a raw socket and sends the first `first` of them. */
  async function startPatch(s: TestServer, uploadPath: string, total: number, first: Buffer) {
    const raw = await connect(s)
    const headers = {
      ...auth(s.token),
      'Upload-Offset': '0',
      'Content-Type': 'application/offset+octet-stream',
      'Content-Length': String(total)
    }
    raw.socket.write(
      `PATCH ${uploadPath} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        Object.entries(headers)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('') +
        '\r\n'
    )
    raw.socket.write(first)
    return raw
  }

  it('a stalled upload is ended after the idle timeout; HEAD gives the offset and the upload resumes', async () => {
    const s = await start({ idleTimeoutMs: 1000, minBodyRate: 0 })
    const { path: up } = await createUpload(s, video.length, { filename: 'stall.mp4' })
    const part = Math.floor(video.length / 2)
    const raw = await startPatch(s, up, video.length, video.subarray(0, part))
    const ms = await raw.closed(15_000)
    expect(ms).not.toBe('open')
    expect(ms).toBeGreaterThanOrEqual(900)
    expect(ms).toBeLessThan(8000)

    await eventually('the offset of the cut upload', async () => {
      const h = await head(s, up)
      return h.status === 200 && h.headers['upload-offset'] === String(part)
    })
    const rest = await patch(s, up, part, video.subarray(part))
    expect(rest.status).toBe(204)
    expect(rest.headers['sidecast-upload-state']).toBe('done')
  })

  it('the server taking longer than the idle timeout to check a finished upload is not cut', async () => {
    // Checking holds for three idle timeouts: the client has sent everything and waits.
    const s = await start(
      { idleTimeoutMs: 1000 },
      {
        onStart: () => new Promise((resolve) => setTimeout(resolve, 3000))
      }
    )
    const { path: up } = await createUpload(s, video.length, { filename: 'slow-check.mp4' })
    const res = await patch(s, up, 0, video)
    expect(res.status).toBe(204)
    expect(res.headers['sidecast-upload-state']).toBe('done')
  })

  it('a body that trickles slower than the minimum rate is cut; one at a fair pace is not', async () => {
    const s = await start({ idleTimeoutMs: 1000, minBodyRate: 10 * 1024 })
    const { path: up } = await createUpload(s, 1_000_000, { filename: 'trickle.mp4' })
    const raw = await startPatch(s, up, 1_000_000, Buffer.alloc(100))
    // 100 bytes every 100 ms: never idle, but 1 KB/s where 10 KB/s are asked.
    const trickle = setInterval(() => raw.socket.write(Buffer.alloc(100)), 100)
    const ms = await raw.closed(15_000)
    clearInterval(trickle)
    expect(ms).not.toBe('open')
    expect(ms).toBeLessThan(8000)

    // 4 KB every 100 ms (40 KB/s) for three windows goes through.
    const { path: up2 } = await createUpload(s, 4096 * 30, { filename: 'fair.mp4' })
    const fair = await startPatch(s, up2, 4096 * 30, Buffer.alloc(4096))
    let sent = 1
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        fair.socket.write(Buffer.alloc(4096))
        if (++sent === 30) {
          clearInterval(timer)
          resolve()
        }
      }, 100)
    })
    await eventually('the fair upload', async () => /^HTTP\/1\.1 (204|422)/.test(fair.received()))
    expect(fair.received()).not.toMatch(/^HTTP\/1\.1 (408|400|5)/)
  })
})
