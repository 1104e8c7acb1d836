/**
 * The IPC edge: one ipcMain.handle per contract channel, each checking that the message comes from
 * the top frame of one of our windows showing our renderer, then dispatching to the services.
 */
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron'
import {
  INVOKE_CHANNELS,
  type EventChannel,
  type EventPayload,
  type InvokeHandlers,
  type IpcResponse
} from '../../shared/ipc'
import { dispatchInvoke } from '../ipc/dispatch'
import { isTrustedSender, type RendererLocation } from './trusted-sender'

export interface IpcOptions {
  readonly handlers: InvokeHandlers
  /** Where our renderer is loaded from. */
  readonly renderer: RendererLocation
  /** True for the webContents of a window we created. */
  isOurWebContents(contents: WebContents): boolean
}

export const FORBIDDEN: IpcResponse<never> = {
  ok: false,
  error: {
    code: 'forbidden',
    message: 'This page is not allowed to use Sidecast. Reload Sidecast’s window and try again.'
  }
}

/** Whether an invoke event comes from the top frame of our renderer in one of our windows. */
export function isTrustedEvent(
  event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
  options: Pick<IpcOptions, 'renderer' | 'isOurWebContents'>
): boolean {
  const frame = event.senderFrame
  if (!frame || !options.isOurWebContents(event.sender)) return false
  return isTrustedSender(frame.url, frame.parent === null, options.renderer)
}

/** Registers every invoke channel; returns the function that removes them again. */
export function registerIpc(options: IpcOptions): () => void {
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, async (event, ...args: unknown[]) => {
      if (!isTrustedEvent(event, options)) {
        console.warn(
          `[ipc] refused "${channel}" from ${event.senderFrame?.url ?? 'a destroyed frame'}`
        )
        return FORBIDDEN
      }
      return dispatchInvoke(options.handlers, channel, args)
    })
  }
  return () => {
    for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(channel)
  }
}

/** Builds `emit`: sends an event to every live window we created. */
export function createEmitter(
  windows: () => Iterable<{ isDestroyed(): boolean; readonly webContents: WebContents }>
): <E extends EventChannel>(channel: E, payload: EventPayload<E>) => void {
  return (channel, payload) => {
    for (const window of windows()) {
      if (!window.isDestroyed() && !window.webContents.isDestroyed()) {
        window.webContents.send(channel, payload)
      }
    }
  }
}
