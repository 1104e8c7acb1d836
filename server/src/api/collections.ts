/** SKELETON (learning together): the notifications helper fills these routes in. */
import type { ApiRoute } from './base'

export const collectionRoutes: ApiRoute[] = []
