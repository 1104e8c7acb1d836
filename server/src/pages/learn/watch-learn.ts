/**
 * What learning together adds to a signed-in watch page (docs/learning-together.md): in the info
 * column, the requests the video answers, the collection being played, "This helped"; below the
 * player, the comments and questions at moments. Each part is its own module.
 */
import type { Video } from '../../db/types'
import { html, type SafeHtml } from '../html'
import type { PageContext, PageViewer } from '../routes/base'
import { watchCollection } from './collections-view'
import { watchComments, watchHelped } from './comments-view'
import { watchAnswers } from './requests-view'

export interface WatchLearn {
  /** After the actions in the info column. */
  readonly info: SafeHtml
  /** After the callouts, across the page. */
  readonly sections: SafeHtml
}

export async function watchLearn(
  ctx: PageContext,
  viewer: PageViewer,
  video: Video,
  url: URL
): Promise<WatchLearn> {
  return {
    info: html`${await watchAnswers(ctx, viewer, video)}${await watchCollection(ctx, viewer, video, url)}${await watchHelped(ctx, viewer, video)}`,
    sections: await watchComments(ctx, viewer, video, url)
  }
}
