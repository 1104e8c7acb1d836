/**
 * The one module that owns tus-js-client: client options, the on-disk URL storage, the
 * fingerprint, and what each server answer means for the upload queue (retry, start over, stop).
 *
 * tus-js-client's own retries are off: the queue retries with its own backoff, forever for
 * network and server errors, and every attempt resumes from the server's offset (HEAD). The client
 * would start a new upload after *any* failed HEAD; here only 404 and 410 (the server no longer
 * has the upload) may do that, and a refused token stops everything until there is a new one.
 * A busy library (503 or 429 with `Retry-After`) is retried after the time it asks for, at most
 * ten minutes, instead of the queue's own backoff.
 *
 * A live upload (Share while recording) follows a file that is still being written: its length
 * is deferred (tus creation-defer-length), its bytes come from a GrowingFile, each PATCH sends
 * what is written (up to a chunk), and the length goes last, in a PATCH of its own. The creation's
 * answer names the video reserved for it (Sidecast-Video-Id/-Url), told through onCreated.
 */
import { createReadStream, type ReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { Upload, type DetailedError, type HttpRequest, type HttpResponse } from 'tus-js-client'
import { SidecastError } from '../../shared/errors'
import { errorCode, errorMessage } from '../../engine/error-details'
import type { GrowingFile } from './growing-file'
import { NODE_LIBRARY_NET, type LibraryNet } from './library-net'
import { networkFailureInfo, type NetworkProblem } from './net-errors'
import { CHUNK_SIZE } from './upload-plan'
import type { DiskUrlStorage } from './url-storage'

/** One attempt's input. */
export interface TusJob {
  /** `<library>/api/uploads`. */
  readonly endpoint: string
  readonly token: string
  /** The file to send (read in chunks; never loaded whole). */
  readonly file: string
  /** Its size; null for a live upload, whose length is deferred until `growing` ends. */
  readonly size: number | null
  /**
   * A live upload: the file as it grows (a recording being made). Its length is sent once the
   * file is sealed and every byte before it is on the server (tus creation-defer-length).
   */
  readonly growing?: GrowingFile
  /** See uploadFingerprint. */
  readonly fingerprint: string
  readonly metadata: Readonly<Record<string, string>>
}

/** Why an attempt ended without success, sorted by what the queue should do. */
export type TusFailure =
  /** The server refused the token (401/403): stop until the user enters a new one. */
  | { readonly kind: 'auth'; readonly message: string }
  /** The server refused the upload for good (422 not a video, 413 too large, 400 bad metadata…). */
  | { readonly kind: 'rejected'; readonly message: string; readonly status: number | null }
  /**
   * Network trouble, a server error, a lock or an offset conflict: try again later. A busy library
   * (503 or 429) may say when, in `Retry-After`: then `retryAfterMs` (see retryAfterMs).
   */
  | { readonly kind: 'retry'; readonly message: string; readonly retryAfterMs?: number }

export interface TusSuccess {
  /** The upload's URL on the server. */
  readonly uploadUrl: string
  /** `Sidecast-Video-Url` of the final answer, when the server sent it. */
  readonly videoUrl: string | null
  readonly videoId: string | null
}

/** What the creation of a new upload answered (POST /api/uploads). */
export interface TusCreated {
  /** The upload's URL on the server. */
  readonly uploadUrl: string
  /** `Sidecast-Video-Id`: the video reserved for this upload (its link works from now on). */
  readonly videoId: string | null
  /** `Sidecast-Video-Url`: that video's page in the library. */
  readonly videoUrl: string | null
}

export interface TusCallbacks {
  /** Bytes sent so far (not all confirmed yet); the total is 0 while a live upload's is unknown. */
  onProgress(bytesSent: number, bytesTotal: number): void
  /** A new upload was created on the server (not called when an attempt resumes one). */
  onCreated?(created: TusCreated): void
  /** The offset the server confirmed (after a chunk, or the HEAD of a resume). */
  onAccepted(offset: number): void
  onSuccess(result: TusSuccess): void
  onError(failure: TusFailure): void
}

export interface TusRun {
  /** Stops without deleting anything: the upload can resume later (pause, quit). */
  abort(): Promise<void>
  /** Stops and deletes the upload on the server (tus DELETE) and its stored URL. */
  terminate(): Promise<void>
}

export type VideoStatus =
  | { readonly state: 'done'; readonly url: string; readonly id: string }
  | { readonly state: 'processing' }
  | { readonly state: 'failed'; readonly message: string }
  | { readonly state: 'gone'; readonly message: string }
  | { readonly state: 'error'; readonly failure: TusFailure }

/** What the upload queue needs from tus; tests use a fake. */
export interface TusLayer {
  start(job: TusJob, callbacks: TusCallbacks): TusRun
  /** Deletes the server's uploads stored for a fingerprint (best effort) and forgets them. */
  terminate(fingerprint: string, token: string): Promise<void>
  /** Forgets the stored URLs of a fingerprint (after success). */
  forget(fingerprint: string): Promise<void>
  /** `GET <uploadUrl>/video`: what became of a finished upload. */
  videoStatus(uploadUrl: string, token: string): Promise<VideoStatus>
}

export const AUTH_REFUSED_MESSAGE =
  'The library refused the access token. Enter a new token in Settings.'

/** Thrown from onAfterResponse so tus-js-client stops without touching the stored URL. */
class StopAttempt extends Error {
  constructor(readonly failure: TusFailure) {
    super(failure.message)
  }
}

/** A failure without an answer, in words (what follows says the code where it helps). */
const NETWORK_WORDS: Record<Exclude<NetworkProblem, 'other'>, string> = {
  deadline: 'the library did not answer in time',
  'timed-out': 'the library did not answer in time',
  refused: 'nothing is answering at the library’s address',
  cut: 'the connection to the library was cut',
  'name-not-found': 'the library’s server name cannot be found',
  'name-lookup-failed': 'the library’s server name cannot be looked up (no network?)',
  offline: 'there is no network connection',
  unreachable: 'the library cannot be reached',
  blocked: 'connections to the library are blocked on this computer',
  'not-https': 'the library did not answer over HTTPS',
  certificate: 'the library’s certificate is not trusted',
  tls: 'the secure connection to the library failed',
  proxy: 'the proxy server set on this computer failed or could not reach the library',
  'proxy-auth': 'the proxy server set on this computer asks for a sign-in Sidecast cannot give',
  'bad-port': 'the library’s port is one that web clients refuse to use'
}

/** Problems that will not go away by themselves: the sentence names its code and who can help. */
const NEEDS_HELP: Partial<Record<NetworkProblem, string>> = {
  blocked: 'Ask your IT department.',
  certificate: 'Ask whoever runs the library.',
  tls: 'Ask whoever runs the library.',
  proxy: 'Check this computer’s proxy settings.',
  'proxy-auth': 'Ask your IT department.'
}

/**
 * A failure with no answer from the library (network trouble, from Node's stack or Chromium's),
 * said in words: try again later.
 */
function networkFailure(error: unknown): TusFailure {
  const { problem, code } = networkFailureInfo(error)
  if (problem === 'other') {
    return {
      kind: 'retry',
      message: code ? `The connection failed (${code}).` : 'The connection to the library failed.'
    }
  }
  const words = NETWORK_WORDS[problem]
  const sentence = words.charAt(0).toUpperCase() + words.slice(1)
  const help = NEEDS_HELP[problem]
  return {
    kind: 'retry',
    message: help ? `${sentence}${code ? ` (${code})` : ''}. ${help}` : `${sentence}.`
  }
}

/**
 * A proxy's 407: Chromium passes it on when nobody answers the proxy's request for a sign-in
 * (the app gives none). Not the library's answer: retried, and said so.
 */
const PROXY_SIGN_IN: TusFailure = {
  kind: 'retry',
  message:
    'The proxy server set on this computer asks for a sign-in Sidecast cannot give (HTTP 407). Ask your IT department.'
}

/** The longest wait a library's `Retry-After` can impose (a longer one is cut to this). */
export const MAX_RETRY_AFTER_MS = 10 * 60_000
/** The shortest: `Retry-After: 0` must not make the app hammer a busy library. */
const MIN_RETRY_AFTER_MS = 1000

/**
 * How long `Retry-After` (delta-seconds or an HTTP date) asks to wait, between a second and ten
 * minutes; null when there is no such header or it cannot be read.
 */
export function retryAfterMs(header: string | null | undefined, now: number): number | null {
  const text = header?.trim() ?? ''
  if (text === '') return null
  let ms: number
  if (/^\d+$/.test(text)) ms = Number(text) * 1000
  else if (/[a-z]/i.test(text) && !Number.isNaN(Date.parse(text))) ms = Date.parse(text) - now
  else return null
  return Math.min(Math.max(ms, MIN_RETRY_AFTER_MS), MAX_RETRY_AFTER_MS)
}

/** A busy library's answer (503, 429) that says when to come back; null for any other. */
function busyFailure(status: number, retryAfter: string | null | undefined): TusFailure | null {
  if (status !== 503 && status !== 429) return null
  const wait = retryAfterMs(retryAfter, Date.now())
  if (wait === null) return null
  return { kind: 'retry', message: `The library is busy (HTTP ${status}).`, retryAfterMs: wait }
}

/** The server's `{ "error": … }`, if the body is one. */
function serverReason(res: HttpResponse | null): string | null {
  if (!res) return null
  try {
    const body = JSON.parse(res.getBody()) as { error?: unknown }
    return typeof body.error === 'string' && body.error ? body.error : null
  } catch {
    return null
  }
}

/** Sorts a tus-js-client error into what the queue should do. */
export function classifyTusError(error: unknown): TusFailure {
  const detailed = error as Partial<DetailedError> | null
  const cause = detailed?.causingError
  if (cause instanceof StopAttempt) return cause.failure
  if (error instanceof StopAttempt) return error.failure
  const res = detailed?.originalResponse ?? null
  const status = res ? res.getStatus() : null
  // The growing file of a live upload said why it cannot go on (its file gone or cut short).
  if (status === null && cause instanceof SidecastError) {
    return { kind: 'rejected', status: null, message: cause.message }
  }
  if (status === null) {
    const code = errorCode(error)
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      return {
        kind: 'rejected',
        status: null,
        message: `The file to upload cannot be read (${code}).`
      }
    }
    const message = (cause instanceof Error ? cause.message : '') || errorMessage(error)
    if (/source is done after/.test(message)) {
      return {
        kind: 'rejected',
        status: null,
        message: 'The file changed while it was being uploaded.'
      }
    }
    return networkFailure(error)
  }
  // A new version the library will not take (someone else's video, or one deleted): for good.
  // Likewise a camera recording for a video the library will not link it to.
  const refused = res?.getHeader('Sidecast-Refused')
  if (refused === 'replace' || refused === 'camera') {
    const why = serverReason(res) ?? 'The library would not replace the video.'
    return { kind: 'rejected', status, message: why }
  }
  if (status === 401 || status === 403) return { kind: 'auth', message: AUTH_REFUSED_MESSAGE }
  if (status === 407) return PROXY_SIGN_IN
  const busy = busyFailure(status, res?.getHeader('Retry-After'))
  if (busy) return busy
  const reason = serverReason(res)
  if (status === 422) {
    return {
      kind: 'rejected',
      status,
      message: `The library did not accept the file: ${reason ?? 'it is not a video it can play'}.`
    }
  }
  if (status === 413) {
    return {
      kind: 'rejected',
      status,
      message:
        'The video is larger than the library accepts. Export it smaller (Settings › default export) and upload again.'
    }
  }
  // 404/410 mid-upload: the server dropped it; the next attempt's HEAD finds out and starts over.
  if (status >= 500 || [404, 408, 409, 410, 423, 429].includes(status)) {
    return {
      kind: 'retry',
      message: `The library answered HTTP ${status}${reason ? ` (${reason})` : ''}.`
    }
  }
  return {
    kind: 'rejected',
    status,
    message: `The library refused the upload (HTTP ${status}${reason ? `: ${reason}` : ''}).`
  }
}

/**
 * tus-js-client's FileReader over a path: each chunk is its own read stream with a known size,
 * and every stream still open when the attempt ends is closed (the client leaves them open on
 * abort, which would leak a file handle per retry).
 */
class PathFileReader {
  readonly open = new Set<ReadStream>()

  async openFile(input: unknown): Promise<{
    size: number
    slice(
      start: number,
      end: number
    ): Promise<{ value: ReadStream & { size: number }; done: boolean }>
    close(): void
  }> {
    const path = String(input)
    const { size } = await stat(path)
    return {
      size,
      slice: async (start, end) => {
        const stop = Math.min(end, size)
        const stream = createReadStream(path, {
          start,
          end: Math.max(start, stop - 1)
        }) as ReadStream & {
          size: number
        }
        stream.size = Math.max(0, stop - start)
        this.open.add(stream)
        stream.once('close', () => this.open.delete(stream))
        return { value: stream, done: stop >= size }
      },
      close: () => this.closeAll()
    }
  }

  closeAll(): void {
    for (const stream of this.open) stream.destroy()
    this.open.clear()
  }
}

/**
 * tus-js-client's FileReader over a GrowingFile (a live upload): a slice waits until at least
 * one byte of it is written and answers with a read stream of what is (never an empty body
 * before the end); once every byte is sent, a last slice answers `done` with no body, so the
 * length is declared by a PATCH of its own. A final PATCH cut off mid-body could otherwise leave
 * the length declared with bytes missing, and the next attempt's PATCH, declaring it again,
 * would be refused (tus: the length can be set once).
 */
class GrowingFileReader {
  readonly open = new Set<ReadStream>()
  private readonly controller = new AbortController()
  /** Slices waiting for the file to grow: the stall watchdog does not count that time. */
  waiting = 0

  constructor(
    private readonly growing: GrowingFile,
    private readonly touch: () => void
  ) {}

  async openFile(): Promise<{
    size: number
    slice(
      start: number,
      end: number
    ): Promise<{ value: (ReadStream & { size: number }) | null; done: boolean }>
    close(): void
  }> {
    const { growing } = this
    return {
      // Not read: the upload's length is deferred (uploadLengthDeferred).
      size: 0,
      slice: async (start, end) => {
        this.waiting++
        let range
        try {
          range = await growing.available(start, end, this.controller.signal)
        } finally {
          this.waiting--
          this.touch()
        }
        if (range.end <= start) return { value: null, done: true }
        const stream = createReadStream(growing.path, {
          start,
          end: range.end - 1
        }) as ReadStream & { size: number }
        stream.size = range.end - start
        this.open.add(stream)
        stream.once('close', () => this.open.delete(stream))
        return { value: stream, done: false }
      },
      close: () => this.closeAll()
    }
  }

  closeAll(): void {
    this.controller.abort()
    for (const stream of this.open) stream.destroy()
    this.open.clear()
  }
}

export interface NodeTusLayerOptions {
  readonly storage: DiskUrlStorage
  /** No byte sent and no answer for this long ends the attempt (retried); default 120 s. */
  readonly stallMs?: number
  /** Bytes per PATCH; default CHUNK_SIZE (8 MiB). */
  readonly chunkSize?: number
  /** Time limit of DELETE and the /video lookup; default 15 s. */
  readonly requestTimeoutMs?: number
  /** The network: Chromium's in the app, Node's (the default) in the harness and tests. */
  readonly net?: LibraryNet
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms)
    })
  ]).finally(() => clearTimeout(timer))
}

/** The tus layer over tus-js-client in Node, with URLs stored on disk. */
export function createNodeTusLayer(options: NodeTusLayerOptions): TusLayer {
  const { storage } = options
  const stallMs = options.stallMs ?? 120_000
  const chunkSize = options.chunkSize ?? CHUNK_SIZE
  const requestTimeoutMs = options.requestTimeoutMs ?? 15_000
  const net = options.net ?? NODE_LIBRARY_NET

  function start(job: TusJob, callbacks: TusCallbacks): TusRun {
    let ended = false
    let lastActivity = Date.now()
    const touch = (): void => {
      lastActivity = Date.now()
    }
    const growingReader = job.growing ? new GrowingFileReader(job.growing, touch) : null
    const reader = growingReader ?? new PathFileReader()
    const end = (): void => {
      ended = true
      clearInterval(watchdog)
      reader.closeAll()
    }

    const upload = new Upload(job.file as unknown as Buffer, {
      endpoint: job.endpoint,
      ...(growingReader || job.size === null
        ? { uploadLengthDeferred: true }
        : { uploadSize: job.size }),
      chunkSize,
      metadata: { ...job.metadata },
      headers: { Authorization: `Bearer ${job.token}` },
      // The queue retries (forever, with its own backoff); each retry re-reads the server's offset.
      retryDelays: null,
      urlStorage: storage,
      storeFingerprintForResuming: true,
      // Forgotten by the queue once the video's link is known, so a crash while the server is still
      // processing resumes this upload rather than sending the video again.
      removeFingerprintOnSuccess: false,
      fingerprint: async () => job.fingerprint,
      fileReader: reader,
      httpStack: net.httpStack,
      onBeforeRequest: () => touch(),
      onAfterResponse: (req: HttpRequest, res: HttpResponse) => {
        touch()
        const status = res.getStatus()
        if (status === 401 || status === 403) {
          throw new StopAttempt({ kind: 'auth', message: AUTH_REFUSED_MESSAGE })
        }
        if (status === 407) throw new StopAttempt(PROXY_SIGN_IN)
        // Only "the server does not have it" may start the upload over; anything else on HEAD
        // (a 5xx, a proxy error) is retried against the same upload.
        if (
          req.getMethod() === 'HEAD' &&
          (status < 200 || status >= 300) &&
          status !== 404 &&
          status !== 410 &&
          status !== 423
        ) {
          throw new StopAttempt(
            busyFailure(status, res.getHeader('Retry-After')) ?? {
              kind: 'retry',
              message: `The library answered HTTP ${status} when asked how much it already has.`
            }
          )
        }
        if (req.getMethod() === 'HEAD' && status >= 200 && status < 300) {
          const offset = Number.parseInt(res.getHeader('Upload-Offset') ?? '', 10)
          if (Number.isSafeInteger(offset)) callbacks.onAccepted(offset)
        }
        if (req.getMethod() === 'POST' && status === 201 && !ended) {
          const location = res.getHeader('Location')
          if (location) {
            try {
              callbacks.onCreated?.({
                uploadUrl: new URL(location, job.endpoint).href,
                videoId: res.getHeader('Sidecast-Video-Id') || null,
                videoUrl: res.getHeader('Sidecast-Video-Url') || null
              })
            } catch {
              // A listener's trouble must not fail the upload.
            }
          }
        }
      },
      onProgress: (sent, total) => {
        touch()
        if (!ended) callbacks.onProgress(sent, total)
      },
      onChunkComplete: (_chunk, accepted) => {
        touch()
        if (!ended) callbacks.onAccepted(accepted)
      },
      onSuccess: ({ lastResponse }) => {
        if (ended) return
        end()
        callbacks.onSuccess({
          uploadUrl: upload.url ?? '',
          videoUrl: lastResponse.getHeader('Sidecast-Video-Url') ?? null,
          videoId: lastResponse.getHeader('Sidecast-Video-Id') ?? null
        })
      },
      onError: (error) => {
        if (ended) return
        end()
        callbacks.onError(classifyTusError(error))
      }
    })

    const watchdog = setInterval(
      () => {
        // Waiting for a recording to grow is not a stalled connection.
        if (ended || (growingReader?.waiting ?? 0) > 0 || Date.now() - lastActivity < stallMs) {
          return
        }
        end()
        void upload.abort(false).catch(() => undefined)
        callbacks.onError({
          kind: 'retry',
          message: `The connection to the library stalled (nothing moved for ${Math.round(stallMs / 1000)} s).`
        })
      },
      Math.min(5000, Math.max(50, stallMs / 4))
    )
    watchdog.unref?.()

    // Resume the newest upload stored for this fingerprint, if any; the HEAD tells the offset.
    void upload
      .findPreviousUploads()
      .then((previous) => {
        if (ended) return
        const latest = previous[previous.length - 1]
        if (latest) upload.resumeFromPreviousUpload(latest)
        upload.start()
      })
      .catch((error: unknown) => {
        if (ended) return
        end()
        callbacks.onError({
          kind: 'retry',
          message: `The saved upload address could not be read (${errorMessage(error)}).`
        })
      })

    return {
      async abort() {
        end()
        await upload.abort(false).catch(() => undefined)
      },
      async terminate() {
        end()
        try {
          await withTimeout(upload.abort(true), requestTimeoutMs, 'Deleting the upload')
        } catch {
          // The server deletes unfinished uploads itself after a day.
        }
        await storage.removeFingerprint(job.fingerprint)
      }
    }
  }

  return {
    start,
    async terminate(fingerprint, token) {
      const stored = await storage.findUploadsByFingerprint(fingerprint)
      for (const previous of stored) {
        if (!previous.uploadUrl) continue
        try {
          await withTimeout(
            Upload.terminate(previous.uploadUrl, {
              headers: { Authorization: `Bearer ${token}` },
              retryDelays: null,
              httpStack: net.httpStack
            }),
            requestTimeoutMs,
            'Deleting the upload'
          )
        } catch {
          // Best effort: the server expires unfinished uploads on its own.
        }
      }
      await storage.removeFingerprint(fingerprint)
    },
    forget: (fingerprint) => storage.removeFingerprint(fingerprint),
    async videoStatus(uploadUrl, token) {
      let response: Response
      let text: string
      try {
        response = await net.fetch(`${uploadUrl.replace(/\/+$/, '')}/video`, {
          headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
          // A redirect is answered as itself (a retried "HTTP 30x" below), never followed with
          // the token.
          redirect: 'manual',
          signal: AbortSignal.timeout(requestTimeoutMs)
        })
        text = await response.text()
      } catch (error) {
        return { state: 'error', failure: networkFailure(error) }
      }
      let body: Record<string, unknown> = {}
      try {
        body = JSON.parse(text) as Record<string, unknown>
      } catch {
        body = {}
      }
      const status = response.status
      if (status === 200 && typeof body.url === 'string' && typeof body.id === 'string') {
        return { state: 'done', url: body.url, id: body.id }
      }
      if (status === 202) return { state: 'processing' }
      if (status === 422) {
        return {
          state: 'failed',
          message: `The library did not accept the file: ${typeof body.error === 'string' ? body.error : 'it is not a video it can play'}.`
        }
      }
      if (status === 410) {
        return {
          state: 'gone',
          message: 'The video was deleted from the library before its link could be read.'
        }
      }
      if (status === 404) {
        return { state: 'gone', message: 'The library no longer knows this upload.' }
      }
      if (status === 401 || status === 403) {
        return { state: 'error', failure: { kind: 'auth', message: AUTH_REFUSED_MESSAGE } }
      }
      if (status === 407) return { state: 'error', failure: PROXY_SIGN_IN }
      const busy = busyFailure(status, response.headers.get('Retry-After'))
      if (busy) return { state: 'error', failure: busy }
      return {
        state: 'error',
        failure: {
          kind: 'retry',
          message: `The library answered HTTP ${status} when asked for the video’s link.`
        }
      }
    }
  }
}
