/**
 * The renderer's side of `window.api`: what crosses the bridge is the plain reply envelope
 * (`SidecastBridge`), because contextBridge keeps only the message of a thrown Error. Here, on
 * this side of it, an error envelope becomes a thrown SidecastError with its `code`, so the UI can
 * tell `export-busy` or `cancelled` from a real failure.
 */
import {
  isIpcResponse,
  unwrapResponse,
  type SidecastApi,
  type SidecastBridge
} from '../../../shared/ipc'
import { SidecastError } from '../../../shared/errors'

export function apiFromBridge(bridge: SidecastBridge): SidecastApi {
  return Object.freeze({
    async invoke(channel, ...args) {
      const response: unknown = await bridge.invoke(channel, ...args)
      if (!isIpcResponse(response)) {
        throw new SidecastError(
          'internal',
          'Sidecast sent an unexpected reply. Your recordings are safe; restart Sidecast and try again.'
        )
      }
      return unwrapResponse(response) as never
    },
    on(channel, listener) {
      return bridge.on(channel, listener)
    }
  } satisfies SidecastApi)
}
