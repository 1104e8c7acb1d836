/**
 * A file read while another part of the app appends to it: the recording's `capture.*` as the
 * capture writer writes it, read by the live upload (Share while recording). The disk is the
 * single source of truth: nothing is kept in memory beyond the chunk a caller asks for.
 *
 * A read of `[start, end)` answers with what is written there (at least one byte, at most
 * `end - start`); when nothing new is written yet it waits — woken by an `fs.watch` hint, but
 * never relying on it: the size is also looked at every `pollMs`. The file's end becomes known
 * by `seal(finalSize)` (the recording stopped), or when `isWritten()` says nothing appends to it
 * any more (after a crash, or a stop the caller did not hear of): then its size is final. A read
 * at the final end answers `done` with no bytes; a read of nothing new never ends the file.
 */
import { watch, type FSWatcher } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { SidecastError } from '../../shared/errors'
import { errorCode } from '../../engine/error-details'

export interface GrowingFileOptions {
  /** The file being appended to. */
  readonly path: string
  /** Its final size, when already known (the recording was stopped before this reader began). */
  readonly sealedSize?: number | null
  /**
   * True while something still appends to the file. Once false, the size the file has then is
   * its final size (checked only when a read finds nothing new).
   */
  isWritten(): boolean
  /** Longest time between two looks at the file's size while waiting; default 250 ms. */
  readonly pollMs?: number
  /** Use `fs.watch` to wake up sooner than the poll; default true. */
  readonly watch?: boolean
  /** Told when the reader found the final size itself (nothing writes the file any more). */
  readonly onSealed?: (finalSize: number) => void
}

/** Where a range stands: bytes `[start, end)` are written; `done` when `end` is the file's end. */
export interface GrowingRange {
  readonly end: number
  readonly done: boolean
}

export interface GrowingRead {
  /** The bytes read: at least one unless `done`, at most what was asked for. */
  readonly bytes: Buffer
  /** True when the read reached the file's final end (nothing more will come). */
  readonly done: boolean
}

export interface GrowingFile {
  readonly path: string
  /**
   * Waits until `[start, end)` holds at least one written byte, or the file's end is known and
   * reached; then answers where the written part ends (at most `end`). Rejects with an AbortError
   * when `signal` aborts, or when the file is gone or shorter than its sealed size.
   */
  available(start: number, end: number, signal?: AbortSignal): Promise<GrowingRange>
  /** `available`, then the bytes themselves (for callers that want a buffer, e.g. tests). */
  read(start: number, end: number, signal?: AbortSignal): Promise<GrowingRead>
  /** The file will not grow beyond `finalSize` bytes: reads end there. */
  seal(finalSize: number): void
  /** The final size, once known. */
  sealedSize(): number | null
  /** Ends every wait (they reject with an AbortError) and stops watching the file. */
  close(): void
}

/** The rejection of a wait that was cancelled. */
export class GrowingFileAbortedError extends Error {
  constructor() {
    super('Reading the growing file was cancelled.')
    this.name = 'AbortError'
  }
}

function checkRange(start: number, end: number): void {
  if (!Number.isSafeInteger(start) || start < 0 || !(end > start)) {
    throw new RangeError(`Cannot read bytes [${start}, ${end}) of a file.`)
  }
}

export function createGrowingFile(options: GrowingFileOptions): GrowingFile {
  const { path } = options
  const pollMs = Math.max(10, options.pollMs ?? 250)
  let sealed: number | null = options.sealedSize ?? null
  let closed = false
  let watcher: FSWatcher | null = null
  /** Wakes every waiter (a watch event, a seal, close). */
  const wakers = new Set<() => void>()

  const wakeAll = (): void => {
    for (const wake of [...wakers]) wake()
  }

  function startWatching(): void {
    if (watcher || closed || options.watch === false || sealed !== null) return
    try {
      watcher = watch(path, { persistent: false }, () => wakeAll())
      // A watcher that fails (the file removed, too many watches) leaves the poll to do the work.
      watcher.on('error', () => stopWatching())
    } catch {
      watcher = null
    }
  }

  function stopWatching(): void {
    try {
      watcher?.close()
    } catch {
      // Already closed.
    }
    watcher = null
  }

  async function currentSize(): Promise<number> {
    try {
      const info = await stat(path)
      return info.size
    } catch (error) {
      if (errorCode(error) === 'ENOENT') {
        throw new SidecastError(
          'capture-missing',
          'The recording’s file is gone, so the rest of it cannot be uploaded.'
        )
      }
      throw error
    }
  }

  /** Resolves on the next hint, the poll interval, or a seal; rejects when aborted or closed. */
  function waitForChange(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (closed || signal?.aborted) {
        reject(new GrowingFileAbortedError())
        return
      }
      const done = (error?: Error): void => {
        clearTimeout(timer)
        wakers.delete(wake)
        signal?.removeEventListener('abort', onAbort)
        if (error) reject(error)
        else resolve()
      }
      const wake = (): void => done(closed ? new GrowingFileAbortedError() : undefined)
      const onAbort = (): void => done(new GrowingFileAbortedError())
      const timer = setTimeout(wake, pollMs)
      wakers.add(wake)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  async function available(
    start: number,
    end: number,
    signal?: AbortSignal
  ): Promise<GrowingRange> {
    checkRange(start, end)
    for (;;) {
      if (closed || signal?.aborted) throw new GrowingFileAbortedError()
      const size = await currentSize()
      if (sealed !== null) {
        if (start >= sealed) return { end: start, done: true }
        const stop = Math.min(end, sealed)
        if (size < stop) {
          throw new SidecastError(
            'capture-truncated',
            `The recording’s file is shorter (${size} bytes) than what was recorded (${sealed} bytes), so it cannot be uploaded as it is.`
          )
        }
        return { end: stop, done: stop >= sealed }
      }
      if (size > start) return { end: Math.min(end, size), done: false }
      if (!options.isWritten()) {
        // Nothing appends to it any more: what is there is all there will be.
        sealed = Math.max(size, 0)
        options.onSealed?.(sealed)
        continue
      }
      startWatching()
      await waitForChange(signal)
    }
  }

  async function read(start: number, end: number, signal?: AbortSignal): Promise<GrowingRead> {
    const range = await available(start, end, signal)
    const length = range.end - start
    if (length <= 0) return { bytes: Buffer.alloc(0), done: range.done }
    const handle = await open(path, 'r')
    try {
      const bytes = Buffer.alloc(length)
      let got = 0
      while (got < length) {
        const { bytesRead } = await handle.read(bytes, got, length - got, start + got)
        if (bytesRead === 0) break
        got += bytesRead
      }
      return { bytes: got === length ? bytes : bytes.subarray(0, got), done: range.done }
    } finally {
      await handle.close()
    }
  }

  return {
    path,
    available,
    read,
    seal(finalSize) {
      if (!Number.isSafeInteger(finalSize) || finalSize < 0) {
        throw new RangeError(`${finalSize} is not a file size.`)
      }
      sealed = finalSize
      stopWatching()
      wakeAll()
    },
    sealedSize: () => sealed,
    close() {
      closed = true
      stopWatching()
      wakeAll()
    }
  }
}
