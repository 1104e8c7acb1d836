/**
 * The watch page's comments and reactions (docs/learning-together.md, "Comments and questions at
 * a moment", "This helped, reactions and who watched"): in the info column "This helped", emoji
 * at a moment and, for the video's owner and administrators, who it helped and who watched; below
 * the player the comments and questions in moment order with their forms, and one marker per
 * thread with a moment (comments.js moves the markers onto the player's progress bar).
 *
 * Every form works without script (POSTs to pages/routes/comments.ts); comments.js adds the
 * moment that follows the player, seeking, markers, reactions without a reload and the report of
 * what was watched. Moments are on the viewers' clock (output time).
 */
import { LEARN_LIMITS, MOMENT_EMOJI } from '../../../../src/shared/learn'
import {
  clock,
  insightsOf,
  mayDeleteComment,
  mayEditComment,
  mayMarkAnswered,
  outputDurationMs
} from '../../api/comments'
import type { CommentThread, LearnComment, Video } from '../../db/types'
import { mayChange, mayWatch } from '../../library'
import { plural, timeTag } from '../format'
import { html as escapingHtml, raw, type HtmlValue, type SafeHtml } from '../html'
import { csrfForm, layout, notice } from '../layout'
import type { PageContext, PageViewer } from '../routes/base'
import { linkedParagraphs } from './linkify'

/** Each template's parts with the indentation after line breaks dropped, made once per template. */
const squeezed = new WeakMap<TemplateStringsArray, TemplateStringsArray>()

/**
 * `html` (every value escaped) for templates whose indentation is only for reading the source: a
 * line break and the white space after it become one line break, which HTML renders the same
 * (none of these templates has a `<pre>`, and a `<textarea>`'s text is always a value). On a watch
 * page with hundreds of comments the indentation was about a third of the page.
 */
function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let parts = squeezed.get(strings)
  if (!parts) {
    const squeezedParts = strings.map((part) => part.replace(/\n\s+/g, '\n'))
    parts = Object.assign(squeezedParts, { raw: strings.raw })
    squeezed.set(strings, parts)
  }
  return escapingHtml(parts, ...values)
}

/** What a refused comment form had in it, shown again with the reason (status 400). */
export interface CommentDraft {
  /**
   * Which form: `new` (shown on the watch page), `reply:<thread id>` or `edit:<comment id>`
   * (shown on the reply or edit page, commentFormPage).
   */
  readonly form: string
  readonly body: string
  /** The moment as typed. */
  readonly at: string
  readonly question: boolean
  readonly error: string
}

const drafts = new WeakMap<URL, CommentDraft>()

/**
 * The page's URL carrying a refused form's draft: the watch page rendered with it shows the
 * form with what was typed and the error (watchLearn passes the URL through unchanged).
 */
export function withCommentDraft(url: URL, draft: CommentDraft): URL {
  const copy = new URL(url.href)
  drafts.set(copy, draft)
  return copy
}

// ---------------------------------------------------------------------------------------------
// "This helped", emoji at a moment, who watched

/** In the watch page's info column: "This helped" and, for the author, who it helped and watched. */
export async function watchHelped(
  ctx: PageContext,
  viewer: PageViewer,
  video: Video
): Promise<SafeHtml> {
  if (!mayWatch(viewer.user, video)) return html``
  const id = encodeURIComponent(video.id)
  const counts = await ctx.library.db.reactionsOf(video.id, viewer.user.id)
  const emojiCounts = new Map<string, { count: number; mine: boolean }>()
  for (const m of counts.moments) {
    const seen = emojiCounts.get(m.kind) ?? { count: 0, mine: false }
    emojiCounts.set(m.kind, { count: seen.count + m.count, mine: seen.mine || m.mine })
  }
  return html`<section
    class="helped"
    id="helped"
    aria-labelledby="helped-h"
    data-reactions-url="/api/videos/${id}/reactions"
    data-csrf="${viewer.csrf}"
  >
    <h2 id="helped-h" class="visually-hidden">Reactions</h2>
    <div class="helped-row">
      ${csrfForm(
        { action: `/v/${id}/helped`, csrf: viewer.csrf, className: 'helped-form' },
        html`<input type="hidden" name="on" value="${counts.helpedByMe ? '0' : '1'}" />
          <button
            type="submit"
            class="btn helped-toggle"
            aria-pressed="${counts.helpedByMe ? 'true' : 'false'}"
          >
            This helped<span aria-hidden="true"> · </span><span class="visually-hidden">, </span
            ><span class="helped-count">${String(counts.helped)}</span>
          </button>`
      )}
      <div class="moment-emoji" role="group" aria-label="React at the current moment" hidden>
        ${MOMENT_EMOJI.map((emoji) => {
          const seen = emojiCounts.get(emoji) ?? { count: 0, mine: false }
          return html`<button
            type="button"
            class="btn btn-small emoji-button${seen.mine ? ' emoji-mine' : ''}"
            data-kind="${emoji}"
            aria-label="${emoji} at the current moment (${String(seen.count)} so far)"
          >
            <span aria-hidden="true">${emoji}</span>
            <span class="emoji-count" aria-hidden="true"
              >${seen.count > 0 ? String(seen.count) : ''}</span
            >
          </button>`
        })}
      </div>
    </div>
    <p class="reaction-status" role="status" aria-live="polite"></p>
    ${mayChange(viewer.user, video) && (await insightsView(ctx, viewer, video))}
  </section>`
}

function percent(completion: number): string {
  return `${Math.round(Math.max(0, Math.min(1, completion)) * 100)}%`
}

/** The owner's and administrators' view: who it helped, who watched and how far (or counts). */
async function insightsView(ctx: PageContext, viewer: PageViewer, video: Video): Promise<SafeHtml> {
  const seen = await insightsOf(ctx.library, video, viewer.user)
  const helped = html`<p class="helped-total">
    <strong>Helped ${plural(seen.helped, 'colleague')}</strong>
  </p>`
  if (seen.settings.watchers === 'counts') {
    return html`<div class="insights">
      ${helped}
      <p class="watched-counts">
        ${
          seen.watchers.length === 0
            ? 'Nobody else has watched it yet.'
            : `${plural(seen.watchers.length, 'person', 'people')} watched, on average ${percent(seen.averageCompletion)} of it.`
        }
      </p>
    </div>`
  }
  return html`<div class="insights">
    ${helped}
    <details class="watchers">
      <summary>Who watched <span class="muted">${String(seen.watchers.length)}</span></summary>
      ${
        seen.watchers.length === 0
          ? html`<p class="muted">Nobody else has watched it yet.</p>`
          : html`<table class="watchers-table">
              <caption class="visually-hidden">
                Who watched this video
              </caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">How far</th>
                  <th scope="col">Last watched</th>
                </tr>
              </thead>
              <tbody>
                ${seen.watchers.map(
                  (w) =>
                    html`<tr>
                      <th scope="row">${w.name}</th>
                      <td>${percent(w.completion)}</td>
                      <td>${timeTag(w.lastAt)}</td>
                    </tr>`
                )}
              </tbody>
            </table>`
      }
    </details>
  </div>`
}

// ---------------------------------------------------------------------------------------------
// Comments

/** Below the player: the comments and questions at moments, with the form to add one. */
export async function watchComments(
  ctx: PageContext,
  viewer: PageViewer,
  video: Video,
  url: URL
): Promise<SafeHtml> {
  if (!mayWatch(viewer.user, video)) return html``
  const threads = await ctx.library.db.commentsOf(video.id)
  const draft = drafts.get(url)
  const lengthMs = await outputDurationMs(ctx.library, video)
  const id = encodeURIComponent(video.id)
  const count = threads.reduce((n, t) => n + t.replies.length + 1, 0)
  const newDraft = draft?.form === 'new' ? draft : undefined
  const view: ThreadView = { viewer, video }
  return html`<section
    class="comments"
    id="comments"
    aria-labelledby="comments-h"
    data-video-id="${video.id}"
    data-csrf="${viewer.csrf}"
    data-duration-ms="${lengthMs === null ? '' : String(lengthMs)}"
    data-watched-url="/api/videos/${id}/watched"
  >
    <h2 id="comments-h">Comments <span class="muted">${String(count)}</span></h2>
    ${notice(newDraft?.error, 'error')}
    ${csrfForm(
      { action: `/v/${id}/comments`, csrf: viewer.csrf, className: 'comment-form' },
      html`<div class="field">
          <label for="comment-body">Add a comment</label>
          <textarea
            id="comment-body"
            name="body"
            rows="3"
            maxlength="${String(LEARN_LIMITS.comment)}"
            required
          >
${newDraft?.body ?? ''}</textarea>
        </div>
        <div class="comment-form-row">
          <label class="comment-check"
            ><input
              type="checkbox"
              name="question"
              value="1"
              ${newDraft?.question ? raw('checked') : ''}
            />
            Ask as a question</label
          >
          <span class="comment-at">
            <label for="comment-at">at</label>
            <input
              id="comment-at"
              name="at"
              type="text"
              size="8"
              autocomplete="off"
              spellcheck="false"
              placeholder="0:05"
              aria-describedby="comment-at-help"
              value="${newDraft?.at ?? ''}"
            />
            <button type="button" class="btn btn-small comment-at-now" hidden>
              Use current time
            </button>
          </span>
          <button type="submit" class="btn btn-primary">Post</button>
        </div>
        <p id="comment-at-help" class="muted comment-help">
          The moment it is about, as minutes:seconds; leave it empty for the whole video.
        </p>`
    )}
    <div class="comment-markers" role="group" aria-label="Comments on the timeline" hidden></div>
    ${
      threads.length === 0
        ? html`<p class="muted comments-empty">
            No comments yet. Ask about the moment you are at.
          </p>`
        : html`<ol class="comment-threads">
            ${threads.map((t) => threadView(view, t))}
          </ol>`
    }
    ${sharedForms(view)}
  </section>`
}

interface ThreadView {
  viewer: PageViewer
  video: Video
}

/** The no-script pages' addresses (GET; the forms on them POST to the routes above). */
export function replyHref(commentId: string): string {
  return `/comments/${encodeURIComponent(commentId)}/reply`
}
export function editHref(commentId: string): string {
  return `/comments/${encodeURIComponent(commentId)}/edit`
}
export function deleteHref(commentId: string): string {
  return `/comments/${encodeURIComponent(commentId)}/delete`
}

/**
 * The page's one reply form, one edit form and one delete confirmation (hidden; comments.js
 * moves them under the thread or comment whose Reply, Edit or Delete was pressed), and the one
 * form that carries the CSRF token for each question's "Mark answered" button (`form` and
 * `formaction` on the button: no script needed).
 */
function sharedForms(v: ThreadView): SafeHtml {
  const csrf = v.viewer.csrf
  return html`<form id="comment-act" method="post" hidden>
      <input type="hidden" name="csrf" value="${csrf}" />
    </form>
    <div class="comment-shared" hidden>
      ${csrfForm(
        {
          action: `/v/${encodeURIComponent(v.video.id)}/comments`,
          csrf,
          className: 'comment-inline-form comment-reply-form'
        },
        html`<input type="hidden" name="parentId" value="" />
          <div class="field">
            <label for="comment-reply-body"
              >Your reply<span class="visually-hidden comment-form-about"></span
            ></label>
            <textarea
              id="comment-reply-body"
              name="body"
              rows="2"
              maxlength="${String(LEARN_LIMITS.comment)}"
              required
            ></textarea>
          </div>
          <div class="comment-form-row">
            <button type="submit" class="btn btn-primary btn-small">Post reply</button>
            <button type="button" class="btn btn-small comment-cancel">Cancel</button>
          </div>`
      )}
      ${csrfForm(
        { action: '', csrf, className: 'comment-inline-form comment-edit-form' },
        html`<div class="field">
            <label for="comment-edit-body"
              >Your comment<span class="visually-hidden comment-form-about"></span
            ></label>
            <textarea
              id="comment-edit-body"
              name="body"
              rows="3"
              maxlength="${String(LEARN_LIMITS.comment)}"
              required
            ></textarea>
          </div>
          <div class="field comment-at comment-edit-at">
            <label for="comment-edit-at">At (minutes:seconds, empty for the whole video)</label>
            <input id="comment-edit-at" name="at" type="text" size="8" autocomplete="off" />
          </div>
          <div class="comment-form-row">
            <button type="submit" class="btn btn-primary btn-small">Save</button>
            <button type="button" class="btn btn-small comment-cancel">Cancel</button>
          </div>`
      )}
      ${csrfForm(
        { action: '', csrf, className: 'comment-inline-form comment-delete-form' },
        html`<div class="comment-form-row">
          <span>Delete this comment for everyone?</span>
          <button type="submit" class="btn btn-small btn-danger">Delete comment</button>
          <button type="button" class="btn btn-small comment-cancel">Cancel</button>
        </div>`
      )}
    </div>`
}

function threadView(v: ThreadView, t: CommentThread): SafeHtml {
  const c = t.comment
  return html`<li
    class="comment-thread"
    data-at-ms="${c.atMs === null ? '' : String(c.atMs)}"
    data-kind="${c.question ? 'question' : 'comment'}"
  >
    ${commentView(v, c, true)}${
      t.replies.length > 0 &&
      html`<ol class="comment-replies">
        ${t.replies.map((reply) => html`<li>${commentView(v, reply, false)}</li>`)}
      </ol>`
    }
    <a class="btn btn-small" href="${replyHref(c.id)}"
      >Reply<span class="visually-hidden"> to ${c.deleted ? 'this thread' : c.authorName}</span></a
    >
  </li>`
}

/**
 * One comment. Its actions are a "Mark answered" button of the shared `comment-act` form and
 * links to the edit and delete pages (comments.js opens the shared forms in place instead); the
 * dot between author and date is the stylesheet's.
 */
function commentView(v: ThreadView, c: LearnComment, first: boolean): SafeHtml {
  const user = v.viewer.user
  const time =
    first && c.atMs !== null
      ? html`<button
          type="button"
          class="comment-time"
          data-time-ms="${String(c.atMs)}"
          aria-label="Play from ${clock(c.atMs)}"
        >
          ${clock(c.atMs)}
        </button>`
      : ''
  if (c.deleted) {
    return html`<article class="comment comment-deleted" id="c-${c.id}">
      <header class="comment-head">${time}</header>
      <p class="muted">This comment was deleted.</p>
    </article>`
  }
  const about = html`<span class="visually-hidden"> comment by ${c.authorName}</span>`
  const actions: SafeHtml[] = []
  if (mayMarkAnswered(user, c, v.video)) {
    actions.push(
      html`<button
        type="submit"
        class="btn btn-small"
        form="comment-act"
        formaction="/comments/${encodeURIComponent(c.id)}/answered"
        name="answered"
        value="${c.answered ? '0' : '1'}"
      >
        ${c.answered ? 'Mark unanswered' : 'Mark answered'}
      </button>`
    )
  }
  if (mayEditComment(user, c)) {
    actions.push(html`<a class="btn btn-small" href="${editHref(c.id)}">Edit${about}</a>`)
  }
  if (mayDeleteComment(user, c, v.video)) {
    actions.push(
      html`<a class="btn btn-small btn-danger-quiet" href="${deleteHref(c.id)}">Delete${about}</a>`
    )
  }
  return html`<article
    class="comment${c.question ? ' comment-question' : ''}${c.answered ? ' comment-answered' : ''}"
    id="c-${c.id}"
  >
    <header class="comment-head">
      ${time}<span class="comment-author">${c.authorName}</span>${timeTag(c.createdAt)}${
        c.editedAt && html` <span class="muted">(edited)</span>`
      }${c.question && html`<span class="badge badge-question">Question</span>`}${
        c.answered && html`<span class="badge badge-answered">Answered</span>`
      }
    </header>
    <div class="comment-body">${linkedParagraphs(c.body)}</div>
    ${actions.length > 0 && html`<div class="comment-actions">${actions}</div>`}
  </article>`
}

// ---------------------------------------------------------------------------------------------
// The pages of their own for reply, edit and delete (without script; comments.js opens the
// shared forms in place instead)

/** What a reply, edit or delete page is about. */
export interface CommentPage {
  viewer: PageViewer
  video: Video
  /** `reply`: `comment` is the thread's first comment; `edit`, `delete`: the comment itself. */
  kind: 'reply' | 'edit' | 'delete'
  comment: LearnComment
  /** Back to the video at the comment. */
  back: string
  /** A refused form's text and reason. */
  draft?: CommentDraft
}

const PAGE_TITLES: Record<CommentPage['kind'], string> = {
  reply: 'Reply',
  edit: 'Edit your comment',
  delete: 'Delete this comment?'
}

/** The reply, edit or delete page: the comment it is about, then the form (POSTs as on the watch page). */
export function commentPage(p: CommentPage): SafeHtml {
  const c = p.comment
  const id = encodeURIComponent(c.id)
  const heading =
    p.kind === 'reply'
      ? c.deleted
        ? 'Reply in this thread'
        : `Reply to ${c.authorName}`
      : PAGE_TITLES[p.kind]
  const cancel = html`<a class="btn btn-small" href="${p.back}">Cancel</a>`
  const limit = String(LEARN_LIMITS.comment)
  let form: SafeHtml
  if (p.kind === 'reply') {
    form = csrfForm(
      { action: `/v/${encodeURIComponent(p.video.id)}/comments`, csrf: p.viewer.csrf },
      html`<input type="hidden" name="parentId" value="${c.id}" />
        <div class="field">
          <label for="reply-body">Your reply</label>
          <textarea id="reply-body" name="body" rows="4" maxlength="${limit}" required>
${p.draft?.body ?? ''}</textarea>
        </div>
        <div class="comment-form-row">
          <button type="submit" class="btn btn-primary">Post reply</button>${cancel}
        </div>`
    )
  } else if (p.kind === 'edit') {
    const at = p.draft?.at ?? (c.atMs === null ? '' : clock(c.atMs))
    form = csrfForm(
      { action: `/comments/${id}/edit`, csrf: p.viewer.csrf },
      html`<div class="field">
          <label for="edit-body">Your comment</label>
          <textarea id="edit-body" name="body" rows="4" maxlength="${limit}" required>
${p.draft?.body ?? c.body}</textarea>
        </div>
        ${
          c.parentId === null &&
          html`<div class="field comment-at">
            <label for="edit-at">At (minutes:seconds, empty for the whole video)</label>
            <input id="edit-at" name="at" type="text" size="8" autocomplete="off" value="${at}" />
          </div>`
        }
        <div class="comment-form-row">
          <button type="submit" class="btn btn-primary">Save</button>${cancel}
        </div>`
    )
  } else {
    form = csrfForm(
      { action: `/comments/${id}/delete`, csrf: p.viewer.csrf },
      html`<p>It is deleted for everyone; replies to it stay.</p>
        <div class="comment-form-row">
          <button type="submit" class="btn btn-danger">Delete comment</button>${cancel}
        </div>`
    )
  }
  const quoted = c.deleted
    ? html`<p class="muted">This comment was deleted.</p>`
    : html`<header class="comment-head">
          ${c.atMs !== null && html`<span class="comment-at-moment">${clock(c.atMs)}</span>`}
          <span class="comment-author">${c.authorName}</span
          ><span aria-hidden="true"> · </span>${timeTag(c.createdAt)}
        </header>
        <div class="comment-body">${linkedParagraphs(c.body)}</div>`
  return layout(
    { title: `${PAGE_TITLES[p.kind]} · ${p.video.title || 'Untitled'}`, viewer: p.viewer },
    html`<div class="page narrow comment-page">
      <p><a href="${p.back}">Back to the video</a></p>
      <h1>${heading}</h1>
      <article class="comment comment-quoted" aria-label="The comment">${quoted}</article>
      ${notice(p.draft?.error, 'error')} ${form}
    </div>`
  )
}
