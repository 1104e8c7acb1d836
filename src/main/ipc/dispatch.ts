/**
 * Answers one renderer request with the IpcResponse envelope. Shared by the Electron ipcMain edge
 * and the e2e harness bridge, so both report errors the same way.
 */
import { isInvokeChannel, type InvokeHandlers, type IpcResponse } from '../../shared/ipc'
import { SidecastError } from '../../shared/errors'
import { errorMessage } from '../../engine/error-details'

export async function dispatchInvoke(
  handlers: InvokeHandlers,
  channel: unknown,
  args: unknown
): Promise<IpcResponse<unknown>> {
  if (!isInvokeChannel(channel)) {
    return {
      ok: false,
      error: {
        code: 'unknown-channel',
        message: `Unknown request "${String(channel).slice(0, 100)}".`
      }
    }
  }
  if (!Array.isArray(args)) {
    return {
      ok: false,
      error: { code: 'bad-request', message: `Arguments of "${channel}" must be a list.` }
    }
  }
  try {
    // Each handler checks its own arguments at runtime, so the loose call is safe.
    const handler = handlers[channel] as (...values: unknown[]) => Promise<unknown>
    const value = await handler(...args)
    return { ok: true, value }
  } catch (error) {
    if (error instanceof SidecastError) {
      return { ok: false, error: { code: error.code, message: error.message } }
    }
    console.error(`[ipc] ${channel} failed:`, error)
    return {
      ok: false,
      error: {
        code: 'internal',
        message: `Something went wrong in Sidecast (${errorMessage(error)}). Your recordings are safe; try again, and restart Sidecast if it keeps happening.`
      }
    }
  }
}
