/** The IPC handlers of the Requests view: the connected library's open requests, and opening one. */
import type { RequestsList } from '../../shared/ipc'
import { SidecastError } from '../../shared/errors'
import { LEARN_LIMITS } from '../../shared/learn'
import type { FeatureHandlers } from '../ipc/feature-handlers'
import { badRequest, optionalString, requireObject, requireString } from '../ipc/ipc-args'
import {
  isLibraryPage,
  LEARN_FEATURE,
  UNSUPPORTED_MESSAGE,
  type LearnClient,
  type LearnOutcome
} from './learn-client'

export interface LearnHandlersOptions {
  readonly client: LearnClient
  /** Opens a web page in the default browser. */
  openExternal(url: string): Promise<void>
}

/** An outcome that is not `ok`, as the Requests view's list says it. */
function notListed(answer: Exclude<LearnOutcome<unknown>, { kind: 'ok' }>): RequestsList {
  return { state: answer.kind, message: answer.message }
}

export function learnHandlers(options: LearnHandlersOptions): FeatureHandlers<'requests'> {
  const { client } = options
  return {
    'requests:list': async (query) => {
      const body = query === undefined || query === null ? {} : requireObject(query, 'query')
      // Search words are at most a request title's length.
      const q = optionalString(body.q, 'query.q', LEARN_LIMITS.requestTitle * 2)
      const features = await client.features()
      if (features.kind !== 'ok') return notListed(features)
      if (!features.value.includes(LEARN_FEATURE)) {
        return { state: 'unsupported', message: UNSUPPORTED_MESSAGE }
      }
      const answer = await client.openRequests(q)
      if (answer.kind !== 'ok') return notListed(answer)
      return { state: 'ok', requests: answer.value }
    },
    'requests:open': async (url) => {
      const target = requireString(url, 'url', 4096)
      if (!target) throw badRequest('"url" must not be empty.')
      const creds = await client.credentials()
      if (!creds) {
        throw new SidecastError(
          'library-not-set',
          'No library is connected, so nothing was opened.'
        )
      }
      if (!isLibraryPage(target, creds.url)) {
        throw new SidecastError(
          'not-library-link',
          `${target} is not a page of the library at ${creds.url}, so Sidecast did not open it.`
        )
      }
      await options.openExternal(target)
    }
  }
}
