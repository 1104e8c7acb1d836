/** The watch page's live callout layer, a static module built from src/shared (issue 13). */
import { liveModule } from '../live/build-live-module'
import { sendText } from '../http'
import type { PageRequest, PageRoute } from './base'

/** GET/HEAD /public/live-callouts.js — `no-cache` with an ETag: revalidated, sent once. */
async function serveLiveModule({ req, res }: PageRequest): Promise<void> {
  let module
  try {
    module = await liveModule()
  } catch (error) {
    console.error('[pages] building the live callout module failed:', error)
    sendText(res, 500, 'The live callout module could not be built.')
    return
  }
  res.setHeader('Content-Type', 'text/javascript; charset=utf-8')
  res.setHeader('Cache-Control', 'no-cache')
  res.setHeader('ETag', module.etag)
  const match = req.headers['if-none-match']
  if (match && match.split(',').some((tag) => tag.trim().replace(/^W\//, '') === module.etag)) {
    res.statusCode = 304
    res.end()
    return
  }
  res.statusCode = 200
  res.setHeader('Content-Length', module.code.length)
  res.end(req.method === 'HEAD' ? undefined : module.code)
}

export const liveModuleRoutes: PageRoute[] = [
  { path: /^\/public\/live-callouts\.js$/, get: serveLiveModule }
]
