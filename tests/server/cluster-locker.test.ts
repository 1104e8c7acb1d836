/**
 * tus upload locks (server/src/cluster): the in-memory locker always, and the Redis locker
 * against a real Redis from SIDECAST_TEST_REDIS_URL (each test with its own random key prefix;
 * skipped with the reason when unset). Two Redis lockers, each with its own two connections,
 * stand for two library instances. Nothing waits for a time to pass: each test waits for the
 * event it is about (a requestRelease call, a lock taken, a rejection).
 */
import crypto from 'node:crypto'
import { ERRORS, type Lock } from '@tus/server'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { LocalLocker, type ReleasableLocker } from '../../server/src/cluster/memory-locker'
import { RedisLocker, type RedisLockerOptions } from '../../server/src/cluster/redis-locker'
import { createSharedState } from '../../server/src/cluster/shared-state'

const REDIS_URL = process.env.SIDECAST_TEST_REDIS_URL

/** A promise and its resolve, to wait for an event. */
function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

const never = new AbortController().signal

interface Pair {
  a: ReleasableLocker
  b: ReleasableLocker
}

/** The tests both lockers must pass; `make` gives two "instances" (the same locker in memory). */
function lockerBehaviour(make: () => Promise<Pair>): void {
  it("B's lock() asks A to let go; B gets the lock only after A unlocks", async () => {
    const { a, b } = await make()
    const events: string[] = []
    const lockA = a.newLock('upload1')
    const asked = signal()
    await lockA.lock(never, () => {
      events.push('A asked')
      asked.resolve()
    })
    const lockB = b.newLock('upload1')
    const gotB = lockB.lock(never, () => {}).then(() => events.push('B got'))
    await asked.promise
    events.push('A unlocks')
    await lockA.unlock()
    await gotB
    expect(events).toEqual(['A asked', 'A unlocks', 'B got'])
    await lockB.unlock()
  })

  it('an aborted request stops waiting with ERR_LOCK_TIMEOUT; the holder keeps the lock', async () => {
    const { a, b } = await make()
    const lockA = a.newLock('upload2')
    let asks = 0
    let nextAsk = signal()
    await lockA.lock(never, () => {
      asks++
      nextAsk.resolve()
    })
    const abort = new AbortController()
    const waiting = b.newLock('upload2').lock(abort.signal, () => {})
    await nextAsk.promise // B is waiting now
    abort.abort()
    await expect(waiting).rejects.toBe(ERRORS.ERR_LOCK_TIMEOUT)
    // A still holds it: the next request has to ask A too, and gets it once A lets go.
    nextAsk = signal()
    const before = asks
    const lockC = b.newLock('upload2')
    const third = lockC.lock(never, () => {})
    await nextAsk.promise
    expect(asks).toBeGreaterThan(before)
    await lockA.unlock()
    await third
    await lockC.unlock()
  })

  it('mutual exclusion: three requests on each side, never two inside at once', async () => {
    const { a, b } = await make()
    let inside = 0
    let most = 0
    let done = 0
    const worker = async (locker: ReleasableLocker): Promise<void> => {
      for (let i = 0; i < 3; i++) {
        const lock = locker.newLock('upload3')
        await lock.lock(never, () => {})
        inside++
        most = Math.max(most, inside)
        await new Promise((resolve) => setImmediate(resolve))
        inside--
        done++
        await lock.unlock()
      }
    }
    await Promise.all([worker(a), worker(b), worker(a), worker(b)])
    expect(done).toBe(12)
    expect(most).toBe(1)
  })

  it('releaseAll asks every holder to let go and resolves once all have', async () => {
    const { a } = await make()
    const locks: Lock[] = ['x1', 'x2', 'x3'].map((id) => a.newLock(id))
    const asked: string[] = []
    for (const [i, lock] of locks.entries()) {
      await lock.lock(never, async () => {
        asked.push(`x${i + 1}`)
        await lock.unlock()
      })
    }
    await a.releaseAll(60_000)
    expect(asked.sort()).toEqual(['x1', 'x2', 'x3'])
    // All free: another request takes each at once, without asking anyone.
    for (const id of ['x1', 'x2', 'x3']) {
      const lock = a.newLock(id)
      let askedAgain = false
      await lock.lock(never, () => {
        askedAgain = true
      })
      await lock.unlock()
      expect(askedAgain).toBe(true) // draining: a lock taken during shutdown is asked at once
    }
  })

  it('releaseAll gives up after its timeout when a holder never lets go', async () => {
    const { a, b } = await make()
    const lock = a.newLock('stuck')
    const asked = signal()
    await lock.lock(never, () => asked.resolve())
    await a.releaseAll(50)
    await asked.promise
    // Still held: a request with an aborted signal does not get it.
    const abort = new AbortController()
    abort.abort()
    await expect(b.newLock('stuck').lock(abort.signal, () => {})).rejects.toBe(
      ERRORS.ERR_LOCK_TIMEOUT
    )
    await lock.unlock()
  })

  it('unlock of a lock never taken throws', async () => {
    const { a } = await make()
    await expect(a.newLock('never').unlock()).rejects.toThrow(/unlocked lock/)
  })
}

describe('in memory (LocalLocker)', () => {
  lockerBehaviour(() => {
    const locker = new LocalLocker()
    return Promise.resolve({ a: locker, b: locker })
  })

  it('times out after acquireTimeoutMs while the holder keeps the lock', async () => {
    const locker = new LocalLocker({ acquireTimeoutMs: 20 })
    const lock = locker.newLock('held')
    await lock.lock(never, () => {})
    await expect(locker.newLock('held').lock(never, () => {})).rejects.toBe(ERRORS.ERR_LOCK_TIMEOUT)
    await lock.unlock()
  })
})

describe.skipIf(!REDIS_URL)(
  REDIS_URL ? 'in Redis (RedisLocker)' : 'skipped: SIDECAST_TEST_REDIS_URL is not set',
  () => {
    const url = REDIS_URL ?? ''
    let prefix = ''
    const cleanups: (() => Promise<unknown>)[] = []

    /** Two connections and a locker: one "instance" named `owner`. */
    async function instance(
      owner: string,
      options: Partial<RedisLockerOptions> = {}
    ): Promise<{ locker: RedisLocker; redis: Redis; subscriber: Redis }> {
      const redis = new Redis(url)
      const subscriber = new Redis(url)
      const locker = await RedisLocker.create({
        redis,
        subscriber,
        owner,
        keyPrefix: prefix,
        retryMs: 100,
        ...options
      })
      cleanups.push(async () => {
        await locker.close().catch(() => {})
        redis.disconnect()
        subscriber.disconnect()
      })
      return { locker, redis, subscriber }
    }

    async function admin(): Promise<Redis> {
      const redis = new Redis(url)
      cleanups.push(async () => {
        const keys = await redis.keys(`${prefix}*`)
        if (keys.length > 0) await redis.del(...keys)
        redis.disconnect()
      })
      return redis
    }

    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
    })

    describe('the shared behaviour', () => {
      lockerBehaviour(async () => {
        prefix = `test-h5-${crypto.randomBytes(6).toString('hex')}:`
        await admin()
        const [a, b] = await Promise.all([instance('A'), instance('B')])
        return { a: a.locker, b: b.locker }
      })
    })

    it('the lock is a key holding its owner token, with an expiry; unlock deletes it', async () => {
      prefix = `test-h5-${crypto.randomBytes(6).toString('hex')}:`
      const redis = await admin()
      const a = await instance('instance-A', { ttlMs: 10_000 })
      const lock = a.locker.newLock('upload9')
      await lock.lock(never, () => {})
      expect(await redis.get(`${prefix}lock:upload9`)).toMatch(/^instance-A:[0-9a-f]{16}$/)
      const ttl = await redis.pttl(`${prefix}lock:upload9`)
      expect(ttl).toBeGreaterThan(0)
      expect(ttl).toBeLessThanOrEqual(10_000)
      const released = signal<string>()
      const listener = new Redis(url)
      cleanups.push(async () => listener.disconnect())
      listener.on('message', (_channel: string, id: string) => released.resolve(id))
      await listener.subscribe(`${prefix}lock:released`)
      await lock.unlock()
      expect(await released.promise).toBe('upload9')
      expect(await redis.exists(`${prefix}lock:upload9`)).toBe(0)
    })

    it('a holder that dies (stops renewing) lets B in once its key expires', async () => {
      prefix = `test-h5-${crypto.randomBytes(6).toString('hex')}:`
      const redis = await admin()
      const a = await instance('A', { ttlMs: 300 })
      const b = await instance('B')
      await a.locker.newLock('crashed').lock(never, () => {})
      // The crash: A's connections go (SIGKILL), so nothing renews or unlocks its key.
      a.redis.disconnect()
      a.subscriber.disconnect()
      const lockB = b.locker.newLock('crashed')
      await lockB.lock(never, () => {})
      expect(await redis.get(`${prefix}lock:crashed`)).toMatch(/^B:/)
      await lockB.unlock()
    })

    it('a holder whose lock was taken over is asked to stop; its unlock leaves the new key', async () => {
      prefix = `test-h5-${crypto.randomBytes(6).toString('hex')}:`
      const redis = await admin()
      const logs: string[] = []
      const a = await instance('A', { ttlMs: 300, log: (m) => logs.push(m) })
      const lock = a.locker.newLock('taken')
      const stopped = signal()
      await lock.lock(never, () => stopped.resolve())
      await redis.set(`${prefix}lock:taken`, 'someone-else', 'PX', 60_000)
      await stopped.promise // the next renewal found it gone
      await lock.unlock() // does not throw
      expect(await redis.get(`${prefix}lock:taken`)).toBe('someone-else')
      expect(logs.join('\n')).toMatch(/lock taken: lost/)
    })

    it('the holder renews its key: it outlives several ttls while held', async () => {
      prefix = `test-h5-${crypto.randomBytes(6).toString('hex')}:`
      const redis = await admin()
      const a = await instance('A', { ttlMs: 300 })
      const lock = a.locker.newLock('long')
      await lock.lock(never, () => {})
      const key = `${prefix}lock:long`
      const token = await redis.get(key)
      // Wait (bounded) until the expiry was pushed back by a renewal: PTTL rises again.
      let last = await redis.pttl(key)
      let renewals = 0
      for (let i = 0; i < 2000 && renewals < 3; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20))
        const ttl = await redis.pttl(key)
        if (ttl > last) renewals++
        last = ttl
      }
      expect(renewals).toBe(3)
      expect(await redis.get(key)).toBe(token)
      await lock.unlock()
    })

    it('createSharedState with a Redis URL: the Redis locker, counters and cache; ping; close', async () => {
      prefix = `test-h5-${crypto.randomBytes(6).toString('hex')}:`
      const redis = await admin()
      const state = await createSharedState(
        { redisUrl: url, instanceName: 'shared-test' },
        () => {},
        { keyPrefix: prefix }
      )
      try {
        expect(state.kind).toBe('redis')
        await state.ping()
        const lock = state.locker.newLock('s1')
        await lock.lock(never, () => {})
        expect(await redis.get(`${prefix}lock:s1`)).toMatch(/^shared-test:/)
        await lock.unlock()
        const cache = state.uploadCache
        expect(cache).not.toBeNull()
        const value = {
          'tus-version': '1.0.0',
          'upload-id': 'mp1',
          file: { id: 'u1', offset: 0, size: 10 }
        } as unknown as Parameters<NonNullable<typeof cache>['set']>[1]
        await cache!.set('u1', value)
        expect(await cache!.get('u1')).toEqual(value)
        expect(await redis.pttl(`${prefix}upload:u1`)).toBeGreaterThan(0)
        await cache!.delete('u1')
        expect(await cache!.get('u1')).toBeUndefined()
      } finally {
        await state.close()
      }
      await expect(state.ping()).rejects.toThrow()
    })
  }
)

describe('createSharedState', () => {
  it('without a Redis URL: memory, nothing to ping, no upload cache', async () => {
    const state = await createSharedState({ redisUrl: null, instanceName: 'one' }, () => {})
    expect(state.kind).toBe('memory')
    expect(state.uploadCache).toBeNull()
    await state.ping()
    await state.close()
  })

  it('an unreachable Redis fails the start with a clear message', async () => {
    await expect(
      createSharedState({ redisUrl: 'redis://127.0.0.1:1', instanceName: 'x' }, () => {})
    ).rejects.toThrow(/Redis at redis:\/\/127\.0\.0\.1:1.* is not reachable/)
  })
})
