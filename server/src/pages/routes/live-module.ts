/** The watch page's live callout layer, a static module built from src/shared (issue 13). */
import type { PageRoute } from './base'

export const liveModuleRoutes: PageRoute[] = []
