/**
 * Signing in and out of the pages.
 *
 * The sign-in form has no session yet, so its CSRF check is a double-submit cookie: GET /signin
 * sets a random `sidecast_signin` cookie (HttpOnly, SameSite=Strict, Path=/signin) and puts the
 * same value in a hidden field; POST /signin needs both to match. Another site can neither read
 * nor set that cookie, so it cannot sign a victim into the attacker's account ("login CSRF") even
 * where a privacy proxy strips Origin and Referer — which is why the Origin check alone was not
 * enough. Wrong passwords are throttled per client address and name.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { SESSION_COOKIE } from '../../auth'
import { safeEqual } from '../../http-request'
import type { Library } from '../../library'
import {
  appendSetCookie,
  clientAddress,
  parseCookies,
  randomToken,
  readForm,
  redirect,
  safeNext,
  sendHtml,
  serializeCookie
} from '../http'
import { signInPage } from '../views'
import {
  formPost,
  sameOriginPost,
  secureCookies,
  viewerOf,
  type PageContext,
  type PageRequest,
  type PageRoute
} from './base'

const SIGNIN_COOKIE = 'sidecast_signin'
const SESSION_MAX_AGE_S = 30 * 24 * 3600

// ---------------------------------------------------------------------------------------------
// Throttling wrong passwords

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

// ---------------------------------------------------------------------------------------------
// The double-submit cookie

/** Sets (or, with `maxAgeSeconds: 0`, clears) the sign-in form's cookie. */
function setSignInCookie(
  res: ServerResponse,
  ctx: PageContext,
  value: string,
  maxAgeSeconds: number
): void {
  appendSetCookie(
    res,
    serializeCookie(SIGNIN_COOKIE, value, {
      path: '/signin',
      sameSite: 'Strict',
      maxAgeSeconds,
      secure: secureCookies(ctx)
    })
  )
}

/** The double-submit value for the sign-in form: the cookie's when it has one, else a new one. */
function signInToken(req: IncomingMessage, res: ServerResponse, ctx: PageContext): string {
  const existing = parseCookies(req.headers.cookie).get(SIGNIN_COOKIE)
  if (existing && /^[A-Za-z0-9_-]{32}$/.test(existing)) return existing
  const token = randomToken(24)
  setSignInCookie(res, ctx, token, 12 * 3600)
  return token
}

// ---------------------------------------------------------------------------------------------
// Routes

async function showSignIn({ req, res, ctx, url }: PageRequest): Promise<void> {
  const next = safeNext(url.searchParams.get('next'), ctx.library.config.publicUrl)
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

async function signIn(r: PageRequest): Promise<void> {
  const { req, res, ctx } = r
  if (!sameOriginPost(r)) return
  const form = await readForm(req)
  const next = safeNext(form.get('next'), ctx.library.config.publicUrl)
  const name = (form.get('name') ?? '').trim()
  const password = form.get('password') ?? ''
  const cookie = parseCookies(req.headers.cookie).get(SIGNIN_COOKIE)
  if (!safeEqual(form.get('csrf'), cookie)) {
    const csrf = signInToken(req, res, ctx)
    sendHtml(
      res,
      403,
      signInPage({ next, csrf, name, error: 'The sign-in form expired. Please sign in again.' })
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
  setSignInCookie(res, ctx, '', 0)
  redirect(res, next)
}

const signOut = formPost(async ({ res, ctx, viewer }) => {
  ctx.library.db.deleteSession(viewer.sessionId)
  appendSetCookie(
    res,
    serializeCookie(SESSION_COOKIE, '', { maxAgeSeconds: 0, secure: secureCookies(ctx) })
  )
  return '/signin?signedout=1'
})

export const signInRoutes: PageRoute[] = [
  { path: /^\/signin$/, get: showSignIn, post: signIn },
  { path: /^\/signout$/, post: signOut }
]
