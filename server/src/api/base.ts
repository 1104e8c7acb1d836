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
