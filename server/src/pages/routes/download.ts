/** The download with everything burnt in, rendered on demand (issue 13). */
import type { PageRoute } from './base'

export const downloadRoutes: PageRoute[] = []
