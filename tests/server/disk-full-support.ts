/**
 * A full disk for one data directory, injected where Node writes files, so no test fills a real
 * disk. While it is full, writes under the directory through `fs.createWriteStream` and
 * `fs.promises.writeFile` (what the file store, tus's metadata files and the space reserve use)
 * may store only what is left of `freeBytes`; then they fail as the kernel's write(2) does: what
 * fitted is written, the rest fails with ENOSPC. An empty file can still be made (it takes an
 * inode, no blocks). SQLite writes through its own C code and is not affected.
 */
import fs from 'node:fs'
import path from 'node:path'
import { Writable } from 'node:stream'

export interface FullDisk {
  /** Bytes written under the directory since the disk filled. */
  readonly written: number
  /** Space is back: writes go through again. */
  free(): void
}

function enospc(syscall = 'write'): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOSPC: no space left on device, ${syscall}`), {
    code: 'ENOSPC',
    errno: -28,
    syscall
  })
}

/** Fills the disk under `dir`, leaving `freeBytes`. Call free() before the test ends. */
export function fullDisk(dir: string, freeBytes = 0): FullDisk {
  const root = path.resolve(dir) + path.sep
  const realCreateWriteStream = fs.createWriteStream
  const realWriteFile = fs.promises.writeFile
  let left = freeBytes
  let written = 0
  let full = true
  const under = (file: unknown): boolean =>
    full && typeof file === 'string' && path.resolve(file).startsWith(root)
  /** Takes room for `want` bytes; returns how many fit. */
  const take = (want: number): number => {
    const fit = Math.min(want, left)
    left -= fit
    written += fit
    return fit
  }

  fs.createWriteStream = function (file: fs.PathLike, options?: unknown) {
    const inner = realCreateWriteStream(file, options as Parameters<typeof fs.createWriteStream>[1])
    if (!under(file)) return inner
    const limited = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        if (!full) {
          inner.write(chunk, callback)
          return
        }
        const fit = take(chunk.length)
        const after = (error?: Error | null): void =>
          callback(error ?? (fit < chunk.length ? enospc() : null))
        if (fit === 0) after()
        else inner.write(chunk.subarray(0, fit), after)
      },
      final(callback) {
        inner.end(callback)
      },
      destroy(error, callback) {
        inner.destroy()
        callback(error)
      }
    })
    return limited as unknown as fs.WriteStream
  } as typeof fs.createWriteStream

  fs.promises.writeFile = async function (file, data, options) {
    if (!under(file)) return realWriteFile(file, data, options)
    const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data as Uint8Array)
    const fit = take(bytes.length)
    await realWriteFile(file, bytes.subarray(0, fit), options)
    if (fit < bytes.length) throw enospc()
  } as typeof fs.promises.writeFile

  return {
    get written() {
      return written
    },
    free() {
      full = false
      fs.createWriteStream = realCreateWriteStream
      fs.promises.writeFile = realWriteFile
    }
  }
}
