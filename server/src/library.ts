/**
 * The library as the pages and the API see it: the database plus the video bytes and
 * thumbnails, whichever storage holds them.
 */
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import type { ServerConfig } from './config'
import { WriteGate } from './db/busy'
import { SpaceReserve, isOutOfSpace } from './disk-space'
import type { LibraryDb, User, Video } from './db/types'
import type { OpenedFile, VideoStorage } from './storage'

import { VIDEO_ID } from './video-id'
import { locateTools } from './media/locate-ffmpeg'
import { createRenderQueue } from './renders/render-queue'
import type { RenderService } from './renders/render-service'

export { VIDEO_ID }

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

/**
 * Who may watch a video — and so read and post its comments and reactions: every signed-in
 * member, except while it waits for its edits or camera (instant share), when only those who may
 * change it do.
 */
export function mayWatch(user: User, video: Video): boolean {
  const waiting = video.awaitingCamera || (video.awaitingEdits && video.editsVersion === 0)
  return !waiting || mayChange(user, video)
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
   * A full disk (SQLITE_FULL, 507) releases the space reserve, so deletes can still be saved.
   */
  write<T>(change: (db: LibraryDb) => Promise<T> | T): Promise<T>
  /** The renders of videos' edits: what viewers are served, downloads (renders/). */
  renders: RenderService
  /**
   * Removes the video: database row, stored bytes (its camera's too), thumbnail and renders. Works on a full disk: when the
   * database cannot save the delete, the bytes and thumbnail go first to make room.
   */
  deleteVideo(id: string): Promise<void>
  /**
   * Removes the video's camera (its link and bytes) and stops viewers waiting for one
   * (`cameraFollows`); their render follows the edits alone again. Null when the video is gone.
   */
  removeCamera(id: string): Promise<Video | null>
}

export interface LibraryInternals extends Library {
  storage: VideoStorage
  /** Room kept for the database on a full disk; uploads wait while it is released. */
  space: SpaceReserve
  thumbsDir: string
  thumbnailPath(videoId: string): string
  /** Starts rendering (the server does; the admin commands do not). */
  startRenders(): void
}

export function createLibrary(
  db: LibraryDb,
  config: ServerConfig,
  storage: VideoStorage,
  log: (message: string) => void = () => {}
): LibraryInternals {
  const thumbsDir = path.join(config.dataDir, 'thumbs')
  fs.mkdirSync(thumbsDir, { recursive: true })
  const thumbnailPath = (videoId: string): string => {
    if (!VIDEO_ID.test(videoId)) throw new Error('bad video id')
    return path.join(thumbsDir, `${videoId}.jpg`)
  }
  const space = new SpaceReserve(config.dataDir, log)
  const gate = new WriteGate()
  const write = async <T>(change: (db: LibraryDb) => Promise<T> | T): Promise<T> => {
    try {
      // While the database is known to be busy, attempts do not wait on the event loop at all.
      return await gate.run((knownBusy) =>
        knownBusy ? db.failFast(async () => change(db)) : change(db)
      )
    } catch (error) {
      if (isOutOfSpace(error)) space.release()
      throw error
    }
  }

  const renders = createRenderQueue({
    db,
    write,
    storage,
    dataDir: config.dataDir,
    tools: () => locateTools(config.media),
    log
  })

  return {
    db,
    config,
    storage,
    thumbsDir,
    thumbnailPath,
    space,
    write,
    renders,
    startRenders: () => renders.start(),
    async openVideoFile(video) {
      const where = await db.videoStorage(video.id)
      if (!where) throw new Error(`video ${video.id} has no stored file`)
      return storage.open(where.uploadId)
    },
    thumbnailFile(video) {
      if (!video.hasThumbnail || !VIDEO_ID.test(video.id)) return null
      const file = thumbnailPath(video.id)
      return fs.existsSync(file) ? file : null
    },
    async removeCamera(id) {
      const detached = await write((d) => d.detachCamera(id))
      if (!detached) return null
      if (detached.previousUploadId) {
        const previous = detached.previousUploadId
        await storage.remove(previous).catch((error: unknown) => {
          log(`video ${id}: could not remove its camera ${previous}: ${String(error)}`)
        })
      }
      await renders.editsChanged(id)
      return await db.getVideo(id)
    },
    async deleteVideo(id) {
      const where = await db.videoStorage(id)
      // Its camera recording goes with it.
      const cameraUpload = (await db.getVideo(id))?.camera?.id ?? null
      // Both deletes are idempotent, so a retry (busy, full disk) may run them again.
      const forget = async (d: LibraryDb): Promise<void> => {
        await d.deleteVideo(id)
        if (where) await d.deleteUpload(where.uploadId)
        if (cameraUpload) await d.deleteUpload(cameraUpload)
      }
      const removeFiles = async (): Promise<void> => {
        if (where) await storage.remove(where.uploadId)
        if (cameraUpload) await storage.remove(cameraUpload)
        if (VIDEO_ID.test(id)) await fsp.rm(thumbnailPath(id), { force: true })
        await renders.forget(id)
      }
      try {
        await write(forget)
      } catch (error) {
        if (!isOutOfSpace(error)) throw error
        // The disk is full and SQLite cannot save the delete: the reserve is released (write did
        // that) and the bytes go first, so there is room. Should the row still not go, a retried
        // DELETE finishes it; until then the video is listed without its bytes.
        await removeFiles()
        await write(forget)
        return
      }
      await removeFiles()
    }
  }
}
