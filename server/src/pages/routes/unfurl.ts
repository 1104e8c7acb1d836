/**
 * `GET /oembed?url=<address>&format=json` (no sign-in): what a chat tool shows for a library
 * address (docs/learning-together.md, "Links that unfurl"; pages/learn/unfurl.ts decides).
 *
 * - `<publicUrl>/s/<token>` of a video whose link is on → `{ version: "1.0", type: "link", title,
 *   author_name, provider_name, provider_url, thumbnail_url?, thumbnail_width?, thumbnail_height? }`
 * - `<publicUrl>/v/<id>` (whatever its access, whether or not it exists) → the generic
 *   `{ version, type: "link", title: "Sidecast video", provider_name, provider_url }`
 * - anything else (another host, an unknown or turned-off link) → 404; `format` other than json
 *   → 501; no `url` or one longer than 2 KB → 400. `maxwidth`/`maxheight` are ignored.
 */
import { sendJson } from '../../api/json'
import type { Video } from '../../db/types'
import type { Library } from '../../library'
import { PRODUCT_NAME, titleOf } from '../layout'
import { GENERIC_VIDEO_TITLE, OEMBED_URL_MAX, jpegSize, unfurlTarget } from '../learn/unfurl'
import type { PageRequest, PageRoute } from './base'

/** The thumbnail file a link's visitor is served (files.ts sendThumbnail's rule), or null. */
export async function linkThumbnailFile(library: Library, video: Video): Promise<string | null> {
  if (!video.hasThumbnail) return null
  const shown = await library.renders.viewerThumbnail(video)
  if (shown.kind === 'none') return null
  return shown.kind === 'file' ? shown.file : library.thumbnailFile(video)
}

async function oembed(r: PageRequest): Promise<void> {
  const { res, url } = r
  const library = r.ctx.library
  const { publicUrl } = library.config
  const format = url.searchParams.get('format') ?? 'json'
  if (format !== 'json') {
    sendJson(res, 501, { error: 'only format=json is served' })
    return
  }
  const address = url.searchParams.get('url') ?? ''
  if (!address || address.length > OEMBED_URL_MAX) {
    sendJson(res, 400, {
      error: `url must be a library address of at most ${OEMBED_URL_MAX} characters`
    })
    return
  }
  const provider = { provider_name: PRODUCT_NAME, provider_url: publicUrl }
  const target = unfurlTarget(library, address)
  if (target.kind === 'video') {
    sendJson(res, 200, { version: '1.0', type: 'link', title: GENERIC_VIDEO_TITLE, ...provider })
    return
  }
  const video = target.kind === 'link' ? await library.db.videoByLinkToken(target.token) : null
  if (!video) {
    sendJson(res, 404, { error: 'not found' })
    return
  }
  const thumbFile = await linkThumbnailFile(library, video)
  const size = thumbFile ? await jpegSize(thumbFile) : null
  const thumbnail =
    thumbFile && size
      ? {
          thumbnail_url: `${publicUrl}/s/${encodeURIComponent(target.kind === 'link' ? target.token : '')}/thumb.jpg`,
          thumbnail_width: size.width,
          thumbnail_height: size.height
        }
      : {}
  sendJson(res, 200, {
    version: '1.0',
    type: 'link',
    title: titleOf(video),
    author_name: video.authorName,
    ...provider,
    ...thumbnail
  })
}

export const unfurlRoutes: PageRoute[] = [{ path: /^\/oembed$/, get: oembed }]
