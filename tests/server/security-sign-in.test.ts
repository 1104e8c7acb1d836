/**
 * Issue 18, sign-in flood: a password hash never runs on the event loop, so a flood of sign-in
 * attempts does not stop the library from serving everyone else; one address that keeps failing
 * is answered 429 before any hashing; names and passwords too long to be real are refused before
 * hashing. Behind a trusted reverse proxy the client is the one X-Forwarded-For names.
 * All traffic on loopback; every flood is bounded in count and in time.
 */
import crypto from 'node:crypto'
import http from 'node:http'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { MemoryCounters } from '../../server/src/cluster/counters'
import { FailureThrottle } from '../../server/src/throttle'
import { type StartOptions, type TestServer, serversPerTest } from './support'

const servers = serversPerTest()
afterEach(async () => {
  vi.restoreAllMocks()
})

async function start(config: StartOptions['config'] = {}): Promise<TestServer> {
  return servers.start({ config })
}

interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  text: string
  ms: number
}

/** One request; `localAddress` picks the loopback address it comes from (127.0.0.0/8). */
function send(
  base: string,
  method: string,
  path: string,
  opts: {
    headers?: Record<string, string>
    body?: string
    agent?: http.Agent
    localAddress?: string
  } = {}
): Promise<Answer> {
  const target = new URL(base)
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        method,
        path,
        agent: opts.agent ?? false,
        localAddress: opts.localAddress,
        headers: {
          ...(opts.body !== undefined ? { 'Content-Length': Buffer.byteLength(opts.body) } : {}),
          ...opts.headers
        }
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString(),
            ms: performance.now() - started
          })
        )
        res.on('error', reject)
      }
    )
    req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path} timed out`)))
    req.on('error', reject)
    req.end(opts.body)
  })
}

/** The sign-in form's double-submit pair (any client can get one; it is not a secret). */
async function signInForm(base: string): Promise<{ cookie: string; csrf: string }> {
  const res = await send(base, 'GET', '/signin')
  const setCookie = res.headers['set-cookie'] ?? []
  const cookie = setCookie
    .map((c) => c.split(';')[0] ?? '')
    .find((c) => c.startsWith('sidecast_signin='))
  const csrf = /name="csrf" value="([^"]+)"/.exec(res.text)?.[1]
  if (!cookie || !csrf) throw new Error('no sign-in form')
  return { cookie, csrf }
}

function attempt(
  base: string,
  form: { cookie: string; csrf: string },
  name: string,
  password: string,
  opts: { agent?: http.Agent; localAddress?: string; headers?: Record<string, string> } = {}
): Promise<Answer> {
  return send(base, 'POST', '/signin', {
    ...opts,
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Cookie: form.cookie,
      Origin: base,
      ...opts.headers
    },
    body: new URLSearchParams({ name, password, csrf: form.csrf, next: '/' }).toString()
  })
}

const randomName = (): string => `u${crypto.randomBytes(6).toString('hex')}`

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0
}

describe('a flood of sign-in attempts', () => {
  it('does not stop the library from serving a static file and the library page', async () => {
    // Many addresses at once (a botnet) is the worst case: no per-address limit kicks in.
    const s = await start({ signInFailuresPerAddress: 1_000_000 })
    const form = await signInForm(s.url)
    const session = await s.app.library.db.createSession(s.user.id)

    const FLOODERS = 16
    const MAX_ATTEMPTS = 400
    const deadline = Date.now() + 30_000
    const agent = new http.Agent({ keepAlive: true, maxSockets: FLOODERS })
    let sent = 0
    let answered = 0
    let stop = false
    let floodDone = false
    const statuses = new Map<number, number>()
    let underway!: () => void
    const floodUnderway = new Promise<void>((resolve) => (underway = resolve))
    const flood = Promise.all(
      Array.from({ length: FLOODERS }, async () => {
        while (!stop && sent < MAX_ATTEMPTS && Date.now() < deadline) {
          sent++
          const res = await attempt(s.url, form, randomName(), 'not the password', { agent })
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
          if (++answered === FLOODERS) underway()
        }
      })
    ).finally(() => (floodDone = true))

    const staticMs: number[] = []
    const pageMs: number[] = []
    try {
      await Promise.race([floodUnderway, flood])
      // Only while the flood runs: 30 rounds, or as many as it lasts.
      for (let i = 0; i < 30 && !floodDone && Date.now() < deadline; i++) {
        const css = await send(s.url, 'GET', '/public/style.css')
        expect(css.status).toBe(200)
        staticMs.push(css.ms)
        const page = await send(s.url, 'GET', '/', {
          headers: { Cookie: `sidecast_session=${session.id}` }
        })
        expect(page.status).toBe(200)
        pageMs.push(page.ms)
      }
    } finally {
      stop = true
      await flood
      agent.destroy()
    }
    const p95 = { static: percentile(staticMs, 95), page: percentile(pageMs, 95) }
    console.log(
      `sign-in flood: ${answered} attempts answered ${JSON.stringify(Object.fromEntries(statuses))}; ` +
        `p95 static ${p95.static.toFixed(0)} ms, library page ${p95.page.toFixed(0)} ms ` +
        `(median ${percentile(staticMs, 50).toFixed(0)} / ${percentile(pageMs, 50).toFixed(0)} ms)`
    )
    // Unloaded these take a few milliseconds; with the hashing on the event loop, seconds.
    expect(p95.static).toBeLessThan(500)
    expect(p95.page).toBeLessThan(500)
    expect(staticMs.length).toBe(30)
    // The flood was real: attempts were hashed and refused, not turned away unread.
    expect(statuses.get(401) ?? 0).toBeGreaterThanOrEqual(FLOODERS)
  })

  it('from one address: beyond the limit the answer is 429 with Retry-After, without hashing; other addresses are still served', async () => {
    const s = await start({ signInFailuresPerAddress: 5 })
    const form = await signInForm(s.url)
    for (let i = 0; i < 5; i++) {
      expect((await attempt(s.url, form, randomName(), 'guess')).status).toBe(401)
    }
    const scrypt = vi.spyOn(crypto, 'scrypt')
    const scryptSync = vi.spyOn(crypto, 'scryptSync')
    for (let i = 0; i < 3; i++) {
      const blocked = await attempt(s.url, form, randomName(), 'guess')
      expect(blocked.status).toBe(429)
      const retryAfter = Number(blocked.headers['retry-after'])
      expect(retryAfter).toBeGreaterThan(0)
      expect(retryAfter).toBeLessThanOrEqual(15 * 60)
      expect(blocked.text).toContain('Too many failed attempts')
    }
    // Even the right password waits: the address is throttled, not the name.
    expect((await attempt(s.url, form, 'alice', 'alice-password')).status).toBe(429)
    expect(scrypt).not.toHaveBeenCalled()
    expect(scryptSync).not.toHaveBeenCalled()
    vi.restoreAllMocks()

    // Someone else, at another address, signs in as usual.
    const elsewhere = { localAddress: '127.0.0.2' }
    expect((await attempt(s.url, form, randomName(), 'guess', elsewhere)).status).toBe(401)
    expect((await attempt(s.url, form, 'bob', 'bob-password', elsewhere)).status).toBe(303)
  })

  it('parallel guesses from one address: exactly the limit are checked, the rest are 429', async () => {
    const s = await start({ signInFailuresPerAddress: 3 })
    const form = await signInForm(s.url)
    // All sent at once: each takes its slot before its password is hashed, so none of them
    // passes a check that the first ones have not been counted in yet.
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => attempt(s.url, form, randomName(), 'guess'))
    )
    const statuses = answers.map((a) => a.status).sort()
    expect(statuses.filter((st) => st === 401)).toHaveLength(3)
    expect(statuses.filter((st) => st === 429)).toHaveLength(9)
  })

  it('right passwords do not use up the address: many colleagues behind one address sign in', async () => {
    const s = await start({ signInFailuresPerAddress: 3 })
    const form = await signInForm(s.url)
    expect((await attempt(s.url, form, randomName(), 'guess')).status).toBe(401)
    expect((await attempt(s.url, form, randomName(), 'guess')).status).toBe(401)
    for (let i = 0; i < 4; i++) {
      expect((await attempt(s.url, form, 'alice', 'alice-password')).status).toBe(303)
    }
    // Two failures so far: the third is still checked (401), the fourth is refused.
    expect((await attempt(s.url, form, randomName(), 'guess')).status).toBe(401)
    expect((await attempt(s.url, form, randomName(), 'guess')).status).toBe(429)
  })

  it('refuses an over-long name or password with a clear message, before hashing', async () => {
    const s = await start()
    const form = await signInForm(s.url)
    const scrypt = vi.spyOn(crypto, 'scrypt')
    const scryptSync = vi.spyOn(crypto, 'scryptSync')
    const longName = await attempt(s.url, form, 'n'.repeat(65), 'whatever')
    expect(longName.status).toBe(400)
    expect(longName.text).toContain('at most 64 characters')
    const huge = await attempt(s.url, form, 'x'.repeat(60_000), 'whatever')
    expect(huge.status).toBe(400)
    // The page does not echo 60 KB back.
    expect(huge.text.length).toBeLessThan(20_000)
    const longPassword = await attempt(s.url, form, 'alice', 'p'.repeat(1025))
    expect(longPassword.status).toBe(400)
    expect(longPassword.text).toContain('at most 1024 characters')
    expect(scrypt).not.toHaveBeenCalled()
    expect(scryptSync).not.toHaveBeenCalled()
    vi.restoreAllMocks()
    // At the limits, the hash runs (off the event loop) and the answer is the usual one.
    expect((await attempt(s.url, form, 'n'.repeat(64), 'p'.repeat(1024))).status).toBe(401)
  })
})

describe('behind a reverse proxy', () => {
  it('with --trust-proxy, throttles the client X-Forwarded-For names, and X-Forwarded-Proto makes cookies Secure', async () => {
    const s = await start({ trustProxy: ['127.0.0.1'] })
    const form = await signInForm(s.url)
    const from = (client: string, proto = 'http'): { headers: Record<string, string> } => ({
      headers: { 'X-Forwarded-For': `198.51.100.7, ${client}`, 'X-Forwarded-Proto': proto }
    })
    for (let i = 0; i < 10; i++) {
      const res = await attempt(s.url, form, 'alice', `guess ${i}`, from('203.0.113.5'))
      expect(res.status).toBe(401)
    }
    expect((await attempt(s.url, form, 'alice', 'guess', from('203.0.113.5'))).status).toBe(429)
    // Another client behind the same proxy is not locked out.
    const ok = await attempt(s.url, form, 'alice', 'alice-password', from('203.0.113.6', 'https'))
    expect(ok.status).toBe(303)
    const cookie = (ok.headers['set-cookie'] ?? []).find((c) => c.startsWith('sidecast_session='))
    expect(cookie).toMatch(/; Secure/)
    const plain = await attempt(s.url, form, 'bob', 'bob-password', from('203.0.113.8'))
    expect((plain.headers['set-cookie'] ?? []).join('\n')).not.toMatch(/Secure/)
  })

  it('without it, X-Forwarded-For and X-Forwarded-Proto are ignored', async () => {
    const s = await start()
    const form = await signInForm(s.url)
    for (let i = 0; i < 10; i++) {
      const spoof = { headers: { 'X-Forwarded-For': `203.0.113.${i}` } }
      expect((await attempt(s.url, form, 'alice', `guess ${i}`, spoof)).status).toBe(401)
    }
    const spoofed = await attempt(s.url, form, 'alice', 'alice-password', {
      headers: { 'X-Forwarded-For': '203.0.113.99', 'X-Forwarded-Proto': 'https' }
    })
    expect(spoofed.status).toBe(429)
    const bob = await attempt(s.url, form, 'bob', 'bob-password', {
      headers: { 'X-Forwarded-Proto': 'https' }
    })
    expect(bob.status).toBe(303)
    expect((bob.headers['set-cookie'] ?? []).join('\n')).not.toMatch(/Secure/)
  })
})

describe('FailureThrottle', () => {
  it('holds at most maxKeys entries, dropping the oldest window first', async () => {
    let now = 0
    const t = new FailureThrottle(
      { name: 't', limit: 2, windowMs: 1000, maxKeys: 3 },
      new MemoryCounters(() => now)
    )
    await t.fail('a')
    now = 10
    await t.fail('a')
    now = 20
    expect(await t.retryAfterSeconds('a')).toBe(1)
    now = 30
    for (const key of ['b', 'c', 'd']) await t.fail(key)
    now = 40
    expect(await t.retryAfterSeconds('a')).toBe(0) // evicted
    expect(await t.retryAfterSeconds('b')).toBe(0) // one failure: still allowed
    now = 50
    await t.fail('b')
    expect(await t.retryAfterSeconds('b')).toBe(1)
    now = 1031
    expect(await t.retryAfterSeconds('b')).toBe(0) // the window is over
  })

  it('take counts only below the limit, and says the seconds left otherwise', async () => {
    let now = 0
    const t = new FailureThrottle(
      { name: 't', limit: 2, windowMs: 90_000, maxKeys: 10 },
      new MemoryCounters(() => now)
    )
    expect(await t.take('k')).toBe(0)
    expect(await t.take('k')).toBe(0)
    now = 29_500
    expect(await t.take('k')).toBe(61) // 60.5 s left, rounded up
    await t.clear('k')
    expect(await t.take('k')).toBe(0)
  })
})
