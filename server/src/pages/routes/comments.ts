/**
 * The watch page's comment and reaction forms (docs/learning-together.md): each a signed-in,
 * same-origin POST with the session's CSRF token (formPost), answered with 303 back to the video
 * at the comment's moment (`/v/:id?t=<s>#c-<id>`). A refused comment (empty, too long, a moment
 * that is not one) is answered with the watch page again (400, 429 when posting too fast) showing
 * what was typed and why. A video the viewer may not watch is "not found", as one that does not
 * exist. The rules are the API's (api/comments.ts).
 *
 *   POST /v/:id/comments          body, at (m:ss, empty: the whole video), question, parentId
 *   POST /comments/:id/edit       body, at                  (its author)
 *   POST /comments/:id/delete                               (its author, the video's owner, admins)
 *   POST /comments/:id/answered   answered=1|0              (who asked, the video's owner, admins)
 *   POST /v/:id/helped            on=1|0                    ("This helped")
 *
 * Without script, Reply, Edit and Delete on the watch page are links to small pages of their own
 * holding the form (comments.js opens the page's shared forms in place instead); a refused reply
 * or edit is answered with that page showing what was typed and why:
 *
 *   GET /comments/:id/reply       the reply form for the comment's thread
 *   GET /comments/:id/edit        the edit form                  (its author)
 *   GET /comments/:id/delete      the confirmation              (its author, the video's owner, admins)
 */
import { sendWatchPage } from './video'
import {
  COMMENT_ID,
  commentText,
  mayDeleteComment,
  mayEditComment,
  mayMarkAnswered,
  momentError,
  outputDurationMs,
  parseMoment,
  takePostSlot,
  tooFastMessage
} from '../../api/comments'
import type { LearnComment, Video } from '../../db/types'
import { VIDEO_ID, mayWatch } from '../../library'
import type { ServerResponse } from 'node:http'
import { redirect, sendHtml } from '../http'
import { commentPage, withCommentDraft, type CommentDraft } from '../learn/comments-view'
import {
  cleanText,
  formPost,
  requireViewer,
  sendErrorPage,
  videoNotFound,
  type FormPost,
  type PageContext,
  type PageRequest,
  type PageRoute,
  type PageViewer
} from './base'

/** Where an answer goes: the response and who asked. */
interface Answer {
  res: ServerResponse
  viewer: PageViewer
}

/** The video at the post's `param` if the viewer may watch it; else 404 answered, null. */
async function watchable(post: FormPost, id: string): Promise<Video | null> {
  const video = VIDEO_ID.test(id) ? await post.ctx.library.db.getVideo(id) : null
  if (video && mayWatch(post.viewer.user, video)) return video
  videoNotFound(post.res, post.viewer)
  return null
}

/** The comment at the post's `param` and its video, when the viewer may watch it; else 404. */
async function commentOf(post: FormPost): Promise<{ comment: LearnComment; video: Video } | null> {
  const db = post.ctx.library.db
  const comment = COMMENT_ID.test(post.param) ? await db.getComment(post.param) : null
  const video = comment ? await db.getVideo(comment.videoId) : null
  if (comment && video && mayWatch(post.viewer.user, video)) return { comment, video }
  commentNotFound(post)
  return null
}

function commentNotFound(post: Answer): void {
  sendErrorPage(post.res, {
    viewer: post.viewer,
    status: 404,
    title: 'Comment not found',
    message: 'This comment does not exist or was deleted.'
  })
}

function refused(post: Answer, title: string, message: string): void {
  sendErrorPage(post.res, { viewer: post.viewer, status: 403, title, message })
}

/** Where the browser goes after a change: the video at the thread's moment, at the comment. */
function backTo(video: Video, atMs: number | null, commentId?: string): string {
  const at = atMs === null ? '' : `?t=${Math.floor(atMs / 1000)}`
  const anchor = commentId ? `#c-${encodeURIComponent(commentId)}` : '#comments'
  return `/v/${encodeURIComponent(video.id)}${at}${anchor}`
}

/** The watch page again with a refused form's draft and reason (as routes/video.ts renders it). */
async function sendWatchAgain(
  post: FormPost,
  video: Video,
  status: number,
  draft: CommentDraft
): Promise<void> {
  const { ctx, viewer, res } = post
  const url = withCommentDraft(
    new URL(`/v/${encodeURIComponent(video.id)}`, ctx.library.config.publicUrl),
    draft
  )
  await sendWatchPage(ctx, res, status, { viewer, video, url })
}

/**
 * A refused form with what was typed and why: a new comment on the watch page, a reply or an edit
 * on its own page (the one that works without script).
 */
async function sendRefused(
  post: FormPost,
  video: Video,
  status: number,
  draft: CommentDraft
): Promise<void> {
  const [form, commentId] = draft.form.split(':')
  const comment = commentId ? await post.ctx.library.db.getComment(commentId) : null
  if ((form !== 'reply' && form !== 'edit') || !comment) {
    return await sendWatchAgain(post, video, status, draft)
  }
  sendHtml(
    post.res,
    status,
    commentPage({
      viewer: post.viewer,
      video,
      kind: form,
      comment,
      back: backTo(video, await threadMoment(post, comment), comment.id),
      draft
    })
  )
}

/**
 * Takes a slot of `kind` (a comment, or an edit): 429 with Retry-After and the form again keeping
 * the draft, or false when it may go ahead.
 */
async function tooFast(
  post: FormPost,
  video: Video,
  draft: Omit<CommentDraft, 'error'>,
  kind: 'comment' | 'edit' = 'comment'
): Promise<boolean> {
  const wait = await takePostSlot(post.ctx.library, post.viewer.user, kind)
  if (wait === 0) return false
  post.res.setHeader('Retry-After', String(wait))
  await sendRefused(post, video, 429, { ...draft, error: tooFastMessage(kind, wait) })
  return true
}

/**
 * Takes a posting slot of `kind` for a form with nothing typed to keep; when the person is too
 * fast, answers 429 (Retry-After, an error page titled `title`) and returns true.
 */
async function slotRefused(
  post: FormPost,
  kind: 'edit' | 'reaction',
  title: string
): Promise<boolean> {
  const wait = await takePostSlot(post.ctx.library, post.viewer.user, kind)
  if (wait === 0) return false
  post.res.setHeader('Retry-After', String(wait))
  sendErrorPage(post.res, {
    viewer: post.viewer,
    status: 429,
    title,
    message: tooFastMessage(kind, wait)
  })
  return true
}

/** The typed moment checked against the video's length: ms, null, or the problem. */
async function momentOf(
  typed: string,
  video: Video,
  post: FormPost
): Promise<{ atMs: number | null } | { error: string }> {
  const parsed = parseMoment(typed)
  if ('error' in parsed || parsed.atMs === null) return parsed
  const error = momentError(parsed.atMs, await outputDurationMs(post.ctx.library, video))
  return error ? { error } : parsed
}

const addComment = formPost(async (post) => {
  const video = await watchable(post, post.param)
  if (!video) return
  const { form, ctx, viewer } = post
  const typed = form.get('body') ?? ''
  const at = cleanText(form.get('at') ?? '', false)
    .trim()
    .slice(0, 40)
  const parentText = form.get('parentId') ?? ''
  const parent =
    parentText && COMMENT_ID.test(parentText) ? await ctx.library.db.getComment(parentText) : null
  if (parentText && (!parent || parent.videoId !== video.id)) {
    sendErrorPage(post.res, {
      viewer,
      status: 404,
      title: 'Comment not found',
      message: 'The comment you replied to does not exist any more.'
    })
    return
  }
  const question = !parent && form.get('question') !== null
  const draftOf = (error: string): CommentDraft => ({
    form: parent ? `reply:${parent.parentId ?? parent.id}` : 'new',
    body: cleanText(typed, true).slice(0, 20_000),
    at,
    question,
    error
  })
  const text = commentText(typed)
  if ('error' in text) return await sendRefused(post, video, 400, draftOf(text.error))
  const moment = parent ? { atMs: null } : await momentOf(at, video, post)
  if ('error' in moment) return await sendRefused(post, video, 400, draftOf(moment.error))
  if (await tooFast(post, video, draftOf(''))) return
  const comment = await ctx.library.write((db) =>
    db.addComment({
      videoId: video.id,
      parentId: parent?.id ?? null,
      authorId: viewer.user.id,
      atMs: moment.atMs,
      body: text.text,
      question
    })
  )
  const threadAt = parent
    ? ((await ctx.library.db.getComment(parent.parentId ?? parent.id))?.atMs ?? null)
    : comment.atMs
  return backTo(video, threadAt, comment.id)
})

const editComment = formPost(async (post) => {
  const found = await commentOf(post)
  if (!found) return
  const { comment, video } = found
  if (!mayEditComment(post.viewer.user, comment)) {
    return refused(post, 'Not yours to change', 'Only its author can change a comment.')
  }
  const typed = post.form.get('body') ?? ''
  const first = comment.parentId === null
  const at = first
    ? cleanText(post.form.get('at') ?? '', false)
        .trim()
        .slice(0, 40)
    : ''
  const draftOf = (error: string): CommentDraft => ({
    form: `edit:${comment.id}`,
    body: cleanText(typed, true).slice(0, 20_000),
    at,
    question: comment.question,
    error
  })
  const text = commentText(typed)
  if ('error' in text) return await sendRefused(post, video, 400, draftOf(text.error))
  const moment = first ? await momentOf(at, video, post) : { atMs: null }
  if ('error' in moment) return await sendRefused(post, video, 400, draftOf(moment.error))
  if (await tooFast(post, video, draftOf(''), 'edit')) return
  const updated = await post.ctx.library.write((db) =>
    db.updateComment(
      comment.id,
      first ? { body: text.text, atMs: moment.atMs } : { body: text.text }
    )
  )
  if (!updated) return commentNotFound(post)
  return backTo(video, await threadMoment(post, updated), updated.id)
})

/** The moment of the comment's thread. */
async function threadMoment(post: { ctx: PageContext }, c: LearnComment): Promise<number | null> {
  if (c.parentId === null) return c.atMs
  return (await post.ctx.library.db.getComment(c.parentId))?.atMs ?? null
}

const deleteComment = formPost(async (post) => {
  const found = await commentOf(post)
  if (!found) return
  const { comment, video } = found
  if (!mayDeleteComment(post.viewer.user, comment, video)) {
    return refused(
      post,
      'Not yours to delete',
      "Only its author, the video's owner or an administrator can delete a comment."
    )
  }
  const at = await threadMoment(post, comment)
  await post.ctx.library.write((db) => db.deleteComment(comment.id))
  const thread = comment.parentId ?? undefined
  const kept = thread && (await post.ctx.library.db.getComment(thread)) ? thread : undefined
  return backTo(video, at, kept)
})

const markAnswered = formPost(async (post) => {
  const found = await commentOf(post)
  if (!found) return
  const { comment, video } = found
  if (!mayMarkAnswered(post.viewer.user, comment, video)) {
    return refused(
      post,
      'Not yours to mark',
      "Only who asked, the video's owner or an administrator can mark a question answered."
    )
  }
  if (await slotRefused(post, 'edit', 'Too many changes')) return
  const answered = post.form.get('answered') !== '0'
  await post.ctx.library.write((db) => db.setAnswered(comment.id, answered, post.viewer.user.id))
  return backTo(video, comment.atMs, comment.id)
})

const helped = formPost(async (post) => {
  const video = await watchable(post, post.param)
  if (!video) return
  if (await slotRefused(post, 'reaction', 'Too many reactions')) return
  const on = post.form.get('on') !== '0'
  await post.ctx.library.write((db) =>
    db.toggleReaction(video.id, post.viewer.user.id, 'helped', null, on)
  )
  return `/v/${encodeURIComponent(video.id)}#helped`
})

/**
 * A refused comment leaves the form's address in the location bar: opening it again (a GET)
 * goes to the video's comments.
 */
async function toComments(r: PageRequest): Promise<void> {
  redirect(r.res, `/v/${encodeURIComponent(r.param)}#comments`)
}

/** GET /comments/:id/reply, /edit, /delete: the form on a page of its own. */
function formPage(kind: 'reply' | 'edit' | 'delete') {
  return async (r: PageRequest): Promise<void> => {
    const viewer = await requireViewer(r)
    if (!viewer) return
    const answer = { res: r.res, viewer }
    const db = r.ctx.library.db
    const found = COMMENT_ID.test(r.param) ? await db.getComment(r.param) : null
    const video = found ? await db.getVideo(found.videoId) : null
    if (!found || !video || !mayWatch(viewer.user, video)) return commentNotFound(answer)
    const comment = kind === 'reply' && found.parentId ? await db.getComment(found.parentId) : found
    if (!comment || (kind !== 'reply' && comment.deleted)) return commentNotFound(answer)
    if (kind === 'edit' && !mayEditComment(viewer.user, comment)) {
      return refused(answer, 'Not yours to change', 'Only its author can change a comment.')
    }
    if (kind === 'delete' && !mayDeleteComment(viewer.user, comment, video)) {
      return refused(
        answer,
        'Not yours to delete',
        "Only its author, the video's owner or an administrator can delete a comment."
      )
    }
    const back = backTo(video, await threadMoment(r, comment), comment.id)
    sendHtml(r.res, 200, commentPage({ viewer, video, kind, comment, back }))
  }
}

export const commentPageRoutes: PageRoute[] = [
  { path: /^\/v\/([^/]+)\/comments$/, get: toComments, post: addComment },
  { path: /^\/v\/([^/]+)\/helped$/, get: toComments, post: helped },
  { path: /^\/comments\/([^/]+)\/reply$/, get: formPage('reply') },
  { path: /^\/comments\/([^/]+)\/edit$/, get: formPage('edit'), post: editComment },
  { path: /^\/comments\/([^/]+)\/delete$/, get: formPage('delete'), post: deleteComment },
  { path: /^\/comments\/([^/]+)\/answered$/, post: markAnswered }
]
