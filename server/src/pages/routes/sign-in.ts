/**
 * Signing in and out of the pages.
 *
 * The sign-in form has no session yet, so its CSRF check is a double-submit cookie: GET /signin
 * sets a random `sidecast_signin` cookie (HttpOnly, SameSite=Strict, Path=/signin) and puts the
 * same value in a hidden field; POST /signin needs both to match. Another site can neither read
 * nor set that cookie, so it cannot sign a victim into the attacker's account ("login CSRF") even
 * where a privacy proxy strips Origin and Referer — which is why the Origin check alone was not
 * enough.
 *
 * A password check costs ~35 ms of CPU, so it runs off the event loop (passwords.ts); names and
 * passwords longer than any real one are refused before it; wrong sign-ins are throttled per
 * client address and name and per client address (429 with Retry-After, before any hashing).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { SESSION_COOKIE } from '../../auth'
import { clientAddress, clientKey } from '../../client-address'
import type { User } from '../../db/types'
import { safeEqual } from '../../http-request'
import type { Library } from '../../library'
import { MAX_NAME_LENGTH, MAX_PASSWORD_LENGTH, PasswordCheckBusy } from '../../passwords'
import { FailureThrottle, throttleCounters } from '../../throttle'
import {
  appendSetCookie,
  parseCookies,
  randomToken,
  readForm,
  redirect,
  safeNext,
  sendHtml,
  serializeCookie
} from '../http'
import { signInOg } from '../learn/unfurl'
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
const FAILURES_PER_NAME = 10
const THROTTLE_MAX_KEYS = 10_000

/**
 * Wrong sign-ins in the last 15 minutes, counted twice: per client address and name (ten
 * guesses at one account), and per client address alone (random names, to keep the server
 * hashing). Both maps are bounded; a flood of new keys forgets the oldest first.
 */
interface Throttles {
  byName: FailureThrottle
  byAddress: FailureThrottle
}
const throttlesByLibrary = new WeakMap<Library, Throttles>()

function throttles(ctx: PageContext): Throttles {
  let t = throttlesByLibrary.get(ctx.library)
  if (!t) {
    const window = { windowMs: THROTTLE_WINDOW_MS, maxKeys: THROTTLE_MAX_KEYS }
    const counters = throttleCounters(ctx.library)
    t = {
      byName: new FailureThrottle(
        { name: 'signin-name', ...window, limit: FAILURES_PER_NAME },
        counters
      ),
      byAddress: new FailureThrottle(
        { name: 'signin-address', ...window, limit: ctx.library.config.signInFailuresPerAddress },
        counters
      )
    }
    throttlesByLibrary.set(ctx.library, t)
  }
  return t
}

// ---------------------------------------------------------------------------------------------
// The double-submit cookie

/** Sets (or, with `maxAgeSeconds: 0`, clears) the sign-in form's cookie. */
function setSignInCookie(
  res: ServerResponse,
  req: IncomingMessage,
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
      secure: secureCookies(ctx, req)
    })
  )
}

/** The double-submit value for the sign-in form: the cookie's when it has one, else a new one. */
function signInToken(req: IncomingMessage, res: ServerResponse, ctx: PageContext): string {
  const existing = parseCookies(req.headers.cookie).get(SIGNIN_COOKIE)
  if (existing && /^[A-Za-z0-9_-]{32}$/.test(existing)) return existing
  const token = randomToken(24)
  setSignInCookie(res, req, ctx, token, 12 * 3600)
  return token
}

// ---------------------------------------------------------------------------------------------
// Routes

async function showSignIn({ req, res, ctx, url }: PageRequest): Promise<void> {
  const next = safeNext(url.searchParams.get('next'), ctx.library.config.publicUrl)
  if (await viewerOf(req, ctx)) {
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
      info: url.searchParams.has('signedout') ? 'You have signed out.' : undefined,
      // A team video's address ends here when not signed in: its preview is the generic card.
      og: signInOg(ctx.library, next)
    })
  )
}

/** The name shown back in the form after a refusal: never more than a real name can be. */
function shownName(name: string): string {
  return [...name].slice(0, MAX_NAME_LENGTH).join('')
}

async function signIn(r: PageRequest): Promise<void> {
  const { req, res, ctx } = r
  if (!sameOriginPost(r)) return
  const form = await readForm(req)
  const next = safeNext(form.get('next'), ctx.library.config.publicUrl)
  const name = (form.get('name') ?? '').trim()
  const password = form.get('password') ?? ''
  const cookie = parseCookies(req.headers.cookie).get(SIGNIN_COOKIE)
  const answer = (status: number, error: string, csrf = cookie ?? ''): void => {
    sendHtml(res, status, signInPage({ next, csrf, name: shownName(name), error }))
  }
  if (!safeEqual(form.get('csrf'), cookie)) {
    answer(403, 'The sign-in form expired. Please sign in again.', signInToken(req, res, ctx))
    return
  }
  // Before any hashing: nothing longer than a real name or password costs a hash.
  if ([...name].length > MAX_NAME_LENGTH) {
    answer(400, `Names have at most ${MAX_NAME_LENGTH} characters.`)
    return
  }
  if ([...password].length > MAX_PASSWORD_LENGTH) {
    answer(400, `Passwords have at most ${MAX_PASSWORD_LENGTH} characters.`)
    return
  }
  const { byName, byAddress } = throttles(ctx)
  const address = clientKey(clientAddress(req, ctx.library.config.trustProxy))
  const nameKey = `${address}|${name.toLowerCase()}`
  // Every attempt takes its slot before the password is checked (check and count in one atomic
  // step, in Redis for several instances), so parallel guesses cannot all pass one check while
  // the first ones are still being hashed. A slot is given back when the attempt did not fail.
  const [addressWait, nameWait] = await Promise.all([byAddress.take(address), byName.take(nameKey)])
  const giveBack = async (): Promise<void> => {
    await Promise.all([
      addressWait === 0 ? byAddress.giveBack(address) : null,
      nameWait === 0 ? byName.giveBack(nameKey) : null
    ])
  }
  const wait = Math.max(addressWait, nameWait)
  if (wait > 0) {
    await giveBack()
    res.setHeader('Retry-After', String(wait))
    answer(429, 'Too many failed attempts. Wait a few minutes, then try again.')
    return
  }
  let user: User | null = null
  try {
    user = name && password ? await ctx.library.db.verifyPassword(name, password) : null
  } catch (error) {
    // Not an attempt that failed: busy (503) or broken (500); the slots go back.
    await giveBack()
    if (!(error instanceof PasswordCheckBusy)) throw error
    res.setHeader('Retry-After', '5')
    answer(503, 'The library is busy signing people in. Try again in a few seconds.')
    return
  }
  if (!user) {
    answer(401, 'Wrong name or password.')
    return
  }
  // A right password ends the guessing at this name and is not a failure of the address.
  await Promise.all([byName.clear(nameKey), byAddress.giveBack(address)])
  const previous = await viewerOf(req, ctx)
  if (previous) await ctx.library.db.deleteSession(previous.sessionId)
  const session = await ctx.library.db.createSession(user.id)
  appendSetCookie(
    res,
    serializeCookie(SESSION_COOKIE, session.id, {
      maxAgeSeconds: SESSION_MAX_AGE_S,
      secure: secureCookies(ctx, req)
    })
  )
  // The double-submit cookie has done its job.
  setSignInCookie(res, req, ctx, '', 0)
  redirect(res, next)
}

const signOut = formPost(async ({ req, res, ctx, viewer }) => {
  await ctx.library.db.deleteSession(viewer.sessionId)
  appendSetCookie(
    res,
    serializeCookie(SESSION_COOKIE, '', { maxAgeSeconds: 0, secure: secureCookies(ctx, req) })
  )
  return '/signin?signedout=1'
})

export const signInRoutes: PageRoute[] = [
  { path: /^\/signin$/, get: showSignIn, post: signIn },
  { path: /^\/signout$/, post: signOut }
]
