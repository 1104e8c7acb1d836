/**
 * The download: an MP4 with everything burnt in (cuts, blur and the callouts), rendered on
 * demand by the render service and kept per edits version. While it renders, a page says how far
 * it is and reloads itself (no script); `?retry=1` asks again after a failure. Scripts and tests
 * asking for JSON (`Accept: application/json`) get `{ state, progress }` or `{ state, error }`.
 *
 *   GET /v/:id/download        a signed-in member
 *   GET /s/:token/download     anyone with the video's link, while the link is on
 */
import type { Video } from '../../db/types'
import type { DownloadState } from '../../renders/render-service'
import { html, type SafeHtml } from '../html'
import { sendHtml, sendText } from '../http'
import { layout, titleOf, type Viewer } from '../layout'
import { attachment, sendLocalFile } from '../send-file'
import { findVideo, requireViewer, videoNotFound, type PageRequest, type PageRoute } from './base'

/** How often the waiting page reloads itself, seconds. */
const REFRESH_SECONDS = 2

function wantsJson(r: PageRequest): boolean {
  return /\bapplication\/json\b/.test(r.req.headers.accept ?? '')
}

function preparingPage(d: {
  viewer: Viewer | null
  video: Video
  state: Exclude<DownloadState, { state: 'ready' }>
  back: string
}): SafeHtml {
  const state = d.state
  const failed = state.state === 'failed'
  const percent = state.state === 'failed' ? 0 : Math.round(state.progress * 100)
  return layout(
    {
      title: `Download ${titleOf(d.video)}`,
      viewer: d.viewer,
      visitor: d.viewer === null,
      ...(failed ? {} : { refreshSeconds: REFRESH_SECONDS })
    },
    html`<div class="page narrow download-page">
      <h1>${titleOf(d.video)}</h1>
      ${
        failed
          ? html`<p class="notice error" role="alert">
                The download could not be made. ${state.state === 'failed' ? state.error : ''}
              </p>
              <p>
                <a class="btn" href="?retry=1">Try again</a>
                <a href="${d.back}">Back to the video</a>
              </p>`
          : html`<p role="status">
                ${state.state === 'queued' ? 'Waiting for its turn…' : 'Preparing your download…'}
                ${String(percent)} %
              </p>
              <progress max="100" value="${String(percent)}" aria-label="Download being prepared">
                ${String(percent)} %
              </progress>
              <p class="muted">
                The video is made with the callouts, cuts and blur burnt in. It starts by itself
                when it is ready; this page refreshes every ${String(REFRESH_SECONDS)} seconds.
              </p>
              <p><a href="${d.back}">Back to the video</a></p>`
      }
    </div>`
  )
}

async function answer(
  r: PageRequest,
  video: Video,
  viewer: Viewer | null,
  back: string
): Promise<void> {
  const state = await r.ctx.library.renders.download(video, {
    retry: r.url.searchParams.get('retry') === '1'
  })
  r.res.setHeader('Cache-Control', 'no-store')
  if (state.state === 'ready') {
    const sent = await sendLocalFile(r.req, r.res, state.file, {
      'Content-Type': 'video/mp4',
      'Cache-Control': 'private, no-store',
      'Content-Disposition': attachment(`${titleOf(video)}.mp4`)
    })
    if (sent) return
    // Removed meanwhile (a newer version's download replaced it): made again.
    return answer(r, video, viewer, back)
  }
  if (wantsJson(r)) {
    r.res.statusCode = 202
    r.res.setHeader('Content-Type', 'application/json; charset=utf-8')
    r.res.end(JSON.stringify(state))
    return
  }
  sendHtml(r.res, 202, preparingPage({ viewer, video, state, back }))
}

async function memberDownload(r: PageRequest): Promise<void> {
  const viewer = await requireViewer(r)
  if (!viewer) return
  const video = await findVideo(r.ctx, r.param)
  if (!video) return videoNotFound(r.res, viewer)
  await answer(r, video, viewer, `/v/${encodeURIComponent(video.id)}`)
}

async function visitorDownload(r: PageRequest): Promise<void> {
  const video = r.param ? await r.ctx.library.db.videoByLinkToken(r.param) : null
  if (!video) {
    sendText(r.res, 404, 'This link was turned off or never existed.')
    return
  }
  await answer(r, video, null, `/s/${encodeURIComponent(r.param)}`)
}

export const downloadRoutes: PageRoute[] = [
  { path: /^\/v\/([^/]+)\/download$/, get: memberDownload },
  { path: /^\/s\/([^/]+)\/download$/, get: visitorDownload }
]
