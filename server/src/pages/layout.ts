/**
 * The page frame: document head (with a link preview's Open Graph tags when the page has one),
 * header with search, the learning-together nav (Requests, Collections, Inbox with its unread
 * count) and the signed-in user, skip link.
 */
import type { User } from '../db/types'
import { SEARCH_MAX } from '../library'
import { html, raw, type SafeHtml } from './html'

export const PRODUCT_NAME = 'Sidecast Library'

export const LOGO = raw(
  '<svg class="logo" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true" focusable="false">' +
    '<rect x="1" y="5" width="30" height="22" rx="6" fill="currentColor"/>' +
    '<path d="M13 11.5v9l7.5-4.5z" fill="var(--logo-fg, #fff)"/>' +
    '</svg>'
)

const SEARCH_ICON = raw(
  '<svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true" focusable="false">' +
    '<circle cx="8.5" cy="8.5" r="5.5" fill="none" stroke="currentColor" stroke-width="2"/>' +
    '<path d="M13 13l4.5 4.5" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>' +
    '</svg>'
)

export interface Viewer {
  user: User
  csrf: string
  /** The viewer's unread notifications (the Inbox badge); filled in by routes/base.ts viewerOf. */
  unread?: number
}

/**
 * What a link preview shows (docs/learning-together.md, "Links that unfurl"): Open Graph tags,
 * a Twitter card, and the oEmbed discovery link. Only for pages whose content anyone with the
 * address may see; everything here is public to whoever holds the link.
 */
export interface OpenGraph {
  title: string
  description: string
  /** Absolute URL of the picture, or none. */
  image?: string | null
  /** Absolute URL of the page the preview is of. */
  url: string
  type: 'video.other' | 'website'
  /** Absolute URL of the oEmbed JSON for `url`, or none. */
  oembed?: string | null
}

export interface LayoutOptions {
  title: string
  viewer: Viewer | null
  /** The search box's current text. */
  query?: string
  scripts?: string[]
  bodyClass?: string
  /**
   * Reload the page after this many seconds (`<meta http-equiv="refresh">`: no script, so the
   * CSP has nothing to allow). For a video that is not ready yet.
   */
  refreshSeconds?: number
  /**
   * A visitor by link (no account): no search, no account nav, the brand is not a link into the
   * library, and the page asks search engines not to index it.
   */
  visitor?: boolean
  /** Link preview tags (documentShell). */
  og?: OpenGraph
}

/** The head's link preview tags: every value goes through `html`, so quotes and tags are escaped. */
function openGraphTags(og: OpenGraph | undefined): SafeHtml {
  if (!og) return html``
  return html`<meta property="og:site_name" content="${PRODUCT_NAME}" />
    <meta property="og:type" content="${og.type}" />
    <meta property="og:title" content="${og.title}" />
    <meta property="og:description" content="${og.description}" />
    <meta property="og:url" content="${og.url}" />
    ${og.image && html`<meta property="og:image" content="${og.image}" />`}
    <meta name="twitter:card" content="${og.image ? 'summary_large_image' : 'summary'}" />
    <meta name="twitter:title" content="${og.title}" />
    <meta name="twitter:description" content="${og.description}" />
    ${og.oembed && html`<link rel="alternate" type="application/json+oembed" href="${og.oembed}" title="${og.title}" />`}`
}

export function documentShell(
  opts: {
    title: string
    scripts?: string[]
    bodyClass?: string
    refreshSeconds?: number
    /** `<meta name="robots" content="noindex">`: pages reached by a private link. */
    noindex?: boolean
    og?: OpenGraph
  },
  body: SafeHtml
): SafeHtml {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="referrer" content="same-origin" />
        ${opts.noindex && html`<meta name="robots" content="noindex, nofollow" />`}
        ${opts.refreshSeconds !== undefined && html`<meta http-equiv="refresh" content="${String(opts.refreshSeconds)}" />`}
        <title>
          ${opts.title === PRODUCT_NAME ? PRODUCT_NAME : `${opts.title} · ${PRODUCT_NAME}`}
        </title>
        <link rel="stylesheet" href="/public/style.css" />
        <link rel="stylesheet" href="/public/requests.css" />
        <link rel="stylesheet" href="/public/comments.css" />
        <link rel="stylesheet" href="/public/inbox.css" />
        <link rel="icon" href="/public/icon.svg" type="image/svg+xml" />
        ${openGraphTags(opts.og)}
        ${(opts.scripts ?? []).map((src) => html`<script src="/public/${src}" defer></script> `)}
      </head>
      <body class="${opts.bodyClass ?? ''}">
        ${body}
      </body>
    </html> `
}

export function layout(opts: LayoutOptions, content: SafeHtml): SafeHtml {
  const viewer = opts.viewer
  return documentShell(
    {
      title: opts.title,
      scripts: opts.scripts,
      bodyClass: opts.bodyClass,
      refreshSeconds: opts.refreshSeconds,
      noindex: opts.visitor,
      og: opts.og
    },
    html`<a class="skip-link" href="#main">Skip to content</a>
      <header class="site-header">
        <div class="header-inner">
          ${
            opts.visitor
              ? html`<span class="brand"
                  >${LOGO}<span class="brand-name"
                    >Sidecast <span class="brand-sub">Library</span></span
                  ></span
                >`
              : html`<a class="brand" href="/"
                  >${LOGO}<span class="brand-name"
                    >Sidecast <span class="brand-sub">Library</span></span
                  ></a
                >`
          }
          ${
            !opts.visitor &&
            html`<form class="search" role="search" action="/" method="get">
              <label class="visually-hidden" for="search-q">Search</label>
              <input
                id="search-q"
                name="q"
                type="search"
                value="${opts.query ?? ''}"
                placeholder="Search videos, requests, comments"
                autocomplete="off"
                maxlength="${SEARCH_MAX}"
              />
              <button type="submit" class="search-button">
                ${SEARCH_ICON}<span class="visually-hidden">Go</span>
              </button>
            </form>`
          }
          ${viewer && !opts.visitor && learnNav(viewer)}
          ${
            viewer &&
            !opts.visitor &&
            html`<nav class="user-nav" aria-label="Account">
              <a class="user-link" href="/profile"
                ><span class="avatar" aria-hidden="true">${initial(viewer.user.name)}</span
                ><span class="user-name">${viewer.user.name}</span></a
              >
              ${csrfForm(
                { action: '/signout', csrf: viewer.csrf },
                html`<button type="submit" class="btn btn-quiet">Sign out</button>`
              )}
            </nav>`
          }
        </div>
      </header>
      <main id="main" tabindex="-1">${content}</main>`
  )
}

/**
 * Requests, Collections and the Inbox with its unread count: the link's name says it ("Inbox,
 * 3 unread"; the badge itself is hidden from screen readers), and there is no badge at 0.
 */
function learnNav(viewer: Viewer): SafeHtml {
  const unread = viewer.unread ?? 0
  const shown = unread > 99 ? '99+' : String(unread)
  const inbox =
    unread > 0
      ? html`<a href="/inbox" class="inbox-link" aria-label="Inbox, ${unread} unread"
          >Inbox<span class="inbox-badge" aria-hidden="true">${shown}</span></a
        >`
      : html`<a href="/inbox" class="inbox-link">Inbox</a>`
  return html`<nav class="learn-nav" aria-label="Learning together">
    <a href="/requests">Requests</a>
    <a href="/collections">Collections</a>
    ${inbox}
  </nav>`
}

function initial(name: string): string {
  const first = Array.from(name.trim())[0] ?? '?'
  return first.toUpperCase()
}

/**
 * A form that POSTs to `action` with the CSRF token in its `csrf` field (the session's; on the
 * sign-in form, the double-submit cookie's). The routes refuse a POST without it.
 */
export function csrfForm(
  form: { action: string; csrf: string; className?: string },
  content: SafeHtml
): SafeHtml {
  const className = form.className ? html` class="${form.className}"` : ''
  // Prettier's HTML formatting would put a space before the optional class.
  // prettier-ignore
  return html`<form method="post" action="${form.action}"${className}>
    <input type="hidden" name="csrf" value="${form.csrf}" />
    ${content}
  </form>`
}

/** A labelled form field: the label for the control with id `id`, then the control. */
export function field(id: string, label: string, control: SafeHtml, className = 'field'): SafeHtml {
  return html`<div class="${className}">
    <label for="${id}">${label}</label>
    ${control}
  </div>`
}

/** A video's title as shown: "Untitled" when it has none. */
export function titleOf(video: { title: string }): string {
  return video.title || 'Untitled'
}

/** A notice above the content (role=status so screen readers announce it). */
export function notice(text: string | null | undefined, kind: 'ok' | 'error' = 'ok'): SafeHtml {
  if (!text) return html``
  return kind === 'error'
    ? html`<p class="notice notice-error" role="alert">${text}</p>`
    : html`<p class="notice notice-ok" role="status">${text}</p>`
}
