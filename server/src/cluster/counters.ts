/**
 * Fixed-window counters for the sign-in throttle and the rate limits (throttle.ts): per name (a
 * kind of limit) and key (a client address, a user id), a count that starts with the key's first
 * hit and is forgotten `windowMs` later. `take` checks and counts in one atomic step, so
 * parallel requests — in one process or across instances — cannot all pass one check.
 *
 * - MemoryCounters: one process (the default). Each name's map is bounded (`maxKeys`): a flood
 *   of new keys forgets the oldest windows first instead of growing memory.
 * - RedisCounters: shared by every instance. Key `<prefix>count:<name>:<key>` holds the count,
 *   with a PEXPIRE of the window set by the hit that starts it (in the same Lua script as the
 *   INCR, so no key is ever left without its expiry); Redis's clock ends the window.
 */
import type { Redis } from 'ioredis'

export interface WindowState {
  /** Hits counted in the key's current window (0: no window open). */
  count: number
  /** Milliseconds until the current window ends (0: no window open). */
  resetMs: number
}

export interface Taken extends WindowState {
  /** Whether this hit was counted (the count was below the limit). */
  taken: boolean
}

export interface WindowCounter {
  /** Counts one hit when the count is below `limit` (checked and counted atomically). */
  take(key: string, limit: number): Promise<Taken>
  /** Counts one hit, whatever the count. */
  add(key: string): Promise<WindowState>
  peek(key: string): Promise<WindowState>
  /** Takes one hit back (a counted attempt that turned out fine); never below 0. */
  giveBack(key: string): Promise<void>
  /** Forgets the key's window. */
  clear(key: string): Promise<void>
}

export interface CounterOptions {
  windowMs: number
  /** Keys one name holds at most in memory (the oldest window goes first); Redis: unbounded, every key expires. */
  maxKeys: number
}

export interface WindowCounters {
  readonly kind: 'memory' | 'redis'
  /** The counter of `name` (the same name gives the same counts, in every instance for Redis). */
  counter(name: string, options: CounterOptions): WindowCounter
}

// ---------------------------------------------------------------------------------------------
// In memory

interface Entry {
  count: number
  since: number
}

class MemoryCounter implements WindowCounter {
  /** Insertion order is window-start order, so the first entry always ends first. */
  private readonly entries = new Map<string, Entry>()

  constructor(
    private readonly options: CounterOptions,
    private readonly now: () => number
  ) {}

  get size(): number {
    return this.entries.size
  }

  async take(key: string, limit: number): Promise<Taken> {
    return Promise.resolve(this.takeNow(key, limit))
  }

  async add(key: string): Promise<WindowState> {
    return Promise.resolve(this.takeNow(key, Infinity))
  }

  async peek(key: string): Promise<WindowState> {
    const now = this.now()
    return Promise.resolve(this.state(this.current(key, now), now))
  }

  async giveBack(key: string): Promise<void> {
    const entry = this.current(key, this.now())
    if (entry && entry.count > 0) entry.count--
    return Promise.resolve()
  }

  async clear(key: string): Promise<void> {
    this.entries.delete(key)
    return Promise.resolve()
  }

  /** Synchronous: nothing else runs between the check and the count. */
  private takeNow(key: string, limit: number): Taken {
    const now = this.now()
    let entry = this.current(key, now)
    if (entry && entry.count >= limit) return { taken: false, ...this.state(entry, now) }
    if (entry) entry.count++
    else {
      this.evict(now)
      entry = { count: 1, since: now }
      this.entries.set(key, entry)
    }
    return { taken: true, ...this.state(entry, now) }
  }

  private state(entry: Entry | undefined, now: number): WindowState {
    if (!entry) return { count: 0, resetMs: 0 }
    return { count: entry.count, resetMs: Math.max(0, entry.since + this.options.windowMs - now) }
  }

  private current(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key)
    if (entry && now - entry.since >= this.options.windowMs) {
      this.entries.delete(key)
      return undefined
    }
    return entry
  }

  /** Drops ended windows from the front, then the oldest ones while the map is full. */
  private evict(now: number): void {
    for (const [key, entry] of this.entries) {
      const ended = now - entry.since >= this.options.windowMs
      if (!ended && this.entries.size < this.options.maxKeys) break
      this.entries.delete(key)
    }
  }
}

export class MemoryCounters implements WindowCounters {
  readonly kind = 'memory'
  private readonly counters = new Map<string, MemoryCounter>()

  /** `now`: the clock windows are counted by (tests move it). */
  constructor(private readonly now: () => number = Date.now) {}

  counter(name: string, options: CounterOptions): MemoryCounter {
    let counter = this.counters.get(name)
    if (!counter) this.counters.set(name, (counter = new MemoryCounter(options, this.now)))
    return counter
  }
}

// ---------------------------------------------------------------------------------------------
// In Redis

/**
 * KEYS[1] the key; ARGV[1] the limit (-1: none), ARGV[2] the window in ms.
 * Returns {taken 0|1, count, ms left}.
 */
const TAKE = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
local limit = tonumber(ARGV[1])
if limit >= 0 and count >= limit then
  local left = redis.call('PTTL', KEYS[1])
  if left < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    left = tonumber(ARGV[2])
  end
  return {0, count, left}
end
count = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if count == 1 or left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  left = tonumber(ARGV[2])
end
return {1, count, left}`

const PEEK = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
local left = redis.call('PTTL', KEYS[1])
if left < 0 then left = 0 end
return {count, left}`

/** KEYS[1] the key: one hit fewer, if it has any (its expiry stays). */
const GIVE_BACK = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then redis.call('DECR', KEYS[1]) end
return 0`

class RedisCounter implements WindowCounter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly options: CounterOptions
  ) {}

  private key(key: string): string {
    return `${this.prefix}${key}`
  }

  async take(key: string, limit: number): Promise<Taken> {
    const limitArg = Number.isFinite(limit) ? String(Math.max(0, limit)) : '-1'
    const [taken, count, left] = (await this.redis.eval(
      TAKE,
      1,
      this.key(key),
      limitArg,
      String(this.options.windowMs)
    )) as [number, number, number]
    return { taken: taken === 1, count, resetMs: Math.max(0, left) }
  }

  async add(key: string): Promise<WindowState> {
    const { count, resetMs } = await this.take(key, Infinity)
    return { count, resetMs }
  }

  async peek(key: string): Promise<WindowState> {
    const [count, left] = (await this.redis.eval(PEEK, 1, this.key(key))) as [number, number]
    return count > 0 ? { count, resetMs: left } : { count: 0, resetMs: 0 }
  }

  async giveBack(key: string): Promise<void> {
    await this.redis.eval(GIVE_BACK, 1, this.key(key))
  }

  async clear(key: string): Promise<void> {
    await this.redis.del(this.key(key))
  }
}

export class RedisCounters implements WindowCounters {
  readonly kind = 'redis'

  /** `keyPrefix`: start of every key (default `sidecast:`). */
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix = 'sidecast:'
  ) {}

  counter(name: string, options: CounterOptions): WindowCounter {
    return new RedisCounter(this.redis, `${this.keyPrefix}count:${name}:`, options)
  }
}
