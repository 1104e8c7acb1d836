/**
 * The upload-state cache shared in Redis (cluster/shared-state.ts) as S3Store's cache: two S3
 * storages on one bucket, each with its own Redis connection, stand for two instances. What one
 * changes (a length declared late, as a live upload does; a removal) the other sees at once,
 * where per-process caches would each keep their stale copy. Against s3rver and a real Redis
 * from SIDECAST_TEST_REDIS_URL (skipped with the reason when unset).
 */
import crypto from 'node:crypto'
import { Upload } from '@tus/server'
import type { MetadataValue } from '@tus/s3-store'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RedisKvStore, UPLOAD_CACHE_TTL_MS } from '../../server/src/cluster/shared-state'
import { loadConfig } from '../../server/src/config'
import { createS3Storage, type VideoStorage } from '../../server/src/storage'
import { startFakeS3, type FakeS3 } from './fake-s3'
import { tempDir } from './support'

const REDIS_URL = process.env.SIDECAST_TEST_REDIS_URL

describe.skipIf(!REDIS_URL)(
  REDIS_URL ? 'S3 upload state shared in Redis' : 'skipped: SIDECAST_TEST_REDIS_URL is not set',
  () => {
    let fake: FakeS3
    const prefix = `test-h5-${crypto.randomBytes(6).toString('hex')}:upload:`
    const connections: Redis[] = []

    function instance(): VideoStorage {
      const redis = new Redis(REDIS_URL ?? '')
      connections.push(redis)
      const config = loadConfig(['--data', tempDir('cache')], fake.env)
      return createS3Storage(config, config.s3!, {
        uploadCache: new RedisKvStore<MetadataValue>(redis, prefix, UPLOAD_CACHE_TTL_MS)
      })
    }

    beforeAll(async () => {
      fake = await startFakeS3()
    })

    afterAll(async () => {
      const admin = connections[0]
      if (admin) {
        const keys = await admin.keys(`${prefix}*`)
        if (keys.length > 0) await admin.del(...keys)
      }
      for (const redis of connections) redis.disconnect()
      await fake?.close()
    })

    it('a length declared through A is seen through B, which had read the upload before', async () => {
      const a = instance()
      const b = instance()
      const id = crypto.randomBytes(16).toString('hex')
      await a.datastore.create(new Upload({ id, size: undefined, offset: 0, metadata: {} }))
      expect((await b.datastore.getUpload(id)).size).toBeUndefined() // B has it cached now
      expect(await connections[1]!.exists(`${prefix}${id}`)).toBe(1)
      await a.datastore.declareUploadLength(id, 10)
      expect((await b.datastore.getUpload(id)).size).toBe(10)
      expect((await a.datastore.getUpload(id)).size).toBe(10)
    })

    it('an upload removed through A is gone through B', async () => {
      const a = instance()
      const b = instance()
      const id = crypto.randomBytes(16).toString('hex')
      await a.datastore.create(new Upload({ id, size: 10, offset: 0, metadata: {} }))
      expect((await b.datastore.getUpload(id)).offset).toBe(0)
      await a.remove(id)
      await expect(b.datastore.getUpload(id)).rejects.toBeDefined()
      expect(await connections[0]!.exists(`${prefix}${id}`)).toBe(0)
    })
  }
)
