/**
 * What every page route shares: the shape of a route and its handler, and the steps most of them
 * take — who the viewer is (or off to sign-in), a POST checked for its origin and CSRF token
 * before its form is read, the video a viewer may change, the error pages those steps answer with.
 *
 * CSRF: every POST is refused (403) when its Origin (or, without one, its Referer) names another
 * host. Forms of a signed-in user carry the session's CSRF token in a `csrf` field. The sign-in
 * form has no session yet; it has its own double-submit cookie (sign-in.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Resolved } from '../../auth'
import { clientUsedHttps } from '../../client-address'
import type { Video } from '../../db/types'
import { safeEqual } from '../../http-request'
import { VIDEO_ID, mayChange, type Library } from '../../library'
import { readForm, redirect, sameOriginRequest, sendHtml } from '../http'
import type { Viewer } from '../layout'
import { errorPage } from '../views'

export interface PageContext {
  library: Library
  resolveUser(req: IncomingMessage): Promise<Resolved | null>
}

/** One request to a page route. */
export interface PageRequest {
  req: IncomingMessage
  res: ServerResponse
  ctx: PageContext
  url: URL
  /** The path's one variable part (a video id, a token id…), decoded; '' when it has none. */
  param: string
}

export type PageHandler = (r: PageRequest) => Promise<void>

/** A path and what answers it. GET routes answer HEAD too. */
export interface PageRoute {
  /** Matches the whole path; its first group, if any, becomes `param`. */
  path: RegExp
  get?: PageHandler
  post?: PageHandler
}

/** A signed-in browser user. */
export interface PageViewer extends Viewer {
  sessionId: string
}

/**
 * Cookies are Secure when the library is served over https: its public URL says so, or a trusted
 * reverse proxy does (X-Forwarded-Proto).
 */
export function secureCookies(ctx: PageContext, req: IncomingMessage): boolean {
  const { publicUrl, trustProxy } = ctx.library.config
  return clientUsedHttps(req, publicUrl, trustProxy)
}

/**
 * The signed-in browser user, or null. Bearer tokens do not sign in pages (no CSRF token). With
 * the viewer's unread notifications for the header's Inbox badge (one indexed count).
 */
export async function viewerOf(req: IncomingMessage, ctx: PageContext): Promise<PageViewer | null> {
  const who = await ctx.resolveUser(req)
  if (!who || who.via !== 'session' || !who.sessionId || !who.csrf) return null
  return {
    user: who.user,
    csrf: who.csrf,
    sessionId: who.sessionId,
    unread: await unreadOf(ctx, who.user.id)
  }
}

/** The badge's count; a count that cannot be read leaves the badge off rather than fail the page. */
async function unreadOf(ctx: PageContext, userId: number): Promise<number | undefined> {
  try {
    return await ctx.library.db.unreadCount(userId)
  } catch {
    return undefined
  }
}

/** The signed-in viewer; otherwise answers with the way to sign in (and back) and returns null. */
export async function requireViewer({
  req,
  res,
  ctx,
  url
}: PageRequest): Promise<PageViewer | null> {
  const viewer = await viewerOf(req, ctx)
  if (viewer) return viewer
  const next = req.method === 'GET' || req.method === 'HEAD' ? url.pathname + url.search : '/'
  redirect(res, next === '/' ? '/signin' : `/signin?next=${encodeURIComponent(next)}`)
  return null
}

/** An error page (signed-in frame when there is a viewer) with its status. */
export function sendErrorPage(res: ServerResponse, page: Parameters<typeof errorPage>[0]): void {
  sendHtml(res, page.status, errorPage(page))
}

const STALE_FORM =
  'This form has expired or did not come from this library. Go back, reload the page and try again.'

function refuse(res: ServerResponse, viewer: Viewer | null, message: string): void {
  sendErrorPage(res, { viewer, status: 403, title: 'Request refused', message })
}

/** False (and a 403 answered, the body drained) when a POST names another origin. */
export function sameOriginPost({ req, res, ctx }: PageRequest): boolean {
  if (sameOriginRequest(req, ctx.library.config.publicUrl)) return true
  req.resume()
  refuse(res, null, STALE_FORM)
  return false
}

/** A signed-in POST that passed the checks: who sent it and its form. */
export interface FormPost extends PageRequest {
  viewer: PageViewer
  form: URLSearchParams
}

/**
 * A signed-in form POST: same origin, a signed-in viewer, a form body within the size limit,
 * and the session's CSRF token in its `csrf` field — then `act`. `act` answers the request
 * itself, or returns where the browser goes next (303 See Other, so a reload does not post again).
 */
export function formPost(act: (post: FormPost) => Promise<string | void>): PageHandler {
  return async (r) => {
    if (!sameOriginPost(r)) return
    const viewer = await requireViewer(r)
    if (!viewer) {
      r.req.resume()
      return
    }
    const form = await readForm(r.req)
    if (!safeEqual(form.get('csrf'), viewer.csrf)) {
      refuse(r.res, viewer, STALE_FORM)
      return
    }
    const next = await act({ ...r, viewer, form })
    if (next !== undefined) redirect(r.res, next)
  }
}

/** The video with this id, or null (an id that cannot be one is not looked up). */
export async function findVideo(ctx: PageContext, id: string): Promise<Video | null> {
  return VIDEO_ID.test(id) ? await ctx.library.db.getVideo(id) : null
}

export function videoNotFound(res: ServerResponse, viewer: Viewer | null): void {
  sendErrorPage(res, {
    viewer,
    status: 404,
    title: 'Video not found',
    message: 'This video does not exist or was deleted.'
  })
}

/** The video at `param` if `viewer` may change it; otherwise answers 404 or 403 and returns null. */
export async function changeableVideo(
  { res, ctx, param }: PageRequest,
  viewer: Viewer
): Promise<Video | null> {
  const video = await findVideo(ctx, param)
  if (!video) {
    videoNotFound(res, viewer)
    return null
  }
  if (!mayChange(viewer.user, video)) {
    sendErrorPage(res, {
      viewer,
      status: 403,
      title: 'Not yours to change',
      message: 'Only the person who uploaded this video, or an administrator, can change it.'
    })
    return null
  }
  return video
}

/** Strips control characters from a form field (keeping newlines and tabs when `multiline`). */
export function cleanText(value: string, multiline: boolean): string {
  const normalized = value.replace(/\r\n?/g, '\n')
  /* eslint-disable no-control-regex */
  return multiline
    ? normalized.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    : normalized.replace(/[\u0000-\u001f\u007f]/g, ' ')
  /* eslint-enable no-control-regex */
}

export function wantsHtml(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/html')
}
