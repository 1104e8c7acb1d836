/**
 * Counting attempts or failures per key (a client address, an address and a name, a user id) in
 * a fixed window: an asynchronous façade over the library's window counters
 * (cluster/counters.ts) — in this process's memory by default (each kind's map bounded: a flood
 * of new keys forgets the oldest windows instead of growing memory), in Redis when several
 * instances share the counts (config.redisUrl).
 *
 * The server registers its counters for its library once (useCounters, app.ts); a library
 * without (the admin commands, a test's bare library) counts in memory.
 */
import { MemoryCounters, type WindowCounter, type WindowCounters } from './cluster/counters'

export interface ThrottleOptions {
  /**
   * What is counted, e.g. `signin-address`: throttles of one name count together (in every
   * instance sharing Redis, where it is part of the key), so one name per kind of limit.
   */
  name: string
  /** Attempts allowed in one window; the next one waits for the window to end. */
  limit: number
  windowMs: number
  /** Keys held at most in memory; beyond, the oldest window is forgotten first (Redis: keys expire). */
  maxKeys: number
}

const countersOf = new WeakMap<object, WindowCounters>()

/** Makes `library`'s throttles count in `counters` (call before its first request). */
export function useCounters(library: object, counters: WindowCounters): void {
  countersOf.set(library, counters)
}

/** The counters `library`'s throttles count in: the registered ones, else its own in memory. */
export function throttleCounters(library: object): WindowCounters {
  let found = countersOf.get(library)
  if (!found) countersOf.set(library, (found = new MemoryCounters()))
  return found
}

export class FailureThrottle {
  private readonly counter: WindowCounter

  /** Counts in `counters` (throttleCounters(library) for a library's limits). */
  constructor(
    readonly options: ThrottleOptions,
    counters: WindowCounters = new MemoryCounters()
  ) {
    this.counter = counters.counter(options.name, {
      windowMs: options.windowMs,
      maxKeys: options.maxKeys
    })
  }

  /**
   * Takes one slot for `key`: 0 when it was counted (the attempt may go ahead), else the whole
   * seconds until one frees (nothing counted). Checked and counted in one atomic step, so
   * parallel requests, here or in other instances, cannot all pass one check.
   */
  async take(key: string): Promise<number> {
    const t = await this.counter.take(key, this.options.limit)
    return t.taken ? 0 : seconds(t.resetMs)
  }

  /** Whole seconds until `key` may try again; 0 when it may now. */
  async retryAfterSeconds(key: string): Promise<number> {
    const { count, resetMs } = await this.counter.peek(key)
    return count < this.options.limit ? 0 : seconds(resetMs)
  }

  /** Counts one failure of `key`, whatever its count. */
  async fail(key: string): Promise<void> {
    await this.counter.add(key)
  }

  /** Takes back one slot `take` counted, for an attempt that did not fail after all. */
  async giveBack(key: string): Promise<void> {
    await this.counter.giveBack(key)
  }

  async clear(key: string): Promise<void> {
    await this.counter.clear(key)
  }
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000))
}
