/** What every API route shares: the request it is handed, its shape, the method check. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Resolved } from '../auth'
import { HttpError } from '../http-request'
import type { Library } from '../library'

/** One request to an API route, from a signed-in user (token or session). */
export interface ApiRequest {
  req: IncomingMessage
  res: ServerResponse
  url: URL
  library: Library
  who: Resolved
  /** The path's one variable part (a video id); '' when it has none. */
  param: string
}

export type ApiHandler = (r: ApiRequest) => Promise<void>

/** A path and what answers it; the handler checks the method (see `allowMethods`). */
export interface ApiRoute {
  /** Matches the whole path; its first group, if any, becomes `param`. */
  path: RegExp
  handle: ApiHandler
}

/** Refuses (405) any method but these: "use GET", "use GET, PATCH or DELETE". */
export function allowMethods(r: ApiRequest, ...methods: string[]): void {
  if (methods.includes(r.req.method ?? 'GET')) return
  const last = methods.at(-1)
  const list = methods.length > 1 ? `${methods.slice(0, -1).join(', ')} or ${last}` : last
  throw new HttpError(405, `use ${list}`)
}

/**
 * A query number (paging): absent or empty gives `fallback`; otherwise plain digits, at least
 * `min` and a safe integer (1.5, 1e20, Infinity, -1, 0x10 are refused with 400, not guessed at).
 */
export function wholeNumber(
  params: URLSearchParams,
  name: string,
  min: number,
  fallback: number
): number {
  const text = params.get(name)
  if (text === null || text === '') return fallback
  const value = Number(text)
  if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(value) || value < min) {
    throw new HttpError(400, `${name} must be a whole number from ${min} up`)
  }
  return value
}

/** A JSON body as an object with only these fields, else 400 naming the first other one. */
export function objectBody(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'body must be a JSON object')
  }
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw new HttpError(400, `unknown field: ${key.slice(0, 40)}`)
  }
  return body as Record<string, unknown>
}
