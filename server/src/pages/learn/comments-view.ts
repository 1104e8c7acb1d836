/** SKELETON (learning together): the comments helper fills these in. */
import type { Video } from '../../db/types'
import { html, type SafeHtml } from '../html'
import type { PageContext, PageViewer } from '../routes/base'

/** In the watch page's info column: "This helped" and, for the author, who it helped and watched. */
export function watchHelped(_ctx: PageContext, _viewer: PageViewer, _video: Video): SafeHtml {
  return html``
}

/** Below the player: the comments and questions at moments, with the form to add one. */
export function watchComments(
  _ctx: PageContext,
  _viewer: PageViewer,
  _video: Video,
  _url: URL
): SafeHtml {
  return html``
}
