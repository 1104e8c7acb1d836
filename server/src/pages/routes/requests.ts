/**
 * Walkthrough requests in the pages (docs/learning-together.md, "Requests"):
 *
 *   GET       /requests?state=solved&tag=&q=&page=   the list: Open / Solved, a tag, a search
 *   GET, POST /requests/new                          ask for a walkthrough → /r/:id
 *   GET       /r/:id                                 one request, its answers, "Me too"…
 *   POST      /r/:id/want       want=1|0             "Me too" on or off
 *   POST      /r/:id/solved     videoId=…|''         "This solved it" / "Reopen" (asker, admin)
 *   POST      /r/:id/answers    videoId=…            link one of your videos (its owner, admin)
 *   POST      /r/:id/unlink     videoId=…            unlink an answer (video owner, asker, admin)
 *   GET, POST /r/:id/edit                            change it (asker, admin)
 *   GET, POST /r/:id/delete                          delete it, after a confirmation (asker, admin)
 *
 * The rules (fields, limits, who may do what) are the API's: api/requests.ts.
 */
import type { ServerResponse } from 'node:http'
import { REQUEST_ID, type RequestState } from '../../../../src/shared/learn'
import {
  checkRequestFields,
  markSolvedIn,
  mayChangeRequest,
  mayUnlink,
  tagFilter,
  takePostingSlot,
  type PostingKind
} from '../../api/requests'
import type { LearnRequest, Video } from '../../db/types'
import { SEARCH_MAX, VIDEO_ID, mayChange, mayWatch } from '../../library'
import { sendHtml } from '../http'
import {
  LINKABLE_VIDEOS,
  REQUESTS_PAGE_SIZE,
  deleteRequestPage,
  requestFormPage,
  requestHref,
  requestPage,
  requestsListPage
} from '../learn/requests-view'
import type { Viewer } from '../layout'
import {
  formPost,
  requireViewer,
  sendErrorPage,
  type FormPost,
  type PageContext,
  type PageRequest,
  type PageRoute
} from './base'

/** What `?done=` says on a request's page after a change (never text from the address). */
const DONE: Record<string, string> = {
  asked: 'Your request is posted. You are told when someone answers it.',
  saved: 'Your changes were saved.',
  linked: 'Your video is linked as an answer.',
  already: 'That video already answers this request.',
  unlinked: 'The answer was unlinked.',
  solved: 'Marked “This solved it”.',
  reopened: 'The request is open again.'
}

async function findRequest(ctx: PageContext, id: string): Promise<LearnRequest | null> {
  return REQUEST_ID.test(id) ? await ctx.library.db.getRequest(id) : null
}

function requestNotFound(res: ServerResponse, viewer: Viewer | null): void {
  sendErrorPage(res, {
    viewer,
    status: 404,
    title: 'Request not found',
    message: 'This request does not exist or was deleted.'
  })
}

function notYours(res: ServerResponse, viewer: Viewer, message: string): void {
  sendErrorPage(res, { viewer, status: 403, title: 'Not yours to change', message })
}

/**
 * Takes a posting slot (api/requests.ts takePostingSlot); false (and 429 answered with
 * Retry-After) when `viewer` has posted too much for now. Called after the form's own checks and
 * right before the write.
 */
async function underLimit(post: FormPost, kind: PostingKind): Promise<boolean> {
  const refusal = await takePostingSlot(post.ctx.library, post.viewer.user, kind)
  if (!refusal) return true
  post.res.setHeader('Retry-After', String(refusal.retryAfter))
  sendErrorPage(post.res, {
    viewer: post.viewer,
    status: 429,
    title: 'Slow down',
    message: refusal.message
  })
  return false
}

/** The request at `param` if the viewer may change it; else answers 404 or 403, returns null. */
async function changeableRequest(r: PageRequest, viewer: Viewer): Promise<LearnRequest | null> {
  const request = await findRequest(r.ctx, r.param)
  if (!request) {
    requestNotFound(r.res, viewer)
    return null
  }
  if (!mayChangeRequest(viewer.user, request)) {
    notYours(r.res, viewer, 'Only the person who asked, or an administrator, can change it.')
    return null
  }
  return request
}

// ---------------------------------------------------------------------------------------------
// GET /requests

async function list(r: PageRequest): Promise<void> {
  const viewer = await requireViewer(r)
  if (!viewer) return
  const params = r.url.searchParams
  const state: RequestState = params.get('state') === 'solved' ? 'solved' : 'open'
  const typedTag = params.get('tag')
  const tag = typedTag ? tagFilter(typedTag) : null
  const q = (params.get('q') ?? '').trim().slice(0, SEARCH_MAX)
  const pageParam = Number(params.get('page') ?? '1')
  const page = Number.isSafeInteger(pageParam) && pageParam >= 1 ? pageParam : 1
  const { db } = r.ctx.library
  const filter = { ...(tag ? { tag } : {}), ...(q ? { q } : {}) }
  const counts = {
    open: await db.countRequests({ ...filter, state: 'open' }),
    solved: await db.countRequests({ ...filter, state: 'solved' })
  }
  const total = counts[state]
  const offset = (page - 1) * REQUESTS_PAGE_SIZE
  const requests =
    total > offset
      ? await db.listRequests({ ...filter, state, limit: REQUESTS_PAGE_SIZE, offset })
      : []
  let info: string | undefined
  if (params.has('deleted')) info = 'The request was deleted.'
  else if (typedTag && !tag) info = `“${typedTag.slice(0, 40)}” is not a tag: showing every tag.`
  sendHtml(
    r.res,
    200,
    requestsListPage({ viewer, state, tag, q, page, requests, total, counts, info })
  )
}

// ---------------------------------------------------------------------------------------------
// GET/POST /requests/new, /r/:id/edit

async function askForm(r: PageRequest): Promise<void> {
  const viewer = await requireViewer(r)
  if (!viewer) return
  sendHtml(r.res, 200, requestFormPage({ viewer, request: null, title: '', details: '', tags: '' }))
}

/** The form's fields as typed (kept when it is shown again with an error). */
function typed(form: URLSearchParams): { title: string; details: string; tags: string } {
  return {
    title: form.get('title') ?? '',
    details: form.get('details') ?? '',
    tags: form.get('tags') ?? ''
  }
}

const ask = formPost(async (post) => {
  const { res, ctx, viewer, form } = post
  const input = typed(form)
  const result = checkRequestFields(input, true)
  if ('error' in result) {
    sendHtml(
      res,
      400,
      requestFormPage({
        viewer,
        request: null,
        ...input,
        error: result.error,
        errorField: result.field
      })
    )
    return
  }
  const refusal = await takePostingSlot(ctx.library, viewer.user, 'post')
  if (refusal) {
    res.setHeader('Retry-After', String(refusal.retryAfter))
    sendHtml(res, 429, requestFormPage({ viewer, request: null, ...input, error: refusal.message }))
    return
  }
  const { title = '', details = '', tags = [] } = result.fields
  const created = await ctx.library.write((db) =>
    db.createRequest({ title, details, tags, askerId: viewer.user.id })
  )
  return `${requestHref(created.id)}?done=asked`
})

async function editForm(r: PageRequest): Promise<void> {
  const viewer = await requireViewer(r)
  const request = viewer && (await changeableRequest(r, viewer))
  if (!viewer || !request) return
  sendHtml(
    r.res,
    200,
    requestFormPage({
      viewer,
      request,
      title: request.title,
      details: request.details,
      tags: request.tags.join(' ')
    })
  )
}

const saveEdit = formPost(async (post) => {
  const { res, ctx, viewer, form } = post
  const request = await changeableRequest(post, viewer)
  if (!request) return
  const input = typed(form)
  const result = checkRequestFields(input, true)
  if ('error' in result) {
    sendHtml(
      res,
      400,
      requestFormPage({ viewer, request, ...input, error: result.error, errorField: result.field })
    )
    return
  }
  if (!(await underLimit(post, 'change'))) return
  const updated = await ctx.library.write((db) => db.updateRequest(request.id, result.fields))
  if (!updated) return requestNotFound(res, viewer)
  return `${requestHref(request.id)}?done=saved`
})

// ---------------------------------------------------------------------------------------------
// GET /r/:id

/** The viewer's own videos not yet linked to the request, newest first, at most LINKABLE_VIDEOS. */
async function linkableVideos(
  ctx: PageContext,
  viewer: Viewer,
  linked: Set<string>
): Promise<Video[]> {
  const { db } = ctx.library
  const mine: Video[] = []
  for (const id of (await db.userHoldings(viewer.user.id)).videos) {
    if (linked.has(id)) continue
    const video = await db.getVideo(id)
    if (video) mine.push(video)
  }
  return mine
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))
    .slice(0, LINKABLE_VIDEOS)
}

async function show(r: PageRequest): Promise<void> {
  const viewer = await requireViewer(r)
  if (!viewer) return
  const request = await findRequest(r.ctx, r.param)
  if (!request) return requestNotFound(r.res, viewer)
  const { db } = r.ctx.library
  const answers: { answer: Awaited<ReturnType<typeof db.answersOf>>[number]; video: Video }[] = []
  for (const answer of await db.answersOf(request.id)) {
    const video = await db.getVideo(answer.videoId)
    if (video) answers.push({ answer, video })
  }
  const linked = new Set(answers.map((a) => a.video.id))
  const done = r.url.searchParams.get('done') ?? ''
  sendHtml(
    r.res,
    200,
    requestPage({
      viewer,
      request,
      answers,
      wantedByMe: await db.wants(request.id, viewer.user.id),
      linkable: await linkableVideos(r.ctx, viewer, linked),
      info: Object.hasOwn(DONE, done) ? DONE[done] : undefined
    })
  )
}

// ---------------------------------------------------------------------------------------------
// POST /r/:id/want, /solved, /answers, /unlink

const want = formPost(async (post) => {
  const { res, ctx, viewer, form } = post
  const request = await findRequest(ctx, post.param)
  if (!request) return requestNotFound(res, viewer)
  if (!(await underLimit(post, 'change'))) return
  const wanted = form.get('want') !== '0'
  const updated = await ctx.library.write((db) => db.setWanted(request.id, viewer.user.id, wanted))
  if (!updated) return requestNotFound(res, viewer)
  return requestHref(request.id)
})

const solved = formPost(async (post) => {
  const { res, ctx, viewer, form } = post
  const request = await changeableRequest(post, viewer)
  if (!request || !(await underLimit(post, 'change'))) return
  const videoId = form.get('videoId') || null
  const result = await markSolvedIn(ctx.library, request.id, videoId, viewer.user)
  if (result === null) return requestNotFound(res, viewer)
  if (result === 'not-an-answer') {
    sendErrorPage(res, {
      viewer,
      status: 400,
      title: 'Not an answer',
      message: 'That video is not one of the answers of this request.'
    })
    return
  }
  return `${requestHref(request.id)}?done=${videoId ? 'solved' : 'reopened'}`
})

const linkAnswer = formPost(async (post) => {
  const { res, ctx, viewer, form } = post
  const request = await findRequest(ctx, post.param)
  if (!request) return requestNotFound(res, viewer)
  const videoId = form.get('videoId') ?? ''
  const video = VIDEO_ID.test(videoId) ? await ctx.library.db.getVideo(videoId) : null
  if (!video) {
    sendErrorPage(res, {
      viewer,
      status: 404,
      title: 'Video not found',
      message: 'The video to link does not exist or was deleted.'
    })
    return
  }
  if (!mayChange(viewer.user, video) || !mayWatch(viewer.user, video)) {
    notYours(
      res,
      viewer,
      'Only the owner of a video, or an administrator, can link it as an answer.'
    )
    return
  }
  if (!(await underLimit(post, 'change'))) return
  const linked = await ctx.library.write((db) =>
    db.linkAnswer(request.id, video.id, viewer.user.id)
  )
  if (!linked) return requestNotFound(res, viewer)
  return `${requestHref(request.id)}?done=${linked.linked ? 'linked' : 'already'}`
})

const unlink = formPost(async (post) => {
  const { res, ctx, viewer, form } = post
  const request = await findRequest(ctx, post.param)
  if (!request) return requestNotFound(res, viewer)
  const videoId = form.get('videoId') ?? ''
  const { db } = ctx.library
  const isAnswer =
    VIDEO_ID.test(videoId) && (await db.answersOf(request.id)).some((a) => a.videoId === videoId)
  if (!isAnswer) {
    sendErrorPage(res, {
      viewer,
      status: 404,
      title: 'Not an answer',
      message: 'That video is not one of the answers of this request.'
    })
    return
  }
  if (!mayUnlink(viewer.user, request, await db.getVideo(videoId))) {
    notYours(
      res,
      viewer,
      "Only the video's owner, the person who asked, or an administrator can unlink it."
    )
    return
  }
  if (!(await underLimit(post, 'change'))) return
  await ctx.library.write((d) => d.unlinkAnswer(request.id, videoId))
  return `${requestHref(request.id)}?done=unlinked`
})

// ---------------------------------------------------------------------------------------------
// GET/POST /r/:id/delete

async function confirmDelete(r: PageRequest): Promise<void> {
  const viewer = await requireViewer(r)
  const request = viewer && (await changeableRequest(r, viewer))
  if (viewer && request) sendHtml(r.res, 200, deleteRequestPage({ viewer, request }))
}

const deleteRequest = formPost(async (post) => {
  const request = await changeableRequest(post, post.viewer)
  if (!request || !(await underLimit(post, 'change'))) return
  await post.ctx.library.write((db) => db.deleteRequest(request.id))
  return '/requests?deleted=1'
})

export const requestPageRoutes: PageRoute[] = [
  { path: /^\/requests$/, get: list },
  { path: /^\/requests\/new$/, get: askForm, post: ask },
  { path: /^\/r\/([^/]+)$/, get: show },
  { path: /^\/r\/([^/]+)\/want$/, post: want },
  { path: /^\/r\/([^/]+)\/solved$/, post: solved },
  { path: /^\/r\/([^/]+)\/answers$/, post: linkAnswer },
  { path: /^\/r\/([^/]+)\/unlink$/, post: unlink },
  { path: /^\/r\/([^/]+)\/edit$/, get: editForm, post: saveEdit },
  { path: /^\/r\/([^/]+)\/delete$/, get: confirmDelete, post: deleteRequest }
]
