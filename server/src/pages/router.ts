/**
 * The library's web pages: finds the route for a request and answers what no route does (an
 * unknown page, a wrong method, a refused or failed request). The routes live in `routes/`, one
 * module per group; what they share is in `routes/base.ts`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { HttpError } from '../http-request'
import { unavailable } from '../unavailable'
import { sendText, setSecurityHeaders } from './http'
import { sendErrorPage, viewerOf, wantsHtml, type PageContext, type PageRoute } from './routes/base'
import { collectionPageRoutes } from './routes/collections'
import { commentPageRoutes } from './routes/comments'
import { downloadRoutes } from './routes/download'
import { fileRoutes } from './routes/files'
import { inboxRoutes } from './routes/inbox'
import { libraryRoutes } from './routes/library'
import { liveModuleRoutes } from './routes/live-module'
import { profileRoutes } from './routes/profile'
import { requestPageRoutes } from './routes/requests'
import { sharedLinkRoutes } from './routes/shared-link'
import { signInRoutes } from './routes/sign-in'
import { unfurlRoutes } from './routes/unfurl'
import { videoRoutes } from './routes/video'

const ROUTES: PageRoute[] = [
  ...libraryRoutes,
  ...signInRoutes,
  ...videoRoutes,
  ...profileRoutes,
  ...downloadRoutes,
  ...sharedLinkRoutes,
  ...liveModuleRoutes,
  ...requestPageRoutes,
  ...commentPageRoutes,
  ...inboxRoutes,
  ...collectionPageRoutes,
  ...unfurlRoutes,
  ...fileRoutes
]

function allowed(route: PageRoute): string {
  return [route.get && 'GET, HEAD', route.post && 'POST'].filter(Boolean).join(', ')
}

/** The route for a path, and the path's variable part decoded ('' when it does not decode). */
function findRoute(path: string): { route: PageRoute; param: string } | null {
  for (const route of ROUTES) {
    const match = route.path.exec(path)
    if (!match) continue
    try {
      return { route, param: decodeURIComponent(match[1] ?? '') }
    } catch {
      return { route, param: '' }
    }
  }
  return null
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
  const method = req.method ?? 'GET'
  const found = findRoute(url.pathname)
  if (!found) {
    // A person who mistyped an address gets a page, not the API's JSON 404.
    if ((method === 'GET' || method === 'HEAD') && wantsHtml(req)) {
      setSecurityHeaders(res)
      sendErrorPage(res, {
        viewer: await viewerOf(req, ctx),
        status: 404,
        title: 'Page not found',
        message: 'There is nothing at this address.'
      })
      return true
    }
    return false
  }

  setSecurityHeaders(res)
  const { route, param } = found
  const handler =
    method === 'GET' || method === 'HEAD' ? route.get : method === 'POST' ? route.post : undefined
  if (!handler) {
    res.setHeader('Allow', allowed(route))
    sendText(res, 405, 'Method not allowed')
    return true
  }

  try {
    await handler({ req, res, ctx, url, param })
  } catch (error) {
    if (res.headersSent) {
      if (!res.destroyed) res.destroy()
      return true
    }
    if (error instanceof HttpError) {
      sendErrorPage(res, {
        viewer: null,
        status: error.status,
        title: 'Request refused',
        message: error.message
      })
      return true
    }
    const trouble = unavailable(error)
    if (trouble) {
      req.resume()
      for (const [name, value] of Object.entries(trouble.headers)) res.setHeader(name, value)
      sendErrorPage(res, {
        viewer: null,
        status: trouble.status,
        title: trouble.title,
        message: trouble.message
      })
      return true
    }
    console.error('[pages]', method, url.pathname, error)
    sendErrorPage(res, {
      viewer: null,
      status: 500,
      title: 'Something went wrong',
      message: 'The library could not answer this request. Try again in a moment.'
    })
  }
  return true
}
