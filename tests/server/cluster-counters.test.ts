/**
 * Window counters of the sign-in throttle and the rate limits (server/src/cluster/counters.ts):
 * in memory always, in Redis against SIDECAST_TEST_REDIS_URL (a random key prefix per test;
 * skipped with the reason when unset). Two RedisCounters on two connections stand for two
 * instances. The memory windows end by moving an injected clock; Redis's end by the key's
 * expiry, waited for (bounded), never assumed from a sleep.
 */
import crypto from 'node:crypto'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import {
  MemoryCounters,
  RedisCounters,
  type WindowCounters
} from '../../server/src/cluster/counters'

const REDIS_URL = process.env.SIDECAST_TEST_REDIS_URL

/** What both implementations must do; `make` gives two "instances" sharing their counts. */
function counterBehaviour(make: () => Promise<[WindowCounters, WindowCounters]>): void {
  it('take counts up to the limit, then refuses without counting, with the time left', async () => {
    const [c] = await make()
    const counter = c.counter('posts', { windowMs: 60_000, maxKeys: 100 })
    for (let i = 1; i <= 3; i++) {
      const t = await counter.take('user1', 3)
      expect(t).toMatchObject({ taken: true, count: i })
      expect(t.resetMs).toBeGreaterThan(0)
      expect(t.resetMs).toBeLessThanOrEqual(60_000)
    }
    const refused = await counter.take('user1', 3)
    expect(refused.taken).toBe(false)
    expect(refused.count).toBe(3)
    expect(refused.resetMs).toBeGreaterThan(0)
    expect(refused.resetMs).toBeLessThanOrEqual(60_000)
    expect((await counter.peek('user1')).count).toBe(3)
    // Another key, another name: their own counts.
    expect(await counter.take('user2', 3)).toMatchObject({ taken: true, count: 1 })
    const other = c.counter('edits', { windowMs: 60_000, maxKeys: 100 })
    expect(await other.take('user1', 3)).toMatchObject({ taken: true, count: 1 })
  })

  it('add counts past any limit; clear forgets the window; peek of nothing is 0', async () => {
    const [c] = await make()
    const counter = c.counter('failures', { windowMs: 60_000, maxKeys: 100 })
    expect(await counter.peek('addr')).toEqual({ count: 0, resetMs: 0 })
    for (let i = 0; i < 5; i++) await counter.add('addr')
    expect((await counter.peek('addr')).count).toBe(5)
    expect((await counter.take('addr', 5)).taken).toBe(false)
    await counter.clear('addr')
    expect(await counter.peek('addr')).toEqual({ count: 0, resetMs: 0 })
    expect(await counter.take('addr', 5)).toMatchObject({ taken: true, count: 1 })
  })

  it('giveBack takes one hit back, never below 0, in every instance; the window stays', async () => {
    const [c1, c2] = await make()
    const options = { windowMs: 60_000, maxKeys: 100 }
    const one = c1.counter('tries', options)
    const two = c2.counter('tries', options)
    for (let i = 0; i < 3; i++) await one.take('addr', 3)
    expect((await one.take('addr', 3)).taken).toBe(false)
    await two.giveBack('addr')
    const after = await one.peek('addr')
    expect(after.count).toBe(2)
    expect(after.resetMs).toBeGreaterThan(0)
    expect(await one.take('addr', 3)).toMatchObject({ taken: true, count: 3 })
    for (let i = 0; i < 5; i++) await two.giveBack('addr')
    expect((await one.peek('addr')).count).toBe(0)
    await one.giveBack('never-seen')
    expect(await two.peek('never-seen')).toEqual({ count: 0, resetMs: 0 })
    expect(await one.take('addr', 3)).toMatchObject({ taken: true, count: 1 })
  })

  it('parallel takes from two instances: exactly the limit are taken', async () => {
    const [c1, c2] = await make()
    const options = { windowMs: 60_000, maxKeys: 100 }
    const one = c1.counter('slots', options)
    const two = c2.counter('slots', options)
    const takes = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? one : two).take('user7', 10))
    )
    expect(takes.filter((t) => t.taken)).toHaveLength(10)
    expect((await one.peek('user7')).count).toBe(10)
    expect((await two.peek('user7')).count).toBe(10)
  })
}

describe('in memory (MemoryCounters)', () => {
  counterBehaviour(() => {
    const counters = new MemoryCounters()
    return Promise.resolve([counters, counters])
  })

  it('a window ends windowMs after its first hit: the count starts again', async () => {
    let now = 1_000_000
    const counter = new MemoryCounters(() => now).counter('w', { windowMs: 1000, maxKeys: 10 })
    await counter.take('k', 2)
    now += 400
    await counter.take('k', 2)
    expect(await counter.take('k', 2)).toEqual({ taken: false, count: 2, resetMs: 600 })
    now += 599
    expect((await counter.take('k', 2)).taken).toBe(false)
    now += 1
    expect(await counter.take('k', 2)).toEqual({ taken: true, count: 1, resetMs: 1000 })
  })

  it('holds at most maxKeys windows: a flood of new keys forgets the oldest first', async () => {
    let now = 0
    const counter = new MemoryCounters(() => now).counter('flood', { windowMs: 1000, maxKeys: 3 })
    for (const key of ['a', 'b', 'c', 'd', 'e']) {
      now++
      await counter.add(key)
    }
    expect(counter.size).toBe(3)
    expect((await counter.peek('a')).count).toBe(0)
    expect((await counter.peek('b')).count).toBe(0)
    expect((await counter.peek('e')).count).toBe(1)
  })

  it('the same name gives the same counter', async () => {
    const counters = new MemoryCounters()
    await counters.counter('n', { windowMs: 1000, maxKeys: 10 }).add('k')
    expect((await counters.counter('n', { windowMs: 1000, maxKeys: 10 }).peek('k')).count).toBe(1)
  })
})

describe.skipIf(!REDIS_URL)(
  REDIS_URL ? 'in Redis (RedisCounters)' : 'skipped: SIDECAST_TEST_REDIS_URL is not set',
  () => {
    const url = REDIS_URL ?? ''
    let prefix = ''
    const connections: Redis[] = []

    function connect(): Redis {
      const redis = new Redis(url)
      connections.push(redis)
      return redis
    }

    function freshPrefix(): string {
      prefix = `test-h5-${crypto.randomBytes(6).toString('hex')}:`
      return prefix
    }

    afterEach(async () => {
      const admin = connections[0]
      if (admin) {
        const keys = await admin.keys(`${prefix}*`)
        if (keys.length > 0) await admin.del(...keys)
      }
      for (const redis of connections.splice(0)) redis.disconnect()
    })

    describe('the shared behaviour', () => {
      counterBehaviour(() => {
        const p = freshPrefix()
        return Promise.resolve([new RedisCounters(connect(), p), new RedisCounters(connect(), p)])
      })
    })

    it('keys are prefixed and always carry the window as expiry', async () => {
      const p = freshPrefix()
      const redis = connect()
      const counter = new RedisCounters(redis, p).counter('signin', {
        windowMs: 900_000,
        maxKeys: 10
      })
      await counter.add('10.0.0.1|alice')
      await counter.take('10.0.0.1|alice', 1) // refused: still no key without expiry
      const keys = await redis.keys(`${p}*`)
      expect(keys).toEqual([`${p}count:signin:10.0.0.1|alice`])
      const ttl = await redis.pttl(keys[0]!)
      expect(ttl).toBeGreaterThan(0)
      expect(ttl).toBeLessThanOrEqual(900_000)
      // A key left without an expiry (by something else) gets the window on its next hit.
      await redis.set(`${p}count:signin:bare`, '7')
      await counter.take('bare', 3)
      expect(await redis.pttl(`${p}count:signin:bare`)).toBeGreaterThan(0)
    })

    it('the window ends when the key expires: the count starts again', async () => {
      const p = freshPrefix()
      const redis = connect()
      const counter = new RedisCounters(redis, p).counter('short', { windowMs: 200, maxKeys: 10 })
      await counter.take('k', 1)
      expect((await counter.take('k', 1)).taken).toBe(false)
      // Wait (bounded) for Redis to end the window.
      for (let i = 0; i < 1000 && (await redis.exists(`${p}count:short:k`)); i++) {
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      expect(await counter.take('k', 1)).toMatchObject({ taken: true, count: 1 })
    })
  }
)
