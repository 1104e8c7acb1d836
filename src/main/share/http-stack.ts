/**
 * Library requests over a `net.request`-like function: a tus-js-client HttpStack and a small
 * fetch for the JSON API. In the app the function is Electron's `net.request` (Chromium's network
 * stack: the system's proxy settings and the OS certificate store), wired in
 * electron/net-stack.ts; tests plug in an adapter on node:http that implements the same
 * interfaces (tests/support/node-net-request.ts), so everything here runs for real without
 * Electron.
 *
 * What it does like tus-js-client's node:http stack, so the tus layer cannot tell them apart:
 * - Redirects are never followed. A 3xx is the answer (its status and Location), so the token is
 *   never sent on to wherever it points.
 * - The body is what our PathFileReader yields (a read stream of one chunk), or a Buffer. It is
 *   read whole first (at most one chunk, 8 MiB) and sent with its Content-Length: Chromium buffers
 *   a non-chunked body anyway, and sets that header itself.
 * - Upload progress: net.request has no progress event, so getUploadProgress() is polled while
 *   the request runs, and once more when the answer comes.
 * - abort() ends the request and rejects its send(); Chromium's abort emits no error of its own.
 */
import type { Readable } from 'node:stream'
import type { HttpRequest, HttpResponse, HttpStack } from 'tus-js-client'
import type { LibraryFetch } from './library-net'

/** What we pass to `net.request`: a subset of Electron's ClientRequestConstructorOptions. */
export interface NetRequestOptions {
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string>
  /** Chromium cancels a redirect unless followRedirect() is called in the 'redirect' event. */
  readonly redirect: 'manual'
}

/** Electron's UploadProgress. */
export interface NetUploadProgress {
  readonly active: boolean
  readonly started: boolean
  readonly current: number
  readonly total: number
}

/** The part of Electron's IncomingMessage we use. */
export interface NetIncomingMessage {
  readonly statusCode: number
  readonly headers: Record<string, string | string[]>
  on(event: 'data', listener: (chunk: Buffer) => void): unknown
  on(event: 'end', listener: () => void): unknown
  on(event: 'aborted', listener: () => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
}

/** The part of Electron's ClientRequest we use. */
export interface NetClientRequest {
  on(event: 'response', listener: (response: NetIncomingMessage) => void): unknown
  on(
    event: 'redirect',
    listener: (
      statusCode: number,
      method: string,
      redirectUrl: string,
      responseHeaders: Record<string, string[]>
    ) => void
  ): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
  write(chunk: Buffer): void
  end(): unknown
  abort(): void
  getUploadProgress(): NetUploadProgress
}

/** Electron's `net.request`, as far as we use it. */
export type NetRequest = (options: NetRequestOptions) => NetClientRequest

/** How often upload progress is read while a body is being sent. */
export const PROGRESS_POLL_MS = 100

/** The rejection of a request that was aborted (by us: pause, quit, the stall watchdog). */
export class RequestAbortedError extends Error {
  constructor() {
    super('The request was aborted.')
    this.name = 'AbortError'
  }
}

/** One header value from a response's headers (several are joined, like Node's). */
function headerValue(
  headers: Readonly<Record<string, string | readonly string[]>>,
  name: string
): string | undefined {
  const wanted = name.toLowerCase()
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted) continue
    return typeof value === 'string' ? value : value.join(', ')
  }
  return undefined
}

class NetHttpResponse implements HttpResponse {
  constructor(
    private readonly status: number,
    private readonly headers: Readonly<Record<string, string | readonly string[]>>,
    private readonly body: string,
    private readonly underlying: unknown
  ) {}

  getStatus(): number {
    return this.status
  }

  getHeader(header: string): string | undefined {
    return headerValue(this.headers, header)
  }

  getBody(): string {
    return this.body
  }

  getUnderlyingObject(): unknown {
    return this.underlying
  }
}

function isReadable(body: unknown): body is Readable {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as Readable).pipe === 'function' &&
    typeof (body as Readable)[Symbol.asyncIterator] === 'function'
  )
}

class NetHttpRequest implements HttpRequest {
  private readonly headers: Record<string, string> = {}
  private progress: (bytesSent: number) => void = () => undefined
  private request: NetClientRequest | null = null
  private reading: Readable | null = null
  private aborted = false
  private sent = false
  private stopPending: ((error: Error) => void) | null = null

  constructor(
    private readonly net: NetRequest,
    private readonly method: string,
    private readonly url: string,
    private readonly pollMs: number
  ) {}

  getMethod(): string {
    return this.method
  }

  getURL(): string {
    return this.url
  }

  setHeader(header: string, value: string): void {
    for (const key of Object.keys(this.headers)) {
      if (key.toLowerCase() === header.toLowerCase()) delete this.headers[key]
    }
    this.headers[header] = value
  }

  getHeader(header: string): string | undefined {
    return headerValue(this.headers, header)
  }

  setProgressHandler(handler: (bytesSent: number) => void): void {
    this.progress = handler
  }

  async send(body: unknown = null): Promise<HttpResponse> {
    if (this.sent) throw new Error('A request can only be sent once.')
    this.sent = true
    const bytes = await this.readBody(body)
    if (this.aborted) throw new RequestAbortedError()
    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false
      let reported = 0
      let timer: NodeJS.Timeout | undefined
      const settle = (done: () => void): void => {
        if (settled) return
        settled = true
        clearInterval(timer)
        this.stopPending = null
        done()
      }
      const report = (): void => {
        if (!req) return
        const { current } = req.getUploadProgress()
        if (current > reported && !settled) {
          reported = current
          this.progress(current)
        }
      }
      this.stopPending = (error) => settle(() => reject(error))

      let req: NetClientRequest | null = null
      try {
        req = this.net({
          method: this.method,
          url: this.url,
          headers: { ...this.headers },
          redirect: 'manual'
        })
      } catch (error) {
        settle(() => reject(error))
        return
      }
      this.request = req
      // Stays attached: Chromium emits 'error' after a cancelled redirect or an abort too, and an
      // 'error' without a listener would throw.
      req.on('error', (error) => settle(() => reject(error)))
      req.on('redirect', (statusCode, _method, redirectUrl, responseHeaders) => {
        // Not followed: the redirect is the answer (Chromium then cancels the request).
        const headers: Record<string, readonly string[]> = { ...responseHeaders }
        if (headerValue(headers, 'location') === undefined) headers.location = [redirectUrl]
        settle(() => resolve(new NetHttpResponse(statusCode, headers, '', null)))
      })
      req.on('response', (response) => {
        report()
        const chunks: Buffer[] = []
        response.on('data', (chunk) => chunks.push(chunk))
        response.on('end', () =>
          settle(() =>
            resolve(
              new NetHttpResponse(
                response.statusCode,
                response.headers,
                Buffer.concat(chunks).toString('utf8'),
                response
              )
            )
          )
        )
        response.on('error', (error) => settle(() => reject(error)))
        response.on('aborted', () => settle(() => reject(new RequestAbortedError())))
      })
      if (bytes && bytes.length > 0) {
        timer = setInterval(report, this.pollMs)
        timer.unref?.()
        req.write(bytes)
      }
      req.end()
    })
  }

  /** The body as bytes: what tus-js-client passes is a chunk's read stream, a Buffer or null. */
  private async readBody(body: unknown): Promise<Buffer | null> {
    if (body === null || body === undefined) return null
    if (typeof body === 'string') return Buffer.from(body)
    if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.length)
    if (isReadable(body)) {
      this.reading = body
      try {
        const chunks: Buffer[] = []
        for await (const chunk of body) {
          if (this.aborted) break
          chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer))
        }
        return Buffer.concat(chunks)
      } catch (error) {
        // Destroying the stream (abort) ends the read with "Premature close".
        throw this.aborted ? new RequestAbortedError() : error
      } finally {
        this.reading = null
      }
    }
    if (typeof (body as Blob).arrayBuffer === 'function') {
      return Buffer.from(await (body as Blob).arrayBuffer())
    }
    throw new TypeError('The upload gave a body this network stack cannot send.')
  }

  abort(): Promise<void> {
    this.aborted = true
    this.reading?.destroy()
    this.request?.abort()
    this.stopPending?.(new RequestAbortedError())
    return Promise.resolve()
  }

  getUnderlyingObject(): unknown {
    return this.request
  }
}

export interface NetHttpStackOptions {
  /** How often upload progress is read; default PROGRESS_POLL_MS. */
  readonly progressPollMs?: number
}

/** A tus-js-client HttpStack over `request` (Electron's net.request in the app). */
export function createNetHttpStack(
  request: NetRequest,
  options: NetHttpStackOptions = {}
): HttpStack {
  const pollMs = options.progressPollMs ?? PROGRESS_POLL_MS
  return {
    createRequest: (method, url) => new NetHttpRequest(request, method, url, pollMs),
    getName: () => 'SidecastNetHttpStack'
  }
}

/** The most of a JSON answer kept; the rest is not read (the answers we expect are tiny). */
export const MAX_FETCH_BODY_BYTES = 1024 * 1024

/** Statuses whose answer has no body (a Response refuses one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304])

function toHeaders(headers: Readonly<Record<string, string | readonly string[]>>): Headers {
  const out = new Headers()
  for (const [name, value] of Object.entries(headers)) {
    for (const one of typeof value === 'string' ? [value] : value) {
      try {
        out.append(name, one)
      } catch {
        // A header a Response cannot hold is one we do not read.
      }
    }
  }
  return out
}

/**
 * fetch for the library's JSON API over `request`: GET, HEAD or PUT (a small text body, sent whole),
 * headers, an AbortSignal for the
 * time limit (the request is ended, and the promise rejects with the signal's reason, as fetch
 * does), and a redirect answered as itself (redirect: 'manual'), with its status and Location.
 * Resolves once the whole answer is in (at most MAX_FETCH_BODY_BYTES of it).
 *
 * Electron's own net.fetch cannot be used for this: with redirect 'manual' it rejects ("Redirect
 * was cancelled", electron/electron#43715) instead of answering with the redirect.
 */
export function createNetFetch(
  request: NetRequest,
  options: { readonly maxBodyBytes?: number } = {}
): LibraryFetch {
  const maxBody = options.maxBodyBytes ?? MAX_FETCH_BODY_BYTES
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const { signal } = init
      const method = init.method ?? 'GET'
      if (signal?.aborted) {
        reject(signal.reason)
        return
      }
      let settled = false
      let req: NetClientRequest | null = null
      const onAbort = (): void => {
        settle(() => reject(signal?.reason))
        req?.abort()
      }
      const settle = (done: () => void): void => {
        if (settled) return
        settled = true
        signal?.removeEventListener('abort', onAbort)
        done()
      }
      const answer = (status: number, headers: Headers, body: Buffer | null): void => {
        settle(() => {
          try {
            const empty = NULL_BODY_STATUSES.has(status) || method === 'HEAD'
            resolve(new Response(empty ? null : new Uint8Array(body ?? []), { status, headers }))
          } catch (error) {
            reject(error)
          }
        })
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      try {
        req = request({
          method,
          url: String(input),
          headers: { ...init.headers },
          redirect: 'manual'
        })
      } catch (error) {
        settle(() => reject(error))
        return
      }
      const current = req
      current.on('error', (error) => settle(() => reject(error)))
      current.on('redirect', (statusCode, _method, redirectUrl, responseHeaders) => {
        const headers = toHeaders(responseHeaders)
        if (!headers.has('location')) headers.set('location', redirectUrl)
        answer(statusCode, headers, null)
      })
      current.on('response', (response) => {
        const chunks: Buffer[] = []
        let size = 0
        const done = (): void =>
          answer(response.statusCode, toHeaders(response.headers), Buffer.concat(chunks))
        response.on('data', (chunk) => {
          if (settled) return
          const room = maxBody - size
          chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk)
          size += chunk.length
          if (size >= maxBody) {
            done()
            current.abort()
          }
        })
        response.on('end', done)
        response.on('error', (error) => settle(() => reject(error)))
        response.on('aborted', () => settle(() => reject(new RequestAbortedError())))
      })
      if (init.body !== undefined && init.body !== '') current.write(Buffer.from(init.body, 'utf8'))
      current.end()
    })
}
