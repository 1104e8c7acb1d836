/**
 * Connections to the Redis that several library instances share (config.redisUrl): one for
 * commands, one in subscriber mode for the lock messages (redis-locker.ts). A Redis that goes
 * away is reconnected to by ioredis; meanwhile a command fails after COMMAND_TIMEOUT_MS instead
 * of holding its request, and connection errors are logged (once per kind until the connection
 * is back), never thrown out of an event handler.
 */
import { Redis } from 'ioredis'
import { redactUrl } from '../config'

/** Longest one command may take, queued while disconnected or sent: then it fails. */
export const COMMAND_TIMEOUT_MS = 5000

export interface RedisOptions {
  /** Shown in logs and as the connection's CLIENT SETNAME (e.g. `sidecast:<instance>:cmd`). */
  name: string
  log: (message: string) => void
}

/** Connects to `url` (redis:// or rediss://); the connection is made in the background. */
export function connectRedis(url: string, options: RedisOptions): Redis {
  const redis = new Redis(url, {
    connectionName: options.name.replace(/[^\w:.-]/g, '_'),
    commandTimeout: COMMAND_TIMEOUT_MS,
    // A few retries across a reconnect, then the command fails (and its request with it).
    maxRetriesPerRequest: 3,
    connectTimeout: 5000,
    retryStrategy: (times) => Math.min(times * 200, 2000)
  })
  const where = redactUrl(url)
  let lastError = ''
  redis.on('error', (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error)
    if (message === lastError) return
    lastError = message
    options.log(`redis ${options.name} (${where}): ${message}`)
  })
  redis.on('ready', () => {
    if (lastError) options.log(`redis ${options.name} (${where}): connected again`)
    lastError = ''
  })
  return redis
}

/** Closes the connection: QUIT when connected (pending replies arrive first), else at once. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return
  if (redis.status !== 'ready') {
    redis.disconnect()
    return
  }
  try {
    await redis.quit()
  } catch {
    redis.disconnect()
  }
}

/** Rejects when Redis does not answer PING (unreachable, or slower than COMMAND_TIMEOUT_MS). */
export async function pingRedis(redis: Redis): Promise<void> {
  const answer = await redis.ping()
  if (answer !== 'PONG') throw new Error(`redis answered PING with ${String(answer)}`)
}
