/**
 * Turns a finished upload into a library video: verify with ffprobe, keep the original bytes,
 * thumbnail, then one database transaction (insert video + mark the upload done).
 *
 * Every step is idempotent and keyed by the upload id (the video id is chosen when the upload is
 * created), so a step that fails — a database write, a crash — is simply run again: right away
 * with backoff, by the periodic reconciler, and on the next start. Until the transaction commits,
 * the upload is "processing" and the video is not listed anywhere.
 */
import fs from 'node:fs'
import type { LibraryInternals } from '../library'
import type { Video } from '../db/types'
import { NotAVideoError, makeThumbnail, probeVideo } from '../media/ffprobe'
import type { UploadMeta } from './metadata'

export type Outcome =
  | { state: 'done'; video: Video }
  | { state: 'failed'; error: string }
  | { state: 'processing' }
  | { state: 'uploading' }
  | { state: 'missing' }

const RETRY_DELAYS_MS = [500, 2000, 5000, 15_000, 30_000]

export class UploadProcessor {
  private inflight = new Map<string, Promise<Outcome>>()
  private retryTimers = new Map<string, NodeJS.Timeout>()
  private closed = false
  /** Logged problems (tests and the operator read these). */
  readonly log: (message: string) => void

  constructor(
    private library: LibraryInternals,
    log?: (message: string) => void
  ) {
    this.log = log ?? ((m) => console.error(`[sidecast] ${m}`))
  }

  /** Finalizes an upload whose bytes are all stored. Concurrent calls share one run. */
  finalize(uploadId: string): Promise<Outcome> {
    const running = this.inflight.get(uploadId)
    if (running) return running
    const run = this.run(uploadId).finally(() => this.inflight.delete(uploadId))
    this.inflight.set(uploadId, run)
    return run
  }

  /** Finalize; on an unexpected error keep the upload "processing" and retry with backoff. */
  async finalizeOrRetry(uploadId: string, attempt = 0): Promise<Outcome> {
    try {
      return await this.finalize(uploadId)
    } catch (error) {
      this.log(`upload ${uploadId}: could not add it to the library yet: ${String(error)}`)
      this.scheduleRetry(uploadId, attempt)
      return { state: 'processing' }
    }
  }

  private scheduleRetry(uploadId: string, attempt: number): void {
    if (this.closed || this.retryTimers.has(uploadId)) return
    const delay = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)] as number
    const timer = setTimeout(() => {
      this.retryTimers.delete(uploadId)
      if (this.closed) return
      void this.finalizeOrRetry(uploadId, attempt + 1)
    }, delay)
    timer.unref()
    this.retryTimers.set(uploadId, timer)
  }

  /**
   * Finds uploads whose bytes are complete but which are not in the library (a failed write, a
   * crash mid-processing) and finishes them; forgets uploads whose bytes are gone.
   */
  async reconcile(): Promise<{ finished: number; pending: number }> {
    const { db, storage } = this.library
    let finished = 0
    let pending = 0
    for (const id of await storage.leftovers()) {
      const record = db.getUpload(id)
      if (record?.state === 'done' && !this.inflight.has(id)) await storage.release(id)
    }
    const rows = [...db.listUploads('processing'), ...db.listUploads('uploading')]
    for (const row of rows) {
      if (this.closed) break
      const completeness = await storage.completeness(row.id)
      if (completeness === 'complete') {
        try {
          const outcome = await this.finalize(row.id)
          if (outcome.state === 'done' || outcome.state === 'failed') finished++
          else pending++
        } catch (error) {
          pending++
          this.log(`upload ${row.id}: reconcile failed, will retry: ${String(error)}`)
        }
      } else if (completeness === 'missing') {
        const age = Date.now() - Date.parse(row.createdAt)
        if (row.state === 'processing') {
          db.setUploadState(row.id, 'failed', 'The upload was lost before it was processed.')
        } else if (age > 60_000) {
          db.deleteUpload(row.id) // terminated or expired
        }
      }
    }
    return { finished, pending }
  }

  private async run(uploadId: string): Promise<Outcome> {
    const { db, storage } = this.library
    const record = db.getUpload(uploadId)
    if (!record) return { state: 'missing' }
    if (record.state === 'done') {
      const video = db.getVideo(record.videoId)
      if (video) return { state: 'done', video }
    }
    if (record.state === 'failed') return { state: 'failed', error: record.error ?? 'failed' }

    const completeness = await storage.completeness(uploadId)
    if (completeness === 'missing') return { state: 'missing' }
    if (completeness === 'partial') return { state: 'uploading' }

    if (record.state !== 'processing') {
      try {
        db.setUploadState(uploadId, 'processing')
      } catch {
        // informative only; the reconciler looks at 'uploading' rows too
      }
    }

    const meta = JSON.parse(record.metadata) as UploadMeta
    const thumb = this.library.thumbnailPath(record.videoId)
    const local = await storage.localCopy(uploadId)
    let probe
    let hasThumbnail = false
    try {
      // The thumbnail is made alongside the checks (ffmpeg seeks near the start either way) and
      // thrown away if the file is refused.
      const [probed, thumbMade] = await Promise.allSettled([
        probeVideo(local.file, meta.filename),
        fs.existsSync(thumb)
          ? Promise.resolve(true)
          : makeThumbnail(local.file, meta.durationMs ?? 2000, thumb)
      ])
      if (probed.status === 'rejected') {
        const error: unknown = probed.reason
        fs.rmSync(thumb, { force: true })
        if (!(error instanceof NotAVideoError)) throw error
        await storage.remove(uploadId)
        db.setUploadState(uploadId, 'failed', error.message)
        return { state: 'failed', error: error.message }
      }
      probe = probed.value
      hasThumbnail = thumbMade.status === 'fulfilled' && thumbMade.value
    } finally {
      await local.cleanup()
    }

    await storage.adopt(uploadId)
    const { size } = await storage.open(uploadId)
    const video = db.completeUpload(uploadId, {
      id: record.videoId,
      title: meta.title,
      description: meta.description,
      ownerId: record.userId,
      durationMs: probe.durationMs,
      sizeBytes: size,
      filename: meta.filename,
      mimeType: probe.mimeType,
      projectId: meta.projectId,
      callouts: meta.callouts,
      hasThumbnail,
      uploadId,
      storage: storage.kind,
      width: probe.width,
      height: probe.height
    })
    return { state: 'done', video }
  }

  close(): void {
    this.closed = true
    for (const timer of this.retryTimers.values()) clearTimeout(timer)
    this.retryTimers.clear()
  }

  /** Waits for running finalizations (used on shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inflight.values()])
  }
}
