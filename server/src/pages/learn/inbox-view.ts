/**
 * The inbox page (`/inbox`): the viewer's notifications newest first, unread ones marked, each a
 * button that marks it read and goes to the exact place (a POST form: opening a GET link must
 * not change anything), "Mark all read", pages of INBOX_PAGE_SIZE.
 */
import type { NotificationKind } from '../../../../src/shared/learn'
import type { NotificationWords } from '../../api/notifications'
import type { LearnNotification } from '../../db/types'
import { timeTag } from '../format'
import { html, type SafeHtml } from '../html'
import { csrfForm, layout, notice, type Viewer } from '../layout'

export const INBOX_PAGE_SIZE = 30
/** Pages the inbox lists (older notifications are kept but not listed). */
export const INBOX_MAX_PAGES = 30

const KIND_LABEL: Record<NotificationKind, string> = {
  answer: 'Answer',
  solved: 'Solved',
  comment: 'Comment',
  reply: 'Reply',
  answered: 'Answered',
  helped: 'Helped'
}

export interface InboxItem {
  notification: LearnNotification
  words: NotificationWords
}

function pageHref(page: number): string {
  return page > 1 ? `/inbox?page=${page}` : '/inbox'
}

function item(viewer: Viewer, { notification: n, words }: InboxItem): SafeHtml {
  const unread = n.readAt === null
  return html`<li class="inbox-item${unread ? ' inbox-unread' : ''}" data-kind="${n.kind}">
    ${csrfForm(
      { action: `/inbox/${n.id}/open`, csrf: viewer.csrf, className: 'inbox-open' },
      html`<button type="submit" class="inbox-title">
        ${unread && html`<span class="inbox-dot" aria-hidden="true"></span><span class="visually-hidden">Unread: </span>`}${words.title}
      </button>`
    )}
    ${words.body && html`<p class="inbox-body">${words.body}</p>`}
    <p class="inbox-meta muted">
      <span class="inbox-kind">${KIND_LABEL[n.kind] ?? n.kind}</span
      ><span aria-hidden="true"> · </span>${timeTag(n.createdAt)}
    </p>
  </li>`
}

export function inboxPage(d: {
  viewer: Viewer
  items: InboxItem[]
  page: number
  /** Another page after this one. */
  more: boolean
  unread: number
  info?: string
}): SafeHtml {
  const { viewer } = d
  const body =
    d.items.length === 0
      ? html`<section class="empty" aria-labelledby="inbox-empty-h">
          <h2 id="inbox-empty-h">${d.page > 1 ? 'Nothing on this page' : 'Nothing here yet'}</h2>
          <p>
            ${
              d.page > 1
                ? html`<a href="/inbox">Go to the newest</a>.`
                : 'When someone answers your request, comments on your video, replies to you or says your video helped, it shows up here.'
            }
          </p>
        </section>`
      : html`<ol class="inbox-list" role="list">
            ${d.items.map((i) => item(viewer, i))}
          </ol>
          ${
            (d.page > 1 || d.more) &&
            html`<nav class="pagination" aria-label="Pages">
              ${d.page > 1 ? html`<a class="btn" href="${pageHref(d.page - 1)}" rel="prev">← Newer</a>` : html`<span></span>`}
              <span class="muted">Page ${d.page}</span>
              ${d.more ? html`<a class="btn" href="${pageHref(d.page + 1)}" rel="next">Older →</a>` : html`<span></span>`}
            </nav>`
          }`
  return layout(
    { title: 'Inbox', viewer },
    html`<div class="page narrow inbox">
      ${notice(d.info)}
      <div class="page-head">
        <h1>Inbox</h1>
        <p class="count" id="inbox-count">
          ${d.unread === 0 ? 'All read' : `${d.unread.toLocaleString('en')} unread`}
        </p>
      </div>
      ${
        d.unread > 0 &&
        csrfForm(
          { action: '/inbox/read', csrf: viewer.csrf, className: 'inbox-actions' },
          html`<button type="submit" class="btn btn-small">Mark all read</button>`
        )
      }
      ${body}
    </div>`
  )
}
