/**
 * tus's S3Store with expiry counted from the last byte an unfinished upload received, as on file
 * storage (safe-file-store.ts): an upload sent while recording (instant share) is fed for as long
 * as the recording lasts and must not expire while it is; one nobody feeds any more still goes.
 *
 * S3Store counts from the creation (the `.info` object, and the multipart upload's `Initiated`
 * for the cleanup). Here the last write is remembered in memory, and read from the newest part's
 * LastModified after a restart or when the upload nears its expiry (another instance may have
 * written since), so tus's expiry checks (PATCH, HEAD, Upload-Expires) and the cleanup both see
 * the upload's last activity.
 */
import type { Readable } from 'node:stream'
import { S3Store } from '@tus/s3-store'
import type { Upload } from '@tus/server'

export type SlidingS3StoreOptions = ConstructorParameters<typeof S3Store>[0] & {
  /** The clock the expiry is counted by (ms); Date.now by default (tests move it). */
  now?: () => number
}

export class SlidingS3Store extends S3Store {
  /** Upload id → when it last received bytes (ms), for uploads written since the start. */
  private readonly lastWrite = new Map<string, number>()
  private readonly now: () => number

  constructor(options: SlidingS3StoreOptions) {
    const { now, ...s3 } = options
    super(s3)
    this.now = now ?? Date.now
  }

  override async write(src: Readable, id: string, offset: number): Promise<number> {
    try {
      return await super.write(src, id, offset)
    } finally {
      this.lastWrite.set(id, this.now())
    }
  }

  /**
   * When the upload last received bytes, or 0 when that is not known. This instance's memory
   * decides alone only while the upload is far from expiring: several instances share the bucket,
   * and another one may have written since. Nearer its expiry, the part list is asked too.
   */
  private async lastActivity(id: string): Promise<number> {
    const known = this.lastWrite.get(id) ?? 0
    const expiry = this.getExpiration()
    if (known > 0 && (expiry <= 0 || this.now() - known < expiry / 2)) return known
    return Math.max(known, await this.partsActivity(id))
  }

  /** The newest part's LastModified (ms), 0 without parts or on an error. */
  private async partsActivity(id: string): Promise<number> {
    try {
      const parts = await this.retrieveParts(id)
      return Math.max(0, ...parts.map((p) => p.LastModified?.getTime() ?? 0))
    } catch {
      return 0
    }
  }

  override async getUpload(id: string): Promise<Upload> {
    const upload = await super.getUpload(id)
    if (upload.size !== undefined && upload.offset === upload.size) {
      this.lastWrite.delete(id)
      return upload
    }
    const written = await this.lastActivity(id)
    const created = upload.creation_date ? Date.parse(upload.creation_date) : 0
    if (written > created) upload.creation_date = new Date(written).toISOString()
    return upload
  }

  /**
   * S3Store changes the length in its cached `.info` object in place, which reaches only a cache
   * in this process's memory: the entry is dropped, so the next read (this instance or another
   * sharing the cache in Redis) reads the new `.info` from S3.
   */
  override async declareUploadLength(id: string, length: number): Promise<void> {
    await super.declareUploadLength(id, length)
    await this.clearCache(id)
  }

  override async remove(id: string): Promise<void> {
    this.lastWrite.delete(id)
    await super.remove(id)
  }

  /** S3Store's cleanup, counting from the last write instead of the multipart upload's start. */
  override async deleteExpired(): Promise<number> {
    const expiry = this.getExpiration()
    if (expiry <= 0) return 0
    let deleted = 0
    let keyMarker: string | undefined
    let uploadIdMarker: string | undefined
    for (;;) {
      const list = await this.client.listMultipartUploads({
        Bucket: this.bucket,
        KeyMarker: keyMarker,
        UploadIdMarker: uploadIdMarker
      })
      for (const upload of list.Uploads ?? []) {
        const key = upload.Key
        if (!key || !upload.UploadId) continue
        const initiated = upload.Initiated?.getTime() ?? 0
        const last = Math.max(initiated, this.lastWrite.get(key) ?? 0)
        if (this.now() <= last + expiry) continue
        // Written since? (the part list knows, also after a restart)
        if (this.now() <= (await this.lastActivity(key)) + expiry) continue
        await this.client.abortMultipartUpload({
          Bucket: this.bucket,
          Key: key,
          UploadId: upload.UploadId
        })
        await this.client.deleteObjects({
          Bucket: this.bucket,
          Delete: { Objects: [{ Key: this.infoKey(key) }, { Key: this.partKey(key, true) }] }
        })
        await this.clearCache(key)
        this.lastWrite.delete(key)
        deleted++
      }
      if (!list.IsTruncated) break
      keyMarker = list.NextKeyMarker
      uploadIdMarker = list.NextUploadIdMarker
    }
    return deleted
  }
}
