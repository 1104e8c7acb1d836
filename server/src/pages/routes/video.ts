/**
 * One video: its watch page for every signed-in viewer; edit (title, description) and delete for
 * its owner and administrators.
 */
import type { ServerResponse } from 'node:http'
import { UPLOAD_METADATA_LIMITS } from '../../../../src/shared/upload-metadata'
import type { Video } from '../../db/types'
import { VIDEO_ID, mayChange, videoUrl } from '../../library'
import { sendHtml } from '../http'
import { watchLearn } from '../learn/watch-learn'
import { toReservation } from '../reservations'
import { deletePage, discardedPage, editPage, reservationPage, watchPage } from '../views'
import {
  changeableVideo,
  cleanText,
  findVideo,
  formPost,
  requireViewer,
  videoNotFound,
  type PageContext,
  type PageRequest,
  type PageRoute,
  type PageViewer
} from './base'

async function watch(r: PageRequest): Promise<void> {
  const viewer = await requireViewer(r)
  if (!viewer) return
  const video = await findVideo(r.ctx, r.param)
  if (!video) return await notReady(r, viewer)
  await sendWatchPage(r.ctx, r.res, 200, {
    viewer,
    video,
    url: r.url,
    info: r.url.searchParams.has('saved') ? 'Your changes were saved.' : undefined
  })
}

/**
 * A signed-in viewer's watch page: the player's addresses, the owner's controls, learning
 * together's parts (they read `url`: a collection being played, a comment form's draft).
 */
export async function sendWatchPage(
  ctx: PageContext,
  res: ServerResponse,
  status: number,
  d: { viewer: PageViewer; video: Video; url: URL; info?: string }
): Promise<void> {
  const { viewer, video } = d
  const id = encodeURIComponent(video.id)
  const owner = mayChange(viewer.user, video)
  const linkUrl =
    owner && video.access === 'link' && video.linkToken
      ? `${ctx.library.config.publicUrl}/s/${encodeURIComponent(video.linkToken)}`
      : null
  sendHtml(
    res,
    status,
    watchPage({
      viewer,
      video,
      shareUrl: videoUrl(ctx.library.config, video.id),
      canEdit: owner,
      info: d.info,
      urls: {
        media: `/media/${id}`,
        view: `/api/videos/${id}/view`,
        original: owner ? `/media/${id}?original=1` : null,
        download: `/v/${id}/download`,
        thumb: video.hasThumbnail ? `/thumbs/${id}.jpg` : null,
        access: owner ? `/api/videos/${id}/access` : null
      },
      linkUrl,
      learn: await watchLearn(ctx, viewer, video, d.url)
    })
  )
}

/**
 * A link handed out before its video is in the library (instant share): being recorded, being
 * finished, failed (why, to its owner), or discarded (410). Not cached: it changes by itself.
 */
async function notReady(r: PageRequest, viewer: PageViewer): Promise<void> {
  const db = r.ctx.library.db
  const upload = VIDEO_ID.test(r.param) ? await db.reservation(r.param) : null
  r.res.setHeader('Cache-Control', 'no-store')
  if (upload) {
    sendHtml(
      r.res,
      200,
      reservationPage({
        viewer,
        reservation: toReservation(upload),
        shareUrl: videoUrl(r.ctx.library.config, upload.videoId),
        isOwner: upload.userId === viewer.user.id || viewer.user.admin
      })
    )
    return
  }
  if (VIDEO_ID.test(r.param) && (await db.discardedVideo(r.param))) {
    sendHtml(r.res, 410, discardedPage(viewer))
    return
  }
  videoNotFound(r.res, viewer)
}

async function showEdit(r: PageRequest): Promise<void> {
  const viewer = await requireViewer(r)
  const video = viewer && (await changeableVideo(r, viewer))
  if (!viewer || !video) return
  sendHtml(
    r.res,
    200,
    editPage({ viewer, video, title: video.title, description: video.description })
  )
}

/** Why a title or description cannot be saved, or undefined. */
function editError(title: string, description: string): string | undefined {
  const { title: titleMax, description: descriptionMax } = UPLOAD_METADATA_LIMITS
  if (!title) return 'The title cannot be empty.'
  if ([...title].length > titleMax) return `The title can be at most ${titleMax} characters.`
  if ([...description].length > descriptionMax)
    return `The description can be at most ${descriptionMax.toLocaleString('en')} characters.`
  return undefined
}

const saveEdit = formPost(async (post) => {
  const { res, ctx, viewer, form } = post
  const video = await changeableVideo(post, viewer)
  if (!video) return
  const title = cleanText(form.get('title') ?? '', false).trim()
  const description = cleanText(form.get('description') ?? '', true).trim()
  const error = editError(title, description)
  if (error) {
    sendHtml(res, 400, editPage({ viewer, video, title, description, error }))
    return
  }
  const updated = await ctx.library.write((db) => db.updateVideo(video.id, { title, description }))
  if (!updated) return videoNotFound(res, viewer)
  return `/v/${encodeURIComponent(video.id)}?saved=1`
})

async function confirmDelete(r: PageRequest): Promise<void> {
  const viewer = await requireViewer(r)
  const video = viewer && (await changeableVideo(r, viewer))
  if (viewer && video) sendHtml(r.res, 200, deletePage({ viewer, video }))
}

const deleteVideo = formPost(async (post) => {
  const video = await changeableVideo(post, post.viewer)
  if (!video) return
  await post.ctx.library.deleteVideo(video.id)
  return '/?deleted=1'
})

export const videoRoutes: PageRoute[] = [
  { path: /^\/v\/([^/]+)$/, get: watch },
  { path: /^\/v\/([^/]+)\/edit$/, get: showEdit, post: saveEdit },
  { path: /^\/v\/([^/]+)\/delete$/, get: confirmDelete, post: deleteVideo }
]
