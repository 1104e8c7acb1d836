/**
 * The real team library server for e2e tests: started in this process on 127.0.0.1 with a temp
 * data dir, one user and an access token, stoppable and restartable on the same port and data
 * dir; every request it answers is logged. And a TCP proxy in front of it that counts (and can
 * slow down) the bytes the app sends, and outlives the server's restarts.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import http from 'node:http'
import {
  connect,
  createServer as createTcpServer,
  type AddressInfo,
  type Server as TcpServer,
  type Socket
} from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Transform } from 'node:stream'
import { createLibraryServer, type LibraryServerInternals } from '../../server/src/app'
import { loadConfig } from '../../server/src/config'

/** One request the library answered. */
export interface LoggedRequest {
  readonly method: string
  readonly path: string
  /** The status sent (0 if the connection ended first). */
  status: number
  readonly at: number
}

export interface TestLibrary {
  /** The server's own address (http://127.0.0.1:port), fixed across restarts. */
  readonly url: string
  readonly port: number
  readonly dataDir: string
  readonly userName: string
  /** A valid access token of `userName`. */
  readonly token: string
  /** Every request answered so far, across restarts. */
  readonly requests: LoggedRequest[]
  /** True while the server listens. */
  running(): boolean
  /** Stops gracefully (running requests get two seconds, unfinished uploads keep their bytes). */
  stop(): Promise<void>
  /** Starts again on the same port and data dir. */
  start(): Promise<void>
  /** Stops it and removes its data dir. */
  dispose(): Promise<void>
}

export interface TestLibraryOptions {
  /** Base URL in share links and tus Locations (e.g. a proxy's); default the server's own. */
  readonly publicUrl?: string
}

/** Starts the real library server with user `alice` and an access token. */
export async function startTestLibrary(options: TestLibraryOptions = {}): Promise<TestLibrary> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sidecast-library-'))
  const requests: LoggedRequest[] = []
  let app: LibraryServerInternals | null = null
  let port = 0

  const listen = async (): Promise<LibraryServerInternals> => {
    const config = loadConfig(
      ['--port', String(port), '--host', '127.0.0.1', '--data', dataDir],
      {}
    )
    if (options.publicUrl) config.publicUrl = options.publicUrl
    const server = await createLibraryServer(config, { log: () => undefined })
    server.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const entry: LoggedRequest = {
        method: req.method ?? '',
        path: (req.url ?? '').split('?')[0] ?? '',
        status: 0,
        at: Date.now()
      }
      requests.push(entry)
      res.once('finish', () => (entry.status = res.statusCode))
    })
    return server
  }

  app = await listen()
  port = Number(new URL(app.url).port)
  const db = app.library.db
  const user = await db.createUser('alice', 'alice-password', false)
  const { token } = await db.createToken(user.id, 'e2e')

  const stop = async (): Promise<void> => {
    const current = app
    app = null
    await current?.close()
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    userName: user.name,
    token,
    requests,
    running: () => app !== null,
    stop,
    async start() {
      if (app) return
      app = await listen()
    },
    async dispose() {
      await stop()
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
}

/** A video as GET /api/videos lists it (the fields these tests read). */
export interface ListedVideo {
  readonly id: string
  readonly title: string
  readonly description: string
  readonly projectId: string | null
  readonly sizeBytes: number
  readonly url: string
  readonly mediaUrl: string
}

/** A GET with the token, straight to the server (not through any proxy). */
export function libraryGet(library: TestLibrary, path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${library.url}${path}`,
      { headers: { Authorization: `Bearer ${library.token}` }, agent: false },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const body = Buffer.concat(chunks)
          if (res.statusCode !== 200) {
            reject(new Error(`GET ${path} answered ${res.statusCode}: ${body.toString()}`))
          } else resolve(body)
        })
        res.on('error', reject)
      }
    )
    req.setTimeout(60_000, () => req.destroy(new Error(`GET ${path} timed out`)))
    req.on('error', reject)
  })
}

/** GET /api/videos: every video in the library. */
export async function listVideos(library: TestLibrary): Promise<ListedVideo[]> {
  const body = await libraryGet(library, '/api/videos?limit=100')
  return (JSON.parse(body.toString()) as { videos: ListedVideo[] }).videos
}

/** sha256 of a video's bytes as the library serves them (its media route). */
export async function downloadedSha256(library: TestLibrary, video: ListedVideo): Promise<string> {
  const path = new URL(video.mediaUrl, library.url).pathname
  return createHash('sha256')
    .update(await libraryGet(library, path))
    .digest('hex')
}

export interface CountingProxy {
  readonly url: string
  /** Bytes from the app forwarded to the server so far (request lines, headers and bodies). */
  bytesUp(): number
  /** Connections the app opened so far. */
  connections(): number
  close(): Promise<void>
}

/**
 * A TCP proxy to 127.0.0.1:`targetPort` that counts the bytes going to the server and, with
 * `bytesPerSecond`, slows them down to about that rate (so an upload is still running when a test
 * breaks something). It keeps listening while the server behind it restarts.
 */
export async function startCountingProxy(
  targetPort: () => number,
  options: { bytesPerSecond?: number } = {}
): Promise<CountingProxy> {
  const rate = options.bytesPerSecond ?? 0
  const sockets = new Set<Socket>()
  let up = 0
  let connections = 0
  const proxy: TcpServer = createTcpServer((client) => {
    connections++
    sockets.add(client)
    const upstream = connect(targetPort(), '127.0.0.1')
    sockets.add(upstream)
    const forward = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        const send = (): void => {
          if (forward.destroyed) return
          up += chunk.length
          callback(null, chunk)
        }
        if (rate > 0) setTimeout(send, (chunk.length / rate) * 1000)
        else send()
      }
    })
    const end = (): void => {
      client.destroy()
      upstream.destroy()
      forward.destroy()
    }
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
    client.pipe(forward).pipe(upstream)
    upstream.pipe(client)
    client.on('close', () => sockets.delete(client))
    upstream.on('close', () => sockets.delete(upstream))
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()))
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    bytesUp: () => up,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        proxy.close(() => resolve())
      })
  }
}
