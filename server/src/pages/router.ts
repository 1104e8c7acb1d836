/**
 * The library's web pages: sign-in, the library with search, the watch page, edit and delete,
 * the profile with access tokens, and the byte routes (media with Range, thumbnails, assets).
 *
 * CSRF: every POST is refused (403) when its Origin (or, without one, its Referer) names another
 * host. Forms of a signed-in user carry the session's CSRF token. The sign-in form has no session
 * yet, so it uses a double-submit cookie: GET /signin sets a random `sidecast_signin` cookie
 * (HttpOnly, SameSite=Strict, Path=/signin) and puts the same value in a hidden field; POST
 * /signin needs both to match. Another site can neither read nor set that cookie, so it cannot
 * sign a victim into the attacker's account ("login CSRF") even where a privacy proxy strips
 * Origin and Referer — which is why the Origin check alone was not enough.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { SESSION_COOKIE } from '../auth'
import type { User, Video } from '../db/types'
import type { Library } from '../library'
import {
  HttpError,
  appendSetCookie,
  clientAddress,
  parseCookies,
  randomToken,
  readForm,
  redirect,
  safeEqual,
  safeNext,
  sameOriginRequest,
  sendHtml,
  sendText,
  serializeCookie,
  setSecurityHeaders
} from './http'
import { serveThumbnail, serveVideo, servePublic } from './files'
import type { Viewer } from './layout'
import {
  DESCRIPTION_MAX,
  PAGE_SIZE,
  TITLE_MAX,
  TOKEN_LABEL_MAX,
  deletePage,
  editPage,
  errorPage,
  libraryPage,
  profilePage,
  signInPage,
  watchPage
} from './views'

export interface ResolvedUser {
  user: User
  via: 'token' | 'session'
  sessionId?: string
  csrf?: string
}

export interface PageContext {
  library: Library
  resolveUser(req: IncomingMessage): ResolvedUser | null
}

export const SIGNIN_COOKIE = 'sidecast_signin'
const SESSION_MAX_AGE_S = 30 * 24 * 3600

/** Video ids are URL-safe random strings; anything else is a 404 without touching the db. */
const VIDEO_ID = /^[A-Za-z0-9_-]{1,64}$/

interface PageViewer extends Viewer {
  sessionId: string
}

/**
 * Answers every non-API request it knows. Returns false for paths it does not serve (the caller
 * answers 404).
 */
export async function handlePage(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: PageContext
): Promise<boolean> {
  let url: URL
  try {
    url = new URL(req.url ?? '/', 'http://library.invalid')
  } catch {
    return false
  }
  const path = url.pathname
  const method = req.method ?? 'GET'
  const route = matchRoute(method, path)
  if (!route) {
    // A person who mistyped an address gets a page, not the API's JSON 404.
    if ((method === 'GET' || method === 'HEAD') && wantsHtml(req)) {
      setSecurityHeaders(res)
      sendHtml(
        res,
        404,
        errorPage({
          viewer: viewerOf(req, ctx),
          status: 404,
          title: 'Page not found',
          message: 'There is nothing at this address.'
        })
      )
      return true
    }
    return false
  }

  setSecurityHeaders(res)
  if (route === 'method-not-allowed') {
    res.setHeader('Allow', ALLOWED[allowKey(path)] ?? 'GET, HEAD')
    sendText(res, 405, 'Method not allowed')
    return true
  }

  try {
    await route(req, res, ctx, url)
  } catch (error) {
    if (res.headersSent) {
      if (!res.destroyed) res.destroy()
      return true
    }
    if (error instanceof HttpError) {
      sendHtml(
        res,
        error.status,
        errorPage({
          viewer: null,
          status: error.status,
          title: 'Request refused',
          message: error.message
        })
      )
      return true
    }
    console.error('[pages]', method, path, error)
    sendHtml(
      res,
      500,
      errorPage({
        viewer: null,
        status: 500,
        title: 'Something went wrong',
        message: 'The library could not answer this request. Try again in a moment.'
      })
    )
  }
  return true
}

// ---------------------------------------------------------------------------------------------
// Routing table

type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  ctx: PageContext,
  url: URL
) => Promise<void>

interface Route {
  pattern: RegExp
  get?: Handler
  post?: Handler
  allow: string
}

const ROUTES: Route[] = [
  { pattern: /^\/$/, get: libraryRoute, allow: 'GET, HEAD' },
  { pattern: /^\/signin$/, get: signInGet, post: signInPost, allow: 'GET, HEAD, POST' },
  { pattern: /^\/signout$/, post: signOutPost, allow: 'POST' },
  { pattern: /^\/v\/([^/]+)$/, get: watchRoute, allow: 'GET, HEAD' },
  { pattern: /^\/v\/([^/]+)\/edit$/, get: editGet, post: editPost, allow: 'GET, HEAD, POST' },
  { pattern: /^\/v\/([^/]+)\/delete$/, get: deleteGet, post: deletePost, allow: 'GET, HEAD, POST' },
  { pattern: /^\/profile$/, get: profileGet, allow: 'GET, HEAD' },
  { pattern: /^\/profile\/tokens$/, post: tokenCreatePost, allow: 'POST' },
  { pattern: /^\/profile\/tokens\/([^/]+)\/revoke$/, post: tokenRevokePost, allow: 'POST' },
  { pattern: /^\/media\/([^/]+)$/, get: mediaRoute, allow: 'GET, HEAD' },
  { pattern: /^\/thumbs\/([^/]+)\.jpg$/, get: thumbRoute, allow: 'GET, HEAD' },
  { pattern: /^\/public\/([^/]+)$/, get: publicRoute, allow: 'GET, HEAD' }
]

const ALLOWED: Record<string, string> = Object.fromEntries(
  ROUTES.map((r) => [r.pattern.source, r.allow])
)

function allowKey(path: string): string {
  return ROUTES.find((r) => r.pattern.test(path))?.pattern.source ?? ''
}

function matchRoute(method: string, path: string): Handler | 'method-not-allowed' | null {
  const route = ROUTES.find((r) => r.pattern.test(path))
  if (!route) return null
  if ((method === 'GET' || method === 'HEAD') && route.get) return route.get
  if (method === 'POST' && route.post) return route.post
  return 'method-not-allowed'
}

function param(url: URL, pattern: RegExp): string {
  const m = pattern.exec(url.pathname)
  try {
    return decodeURIComponent(m?.[1] ?? '')
  } catch {
    return ''
  }
}

// ---------------------------------------------------------------------------------------------
// Sign-in state

function secureCookies(ctx: PageContext): boolean {
  return ctx.library.config.publicUrl.startsWith('https:')
}

/** The signed-in browser user, or null. Bearer tokens do not sign in pages (no CSRF token). */
function viewerOf(req: IncomingMessage, ctx: PageContext): PageViewer | null {
  const who = ctx.resolveUser(req)
  if (!who || who.via !== 'session' || !who.sessionId || !who.csrf) return null
  return { user: who.user, csrf: who.csrf, sessionId: who.sessionId }
}

function requireViewer(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: PageContext,
  url: URL
): PageViewer | null {
  const viewer = viewerOf(req, ctx)
  if (viewer) return viewer
  const next = req.method === 'GET' || req.method === 'HEAD' ? url.pathname + url.search : '/'
  redirect(res, next === '/' ? '/signin' : `/signin?next=${encodeURIComponent(next)}`)
  return null
}

function refuse(res: ServerResponse, viewer: Viewer | null, message: string): void {
  sendHtml(res, 403, errorPage({ viewer, status: 403, title: 'Request refused', message }))
}

const STALE_FORM =
  'This form has expired or did not come from this library. Go back, reload the page and try again.'

/**
 * For a signed-in POST: same origin, a form body within the size limit, and the session's CSRF
 * token in the `csrf` field. Answers the request and returns null when any check fails.
 */
async function postForm(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: PageContext,
  url: URL
): Promise<{ viewer: PageViewer; form: URLSearchParams } | null> {
  if (!sameOriginRequest(req, ctx.library.config.publicUrl)) {
    req.resume()
    refuse(res, null, STALE_FORM)
    return null
  }
  const viewer = requireViewer(req, res, ctx, url)
  if (!viewer) {
    req.resume()
    return null
  }
  const form = await readForm(req)
  if (!safeEqual(form.get('csrf'), viewer.csrf)) {
    refuse(res, viewer, STALE_FORM)
    return null
  }
  return { viewer, form }
}

// ---------------------------------------------------------------------------------------------
// Sign in / out

const THROTTLE_WINDOW_MS = 15 * 60_000
const THROTTLE_MAX_FAILURES = 10
const failuresByLibrary = new WeakMap<Library, Map<string, { count: number; since: number }>>()

function failures(ctx: PageContext): Map<string, { count: number; since: number }> {
  let map = failuresByLibrary.get(ctx.library)
  if (!map) {
    map = new Map()
    failuresByLibrary.set(ctx.library, map)
  }
  return map
}

function throttled(ctx: PageContext, key: string): boolean {
  const entry = failures(ctx).get(key)
  if (!entry) return false
  if (Date.now() - entry.since > THROTTLE_WINDOW_MS) {
    failures(ctx).delete(key)
    return false
  }
  return entry.count >= THROTTLE_MAX_FAILURES
}

function recordFailure(ctx: PageContext, key: string): void {
  const map = failures(ctx)
  const entry = map.get(key)
  if (!entry || Date.now() - entry.since > THROTTLE_WINDOW_MS) {
    map.set(key, { count: 1, since: Date.now() })
  } else {
    entry.count++
  }
  if (map.size > 10_000) {
    const cutoff = Date.now() - THROTTLE_WINDOW_MS
    for (const [k, v] of map) if (v.since < cutoff) map.delete(k)
  }
}

/** The double-submit value for the sign-in form: the cookie's when it has one, else a new one. */
function signInToken(req: IncomingMessage, res: ServerResponse, ctx: PageContext): string {
  const existing = parseCookies(req.headers.cookie).get(SIGNIN_COOKIE)
  if (existing && /^[A-Za-z0-9_-]{32}$/.test(existing)) return existing
  const token = randomToken(24)
  appendSetCookie(
    res,
    serializeCookie(SIGNIN_COOKIE, token, {
      path: '/signin',
      sameSite: 'Strict',
      maxAgeSeconds: 12 * 3600,
      secure: secureCookies(ctx)
    })
  )
  return token
}

async function signInGet(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: PageContext,
  url: URL
): Promise<void> {
  const next = safeNext(url.searchParams.get('next'))
  if (viewerOf(req, ctx)) {
    redirect(res, next, 303)
    return
  }
  const csrf = signInToken(req, res, ctx)
  sendHtml(
    res,
    200,
    signInPage({
      next,
      csrf,
      info: url.searchParams.has('signedout') ? 'You have signed out.' : undefined
    })
  )
}

async function signInPost(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: PageContext
): Promise<void> {
  if (!sameOriginRequest(req, ctx.library.config.publicUrl)) {
    req.resume()
    refuse(res, null, STALE_FORM)
    return
  }
  const form = await readForm(req)
  const next = safeNext(form.get('next'))
  const name = (form.get('name') ?? '').trim()
  const password = form.get('password') ?? ''
  const cookie = parseCookies(req.headers.cookie).get(SIGNIN_COOKIE)
  if (!safeEqual(form.get('csrf'), cookie)) {
    const csrf = signInToken(req, res, ctx)
    sendHtml(
      res,
      403,
      signInPage({
        next,
        csrf,
        name,
        error: 'The sign-in form expired. Please sign in again.'
      })
    )
    return
  }
  const key = `${clientAddress(req)}|${name.toLowerCase()}`
  if (throttled(ctx, key)) {
    res.setHeader('Retry-After', String(THROTTLE_WINDOW_MS / 1000))
    sendHtml(
      res,
      429,
      signInPage({
        next,
        csrf: cookie ?? '',
        name,
        error: 'Too many failed attempts. Wait a few minutes, then try again.'
      })
    )
    return
  }
  const user = name && password ? ctx.library.db.verifyPassword(name, password) : null
  if (!user) {
    recordFailure(ctx, key)
    sendHtml(
      res,
      401,
      signInPage({ next, csrf: cookie ?? '', name, error: 'Wrong name or password.' })
    )
    return
  }
  failures(ctx).delete(key)
  const previous = viewerOf(req, ctx)
  if (previous) ctx.library.db.deleteSession(previous.sessionId)
  const session = ctx.library.db.createSession(user.id)
  appendSetCookie(
    res,
    serializeCookie(SESSION_COOKIE, session.id, {
      maxAgeSeconds: SESSION_MAX_AGE_S,
      secure: secureCookies(ctx)
    })
  )
  // The double-submit cookie has done its job.
  appendSetCookie(
    res,
    serializeCookie(SIGNIN_COOKIE, '', {
      path: '/signin',
      sameSite: 'Strict',
      maxAgeSeconds: 0,
      secure: secureCookies(ctx)
    })
  )
  redirect(res, next)
}

async function signOutPost(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: PageContext,
  url: URL
): Promise<void> {
  const post = await postForm(req, res, ctx, url)
  if (!post) return
  ctx.library.db.deleteSession(post.viewer.sessionId)
  appendSetCookie(
    res,
    serializeCookie(SESSION_COOKIE, '', { maxAgeSeconds: 0, secure: secureCookies(ctx) })
  )
  redirect(res, '/signin?signedout=1')
}

// ---------------------------------------------------------------------------------------------
// Library and watch pages

async function libraryRoute(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: PageContext,
  url: URL
): Promise<void> {
  const viewer = requireViewer(req, res, ctx, url)
  if (!viewer) return
  const query = (url.searchParams.get('q') ?? '').trim().slice(0, 200)
  const pageParam = Number(url.searchParams.get('page') ?? '1')
  const page = Number.isSafeInteger(pageParam) && pageParam >= 1 ? pageParam : 1
  const db = ctx.library.db
  const total = db.countVideos(query || undefined)
  const videos =
    total === 0 ? [] : db.searchVideos(query, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE })
  sendHtml(
    res,
    200,
    libraryPage({
      viewer,
      videos,
      total,
      page,
      query,
      publicUrl: ctx.library.config.publicUrl,
      info: url.searchParams.has('deleted') ? 'The video was deleted.' : undefined
    })
  )
}

function canEdit(user: User, video: Video): boolean {
  return user.admin || video.ownerId === user.id
}

function notFound(res: ServerResponse, viewer: Viewer | null): void {
  sendHtml(
    res,
    404,
    errorPage({
      viewer,
      status: 404,
      title: 'Video not found',
      message: 'This video does not exist or was deleted.'
    })
  )
}

function findVideo(ctx: PageContext, id: string): Video | null {
  return VIDEO_ID.test(id) ? ctx.library.db.getVideo(id) : null
}

async function watchRoute(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: PageContext,
  url: URL
): Promise<void> {
  const viewer = requireViewer(req, res, ctx, url)
  if (!viewer) return
  const video = findVideo(ctx, param(url, /^\/v\/([^/]+)$/))
  if (!video) return notFound(res, viewer)
  sendHtml(
    res,
    200,
    watchPage({
      viewer,
      video,
      shareUrl: `${ctx.library.config.publicUrl}/v/${encodeURIComponent(video.id)}`,
      canEdit: canEdit(viewer.user, video),
      info: url.searchParams.has('saved') ? 'Your changes were saved.' : undefined
    })
  )
}

/** Loads the video for an owner/admin route, or answers 404/403 and returns null. */
function editableVideo(
  res: ServerResponse,
  ctx: PageContext,
  viewer: PageViewer,
  id: string
): Video | null {
  const video = findVideo(ctx, id)
  if (!video) {
    notFound(res, viewer)
    return null
  }
  if (!canEdit(viewer.user, video)) {
    sendHtml(
      res,
      403,
      errorPage({
        viewer,
        status: 403,
        title: 'Not yours to change',
        message: 'Only the person who uploaded this video, or an administrator, can change it.'
      })
    )
    return null
  }
  return video
}

const EDIT_PATH = /^\/v\/([^/]+)\/edit$/
const DELETE_PATH = /^\/v\/([^/]+)\/delete$/

/** The signed-in viewer and the video at `pattern` they may change; null once answered. */
function viewerAndEditableVideo(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: PageContext,
  url: URL,
  pattern: RegExp
): { viewer: NonNullable<ReturnType<typeof requireViewer>>; video: Video } | null {
  const viewer = requireViewer(req, res, ctx, url)
  if (!viewer) return null
  const video = editableVideo(res, ctx, viewer, param(url, pattern))
  return video ? { viewer, video } : null
}

async function editGet(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: PageContext,
  url: URL
): Promise<void> {
  const found = viewerAndEditableVideo(req, res, ctx, url, EDIT_PATH)
  if (!found) return
  const { viewer, video } = found
  sendHtml(
    res,
    200,
    editPage({ viewer, video, title: video.title, description: video.description })
  )
}

/** Strips control characters (keeping newlines and tabs in descriptions). */
function cleanText(value: string, multiline: boolean): string {
  const normalized = value.replace(/\r\n?/g, '\n')
  /* eslint-disable no-control-regex */
  return multiline
    ? normalized.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    : normalized.replace(/[\u0000-\u001f\u007f]/g, ' ')
  /* eslint-enable no-control-regex */
}

async function editPost(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: PageContext,
  url: URL
): Promise<void> {
  const post = await postForm(req, res, ctx, url)
  if (!post) return
  const { viewer, form } = post
  const video = editableVideo(res, ctx, viewer, param(url, EDIT_PATH))
  if (!video) return
  const title = cleanText(form.get('title') ?? '', false).trim()
  const description = cleanText(form.get('description') ?? '', true).trim()
  let error: string | undefined
  if (!title) error = 'The title cannot be empty.'
  else if ([...title].length > TITLE_MAX)
    error = `The title can be at most ${TITLE_MAX} characters.`
  else if ([...description].length > DESCRIPTION_MAX)
    error = `The description can be at most ${DESCRIPTION_MAX.toLocaleString('en')} characters.`
  if (error) {
    sendHtml(res, 400, editPage({ viewer, video, title, description, error }))
    return
  }
  const updated = ctx.library.db.updateVideo(video.id, { title, description })
  if (!updated) return notFound(res, viewer)
  redirect(res, `/v/${encodeURIComponent(video.id)}?saved=1`)
}

async function deleteGet(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: PageContext,
  url: URL
): Promise<void> {
  const found = viewerAndEditableVideo(req, res, ctx, url, DELETE_PATH)
  if (found) sendHtml(res, 200, deletePage(found))
}

async function deletePost(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: PageContext,
  url: URL
): Promise<void> {
  const post = await postForm(req, res, ctx, url)
  if (!post) return
  const video = editableVideo(res, ctx, post.viewer, param(url, DELETE_PATH))
  if (!video) return
  await ctx.library.deleteVideo(video.id)
  redirect(res, '/?deleted=1')
}

// ---------------------------------------------------------------------------------------------
// Profile and tokens

/** The profile page with the viewer's current tokens, plus what this response has to say. */
function sendProfile(
  res: ServerResponse,
  status: number,
  ctx: PageContext,
  viewer: Viewer,
  extra: Pick<Parameters<typeof profilePage>[0], 'info' | 'error' | 'newToken'>
): void {
  const page = profilePage({
    viewer,
    tokens: ctx.library.db.listTokens(viewer.user.id),
    publicUrl: ctx.library.config.publicUrl,
    ...extra
  })
  sendHtml(res, status, page)
}

async function profileGet(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: PageContext,
  url: URL
): Promise<void> {
  const viewer = requireViewer(req, res, ctx, url)
  if (!viewer) return
  sendProfile(res, 200, ctx, viewer, {
    info: url.searchParams.has('revoked') ? 'The token was revoked.' : undefined
  })
}

async function tokenCreatePost(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: PageContext,
  url: URL
): Promise<void> {
  const post = await postForm(req, res, ctx, url)
  if (!post) return
  const { viewer, form } = post
  const label = cleanText(form.get('label') ?? '', false).trim()
  const db = ctx.library.db
  if (!label || label.length > TOKEN_LABEL_MAX) {
    sendProfile(res, 400, ctx, viewer, {
      error: label
        ? `A label can be at most ${TOKEN_LABEL_MAX} characters.`
        : 'Give the token a label, such as the computer it is for.'
    })
    return
  }
  const created = db.createToken(viewer.user.id, label)
  // Shown in this response only (never in a URL, never stored in clear): no redirect.
  sendProfile(res, 201, ctx, viewer, { newToken: { token: created.token, label } })
}

async function tokenRevokePost(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: PageContext,
  url: URL
): Promise<void> {
  const post = await postForm(req, res, ctx, url)
  if (!post) return
  const id = Number(param(url, /^\/profile\/tokens\/([^/]+)\/revoke$/))
  const revoked =
    Number.isSafeInteger(id) && id > 0 && ctx.library.db.revokeToken(post.viewer.user.id, id)
  if (!revoked) {
    sendHtml(
      res,
      404,
      errorPage({
        viewer: post.viewer,
        status: 404,
        title: 'Token not found',
        message: 'This token does not exist or was already revoked.'
      })
    )
    return
  }
  redirect(res, '/profile?revoked=1')
}

// ---------------------------------------------------------------------------------------------
// Bytes

function wantsHtml(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/html')
}

/** Media and thumbnails: a session or a Bearer token. */
function byteViewer(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: PageContext,
  url: URL
): ResolvedUser | null {
  const who = ctx.resolveUser(req)
  if (who) return who
  if (wantsHtml(req)) {
    redirect(res, `/signin?next=${encodeURIComponent(url.pathname + url.search)}`)
  } else {
    res.setHeader('WWW-Authenticate', 'Bearer realm="sidecast"')
    sendText(res, 401, 'Sign in or send an access token.')
  }
  return null
}

async function mediaRoute(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: PageContext,
  url: URL
): Promise<void> {
  if (!byteViewer(req, res, ctx, url)) return
  const video = findVideo(ctx, param(url, /^\/media\/([^/]+)$/))
  if (!video) {
    sendText(res, 404, 'No such video.')
    return
  }
  const download = url.searchParams.get('download') === '1'
  await serveVideo(req, res, ctx.library, video, download)
}

async function thumbRoute(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: PageContext,
  url: URL
): Promise<void> {
  if (!byteViewer(req, res, ctx, url)) return
  const video = findVideo(ctx, param(url, /^\/thumbs\/([^/]+)\.jpg$/))
  const path = video ? ctx.library.thumbnailFile(video) : null
  if (!path || !(await serveThumbnail(req, res, path))) sendText(res, 404, 'No thumbnail.')
}

async function publicRoute(
  req: IncomingMessage,
  res: ServerResponse,
  _ctx: PageContext,
  url: URL
): Promise<void> {
  const name = param(url, /^\/public\/([^/]+)$/)
  if (!(await servePublic(req, res, name))) sendText(res, 404, 'Not found.')
}
