/**
 * A video's edits, what its watch page draws, and who may watch it (issue 13). Filled in by the
 * edits API work; see the module comment of api/router.ts for the routes.
 */
import type { ApiRoute } from './base'

export const editsRoutes: ApiRoute[] = []
