/**
 * Reads a file that is still being written — the raw bytes of an upload fed while recording —
 * from byte 0 as it grows, for a stream copy that keeps up with the upload (live-followers.ts).
 * The server's own small version of the app's idea (src/main/share/growing-file.ts): the writer
 * here is tus, in this process, so a PATCH wakes the reader at once and a slow poll is only the
 * safety net.
 *
 * It never slows the writer: it only reads, and when its consumer lags it simply stops reading
 * (backpressure) and catches up later from the file. It ends once told the final length and every
 * byte up to it was handed on; it fails when the file goes (the upload was terminated or expired)
 * or stops growing for `idleLimitMs`.
 */
import fsp from 'node:fs/promises'
import { Readable } from 'node:stream'

export interface FollowOptions {
  /** How often to look for new bytes when nobody said there are some. */
  pollMs: number
  /** Fail when the file has not grown for this long (an upload nobody feeds any more). */
  idleLimitMs: number
  /** Bytes read at a time. */
  chunkBytes?: number
}

export interface FollowedFile {
  /** The file's bytes, in order, from byte 0. */
  stream: Readable
  /** More bytes may be there: look now rather than at the next poll. */
  wake(): void
  /** The file's final length is known: read up to it, then end. */
  end(length: number): void
  /** Bytes handed on so far. */
  position(): number
}

export function followFile(file: string, options: FollowOptions): FollowedFile {
  const chunkBytes = options.chunkBytes ?? 1024 * 1024
  let handle: fsp.FileHandle | null = null
  let position = 0
  let length: number | null = null
  let pumping = false
  let lastGrowth = Date.now()
  let waiter: (() => void) | null = null
  let timer: NodeJS.Timeout | undefined

  const wake = (): void => {
    clearTimeout(timer)
    const resolve = waiter
    waiter = null
    resolve?.()
  }
  const pause = (): Promise<void> =>
    new Promise((resolve) => {
      waiter = resolve
      timer = setTimeout(wake, options.pollMs)
    })

  async function pump(): Promise<void> {
    if (pumping) return
    pumping = true
    try {
      handle ??= await fsp.open(file, 'r')
      for (;;) {
        if (stream.destroyed) return
        if (length !== null && position >= length) {
          stream.push(null)
          return
        }
        const want = length === null ? chunkBytes : Math.min(chunkBytes, length - position)
        const buffer = Buffer.allocUnsafe(want)
        const { bytesRead } = await handle.read(buffer, 0, want, position)
        if (bytesRead > 0) {
          position += bytesRead
          lastGrowth = Date.now()
          if (!stream.push(buffer.subarray(0, bytesRead))) return // read() calls again
          continue
        }
        // At the end of what is there: the file must still exist, and be growing.
        await fsp.stat(file) // throws when the upload was removed
        if (length !== null) {
          throw new Error(`the file ends at ${position} bytes, before its length (${length})`)
        }
        if (Date.now() - lastGrowth > options.idleLimitMs) {
          throw new Error('the file stopped growing')
        }
        await pause()
      }
    } catch (error) {
      stream.destroy(error instanceof Error ? error : new Error(String(error)))
    } finally {
      pumping = false
    }
  }

  const stream = new Readable({
    highWaterMark: chunkBytes,
    read() {
      void pump()
    },
    destroy(error, callback) {
      wake()
      const closing = handle?.close() ?? Promise.resolve()
      handle = null
      closing.then(
        () => callback(error),
        () => callback(error)
      )
    }
  })

  return {
    stream,
    wake,
    end(total) {
      length = total
      wake()
    },
    position: () => position
  }
}
