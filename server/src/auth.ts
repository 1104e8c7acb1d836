/**
 * Who is asking: a Bearer access token (the desktop app) or the session cookie (the pages).
 */
import type { IncomingMessage } from 'node:http'
import type { LibraryDb, User } from './db/types'
import { safeEqual } from './http-request'

export const SESSION_COOKIE = 'sidecast_session'

export interface Resolved {
  user: User
  via: 'token' | 'session'
  sessionId?: string
  csrf?: string
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>()
  if (!header) return out
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    const name = part.slice(0, eq).trim()
    let value = part.slice(eq + 1).trim()
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
    try {
      value = decodeURIComponent(value)
    } catch {
      continue
    }
    if (!out.has(name)) out.set(name, value)
  }
  return out
}

/** The token from `Authorization: Bearer <token>`, or null. */
export function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization
  if (!header) return null
  const match = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(header)
  return match ? (match[1] as string) : null
}

export async function resolveToken(req: IncomingMessage, db: LibraryDb): Promise<Resolved | null> {
  const token = bearerToken(req)
  if (!token) return null
  const user = await db.userForToken(token)
  return user ? { user, via: 'token' } : null
}

export async function resolveUser(req: IncomingMessage, db: LibraryDb): Promise<Resolved | null> {
  if (req.headers.authorization) return resolveToken(req, db)
  const sessionId = parseCookies(req.headers.cookie).get(SESSION_COOKIE)
  if (!sessionId) return null
  const session = await db.getSession(sessionId)
  return session ? { user: session.user, via: 'session', sessionId, csrf: session.csrf } : null
}

/** A session write must carry the session's CSRF token in `x-csrf-token`; tokens need none. */
export function csrfOk(req: IncomingMessage, who: Resolved): boolean {
  if (who.via === 'token') return true
  const sent = req.headers['x-csrf-token']
  return typeof sent === 'string' && !!who.csrf && safeEqual(sent, who.csrf)
}
