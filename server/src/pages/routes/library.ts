/** The library: every video, newest first, or the ones a search finds; a page at a time. */
import { searchWords } from '../../db/sql/search'
import { SEARCH_MAX } from '../../library'
import { sendHtml } from '../http'
import { homeRequests } from '../learn/requests-view'
import { toReservation } from '../reservations'
import { PAGE_SIZE, libraryPage } from '../views'
import { requireViewer, type PageRequest, type PageRoute } from './base'

/**
 * Counts stop here ("10,000+ videos", "1,000+ videos matching …"): a page costs what its videos
 * cost, however large the library or common the word.
 */
export const LIBRARY_COUNT_UP_TO = 10_000
export const SEARCH_COUNT_UP_TO = 1000

async function library(r: PageRequest): Promise<void> {
  const viewer = await requireViewer(r)
  if (!viewer) return
  const { searchParams } = r.url
  const query = (searchParams.get('q') ?? '').trim().slice(0, SEARCH_MAX)
  const pageParam = Number(searchParams.get('page') ?? '1')
  const page = Number.isSafeInteger(pageParam) && pageParam >= 1 ? pageParam : 1
  const db = r.ctx.library.db
  // One more than a page tells whether an older page follows, whatever the count says.
  const found = await db.findVideos(query, {
    limit: PAGE_SIZE + 1,
    offset: (page - 1) * PAGE_SIZE,
    // A query without words ("!!!") lists the whole library, as findVideos does.
    countUpTo: searchWords(query).length > 0 ? SEARCH_COUNT_UP_TO : LIBRARY_COUNT_UP_TO
  })
  const { total, totalIsAtLeast } = found
  const videos = found.videos.slice(0, PAGE_SIZE)
  // The viewer's own videos on their way, on the first page of the whole library only.
  const reservations =
    query || page > 1 ? [] : (await db.reservationsOf(viewer.user.id)).map(toReservation)
  sendHtml(
    r.res,
    200,
    libraryPage({
      viewer,
      reservations,
      videos,
      total,
      totalIsAtLeast,
      hasOlder: found.videos.length > PAGE_SIZE,
      page,
      query,
      publicUrl: r.ctx.library.config.publicUrl,
      info: searchParams.has('deleted') ? 'The video was deleted.' : undefined,
      requests: page === 1 ? await homeRequests(r.ctx, viewer, query) : undefined
    })
  )
}

export const libraryRoutes: PageRoute[] = [{ path: /^\/$/, get: library }]
