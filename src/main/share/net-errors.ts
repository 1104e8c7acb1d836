/**
 * What went wrong when the library gave no HTTP answer at all, read from either network stack:
 * Node's (an error `code` such as ECONNREFUSED, on the error or along its causes) and Chromium's
 * in the app (Electron's `net` rejects with an Error whose message is `net::ERR_…`, no code).
 * Both are sorted into the same few problems, so the user reads the same sentence whichever stack
 * sent the request (library-client.ts and tus-layer.ts word them).
 */
import { errorCode } from '../../engine/error-details'

export type NetworkProblem =
  /** Our own time limit ran out (AbortSignal.timeout, or undici's connect timeout). */
  | 'deadline'
  /** The system or Chromium gave up waiting for the server. */
  | 'timed-out'
  /** The server's name does not exist. */
  | 'name-not-found'
  /** The name could not be looked up (no answer from the name server). */
  | 'name-lookup-failed'
  /** Nothing listens at the address. */
  | 'refused'
  /** The connection was reset or closed midway. */
  | 'cut'
  /** This computer has no network. */
  | 'offline'
  /** The server's address cannot be reached from here. */
  | 'unreachable'
  /** A firewall or a policy on this computer blocks the connection. */
  | 'blocked'
  /** An https address where the server speaks plain http. */
  | 'not-https'
  /** The server's certificate is not trusted (expired, wrong name, unknown authority…). */
  | 'certificate'
  /** Another failure of the secure connection (protocol versions, ciphers, client certificate). */
  | 'tls'
  /** The proxy this computer is set to use failed, or could not reach the server. */
  | 'proxy'
  /** The proxy asks for a sign-in that the app cannot give. */
  | 'proxy-auth'
  /** A port web clients refuse to use (such as 6000). */
  | 'bad-port'
  | 'other'

export interface NetworkFailureInfo {
  readonly problem: NetworkProblem
  /** The code as the stack gave it: `ECONNREFUSED`, `ERR_CONNECTION_REFUSED`; absent if none. */
  readonly code: string | undefined
}

/** Chromium's net error codes (net/base/net_error_list.h) that we word. */
const CHROMIUM: Readonly<Record<string, NetworkProblem>> = {
  ERR_TIMED_OUT: 'timed-out',
  ERR_CONNECTION_TIMED_OUT: 'timed-out',
  ERR_NAME_NOT_RESOLVED: 'name-not-found',
  ERR_NAME_RESOLUTION_FAILED: 'name-lookup-failed',
  ERR_DNS_TIMED_OUT: 'name-lookup-failed',
  ERR_CONNECTION_REFUSED: 'refused',
  ERR_CONNECTION_RESET: 'cut',
  ERR_CONNECTION_CLOSED: 'cut',
  ERR_CONNECTION_ABORTED: 'cut',
  ERR_EMPTY_RESPONSE: 'cut',
  ERR_NETWORK_CHANGED: 'cut',
  ERR_SOCKET_NOT_CONNECTED: 'cut',
  ERR_CONTENT_LENGTH_MISMATCH: 'cut',
  ERR_INCOMPLETE_CHUNKED_ENCODING: 'cut',
  ERR_INTERNET_DISCONNECTED: 'offline',
  ERR_ADDRESS_UNREACHABLE: 'unreachable',
  ERR_NETWORK_ACCESS_DENIED: 'blocked',
  ERR_BLOCKED_BY_ADMINISTRATOR: 'blocked',
  ERR_BLOCKED_BY_CLIENT: 'blocked',
  ERR_SSL_PROTOCOL_ERROR: 'not-https',
  ERR_SSL_VERSION_OR_CIPHER_MISMATCH: 'tls',
  ERR_BAD_SSL_CLIENT_AUTH_CERT: 'tls',
  ERR_SSL_CLIENT_AUTH_CERT_NEEDED: 'tls',
  ERR_SSL_PINNED_KEY_NOT_IN_CERT_CHAIN: 'certificate',
  ERR_CERTIFICATE_TRANSPARENCY_REQUIRED: 'certificate',
  ERR_PROXY_CONNECTION_FAILED: 'proxy',
  ERR_TUNNEL_CONNECTION_FAILED: 'proxy',
  ERR_PROXY_CERTIFICATE_INVALID: 'proxy',
  ERR_MANDATORY_PROXY_CONFIGURATION_FAILED: 'proxy',
  ERR_PAC_SCRIPT_FAILED: 'proxy',
  ERR_PAC_NOT_IN_DHCP: 'proxy',
  ERR_PROXY_AUTH_UNSUPPORTED: 'proxy',
  ERR_PROXY_HTTP_1_1_REQUIRED: 'proxy',
  ERR_SOCKS_CONNECTION_FAILED: 'proxy',
  ERR_SOCKS_CONNECTION_HOST_UNREACHABLE: 'proxy',
  ERR_PROXY_AUTH_REQUESTED: 'proxy-auth',
  ERR_PROXY_AUTH_REQUESTED_WITH_NO_CONNECTION: 'proxy-auth',
  ERR_UNSAFE_PORT: 'bad-port'
}

/** Node's (and undici's) error codes that we word. */
const NODE: Readonly<Record<string, NetworkProblem>> = {
  UND_ERR_CONNECT_TIMEOUT: 'deadline',
  ETIMEDOUT: 'timed-out',
  ENOTFOUND: 'name-not-found',
  EAI_NONAME: 'name-not-found',
  EAI_AGAIN: 'name-lookup-failed',
  ECONNREFUSED: 'refused',
  ECONNRESET: 'cut',
  EPIPE: 'cut',
  UND_ERR_SOCKET: 'cut',
  ENETUNREACH: 'offline',
  ENETDOWN: 'offline',
  EHOSTUNREACH: 'unreachable',
  EPROTO: 'not-https',
  ERR_SSL_WRONG_VERSION_NUMBER: 'not-https',
  CERT_HAS_EXPIRED: 'certificate',
  CERT_NOT_YET_VALID: 'certificate',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate'
}

/** The errors along `error`'s causes (fetch's `cause`, tus-js-client's `causingError`). */
function chain(error: unknown): unknown[] {
  const out: unknown[] = []
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    out.push(e)
    e = (e as { causingError?: unknown }).causingError ?? (e as { cause?: unknown }).cause
  }
  return out
}

/** Chromium's `net::ERR_…` code in the messages along the causes, without `net::`. */
export function chromiumErrorCode(error: unknown): string | undefined {
  for (const e of chain(error)) {
    const message = (e as { message?: unknown }).message
    const match = typeof message === 'string' ? /\bnet::(ERR_[A-Z0-9_]+)/.exec(message) : null
    if (match?.[1]) return match[1]
  }
  return undefined
}

/** Sorts a failure without an HTTP answer, from Node's stack or Chromium's. */
export function networkFailureInfo(error: unknown): NetworkFailureInfo {
  const links = chain(error)
  if (links.some((e) => (e as { name?: unknown }).name === 'TimeoutError')) {
    return { problem: 'deadline', code: undefined }
  }
  const chromium = chromiumErrorCode(error)
  if (chromium) {
    const problem =
      CHROMIUM[chromium] ?? (chromium.startsWith('ERR_CERT_') ? 'certificate' : 'other')
    return { problem, code: chromium }
  }
  const code = errorCode(error)
  if (code && NODE[code]) return { problem: NODE[code], code }
  // undici refuses the ports browsers refuse, with this cause.
  if (links.some((e) => (e as { message?: unknown }).message === 'bad port')) {
    return { problem: 'bad-port', code }
  }
  return { problem: 'other', code }
}
