/**
 * What every video storage (server/src/storage/index.ts) promises, as one suite that each store
 * runs (the way tus-node-server tests its stores): bytes written through the store's tus
 * datastore, in pieces or with a length declared late, are "partial" until the last byte and
 * "complete" after it; a local copy holds them; adopt and release keep them readable, twice
 * over; `open` reads them whole or in inclusive ranges; `remove` deletes an upload or a video;
 * an id that was never written is "missing"; anything but an upload id is refused.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import { Readable } from 'node:stream'
import { Upload } from '@tus/server'
import { beforeAll, describe, expect, it } from 'vitest'
import { UPLOAD_ID, type VideoStorage } from '../../server/src/storage'

/** Larger than S3's 5 MiB part, so a range can span two parts. */
const LARGE = 5 * 1024 * 1024 + 512 * 1024
const SMALL = 64 * 1024

function uploadId(): string {
  return crypto.randomBytes(16).toString('hex')
}

/** Creates an upload of `size` bytes (undefined: length deferred) in the store's tus datastore. */
export async function newUpload(store: VideoStorage, size: number | undefined): Promise<string> {
  const id = uploadId()
  await store.datastore.create(new Upload({ id, size, offset: 0, metadata: {} }))
  return id
}

/** Writes `bytes` at `offset` through the store's tus datastore. */
export async function writePiece(
  store: VideoStorage,
  id: string,
  offset: number,
  bytes: Buffer
): Promise<void> {
  const written = await store.datastore.write(Readable.from([bytes]), id, offset)
  expect(written).toBe(offset + bytes.length)
}

/** A finished upload of `bytes`, written in two pieces split at `split`. */
export async function finishedUpload(
  store: VideoStorage,
  bytes: Buffer,
  split = Math.floor(bytes.length / 3)
): Promise<string> {
  const id = await newUpload(store, bytes.length)
  await writePiece(store, id, 0, bytes.subarray(0, split))
  await writePiece(store, id, split, bytes.subarray(split))
  return id
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

export function describeStorageConformance(
  name: string,
  makeStore: () => VideoStorage | Promise<VideoStorage>
): void {
  describe(`video storage contract: ${name}`, () => {
    let store: VideoStorage
    let large: Buffer

    beforeAll(async () => {
      store = await makeStore()
      large = crypto.randomBytes(LARGE)
    })

    const create = (size: number | undefined): Promise<string> => newUpload(store, size)
    const write = (id: string, offset: number, bytes: Buffer): Promise<void> =>
      writePiece(store, id, offset, bytes)
    const finished = (bytes: Buffer): Promise<string> => finishedUpload(store, bytes)

    /** A finished upload made the video's storage, as the upload processor does. */
    async function adopted(bytes: Buffer): Promise<string> {
      const id = await finished(bytes)
      await store.adopt(id)
      await store.release(id)
      return id
    }

    it('an upload is partial until its last byte is written, then complete', async () => {
      const bytes = crypto.randomBytes(SMALL)
      const id = await create(bytes.length)
      expect(await store.completeness(id)).toBe('partial')
      await write(id, 0, bytes.subarray(0, 1000))
      expect(await store.completeness(id)).toBe('partial')
      expect((await store.datastore.getUpload(id)).offset).toBe(1000)
      await write(id, 1000, bytes.subarray(1000))
      expect(await store.completeness(id)).toBe('complete')
    })

    it('an upload of deferred length is partial until the length is declared and reached', async () => {
      const bytes = crypto.randomBytes(SMALL)
      const id = await create(undefined)
      await write(id, 0, bytes.subarray(0, 5000))
      expect(await store.completeness(id)).toBe('partial')
      await store.datastore.declareUploadLength(id, bytes.length)
      expect(await store.completeness(id)).toBe('partial')
      await write(id, 5000, bytes.subarray(5000))
      expect(await store.completeness(id)).toBe('complete')
      await store.adopt(id)
      const file = await store.open(id)
      expect(file.size).toBe(bytes.length)
      expect((await readAll(file.stream())).equals(bytes)).toBe(true)
    })

    it('a local copy holds the bytes of a finished upload, before and after adopt', async () => {
      const bytes = crypto.randomBytes(SMALL)
      const id = await finished(bytes)
      let copy = await store.localCopy(id)
      expect(fs.readFileSync(copy.file).equals(bytes)).toBe(true)
      await copy.cleanup()
      await store.adopt(id)
      await store.release(id)
      copy = await store.localCopy(id)
      expect(fs.readFileSync(copy.file).equals(bytes)).toBe(true)
      await copy.cleanup()
    })

    it('adopt and release keep the bytes, complete and readable, and may run twice', async () => {
      const bytes = crypto.randomBytes(SMALL)
      const id = await finished(bytes)
      // release before adopt leaves the upload to tus
      await store.release(id)
      expect(await store.completeness(id)).toBe('complete')
      await store.adopt(id)
      await store.adopt(id)
      expect(await store.completeness(id)).toBe('complete')
      await store.release(id)
      await store.release(id)
      expect(await store.completeness(id)).toBe('complete')
      const file = await store.open(id)
      expect(file.size).toBe(bytes.length)
      expect((await readAll(file.stream())).equals(bytes)).toBe(true)
      expect(await store.leftovers()).not.toContain(id)
    })

    it('open reads the whole video and inclusive byte ranges, across parts', async () => {
      const id = await create(large.length)
      const a = 3 * 1024 * 1024
      await write(id, 0, large.subarray(0, a))
      expect(await store.completeness(id)).toBe('partial')
      await write(id, a, large.subarray(a))
      await store.adopt(id)
      await store.release(id)
      const file = await store.open(id)
      expect(file.size).toBe(large.length)
      expect((await readAll(file.stream())).equals(large)).toBe(true)
      const ranges: [number, number][] = [
        [0, 0],
        [100, 5_300_000], // across the 5 MiB part boundary
        [a - 1, a], // across the two writes
        [large.length - 1, large.length - 1],
        [0, large.length - 1]
      ]
      for (const [start, end] of ranges) {
        const got = await readAll(file.stream({ start, end }))
        expect(got.length, `${start}-${end}`).toBe(end - start + 1)
        expect(got.equals(large.subarray(start, end + 1)), `${start}-${end}`).toBe(true)
      }
    })

    it('remove deletes a video: it is missing and cannot be opened; removing again is fine', async () => {
      const id = await adopted(crypto.randomBytes(SMALL))
      await store.remove(id)
      expect(await store.completeness(id)).toBe('missing')
      await expect(store.open(id)).rejects.toThrow()
      await store.remove(id)
    })

    it('remove deletes an unfinished upload', async () => {
      const bytes = crypto.randomBytes(SMALL)
      const id = await create(bytes.length)
      await write(id, 0, bytes.subarray(0, 1000))
      await store.remove(id)
      expect(await store.completeness(id)).toBe('missing')
      await expect(store.datastore.getUpload(id)).rejects.toBeTruthy()
    })

    it('an id never written is missing and cannot be opened; removing it is fine', async () => {
      const id = uploadId()
      expect(await store.completeness(id)).toBe('missing')
      await expect(store.open(id)).rejects.toThrow()
      await store.remove(id)
      expect(await store.completeness(id)).toBe('missing')
    })

    it('leftovers are upload ids only', async () => {
      await finished(crypto.randomBytes(SMALL))
      for (const id of await store.leftovers()) expect(id).toMatch(UPLOAD_ID)
    })

    it('refuses anything but an upload id, before touching storage', async () => {
      const bad = [
        '../x',
        '',
        'ABCDEF0123456789ABCDEF0123456789',
        `${uploadId()}.json`,
        'g'.repeat(32)
      ]
      for (const id of bad) {
        await expect(store.completeness(id), id).rejects.toThrow(/not an upload id/)
        await expect(store.localCopy(id), id).rejects.toThrow(/not an upload id/)
        await expect(store.adopt(id), id).rejects.toThrow(/not an upload id/)
        await expect(store.release(id), id).rejects.toThrow(/not an upload id/)
        await expect(store.open(id), id).rejects.toThrow(/not an upload id/)
        await expect(store.remove(id), id).rejects.toThrow(/not an upload id/)
      }
    })
  })
}
