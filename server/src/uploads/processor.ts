/**
 * Turns a finished upload into a library video: verify with ffprobe, keep the original bytes,
 * thumbnail, then one database transaction (insert video + mark the upload done).
 *
 * Uploads are processed a bounded number at a time (`media.concurrency`); the others wait in a
 * queue and their status says "queued" with their place. Every ffprobe/ffmpeg run is bounded
 * (media/ffprobe.ts); stopping the server kills the runs and leaves those uploads "processing",
 * to be finished on the next start.
 *
 * Every step is idempotent and keyed by the upload id (the video id is chosen when the upload is
 * created), so a step that fails — a database write, a crash — is simply run again: right away
 * with backoff, by the periodic reconciler, and on the next start. Until the transaction commits,
 * the upload is "processing" and the video is not listed anywhere.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { mayChange, type LibraryInternals } from '../library'
import type { UploadRecord, Video } from '../db/types'
import {
  MediaStoppedError,
  NotAVideoError,
  checkTail,
  makeThumbnail,
  probeVideo,
  type MediaContext,
  type MediaStep,
  type ProbeResult
} from '../media/ffprobe'
import { sniffContainer } from '../media/container'
import { remuxLiveRecording, type LiveRemux } from '../media/remux-live'
import { LiveFollowers } from './live-followers'
import type { UploadMeta } from './metadata'
import { ProcessingQueue } from './processing-queue'

/** One ffprobe/ffmpeg run on an upload. */
export type ProcessingStep = MediaStep

/** Seams for tests and monitoring. */
export interface ProcessorHooks {
  /** The upload got a processing slot; processing waits for a returned promise. */
  onStart?(uploadId: string): void | Promise<void>
  /** ffprobe or ffmpeg is about to run on the upload. */
  onStep?(uploadId: string, step: ProcessingStep): void
  /** The upload gave its slot back (done, refused, or left for a retry). */
  onEnd?(uploadId: string): void
  /**
   * All the bytes of a live upload are at `file`, exactly as the app sent them, before the stream
   * copy makes the video from them; processing waits for a returned promise. (Afterwards the
   * library keeps only the seekable copy; file storage drops the raw bytes on release().)
   */
  onLiveBytes?(uploadId: string, file: string): void | Promise<void>
  /**
   * The ffmpeg that copies a live upload as its bytes arrive started, as process `pid`
   * (live-followers.ts); tests stop it to check the copy after the last byte takes over.
   */
  onFollow?(uploadId: string, pid: number): void
}

export type Outcome =
  | { state: 'done'; video: Video }
  | { state: 'failed'; error: string }
  | { state: 'processing' }
  | { state: 'uploading' }
  | { state: 'missing' }

/** A new version whose video was deleted meanwhile (or never was). */
export const REPLACED_VIDEO_GONE =
  'The video this upload was to replace is no longer in the library (it may have been deleted). Upload it as a new video instead.'

/** A new version of a video the uploader may not change. */
export const REPLACE_NOT_YOURS =
  'Only the owner of a video (or an administrator) can replace it. Upload it as a new video instead.'

/** A camera recording for a video that is not in the library (any more). */
export const CAMERA_VIDEO_GONE =
  'The video this camera recording belongs to is not in the library (it may have been deleted). Upload the recording first.'

/** A camera recording for a video the uploader may not change. */
export const CAMERA_NOT_YOURS =
  'Only the owner of a video (or an administrator) can add its camera recording.'

const RETRY_DELAYS_MS = [500, 2000, 5000, 15_000, 30_000]

/**
 * Several instances share the database and the uploads: the one working on an upload holds a
 * claim on it (LibraryDb.claimUpload) for this long, renewed every third of it while it works, so
 * another instance's reconciler leaves the upload alone. A crashed instance's claim lapses after
 * this; the next reconcile of another instance then finishes the upload.
 */
export const CLAIM_LEASE_MS = 2 * 60_000

/** A finished upload's tus record older than this is a leftover (no instance still answers it). */
const LEFTOVER_AGE_MS = 60_000

/** A name safe in file names for this process: its instance name, and a random part. */
export function instanceTag(instanceName: string): string {
  const safe = instanceName.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 40) || 'instance'
  return `${safe}-${crypto.randomBytes(3).toString('hex')}`
}

export class UploadProcessor {
  private inflight = new Map<string, Promise<Outcome>>()
  private retryTimers = new Map<string, NodeJS.Timeout>()
  private closed = false
  private readonly queue: ProcessingQueue
  /** Aborted on close: kills the running ffprobe/ffmpeg. */
  private readonly stopping = new AbortController()
  /** Logged problems (tests and the operator read these). */
  readonly log: (message: string) => void
  /** Live uploads stream-copied as their bytes arrive (file storage). */
  readonly followers: LiveFollowers
  /**
   * Who holds this processor's claims on uploads: the instance's name and a random part, so two
   * processes never share one — even two instances given one name by mistake, or two servers in
   * one test process. Also names this process's work files in the shared tmp folder.
   */
  readonly owner: string
  /** Claims this processor holds: the renewal timer, and whether a renewal found it lost. */
  private readonly claims = new Map<string, { timer: NodeJS.Timeout; lost: boolean }>()

  constructor(
    private library: LibraryInternals,
    log?: (message: string) => void,
    private readonly hooks: ProcessorHooks = {}
  ) {
    this.log = log ?? ((m) => console.error(`[sidecast] ${m}`))
    this.queue = new ProcessingQueue(library.config.media.concurrency)
    const { storage, config, db } = library
    this.owner = instanceTag(config.instanceName)
    this.followers = new LiveFollowers({
      growingFile: storage.growingFile,
      tmpDir: storage.tmpDir,
      instanceTag: this.owner,
      media: config.media,
      max: config.liveFollowers,
      idleLimitMs: config.uploadExpiryMs,
      followable: async (id) => {
        const record = await db.getUpload(id)
        return record?.live === true && record.state === 'uploading'
      },
      log: this.log,
      onFollow: hooks.onFollow
    })
  }

  /** Bytes of a live upload arrived: its copy made as they arrive follows them. */
  followLive(uploadId: string): void {
    this.followers.nudge(uploadId)
  }

  /** A live upload was terminated: its copy made as it arrived stops and goes. */
  stopLive(uploadId: string): Promise<void> {
    return this.followers.stop(uploadId)
  }

  /** The upload's place in the processing queue (1 = next), or null when it is not waiting. */
  queuePosition(uploadId: string): number | null {
    return this.queue.position(uploadId)
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
      // Stopped with the server: the next start finishes it.
      if (error instanceof MediaStoppedError) return { state: 'processing' }
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
      const record = await db.getUpload(id)
      // Done a while ago: the instance that finished it (maybe another one, on the shared
      // folder) has answered its last request by now, and needs tus's record no more.
      if (
        record?.state === 'done' &&
        !this.inflight.has(id) &&
        Date.now() - Date.parse(record.updatedAt) > LEFTOVER_AGE_MS
      ) {
        await storage.release(id)
      }
    }
    const rows = [...(await db.listUploads('processing')), ...(await db.listUploads('uploading'))]
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
          if (error instanceof MediaStoppedError) break
          this.log(`upload ${row.id}: reconcile failed, will retry: ${String(error)}`)
        }
      } else if (completeness === 'partial' && row.live) {
        // Still being recorded (after a restart, from byte 0): the finish stays fast.
        this.followers.nudge(row.id)
      } else if (completeness === 'missing') {
        const age = Date.now() - Date.parse(row.createdAt)
        if (row.state === 'processing') {
          if (!this.inflight.has(row.id)) await this.failLost(row.id)
        } else if (age > 60_000) {
          await db.discardUpload(row.id) // terminated or expired (a live one leaves its tombstone)
        }
      }
    }
    return { finished, pending }
  }

  /**
   * A `processing` upload whose bytes are gone: failed — only under this instance's claim, and
   * only when that is still so once claimed (another instance may have been finishing it: its
   * bytes moved, its video committed, the claim released just now).
   */
  private async failLost(uploadId: string): Promise<void> {
    const { db, storage } = this.library
    if (!(await this.claim(uploadId))) return // another instance is working on it
    try {
      const record = await db.getUpload(uploadId)
      if (record?.state !== 'processing') return
      if ((await storage.completeness(uploadId)) !== 'missing') return
      await db.setUploadState(uploadId, 'failed', 'The upload was lost before it was processed.')
    } finally {
      await this.unclaim(uploadId)
    }
  }

  /**
   * Claims the upload for this processor (LibraryDb.claimUpload) and keeps renewing the claim
   * until unclaim(); false when another instance holds it.
   */
  private async claim(uploadId: string): Promise<boolean> {
    const { db } = this.library
    // Held here already (a finish and the reconciler's lost-bytes check): one at a time.
    if (this.claims.has(uploadId)) return false
    if (!(await db.claimUpload(uploadId, this.owner, CLAIM_LEASE_MS))) return false
    if (this.claims.has(uploadId)) return false // taken here while the claim was written
    const held = { timer: undefined as unknown as NodeJS.Timeout, lost: false }
    held.timer = setInterval(() => {
      db.claimUpload(uploadId, this.owner, CLAIM_LEASE_MS).then(
        (still) => {
          if (!still && !held.lost) {
            held.lost = true
            this.log(`upload ${uploadId}: another instance took it over; leaving it to that one`)
          }
        },
        (error: unknown) => {
          // Tried again at the next tick; the lease outlasts a few failed renewals.
          this.log(`upload ${uploadId}: could not renew its claim: ${String(error)}`)
        }
      )
    }, CLAIM_LEASE_MS / 3)
    held.timer.unref()
    this.claims.set(uploadId, held)
    return true
  }

  /**
   * Whether this processor still holds its claim on the upload (renewed by asking): checked
   * before anything that cannot be undone (moving the bytes, failing or saving the upload).
   */
  private async stillClaimed(uploadId: string): Promise<boolean> {
    const held = this.claims.get(uploadId)
    if (!held || held.lost) return false
    if (await this.library.db.claimUpload(uploadId, this.owner, CLAIM_LEASE_MS)) return true
    held.lost = true
    this.log(`upload ${uploadId}: another instance took it over; leaving it to that one`)
    return false
  }

  /**
   * Null when this processor may go on and change things: it still holds its claim and the
   * upload is still to be finished. Else the outcome to answer: `processing` while another
   * instance holds it, or what that one made of it (it took over while this one stalled past
   * its lease, finished, and gave the claim back).
   */
  private async takenOver(uploadId: string): Promise<Outcome | null> {
    if (!(await this.stillClaimed(uploadId))) return { state: 'processing' }
    const now = await this.library.db.getUpload(uploadId)
    if (!now) return { state: 'missing' }
    return this.settled(now)
  }

  private async unclaim(uploadId: string): Promise<void> {
    const held = this.claims.get(uploadId)
    if (held) clearInterval(held.timer)
    this.claims.delete(uploadId)
    // Not released in time (a busy database): it lapses after the lease.
    await this.library.db.releaseUpload(uploadId, this.owner).catch((error: unknown) => {
      this.log(`upload ${uploadId}: could not release its claim: ${String(error)}`)
    })
  }

  private async run(uploadId: string): Promise<Outcome> {
    const { db } = this.library
    const record = await db.getUpload(uploadId)
    if (!record) return { state: 'missing' }
    const known = await this.settled(record)
    if (known) return known
    // Another instance is working on it: left alone (its outcome is still to come).
    if (!(await this.claim(uploadId))) return { state: 'processing' }
    try {
      return await this.runClaimed(uploadId)
    } finally {
      await this.unclaim(uploadId)
    }
  }

  /** The outcome of an upload already done or failed; null when it is still to be processed. */
  private async settled(record: UploadRecord): Promise<Outcome | null> {
    if (record.state === 'done') {
      const video = await this.library.db.getVideo(record.videoId)
      if (video) return { state: 'done', video }
    }
    if (record.state === 'failed') return { state: 'failed', error: record.error ?? 'failed' }
    return null
  }

  private async runClaimed(uploadId: string): Promise<Outcome> {
    const { db, storage } = this.library
    // Read again under the claim: another instance may have finished it just before.
    const record = await db.getUpload(uploadId)
    if (!record) return { state: 'missing' }
    const known = await this.settled(record)
    if (known) return known

    const completeness = await storage.completeness(uploadId)
    if (completeness === 'missing') return { state: 'missing' }
    if (completeness === 'partial') return { state: 'uploading' }

    if (record.state !== 'processing') {
      try {
        await db.setUploadState(uploadId, 'processing')
      } catch {
        // informative only; the reconciler looks at 'uploading' rows too
      }
    }

    return this.queue.run(uploadId, () => this.process(uploadId, record))
  }

  /** Checks, thumbnails and saves one upload, in a processing slot. */
  private async process(uploadId: string, record: UploadRecord): Promise<Outcome> {
    if (this.closed) throw new MediaStoppedError('the server is stopping')
    await this.hooks.onStart?.(uploadId)
    try {
      return await this.check(uploadId, record)
    } finally {
      this.hooks.onEnd?.(uploadId)
    }
  }

  private async check(uploadId: string, record: UploadRecord): Promise<Outcome> {
    const { db, storage } = this.library
    const meta = JSON.parse(record.metadata) as UploadMeta
    if (meta.cameraFor) return this.checkCamera(uploadId, record, meta)
    const replacing = typeof meta.replaces === 'string' && meta.replaces !== ''
    // A new version is thumbnailed beside the live one, which it replaces only once saved.
    const thumb = this.library.thumbnailPath(
      replacing ? `${record.videoId}-next-${uploadId}` : record.videoId
    )
    const media: MediaContext = {
      config: this.library.config.media,
      signal: this.stopping.signal,
      onStep: (step) => this.hooks.onStep?.(uploadId, step)
    }
    const local = await storage.localCopy(uploadId)
    let probe: ProbeResult
    let hasThumbnail = false
    let remuxed: LiveRemux | null = null
    let filename = meta.filename
    try {
      let file = local.file
      // A live upload is raw MediaRecorder WebM (never MP4): one that reads as MP4 was already
      // made seekable and adopted by an earlier run cut short by a crash.
      if (record.live && (await sniffContainer(file))?.demuxer !== 'mov') {
        await this.hooks.onLiveBytes?.(uploadId, file)
        const started = performance.now()
        // Named for this process: the tmp folder may be shared by several instances.
        const outBase = path.join(storage.tmpDir, `live-${uploadId}-${this.owner}`)
        // Copied as it arrived: only the end was left to do. Else the whole recording now.
        const followed = await this.followers.finish(uploadId, file, outBase)
        remuxed = followed ?? (await remuxLiveRecording(file, outBase, media))
        file = remuxed.file
        this.log(
          `upload ${uploadId}: ${followed ? 'stream-copied as it arrived' : 'stream-copied after its last byte'} into ${remuxed.container}, done ${Math.round(performance.now() - started)} ms after it${remuxed.cutShort ? ' (its last bytes were cut short; every whole frame kept)' : ''}`
        )
      }
      if (record.live) filename = withExtension(meta.filename, remuxed?.container)
      // Headers first, limits from them, and only then anything is decoded, one run at a time.
      probe = await probeVideo(file, filename, media)
      await checkTail(file, probe, media)
      hasThumbnail = fs.existsSync(thumb) || (await makeThumbnail(file, probe, thumb, media))
    } catch (error) {
      fs.rmSync(thumb, { force: true })
      if (remuxed) fs.rmSync(remuxed.file, { force: true })
      if (!(error instanceof NotAVideoError)) throw error
      const other = await this.takenOver(uploadId)
      if (other) return other
      await storage.remove(uploadId)
      await db.setUploadState(uploadId, 'failed', error.message)
      return { state: 'failed', error: error.message }
    } finally {
      await local.cleanup()
    }

    // Another instance took it over (this one stalled past its lease): nothing is changed here.
    const other = await this.takenOver(uploadId)
    if (other) {
      if (remuxed) fs.rmSync(remuxed.file, { force: true })
      return other
    }

    // "Try again" after a live upload failed: the retry becomes the reserved video, not a version.
    const retry = replacing && !(await db.getVideo(record.videoId))
    const refusal = retry
      ? await this.retryRefusal(record)
      : replacing
        ? await this.replaceRefusal(record)
        : null
    if (refusal) {
      fs.rmSync(thumb, { force: true })
      if (remuxed) fs.rmSync(remuxed.file, { force: true })
      await storage.remove(uploadId)
      await db.setUploadState(uploadId, 'failed', refusal)
      return { state: 'failed', error: refusal }
    }

    if (remuxed) await storage.adoptFile(uploadId, remuxed.file)
    else await storage.adopt(uploadId)
    const { size } = await storage.open(uploadId)
    const facts = {
      id: record.videoId,
      title: meta.title,
      description: meta.description,
      ownerId: record.userId,
      durationMs: probe.durationMs,
      sizeBytes: size,
      filename,
      mimeType: probe.mimeType,
      projectId: meta.projectId,
      callouts: meta.callouts,
      hasThumbnail,
      uploadId,
      storage: storage.kind,
      width: probe.width,
      height: probe.height,
      awaitingEdits: meta.editsFollow,
      awaitingCamera: meta.cameraFollows === true
    }
    if (!replacing || retry) {
      // Made to answer a request (Upload-Metadata `answers`): linked in the same transaction,
      // which notifies whoever asked; a run again links and notifies nothing twice. A new version
      // (`replaces`) keeps the answers its video has.
      const { video, answered } = await db.completeUpload(uploadId, facts, {
        answers: meta.answers
      })
      if (meta.answers && !answered) {
        this.log(
          `upload ${uploadId}: the request ${meta.answers} it answers is gone; the video stays unlinked`
        )
      }
      return { state: 'done', video }
    }

    const swapped = await db.replaceVideo(uploadId, facts)
    if (!swapped) {
      const error = REPLACED_VIDEO_GONE
      fs.rmSync(thumb, { force: true })
      await storage.remove(uploadId)
      await db.setUploadState(uploadId, 'failed', error)
      return { state: 'failed', error }
    }
    // Saved: the new version is what the link plays. The old files go now (a crash right here
    // leaves them behind, unlisted; the video is whole either way).
    const live = this.library.thumbnailPath(record.videoId)
    try {
      if (hasThumbnail) fs.renameSync(thumb, live)
      else fs.rmSync(live, { force: true })
    } catch (error) {
      this.log(`upload ${uploadId}: could not swap the thumbnail: ${String(error)}`)
    }
    if (swapped.previousCameraUploadId) {
      // The camera of the old version: a new version brings its own (cameraFollows) or none.
      await storage.remove(swapped.previousCameraUploadId).catch((error: unknown) => {
        this.log(
          `upload ${uploadId}: could not remove the replaced version's camera ${swapped.previousCameraUploadId}: ${String(error)}`
        )
      })
    }
    if (swapped.previousUploadId !== uploadId) {
      // Viewers' renders of the old version would show its pictures: made again from this one.
      await this.library.renders.recordingReplaced(record.videoId).catch((error: unknown) => {
        this.log(`upload ${uploadId}: could not renew the renders: ${String(error)}`)
      })
      await storage.remove(swapped.previousUploadId).catch((error: unknown) => {
        this.log(
          `upload ${uploadId}: could not remove the replaced version ${swapped.previousUploadId}: ${String(error)}`
        )
      })
    }
    return { state: 'done', video: swapped.video }
  }

  /**
   * A camera recording (`cameraFor`): checked like a video (format, limits, the last second
   * decodes), no thumbnail, then linked to its video in one transaction; a camera it had goes.
   * Its video's viewers then get a render with the bubble (render-queue.ts).
   */
  private async checkCamera(
    uploadId: string,
    record: UploadRecord,
    meta: UploadMeta
  ): Promise<Outcome> {
    const { db, storage } = this.library
    const media: MediaContext = {
      config: this.library.config.media,
      signal: this.stopping.signal,
      onStep: (step) => this.hooks.onStep?.(uploadId, step)
    }
    const local = await storage.localCopy(uploadId)
    let probe: ProbeResult
    try {
      probe = await probeVideo(local.file, meta.filename, media)
      await checkTail(local.file, probe, media)
    } catch (error) {
      if (!(error instanceof NotAVideoError)) throw error
      const other = await this.takenOver(uploadId)
      if (other) return other
      await storage.remove(uploadId)
      const reason = `The camera recording is not usable: ${error.message}`
      await db.setUploadState(uploadId, 'failed', reason)
      return { state: 'failed', error: reason }
    } finally {
      await local.cleanup()
    }
    const other = await this.takenOver(uploadId)
    if (other) return other
    const refusal = await this.cameraRefusal(record)
    if (refusal) {
      await storage.remove(uploadId)
      await db.setUploadState(uploadId, 'failed', refusal)
      return { state: 'failed', error: refusal }
    }
    await storage.adopt(uploadId)
    const sent = meta.camera
    const container: 'webm' | 'mp4' | 'mkv' =
      probe.container.demuxer === 'mov'
        ? 'mp4'
        : /webm/.test(probe.mimeType) && ['vp8', 'vp9', 'av1'].includes(probe.videoCodec)
          ? 'webm'
          : 'mkv'
    const attached = await db.attachCamera(uploadId, record.videoId, {
      offsetMs: sent?.offsetMs ?? 0,
      durationMs: sent?.durationMs ?? probe.durationMs,
      ...(sent && sent.offRanges.length > 0 ? { offRanges: sent.offRanges } : {}),
      width: probe.width,
      height: probe.height,
      videoCodec: probe.videoCodec,
      container,
      mimeType: probe.mimeType
    })
    if (!attached) {
      await storage.remove(uploadId)
      await db.setUploadState(uploadId, 'failed', CAMERA_VIDEO_GONE)
      return { state: 'failed', error: CAMERA_VIDEO_GONE }
    }
    if (attached.previousUploadId) {
      await storage.remove(attached.previousUploadId).catch((error: unknown) => {
        this.log(
          `upload ${uploadId}: could not remove the replaced camera ${attached.previousUploadId}: ${String(error)}`
        )
      })
    }
    // The viewers' render now has the bubble (or a new camera in it).
    await this.library.renders.editsChanged(record.videoId)
    return { state: 'done', video: attached.video }
  }

  /** Why a camera upload may not be linked to its video now, or null when it may. */
  private async cameraRefusal(record: UploadRecord): Promise<string | null> {
    const { db } = this.library
    const video = await db.getVideo(record.videoId)
    if (!video) return CAMERA_VIDEO_GONE
    const user = await db.getUser(record.userId)
    if (!user || !mayChange(user, video)) return CAMERA_NOT_YOURS
    return null
  }

  /** Why a retry of a failed live upload may not become its reserved video, or null. */
  private async retryRefusal(record: UploadRecord): Promise<string | null> {
    const { db } = this.library
    if (await db.discardedVideo(record.videoId)) return REPLACED_VIDEO_GONE
    return (await db.failedReservation(record.videoId, record.userId)) ? null : REPLACED_VIDEO_GONE
  }

  /** Why a `replaces` upload may not take its video's place now, or null when it may. */
  private async replaceRefusal(record: UploadRecord): Promise<string | null> {
    const { db } = this.library
    const video = await db.getVideo(record.videoId)
    if (!video) return REPLACED_VIDEO_GONE
    const user = await db.getUser(record.userId)
    if (!user || !mayChange(user, video)) return REPLACE_NOT_YOURS
    return null
  }

  /** Stops: no more retries, queued uploads are left for the next start, running tools killed. */
  close(): void {
    this.closed = true
    // Claims are released as each run ends (drain waits for them); a crash leaves them to lapse.
    for (const timer of this.retryTimers.values()) clearTimeout(timer)
    this.retryTimers.clear()
    this.queue.cancelWaiting(new MediaStoppedError('the server is stopping'))
    this.stopping.abort()
    this.closingFollowers = this.followers.close()
  }

  private closingFollowers: Promise<void> = Promise.resolve()

  /** Waits for running finalizations and followers (used on shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inflight.values(), this.closingFollowers])
  }
}

/** A live upload's file name with the extension of the container it was copied into. */
function withExtension(filename: string, container: string | undefined): string {
  const ext = container ?? 'mp4' // adopted by an earlier run: it read as MP4
  return `${filename.replace(/\.[A-Za-z0-9]{1,5}$/, '') || 'recording'}.${ext}`
}
