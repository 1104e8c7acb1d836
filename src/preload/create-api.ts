/**
 * `window.api` built on an ipcRenderer-like object. Only contract channels pass, replies are
 * unwrapped from their envelope, and listeners get the payload alone (never the IPC event, whose
 * `sender` would hand the page ipcRenderer itself).
 */
import {
  isEventChannel,
  isInvokeChannel,
  unwrapResponse,
  type IpcResponse,
  type SidecastApi
} from '../shared/ipc'
import { SidecastError } from '../shared/errors'

/** The part of Electron's ipcRenderer the api uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown
}

function isEnvelope(value: unknown): value is IpcResponse<unknown> {
  if (typeof value !== 'object' || value === null) return false
  const v = value as { ok?: unknown; error?: unknown }
  if (v.ok === true) return 'value' in v
  return v.ok === false && typeof v.error === 'object' && v.error !== null
}

export function createApi(ipc: IpcRendererLike): SidecastApi {
  const api: SidecastApi = {
    async invoke(channel, ...args) {
      if (!isInvokeChannel(channel)) {
        throw new SidecastError('forbidden', `Unknown request "${String(channel).slice(0, 100)}".`)
      }
      const response = await ipc.invoke(channel, ...args)
      if (!isEnvelope(response)) {
        throw new SidecastError(
          'internal',
          'Sidecast sent an unexpected reply. Your recordings are safe; restart Sidecast and try again.'
        )
      }
      return unwrapResponse(response) as never
    },
    on(channel, listener) {
      if (!isEventChannel(channel)) {
        throw new SidecastError('forbidden', `Unknown event "${String(channel).slice(0, 100)}".`)
      }
      if (typeof listener !== 'function') {
        throw new SidecastError('bad-request', 'An event listener must be a function.')
      }
      const wrapped = (_event: unknown, payload: unknown): void => {
        ;(listener as (payload: unknown) => void)(payload)
      }
      ipc.on(channel, wrapped)
      let subscribed = true
      return () => {
        if (!subscribed) return
        subscribed = false
        ipc.removeListener(channel, wrapped)
      }
    }
  }
  return Object.freeze(api)
}
