/**
 * What several library instances must share, in one place: the tus upload lock, the window
 * counters of the sign-in throttle and the rate limits, and the upload-state cache. With
 * `config.redisUrl` they live in Redis (every instance sees the same); without (the default)
 * in this process's memory, as for a single instance.
 *
 * The upload-state cache, and which store uses it:
 * - S3 storage: tus's S3Store caches each upload's `.info` (its length, metadata and multipart
 *   upload id) in memory, per process. With several instances that copy goes stale: an upload
 *   whose length is declared late (deferred length, a live upload) or that is removed or
 *   finished through instance A still reads as before on B. In Redis there is one copy that A's
 *   changes clear for everyone (S3Store deletes its cache entry on finish and removal; the
 *   length declaration clears it in SlidingS3Store). Entries expire after UPLOAD_CACHE_TTL_MS,
 *   so abandoned uploads leave nothing behind for ever: a cache miss only reads `.info` again.
 * - File storage: no cache. FileStore's `configstore` is not a cache but the upload's record
 *   itself (the `.json` beside the bytes, written whole by SafeFileStore's AtomicJsonStore).
 *   Several instances on file storage must share the data folder anyway (the bytes are there),
 *   so the `.json` files are shared with it; keeping the record in Redis instead would split
 *   one upload between two places (bytes on disk, record in Redis) that can disagree, and the
 *   cleanup and leftovers() read the folder.
 */
import crypto from 'node:crypto'
import type { KvStore } from '@tus/server'
import type { MetadataValue } from '@tus/s3-store'
import type { Redis } from 'ioredis'
import { redactUrl, type ServerConfig } from '../config'
import { MemoryCounters, RedisCounters, type WindowCounters } from './counters'
import { LocalLocker, type ReleasableLocker } from './memory-locker'
import { closeRedis, connectRedis, pingRedis } from './redis'
import { RedisLocker } from './redis-locker'

/** How long an upload's cached `.info` stays in Redis after it was last written. */
export const UPLOAD_CACHE_TTL_MS = 24 * 3600_000

/** What S3Store caches per upload (its `.info`, with the Upload inside). */
export type UploadCache = KvStore<MetadataValue>

export interface SharedState {
  readonly kind: 'memory' | 'redis'
  readonly locker: ReleasableLocker
  readonly counters: WindowCounters
  /**
   * S3Store's cache of upload state shared between instances; null in memory mode (the store
   * keeps its own). File storage never uses it (see the header).
   */
  readonly uploadCache: UploadCache | null
  /** Rejects when Redis is unreachable (memory: resolves). */
  ping(): Promise<void>
  close(): Promise<void>
}

export interface SharedStateOptions {
  /** Start of every Redis key and channel; default `sidecast:` (tests use their own). */
  keyPrefix?: string
  lockTtlMs?: number
  acquireTimeoutMs?: number
  lockRetryMs?: number
}

/** A tus KvStore in Redis: JSON values under `<prefix><key>`, each expiring `ttlMs` after its last set. */
export class RedisKvStore<T> implements KvStore<T> {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs: number
  ) {}

  async get(key: string): Promise<T | undefined> {
    const value = await this.redis.get(this.prefix + key)
    return value === null ? undefined : (JSON.parse(value) as T)
  }

  async set(key: string, value: T): Promise<void> {
    await this.redis.set(this.prefix + key, JSON.stringify(value), 'PX', this.ttlMs)
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.prefix + key)
  }
}

export function memorySharedState(log: (m: string) => void = () => {}): SharedState {
  return {
    kind: 'memory',
    locker: new LocalLocker({ log }),
    counters: new MemoryCounters(),
    uploadCache: null,
    ping: () => Promise.resolve(),
    close: () => Promise.resolve()
  }
}

export async function createSharedState(
  config: Pick<ServerConfig, 'redisUrl' | 'instanceName'>,
  log: (m: string) => void,
  options: SharedStateOptions = {}
): Promise<SharedState> {
  if (!config.redisUrl) return memorySharedState(log)
  const prefix = options.keyPrefix ?? 'sidecast:'
  // A random tail: two processes given the same instance name still have their own connections' names.
  const name = `sidecast:${config.instanceName}:${crypto.randomBytes(3).toString('hex')}`
  const redis = connectRedis(config.redisUrl, { name: `${name}:cmd`, log })
  const subscriber = connectRedis(config.redisUrl, { name: `${name}:sub`, log })
  const closeConnections = (): Promise<unknown> =>
    Promise.all([closeRedis(redis), closeRedis(subscriber)])
  let locker: RedisLocker
  try {
    await pingRedis(redis)
    locker = await RedisLocker.create({
      redis,
      subscriber,
      owner: config.instanceName,
      keyPrefix: prefix,
      ttlMs: options.lockTtlMs,
      acquireTimeoutMs: options.acquireTimeoutMs,
      retryMs: options.lockRetryMs,
      log
    })
  } catch (error) {
    await closeConnections()
    throw new Error(
      `Redis at ${redactUrl(config.redisUrl)} is not reachable: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error }
    )
  }
  let closing: Promise<void> | null = null
  return {
    kind: 'redis',
    locker,
    counters: new RedisCounters(redis, prefix),
    uploadCache: new RedisKvStore<MetadataValue>(redis, `${prefix}upload:`, UPLOAD_CACHE_TTL_MS),
    ping: () => pingRedis(redis),
    close() {
      closing ??= (async () => {
        await locker.close()
        await closeConnections()
      })()
      return closing
    }
  }
}
