/**
 * Where the native notifications stopped, per library address: the newest notification id seen,
 * kept in `<dataDir>/notification-cursors.json` so a restart does not show old ones again.
 * Written atomically (a temporary file renamed over it); a missing or broken file is an empty one.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'

export const NOTIFICATION_CURSORS_FILE = 'notification-cursors.json'

/** Most libraries remembered (the newest kept); a person uses one or two. */
const MAX_LIBRARIES = 20

export interface CursorStore {
  /** The newest id seen from the library at `libraryUrl`, or null when it was never polled. */
  get(libraryUrl: string): Promise<number | null>
  set(libraryUrl: string, id: number): Promise<void>
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
        for (const [url, id] of Object.entries(stored)) {
          if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) loaded.set(url, id)
        }
      }
    } catch {
      // Absent or unreadable: nothing seen yet.
    }
    cursors ??= loaded
    return cursors
  }

  return {
    async get(libraryUrl) {
      return (await load()).get(libraryUrl) ?? null
    },
    async set(libraryUrl, id) {
      const map = await load()
      map.delete(libraryUrl)
      map.set(libraryUrl, id)
      while (map.size > MAX_LIBRARIES) map.delete(map.keys().next().value as string)
      const text = `${JSON.stringify({ version: 1, cursors: Object.fromEntries(map) }, null, 2)}\n`
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
