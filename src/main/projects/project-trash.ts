/**
 * Deleted projects, kept for a while so a delete can be undone. A delete moves the project's
 * folder to `<projectsDir>/.trash/<deletedAtMs>-<id>` at once (a rename on the same disk, so the
 * list changes immediately and nothing is copied); an undo moves it back exactly as it was. Each
 * entry is removed for good once `undoMs` has passed. Entries left by a crash or a quit inside
 * that time are found at the next start: those older than `undoMs` are removed then, younger ones
 * when their time runs out — the trash never keeps anything for ever.
 */
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { SidecastError } from '../../shared/errors'
import { errorCode, errorMessage } from '../../engine/error-details'

/** How long a deleted recording can be brought back (the "Undo" toast stays as long). */
export const DEFAULT_DELETE_UNDO_MS = 10_000

/** The trash folder's name inside the recordings folder (not a valid project id: a dot first). */
export const TRASH_FOLDER = '.trash'

export interface ProjectTrashTimers {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export interface ProjectTrashOptions {
  /** The recordings folder; the trash is `<projectsDir>/.trash`. */
  readonly projectsDir: string
  /** How long a deleted project can be restored; default DEFAULT_DELETE_UNDO_MS. */
  readonly undoMs?: number
  /** The clock, in ms; tests inject one. */
  readonly now?: () => number
  /** Timers for the purges; tests drive them by hand. */
  readonly timers?: ProjectTrashTimers
  /** Where a failed purge is reported. */
  readonly warn?: (message: string) => void
}

export interface ProjectTrash {
  /** How long a deleted project can be restored, ms. */
  readonly undoMs: number
  /** Moves the project folder `dir` (id `id`) into the trash and schedules its removal. */
  put(id: string, dir: string): Promise<void>
  /**
   * Moves the newest trashed copy of `id` back to `dir`. Throws 'not-found' when there is none
   * (its time ran out) and 'exists' when a project with that id exists again.
   */
  restore(id: string, dir: string): Promise<void>
  /** At start: removes entries older than `undoMs`, schedules the others. */
  start(): Promise<void>
  /** Removes every entry now (nothing can be restored once the app quits). */
  purgeAll(): Promise<void>
  /** Stops the timers (the entries stay until the next start). */
  dispose(): void
}

const REAL_TIMERS: ProjectTrashTimers = {
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms)
    // A pending purge must not keep the process alive; the next start removes what is left.
    handle.unref?.()
    return handle
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>)
}

interface Entry {
  readonly name: string
  readonly id: string
  readonly deletedAtMs: number
}

function parseEntry(name: string): Entry | null {
  const match = /^(\d{1,16})-(.+)$/.exec(name)
  if (!match?.[1] || !match[2]) return null
  return { name, id: match[2], deletedAtMs: Number(match[1]) }
}

export function createProjectTrash(options: ProjectTrashOptions): ProjectTrash {
  const trashDir = join(options.projectsDir, TRASH_FOLDER)
  const undoMs = Math.max(0, options.undoMs ?? DEFAULT_DELETE_UNDO_MS)
  const now = options.now ?? Date.now
  const timers = options.timers ?? REAL_TIMERS
  const warn = options.warn ?? ((message: string) => console.warn(`[projects] ${message}`))
  const scheduled = new Map<string, unknown>()

  async function entries(): Promise<Entry[]> {
    const names = await readdir(trashDir).catch((error: unknown) => {
      if (errorCode(error) === 'ENOENT') return [] as string[]
      throw error
    })
    return names.map(parseEntry).filter((e): e is Entry => e !== null)
  }

  async function purge(name: string): Promise<void> {
    const handle = scheduled.get(name)
    if (handle !== undefined) timers.clearTimeout(handle)
    scheduled.delete(name)
    await rm(join(trashDir, name), { recursive: true, force: true }).catch((error: unknown) =>
      warn(`could not remove the deleted recording ${name}: ${errorMessage(error)}`)
    )
  }

  function schedule(entry: Entry): void {
    const left = Math.max(0, entry.deletedAtMs + undoMs - now())
    const handle = timers.setTimeout(() => {
      scheduled.delete(entry.name)
      void purge(entry.name)
    }, left)
    scheduled.set(entry.name, handle)
  }

  return {
    undoMs,
    async put(id, dir) {
      await mkdir(trashDir, { recursive: true })
      // Two deletes of the same id in one millisecond cannot happen (the first moved the folder).
      const entry: Entry = { name: `${now()}-${id}`, id, deletedAtMs: now() }
      await rename(dir, join(trashDir, entry.name))
      schedule(entry)
    },
    async restore(id, dir) {
      const newest = (await entries())
        .filter((e) => e.id === id)
        .sort((a, b) => b.deletedAtMs - a.deletedAtMs)[0]
      if (!newest || scheduled.get(newest.name) === undefined) {
        throw new SidecastError(
          'not-found',
          'This recording can no longer be restored: its files were removed when the time to undo ran out.'
        )
      }
      if (await stat(dir).catch(() => null)) {
        throw new SidecastError(
          'exists',
          `A recording "${id}" exists again, so the deleted one cannot be put back. Rename the folder ${dir} and try again.`
        )
      }
      const handle = scheduled.get(newest.name)
      timers.clearTimeout(handle)
      scheduled.delete(newest.name)
      await rename(join(trashDir, newest.name), dir)
    },
    async start() {
      for (const entry of await entries()) {
        if (scheduled.has(entry.name)) continue
        if (now() - entry.deletedAtMs >= undoMs) await purge(entry.name)
        else schedule(entry)
      }
    },
    async purgeAll() {
      for (const entry of await entries()) await purge(entry.name)
    },
    dispose() {
      for (const handle of scheduled.values()) timers.clearTimeout(handle)
      scheduled.clear()
    }
  }
}
