/** SKELETON (learning together): the notifications and collections helper fills this in. */
import type { Video } from '../../db/types'
import { html, type SafeHtml } from '../html'
import type { PageContext, PageViewer } from '../routes/base'

/**
 * In the watch page's info column: playing a collection (`?collection=<id>`), its place and what
 * plays next; otherwise "Add to collection".
 */
export function watchCollection(
  _ctx: PageContext,
  _viewer: PageViewer,
  _video: Video,
  _url: URL
): SafeHtml {
  return html``
}
