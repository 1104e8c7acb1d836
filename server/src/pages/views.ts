/** The library's pages as escaped HTML. Every piece of user text goes through `html`. */
import { UPLOAD_METADATA_LIMITS } from '../../../src/shared/upload-metadata'
import type { TeamSettings, TokenRecord, Video } from '../db/types'
import { formatDuration, paragraphs, plural, spokenDuration, timeTag } from './format'
import { html, raw, type SafeHtml } from './html'
import {
  LOGO,
  PRODUCT_NAME,
  csrfForm,
  documentShell,
  field,
  layout,
  notice,
  titleOf,
  type OpenGraph,
  type Viewer
} from './layout'

export const PAGE_SIZE = 48
export const TOKEN_LABEL_MAX = 100

const PLAY_ICON = raw(
  '<svg viewBox="0 0 48 48" width="48" height="48" aria-hidden="true" focusable="false">' +
    '<circle cx="24" cy="24" r="22" fill="currentColor" opacity=".16"/>' +
    '<path d="M19 15v18l15-9z" fill="currentColor"/></svg>'
)

// ---------------------------------------------------------------------------------------------
// Sign in

export function signInPage(opts: {
  next: string
  csrf: string
  name?: string
  error?: string
  info?: string
  /** Link preview (pages/learn/unfurl.ts signInOg). */
  og?: OpenGraph
}): SafeHtml {
  return documentShell(
    { title: 'Sign in', bodyClass: 'signin-body', og: opts.og },
    html`<main id="main" class="signin">
      <div class="signin-card">
        <p class="signin-brand">${LOGO}<span>${PRODUCT_NAME}</span></p>
        <h1>Sign in</h1>
        <p class="muted">Your team's recordings, in one place.</p>
        ${notice(opts.error, 'error')}${notice(opts.info)}
        ${csrfForm(
          { action: '/signin', csrf: opts.csrf, className: 'stack' },
          html`<input type="hidden" name="next" value="${opts.next}" />
            ${field(
              'signin-name',
              'Name',
              html`<input
                id="signin-name"
                name="name"
                type="text"
                autocomplete="username"
                autocapitalize="none"
                spellcheck="false"
                required
                value="${opts.name ?? ''}"
                ${opts.name ? '' : raw(' autofocus')}
              />`
            )}
            ${field(
              'signin-password',
              'Password',
              html`<input
                id="signin-password"
                name="password"
                type="password"
                autocomplete="current-password"
                required${opts.name ? raw(' autofocus') : ''}
              />`
            )}
            <button type="submit" class="btn btn-primary btn-block">Sign in</button>`
        )}
        <p class="muted small">No account yet? Ask whoever runs this library to add you.</p>
      </div>
    </main>`
  )
}

// ---------------------------------------------------------------------------------------------
// Library

/**
 * A video whose link exists before the video does (instant share): its upload is still arriving
 * (`recording`: sent while recording; `uploading`: a known-length upload, e.g. a "Try again"),
 * being finished, or failed.
 */
export type ReservationState = 'recording' | 'uploading' | 'finishing' | 'failed'

export interface Reservation {
  videoId: string
  title: string
  state: ReservationState
  createdAt: string
  /** Why it failed (shown to its owner only). */
  error: string | null
}

/** How each state is said on the owner's card and on the watch page. */
const RESERVATION_BADGE: Record<ReservationState, string> = {
  recording: 'Recording…',
  uploading: 'Uploading…',
  finishing: 'Processing…',
  failed: 'Could not be finished'
}

export interface LibraryPageData {
  viewer: Viewer
  /** The viewer's own videos that are not ready yet; shown to them alone, above the library. */
  reservations?: Reservation[]
  videos: Video[]
  /** How many videos the library or the search has; more than that with `totalIsAtLeast`. */
  total: number
  /** The count stopped at `total` (LIBRARY_COUNT_UP_TO, SEARCH_COUNT_UP_TO): there are more. */
  totalIsAtLeast?: boolean
  /** Whether a page of older videos follows this one. */
  hasOlder: boolean
  page: number
  query: string
  publicUrl: string
  info?: string
  /** Open requests on the home page, or the requests a search finds (pages/learn/requests-view.ts). */
  requests?: SafeHtml
}

export function libraryPage(d: LibraryPageData): SafeHtml {
  // Pages are known when the count is whole ("Page 2 of 7"); past a capped count, only "Page 2".
  const pages = d.totalIsAtLeast ? null : Math.max(1, Math.ceil(d.total / PAGE_SIZE))
  const searching = d.query.length > 0
  const heading = searching ? 'Search results' : 'Library'
  const videos = d.totalIsAtLeast
    ? `${d.total.toLocaleString('en')}+ videos`
    : plural(d.total, 'video')
  const count = searching ? html`${videos} matching “<mark>${d.query}</mark>”` : html`${videos}`

  let body: SafeHtml
  if (d.total === 0 && !searching) {
    body = html`<section class="empty" aria-labelledby="empty-h">
      <div class="empty-art">${PLAY_ICON}</div>
      <h2 id="empty-h">Share your first recording</h2>
      <p>
        No videos yet. In the Sidecast app, open Settings, enter this library's URL
        (<code>${d.publicUrl}</code>) and an access token from your <a href="/profile">profile</a>,
        then press Upload on a recording.
      </p>
      <p><a class="btn btn-primary" href="/profile">Create an access token</a></p>
    </section>`
  } else if (d.videos.length === 0 && searching && d.total === 0) {
    body = html`<section class="empty" aria-labelledby="empty-h">
      <h2 id="empty-h">No results for “${d.query}”</h2>
      <p>
        No video matches “${d.query}” in a title, description, author, callout or comment. Try fewer
        or different words, or <a href="/">browse all videos</a>.
      </p>
    </section>`
  } else if (d.videos.length === 0) {
    body = html`<section class="empty">
      <h2>Nothing on this page</h2>
      <p><a href="${pageHref(d.query, 1)}">Go to the first page</a>.</p>
    </section>`
  } else {
    body = html`<ul class="cards" role="list">
        ${d.videos.map((v) => videoCard(v, d.query))}
      </ul>
      ${pagination(d.page, pages, d.hasOlder, d.query)}`
  }

  const reservations = d.reservations ?? []
  const inProgress =
    reservations.length > 0 &&
    html`<section class="in-progress" aria-labelledby="in-progress-h">
      <h2 id="in-progress-h">Your recordings on their way</h2>
      <ul class="cards" role="list">
        ${reservations.map(reservationCard)}
      </ul>
    </section>`
  return layout(
    {
      title: searching ? `“${d.query}”` : 'Library',
      viewer: d.viewer,
      query: d.query
    },
    html`<div class="page">
      ${notice(d.info)} ${inProgress} ${d.requests}
      <div class="page-head">
        <h1>${heading}</h1>
        ${(searching || d.total > 0) && html`<p class="count" id="result-count">${count}</p>`}
      </div>
      ${body}
    </div>`
  )
}

function reservationCard(r: Reservation): SafeHtml {
  const badge = RESERVATION_BADGE[r.state]
  return html`<li class="card card-reserved" data-state="${r.state}">
    <a class="card-link" href="/v/${r.videoId}">
      <span class="thumb"
        ><span class="thumb-placeholder">${PLAY_ICON}</span
        ><span class="duration">${badge}</span></span
      >
      <span class="card-title">${titleOf(r)}</span>
    </a>
    <p class="card-meta">
      <span class="reservation-state">${badge}</span
      ><span aria-hidden="true"> · </span>${timeTag(r.createdAt)}
    </p>
  </li> `
}

/**
 * A video card's picture: its thumbnail (or a play icon), then `extra` (e.g. a position badge),
 * then its length. Shared by the library's, a request's and a collection's cards.
 */
export function cardThumb(v: Video, extra?: SafeHtml): SafeHtml {
  const duration = formatDuration(v.durationMs)
  return html`<span class="thumb"
    >${
      v.hasThumbnail
        ? html`<img
            src="/thumbs/${encodeURIComponent(v.id)}.jpg"
            alt=""
            loading="lazy"
            decoding="async"
            width="320"
            height="180"
          />`
        : html`<span class="thumb-placeholder">${PLAY_ICON}</span>`
    }${extra}${duration && html`<span class="duration" aria-hidden="true">${duration}</span>`}</span
  >`
}

/** A video card's byline: author, when, and its length for screen readers. */
export function cardByline(v: Video): SafeHtml {
  const duration = formatDuration(v.durationMs)
  return html`<p class="card-meta">
    <span class="author">${v.authorName}</span
    ><span aria-hidden="true"> · </span
    >${timeTag(v.createdAt)}${duration && html`<span class="visually-hidden">, ${spokenDuration(v.durationMs)}</span>`}
  </p>`
}

function videoCard(v: Video, query: string): SafeHtml {
  const matches = query ? matchingCallouts(v, query).slice(0, 2) : []
  return html`<li class="card">
    <a class="card-link" href="/v/${v.id}">
      ${cardThumb(v)}
      <span class="card-title">${titleOf(v)}</span>
    </a>
    ${cardByline(v)}
    ${
      matches.length > 0 &&
      html`<ul class="card-callouts" aria-label="Matching callouts">
        ${matches.map(
          (c) =>
            html`<li>
              <a href="/v/${v.id}?t=${(c.startMs / 1000).toFixed(3).replace(/\.?0+$/, '')}"
                ><span class="marker-time">${formatDuration(c.startMs)}</span> ${c.text}</a
              >
            </li>`
        )}
      </ul>`
    }
  </li> `
}

function matchingCallouts(v: Video, query: string): Video['callouts'] {
  const terms = query
    .toLowerCase()
    .split(/\s+/)
    .filter((t) => t.length > 0)
  if (terms.length === 0) return []
  return v.callouts.filter((c) => {
    const text = c.text.toLowerCase()
    return terms.some((t) => text.includes(t))
  })
}

function pageHref(query: string, page: number): string {
  const params = new URLSearchParams()
  if (query) params.set('q', query)
  if (page > 1) params.set('page', String(page))
  const s = params.toString()
  return s ? `/?${s}` : '/'
}

/** Newer / Older links; `pages` null when the count was capped (then only "Page N"). */
function pagination(
  page: number,
  pages: number | null,
  hasOlder: boolean,
  query: string
): SafeHtml {
  if (page === 1 && !hasOlder) return html``
  return html`<nav class="pagination" aria-label="Pages">
    ${page > 1 ? html`<a class="btn" href="${pageHref(query, page - 1)}" rel="prev">← Newer</a>` : html`<span></span>`}
    <span class="muted">Page ${page}${pages === null ? '' : ` of ${pages}`}</span>
    ${hasOlder ? html`<a class="btn" href="${pageHref(query, page + 1)}" rel="next">Older →</a>` : html`<span></span>`}
  </nav>`
}

// ---------------------------------------------------------------------------------------------
// Watch

/** The addresses the watch page uses: signed-in (`/media/:id`…) or by link (`/s/:token/…`). */
export interface WatchUrls {
  /** What viewers play (the render when redactions exist). */
  media: string
  /** The JSON the page polls: edits version, callouts on the output clock, media state. */
  view: string
  /** The original recording: owner and administrators only, else null. */
  original: string | null
  /** The MP4 with everything burnt in. */
  download: string
  thumb: string | null
  /** `POST` here changes who can watch: owner and administrators only, else null. */
  access: string | null
}

export function watchPage(d: {
  /** Null: a visitor by link (no library chrome, noindex). */
  viewer: Viewer | null
  video: Video
  /** The link to copy (the library's, or the visitor's own link); null hides Copy link. */
  shareUrl: string | null
  canEdit: boolean
  info?: string
  urls: WatchUrls
  /** The "anyone with the link" address, for the owner's access controls; else null. */
  linkUrl: string | null
  /** Learning together's parts (pages/learn/watch-learn.ts); signed-in viewers only. */
  learn?: { info: SafeHtml; sections: SafeHtml }
  /** Link preview: the visitor's page only (pages/learn/unfurl.ts). */
  og?: OpenGraph
}): SafeHtml {
  const v = d.video
  const u = d.urls
  const duration = formatDuration(v.durationMs)
  const callouts = [...v.callouts].sort((a, b) => a.startMs - b.startMs)
  return layout(
    {
      title: titleOf(v),
      viewer: d.viewer,
      visitor: d.viewer === null,
      og: d.og,
      scripts: d.learn
        ? ['app.js', 'watch.js', 'live-callouts.js', 'comments.js', 'collection.js']
        : ['app.js', 'watch.js', 'live-callouts.js']
    },
    html`<div class="page watch">
      ${notice(d.info)}
      <div class="watch-grid${callouts.length === 0 ? ' no-markers' : ''}">
        <div
          class="player"
          data-live-player
          data-view="${u.view}"
          data-media="${u.media}"
          data-original="${u.original ?? ''}"
          data-edits="${u.original ? `/api/videos/${v.id}/edits` : ''}"
          data-recording-ms="${String(v.durationMs ?? '')}"
          data-edits-version="${String(v.editsVersion)}"
          data-duration-ms="${String(v.durationMs ?? '')}"
          data-width="${v.width === null ? '' : String(v.width)}"
          data-height="${v.height === null ? '' : String(v.height)}"
        >
          <div class="player-frame">
            <video
              id="player"
              controls
              preload="metadata"
              playsinline
              src="${u.media}"
              ${u.thumb ? html` poster="${u.thumb}"` : ''}
            >
              <a href="${u.download}">Download the video</a> to watch it.
            </video>
            <div class="live-layer"></div>
            <p class="player-processing" role="status" hidden></p>
          </div>
          <div class="player-bar" hidden>
            <button type="button" class="player-button player-play" aria-label="Play">
              <svg
                class="icon-play"
                viewBox="0 0 20 20"
                width="20"
                height="20"
                aria-hidden="true"
                focusable="false"
              >
                <path d="M6 4v12l10-6z" fill="currentColor" /></svg
              ><svg
                class="icon-pause"
                viewBox="0 0 20 20"
                width="20"
                height="20"
                aria-hidden="true"
                focusable="false"
              >
                <path d="M5 4h3.5v12H5zM11.5 4H15v12h-3.5z" fill="currentColor" />
              </svg>
            </button>
            <span class="player-time"
              ><span class="player-time-now">0:00</span><span aria-hidden="true"> / </span
              ><span class="visually-hidden"> of </span
              ><span class="player-time-total"
                >${formatDuration(v.durationMs) || '0:00'}</span
              ></span
            >
            <div class="player-progress">
              <input
                class="player-seek"
                type="range"
                min="0"
                max="${String((v.durationMs ?? 0) / 1000)}"
                step="0.1"
                value="0"
                aria-label="Seek"
              />
              <div class="player-markers" role="group" aria-label="Callouts on the timeline"></div>
            </div>
            <button
              type="button"
              class="player-button player-mute"
              aria-label="Mute"
              aria-pressed="false"
            >
              <svg viewBox="0 0 20 20" width="20" height="20" aria-hidden="true" focusable="false">
                <path d="M3 8h3l4-4v12l-4-4H3z" fill="currentColor" />
                <path
                  class="icon-sound"
                  d="M13 7.5a3.5 3.5 0 0 1 0 5M15 5a7 7 0 0 1 0 10"
                  fill="none"
                  stroke="currentColor"
                  stroke-width="1.6"
                  stroke-linecap="round"
                />
              </svg>
            </button>
            <button type="button" class="player-button player-fullscreen" aria-label="Full screen">
              <svg viewBox="0 0 20 20" width="20" height="20" aria-hidden="true" focusable="false">
                <path
                  d="M3 8V3h5M12 3h5v5M17 12v5h-5M8 17H3v-5"
                  fill="none"
                  stroke="currentColor"
                  stroke-width="1.8"
                />
              </svg>
            </button>
          </div>
          ${
            u.original &&
            html`<fieldset class="watch-mode">
              <legend>Watch</legend>
              <label
                ><input type="radio" name="watch-mode" value="viewer" checked /> Viewers’
                version</label
              >
              <label
                ><input type="radio" name="watch-mode" value="preview" /> Original with edits
                preview</label
              >
            </fieldset>`
          }
        </div>
        <div class="watch-info">
          <h1 class="watch-title">${titleOf(v)}</h1>
          <p class="watch-meta">
            <span class="author">${v.authorName}</span
            ><span aria-hidden="true"> · </span
            >${timeTag(v.createdAt)}${duration && html`<span aria-hidden="true"> · </span><span>${duration}</span>`}
          </p>
          <div class="actions">
            ${
              d.shareUrl &&
              html`<button
                type="button"
                class="btn"
                data-copy="${d.shareUrl}"
                data-copy-fallback="share-link"
              >
                Copy link
              </button>`
            }
            <a class="btn" href="${u.download}">Download</a>
            ${d.viewer && d.canEdit && html`<a class="btn" href="/v/${v.id}/edit">Edit</a><a class="btn btn-danger-quiet" href="/v/${v.id}/delete">Delete</a>`}
            <span class="copy-status" role="status" aria-live="polite"></span>
          </div>
          ${
            d.shareUrl &&
            html`<p class="share-fallback" id="share-link" hidden>
              <label for="share-link-input">Link to this video</label>
              <input id="share-link-input" type="text" readonly value="${d.shareUrl}" />
            </p>`
          }
          ${d.viewer && u.access && accessControls(d.viewer, u.access, v.access, d.linkUrl)}
          ${d.learn?.info}
          ${v.description.trim() ? html`<div class="description">${paragraphs(v.description)}</div>` : html`<p class="muted">No description.</p>`}
        </div>
        ${
          callouts.length > 0 &&
          html`<section class="markers" aria-labelledby="markers-h">
            <h2 id="markers-h">Callouts <span class="muted">${callouts.length}</span></h2>
            <ol class="marker-list">
              ${callouts.map(
                (c) =>
                  html`<li>
                    <button
                      type="button"
                      class="marker"
                      data-time="${String(c.startMs / 1000)}"
                      data-end="${String(c.endMs / 1000)}"
                    >
                      <span class="visually-hidden">Jump to </span
                      ><span class="marker-time">${formatDuration(c.startMs)}</span
                      ><span class="visually-hidden"> — </span
                      ><span class="marker-text">${c.text}</span>
                    </button>
                  </li>`
              )}
            </ol>
          </section>`
        }
        ${d.learn?.sections}
      </div>
    </div>`
  )
}

/**
 * The owner's "Who can watch": Team or anyone with the link, the link with Copy, Turn off and
 * New link. watch.js sends the choice to `accessUrl` (JSON, the session's CSRF header).
 */
function accessControls(
  viewer: Viewer,
  accessUrl: string,
  access: Video['access'],
  linkUrl: string | null
): SafeHtml {
  const open = access === 'link' && linkUrl !== null
  return html`<section
    class="access"
    aria-labelledby="access-h"
    data-access-url="${accessUrl}"
    data-csrf="${viewer.csrf}"
  >
    <h2 id="access-h">Who can watch</h2>
    <fieldset class="access-choice">
      <legend class="visually-hidden">Who can watch</legend>
      <label
        ><input type="radio" name="access" value="team" ${open ? '' : raw('checked')} /> Team
        (signed-in members)</label
      >
      <label
        ><input type="radio" name="access" value="link" ${open ? raw('checked') : ''} /> Anyone with
        the link</label
      >
    </fieldset>
    <div class="access-link" ${open ? '' : raw(' hidden')}>
      <label for="access-link-input">Link for anyone</label>
      <div class="access-link-row">
        <input id="access-link-input" type="text" readonly value="${linkUrl ?? ''}" />
        <button type="button" class="btn btn-small" data-copy-from="access-link-input">
          Copy link for anyone
        </button>
      </div>
      <div class="access-link-row">
        <button type="button" class="btn btn-small" data-access="team">Turn off link</button>
        <button type="button" class="btn btn-small" data-access="renew">New link</button>
      </div>
    </div>
    <p class="access-status" role="status" aria-live="polite"></p>
    <span class="copy-status" role="status" aria-live="polite"></span>
  </section>`
}

/** The frame of a page that changes a video: the way back to it, a heading, then `content`. */
function changePage(
  d: { viewer: Viewer; video: Video },
  change: 'Edit' | 'Delete',
  heading: string,
  content: SafeHtml
): SafeHtml {
  const v = d.video
  return layout(
    { title: `${change} ${titleOf(v)}`, viewer: d.viewer },
    html`<div class="page narrow">
      <p class="crumb"><a href="/v/${v.id}">← Back to the video</a></p>
      <h1>${heading}</h1>
      ${content}
    </div>`
  )
}

export function editPage(d: {
  viewer: Viewer
  video: Video
  title: string
  description: string
  error?: string
}): SafeHtml {
  const v = d.video
  return changePage(
    d,
    'Edit',
    'Edit video',
    html`${notice(d.error, 'error')}
    ${csrfForm(
      { action: `/v/${v.id}/edit`, csrf: d.viewer.csrf, className: 'stack' },
      html`${field(
          'edit-title',
          'Title',
          html`<input
            id="edit-title"
            name="title"
            type="text"
            required
            maxlength="${UPLOAD_METADATA_LIMITS.title}"
            value="${d.title}"
          />`
        )}
        ${field(
          'edit-description',
          'Description',
          html`<textarea
              id="edit-description"
              name="description"
              rows="8"
              maxlength="${UPLOAD_METADATA_LIMITS.description}"
              aria-describedby="edit-description-hint"
            >
${d.description}</textarea>
            <p class="hint" id="edit-description-hint">
              Plain text. Leave a blank line between paragraphs.
            </p>`
        )}
        <div class="form-actions">
          <button type="submit" class="btn btn-primary">Save</button>
          <a class="btn btn-quiet" href="/v/${v.id}">Cancel</a>
        </div>`
    )}`
  )
}

export function deletePage(d: { viewer: Viewer; video: Video }): SafeHtml {
  const v = d.video
  return changePage(
    d,
    'Delete',
    'Delete this video?',
    html`<div class="confirm-card">
        ${v.hasThumbnail ? html`<img src="/thumbs/${v.id}.jpg" alt="" width="160" height="90" />` : ''}
        <div>
          <p class="confirm-title">${titleOf(v)}</p>
          <p class="muted">${v.authorName} · ${timeTag(v.createdAt)}</p>
        </div>
      </div>
      <p>The video is removed for everyone, and links to it stop working. This cannot be undone.</p>
      ${csrfForm(
        { action: `/v/${v.id}/delete`, csrf: d.viewer.csrf, className: 'form-actions' },
        html`<button type="submit" class="btn btn-danger">Delete video</button>
          <a class="btn btn-quiet" href="/v/${v.id}">Cancel</a>`
      )}`
  )
}

// ---------------------------------------------------------------------------------------------
// Profile

export function profilePage(d: {
  viewer: Viewer
  tokens: TokenRecord[]
  publicUrl: string
  newToken?: { token: string; label: string }
  info?: string
  error?: string
  /** The team's settings, for an administrator (the "Team settings" box); else undefined. */
  team?: TeamSettings
}): SafeHtml {
  const u = d.viewer.user
  return layout(
    { title: 'Profile', viewer: d.viewer, scripts: ['app.js'] },
    html`<div class="page narrow">
      ${notice(d.info)}${notice(d.error, 'error')}
      <div class="profile-head">
        <span class="avatar avatar-large" aria-hidden="true"
          >${Array.from(u.name)[0]?.toUpperCase() ?? '?'}</span
        >
        <div>
          <h1>${u.name}</h1>
          <p class="muted">
            ${u.admin ? 'Administrator · ' : ''}Member since ${timeTag(u.createdAt)}
          </p>
        </div>
      </div>
      ${
        d.newToken &&
        html`<section class="new-token" aria-labelledby="new-token-h">
          <h2 id="new-token-h">Your new access token</h2>
          <p>
            <strong>Copy it now — it is shown only once.</strong> If you lose it, revoke it and
            create another.
          </p>
          <div class="copy-row">
            <label class="visually-hidden" for="new-token-value">New access token</label>
            <input
              id="new-token-value"
              class="mono"
              type="text"
              readonly
              value="${d.newToken.token}"
            />
            <button type="button" class="btn btn-primary" data-copy-from="new-token-value">
              Copy token
            </button>
          </div>
          <span class="copy-status" role="status" aria-live="polite"></span>
          <ol class="steps">
            <li>In the Sidecast app, open <strong>Settings</strong>.</li>
            <li>Enter the library URL <code>${d.publicUrl}</code>.</li>
            <li>
              Paste this token as the access token, then press <strong>Upload</strong> on a
              recording.
            </li>
          </ol>
        </section>`
      }
      <section class="panel" aria-labelledby="tokens-h">
        <h2 id="tokens-h">Access tokens</h2>
        <p class="muted">
          The Sidecast app uploads with an access token. Create one per computer, so you can revoke
          it alone.
        </p>
        ${csrfForm(
          { action: '/profile/tokens', csrf: d.viewer.csrf, className: 'inline-form' },
          html`${field(
              'token-label',
              'Label',
              html`<input
                id="token-label"
                name="label"
                type="text"
                maxlength="${TOKEN_LABEL_MAX}"
                placeholder="e.g. Work laptop"
                required
              />`,
              'field grow'
            )} <button type="submit" class="btn btn-primary">Create token</button>`
        )}
        ${
          d.tokens.length === 0
            ? html`<p class="empty-inline">You have no access tokens yet.</p>`
            : html`<table class="tokens">
                <caption class="visually-hidden">
                  Your access tokens
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Label</th>
                    <th scope="col">Token</th>
                    <th scope="col">Created</th>
                    <th scope="col">Last used</th>
                    <th scope="col"><span class="visually-hidden">Actions</span></th>
                  </tr>
                </thead>
                <tbody>
                  ${d.tokens.map(
                    (t) =>
                      html`<tr>
                        <th scope="row" data-label="Label">${t.label || 'Unlabelled'}</th>
                        <td data-label="Token"><code>${t.prefix}…</code></td>
                        <td data-label="Created">${timeTag(t.createdAt)}</td>
                        <td data-label="Last used">
                          ${t.lastUsedAt ? timeTag(t.lastUsedAt) : html`<span class="muted">Never</span>`}
                        </td>
                        <td class="row-actions">
                          ${csrfForm(
                            { action: `/profile/tokens/${t.id}/revoke`, csrf: d.viewer.csrf },
                            html`<button
                              type="submit"
                              class="btn btn-danger-quiet btn-small"
                              aria-label="Revoke ${t.label || 'Unlabelled'} (${t.prefix}…)"
                            >
                              Revoke
                            </button>`
                          )}
                        </td>
                      </tr>`
                  )}
                </tbody>
              </table>`
        }
      </section>
      ${d.team && teamSettingsBox(d.viewer, d.team)}
    </div>`
  )
}

/** An administrator's team settings on the profile page (POST /profile/team). */
function teamSettingsBox(viewer: Viewer, team: TeamSettings): SafeHtml {
  const choice = (value: TeamSettings['watchers'], label: string): SafeHtml =>
    html`<label
      ><input
        type="radio"
        name="watchers"
        value="${value}"
        ${team.watchers === value ? raw('checked') : ''}
      />
      ${label}</label
    >`
  return html`<section class="panel" aria-labelledby="team-h">
    <h2 id="team-h">Team settings</h2>
    ${csrfForm(
      { action: '/profile/team', csrf: viewer.csrf },
      html`<fieldset class="team-watchers">
          <legend>What a video's author sees of who watched it</legend>
          ${choice('names', 'Names: who watched, how far and when')}
          ${choice('counts', 'Counts only: how many people watched and how far on average')}
        </fieldset>
        <button type="submit" class="btn btn-primary">Save team settings</button>`
    )}
  </section>`
}

// ---------------------------------------------------------------------------------------------
// Errors

export function errorPage(d: {
  viewer: Viewer | null
  status: number
  title: string
  message: string
}): SafeHtml {
  const content = html`<div class="page narrow error-page">
    <p class="error-code">${String(d.status)}</p>
    <h1>${d.title}</h1>
    <p>${d.message}</p>
    <p><a class="btn" href="/">Back to the library</a></p>
  </div>`
  return d.viewer
    ? layout({ title: d.title, viewer: d.viewer }, content)
    : documentShell({ title: d.title }, html`<main id="main">${content}</main>`)
}

// ---------------------------------------------------------------------------------------------
// A link whose video is not ready (instant share)

/** Seconds between reloads of a watch page whose video is on its way, by state. */
export const RESERVATION_REFRESH_SECONDS: Record<ReservationState, number> = {
  recording: 5,
  uploading: 5,
  finishing: 2,
  // A "Try again" may still bring it: look now and then.
  failed: 30
}

export function reservationPage(d: {
  viewer: Viewer
  reservation: Reservation
  shareUrl: string
  /** The viewer owns it (or is an administrator): they are told why it failed. */
  isOwner: boolean
}): SafeHtml {
  const r = d.reservation
  let heading: string
  let message: SafeHtml
  switch (r.state) {
    case 'recording':
      heading = 'Being recorded'
      message = html`<p>
        ${d.isOwner ? 'You are' : 'Someone is'} still recording this video. It plays here a few
        seconds after the recording stops; this page refreshes itself.
      </p>`
      break
    case 'uploading':
      heading = 'Uploading'
      message = html`<p>
        The video is being uploaded. It plays here a few seconds after it arrives; this page
        refreshes itself.
      </p>`
      break
    case 'finishing':
      heading = 'Finishing — ready in a few seconds'
      message = html`<p>
        The recording has arrived and is being finished. This page refreshes itself.
      </p>`
      break
    case 'failed':
      heading = 'This video could not be finished'
      message = d.isOwner
        ? html`<p>${r.error ?? 'The recording could not be made into a video.'}</p>
            <p>
              Your recording is safe on your computer: in the Sidecast app, choose
              <strong>Try again</strong> on it to upload it under this same link.
            </p>`
        : html`<p>
            The recording did not arrive whole. Its author can upload it again under this same link.
          </p>`
      break
  }
  return layout(
    {
      title: heading,
      viewer: d.viewer,
      scripts: ['app.js'],
      refreshSeconds: RESERVATION_REFRESH_SECONDS[r.state]
    },
    html`<div class="page narrow reservation" data-state="${r.state}">
      <p class="reservation-state" role="status">${RESERVATION_BADGE[r.state]}</p>
      <h1>${heading}</h1>
      <p class="watch-title muted">${titleOf(r)}</p>
      ${message}
      <div class="actions">
        <button type="button" class="btn" data-copy="${d.shareUrl}" data-copy-fallback="share-link">
          Copy link
        </button>
        <span class="copy-status" role="status" aria-live="polite"></span>
      </div>
      <p class="share-fallback" id="share-link" hidden>
        <label for="share-link-input">Link to this video</label>
        <input id="share-link-input" type="text" readonly value="${d.shareUrl}" />
      </p>
    </div>`
  )
}

/** The link of a recording its author discarded (410). */
export function discardedPage(viewer: Viewer): SafeHtml {
  return errorPage({
    viewer,
    status: 410,
    title: 'This video was discarded',
    message:
      'Its author discarded the recording before it was finished, so there is nothing to watch.'
  })
}
