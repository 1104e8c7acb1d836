/** File storage: the storage contract, and how it keeps the bytes in the data directory. */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../server/src/config'
import { createFileStorage, type VideoStorage } from '../../server/src/storage'
import { describeStorageConformance, finishedUpload } from './storage-conformance'
import { tempDir } from './support'

function fileStorage(dataDir = tempDir('store')): VideoStorage {
  return createFileStorage(loadConfig(['--data', dataDir], {}))
}

describeStorageConformance('file', () => fileStorage())

describe('file storage on disk', () => {
  let dataDir: string
  let store: VideoStorage
  let bytes: Buffer

  beforeAll(() => {
    dataDir = tempDir('store')
    store = fileStorage(dataDir)
    bytes = crypto.randomBytes(100_000)
  })

  const finished = (): Promise<string> => finishedUpload(store, bytes)

  const upload = (id: string): string => path.join(dataDir, 'uploads', id)
  const video = (id: string): string => path.join(dataDir, 'videos', id)

  it('adopt hard-links the upload into videos/ (the same bytes, not a copy)', async () => {
    const id = await finished()
    await store.adopt(id)
    expect(fs.statSync(video(id)).ino).toBe(fs.statSync(upload(id)).ino)
    expect(fs.readFileSync(video(id)).equals(bytes)).toBe(true)
  })

  it('leftovers are the finished uploads tus still holds; release removes them', async () => {
    const id = await finished()
    await store.adopt(id)
    expect(await store.leftovers()).toContain(id)
    await store.release(id)
    expect(fs.existsSync(upload(id))).toBe(false)
    expect(fs.existsSync(`${upload(id)}.json`)).toBe(false)
    expect(fs.existsSync(video(id))).toBe(true)
    expect(await store.leftovers()).not.toContain(id)
  })

  it('the local copy of a video is its own file, left in place by cleanup', async () => {
    const id = await finished()
    await store.adopt(id)
    const copy = await store.localCopy(id)
    expect(copy.file).toBe(video(id))
    await copy.cleanup()
    expect(fs.existsSync(video(id))).toBe(true)
  })

  it('remove deletes the video, the upload and its sidecar', async () => {
    const id = await finished()
    await store.adopt(id)
    await store.remove(id)
    for (const file of [video(id), upload(id), `${upload(id)}.json`]) {
      expect(fs.existsSync(file), file).toBe(false)
    }
  })
})
