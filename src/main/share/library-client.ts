/**
 * The team library outside tus: checking its address and "Test connection" (GET /api/me with the
 * access token). Every answer is a sentence that says exactly what is wrong and what to do.
 */
import type { LibraryTestResult } from '../../shared/ipc'
import { libraryUrlProblem } from '../../shared/library-address'
import { errorMessage } from '../../engine/error-details'
import { NODE_LIBRARY_NET, type LibraryFetch } from './library-net'
import { networkFailureInfo } from './net-errors'

/** The address check is shared with Settings (src/shared/library-address.ts). */
export { libraryUrlProblem }

/** How long "Test connection" waits for the whole answer. */
export const TEST_TIMEOUT_MS = 10_000

/** What a Sidecast library server answers on /api/me. */
interface MeBody {
  readonly name: string
  readonly admin: boolean
}

/**
 * The address in one spelling, so links can be compared with it: no trailing slash.
 * Throws an Error with libraryUrlProblem's message when it is not an address.
 */
export function normaliseLibraryUrl(input: string): string {
  const problem = libraryUrlProblem(input)
  if (problem) throw new Error(problem)
  const url = new URL(input.trim())
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}

/** True when `link` is an http(s) page inside the library at `libraryUrl` (normalised). */
export function isLibraryLink(link: string, libraryUrl: string): boolean {
  if (!libraryUrl) return false
  let url: URL
  let base: URL
  try {
    url = new URL(link)
    base = new URL(libraryUrl)
  } catch {
    return false
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false
  if (url.origin !== base.origin || url.username || url.password) return false
  const prefix = base.pathname.replace(/\/+$/, '')
  return url.pathname === prefix || url.pathname.startsWith(`${prefix}/`)
}

/** Why a token cannot be sent in a header, or null. */
export function tokenProblem(token: string): string | null {
  if (!token.trim()) {
    return 'Enter an access token first. Create one on your profile page in the library.'
  }
  // Visible ASCII only: anything else cannot go into an HTTP header (and means a bad paste).
  if (!/^[\x21-\x7e]+$/.test(token.trim())) {
    return 'The access token contains spaces or characters a token never has. Copy it again from the library.'
  }
  return null
}

/**
 * A network failure (no HTTP answer) in words, naming the host and what to do. Node's errors and
 * Chromium's (`net::ERR_…`, from Electron's net in the app) read the same.
 */
export function unreachableMessage(error: unknown, target: URL, timeoutMs: number): string {
  const host = target.host
  const { problem, code } = networkFailureInfo(error)
  const withCode = code ? ` (${code})` : ''
  switch (problem) {
    case 'deadline': {
      const seconds = timeoutMs / 1000
      const shown = Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(1)
      return `${host} did not answer within ${shown} second${seconds === 1 ? '' : 's'}. Check the library’s address and your network connection.`
    }
    case 'timed-out':
      return `${host} did not answer in time${withCode}. Check the library’s address and your network connection.`
    case 'bad-port':
      return `Port ${target.port} of ${target.hostname} is one that web clients refuse to use. Run the library on another port, such as 8080.`
    case 'name-not-found':
    case 'name-lookup-failed':
      return `Could not find the server "${target.hostname}". Check the library’s address and your network connection.`
    case 'refused':
      return `Nothing is answering at ${host}. Check the library’s address and that the library server is running.`
    case 'offline':
    case 'unreachable':
      return `${host} cannot be reached from this computer${withCode}. Check your network connection.`
    case 'cut':
      return `The connection to ${host} was cut${withCode}. Try again; if it keeps happening, check your network connection.`
    case 'blocked':
      return `Connections to ${host} are blocked on this computer${withCode}, by a firewall or a policy. Ask your IT department.`
    case 'not-https':
      return `${host} did not answer over HTTPS. Check whether the library’s address should start with http:// instead.`
    case 'certificate':
      return `The secure connection to ${host} failed: its certificate is not trusted${withCode}. Check the address, or ask whoever runs the library.`
    case 'tls':
      return `The secure connection to ${host} failed${withCode}. Ask whoever runs the library.`
    case 'proxy':
      return `The proxy server set on this computer could not be reached, or could not connect to ${host}${withCode}. Check the proxy settings, or ask your IT department.`
    case 'proxy-auth':
      return `The proxy server set on this computer asks for a sign-in that Sidecast cannot give${withCode}. Ask your IT department.`
    case 'other':
      break
  }
  const detail = code ?? errorMessage(error)
  return `Could not reach ${host} (${detail}). Check the library’s address and your network connection.`
}

function isMeBody(value: unknown): value is MeBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as MeBody).name === 'string' &&
    (value as MeBody).name.length > 0 &&
    typeof (value as MeBody).admin === 'boolean'
  )
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

/** True for the way a Sidecast server refuses a token: JSON `{ error }` and/or realm="sidecast". */
function isSidecastRefusal(response: Response, body: string): boolean {
  const realm = /realm="?sidecast"?/i.test(response.headers.get('www-authenticate') ?? '')
  const json = parseJson(body)
  const hasError =
    typeof json === 'object' &&
    json !== null &&
    typeof (json as { error?: unknown }).error === 'string'
  return realm || hasError
}

export interface TestConnectionOptions {
  /** Default TEST_TIMEOUT_MS. */
  readonly timeoutMs?: number
  /** The network's fetch; default Node's (Chromium's in the app, through LibraryNet). */
  readonly fetch?: LibraryFetch
}

/**
 * Calls `<url>/api/me` with the token and says what it found: "Connected as <name>", or exactly
 * what is wrong. Never throws.
 */
export async function testConnection(
  rawUrl: string,
  token: string,
  options: TestConnectionOptions = {}
): Promise<LibraryTestResult> {
  const timeoutMs = options.timeoutMs ?? TEST_TIMEOUT_MS
  const fetch = options.fetch ?? NODE_LIBRARY_NET.fetch
  const urlProblem = libraryUrlProblem(rawUrl)
  if (urlProblem) return { ok: false, message: urlProblem, field: 'url' }
  const badToken = tokenProblem(token)
  if (badToken) return { ok: false, message: badToken, field: 'token' }
  const base = normaliseLibraryUrl(rawUrl)
  const target = new URL(`${base}/api/me`)
  const notSidecast = `${base} answered, but it is not a Sidecast library server. Check the library’s address.`

  let response: Response
  let body: string
  try {
    response = await fetch(target, {
      headers: { Authorization: `Bearer ${token.trim()}`, Accept: 'application/json' },
      // A redirect would drop the token on the way; better to tell the user the real address.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs)
    })
    body = (await response.text()).slice(0, 64 * 1024)
  } catch (error) {
    return { ok: false, message: unreachableMessage(error, target, timeoutMs), field: 'url' }
  }

  const status = response.status
  if (status >= 300 && status < 400) {
    const location = response.headers.get('location')
    let where = ''
    try {
      if (location) where = new URL(location, target).origin
    } catch {
      where = ''
    }
    return {
      ok: false,
      message: where
        ? `${target.host} sends visitors on to ${where}. If that is the library, enter that address instead.`
        : `${target.host} answered with a redirect (HTTP ${status}) instead of the library. Check the library’s address.`,
      field: 'url'
    }
  }
  if (status === 407) {
    // The proxy's own refusal, passed on when nobody answers its request for a sign-in.
    return {
      ok: false,
      message:
        'The proxy server set on this computer asks for a sign-in that Sidecast cannot give (HTTP 407). Ask your IT department.'
    }
  }
  if (status === 401 || status === 403) {
    if (!isSidecastRefusal(response, body)) {
      return {
        ok: false,
        message: `${target.host} asks for a sign-in that is not a Sidecast access token (HTTP ${status}), so it does not look like a Sidecast library server. Check the library’s address.`,
        field: 'url'
      }
    }
    return {
      ok: false,
      message:
        'The library refused the access token: it is wrong or has been revoked. Create a new token on your profile page in the library and enter it here.',
      field: 'token'
    }
  }
  if (status >= 500) {
    return {
      ok: false,
      message: `The library server at ${target.host} has a problem (HTTP ${status}). Try again later, or tell whoever runs it.`
    }
  }
  if (status === 200) {
    const json = parseJson(body)
    if (isMeBody(json)) {
      return { ok: true, message: `Connected as ${json.name}`, userName: json.name }
    }
    return { ok: false, message: notSidecast, field: 'url' }
  }
  if (status === 404 || status === 405) return { ok: false, message: notSidecast, field: 'url' }
  return {
    ok: false,
    message: `${target.host} answered HTTP ${status}, which a Sidecast library server does not. Check the library’s address.`,
    field: 'url'
  }
}
