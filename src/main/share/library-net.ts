/**
 * The network every library request goes through: the JSON API (`fetch`) and tus uploads
 * (`httpStack`). In the app both are Chromium's (electron/net-stack.ts: the system's proxy
 * settings and the OS certificate store apply, as in the browser); the e2e harness and the tests
 * keep Node's (NODE_LIBRARY_NET).
 */
import { DefaultHttpStack, type HttpStack } from 'tus-js-client'

/** What the JSON API calls pass: a small text body at most (PUT), and redirects are never followed. */
export interface LibraryFetchInit {
  readonly method?: 'GET' | 'HEAD' | 'PUT' | 'DELETE'
  readonly headers?: Readonly<Record<string, string>>
  /** A PUT's body (JSON text, sent whole with its Content-Length). */
  readonly body?: string
  /**
   * Always 'manual': a 3xx comes back as the answer, so the token is never sent on to wherever
   * the redirect points (the callers say where it goes instead).
   */
  readonly redirect: 'manual'
  /** Ends the request (and its body) with the signal's reason, like fetch. */
  readonly signal?: AbortSignal
}

/**
 * The subset of WHATWG fetch the library calls use; Node's global fetch is one, and
 * http-stack.ts's createNetFetch builds one on Electron's net.request.
 */
export type LibraryFetch = (url: string | URL, init: LibraryFetchInit) => Promise<Response>

export interface LibraryNet {
  /** The JSON API (`/api/me`, an upload's `/video`, a video's `/edits`). */
  readonly fetch: LibraryFetch
  /** tus-js-client's requests (creation, HEAD, PATCH, DELETE). */
  readonly httpStack: HttpStack
}

/** Node's own stack: global fetch (undici) and tus-js-client's node:http stack. */
export const NODE_LIBRARY_NET: LibraryNet = {
  fetch: (url, init) => fetch(url, init),
  httpStack: new DefaultHttpStack({})
}
