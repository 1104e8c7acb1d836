/**
 * Writes a small file so that a crash or power loss leaves either the old or the new contents,
 * never a torn mix: write a temp file beside it, flush it, then rename over the target.
 */
import { randomBytes } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

export async function writeFileAtomic(file: string, contents: string): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(3).toString('hex')}.tmp`)
  try {
    const handle = await open(temp, 'w')
    try {
      await handle.writeFile(contents, 'utf8')
      await handle.datasync()
    } finally {
      await handle.close()
    }
    await rename(temp, file)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
}

export function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  return writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n')
}
