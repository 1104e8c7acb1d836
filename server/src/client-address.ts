/**
 * Who is on the other end of a request. Normally the peer address of the connection. When the
 * peer is a reverse proxy the operator trusts (`--trust-proxy`), the client is the address the
 * proxy put in X-Forwarded-For, and X-Forwarded-Proto says whether the client used https —
 * nginx's `set_real_ip_from` with `real_ip_recursive on`. From anyone else those headers are
 * ignored: any client can send them.
 *
 * Limits per client (the sign-in throttle, the connection cap) count IPv6 clients by their /64
 * network, the block one host is usually given; IPv4 clients by their address.
 */
import type { IncomingMessage } from 'node:http'
import { BlockList, isIP, isIPv4, isIPv6 } from 'node:net'

/** An address as one spelling: IPv4-mapped IPv6 (`::ffff:1.2.3.4`) as IPv4, lowercase, no zone. */
export function normalizeAddress(address: string): string {
  const plain = address.trim().toLowerCase().replace(/%.*$/, '')
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(plain)
  return mapped ? (mapped[1] as string) : plain
}

/**
 * Checks a `--trust-proxy` entry: an IPv4 or IPv6 address, or a network in CIDR form
 * (`10.0.0.0/8`, `fd00::/8`). Returns an error message, or null when it is fine.
 */
export function trustProxyEntryError(entry: string): string | null {
  const [address, bits, extra] = entry.split('/')
  if (extra !== undefined || !address || isIP(address) === 0) {
    return `not an IP address or network: ${JSON.stringify(entry)}`
  }
  if (bits === undefined) return null
  const max = isIPv4(address) ? 32 : 128
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return `bad prefix length in ${entry}`
  return null
}

const trustCache = new WeakMap<readonly string[], BlockList>()

/** The trusted proxies as a BlockList (built once per configured list). */
function trustList(trusted: readonly string[]): BlockList {
  let list = trustCache.get(trusted)
  if (!list) {
    list = new BlockList()
    for (const entry of trusted) {
      const [address, bits] = entry.split('/') as [string, string | undefined]
      const type = isIPv4(address) ? 'ipv4' : 'ipv6'
      if (bits === undefined) list.addAddress(address, type)
      else list.addSubnet(address, Number(bits), type)
      // A proxy on an IPv4 address may reach a dual-stack listener as ::ffff:a.b.c.d; the
      // peer address is normalised to IPv4 before it is checked, so one rule covers both.
    }
    trustCache.set(trusted, list)
  }
  return list
}

/** Whether `address` is one of the trusted proxies. */
export function isTrustedProxy(address: string, trusted: readonly string[]): boolean {
  if (trusted.length === 0) return false
  const plain = normalizeAddress(address)
  const type = isIPv4(plain) ? 'ipv4' : isIPv6(plain) ? 'ipv6' : null
  return type !== null && trustList(trusted).check(plain, type)
}

function peerAddress(req: IncomingMessage): string {
  return normalizeAddress(req.socket.remoteAddress ?? 'unknown')
}

/**
 * The client's address: the peer's, or behind trusted proxies the nearest address in
 * X-Forwarded-For that is not itself a trusted proxy (read from the right: only the entries the
 * proxies appended can be believed; anything to their left the client wrote).
 */
export function clientAddress(req: IncomingMessage, trusted: readonly string[]): string {
  let address = peerAddress(req)
  if (!isTrustedProxy(address, trusted)) return address
  const header = req.headers['x-forwarded-for']
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop.length > 0)
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeAddress(hops[i] as string)
    if (isIP(hop) === 0) break // a malformed entry: keep the last address that was sound
    address = hop
    if (!isTrustedProxy(hop, trusted)) break
  }
  return address
}

/** Whether the client used https: the public URL says so, or a trusted proxy does. */
export function clientUsedHttps(
  req: IncomingMessage,
  publicUrl: string,
  trusted: readonly string[]
): boolean {
  if (publicUrl.startsWith('https:')) return true
  if (!isTrustedProxy(peerAddress(req), trusted)) return false
  const proto = req.headers['x-forwarded-proto']
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase()
  return first === 'https'
}

/** The key limits count a client under: IPv4 as is, IPv6 by its /64 network. */
export function clientKey(address: string): string {
  let plain = normalizeAddress(address)
  if (!isIPv6(plain)) return plain
  // An IPv4 tail (`64:ff9b::192.0.2.1`) is two groups.
  plain = plain.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) =>
    [((Number(a) << 8) | Number(b)).toString(16), ((Number(c) << 8) | Number(d)).toString(16)].join(
      ':'
    )
  )
  // Expand `::` so the first four groups are the /64 prefix.
  const [head, tail] = plain.includes('::') ? plain.split('::') : [plain, undefined]
  const left = (head ?? '').split(':').filter(Boolean)
  const right = tail === undefined ? [] : tail.split(':').filter(Boolean)
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`
}
