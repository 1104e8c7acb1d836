/**
 * Where the native notifications stopped, per account of a library (its address and the user's
 * name from `/api/me`): the newest notification id seen, kept in
 * `<dataDir>/notification-cursors.json` so a restart does not show old ones again. Per account, not
 * per address: another person's token on the same library starts with its own first poll, which
 * only sets the cursor, instead of showing that person's backlog.
 *
 * Written atomically (a temporary file renamed over it); a missing or broken file is an empty one.
 * Version 1 files kept one cursor per address (the key is the address alone). Those keys are
 * ignored, since whose account they were is not known: that library's first poll then sets the
 * cursor again, showing nothing old; the address-only key is dropped when it does.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'

export const NOTIFICATION_CURSORS_FILE = 'notification-cursors.json'

/** Most accounts remembered (the newest kept); a person uses one or two. */
const MAX_ACCOUNTS = 20

/** The file's key for an account: the address and the name, one line each (an address has no line break). */
export function cursorKey(libraryUrl: string, account: string): string {
  return `${libraryUrl}\n${account}`
}

export interface CursorStore {
  /** The newest id `account` has seen from the library at `libraryUrl`, or null when never polled. */
  get(libraryUrl: string, account: string): Promise<number | null>
  set(libraryUrl: string, account: string, id: number): Promise<void>
}

export function createCursorStore(dataDir: string): CursorStore {
  const path = join(dataDir, NOTIFICATION_CURSORS_FILE)
  let cursors: Map<string, number> | null = null
  let writing: Promise<void> = Promise.resolve()

  async function load(): Promise<Map<string, number>> {
    if (cursors) return cursors
    const loaded = new Map<string, number>()
    try {
      const json = JSON.parse(await readFile(path, 'utf8')) as unknown
      const stored =
        typeof json === 'object' && json !== null
          ? (json as { cursors?: unknown }).cursors
          : undefined
      if (typeof stored === 'object' && stored !== null) {
        for (const [key, id] of Object.entries(stored)) {
          if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) loaded.set(key, id)
        }
      }
    } catch {
      // Absent or unreadable: nothing seen yet.
    }
    cursors ??= loaded
    return cursors
  }

  return {
    async get(libraryUrl, account) {
      return (await load()).get(cursorKey(libraryUrl, account)) ?? null
    },
    async set(libraryUrl, account, id) {
      const map = await load()
      const key = cursorKey(libraryUrl, account)
      map.delete(key)
      // A version 1 cursor of this address (whose account is not known) is not needed any more.
      map.delete(libraryUrl)
      map.set(key, id)
      while (map.size > MAX_ACCOUNTS) map.delete(map.keys().next().value as string)
      const text = `${JSON.stringify({ version: 2, cursors: Object.fromEntries(map) }, null, 2)}\n`
      const write = writing.then(async () => {
        await mkdir(dirname(path), { recursive: true })
        const temp = `${path}.${process.pid}.tmp`
        await writeFile(temp, text, 'utf8')
        await rename(temp, path)
      })
      writing = write.catch(() => undefined)
      await write
    }
  }
}
