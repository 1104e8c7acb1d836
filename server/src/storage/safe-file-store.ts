/**
 * tus's FileStore, made safe for a full disk:
 *
 * - A write that fails for lack of space fails with that error (ENOSPC, EDQUOT, EFBIG), so the
 *   client hears 507 and why (FileStore turns every write error into a bare 500). What was
 *   written before stays: the file holds a prefix of what was sent, and HEAD says how long.
 * - An upload's `.json` (its length and metadata) is written to a temporary file and renamed
 *   over the old one, so a write that fails half way — a full disk while a deferred length is
 *   declared — leaves the old `.json` whole instead of cut short, which would lose the upload.
 * - An unfinished upload expires a full expiry period after the last byte it received (the
 *   bytes file's modification time), not after its creation: an upload sent while recording
 *   (instant share) is fed for as long as the recording lasts, hours maybe, and must not expire
 *   while it is; one that nobody feeds any more still goes. tus reads `creation_date` for expiry
 *   (PATCH, HEAD, Upload-Expires), so that is what an unfinished upload reports.
 */
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { FileStore } from '@tus/file-store'
import { ERRORS, type KvStore, type Upload } from '@tus/server'
import { isOutOfSpace } from '../disk-space'

/** Upload metadata files, each replaced whole (write, then rename). */
class AtomicJsonStore implements KvStore<Upload> {
  constructor(private readonly directory: string) {}

  private file(key: string): string {
    const file = path.resolve(this.directory, `${key}.json`)
    if (path.dirname(file) !== path.resolve(this.directory)) throw ERRORS.FILE_NOT_FOUND
    return file
  }

  async get(key: string): Promise<Upload | undefined> {
    try {
      return JSON.parse(await fsp.readFile(this.file(key), 'utf8')) as Upload
    } catch {
      return undefined
    }
  }

  async set(key: string, value: Upload): Promise<void> {
    const file = this.file(key)
    const tmp = `${file}.tmp`
    try {
      await fsp.writeFile(tmp, JSON.stringify(value))
      await fsp.rename(tmp, file)
    } catch (error) {
      await fsp.rm(tmp, { force: true }).catch(() => {})
      throw error
    }
  }

  async delete(key: string): Promise<void> {
    await fsp.rm(this.file(key))
  }

  /** Upload ids with both their bytes and their `.json` (FileKvStore's rule). */
  async list(): Promise<string[]> {
    const names = new Set(await fsp.readdir(this.directory))
    return [...names].filter((name) => !name.includes('.') && names.has(`${name}.json`)).sort()
  }
}

export class SafeFileStore extends FileStore {
  constructor(options: { directory: string; expirationPeriodInMilliseconds: number }) {
    super({ ...options, configstore: new AtomicJsonStore(options.directory) })
  }

  override async getUpload(id: string): Promise<Upload> {
    const upload = await super.getUpload(id)
    if (upload.size !== undefined && upload.offset === upload.size) return upload
    const path = upload.storage?.path
    const written = path
      ? await fsp.stat(path).then(
          (s) => s.mtimeMs,
          () => 0
        )
      : 0
    const created = upload.creation_date ? Date.parse(upload.creation_date) : 0
    if (written > created) upload.creation_date = new Date(written).toISOString()
    return upload
  }

  /** FileStore's cleanup, with expiry counted from the last byte received (getUpload). */
  override async deleteExpired(): Promise<number> {
    const expiry = this.getExpiration()
    if (expiry <= 0) return 0
    const now = Date.now()
    let deleted = 0
    for (const id of await (this.configstore.list?.() ?? Promise.resolve([]))) {
      let upload: Upload
      try {
        upload = await this.getUpload(id)
      } catch {
        continue // gone meanwhile, or its bytes are: not an expiry matter
      }
      if (upload.size !== undefined && upload.offset === upload.size) continue
      if (!upload.creation_date || now <= Date.parse(upload.creation_date) + expiry) continue
      await this.remove(id)
      deleted++
    }
    return deleted
  }

  override async write(readable: Readable, id: string, offset: number): Promise<number> {
    const file = path.resolve(this.directory, id)
    if (path.dirname(file) !== path.resolve(this.directory)) throw ERRORS.FILE_NOT_FOUND
    let received = 0
    const count = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length
        callback(null, chunk)
      }
    })
    try {
      await pipeline(readable, count, fs.createWriteStream(file, { flags: 'r+', start: offset }))
    } catch (error) {
      if (isOutOfSpace(error)) throw error
      throw ERRORS.FILE_WRITE_ERROR
    }
    return offset + received
  }
}
