/**
 * "Anyone with the link": a video's visitor page and media, no sign-in (issue 13). A visitor gets
 * exactly what a colleague gets — the viewers' media (never the original), the callouts drawn
 * live — and nothing else: no library, no search, no other video. A token that is unknown,
 * turned off or renewed is one 404 for all, which says nothing of whether a video exists.
 * Tokens are never logged. The visitor page carries the video's link preview (Open Graph,
 * oEmbed; pages/learn/unfurl.ts): whoever holds the link may watch it anyway.
 */
import { LINK_TOKEN, sendView, viewJson } from '../../api/edits'
import { sendJson } from '../../api/json'
import type { Video } from '../../db/types'
import { sendHtml, sendText } from '../http'
import { linkVideoOg } from '../learn/unfurl'
import { watchPage } from '../views'
import { sendErrorPage, type PageRequest, type PageRoute } from './base'
import { sendThumbnail, sendViewerMedia } from './files'

const GONE = 'This link was turned off or never existed.'

/** The video whose link is on and is `token`; else null (a malformed token is not looked up). */
async function linkedVideo(r: PageRequest): Promise<Video | null> {
  return LINK_TOKEN.test(r.param) ? await r.ctx.library.db.videoByLinkToken(r.param) : null
}

/** The link's addresses, all under `/s/:token/`. */
function base(video: Video): string {
  return `/s/${encodeURIComponent(video.linkToken ?? '')}`
}

/** GET/HEAD /s/:token — the visitor's watch page. */
async function visit(r: PageRequest): Promise<void> {
  const video = await linkedVideo(r)
  if (!video) {
    sendErrorPage(r.res, { viewer: null, status: 404, title: 'Link not found', message: GONE })
    return
  }
  const at = base(video)
  // The thumbnail of what viewers are served (none while it is being processed).
  const thumbed = (await r.ctx.library.renders.viewerThumbnail(video)).kind !== 'none'
  const thumb = thumbed && video.hasThumbnail ? `${at}/thumb.jpg` : null
  sendHtml(
    r.res,
    200,
    watchPage({
      viewer: null,
      video,
      shareUrl: `${r.ctx.library.config.publicUrl}${at}`,
      canEdit: false,
      urls: {
        media: `${at}/media`,
        view: `${at}/view`,
        original: null,
        download: `${at}/download`,
        thumb,
        access: null
      },
      linkUrl: null,
      og: linkVideoOg(r.ctx.library, video, thumb)
    })
  )
}

/** GET/HEAD /s/:token/media — what viewers are served, never the original while it hides. */
async function media(r: PageRequest): Promise<void> {
  const video = await linkedVideo(r)
  if (!video) {
    sendText(r.res, 404, GONE)
    return
  }
  await sendViewerMedia(r, video)
}

/** GET /s/:token/view — the view JSON of /api/videos/:id/view, without the owner's fields. */
async function view(r: PageRequest): Promise<void> {
  const video = await linkedVideo(r)
  if (!video) {
    sendJson(r.res, 404, { error: GONE })
    return
  }
  sendView(
    r.req,
    r.res,
    await viewJson(r.ctx.library, video, { media: `${base(video)}/media`, original: null })
  )
}

/** GET/HEAD /s/:token/thumb.jpg — of what viewers are served, never of what is hidden. */
async function thumb(r: PageRequest): Promise<void> {
  await sendThumbnail(r, await linkedVideo(r))
}

export const sharedLinkRoutes: PageRoute[] = [
  { path: /^\/s\/([^/]+)$/, get: visit },
  { path: /^\/s\/([^/]+)\/media$/, get: media },
  { path: /^\/s\/([^/]+)\/view$/, get: view },
  { path: /^\/s\/([^/]+)\/thumb\.jpg$/, get: thumb }
]
