/** SKELETON (learning together): filled in by its helper. */
import type { PageRoute } from './base'

export const unfurlRoutes: PageRoute[] = []
