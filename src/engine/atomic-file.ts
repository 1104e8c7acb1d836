/**
 * Small files that must survive a crash whole (recording.json, edits.json, share.json, the upload
 * queue, the library token): written so that a crash or power loss leaves either the old or the
 * new contents, never a torn mix — a temp file beside it, flushed, then renamed over the target.
 */
import { randomBytes } from 'node:crypto'
import { chmod, open, readFile, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { errorCode } from './error-details'

export interface AtomicWriteOptions {
  /** File permissions, e.g. 0o600 for a file only the user may read; default as the umask says. */
  readonly mode?: number
}

export async function writeFileAtomic(
  file: string,
  contents: string,
  options: AtomicWriteOptions = {}
): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(3).toString('hex')}.tmp`)
  try {
    const handle = await open(temp, 'w', options.mode)
    try {
      await handle.writeFile(contents, 'utf8')
      await handle.datasync()
    } finally {
      await handle.close()
    }
    // open's mode only applies to a new file and is filtered by the umask; make sure of it.
    if (options.mode !== undefined) await chmod(temp, options.mode).catch(() => undefined)
    await rename(temp, file)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
}

export function writeJsonAtomic(
  file: string,
  value: unknown,
  options: AtomicWriteOptions = {}
): Promise<void> {
  return writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n', options)
}

/** The file's text, or null when it does not exist (other errors are thrown). */
export async function readTextIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null
    throw error
  }
}
