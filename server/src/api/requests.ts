/** SKELETON (learning together): the requests helper fills these routes in. */
import type { ApiRoute } from './base'

export const requestRoutes: ApiRoute[] = []
