/** Signing in to the library pages with plain fetch (for checks below the browser). */
import { expect } from 'vitest'

export interface FetchSession {
  cookie: string
  csrf: string
}

export function csrfFrom(pageHtml: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(pageHtml)
  if (!match?.[1]) throw new Error('no csrf field on the page')
  return match[1]
}

function cookiePair(res: Response, name: string): string {
  const found = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0] ?? '')
    .find((c) => c.startsWith(`${name}=`))
  if (!found) throw new Error(`no ${name} cookie set`)
  return found
}

export async function signInWithFetch(
  base: string,
  name: string,
  password: string
): Promise<FetchSession> {
  const form = await fetch(`${base}/signin`)
  expect(form.status).toBe(200)
  const signinCookie = cookiePair(form, 'sidecast_signin')
  const signinCsrf = csrfFrom(await form.text())
  const res = await fetch(`${base}/signin`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Cookie: signinCookie,
      Origin: base
    },
    body: new URLSearchParams({ name, password, csrf: signinCsrf, next: '/' }).toString()
  })
  expect(res.status).toBe(303)
  const cookie = cookiePair(res, 'sidecast_session')
  const home = await fetch(`${base}/`, { headers: { Cookie: cookie } })
  expect(home.status).toBe(200)
  return { cookie, csrf: csrfFrom(await home.text()) }
}

export function postForm(
  base: string,
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string>
): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString()
  })
}
