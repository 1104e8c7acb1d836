/**
 * The team library's address as the user types it: completed when the scheme is left out, and
 * checked, with one sentence saying what is wrong. Shared by Settings (on blur and on Save) and
 * main (which checks again whatever reaches it). Pure.
 */

/** A scheme the user wrote, like `https://` (not `localhost:` of `localhost:8080`). */
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i

/** `a.b.c.d`, each part 0–255. */
function isIPv4(host: string): boolean {
  const parts = host.split('.')
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)
}

/**
 * True for a host that is on this computer or the local network: `localhost` (and
 * `*.localhost`), an IP address, a `*.local` (mDNS) name, or a name without a dot (a machine
 * name). Such servers are usually plain http (a dev server, a box under a desk); a name under a
 * real domain is almost always served over https.
 */
export function isLocalHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '')
  if (host.startsWith('[')) return true
  if (host === 'localhost' || host.endsWith('.localhost')) return true
  if (host.endsWith('.local')) return true
  if (isIPv4(host)) return true
  return !host.includes('.')
}

/**
 * The address with its scheme: `library.example.com` → `https://library.example.com`,
 * `localhost:8080`, `127.0.0.1:8080`, `nas.local`, `build-box` → `http://…`. An address that
 * already names a scheme, and empty text, are returned as typed (trimmed): a wrong scheme is
 * `libraryUrlProblem`'s to report, not to be guessed away.
 */
export function completeLibraryAddress(input: string): string {
  const text = input.trim()
  if (!text || HAS_SCHEME.test(text)) return text
  const rest = text.replace(/^\/\//, '')
  const authority = rest.split(/[/?#]/, 1)[0] ?? ''
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1)
  const hostname = hostPort.startsWith('[')
    ? hostPort.slice(0, hostPort.indexOf(']') + 1)
    : hostPort.replace(/:[^:]*$/, '')
  if (!hostname) return text
  return `${isLocalHost(hostname) ? 'http' : 'https'}://${rest}`
}

/** Why `input` cannot be a library address, or null when it can. Empty is a problem here. */
export function libraryUrlProblem(input: string): string | null {
  const text = input.trim()
  if (!text) return 'Enter the library’s address, like https://library.example.com.'
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return `"${text.slice(0, 200)}" is not a valid web address. It should start with http:// or https://, like https://library.example.com.`
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `"${text.slice(0, 200)}" is not a web address: it must start with http:// or https://, like https://library.example.com.`
  }
  if (url.username || url.password) {
    return 'The library’s address must not contain a user name or password; the access token is entered separately.'
  }
  if (url.search || url.hash) {
    return 'The library’s address must not contain "?" or "#" parts. Enter just the address, like https://library.example.com.'
  }
  return null
}
