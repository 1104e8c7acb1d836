/**
 * When the disk is full. Out-of-space errors, however they arrive (Node's ENOSPC, a quota's
 * EDQUOT, a file-size limit's EFBIG, SQLite's SQLITE_FULL), are recognised here, and answered
 * 507 with OUT_OF_SPACE_MESSAGE (unavailable.ts).
 *
 * A full disk must not stop an owner from freeing space, yet SQLite needs a little room to commit
 * even a delete (its WAL grows first). So the library keeps a small reserve file in its data
 * directory. The first out-of-space error releases it: the database can then still commit deletes
 * and bookkeeping, and uploads are refused (507, before any byte is read) until the reserve can be
 * made again — when the disk has room for twice its size.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'

export const OUT_OF_SPACE_MESSAGE =
  'The library is out of disk space. Ask the person who runs it to free some space; deleting videos still works.'

const OUT_OF_SPACE_CODES = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'SQLITE_FULL'])

/** Whether `error` (or an error it wraps, as `cause`) says the disk is full. */
export function isOutOfSpace(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && OUT_OF_SPACE_CODES.has(code)) return true
    e = (e as { cause?: unknown }).cause
  }
  return false
}

/**
 * The reserve's name in the data directory. Several instances sharing one data folder share one
 * reserve: the space it keeps is the folder's disk's, not an instance's (one each would reserve N
 * times as much, and a gone instance's would stay). Whichever instance meets the full disk first
 * removes it; the others find out at their own first out-of-space error (their release() then
 * removes nothing), and the first to find room again makes it anew for all.
 */
export const SPACE_RESERVE_FILE = 'space-reserve'
/** Its size: far more than SQLite needs to commit deletes and an upload's bookkeeping. */
export const SPACE_RESERVE_BYTES = 8 * 1024 * 1024

/** Incompressible bytes (a compressing filesystem would store zeros in no space at all). */
function reserveContent(bytes: number): Buffer {
  const block = crypto.randomBytes(Math.min(bytes, 1024 * 1024))
  const out = Buffer.alloc(bytes)
  for (let at = 0; at < bytes; at += block.length) block.copy(out, at)
  return out
}

export class SpaceReserve {
  readonly file: string
  private inPlace = false
  /** Released since it was last made (for the log line when space is back). */
  private released = false
  private making: Promise<boolean> | null = null

  constructor(
    dataDir: string,
    private readonly log: (message: string) => void,
    readonly bytes = SPACE_RESERVE_BYTES
  ) {
    this.file = path.join(dataDir, SPACE_RESERVE_FILE)
  }

  /** Whether the reserve is in place, making it first if it is not and the disk has room. */
  ready(): Promise<boolean> {
    if (this.inPlace) return Promise.resolve(true)
    this.making ??= this.make().finally(() => {
      this.making = null
    })
    return this.making
  }

  /**
   * The disk is full: the reserve goes, so the database has room to commit deletes. Uploads wait
   * (ready() is false) until it can be made again.
   */
  release(): void {
    if (!this.inPlace) return
    this.inPlace = false
    this.released = true
    try {
      fs.rmSync(this.file, { force: true })
      this.log(
        `out of disk space: released the ${this.bytes / 1024 / 1024} MiB reserve (${this.file}) so deletes can still be saved; uploads are refused until there is room again`
      )
    } catch (error) {
      this.log(
        `out of disk space, and the reserve ${this.file} could not be removed: ${String(error)}`
      )
    }
  }

  private async make(): Promise<boolean> {
    const existing = await fsp.stat(this.file).catch(() => null)
    if (existing?.size === this.bytes) {
      this.inPlace = true
      return true
    }
    try {
      const { bavail, bsize } = await fsp.statfs(path.dirname(this.file))
      if (bavail * bsize < 2 * this.bytes) return false
    } catch (error) {
      this.log(`the free space of ${path.dirname(this.file)} cannot be read: ${String(error)}`)
      return false
    }
    // Its own temporary name: two instances making the shared reserve at once must not write
    // into one file (the second rename would fail and leave that instance refusing uploads).
    const tmp = `${this.file}.${process.pid}-${crypto.randomBytes(4).toString('hex')}.tmp`
    try {
      await fsp.writeFile(tmp, reserveContent(this.bytes))
      await fsp.rename(tmp, this.file)
    } catch (error) {
      await fsp.rm(tmp, { force: true }).catch(() => {})
      if (!isOutOfSpace(error)) this.log(`the space reserve could not be made: ${String(error)}`)
      return false
    }
    this.inPlace = true
    if (this.released) this.log('there is disk space again: the reserve is back, uploads resume')
    this.released = false
    return true
  }
}
