/** SKELETON (learning together): the requests helper fills these in. */
import type { Video } from '../../db/types'
import { html, type SafeHtml } from '../html'
import type { PageContext, PageViewer } from '../routes/base'

/** On a watch page: the requests this video answers (links to them). */
export function watchAnswers(_ctx: PageContext, _viewer: PageViewer, _video: Video): SafeHtml {
  return html``
}

/**
 * On the library's home: the open requests (newest few, "Ask for a walkthrough"); with a search,
 * the requests it finds.
 */
export function homeRequests(_ctx: PageContext, _viewer: PageViewer, _query: string): SafeHtml {
  return html``
}
