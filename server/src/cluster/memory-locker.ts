/**
 * tus upload locks within one process (the default, no Redis): @tus/server's MemoryLocker's
 * behaviour — a second request for a locked upload calls the holder's `requestRelease` (tus ends
 * the holder's PATCH), then takes the lock once it is let go, or fails with ERR_LOCK_TIMEOUT
 * after the acquire timeout or when its request is aborted — plus `releaseAll()` for a graceful
 * shutdown. Unlike MemoryLocker, a waiter sleeps until the lock is released (or its deadline)
 * instead of retrying on every turn of the event loop.
 *
 * HeldLocks and Waiters are shared with the Redis locker (redis-locker.ts), which keeps the same
 * local book of the locks this instance holds.
 */
import { ERRORS, type Lock, type Locker, type RequestRelease } from '@tus/server'

/** How long lock() waits for a held lock before ERR_LOCK_TIMEOUT (MemoryLocker's default). */
export const ACQUIRE_TIMEOUT_MS = 30_000

/** How long releaseAll() waits by default for the holders to let go. */
export const RELEASE_ALL_TIMEOUT_MS = 10_000

/** A tus Locker whose held locks can all be asked to let go (graceful shutdown). */
export interface ReleasableLocker extends Locker {
  /**
   * Calls every held lock's requestRelease and resolves when all are released, or after
   * `timeoutMs` (RELEASE_ALL_TIMEOUT_MS) with some still held. From then on a lock acquired here
   * is asked to let go as soon as it is taken: the instance is shutting down.
   */
  releaseAll(timeoutMs?: number): Promise<void>
}

interface Holding {
  requestRelease: RequestRelease
}

/** The locks this process holds: upload id → holders (one, unless a lock was lost meanwhile). */
export class HeldLocks<T extends Holding = Holding> {
  private readonly byId = new Map<string, Set<T>>()
  private draining = false
  private readonly emptied = new Set<() => void>()

  constructor(private readonly log: (message: string) => void) {}

  get size(): number {
    return this.byId.size
  }

  has(id: string): boolean {
    return this.byId.has(id)
  }

  entries(): T[] {
    return [...this.byId.values()].flatMap((set) => [...set])
  }

  add(id: string, holding: T): void {
    let set = this.byId.get(id)
    if (!set) this.byId.set(id, (set = new Set()))
    set.add(holding)
    if (this.draining) this.askOne(id, holding)
  }

  delete(id: string, holding: T): void {
    const set = this.byId.get(id)
    if (!set?.delete(holding)) return
    if (set.size === 0) this.byId.delete(id)
    if (this.byId.size === 0) {
      for (const resolve of this.emptied) resolve()
      this.emptied.clear()
    }
  }

  /** Asks the holders of `id` here to let go; false when there are none. */
  ask(id: string): boolean {
    const set = this.byId.get(id)
    if (!set) return false
    for (const holding of set) this.askOne(id, holding)
    return true
  }

  /** Calls a holder's requestRelease; what it throws or rejects with is logged. */
  askOne(id: string, holding: T): void {
    const failed = (error: unknown): void => {
      this.log(`lock ${id}: requestRelease failed: ${String(error)}`)
    }
    try {
      Promise.resolve(holding.requestRelease()).catch(failed)
    } catch (error) {
      failed(error)
    }
  }

  releaseAll(timeoutMs = RELEASE_ALL_TIMEOUT_MS): Promise<void> {
    this.draining = true
    for (const id of [...this.byId.keys()]) this.ask(id)
    if (this.byId.size === 0) return Promise.resolve()
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        this.emptied.delete(done)
        resolve()
      }
      const timer = setTimeout(() => {
        this.log(`shutdown: ${this.byId.size} upload lock(s) still held after ${timeoutMs} ms`)
        done()
      }, timeoutMs)
      this.emptied.add(done)
    })
  }
}

/** Requests waiting for a lock to be released, woken by id. */
export class Waiters {
  private readonly byId = new Map<string, Set<() => void>>()

  /** Resolves on wake(id), after `ms`, or when `signal` aborts, whichever comes first. */
  wait(id: string, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let set = this.byId.get(id)
      if (!set) this.byId.set(id, (set = new Set()))
      const waiters = set
      const done = (): void => {
        clearTimeout(timer)
        signal.removeEventListener('abort', done)
        waiters.delete(done)
        if (waiters.size === 0 && this.byId.get(id) === waiters) this.byId.delete(id)
        resolve()
      }
      const timer = setTimeout(done, Math.max(0, ms))
      signal.addEventListener('abort', done, { once: true })
      waiters.add(done)
      if (signal.aborted) done()
    })
  }

  wake(id: string): void {
    const set = this.byId.get(id)
    if (!set) return
    for (const done of [...set]) done()
  }
}

export interface LocalLockerOptions {
  acquireTimeoutMs?: number
  log?: (message: string) => void
}

export class LocalLocker implements ReleasableLocker {
  readonly held: HeldLocks
  readonly waiters = new Waiters()
  readonly acquireTimeoutMs: number

  constructor(options: LocalLockerOptions = {}) {
    this.acquireTimeoutMs = options.acquireTimeoutMs ?? ACQUIRE_TIMEOUT_MS
    this.held = new HeldLocks(options.log ?? (() => {}))
  }

  newLock(id: string): Lock {
    return new LocalLock(id, this)
  }

  releaseAll(timeoutMs?: number): Promise<void> {
    return this.held.releaseAll(timeoutMs)
  }
}

class LocalLock implements Lock {
  private holding: Holding | null = null

  constructor(
    private readonly id: string,
    private readonly locker: LocalLocker
  ) {}

  async lock(signal: AbortSignal, requestRelease: RequestRelease): Promise<void> {
    const { held, waiters } = this.locker
    const deadline = Date.now() + this.locker.acquireTimeoutMs
    for (;;) {
      if (!held.has(this.id)) {
        this.holding = { requestRelease }
        held.add(this.id, this.holding)
        return
      }
      held.ask(this.id)
      const left = deadline - Date.now()
      if (signal.aborted || left <= 0) throw ERRORS.ERR_LOCK_TIMEOUT
      await waiters.wait(this.id, left, signal)
    }
  }

  async unlock(): Promise<void> {
    if (!this.holding) throw new Error('Releasing an unlocked lock!')
    this.locker.held.delete(this.id, this.holding)
    this.holding = null
    this.locker.waiters.wake(this.id)
  }
}
