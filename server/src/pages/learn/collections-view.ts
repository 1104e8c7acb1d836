/**
 * Collections (docs/learning-together.md, "Collections"): the list, a collection's page with its
 * ordered videos, the new/edit/delete forms, and on the watch page either the collection being
 * played (`?collection=<id>`: place, previous, up next, collection.js plays on) or "Add to
 * collection".
 */
import { LEARN_LIMITS } from '../../../../src/shared/learn'
import { mayChangeCollection } from '../../api/collections'
import type { Collection, Video } from '../../db/types'
import { mayWatch } from '../../library'
import { formatDuration, paragraphs, plural, spokenDuration, timeTag } from '../format'
import { html, raw, type SafeHtml } from '../html'
import { cardThumb } from '../views'
import { csrfForm, field, layout, notice, titleOf, type Viewer } from '../layout'
import type { PageContext, PageViewer } from '../routes/base'

export const COLLECTIONS_PAGE_SIZE = 30
/** The viewer's own collections offered in "Add to collection". */
const ADD_CHOICES = 50

const collectionHref = (c: { id: string }): string => `/c/${encodeURIComponent(c.id)}`

/** A video's watch page while playing collection `c`. */
export function playHref(videoId: string, c: { id: string }): string {
  return `/v/${encodeURIComponent(videoId)}?collection=${encodeURIComponent(c.id)}`
}

/** The collection's videos `viewer` may watch, in order (videos since deleted are gone). */
export async function watchableItems(
  ctx: PageContext,
  viewer: Viewer,
  id: string
): Promise<Video[]> {
  const out: Video[] = []
  for (const videoId of await ctx.library.db.collectionItems(id)) {
    const video = await ctx.library.db.getVideo(videoId)
    if (video && mayWatch(viewer.user, video)) out.push(video)
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// The list

function collectionRow(c: Collection): SafeHtml {
  return html`<li class="collection-row">
    <a class="collection-title" href="${collectionHref(c)}">${c.title}</a>
    <p class="collection-meta muted">
      ${plural(c.itemCount, 'video')}<span aria-hidden="true"> · </span>by ${c.ownerName}<span
        aria-hidden="true"
      >
        · </span
      >${timeTag(c.createdAt)}
    </p>
    ${c.description && html`<p class="collection-excerpt">${[...c.description].slice(0, 160).join('')}${[...c.description].length > 160 ? '…' : ''}</p>`}
  </li>`
}

export function collectionsPage(d: {
  viewer: Viewer
  collections: Collection[]
  total: number
  page: number
  mine: boolean
  info?: string
}): SafeHtml {
  const pages = Math.max(1, Math.ceil(d.total / COLLECTIONS_PAGE_SIZE))
  const href = (page: number): string => {
    const params = new URLSearchParams()
    if (d.mine) params.set('mine', '1')
    if (page > 1) params.set('page', String(page))
    const s = params.toString()
    return s ? `/collections?${s}` : '/collections'
  }
  const body =
    d.collections.length === 0
      ? html`<section class="empty" aria-labelledby="collections-empty-h">
          <h2 id="collections-empty-h">
            ${d.page > 1 ? 'Nothing on this page' : d.mine ? 'You have no collections yet' : 'No collections yet'}
          </h2>
          <p>
            A collection is an ordered list of videos — “Onboarding: finance tools” — that plays one
            after another. Make one, then add videos from their watch pages.
          </p>
          <p><a class="btn btn-primary" href="/collections/new">New collection</a></p>
        </section>`
      : html`<ul class="collection-list" role="list">
            ${d.collections.map(collectionRow)}
          </ul>
          ${
            pages > 1 &&
            html`<nav class="pagination" aria-label="Pages">
              ${d.page > 1 ? html`<a class="btn" href="${href(d.page - 1)}" rel="prev">← Newer</a>` : html`<span></span>`}
              <span class="muted">Page ${d.page} of ${pages}</span>
              ${d.page < pages ? html`<a class="btn" href="${href(d.page + 1)}" rel="next">Older →</a>` : html`<span></span>`}
            </nav>`
          }`
  return layout(
    { title: 'Collections', viewer: d.viewer },
    html`<div class="page narrow collections">
      ${notice(d.info)}
      <div class="page-head">
        <h1>Collections</h1>
        <a class="btn btn-primary" href="/collections/new">New collection</a>
      </div>
      <nav class="tabs" aria-label="Which collections">
        <a href="/collections" ${d.mine ? '' : raw('aria-current="page"')}>All</a>
        <a href="/collections?mine=1" ${d.mine ? raw('aria-current="page"') : ''}>Mine</a>
      </nav>
      <p class="count">${plural(d.total, 'collection')}</p>
      ${body}
    </div>`
  )
}

// ---------------------------------------------------------------------------------------------
// One collection

function itemCard(
  viewer: Viewer,
  c: Collection,
  v: Video,
  index: number,
  count: number,
  canChange: boolean
): SafeHtml {
  const duration = formatDuration(v.durationMs)
  const title = titleOf(v)
  const action = (path: string, label: string, accessible: string, extra: SafeHtml = html``) =>
    csrfForm(
      { action: `${collectionHref(c)}/${path}`, csrf: viewer.csrf, className: 'inline' },
      html`<input type="hidden" name="videoId" value="${v.id}" />${extra}<button
          type="submit"
          class="btn btn-small${path === 'remove' ? ' btn-danger-quiet' : ''}"
          aria-label="${accessible}"
        >
          ${label}
        </button>`
    )
  return html`<li class="card collection-item" id="item-${v.id}">
    <a class="card-link" href="${playHref(v.id, c)}">
      ${cardThumb(v, html`<span class="position" aria-hidden="true">${index + 1}</span>`)}
      <span class="card-title"><span class="visually-hidden">${index + 1}. </span>${title}</span>
    </a>
    <p class="card-meta">
      <span class="author">${v.authorName}</span
      >${duration && html`<span class="visually-hidden">, ${spokenDuration(v.durationMs)}</span>`}
    </p>
    ${
      canChange &&
      html`<div class="item-actions">
        ${index > 0 && action('move', 'Move up', `Move “${title}” up`, html`<input type="hidden" name="dir" value="up" />`)}
        ${index < count - 1 && action('move', 'Move down', `Move “${title}” down`, html`<input type="hidden" name="dir" value="down" />`)}
        ${action('remove', 'Remove', `Remove “${title}” from the collection`)}
      </div>`
    }
  </li>`
}

export function collectionPage(d: {
  viewer: Viewer
  collection: Collection
  videos: Video[]
  info?: string
}): SafeHtml {
  const c = d.collection
  const canChange = mayChangeCollection(d.viewer.user, c)
  const first = d.videos[0]
  return layout(
    { title: c.title, viewer: d.viewer },
    html`<div class="page collection">
      ${notice(d.info)}
      <p class="crumb"><a href="/collections">← Collections</a></p>
      <div class="page-head">
        <h1>${c.title}</h1>
        <p class="count">
          ${plural(d.videos.length, 'video')}<span aria-hidden="true"> · </span>by ${c.ownerName}
        </p>
      </div>
      ${c.description && html`<div class="description">${paragraphs(c.description)}</div>`}
      <div class="actions collection-actions">
        ${first && html`<a class="btn btn-primary" href="${playHref(first.id, c)}"><span aria-hidden="true">▶ </span>Play all</a>`}
        ${canChange && html`<a class="btn" href="${collectionHref(c)}/edit">Edit</a><a class="btn btn-danger-quiet" href="${collectionHref(c)}/delete">Delete</a>`}
      </div>
      ${
        d.videos.length === 0
          ? html`<section class="empty">
              <h2>No videos in it yet</h2>
              <p>
                ${canChange ? 'Open a video and choose “Add to collection”.' : 'Its owner has not added any videos yet.'}
              </p>
            </section>`
          : html`<ol class="cards collection-items" role="list">
              ${d.videos.map((v, i) => itemCard(d.viewer, c, v, i, d.videos.length, canChange))}
            </ol>`
      }
    </div>`
  )
}

// ---------------------------------------------------------------------------------------------
// New, edit, delete

export function collectionFormPage(d: {
  viewer: Viewer
  /** Null: a new collection. */
  collection: Collection | null
  title: string
  description: string
  /** A video to add once it is made (from the watch page's "New collection…"). */
  videoId?: string
  error?: string
}): SafeHtml {
  const editing = d.collection !== null
  const action = d.collection ? `${collectionHref(d.collection)}/edit` : '/collections/new'
  const back = d.collection
    ? collectionHref(d.collection)
    : d.videoId
      ? `/v/${encodeURIComponent(d.videoId)}`
      : '/collections'
  return layout(
    { title: editing ? 'Edit collection' : 'New collection', viewer: d.viewer },
    html`<div class="page narrow">
      <p class="crumb"><a href="${back}">← Back</a></p>
      <h1>${editing ? 'Edit collection' : 'New collection'}</h1>
      ${notice(d.error, 'error')}
      ${csrfForm(
        { action, csrf: d.viewer.csrf, className: 'stack' },
        html`${d.videoId && html`<input type="hidden" name="videoId" value="${d.videoId}" />`}
          ${field(
            'collection-title',
            'Title',
            html`<input
              id="collection-title"
              name="title"
              type="text"
              required
              maxlength="${LEARN_LIMITS.collectionTitle}"
              value="${d.title}"
              placeholder="e.g. Onboarding: finance tools"
            />`
          )}
          ${field(
            'collection-description',
            'Description (optional)',
            html`<textarea
              id="collection-description"
              name="description"
              rows="5"
              maxlength="${LEARN_LIMITS.collectionDescription}"
            >
${d.description}</textarea>`
          )}
          <div class="form-actions">
            <button type="submit" class="btn btn-primary">
              ${editing ? 'Save' : d.videoId ? 'Create and add the video' : 'Create collection'}
            </button>
            <a class="btn btn-quiet" href="${back}">Cancel</a>
          </div>`
      )}
    </div>`
  )
}

export function deleteCollectionPage(d: { viewer: Viewer; collection: Collection }): SafeHtml {
  const c = d.collection
  return layout(
    { title: `Delete ${c.title}`, viewer: d.viewer },
    html`<div class="page narrow">
      <p class="crumb"><a href="${collectionHref(c)}">← Back to the collection</a></p>
      <h1>Delete this collection?</h1>
      <p class="confirm-title">${c.title}</p>
      <p>
        The collection is removed for everyone. Its ${plural(c.itemCount, 'video')} stay in the
        library.
      </p>
      ${csrfForm(
        { action: `${collectionHref(c)}/delete`, csrf: d.viewer.csrf, className: 'form-actions' },
        html`<button type="submit" class="btn btn-danger">Delete collection</button>
          <a class="btn btn-quiet" href="${collectionHref(c)}">Cancel</a>`
      )}
    </div>`
  )
}

// ---------------------------------------------------------------------------------------------
// On the watch page

/** `?collection=` when it names a collection holding `video` that the viewer may watch. */
async function playing(
  ctx: PageContext,
  viewer: PageViewer,
  video: Video,
  url: URL
): Promise<{ collection: Collection; videos: Video[]; index: number } | null> {
  const id = url.searchParams.get('collection') ?? ''
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) return null
  const collection = await ctx.library.db.getCollection(id)
  if (!collection) return null
  const videos = await watchableItems(ctx, viewer, id)
  const index = videos.findIndex((v) => v.id === video.id)
  return index < 0 ? null : { collection, videos, index }
}

/**
 * In the watch page's info column: playing a collection (`?collection=<id>`), its place and what
 * plays next; otherwise "Add to collection".
 */
export async function watchCollection(
  ctx: PageContext,
  viewer: PageViewer,
  video: Video,
  url: URL
): Promise<SafeHtml> {
  const now = await playing(ctx, viewer, video, url)
  if (now) {
    const { collection: c, videos, index } = now
    const previous = videos[index - 1]
    const next = videos[index + 1]
    return html`<section
      class="collection-playing"
      aria-labelledby="collection-playing-h"
      ${next ? html`data-next-url="${playHref(next.id, c)}" data-next-title="${titleOf(next)}"` : ''}
    >
      <h2 id="collection-playing-h" class="collection-playing-title">
        In <a href="${collectionHref(c)}">${c.title}</a><span aria-hidden="true"> · </span
        ><span class="collection-place">${index + 1} of ${videos.length}</span>
      </h2>
      <p class="collection-nav">
        ${previous && html`<a class="btn btn-small" href="${playHref(previous.id, c)}" rel="prev">← Previous: ${titleOf(previous)}</a>`}
        ${next ? html`<a class="btn btn-small btn-primary collection-next" href="${playHref(next.id, c)}" rel="next">Up next: ${titleOf(next)}</a>` : html`<span class="muted">Last video of the collection.</span>`}
      </p>
      <div class="collection-countdown" hidden>
        <p class="collection-countdown-text" role="status" aria-live="polite"></p>
        <button type="button" class="btn btn-small collection-cancel">Cancel</button>
      </div>
    </section>`
  }
  const added = url.searchParams.get('added')
  const addedTo =
    added && /^[A-Za-z0-9_-]{1,64}$/.test(added) ? await ctx.library.db.getCollection(added) : null
  const mine = await ctx.library.db.listCollections({ ownerId: viewer.user.id, limit: ADD_CHOICES })
  return html`<section class="collection-add" aria-labelledby="collection-add-h">
    <h2 id="collection-add-h" class="visually-hidden">Add to collection</h2>
    ${addedTo && notice(`Added to “${addedTo.title}”.`)}
    ${
      mine.length === 0
        ? html`<p class="muted small">
            <a href="/collections/new?video=${encodeURIComponent(video.id)}">New collection…</a>
            to put this video in an ordered list that plays one after another.
          </p>`
        : csrfForm(
            {
              action: '/collections/add',
              csrf: viewer.csrf,
              className: 'inline-form collection-add-form'
            },
            html`<input type="hidden" name="videoId" value="${video.id}" />
              <label for="collection-add-select">Add to collection</label>
              <select id="collection-add-select" name="collection" required>
                ${mine.map((c) => html`<option value="${c.id}">${c.title}</option>`)}
              </select>
              <button type="submit" class="btn btn-small">Add</button>
              <a class="small" href="/collections/new?video=${encodeURIComponent(video.id)}"
                >New collection…</a
              >`
          )
    }
  </section>`
}
