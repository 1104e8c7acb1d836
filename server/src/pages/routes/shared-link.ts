/** "Anyone with the link": a video's visitor page and media, no sign-in (issue 13). */
import type { PageRoute } from './base'

export const sharedLinkRoutes: PageRoute[] = []
