/** `GET /api/me`: who the token or session belongs to ("Test connection" in the app). */
import { sendJson } from './json'
import { allowMethods, type ApiRequest, type ApiRoute } from './base'

async function me(r: ApiRequest): Promise<void> {
  allowMethods(r, 'GET')
  sendJson(r.res, 200, { name: r.who.user.name, admin: r.who.user.admin })
}

export const meRoutes: ApiRoute[] = [{ path: /^\/api\/me$/, handle: me }]
