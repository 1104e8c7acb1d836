/** The limits on clients and users (docs/security.md): defaults, environment, command line. */
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../server/src/config'
import { clientKey, normalizeAddress, trustProxyEntryError } from '../../server/src/client-address'

describe('limits on clients and users', () => {
  it('has the documented defaults', () => {
    expect(loadConfig([], {})).toMatchObject({
      trustProxy: [],
      headersTimeoutMs: 60_000,
      idleTimeoutMs: 60_000,
      minBodyRate: 1024,
      maxConnectionsPerAddress: 64,
      signInFailuresPerAddress: 30,
      maxUnfinishedUploads: 20,
      maxUnfinishedBytes: 50 * 1024 ** 3
    })
  })

  it('takes each from the environment, and the command line over it', () => {
    const env = {
      SIDECAST_LIBRARY_TRUST_PROXY: '10.0.0.0/8, ::1',
      SIDECAST_LIBRARY_HEADERS_TIMEOUT: '30s',
      SIDECAST_LIBRARY_IDLE_TIMEOUT: '2m',
      SIDECAST_LIBRARY_MIN_BODY_RATE: 'off',
      SIDECAST_LIBRARY_MAX_CONNECTIONS_PER_ADDRESS: '0',
      SIDECAST_LIBRARY_SIGNIN_FAILURES_PER_ADDRESS: '100',
      SIDECAST_LIBRARY_MAX_UNFINISHED_UPLOADS: '5',
      SIDECAST_LIBRARY_MAX_UNFINISHED_BYTES: '20GB'
    }
    expect(loadConfig([], env)).toMatchObject({
      trustProxy: ['10.0.0.0/8', '::1'],
      headersTimeoutMs: 30_000,
      idleTimeoutMs: 120_000,
      minBodyRate: 0,
      maxConnectionsPerAddress: 0,
      signInFailuresPerAddress: 100,
      maxUnfinishedUploads: 5,
      maxUnfinishedBytes: 20 * 1024 ** 3
    })
    const args = [
      '--trust-proxy=127.0.0.1',
      '--headers-timeout',
      '10',
      '--idle-timeout=90s',
      '--min-body-rate',
      '4KB',
      '--max-connections-per-address',
      '16',
      '--sign-in-failures-per-address',
      '50',
      '--max-unfinished-uploads',
      '3',
      '--max-unfinished-bytes',
      '1GB'
    ]
    expect(loadConfig(args, env)).toMatchObject({
      trustProxy: ['127.0.0.1'],
      headersTimeoutMs: 10_000,
      idleTimeoutMs: 90_000,
      minBodyRate: 4096,
      maxConnectionsPerAddress: 16,
      signInFailuresPerAddress: 50,
      maxUnfinishedUploads: 3,
      maxUnfinishedBytes: 1024 ** 3
    })
  })

  it.each([
    [['--trust-proxy', 'proxy.example.com'], /--trust-proxy/],
    [['--trust-proxy', '10.0.0.0/33'], /--trust-proxy/],
    [['--headers-timeout', 'soon'], /not a time/],
    [['--max-connections-per-address', '-1'], /--max-connections-per-address/],
    [['--sign-in-failures-per-address', '0'], /--sign-in-failures-per-address/],
    [['--max-unfinished-uploads', '2.5'], /--max-unfinished-uploads/],
    [['--max-unfinished-bytes', 'lots'], /not a size/]
  ])('refuses %j', (argv, message) => {
    expect(() => loadConfig(argv, {})).toThrow(ConfigError)
    expect(() => loadConfig(argv, {})).toThrow(message)
  })
})

describe('client addresses', () => {
  it('checks --trust-proxy entries', () => {
    for (const ok of ['127.0.0.1', '::1', '10.0.0.0/8', 'fd00::/8', '192.168.1.0/24']) {
      expect(trustProxyEntryError(ok)).toBeNull()
    }
    for (const bad of ['localhost', '10.0.0.0/', '10.0.0.0/8/1', '::1/129', '1.2.3.4/x']) {
      expect(trustProxyEntryError(bad)).not.toBeNull()
    }
  })

  it('counts IPv4 by address and IPv6 by /64', () => {
    expect(normalizeAddress('::ffff:203.0.113.5')).toBe('203.0.113.5')
    expect(clientKey('203.0.113.5')).toBe('203.0.113.5')
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64')
    expect(clientKey('2001:DB8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64')
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64')
    expect(clientKey('::1')).toBe('0:0:0:0::/64')
    expect(clientKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64')
  })
})

describe('live followers (live-followers.ts)', () => {
  it('defaults to 8, takes the environment and the command line over it, and 0 turns it off', () => {
    expect(loadConfig([], {}).liveFollowers).toBe(8)
    expect(loadConfig([], { SIDECAST_LIBRARY_LIVE_FOLLOWERS: '2' }).liveFollowers).toBe(2)
    expect(
      loadConfig(['--live-followers', '0'], { SIDECAST_LIBRARY_LIVE_FOLLOWERS: '2' }).liveFollowers
    ).toBe(0)
    expect(() => loadConfig(['--live-followers', 'many'], {})).toThrow(ConfigError)
  })
})
