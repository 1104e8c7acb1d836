/**
 * The library as the pages and the API see it: the database plus the video bytes and
 * thumbnails, whichever storage holds them.
 */
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import type { ServerConfig } from './config'
import { WriteGate } from './db/busy'
import type { LibraryDb, User, Video } from './db/types'
import type { OpenedFile, VideoStorage } from './storage'

/**
 * What a video id may look like (the server makes them as 16 URL-safe characters). Anything else
 * in a URL is not looked up, and never becomes part of a path.
 */
export const VIDEO_ID = /^[A-Za-z0-9_-]{1,64}$/

/** The longest search text taken (the search box, `?q=` of the pages and the API). */
export const SEARCH_MAX = 200

/** The video's share link: its watch page. */
export function videoUrl(config: Pick<ServerConfig, 'publicUrl'>, videoId: string): string {
  return `${config.publicUrl}/v/${encodeURIComponent(videoId)}`
}

/** Who may change (edit, delete) a video: its owner and administrators. */
export function mayChange(user: User, video: Video): boolean {
  return user.admin || video.ownerId === user.id
}

export interface Library {
  db: LibraryDb
  config: ServerConfig
  /** The original uploaded bytes; `stream(range)` takes an inclusive byte range. */
  openVideoFile(video: Video): Promise<OpenedFile>
  /** Path to the video's JPEG thumbnail, or null when there is none. */
  thumbnailFile(video: Video): string | null
  /**
   * Runs a database write of a request: retried while another connection holds the lock, then
   * DatabaseBusyError (503). Reads need none of this: in WAL mode they never wait for a writer.
   */
  write<T>(change: (db: LibraryDb) => T): Promise<T>
  /** Removes the video: database row, stored bytes and thumbnail. */
  deleteVideo(id: string): Promise<void>
}

export interface LibraryInternals extends Library {
  storage: VideoStorage
  thumbsDir: string
  thumbnailPath(videoId: string): string
}

export function createLibrary(
  db: LibraryDb,
  config: ServerConfig,
  storage: VideoStorage
): LibraryInternals {
  const thumbsDir = path.join(config.dataDir, 'thumbs')
  fs.mkdirSync(thumbsDir, { recursive: true })
  const thumbnailPath = (videoId: string): string => {
    if (!VIDEO_ID.test(videoId)) throw new Error('bad video id')
    return path.join(thumbsDir, `${videoId}.jpg`)
  }
  const gate = new WriteGate()
  // While the database is known to be busy, attempts do not wait on the event loop at all.
  const write = <T>(change: (db: LibraryDb) => T): Promise<T> =>
    gate.run((knownBusy) => (knownBusy ? db.failFast(() => change(db)) : change(db)))

  return {
    db,
    config,
    storage,
    thumbsDir,
    thumbnailPath,
    write,
    async openVideoFile(video) {
      const where = db.videoStorage(video.id)
      if (!where) throw new Error(`video ${video.id} has no stored file`)
      return storage.open(where.uploadId)
    },
    thumbnailFile(video) {
      if (!video.hasThumbnail || !VIDEO_ID.test(video.id)) return null
      const file = thumbnailPath(video.id)
      return fs.existsSync(file) ? file : null
    },
    async deleteVideo(id) {
      const where = db.videoStorage(id)
      // Both deletes are idempotent, so a retry after a busy answer may run them again.
      await write((d) => {
        d.deleteVideo(id)
        if (where) d.deleteUpload(where.uploadId)
      })
      if (where) await storage.remove(where.uploadId)
      if (VIDEO_ID.test(id)) await fsp.rm(thumbnailPath(id), { force: true })
    }
  }
}
