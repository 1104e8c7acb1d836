/**
 * Walkthrough requests in the library's pages (docs/learning-together.md, "Requests"): the list
 * (`/requests`), one request (`/r/:id`) with its answers, the ask and edit forms, the delete
 * confirmation; on the home page the open requests (or those a search finds), on a watch page
 * the requests the video answers. Every piece of user text goes through `html`; details are
 * paragraphs with their http(s) addresses linked (linkify.ts).
 */
import { LEARN_LIMITS, type RequestState } from '../../../../src/shared/learn'
import type { LearnRequest, RequestAnswer, Video } from '../../db/types'
import { formatDuration, plural, timeTag } from '../format'
import { html, raw, type SafeHtml } from '../html'
import { cardByline, cardThumb } from '../views'
import { csrfForm, field, layout, notice, titleOf, type Viewer } from '../layout'
import type { PageContext, PageViewer } from '../routes/base'
import { linkedParagraphs } from './linkify'

/** Requests on one page of `/requests`. */
export const REQUESTS_PAGE_SIZE = 30

/** Open requests on the home page (and matches of a search there). */
export const HOME_REQUESTS = 5

/** The viewer's own videos offered in "Link one of your videos", newest first. */
export const LINKABLE_VIDEOS = 50

/** A request's page. */
export function requestHref(id: string): string {
  return `/r/${encodeURIComponent(id)}`
}

/** `/requests` with these filters (defaults left out). */
export function requestsHref(f: {
  state?: RequestState
  tag?: string | null
  q?: string
  page?: number
}): string {
  const params = new URLSearchParams()
  if (f.state === 'solved') params.set('state', 'solved')
  if (f.tag) params.set('tag', f.tag)
  if (f.q) params.set('q', f.q)
  if (f.page && f.page > 1) params.set('page', String(f.page))
  const s = params.toString()
  return s ? `/requests?${s}` : '/requests'
}

const AGE_STEPS: [number, string][] = [
  [365 * 86_400, 'year'],
  [30 * 86_400, 'month'],
  [7 * 86_400, 'week'],
  [86_400, 'day'],
  [3600, 'hour'],
  [60, 'minute']
]

/** How long ago, in words: "just now", "5 minutes ago", "1 day ago". */
export function ageText(iso: string, now = Date.now()): string {
  const then = Date.parse(iso)
  if (Number.isNaN(then)) return iso
  const seconds = Math.max(0, Math.floor((now - then) / 1000))
  for (const [size, unit] of AGE_STEPS) {
    if (seconds >= size) return `${plural(Math.floor(seconds / size), unit)} ago`
  }
  return 'just now'
}

/** A `<time>` saying how long ago, the date in its title. */
function age(iso: string): SafeHtml {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return html`${iso}`
  return html`<time datetime="${date.toISOString()}" title="${date.toUTCString()}"
    >${ageText(iso)}</time
  >`
}

function wantText(n: number): string {
  return `${n.toLocaleString('en')} want${n === 1 ? 's' : ''} this`
}

function tagList(tags: readonly string[], label = 'Tags'): SafeHtml {
  if (tags.length === 0) return html``
  return html`<ul class="request-tags" aria-label="${label}">
    ${tags.map(
      (t) =>
        html`<li>
          <a class="request-tag" href="${requestsHref({ tag: t })}">#${t}</a>
        </li>`
    )}
  </ul>`
}

function stateBadge(state: RequestState): SafeHtml {
  return state === 'solved'
    ? html`<span class="request-state request-solved">Solved</span>`
    : html`<span class="request-state request-open">Open</span>`
}

// ---------------------------------------------------------------------------------------------
// Watch page and home page slots

/** On a watch page: the requests this video answers (links to them). */
export async function watchAnswers(
  ctx: PageContext,
  _viewer: PageViewer,
  video: Video
): Promise<SafeHtml> {
  const answered = await ctx.library.db.requestsAnsweredBy(video.id)
  if (answered.length === 0) return html``
  return html`<ul class="watch-answers" aria-label="Requests this video answers">
    ${answered.map(
      (r) =>
        html`<li>
          <span class="watch-answers-label">Answers:</span>
          <a href="${requestHref(r.id)}">${r.title}</a>
          ${r.solvedVideoId === video.id && html`<span class="request-solved-it">✓ Solved it</span>`}
        </li>`
    )}
  </ul>`
}

/**
 * On the library's home: the open requests (newest few, "Ask for a walkthrough"); with a search,
 * the requests it finds. Two bounded queries (a count and the first few).
 */
export async function homeRequests(
  ctx: PageContext,
  _viewer: PageViewer,
  query: string
): Promise<SafeHtml> {
  const { db } = ctx.library
  if (query) {
    const matches = await db.listRequests({ q: query, limit: HOME_REQUESTS })
    if (matches.length === 0) return html``
    const total = await db.countRequests({ q: query })
    const open = await db.countRequests({ q: query, state: 'open' })
    const seeAll = requestsHref({ q: query, state: open === 0 ? 'solved' : 'open' })
    return html`<section class="home-requests" aria-labelledby="home-requests-h">
      <div class="home-requests-head">
        <h2 id="home-requests-h">Requests matching “${query}”</h2>
        <a href="${seeAll}">See ${total > 1 ? `all ${plural(total, 'matching request')}` : 'it'}</a>
      </div>
      <ul class="request-list request-list-compact" role="list">
        ${matches.map((r) => requestRow(r, true))}
      </ul>
    </section>`
  }
  const total = await db.countRequests({ state: 'open' })
  if (total === 0) {
    return html`<p class="home-requests-empty">
      <a href="/requests/new">Ask for a walkthrough</a>
      <span class="muted">— colleagues answer with a recording.</span>
    </p>`
  }
  const newest = await db.listRequests({ state: 'open', limit: HOME_REQUESTS })
  return html`<section class="home-requests" aria-labelledby="home-requests-h">
    <div class="home-requests-head">
      <h2 id="home-requests-h">
        Open requests <span class="muted">${total.toLocaleString('en')}</span>
      </h2>
      <div class="home-requests-actions">
        <a href="/requests">See all requests</a>
        <a class="btn btn-primary btn-small" href="/requests/new">Ask for a walkthrough</a>
      </div>
    </div>
    <ul class="request-list request-list-compact" role="list">
      ${newest.map((r) => requestRow(r, true))}
    </ul>
  </section>`
}

/** One request in a list: title, asker, age, wants, answers, tags (`compact`: fewer). */
function requestRow(r: LearnRequest, compact = false): SafeHtml {
  return html`<li class="request-row">
    <a class="request-title" href="${requestHref(r.id)}">${r.title}</a>
    <p class="request-meta">
      ${r.state === 'solved' && html`${stateBadge('solved')} `}<span class="author"
        >${r.askerName}</span
      ><span aria-hidden="true"> · </span>${age(r.createdAt)}<span aria-hidden="true"> · </span
      ><span class="request-wanted">${wantText(r.wanted)}</span>${
        !compact &&
        html`<span aria-hidden="true"> · </span
          ><span class="request-answers">${plural(r.answerCount, 'answer')}</span>`
      }
    </p>
    ${!compact && tagList(r.tags, `Tags of ${r.title}`)}
  </li>`
}

// ---------------------------------------------------------------------------------------------
// /requests

export interface RequestsListData {
  viewer: Viewer
  state: RequestState
  tag: string | null
  q: string
  page: number
  requests: LearnRequest[]
  /** Matching requests in the shown state. */
  total: number
  /** Matching requests in each state (for the tabs). */
  counts: Record<RequestState, number>
  info?: string
}

export function requestsListPage(d: RequestsListData): SafeHtml {
  const pages = Math.max(1, Math.ceil(d.total / REQUESTS_PAGE_SIZE))
  const filtered = d.q !== '' || d.tag !== null
  const tab = (state: RequestState, label: string): SafeHtml => {
    const current = d.state === state
    return html`<a
      class="request-tab"
      href="${requestsHref({ state, tag: d.tag, q: d.q })}"
      ${current ? raw('aria-current="page"') : ''}
      >${label} <span class="request-tab-count">${d.counts[state].toLocaleString('en')}</span></a
    >`
  }
  let body: SafeHtml
  if (d.requests.length > 0) {
    body = html`<ul class="request-list" role="list">
        ${d.requests.map((r) => requestRow(r))}
      </ul>
      ${pagination(d, pages)}`
  } else if (d.total > 0) {
    body = html`<section class="empty">
      <h2>Nothing on this page</h2>
      <p>
        <a href="${requestsHref({ state: d.state, tag: d.tag, q: d.q })}">Go to the first page</a>.
      </p>
    </section>`
  } else if (filtered) {
    const other: RequestState = d.state === 'open' ? 'solved' : 'open'
    body = html`<section class="empty" aria-labelledby="requests-empty-h">
      <h2 id="requests-empty-h">No ${d.state} requests match</h2>
      <p>
        ${
          d.counts[other] > 0
            ? html`There ${d.counts[other] === 1 ? 'is' : 'are'}
                <a href="${requestsHref({ state: other, tag: d.tag, q: d.q })}"
                  >${plural(d.counts[other], `${other} request`)}</a
                >
                that match. `
            : ''
        }Try
        other words, <a href="/requests">see every open request</a>, or ask for the walkthrough you
        are missing.
      </p>
      <p><a class="btn btn-primary" href="/requests/new">Ask for a walkthrough</a></p>
    </section>`
  } else if (d.state === 'open') {
    body = html`<section class="empty" aria-labelledby="requests-empty-h">
      <h2 id="requests-empty-h">No open requests</h2>
      <p>
        Missing a walkthrough? Ask for it: a colleague who knows how records the answer, and you are
        told when it is there.
      </p>
      <p><a class="btn btn-primary" href="/requests/new">Ask for a walkthrough</a></p>
    </section>`
  } else {
    body = html`<section class="empty" aria-labelledby="requests-empty-h">
      <h2 id="requests-empty-h">Nothing solved yet</h2>
      <p>
        When the person who asked marks an answer “This solved it”, the request moves here.
        <a href="/requests">See the open requests</a>.
      </p>
    </section>`
  }
  return layout(
    { title: d.q ? `Requests “${d.q}”` : 'Requests', viewer: d.viewer },
    html`<div class="page requests-page">
      ${notice(d.info)}
      <div class="page-head">
        <h1>Requests</h1>
        <a class="btn btn-primary" href="/requests/new">Ask for a walkthrough</a>
      </div>
      <p class="muted">
        Walkthroughs colleagues asked for. Know how? Answer one from the Sidecast app: Requests ›
        Record an answer.
      </p>
      <form class="requests-search" role="search" action="/requests" method="get">
        ${d.state === 'solved' && html`<input type="hidden" name="state" value="solved" />`}
        ${d.tag && html`<input type="hidden" name="tag" value="${d.tag}" />`}
        <label for="requests-q">Search requests</label>
        <div class="requests-search-row">
          <input
            id="requests-q"
            name="q"
            type="search"
            value="${d.q}"
            maxlength="200"
            autocomplete="off"
          />
          <button type="submit" class="btn">Search</button>
        </div>
      </form>
      ${
        d.tag &&
        html`<p class="requests-filter">
          Tagged <strong>#${d.tag}</strong> ·
          <a href="${requestsHref({ state: d.state, q: d.q })}">Show all tags</a>
        </p>`
      }
      <nav class="request-tabs" aria-label="Open or solved">
        ${tab('open', 'Open')} ${tab('solved', 'Solved')}
      </nav>
      ${body}
    </div>`
  )
}

function pagination(d: RequestsListData, pages: number): SafeHtml {
  if (pages <= 1) return html``
  const href = (page: number): string => requestsHref({ state: d.state, tag: d.tag, q: d.q, page })
  return html`<nav class="pagination" aria-label="Pages">
    ${d.page > 1 ? html`<a class="btn" href="${href(d.page - 1)}" rel="prev">← Newer</a>` : html`<span></span>`}
    <span class="muted">Page ${d.page} of ${pages}</span>
    ${d.page < pages ? html`<a class="btn" href="${href(d.page + 1)}" rel="next">Older →</a>` : html`<span></span>`}
  </nav>`
}

// ---------------------------------------------------------------------------------------------
// /r/:id

export interface RequestPageData {
  viewer: Viewer
  request: LearnRequest
  /** Its answers whose videos are there, oldest first. */
  answers: { answer: RequestAnswer; video: Video }[]
  /** Whether the viewer wants it ("Me too"). */
  wantedByMe: boolean
  /** The viewer's own videos that may be linked (newest first, not linked yet). */
  linkable: Video[]
  info?: string
  error?: string
}

export function requestPage(d: RequestPageData): SafeHtml {
  const r = d.request
  const me = d.viewer.user
  const isAsker = r.askerId === me.id
  const canChange = isAsker || me.admin
  const base = requestHref(r.id)
  return layout(
    { title: r.title, viewer: d.viewer },
    html`<div class="page narrow request-page">
      ${notice(d.info)}${notice(d.error, 'error')}
      <p class="crumb"><a href="/requests">← All requests</a></p>
      <article aria-labelledby="request-h">
        <header class="request-head">
          <p class="request-kicker">${stateBadge(r.state)} Walkthrough request</p>
          <h1 id="request-h">${r.title}</h1>
          <p class="request-meta">
            Asked by <span class="author">${r.askerName}</span
            ><span aria-hidden="true"> · </span>${age(r.createdAt)}
          </p>
          ${tagList(r.tags)}
        </header>
        ${
          r.details
            ? html`<div class="request-details description">${linkedParagraphs(r.details)}</div>`
            : html`<p class="muted">No details.</p>`
        }
        <div class="actions request-actions">
          ${
            isAsker
              ? html`<p class="request-wanted">You asked for this · ${wantText(r.wanted)}</p>`
              : csrfForm(
                  { action: `${base}/want`, csrf: d.viewer.csrf, className: 'request-want' },
                  html`<input type="hidden" name="want" value="${d.wantedByMe ? '0' : '1'}" />
                    <button
                      type="submit"
                      class="btn${d.wantedByMe ? ' btn-pressed' : ''}"
                      aria-pressed="${d.wantedByMe ? 'true' : 'false'}"
                    >
                      ${d.wantedByMe ? '✓ Me too' : 'Me too'}
                    </button>
                    <span class="request-wanted">${wantText(r.wanted)}</span>`
                )
          }
          ${
            canChange &&
            html`<a class="btn" href="${base}/edit">Edit</a>
              <a class="btn btn-danger-quiet" href="${base}/delete">Delete</a>`
          }
        </div>
      </article>
      <section class="request-answers-section" aria-labelledby="answers-h">
        <h2 id="answers-h">Answers <span class="muted">${d.answers.length}</span></h2>
        ${
          d.answers.length === 0
            ? html`<p class="empty-inline">
                No answers yet. Know how? Record the walkthrough — it is linked here and
                ${isAsker ? 'you are' : `${r.askerName} is`} told.
              </p>`
            : html`<ul class="cards request-answer-cards" role="list">
                ${d.answers.map(({ video }) => answerCard(d, video, canChange))}
              </ul>`
        }
      </section>
      <section class="panel request-answer-it" aria-labelledby="answer-it-h">
        <h2 id="answer-it-h">Answer it</h2>
        <p>Answer it from the Sidecast app: <strong>Requests › Record an answer</strong>.</p>
        ${linkForm(d)}
      </section>
    </div>`
  )
}

function answerCard(d: RequestPageData, v: Video, canChange: boolean): SafeHtml {
  const r = d.request
  const me = d.viewer.user
  const base = requestHref(r.id)
  const solvedIt = r.solvedVideoId === v.id
  const mayUnlink = canChange || v.ownerId === me.id
  return html`<li class="card request-answer${solvedIt ? ' request-answer-solved' : ''}">
    <a class="card-link" href="/v/${encodeURIComponent(v.id)}">
      ${cardThumb(v)}
      <span class="card-title">${titleOf(v)}</span>
    </a>
    ${cardByline(v)} ${solvedIt && html`<p class="request-solved-it">✓ This solved it</p>`}
    ${
      (canChange || mayUnlink) &&
      html`<div class="request-answer-actions">
        ${
          canChange &&
          csrfForm(
            { action: `${base}/solved`, csrf: d.viewer.csrf },
            solvedIt
              ? html`<input type="hidden" name="videoId" value="" />
                  <button
                    type="submit"
                    class="btn btn-small"
                    aria-label="Reopen: ${titleOf(v)} did not solve it"
                  >
                    Reopen
                  </button>`
              : html`<input type="hidden" name="videoId" value="${v.id}" />
                  <button
                    type="submit"
                    class="btn btn-small"
                    aria-label="This solved it: ${titleOf(v)}"
                  >
                    This solved it
                  </button>`
          )
        }
        ${
          mayUnlink &&
          csrfForm(
            { action: `${base}/unlink`, csrf: d.viewer.csrf },
            html`<input type="hidden" name="videoId" value="${v.id}" />
              <button
                type="submit"
                class="btn btn-small btn-danger-quiet"
                aria-label="Unlink ${titleOf(v)}"
              >
                Unlink
              </button>`
          )
        }
      </div>`
    }
  </li>`
}

function linkForm(d: RequestPageData): SafeHtml {
  if (d.linkable.length === 0) {
    return html`<p class="muted">
      Already recorded it? Upload it to the library from the app, then link it here.
    </p>`
  }
  return csrfForm(
    {
      action: `${requestHref(d.request.id)}/answers`,
      csrf: d.viewer.csrf,
      className: 'inline-form'
    },
    html`${field(
        'link-video',
        'Link one of your videos',
        html`<select id="link-video" name="videoId" required>
          ${d.linkable.map(
            (v) =>
              html`<option value="${v.id}">
                ${titleOf(v)}${v.durationMs !== null ? ` (${formatDuration(v.durationMs)})` : ''}
              </option>`
          )}
        </select>`,
        'field grow'
      )} <button type="submit" class="btn btn-primary">Link as an answer</button>`
  )
}

// ---------------------------------------------------------------------------------------------
// Ask, edit, delete

export interface RequestFormData {
  viewer: Viewer
  /** Null: asking for a new one. */
  request: LearnRequest | null
  title: string
  details: string
  tags: string
  error?: string
  /** The field the error is about (focused, aria-invalid). */
  errorField?: 'title' | 'details' | 'tags'
}

export function requestFormPage(d: RequestFormData): SafeHtml {
  const editing = d.request !== null
  const action = d.request ? `${requestHref(d.request.id)}/edit` : '/requests/new'
  const back = d.request ? requestHref(d.request.id) : '/requests'
  const invalid = (name: RequestFormData['errorField']): SafeHtml =>
    d.errorField === name ? raw(' aria-invalid="true" aria-describedby="request-error"') : raw('')
  const heading = editing ? 'Edit request' : 'Ask for a walkthrough'
  return layout(
    { title: heading, viewer: d.viewer },
    html`<div class="page narrow request-form-page">
      <p class="crumb">
        <a href="${back}">${editing ? '← Back to the request' : '← All requests'}</a>
      </p>
      <h1>${heading}</h1>
      ${
        !editing &&
        html`<p class="muted">
          Say what you want to learn to do. A colleague who knows how records a walkthrough, and you
          are told when it is there.
        </p>`
      }
      ${d.error && html`<p class="notice notice-error" role="alert" id="request-error">${d.error}</p>`}
      ${csrfForm(
        { action, csrf: d.viewer.csrf, className: 'stack' },
        html`${field(
            'request-title',
            'Title',
            html`<input
              id="request-title"
              name="title"
              type="text"
              required
              maxlength="${LEARN_LIMITS.requestTitle}"
              placeholder="e.g. How do I reconcile supplier invoices?"
              value="${d.title}"
              ${invalid('title')}
            />`
          )}
          ${field(
            'request-details',
            'Details (optional)',
            html`<textarea
                id="request-details"
                name="details"
                rows="6"
                maxlength="${LEARN_LIMITS.requestDetails}"
                aria-describedby="request-details-hint"
                ${invalid('details')}
              >
${d.details}</textarea>
              <p class="hint" id="request-details-hint">
                What you tried, where you got stuck. Plain text; links are clickable.
              </p>`
          )}
          ${field(
            'request-tags',
            'Tags (optional)',
            html`<input
                id="request-tags"
                name="tags"
                type="text"
                autocomplete="off"
                aria-describedby="request-tags-hint"
                value="${d.tags}"
                ${invalid('tags')}
              />
              <p class="hint" id="request-tags-hint">
                Comma or space separated, e.g. finance invoices (at most ${LEARN_LIMITS.tags}).
              </p>`
          )}
          <div class="form-actions">
            <button type="submit" class="btn btn-primary">
              ${editing ? 'Save' : 'Ask for a walkthrough'}
            </button>
            <a class="btn btn-quiet" href="${back}">Cancel</a>
          </div>`
      )}
    </div>`
  )
}

export function deleteRequestPage(d: { viewer: Viewer; request: LearnRequest }): SafeHtml {
  const r = d.request
  const base = requestHref(r.id)
  return layout(
    { title: `Delete ${r.title}`, viewer: d.viewer },
    html`<div class="page narrow">
      <p class="crumb"><a href="${base}">← Back to the request</a></p>
      <h1>Delete this request?</h1>
      <div class="confirm-card">
        <div>
          <p class="confirm-title">${r.title}</p>
          <p class="muted">
            ${r.askerName} · ${timeTag(r.createdAt)} · ${wantText(r.wanted)} ·
            ${plural(r.answerCount, 'answer')}
          </p>
        </div>
      </div>
      <p>
        The request goes for everyone, with its “Me too”s. The videos that answer it stay in the
        library. This cannot be undone.
      </p>
      ${csrfForm(
        { action: `${base}/delete`, csrf: d.viewer.csrf, className: 'form-actions' },
        html`<button type="submit" class="btn btn-danger">Delete request</button>
          <a class="btn btn-quiet" href="${base}">Cancel</a>`
      )}
    </div>`
  )
}
