/**
 * `window.api` for the renderer when it runs in a plain browser: the same raw `SidecastBridge` as
 * the Electron preload, carried over a WebSocket to the harness, which answers with the real
 * main-process services. Like the preload, every invoke resolves to the plain envelope (never a
 * thrown error), so the renderer's own unwrap (src/renderer/src/lib/api-from-bridge.ts) is what
 * turns error envelopes into SidecastErrors here too, as it must behind contextBridge.
 * Loaded as a classic script before the renderer's module bundle.
 */
import {
  isEventChannel,
  isInvokeChannel,
  type EventChannel,
  type IpcResponse,
  type SidecastBridge
} from '../../../../src/shared/ipc'
import { SidecastError } from '../../../../src/shared/errors'
import { encodeRequest, type BridgeServerMessage } from './bridge-protocol'

const socket = new WebSocket(`ws://${location.host}/__harness/ws`)
socket.binaryType = 'arraybuffer'
const opened = new Promise<void>((resolve, reject) => {
  socket.addEventListener('open', () => resolve(), { once: true })
  socket.addEventListener('error', () => reject(lostConnection()), { once: true })
})
opened.catch(() => undefined)

const pending = new Map<number, (response: IpcResponse<unknown>) => void>()
const listeners = new Map<EventChannel, Set<(payload: unknown) => void>>()
let nextId = 1
let closed = false

function lostConnection(): SidecastError {
  return new SidecastError(
    'disconnected',
    'Lost the connection to Sidecast. What was recorded so far is safe on disk; reload the page once Sidecast is running again.'
  )
}

socket.addEventListener('message', (event: MessageEvent) => {
  if (typeof event.data !== 'string') return
  const message = JSON.parse(event.data) as BridgeServerMessage
  if (message.kind === 'reply') {
    pending.get(message.id)?.(message.response)
    pending.delete(message.id)
  } else {
    for (const listener of listeners.get(message.channel) ?? []) listener(message.payload)
  }
})

socket.addEventListener('close', () => {
  closed = true
  const error = lostConnection()
  for (const resolve of pending.values()) resolve(failure(error))
  pending.clear()
})

function failure(error: SidecastError): IpcResponse<never> {
  return { ok: false, error: { code: error.code, message: error.message } }
}

const api: SidecastBridge = {
  async invoke(channel, ...args) {
    if (!isInvokeChannel(channel)) {
      return failure(new SidecastError('forbidden', `Unknown request "${String(channel)}".`))
    }
    try {
      await opened
    } catch {
      return failure(lostConnection())
    }
    if (closed) return failure(lostConnection())
    const id = nextId++
    const response = new Promise<IpcResponse<unknown>>((resolve) => pending.set(id, resolve))
    socket.send(encodeRequest(id, channel, args))
    return (await response) as never
  },
  on(channel, listener) {
    if (!isEventChannel(channel))
      throw new SidecastError('forbidden', `Unknown event "${String(channel)}".`)
    const set = listeners.get(channel) ?? new Set()
    listeners.set(channel, set)
    const wrapped = listener as (payload: unknown) => void
    set.add(wrapped)
    return () => set.delete(wrapped)
  }
}

Object.defineProperty(window, 'api', { value: Object.freeze(api), writable: false })
