/** S3 storage against s3rver: the storage contract, and where the bytes are in the bucket. */
import crypto from 'node:crypto'
import fs from 'node:fs'
import { S3 } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig, type S3Config } from '../../server/src/config'
import { createS3Storage, s3ClientConfig, type VideoStorage } from '../../server/src/storage'
import { startFakeS3, type FakeS3 } from './fake-s3'
import { describeStorageConformance, finishedUpload } from './storage-conformance'
import { tempDir } from './support'

let fake: FakeS3

beforeAll(async () => {
  fake = await startFakeS3()
})

afterAll(async () => {
  await fake?.close()
})

function s3Storage(): { store: VideoStorage; s3: S3Config } {
  const config = loadConfig(['--data', tempDir('store')], fake.env)
  const s3 = config.s3!
  return { store: createS3Storage(config, s3), s3 }
}

describeStorageConformance('S3 (s3rver)', () => s3Storage().store)

describe('S3 storage in the bucket', () => {
  let store: VideoStorage
  let client: S3
  let bucket: string
  let bytes: Buffer

  beforeAll(() => {
    const made = s3Storage()
    store = made.store
    client = new S3(s3ClientConfig(made.s3))
    bucket = made.s3.bucket
    bytes = crypto.randomBytes(100_000)
  })

  const finished = (): Promise<string> => finishedUpload(store, bytes)

  it('the completed object, at key <uploadId>, is the video: adopt moves nothing', async () => {
    const id = await finished()
    await store.adopt(id)
    await store.release(id)
    const head = await client.headObject({ Bucket: bucket, Key: id })
    expect(head.ContentLength).toBe(bytes.length)
    expect(await store.leftovers()).toEqual([])
  })

  it('the local copy is a temporary download that cleanup deletes', async () => {
    const id = await finished()
    const copy = await store.localCopy(id)
    expect(fs.readFileSync(copy.file).equals(bytes)).toBe(true)
    await copy.cleanup()
    expect(fs.existsSync(copy.file)).toBe(false)
  })

  it('remove deletes the object and its .info', async () => {
    const id = await finished()
    await store.remove(id)
    for (const key of [id, `${id}.info`]) {
      await expect(client.headObject({ Bucket: bucket, Key: key }), key).rejects.toThrow()
    }
  })
})
