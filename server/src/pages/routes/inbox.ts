/**
 * The inbox (docs/learning-together.md, "Notifications"). Viewing it changes nothing; a
 * notification is marked read when it is opened — a POST (`/inbox/:id/open`, the item is a
 * submit button) that marks it and sends the browser on to the exact place with 303 — or with
 * "Mark all read" (`POST /inbox/read`).
 */
import { NotificationLookups, describeNotification } from '../../api/notifications'
import type { LearnNotification } from '../../db/types'
import { sendHtml } from '../http'
import { INBOX_MAX_PAGES, INBOX_PAGE_SIZE, inboxPage } from '../learn/inbox-view'
import { formPost, requireViewer, sendErrorPage, type PageRequest, type PageRoute } from './base'

/** `?page=`: 1 unless it is plain digits within the listed pages. */
function pageOf(url: URL): number {
  const text = url.searchParams.get('page') ?? ''
  const page = /^\d{1,4}$/.test(text) ? Number(text) : 1
  return Math.min(Math.max(page, 1), INBOX_MAX_PAGES)
}

async function showInbox(r: PageRequest): Promise<void> {
  const viewer = await requireViewer(r)
  if (!viewer) return
  const { db } = r.ctx.library
  const page = pageOf(r.url)
  // Newest first by id: the page is the tail of the newest page × size (+1 tells whether there
  // are more). Bounded by INBOX_MAX_PAGES.
  const rows = await db.notificationsOf(viewer.user.id, { limit: page * INBOX_PAGE_SIZE + 1 })
  const shown = rows.slice((page - 1) * INBOX_PAGE_SIZE, page * INBOX_PAGE_SIZE)
  const lookups = new NotificationLookups(db)
  // One after another, in order (the lookups cache what the earlier ones read).
  const items = []
  for (const notification of shown) {
    items.push({ notification, words: await describeNotification(notification, lookups) })
  }
  sendHtml(
    r.res,
    200,
    inboxPage({
      viewer,
      items,
      page,
      more: rows.length > page * INBOX_PAGE_SIZE && page < INBOX_MAX_PAGES,
      unread: viewer.unread ?? (await db.unreadCount(viewer.user.id)),
      info: r.url.searchParams.has('read') ? 'All notifications are marked read.' : undefined
    })
  )
}

const markAllRead = formPost(async ({ ctx, viewer }) => {
  await ctx.library.write((db) => db.markRead(viewer.user.id))
  return '/inbox?read=1'
})

/** Marks one of the viewer's notifications read and goes to its place; another's is 404. */
const openOne = formPost(async ({ res, ctx, viewer, param }) => {
  const id = /^\d{1,15}$/.test(param) ? Number(param) : 0
  const { db } = ctx.library
  const n = await findOwn(ctx, viewer.user.id, id)
  if (!n) {
    sendErrorPage(res, {
      viewer,
      status: 404,
      title: 'Notification not found',
      message: 'This notification is not in your inbox any more.'
    })
    return
  }
  if (n.readAt === null) await ctx.library.write((d) => d.markRead(viewer.user.id, [id]))
  return (await describeNotification(n, new NotificationLookups(db))).path
})

/**
 * One of the user's notifications by id, or null (someone else's is not found): the oldest of
 * theirs above `id - 1`, looked for within the notifications the inbox lists.
 */
async function findOwn(
  ctx: PageRequest['ctx'],
  userId: number,
  id: number
): Promise<LearnNotification | null> {
  if (id <= 0) return null
  const rows = await ctx.library.db.notificationsOf(userId, {
    after: id - 1,
    limit: INBOX_MAX_PAGES * INBOX_PAGE_SIZE
  })
  return rows.find((n) => n.id === id) ?? null
}

export const inboxRoutes: PageRoute[] = [
  { path: /^\/inbox$/, get: showInbox },
  { path: /^\/inbox\/read$/, post: markAllRead },
  { path: /^\/inbox\/(\d+)\/open$/, post: openOne }
]
