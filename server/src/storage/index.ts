/**
 * Where video bytes live. File storage: tus writes to `<data>/uploads/<uploadId>` (with its
 * `.json` sidecar); a finished, verified upload is renamed — bytes untouched — to
 * `<data>/videos/<uploadId>`. S3 storage: tus's S3Store writes a multipart upload; the finished
 * object stays at key `<uploadId>` and is served from there with ranged GETs.
 * Storage keys are always tus upload ids (random hex), never anything a user typed.
 */
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { S3, type S3ClientConfig } from '@aws-sdk/client-s3'
import type { DataStore, KvStore } from '@tus/server'
import type { MetadataValue } from '@tus/s3-store'
import type { S3Config, ServerConfig } from '../config'
import type { StorageKind } from '../db/types'
import { SafeFileStore } from './safe-file-store'
import { SlidingS3Store } from './sliding-s3-store'

/** tus upload ids made by this server: 32 lowercase hex characters. */
export const UPLOAD_ID = /^[0-9a-f]{32}$/

export interface OpenedFile {
  size: number
  stream(range?: { start: number; end: number }): NodeJS.ReadableStream
}

export type Completeness = 'complete' | 'partial' | 'missing'

export interface VideoStorage {
  kind: StorageKind
  datastore: DataStore
  /** Whether all declared bytes of the upload are stored. */
  completeness(uploadId: string): Promise<Completeness>
  /**
   * Where an unfinished upload's bytes grow on this machine, so they can be followed as they
   * arrive (file storage); absent when they are elsewhere (S3).
   */
  growingFile?(uploadId: string): string
  /** A local file with the upload's bytes, for ffprobe/ffmpeg; call cleanup when done. */
  localCopy(uploadId: string): Promise<{ file: string; cleanup(): Promise<void> }>
  /** Makes a finished upload the video's permanent storage. Idempotent. */
  adopt(uploadId: string): Promise<void>
  /**
   * Makes `file` (a local file under `tmpDir`, e.g. the seekable copy of a live upload) the
   * video's permanent storage in place of the uploaded bytes; `file` is moved or removed. The
   * uploaded bytes stay where tus keeps them until release(). Idempotent once done.
   */
  adoptFile(uploadId: string, file: string): Promise<void>
  /** A folder for work files, on the same disk as the videos (file storage: a rename is cheap). */
  tmpDir: string
  /** After adopt: drops tus's own record of the finished upload (file storage). Idempotent. */
  release(uploadId: string): Promise<void>
  /** Upload ids tus still holds records for (file storage), to release finished ones. */
  leftovers(): Promise<string[]>
  open(uploadId: string): Promise<OpenedFile>
  /** Deletes the bytes wherever they are (unfinished upload or adopted video). */
  remove(uploadId: string): Promise<void>
}

function assertId(id: string): void {
  if (!UPLOAD_ID.test(id)) throw new Error(`not an upload id: ${JSON.stringify(id)}`)
}

async function exists(file: string): Promise<boolean> {
  try {
    await fsp.access(file)
    return true
  } catch {
    return false
  }
}

/** Whether the tus store holds all of an upload's bytes, some, or none (no such upload). */
async function uploadCompleteness(datastore: DataStore, id: string): Promise<Completeness> {
  try {
    const upload = await datastore.getUpload(id)
    return upload.size !== undefined && upload.offset === upload.size ? 'complete' : 'partial'
  } catch {
    return 'missing'
  }
}

export function createFileStorage(config: ServerConfig): VideoStorage {
  const uploadsDir = path.join(config.dataDir, 'uploads')
  const videosDir = path.join(config.dataDir, 'videos')
  fs.mkdirSync(uploadsDir, { recursive: true })
  fs.mkdirSync(videosDir, { recursive: true })
  const datastore = new SafeFileStore({
    directory: uploadsDir,
    expirationPeriodInMilliseconds: config.uploadExpiryMs
  })
  const tmpDir = path.join(config.dataDir, 'tmp')
  fs.mkdirSync(tmpDir, { recursive: true })
  const videoPath = (id: string): string => {
    assertId(id)
    return path.join(videosDir, id)
  }
  const uploadPath = (id: string): string => {
    assertId(id)
    return path.join(uploadsDir, id)
  }

  return {
    kind: 'file',
    datastore,
    tmpDir,
    async completeness(id) {
      if (await exists(videoPath(id))) return 'complete'
      return uploadCompleteness(datastore, id)
    },
    growingFile: (id) => uploadPath(id),
    async localCopy(id) {
      const adopted = videoPath(id)
      const file = (await exists(adopted)) ? adopted : uploadPath(id)
      return { file, cleanup: async () => {} }
    },
    async adopt(id) {
      const target = videoPath(id)
      if (await exists(target)) return
      // A hard link: the same bytes under a second name. tus still answers for the upload until
      // release() (it reads the upload back while finishing the request).
      const tmp = `${target}.tmp`
      await fsp.rm(tmp, { force: true })
      try {
        await fsp.link(uploadPath(id), tmp)
      } catch {
        await fsp.copyFile(uploadPath(id), tmp)
      }
      await fsp.rename(tmp, target)
    },
    async adoptFile(id, file) {
      await fsp.rename(file, videoPath(id))
    },
    async release(id) {
      if (!(await exists(videoPath(id)))) return
      await fsp.rm(uploadPath(id), { force: true })
      await fsp.rm(`${uploadPath(id)}.json`, { force: true })
    },
    async leftovers() {
      const names = await fsp.readdir(uploadsDir).catch(() => [] as string[])
      return names
        .filter((n) => n.endsWith('.json'))
        .map((n) => n.slice(0, -5))
        .filter((n) => UPLOAD_ID.test(n))
    },
    async open(id) {
      const file = videoPath(id)
      const stat = await fsp.stat(file)
      return {
        size: stat.size,
        stream: (range) =>
          fs.createReadStream(file, range ? { start: range.start, end: range.end } : {})
      }
    },
    async remove(id) {
      await fsp.rm(videoPath(id), { force: true })
      await fsp.rm(uploadPath(id), { force: true })
      await fsp.rm(`${uploadPath(id)}.json`, { force: true })
    }
  }
}

export function s3ClientConfig(s3: S3Config): S3ClientConfig {
  return {
    region: s3.region,
    // Only send/verify checksums where S3 requires them: the SDK's default streams uploads with
    // aws-chunked trailing checksums, which many S3-compatible stores do not understand.
    ...(s3.endpoint
      ? {
          requestChecksumCalculation: 'WHEN_REQUIRED' as const,
          responseChecksumValidation: 'WHEN_REQUIRED' as const
        }
      : {}),
    ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
    forcePathStyle: s3.forcePathStyle,
    ...(s3.accessKeyId && s3.secretAccessKey
      ? { credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } }
      : {})
  }
}

export interface StorageOptions {
  /**
   * S3 storage: where S3Store caches each upload's `.info` — shared by the instances in Redis
   * (cluster/shared-state.ts); absent, each process caches in its own memory. File storage
   * takes none: its `.json` records are the upload state itself, in the shared data folder.
   */
  uploadCache?: KvStore<MetadataValue> | null
}

export function createS3Storage(
  config: ServerConfig,
  s3: S3Config,
  options: StorageOptions = {}
): VideoStorage {
  const clientConfig = s3ClientConfig(s3)
  // Expiry counted from the last byte received, not the creation (sliding-s3-store.ts).
  const datastore = new SlidingS3Store({
    partSize: s3.partSize,
    // Expiration tags need bucket lifecycle rules; expiry runs through deleteExpired instead.
    useTags: false,
    expirationPeriodInMilliseconds: config.uploadExpiryMs,
    s3ClientConfig: { bucket: s3.bucket, ...clientConfig },
    ...(options.uploadCache ? { cache: options.uploadCache } : {})
  })
  const client = new S3(clientConfig)
  const tmpDir = path.join(config.dataDir, 'tmp')
  fs.mkdirSync(tmpDir, { recursive: true })

  /**
   * Stores a local file at `key`: one PUT up to a part's size, else a multipart upload in parts
   * of `s3.partSize` (or larger, to stay within S3's 10,000 parts), read from the file in turn.
   */
  async function putFile(key: string, file: string): Promise<void> {
    const { size } = await fsp.stat(file)
    if (size <= s3.partSize) {
      await client.putObject({
        Bucket: s3.bucket,
        Key: key,
        Body: fs.createReadStream(file),
        ContentLength: size
      })
      return
    }
    const partSize = Math.max(s3.partSize, Math.ceil(size / 10_000))
    const { UploadId } = await client.createMultipartUpload({ Bucket: s3.bucket, Key: key })
    try {
      const parts: { ETag: string | undefined; PartNumber: number }[] = []
      for (let start = 0, n = 1; start < size; start += partSize, n++) {
        const end = Math.min(size, start + partSize) - 1
        const part = await client.uploadPart({
          Bucket: s3.bucket,
          Key: key,
          UploadId,
          PartNumber: n,
          Body: fs.createReadStream(file, { start, end }),
          ContentLength: end - start + 1
        })
        parts.push({ ETag: part.ETag, PartNumber: n })
      }
      await client.completeMultipartUpload({
        Bucket: s3.bucket,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: parts }
      })
    } catch (error) {
      await client.abortMultipartUpload({ Bucket: s3.bucket, Key: key, UploadId }).catch(() => {})
      throw error
    }
  }

  return {
    kind: 's3',
    datastore,
    tmpDir,
    async completeness(id) {
      assertId(id)
      return uploadCompleteness(datastore, id)
    },
    async localCopy(id) {
      assertId(id)
      const dir = await fsp.mkdtemp(path.join(tmpDir || os.tmpdir(), 'probe-'))
      const file = path.join(dir, 'video')
      const object = await client.getObject({ Bucket: s3.bucket, Key: id })
      await pipeline(object.Body as Readable, fs.createWriteStream(file))
      return { file, cleanup: () => fsp.rm(dir, { recursive: true, force: true }) }
    },
    async adopt(id) {
      assertId(id) // the completed object stays where S3Store put it
    },
    async adoptFile(id, file) {
      assertId(id)
      // The finished file takes the object's place under the same key (what open() serves).
      try {
        await putFile(id, file)
      } finally {
        await fsp.rm(file, { force: true })
      }
    },
    async release(id) {
      assertId(id) // nothing to tidy: the object is the video
    },
    async leftovers() {
      return []
    },
    async open(id) {
      assertId(id)
      const head = await client.headObject({ Bucket: s3.bucket, Key: id })
      return {
        size: Number(head.ContentLength ?? 0),
        stream(range) {
          const out = new PassThrough()
          client
            .getObject({
              Bucket: s3.bucket,
              Key: id,
              ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {})
            })
            .then((object) => {
              const body = object.Body as Readable
              body.on('error', (err) => out.destroy(err))
              body.pipe(out)
            })
            .catch((err: Error) => out.destroy(err))
          return out
        }
      }
    },
    async remove(id) {
      assertId(id)
      try {
        await datastore.remove(id) // aborts the multipart upload if unfinished
      } catch {
        // A completed upload has no multipart upload left to abort: delete the objects.
        await client.deleteObjects({
          Bucket: s3.bucket,
          Delete: { Objects: [{ Key: id }, { Key: `${id}.info` }, { Key: `${id}.part` }] }
        })
        // S3Store caches upload info in memory; forget it so the upload reads as gone.
        await (datastore as unknown as { clearCache(id: string): Promise<void> }).clearCache(id)
      }
    }
  }
}

export function createStorage(config: ServerConfig, options: StorageOptions = {}): VideoStorage {
  return config.s3 ? createS3Storage(config, config.s3, options) : createFileStorage(config)
}
