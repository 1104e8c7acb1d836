/**
 * tus upload locks shared by several library instances through Redis: an upload being PATCHed
 * through instance A cannot be PATCHed through B at the same time, and B asks A to let go, as
 * @tus/server's MemoryLocker does within one process.
 *
 * Keys and messages (prefix `sidecast:` by default):
 * - `<prefix>lock:<upload id>` = the holder's token (`<instance name>:<random>`), set with
 *   `SET NX PX ttl`. The holder renews it (PEXPIRE, only while it still holds the token) every
 *   ttl/3; a holder that dies (SIGKILL, lost host) stops renewing and the key expires after ttl,
 *   so the upload can be resumed through another instance soon after (ttl 10 s by default).
 * - unlock deletes the key only while it holds the token, and then PUBLISHes the upload id on
 *   `<prefix>lock:released` (one Lua script: compare, delete, publish).
 * - a request that finds the lock held PUBLISHes the upload id on `<prefix>lock:release-request`;
 *   every instance subscribes, and the one holding that upload calls its lock's requestRelease
 *   (tus then ends that PATCH, after its lockDrainTimeout at the latest). The waiter retries
 *   when a `released` message for the id arrives, or every `retryMs` (a holder that died sends
 *   none; a message may be missed across a reconnect), asking again each time, until it gets
 *   the lock, its request is aborted, or the acquire timeout passes (ERR_LOCK_TIMEOUT).
 * - a holder whose renewal finds the key gone or someone else's (it could not renew in time:
 *   Redis unreachable, the process stalled) logs it and calls its own requestRelease: its
 *   PATCH stops instead of writing without the lock. Its unlock then deletes nothing.
 *
 * unlock never throws once the lock was taken (it runs in tus's `finally` after the PATCH): a
 * Redis failure there is logged and the key expires after ttl.
 */
import crypto from 'node:crypto'
import { ERRORS, type Lock, type RequestRelease } from '@tus/server'
import type { Redis } from 'ioredis'
import { ACQUIRE_TIMEOUT_MS, HeldLocks, Waiters, type ReleasableLocker } from './memory-locker'

/** How long a lock lives without renewal: a crashed holder's upload is free after this. */
export const LOCK_TTL_MS = 10_000

/** How often a waiter tries again without having heard a `released` message. */
export const LOCK_RETRY_MS = 1000

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`

const UNLOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], ARGV[3])
  return 1
end
return 0`

export interface RedisLockerOptions {
  /** A connection for commands (not in subscriber mode). */
  redis: Redis
  /** A connection of its own that the locker puts in subscriber mode. */
  subscriber: Redis
  /** This instance's name: the start of every token it holds (who holds a lock, in Redis). */
  owner: string
  /** Start of every key and channel; default `sidecast:`. */
  keyPrefix?: string
  ttlMs?: number
  acquireTimeoutMs?: number
  retryMs?: number
  log?: (message: string) => void
}

interface Holding {
  id: string
  requestRelease: RequestRelease
  token: string
  timer: NodeJS.Timeout
}

export class RedisLocker implements ReleasableLocker {
  readonly held: HeldLocks<Holding>
  readonly waiters = new Waiters()
  readonly redis: Redis
  readonly owner: string
  readonly prefix: string
  readonly ttlMs: number
  readonly acquireTimeoutMs: number
  readonly retryMs: number
  readonly log: (message: string) => void
  readonly releasedChannel: string
  readonly requestChannel: string
  private readonly subscriber: Redis
  private readonly onMessage: (channel: string, message: string) => void

  private constructor(options: RedisLockerOptions) {
    this.redis = options.redis
    this.subscriber = options.subscriber
    this.owner = options.owner
    this.prefix = options.keyPrefix ?? 'sidecast:'
    this.ttlMs = options.ttlMs ?? LOCK_TTL_MS
    this.acquireTimeoutMs = options.acquireTimeoutMs ?? ACQUIRE_TIMEOUT_MS
    this.retryMs = options.retryMs ?? LOCK_RETRY_MS
    this.log = options.log ?? (() => {})
    this.held = new HeldLocks(this.log)
    this.releasedChannel = `${this.prefix}lock:released`
    this.requestChannel = `${this.prefix}lock:release-request`
    this.onMessage = (channel, id) => {
      if (channel === this.releasedChannel) this.waiters.wake(id)
      else if (channel === this.requestChannel) this.held.ask(id)
    }
  }

  /** A locker listening on its channels (resolves once subscribed). */
  static async create(options: RedisLockerOptions): Promise<RedisLocker> {
    const locker = new RedisLocker(options)
    locker.subscriber.on('message', locker.onMessage)
    await locker.subscriber.subscribe(locker.releasedChannel, locker.requestChannel)
    return locker
  }

  key(id: string): string {
    return `${this.prefix}lock:${id}`
  }

  newLock(id: string): Lock {
    return new RedisLock(id, this)
  }

  releaseAll(timeoutMs?: number): Promise<void> {
    return this.held.releaseAll(timeoutMs)
  }

  /**
   * Stops listening and renewing; locks still held are deleted (when still ours) so that other
   * instances need not wait for them to expire. The connections stay open (their owner closes them).
   */
  async close(): Promise<void> {
    this.subscriber.off('message', this.onMessage)
    await this.subscriber
      .unsubscribe(this.releasedChannel, this.requestChannel)
      .catch((error: unknown) => this.log(`lock: unsubscribe failed: ${String(error)}`))
    await Promise.all(
      this.held.entries().map(async (holding) => {
        clearInterval(holding.timer)
        await this.deleteIfOurs(holding.id, holding.token).catch(() => {})
      })
    )
  }

  /** Deletes `id`'s lock if `token` still holds it, and then publishes `released` for `id`. */
  async deleteIfOurs(id: string, token: string): Promise<boolean> {
    const done = await this.redis.eval(UNLOCK, 1, this.key(id), token, this.releasedChannel, id)
    return done === 1
  }
}

class RedisLock implements Lock {
  private holding: Holding | null = null

  constructor(
    private readonly id: string,
    private readonly locker: RedisLocker
  ) {}

  async lock(signal: AbortSignal, requestRelease: RequestRelease): Promise<void> {
    const { locker, id } = this
    const token = `${locker.owner}:${crypto.randomBytes(8).toString('hex')}`
    const deadline = Date.now() + locker.acquireTimeoutMs
    for (;;) {
      const taken = await locker.redis.set(locker.key(id), token, 'PX', locker.ttlMs, 'NX')
      if (taken === 'OK') {
        this.hold(token, requestRelease)
        return
      }
      await locker.redis.publish(locker.requestChannel, id)
      const left = deadline - Date.now()
      if (signal.aborted || left <= 0) throw ERRORS.ERR_LOCK_TIMEOUT
      await locker.waiters.wait(id, Math.min(left, locker.retryMs), signal)
      if (signal.aborted) throw ERRORS.ERR_LOCK_TIMEOUT
    }
  }

  private hold(token: string, requestRelease: RequestRelease): void {
    const { locker, id } = this
    let renewing = false
    const timer = setInterval(
      () => {
        if (renewing) return // the last renewal is still under way (Redis slow)
        renewing = true
        locker.redis
          .eval(RENEW, 1, locker.key(id), token, String(locker.ttlMs))
          .then((renewed) => {
            if (renewed === 1 || this.holding !== holding) return
            clearInterval(timer)
            locker.log(`lock ${id}: lost (expired or taken over); stopping its request`)
            locker.held.askOne(id, holding)
          })
          .catch((error: unknown) => locker.log(`lock ${id}: renewal failed: ${String(error)}`))
          .finally(() => {
            renewing = false
          })
      },
      Math.max(1, Math.floor(locker.ttlMs / 3))
    )
    timer.unref()
    const holding: Holding = { id, requestRelease, token, timer }
    this.holding = holding
    locker.held.add(id, holding)
  }

  async unlock(): Promise<void> {
    const holding = this.holding
    if (!holding) throw new Error('Releasing an unlocked lock!')
    const { locker, id } = this
    this.holding = null
    clearInterval(holding.timer)
    locker.held.delete(id, holding)
    try {
      if (!(await locker.deleteIfOurs(id, holding.token))) {
        locker.log(`lock ${id}: was no longer held at unlock (expired or taken over)`)
      }
    } catch (error) {
      locker.log(`lock ${id}: unlock failed, it expires in ${locker.ttlMs} ms: ${String(error)}`)
    }
    // Waiters on this instance need not wait for the message to come back from Redis.
    locker.waiters.wake(id)
  }
}
