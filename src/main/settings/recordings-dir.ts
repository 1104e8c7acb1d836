/**
 * Checks a recordings folder chosen in Settings before it is stored: it must be an absolute path
 * to a folder that exists (or can be created) and that Sidecast can write to.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, rm, stat, writeFile } from 'node:fs/promises'
import { isAbsolute, join } from 'node:path'
import { SidecastError } from '../../shared/errors'

function problem(dir: string, why: string): SidecastError {
  return new SidecastError(
    'bad-recordings-dir',
    `Sidecast cannot keep recordings in "${dir}": ${why}. Choose a folder you can write to.`
  )
}

/** Resolves when `dir` can hold recordings; throws a SidecastError naming the folder otherwise. */
export async function checkRecordingsDir(dir: string): Promise<void> {
  if (!isAbsolute(dir))
    throw problem(dir, 'it is not a full path (it must start at the top of a drive)')
  const info = await stat(dir).catch(() => null)
  if (info && !info.isDirectory()) throw problem(dir, 'it is a file, not a folder')
  if (!info) {
    try {
      await mkdir(dir, { recursive: true })
    } catch (error) {
      throw problem(dir, `the folder does not exist and cannot be created (${codeOf(error)})`)
    }
  }
  const probe = join(dir, `.sidecast-write-test-${randomBytes(4).toString('hex')}`)
  try {
    await writeFile(probe, 'sidecast')
  } catch (error) {
    throw problem(dir, `the folder cannot be written to (${codeOf(error)})`)
  } finally {
    await rm(probe, { force: true }).catch(() => undefined)
  }
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error)
}
