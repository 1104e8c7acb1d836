/**
 * `window.api` built on an ipcRenderer-like object: the raw `SidecastBridge`. Only contract
 * channels pass, every reply is the plain envelope (an unknown channel, a broken reply or a failed
 * IPC call too), and listeners get the payload alone (never the IPC event, whose `sender` would
 * hand the page ipcRenderer itself).
 *
 * Nothing here throws across an invoke: contextBridge copies an Error into the page as a new Error
 * with only its message, so a SidecastError's `code` would be lost on the way. The renderer
 * unwraps the envelope on its own side (`apiFromBridge`), where the code survives.
 */
import {
  isEventChannel,
  isInvokeChannel,
  isIpcResponse,
  type IpcResponse,
  type SidecastBridge
} from '../shared/ipc'
import { SidecastError } from '../shared/errors'

/** The part of Electron's ipcRenderer the api uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown
}

function failure(code: string, message: string): IpcResponse<never> {
  return { ok: false, error: { code, message } }
}

const UNEXPECTED_REPLY =
  'Sidecast sent an unexpected reply. Your recordings are safe; restart Sidecast and try again.'

export function createApi(ipc: IpcRendererLike): SidecastBridge {
  const api: SidecastBridge = {
    async invoke(channel, ...args) {
      if (!isInvokeChannel(channel)) {
        return failure('forbidden', `Unknown request "${String(channel).slice(0, 100)}".`)
      }
      let response: unknown
      try {
        response = await ipc.invoke(channel, ...args)
      } catch (error) {
        // No handler in main (it is starting or quitting), or arguments that cannot be cloned.
        console.error(`[preload] ${channel} failed:`, error)
        return failure('internal', UNEXPECTED_REPLY)
      }
      return (isIpcResponse(response) ? response : failure('internal', UNEXPECTED_REPLY)) as never
    },
    on(channel, listener) {
      // A programming error in our own renderer, not a user-facing failure: thrown, and only its
      // message crosses, which is all a developer needs.
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
