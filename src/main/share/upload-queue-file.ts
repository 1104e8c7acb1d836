/**
 * `<dataDir>/uploads/queue.json`: every upload not yet finished and the most recent finished ones
 * with their links, so uploads survive quits, crashes and reboots. Written atomically; saves asked
 * for while one is being written are folded into one more write of the latest list.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { errorMessage } from '../../engine/error-details'
import { readTextIfExists, writeJsonAtomic } from '../../engine/atomic-file'
import type { Upload } from './upload-state'

/** The upload queue's folder inside the data dir: queue.json, tus-urls.json, exports for uploads. */
export const UPLOADS_FOLDER = 'uploads'
export const QUEUE_FILE = 'queue.json'
/** tus-js-client's upload URLs by fingerprint (url-storage.ts). */
export const TUS_URLS_FILE = 'tus-urls.json'

/** Upload ids are UUIDs; a stored id is also a file name (`<id>.mp4`), so nothing else is loaded. */
export const UPLOAD_ID_PATTERN = /^[A-Za-z0-9-]{1,64}$/

interface QueueFileBody {
  readonly version: 1
  readonly uploads: Upload[]
}

export interface QueueFile {
  readonly path: string
  /** The stored uploads; none when the file is missing or unreadable (with a warning). */
  load(): Promise<Upload[]>
  /** Saves the list as it is when the write starts; failures are warned about, never thrown. */
  save(): Promise<void>
  /** Resolves when no save is being written. */
  saved(): Promise<void>
}

export function createQueueFile(options: {
  /** `<dataDir>/uploads`. */
  readonly dir: string
  /** The uploads to save, as they are now. */
  readonly uploads: () => readonly Upload[]
  readonly warn: (message: string) => void
}): QueueFile {
  const path = join(options.dir, QUEUE_FILE)
  let writing: Promise<void> | null = null
  let dirty = false

  function save(): Promise<void> {
    dirty = true
    if (writing) return writing
    writing = (async () => {
      try {
        while (dirty) {
          dirty = false
          const body: QueueFileBody = { version: 1, uploads: [...options.uploads()] }
          await mkdir(options.dir, { recursive: true })
          await writeJsonAtomic(path, body)
        }
      } catch (error) {
        options.warn(`could not save ${path}: ${errorMessage(error)}`)
      } finally {
        writing = null
      }
    })()
    return writing
  }

  async function load(): Promise<Upload[]> {
    const text = await readTextIfExists(path)
    if (text === null) return []
    try {
      const parsed = JSON.parse(text) as Partial<QueueFileBody>
      if (!Array.isArray(parsed.uploads)) return []
      return parsed.uploads.filter(
        (u): u is Upload =>
          typeof u === 'object' &&
          u !== null &&
          typeof u.id === 'string' &&
          UPLOAD_ID_PATTERN.test(u.id) &&
          typeof u.projectId === 'string' &&
          typeof u.state === 'string' &&
          (u.source === 'recording' ||
            u.source === 'export' ||
            u.source === 'live' ||
            (u.source === 'camera' && typeof u.cameraFor === 'string'))
      )
    } catch (error) {
      options.warn(`ignoring unreadable ${path}: ${errorMessage(error)}`)
      return []
    }
  }

  return {
    path,
    load,
    save,
    async saved() {
      if (writing) await writing
    }
  }
}
