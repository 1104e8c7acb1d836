/**
 * Counting failures per key (a client address, an address and a name) in a fixed window, in a
 * map of bounded size: a flood of new keys evicts the oldest windows instead of growing memory.
 */

export interface ThrottleOptions {
  /** Failures allowed in one window; the next attempt waits for the window to end. */
  limit: number
  windowMs: number
  /** Keys held at most; beyond, the oldest window is forgotten first. */
  maxKeys: number
}

interface Entry {
  count: number
  since: number
}

export class FailureThrottle {
  /** Insertion order is window-start order, so the first entry always ends first. */
  private readonly entries = new Map<string, Entry>()

  constructor(readonly options: ThrottleOptions) {}

  get size(): number {
    return this.entries.size
  }

  /** Whole seconds until `key` may try again; 0 when it may now. */
  retryAfterSeconds(key: string, now = Date.now()): number {
    const entry = this.current(key, now)
    if (!entry || entry.count < this.options.limit) return 0
    return Math.max(1, Math.ceil((entry.since + this.options.windowMs - now) / 1000))
  }

  fail(key: string, now = Date.now()): void {
    const entry = this.current(key, now)
    if (entry) {
      entry.count++
      return
    }
    this.evict(now)
    this.entries.set(key, { count: 1, since: now })
  }

  clear(key: string): void {
    this.entries.delete(key)
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
