/**
 * A failure without an answer reads the same whichever stack sent the request: Node's (a `code`,
 * often in fetch's `cause`) or Chromium's in the app (an Error whose message is `net::ERR_…`, as
 * Electron's net.request and net.fetch reject). Each is checked through what the user reads:
 * "Test connection"'s sentence and the upload's retry message.
 */
import { describe, expect, it } from 'vitest'
import { unreachableMessage } from '../../../../src/main/share/library-client'
import { chromiumErrorCode, networkFailureInfo } from '../../../../src/main/share/net-errors'
import { classifyTusError } from '../../../../src/main/share/tus-layer'

const target = new URL('https://library.example.com:8443/api/me')
const host = 'library.example.com:8443'

/** How Electron's net rejects: `new Error(netErrorString)`. */
const chromium = (code: string): Error => new Error(`net::${code}`)
/** How Node's fetch rejects: TypeError "fetch failed" with the system error in `cause`. */
const node = (code: string): Error =>
  Object.assign(new TypeError('fetch failed'), {
    cause: Object.assign(new Error(code), { code })
  })
/** How tus-js-client wraps a failed request. */
const tus = (cause: Error): Error =>
  Object.assign(new Error(`tus: failed to upload chunk, caused by ${String(cause)}`), {
    causingError: cause,
    originalResponse: null
  })

describe('the same sentence from Node’s stack and Chromium’s', () => {
  it.each([
    ['ECONNREFUSED', 'ERR_CONNECTION_REFUSED'],
    ['ENOTFOUND', 'ERR_NAME_NOT_RESOLVED'],
    ['EAI_AGAIN', 'ERR_NAME_RESOLUTION_FAILED']
  ])('%s and %s', (nodeCode, chromiumCode) => {
    expect(unreachableMessage(chromium(chromiumCode), target, 10_000)).toBe(
      unreachableMessage(node(nodeCode), target, 10_000)
    )
  })
})

describe('Test connection’s sentence for Chromium’s errors', () => {
  it.each([
    [
      'ERR_CONNECTION_REFUSED',
      `Nothing is answering at ${host}. Check the library’s address and that the library server is running.`
    ],
    [
      'ERR_NAME_NOT_RESOLVED',
      'Could not find the server "library.example.com". Check the library’s address and your network connection.'
    ],
    [
      'ERR_INTERNET_DISCONNECTED',
      `${host} cannot be reached from this computer (ERR_INTERNET_DISCONNECTED). Check your network connection.`
    ],
    [
      'ERR_ADDRESS_UNREACHABLE',
      `${host} cannot be reached from this computer (ERR_ADDRESS_UNREACHABLE). Check your network connection.`
    ],
    [
      'ERR_TIMED_OUT',
      `${host} did not answer in time (ERR_TIMED_OUT). Check the library’s address and your network connection.`
    ],
    [
      'ERR_CONNECTION_TIMED_OUT',
      `${host} did not answer in time (ERR_CONNECTION_TIMED_OUT). Check the library’s address and your network connection.`
    ],
    [
      'ERR_CONNECTION_RESET',
      `The connection to ${host} was cut (ERR_CONNECTION_RESET). Try again; if it keeps happening, check your network connection.`
    ],
    [
      'ERR_CERT_AUTHORITY_INVALID',
      `The secure connection to ${host} failed: its certificate is not trusted (ERR_CERT_AUTHORITY_INVALID). Check the address, or ask whoever runs the library.`
    ],
    [
      'ERR_CERT_DATE_INVALID',
      `The secure connection to ${host} failed: its certificate is not trusted (ERR_CERT_DATE_INVALID). Check the address, or ask whoever runs the library.`
    ],
    [
      'ERR_CERT_COMMON_NAME_INVALID',
      `The secure connection to ${host} failed: its certificate is not trusted (ERR_CERT_COMMON_NAME_INVALID). Check the address, or ask whoever runs the library.`
    ],
    [
      'ERR_SSL_PROTOCOL_ERROR',
      `${host} did not answer over HTTPS. Check whether the library’s address should start with http:// instead.`
    ],
    [
      'ERR_SSL_VERSION_OR_CIPHER_MISMATCH',
      `The secure connection to ${host} failed (ERR_SSL_VERSION_OR_CIPHER_MISMATCH). Ask whoever runs the library.`
    ],
    [
      'ERR_PROXY_CONNECTION_FAILED',
      `The proxy server set on this computer could not be reached, or could not connect to ${host} (ERR_PROXY_CONNECTION_FAILED). Check the proxy settings, or ask your IT department.`
    ],
    [
      'ERR_TUNNEL_CONNECTION_FAILED',
      `The proxy server set on this computer could not be reached, or could not connect to ${host} (ERR_TUNNEL_CONNECTION_FAILED). Check the proxy settings, or ask your IT department.`
    ],
    [
      'ERR_PROXY_AUTH_REQUESTED',
      'The proxy server set on this computer asks for a sign-in that Sidecast cannot give (ERR_PROXY_AUTH_REQUESTED). Ask your IT department.'
    ],
    [
      'ERR_BLOCKED_BY_ADMINISTRATOR',
      `Connections to ${host} are blocked on this computer (ERR_BLOCKED_BY_ADMINISTRATOR), by a firewall or a policy. Ask your IT department.`
    ],
    [
      'ERR_UNSAFE_PORT',
      'Port 8443 of library.example.com is one that web clients refuse to use. Run the library on another port, such as 8080.'
    ],
    [
      'ERR_INVALID_HTTP_RESPONSE',
      `Could not reach ${host} (ERR_INVALID_HTTP_RESPONSE). Check the library’s address and your network connection.`
    ]
  ])('%s', (code, sentence) => {
    expect(unreachableMessage(chromium(code), target, 10_000)).toBe(sentence)
  })

  it('says our own time limit in seconds, whichever stack ran out of it', () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError')
    expect(unreachableMessage(timeout, target, 10_000)).toBe(
      `${host} did not answer within 10 seconds. Check the library’s address and your network connection.`
    )
  })
})

describe('the upload’s retry message for Chromium’s errors', () => {
  it.each([
    ['ERR_CONNECTION_REFUSED', 'Nothing is answering at the library’s address.'],
    ['ERR_NAME_NOT_RESOLVED', 'The library’s server name cannot be found.'],
    ['ERR_NAME_RESOLUTION_FAILED', 'The library’s server name cannot be looked up (no network?).'],
    ['ERR_INTERNET_DISCONNECTED', 'There is no network connection.'],
    ['ERR_TIMED_OUT', 'The library did not answer in time.'],
    ['ERR_CONNECTION_RESET', 'The connection to the library was cut.'],
    ['ERR_NETWORK_CHANGED', 'The connection to the library was cut.'],
    [
      'ERR_CERT_AUTHORITY_INVALID',
      'The library’s certificate is not trusted (ERR_CERT_AUTHORITY_INVALID). Ask whoever runs the library.'
    ],
    [
      'ERR_PROXY_CONNECTION_FAILED',
      'The proxy server set on this computer failed or could not reach the library (ERR_PROXY_CONNECTION_FAILED). Check this computer’s proxy settings.'
    ],
    [
      'ERR_PROXY_AUTH_REQUESTED',
      'The proxy server set on this computer asks for a sign-in Sidecast cannot give (ERR_PROXY_AUTH_REQUESTED). Ask your IT department.'
    ],
    ['ERR_FAILED', 'The connection failed (ERR_FAILED).']
  ])('%s', (code, message) => {
    expect(classifyTusError(tus(chromium(code)))).toEqual({ kind: 'retry', message })
  })

  it('keeps Node’s sentences', () => {
    expect(classifyTusError(tus(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })))).toEqual({
      kind: 'retry',
      message: 'Nothing is answering at the library’s address.'
    })
    expect(classifyTusError(tus(Object.assign(new Error('x'), { code: 'EWHAT' })))).toEqual({
      kind: 'retry',
      message: 'The connection failed (EWHAT).'
    })
  })
})

describe('networkFailureInfo', () => {
  it('finds Chromium’s code along the causes and keeps Node’s', () => {
    expect(chromiumErrorCode(tus(chromium('ERR_CERT_REVOKED')))).toBe('ERR_CERT_REVOKED')
    expect(networkFailureInfo(tus(chromium('ERR_CERT_REVOKED')))).toEqual({
      problem: 'certificate',
      code: 'ERR_CERT_REVOKED'
    })
    expect(networkFailureInfo(node('ECONNRESET'))).toEqual({ problem: 'cut', code: 'ECONNRESET' })
    expect(networkFailureInfo(new Error('Redirect was cancelled'))).toEqual({
      problem: 'other',
      code: undefined
    })
  })
})
