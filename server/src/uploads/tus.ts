/**
 * `/api/uploads`: tus 1.0 (@tus/server) with creation, creation-with-upload, termination,
 * expiration and a size limit, behind Bearer-token auth and per-user ownership of uploads.
 * Also `GET /api/uploads/:id/video` (and `/status`): what became of an upload.
 */
import crypto from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Server as TusServer, type DataStore, type Locker, type Upload } from '@tus/server'
import { resolveToken } from '../auth'
import { LocalLocker } from '../cluster/memory-locker'
import type { User } from '../db/types'
import { mayChange, videoUrl, type LibraryInternals } from '../library'
import { safeJson, sendJson } from '../api/json'
import { CORS_EXPOSE_HEADERS, SIDECAST_EXPOSE_HEADERS } from '../cors'
import { OUT_OF_SPACE_MESSAGE } from '../disk-space'
import { UPLOAD_ID } from '../storage'
import { unavailable } from '../unavailable'
import { MetadataError, validateMetadata } from './metadata'
import { createUploadWithinQuota } from './quota'
import {
  CAMERA_NOT_YOURS,
  CAMERA_VIDEO_GONE,
  REPLACE_NOT_YOURS,
  REPLACED_VIDEO_GONE,
  type Outcome,
  type UploadProcessor
} from './processor'

export const UPLOADS_PATH = '/api/uploads'

/** The Node request behind tus's web Request (srvx keeps it at runtime.node.req). */
function nodeReq(req: unknown): IncomingMessage | undefined {
  return (req as { runtime?: { node?: { req?: IncomingMessage } } }).runtime?.node?.req
}

/** The Node response of tus's web Request: headers set on it join tus's own answer. */
function nodeRes(req: unknown): ServerResponse | undefined {
  return (req as { runtime?: { node?: { res?: ServerResponse } } }).runtime?.node?.res
}

function tusError(status: number, message: string): { status_code: number; body: string } {
  return { status_code: status, body: `${safeJson({ error: message })}\n` }
}

export interface UploadsHandler {
  tus: TusServer
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void>
}

/**
 * `locker`: the upload locks (cluster/shared-state.ts) — in this process by default, in Redis
 * when several instances serve the same uploads.
 */
export function createUploadsHandler(
  library: LibraryInternals,
  processor: UploadProcessor,
  locker: Locker = new LocalLocker()
): UploadsHandler {
  const { db, config } = library
  const users = new WeakMap<IncomingMessage, User>()
  /** The upload a POST created, so a POST that fails after creating it can remove it. */
  const createdBy = new WeakMap<IncomingMessage, string>()

  /**
   * A creation-with-upload whose body failed (too large, cut off) answers without a Location:
   * no client can ever resume or delete that upload, so its record and bytes go at once rather
   * than at expiry.
   */
  async function discardFailedCreation(req: IncomingMessage | undefined): Promise<void> {
    const id = req && createdBy.get(req)
    if (!id || (await db.getUpload(id))?.state !== 'uploading') return
    createdBy.delete(req)
    try {
      await library.storage.remove(id)
      await db.deleteUpload(id)
    } catch (error) {
      processor.log(`upload ${id}: could not remove a failed creation: ${String(error)}`)
    }
  }

  const tus = new TusServer({
    path: UPLOADS_PATH,
    // An upload removed through tus (DELETE, expiry) is forgotten before tus answers, so a client
    // that deleted one may start another in its place at once (the per-user cap counts records).
    // A live upload's reserved link then says "This video was discarded".
    datastore: forgettingStore(library.storage.datastore, async (id) => {
      try {
        await db.discardUpload(id)
      } catch (error) {
        // The reconciler forgets it later.
        processor.log(`upload ${id}: could not forget it yet: ${String(error)}`)
      }
    }),
    locker,
    maxSize: config.maxUploadSize,
    namingFunction: () => crypto.randomBytes(16).toString('hex'),
    generateUrl: (_req, { id }) => `${config.publicUrl}${UPLOADS_PATH}/${id}`,
    disableTerminationForFinishedUploads: true,
    // tus adds Access-Control-Allow-Origin: * and its own headers (Location, Upload-Offset…).
    exposedHeaders: SIDECAST_EXPOSE_HEADERS,
    async onUploadCreate(req, upload) {
      const user = users.get(nodeReq(req) as IncomingMessage)
      if (!user) throw tusError(401, 'Authorization: Bearer <token> required')
      // Nothing to check and nothing to keep (tusd's policy too): say so before storing anything.
      if (upload.size === 0) {
        throw tusError(400, 'Upload-Length: the upload is empty (0 bytes); send a video file')
      }
      let meta
      try {
        meta = validateMetadata(upload.metadata ?? {})
      } catch (error) {
        if (error instanceof MetadataError) throw tusError(400, `Upload-Metadata: ${error.message}`)
        throw error
      }
      let videoId = crypto.randomBytes(12).toString('base64url')
      if (meta.replaces) {
        // A new version of a video: only its owner or an admin, and never of a video that is gone.
        // Or "Try again" after a live upload failed to finish: its owner's new upload takes the
        // reserved id, so the link already handed out stays the link.
        // Sidecast-Refused: replace tells a client this is no token or transient problem.
        const target = await db.getVideo(meta.replaces)
        const retry = !target && (await db.failedReservation(meta.replaces, user.id))
        if (!retry && (!target || !mayChange(user, target))) {
          nodeRes(req)?.setHeader('Sidecast-Refused', 'replace')
          throw target ? tusError(403, REPLACE_NOT_YOURS) : tusError(404, REPLACED_VIDEO_GONE)
        }
        videoId = meta.replaces
      }
      if (meta.cameraFor) {
        // A camera recording: only for a video in the library that the uploader may change.
        const target = await db.getVideo(meta.cameraFor)
        if (!target || !mayChange(user, target)) {
          nodeRes(req)?.setHeader('Sidecast-Refused', 'camera')
          throw target ? tusError(403, CAMERA_NOT_YOURS) : tusError(404, CAMERA_VIDEO_GONE)
        }
        videoId = meta.cameraFor
      }
      // Counted and created in one transaction: two creations — in this process or on another
      // instance — cannot both take the last place.
      const refusal = await library.write((d) =>
        createUploadWithinQuota(
          d,
          config,
          {
            id: upload.id,
            userId: user.id,
            videoId,
            metadata: JSON.stringify(meta),
            declaredBytes: upload.size ?? null,
            live: meta.live
          },
          upload.size
        )
      )
      if (refusal) throw tusError(429, refusal)
      const node = nodeReq(req)
      if (node) createdBy.set(node, upload.id)
      // The link is known from now on (instant share): the app shows it before the video exists.
      const res = nodeRes(req)
      res?.setHeader('Sidecast-Video-Id', videoId)
      res?.setHeader('Sidecast-Video-Url', videoUrl(config, videoId))
      return {}
    },
    async onUploadFinish(_req, upload: Upload) {
      const started = performance.now()
      const outcome = await processor.finalizeOrRetry(upload.id)
      if (outcome.state === 'failed') throw tusError(422, outcome.error)
      const timing = `process;desc="verify, thumbnail, save";dur=${(performance.now() - started).toFixed(1)}`
      return { headers: { ...outcomeHeaders(outcome), 'Server-Timing': timing } }
    },
    async onResponseError(req, err) {
      // A busy database (503, Retry-After) or a full disk (507): said, not a bare 500. On a full
      // disk the reserve goes first, so the failed creation's record can still be deleted.
      const trouble = unavailable(err)
      if (trouble?.status === 507) library.space.release()
      if (req.method === 'POST') {
        await discardFailedCreation(nodeReq(req))
        // No upload, so no link: a failed creation must not hand one out.
        nodeRes(req)?.removeHeader('Sidecast-Video-Id')
        nodeRes(req)?.removeHeader('Sidecast-Video-Url')
      }
      if (trouble) {
        const res = nodeRes(req)
        for (const [name, value] of Object.entries(trouble.headers)) res?.setHeader(name, value)
        return tusError(trouble.status, trouble.message)
      }
      if (err instanceof Error && !('status_code' in err)) {
        processor.log(`tus: ${err.stack ?? err.message}`)
        return tusError(500, 'internal error')
      }
      return undefined
    }
  })

  // Once the final response is built, tus no longer needs its copy of a finished upload.
  tus.on('POST_FINISH', (_req: unknown, _res: unknown, upload: Upload) => {
    db.getUpload(upload.id).then(
      (record) => {
        if (record?.state === 'done') {
          setTimeout(() => {
            library.storage.release(upload.id).catch(() => {})
          }, 1000).unref()
        }
      },
      (error: unknown) => {
        processor.log(`upload ${upload.id}: could not read its state: ${String(error)}`)
      }
    )
  })

  tus.on('POST_TERMINATE', (_req: unknown, _res: unknown, id: string) => {
    void processor.stopLive(id)
  })

  function outcomeHeaders(outcome: Outcome): Record<string, string> {
    if (outcome.state === 'done') {
      return {
        'Sidecast-Upload-State': 'done',
        'Sidecast-Video-Id': outcome.video.id,
        'Sidecast-Video-Url': videoUrl(config, outcome.video.id)
      }
    }
    return { 'Sidecast-Upload-State': outcome.state }
  }

  /** JSON with the headers a tus client reads on every answer. */
  function send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {}
  ): void {
    sendJson(res, status, body, {
      'Tus-Resumable': '1.0.0',
      'Access-Control-Expose-Headers': CORS_EXPOSE_HEADERS.join(', '),
      ...headers
    })
  }

  async function describe(
    uploadId: string
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const record = await db.getUpload(uploadId)
    if (!record) return { status: 404, body: { error: 'no such upload' } }
    if (record.state === 'done') {
      const video = await db.getVideo(record.videoId)
      if (!video) return { status: 410, body: { state: 'deleted', error: 'the video was deleted' } }
      return {
        status: 200,
        body: { state: 'done', id: video.id, url: videoUrl(config, video.id) }
      }
    }
    if (record.state === 'failed') {
      return { status: 422, body: { state: 'failed', error: record.error ?? 'failed' } }
    }
    const live = record.live
    const position = processor.queuePosition(uploadId)
    if (position !== null) return { status: 202, body: { state: 'queued', position, live } }
    const url = videoUrl(config, record.videoId)
    return { status: 202, body: { state: record.state, live, id: record.videoId, url } }
  }

  /** describe(), with how many bytes an unfinished upload holds (the app and the bench poll it). */
  async function describeWithOffset(
    uploadId: string
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const described = await describe(uploadId)
    if (described.body.state !== 'uploading') return described
    const upload = await library.storage.datastore.getUpload(uploadId).catch(() => null)
    if (!upload) return described
    const length = upload.size ?? null
    return { ...described, body: { ...described.body, offset: upload.offset, length } }
  }

  /**
   * False (and 507 answered, the body drained unread so the client hears why) while the disk is
   * full: the space reserve is released until it can be made again (disk-space.ts).
   */
  async function roomForUploads(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (await library.space.ready()) return true
    req.resume()
    send(res, 507, { error: OUT_OF_SPACE_MESSAGE })
    return false
  }

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    pathname: string
  ): Promise<void> {
    const who = await resolveToken(req, db)
    if (!who) {
      send(
        res,
        401,
        { error: 'Authorization: Bearer <token> required' },
        {
          'WWW-Authenticate': 'Bearer realm="sidecast"'
        }
      )
      req.resume()
      return
    }
    const rest = pathname.slice(UPLOADS_PATH.length)
    if (rest === '' || rest === '/') {
      if (req.method !== 'POST' && req.method !== 'OPTIONS') {
        send(res, 405, { error: 'create uploads with POST' }, { Allow: 'POST, OPTIONS' })
        req.resume()
        return
      }
      if (req.method === 'POST' && !(await roomForUploads(req, res))) return
      users.set(req, who.user)
      await tus.handle(req, res)
      return
    }

    const parts = rest.slice(1).split('/')
    const uploadId = parts[0] ?? ''
    const record = UPLOAD_ID.test(uploadId) ? await db.getUpload(uploadId) : null
    if (!record || (record.userId !== who.user.id && !who.user.admin)) {
      send(res, 404, { error: 'no such upload' })
      req.resume()
      return
    }

    if (parts.length === 2 && (parts[1] === 'video' || parts[1] === 'status')) {
      if (req.method !== 'GET') {
        send(res, 405, { error: 'use GET' }, { Allow: 'GET' })
        return
      }
      const { status, body } = await describeWithOffset(uploadId)
      // /status always answers 200 with the state; /video answers the state's status code.
      send(res, parts[1] === 'status' ? 200 : status, body)
      return
    }
    if (parts.length !== 1) {
      send(res, 404, { error: 'not found' })
      req.resume()
      return
    }

    if (record.state !== 'uploading') {
      // The bytes are complete (and moved into the library, for file storage).
      if (req.method === 'HEAD') {
        const video = await db.getVideo(record.videoId)
        const size = video?.sizeBytes
        if (record.state === 'failed' || (record.state === 'done' && !video)) {
          res.writeHead(410, { 'Tus-Resumable': '1.0.0', 'Cache-Control': 'no-store' })
          res.end()
          return
        }
        const headers: Record<string, string> = {
          'Tus-Resumable': '1.0.0',
          'Cache-Control': 'no-store',
          'Access-Control-Expose-Headers': CORS_EXPOSE_HEADERS.join(', ')
        }
        if (size !== undefined) {
          headers['Upload-Offset'] = String(size)
          headers['Upload-Length'] = String(size)
        } else {
          const upload = await library.storage.datastore.getUpload(uploadId).catch(() => null)
          if (upload?.size !== undefined) {
            headers['Upload-Offset'] = String(upload.size)
            headers['Upload-Length'] = String(upload.size)
          } else {
            const stat = await library.storage.open(uploadId).catch(() => null)
            headers['Upload-Offset'] = String(stat?.size ?? 0)
            headers['Upload-Length'] = String(stat?.size ?? 0)
          }
        }
        const outcome: Outcome =
          record.state === 'done' && video ? { state: 'done', video } : { state: 'processing' }
        res.writeHead(200, { ...headers, ...outcomeHeaders(outcome) })
        res.end()
        return
      }
      if (req.method === 'DELETE' && record.state === 'failed' && record.live) {
        // Discarding a recording whose live upload failed: its link says it was discarded.
        await library.write((d) => d.discardUpload(uploadId))
        res.writeHead(204, { 'Tus-Resumable': '1.0.0' })
        res.end()
        return
      }
      if (req.method === 'DELETE') {
        send(res, 400, {
          error: 'this upload is finished; delete the video instead (DELETE /api/videos/:id)'
        })
        return
      }
      if (req.method === 'PATCH') {
        const { body } = await describe(uploadId)
        send(res, record.state === 'failed' ? 422 : 409, {
          error: 'this upload is already complete',
          ...body
        })
        req.resume()
        return
      }
    }
    if (req.method === 'GET') {
      send(res, 405, { error: 'uploads are not downloadable; see /media/:videoId' })
      return
    }
    if (req.method === 'PATCH' && !(await roomForUploads(req, res))) return
    users.set(req, who.user)
    await tus.handle(req, res)
    // New bytes of a recording: the copy made as they arrive picks them up.
    if (req.method === 'PATCH' && record.live) processor.followLive(uploadId)
  }

  return { tus, handle }
}

/**
 * `store` as tus drives it, except that `remove` (a DELETE, an expiry) also runs `forget` before
 * it resolves. A proxy, so the store's own calls to `this.remove` (expiry) go through it too.
 */
function forgettingStore(store: DataStore, forget: (id: string) => Promise<void>): DataStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop !== 'remove') return Reflect.get(target, prop, receiver) as unknown
      return async (id: string): Promise<void> => {
        await target.remove.call(receiver, id)
        await forget(id)
      }
    }
  })
}
