import { describe, expect, it } from 'vitest'
import {
  completeLibraryAddress,
  isLocalHost,
  libraryUrlProblem
} from '../../../src/shared/library-address'

describe('completeLibraryAddress', () => {
  it.each([
    // A name under a real domain: https.
    ['library.example.com', 'https://library.example.com'],
    ['  library.example.com/team/ ', 'https://library.example.com/team/'],
    ['library.example.com:8443', 'https://library.example.com:8443'],
    ['//library.example.com', 'https://library.example.com'],
    // This computer or the local network: plain http.
    ['localhost', 'http://localhost'],
    ['localhost:8080', 'http://localhost:8080'],
    ['app.localhost:3000', 'http://app.localhost:3000'],
    ['127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['192.168.1.20', 'http://192.168.1.20'],
    ['[::1]:8080', 'http://[::1]:8080'],
    ['nas.local', 'http://nas.local'],
    ['build-box:8080/library', 'http://build-box:8080/library'],
    // Already with a scheme, or empty: as typed (trimmed).
    ['https://library.example.com', 'https://library.example.com'],
    ['http://library.example.com', 'http://library.example.com'],
    [' HTTPS://Library.example.com ', 'HTTPS://Library.example.com'],
    ['ftp://library.example.com', 'ftp://library.example.com'],
    ['', ''],
    ['   ', '']
  ])('%j → %j', (input, expected) => {
    expect(completeLibraryAddress(input)).toBe(expected)
  })

  it('leaves a wrong scheme for libraryUrlProblem to report', () => {
    expect(libraryUrlProblem(completeLibraryAddress('ftp://library.example.com'))).toMatch(
      /must start with http:\/\/ or https:\/\//
    )
  })

  it('completes to an address libraryUrlProblem accepts', () => {
    for (const typed of ['library.example.com', 'localhost:8080', '10.0.0.5', 'nas.local']) {
      expect(libraryUrlProblem(completeLibraryAddress(typed))).toBeNull()
    }
  })

  it('keeps the clear errors for input that is not an address', () => {
    expect(libraryUrlProblem(completeLibraryAddress('user:pw@library.example.com'))).toMatch(
      /must not contain a user name or password/
    )
    expect(libraryUrlProblem(completeLibraryAddress('library.example.com/?x=1'))).toMatch(
      /must not contain "\?" or "#"/
    )
    expect(libraryUrlProblem(completeLibraryAddress('exa mple.com'))).toMatch(
      /is not a valid web address/
    )
  })
})

describe('isLocalHost', () => {
  it.each([
    ['localhost', true],
    ['LOCALHOST', true],
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['[fe80::1]', true],
    ['printer.local', true],
    ['devbox', true],
    ['library.example.com', false],
    ['example.co.uk', false],
    ['999.1.1.1', false]
  ])('%s → %s', (host, expected) => {
    expect(isLocalHost(host)).toBe(expected)
  })
})
