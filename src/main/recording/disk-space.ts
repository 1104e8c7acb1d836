/** Free disk space checks: refuse to start a recording that would fill the disk. */
import { statfs } from 'node:fs/promises'
import { SidecastError } from '../../shared/errors'

const MIB = 1024 * 1024

/** Bytes an unprivileged process may still write on the file system holding `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const info = await statfs(dir)
  return info.bavail * info.bsize
}

/** Throws SidecastError('disk-full') when `free` bytes are below `minFreeMb` MiB. */
export function assertEnoughSpace(dir: string, free: number, minFreeMb: number): void {
  if (free >= minFreeMb * MIB) return
  throw new SidecastError(
    'disk-full',
    `Only ${Math.floor(free / MIB)} MB free on ${dir}. Sidecast needs at least ${minFreeMb} MB to record safely. Free some space and try again.`
  )
}
