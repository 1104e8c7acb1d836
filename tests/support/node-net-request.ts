/**
 * Electron's `net.request`, as far as src/main/share/http-stack.ts uses it, built on node:http, so
 * the app's library network stack runs for real in tests without Electron. It behaves the way
 * Electron's ClientRequest does (lib/common/api/net-client-request.ts) where the stack depends on
 * it:
 * - the body is buffered until end(), then sent with its Content-Length (Chromium's non-chunked
 *   upload); upload progress is read with getUploadProgress(), not an event;
 * - redirect 'manual': a 3xx emits 'redirect' (status, method, absolute URL, headers as arrays)
 *   and, unless followRedirect() is called during it, the request is cancelled with the error
 *   "Redirect was cancelled" — this adapter never follows;
 * - abort() emits 'abort' and no error;
 * - network failures are Errors whose message is Chromium's `net::ERR_…` and that carry no code
 *   (the Node code is mapped to Chromium's), unless `nodeErrors` keeps Node's.
 */
import { EventEmitter } from 'node:events'
import http from 'node:http'
import type {
  NetClientRequest,
  NetIncomingMessage,
  NetRequest,
  NetRequestOptions,
  NetUploadProgress
} from '../../src/main/share/http-stack'

/** Node's error codes and the net error Chromium reports for the same failure. */
const CHROMIUM_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'ERR_CONNECTION_REFUSED',
  ECONNRESET: 'ERR_CONNECTION_RESET',
  EPIPE: 'ERR_CONNECTION_RESET',
  ENOTFOUND: 'ERR_NAME_NOT_RESOLVED',
  EAI_AGAIN: 'ERR_NAME_RESOLUTION_FAILED',
  ETIMEDOUT: 'ERR_CONNECTION_TIMED_OUT',
  ENETUNREACH: 'ERR_INTERNET_DISCONNECTED',
  EHOSTUNREACH: 'ERR_ADDRESS_UNREACHABLE'
}

/** Writes go to the socket in slices this big, so progress moves within a body. */
const SLICE = 64 * 1024

export interface NodeNetRequestOptions {
  /** Keep Node's errors (with their code) instead of Chromium's `net::ERR_…` messages. */
  readonly nodeErrors?: boolean
  /** Every request made, for tests that check what was sent. */
  readonly sent?: NetRequestOptions[]
}

class NodeIncomingMessage extends EventEmitter implements NetIncomingMessage {
  constructor(
    readonly statusCode: number,
    readonly headers: Record<string, string | string[]>
  ) {
    super()
  }
}

class NodeClientRequest extends EventEmitter implements NetClientRequest {
  private readonly body: Buffer[] = []
  private ended = false
  private aborted = false
  private progress: NetUploadProgress = { active: false, started: false, current: 0, total: 0 }
  private request: http.ClientRequest | null = null

  constructor(
    private readonly options: NetRequestOptions,
    private readonly nodeErrors: boolean
  ) {
    super()
    const { protocol } = new URL(options.url)
    if (protocol !== 'http:') throw new Error('This test adapter only speaks http:.')
  }

  write(chunk: Buffer): void {
    if (this.ended) throw new Error('write after end')
    this.body.push(chunk)
  }

  end(): this {
    if (this.ended) return this
    this.ended = true
    // Like Chromium, the request starts once the whole (non-chunked) body is known.
    queueMicrotask(() => this.start())
    return this
  }

  abort(): void {
    if (this.aborted) return
    this.aborted = true
    process.nextTick(() => this.emit('abort'))
    this.request?.destroy()
  }

  getUploadProgress(): NetUploadProgress {
    return { ...this.progress }
  }

  private fail(error: Error): void {
    if (this.aborted) return
    this.aborted = true
    this.request?.destroy()
    const code = (error as { code?: unknown }).code
    if (this.nodeErrors || typeof code !== 'string') {
      this.emit('error', error)
      return
    }
    this.emit('error', new Error(`net::${CHROMIUM_ERRORS[code] ?? 'ERR_FAILED'}`))
  }

  private start(): void {
    if (this.aborted) return
    const body = Buffer.concat(this.body)
    const method = this.options.method.toUpperCase()
    const headers: Record<string, string | number> = { ...this.options.headers }
    if (body.length > 0 || ['POST', 'PUT', 'PATCH'].includes(method)) {
      headers['Content-Length'] = body.length
    }
    const req = http.request(this.options.url, { method, headers, agent: false })
    this.request = req
    req.on('error', (error) => this.fail(error))
    req.on('response', (res) => this.answer(res))
    this.progress = { active: true, started: body.length > 0, current: 0, total: body.length }
    let offset = 0
    const next = (): void => {
      if (this.aborted) return
      if (offset >= body.length) {
        req.end()
        return
      }
      const slice = body.subarray(offset, offset + SLICE)
      offset += slice.length
      req.write(slice, (error) => {
        if (error || this.aborted) return
        this.progress = { ...this.progress, current: this.progress.current + slice.length }
        next()
      })
    }
    next()
  }

  private answer(res: http.IncomingMessage): void {
    if (this.aborted) {
      res.resume()
      return
    }
    const status = res.statusCode ?? 0
    const headers: Record<string, string | string[]> = {}
    for (const [name, value] of Object.entries(res.headers)) {
      if (value !== undefined) headers[name] = value
    }
    const location = res.headers.location
    if (status >= 300 && status < 400 && location !== undefined) {
      const arrays: Record<string, string[]> = {}
      for (const [name, value] of Object.entries(headers)) {
        arrays[name] = typeof value === 'string' ? [value] : value
      }
      // Redirect 'manual', never followed: the listener sees it, then the request is cancelled.
      this.emit(
        'redirect',
        status,
        this.options.method,
        new URL(location, this.options.url).href,
        arrays
      )
      res.resume()
      this.fail(new Error('Redirect was cancelled'))
      return
    }
    const message = new NodeIncomingMessage(status, headers)
    this.emit('response', message)
    res.on('data', (chunk: Buffer) => message.emit('data', chunk))
    res.on('end', () => message.emit('end'))
    res.on('aborted', () => message.emit('aborted'))
    res.on('error', (error) => {
      if (!this.aborted) message.emit('error', error)
    })
  }
}

/** `net.request` on node:http; see the file's comment for how it mirrors Electron's. */
export function nodeNetRequest(options: NodeNetRequestOptions = {}): NetRequest {
  return (requestOptions) => {
    options.sent?.push(requestOptions)
    return new NodeClientRequest(requestOptions, options.nodeErrors ?? false)
  }
}
