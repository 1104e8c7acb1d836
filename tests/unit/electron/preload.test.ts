import { beforeEach, describe, expect, it, vi } from 'vitest'
import { INVOKE_CHANNELS, type SidecastBridge } from '../../../src/shared/ipc'
import { SidecastError } from '../../../src/shared/errors'
import { createApi, type IpcRendererLike } from '../../../src/preload/create-api'
import { apiFromBridge } from '../../../src/renderer/src/lib/api-from-bridge'

const electron = vi.hoisted(() => ({
  exposeInMainWorld: vi.fn(),
  ipcRenderer: { invoke: vi.fn(), on: vi.fn(), removeListener: vi.fn() }
}))
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: electron.exposeInMainWorld },
  ipcRenderer: electron.ipcRenderer
}))

type Listener = (event: unknown, ...args: unknown[]) => void

function fakeIpc(reply: unknown = { ok: true, value: 'answer' }) {
  const listeners = new Map<string, Set<Listener>>()
  const ipc = {
    invoke: vi.fn(async (..._args: unknown[]) => reply),
    on: vi.fn((channel: string, listener: Listener) => {
      const set = listeners.get(channel) ?? new Set()
      set.add(listener)
      listeners.set(channel, set)
    }),
    removeListener: vi.fn((channel: string, listener: Listener) =>
      listeners.get(channel)?.delete(listener)
    ),
    fire(channel: string, payload: unknown) {
      for (const l of listeners.get(channel) ?? []) l({ sender: 'the ipcRenderer itself' }, payload)
    },
    count: (channel: string) => listeners.get(channel)?.size ?? 0
  }
  return ipc satisfies IpcRendererLike & Record<string, unknown>
}

/**
 * What contextBridge does to an object it exposes: arguments and results are structured-cloned,
 * and an Error thrown or rejected across it arrives as a plain Error that keeps only its message
 * (Node's structuredClone of an Error keeps name, message and stack; a subclass's own fields,
 * like SidecastError's `code`, stay behind).
 */
function acrossContextBridge(bridge: SidecastBridge): SidecastBridge {
  const clone = <T>(value: T): T => structuredClone(value)
  const crossError = (error: unknown): never => {
    throw error instanceof Error ? new Error(error.message) : clone(error)
  }
  return {
    invoke: (async (channel: string, ...args: unknown[]) => {
      try {
        return clone(
          await (bridge.invoke as (c: string, ...a: unknown[]) => Promise<unknown>)(
            channel,
            ...clone(args)
          )
        )
      } catch (error) {
        return crossError(error)
      }
    }) as SidecastBridge['invoke'],
    on: ((channel: string, listener: (payload: unknown) => void) => {
      try {
        return (bridge.on as (c: string, l: (p: unknown) => void) => () => void)(channel, (p) =>
          listener(clone(p))
        )
      } catch (error) {
        return crossError(error)
      }
    }) as SidecastBridge['on']
  }
}

/** The renderer's api as the app builds it: preload → contextBridge → renderer's unwrap. */
function rendererApi(ipc: IpcRendererLike) {
  return apiFromBridge(acrossContextBridge(createApi(ipc)))
}

describe('window.api across contextBridge', () => {
  it('cannot carry a thrown error code (why replies cross as envelopes)', () => {
    const crossed = structuredClone(new SidecastError('export-busy', 'An export is running.'))
    expect(crossed.message).toBe('An export is running.')
    expect((crossed as { code?: unknown }).code).toBeUndefined()
  })

  it.each([
    ['export-busy', 'Another export is running.'],
    ['cancelled', 'The export was cancelled.'],
    ['disk-full', 'The disk is full.']
  ])('lets the renderer see the code %j of an error reply', async (code, message) => {
    const api = rendererApi(fakeIpc({ ok: false, error: { code, message } }))
    const error = await api.invoke('export:start', 'p1', {}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SidecastError)
    expect(error).toMatchObject({ code, message })
  })

  it('takes a void reply whose undefined value was left out (as JSON does) for undefined', async () => {
    const api = rendererApi(fakeIpc({ ok: true }))
    await expect(api.invoke('sources:select', 'screen:0:0')).resolves.toBeUndefined()
  })

  it('delivers values and event payloads', async () => {
    const ipc = fakeIpc({ ok: true, value: [{ id: 'p1' }] })
    const api = rendererApi(ipc)
    await expect(api.invoke('projects:list')).resolves.toEqual([{ id: 'p1' }])
    const seen: unknown[] = []
    const off = api.on('recorder:command', (command) => seen.push(command))
    ipc.fire('recorder:command', 'toggle')
    off()
    ipc.fire('recorder:command', 'stop')
    expect(seen).toEqual(['toggle'])
  })

  it('keeps the forbidden code of an unknown channel, and never touches IPC', async () => {
    const ipc = fakeIpc()
    const api = rendererApi(ipc)
    const error = await (api.invoke as (c: string) => Promise<unknown>)('shell:openExternal').catch(
      (e: unknown) => e
    )
    expect(error).toMatchObject({ code: 'forbidden' })
    expect(ipc.invoke).not.toHaveBeenCalled()
  })
})

describe('createApi', () => {
  it('invokes a contract channel with its arguments and passes the envelope on', async () => {
    const ipc = fakeIpc({ ok: true, value: { id: 'p1', title: 'T' } })
    const api = createApi(ipc)
    const data = new Uint8Array([1, 2, 3])
    await expect(api.invoke('projects:rename', 'p1', 'T')).resolves.toEqual({
      ok: true,
      value: { id: 'p1', title: 'T' }
    })
    await api.invoke('recording:chunk', 'p1', 0, data)
    expect(ipc.invoke.mock.calls).toEqual([
      ['projects:rename', 'p1', 'T'],
      ['recording:chunk', 'p1', 0, data]
    ])
  })

  it('passes an error envelope on as it is, never as a thrown error', async () => {
    const reply = { ok: false, error: { code: 'disk-full', message: 'The disk is full.' } }
    const api = createApi(fakeIpc(reply))
    await expect(api.invoke('projects:list')).resolves.toEqual(reply)
  })

  it.each([['raw'], [null], [{ ok: false, error: { message: 'no code' } }], [{ ok: 'yes' }]])(
    'answers a reply that is not an envelope (%j) with an internal error envelope',
    async (reply) => {
      const api = createApi(fakeIpc(reply))
      await expect(api.invoke('projects:list')).resolves.toMatchObject({
        ok: false,
        error: { code: 'internal' }
      })
    }
  )

  it('answers a failed IPC call with an internal error envelope', async () => {
    const ipc = fakeIpc()
    ipc.invoke.mockRejectedValueOnce(new Error("No handler registered for 'projects:list'"))
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    await expect(createApi(ipc).invoke('projects:list')).resolves.toMatchObject({
      ok: false,
      error: { code: 'internal' }
    })
  })

  it.each(['shell:openExternal', 'recorder:command', '__proto__', 'toString', ''])(
    'refuses to invoke %j with a forbidden envelope, without touching IPC',
    async (channel) => {
      const ipc = fakeIpc()
      const api = createApi(ipc)
      const reply = await (api.invoke as (c: string) => Promise<unknown>)(channel)
      expect(reply).toMatchObject({ ok: false, error: { code: 'forbidden' } })
      expect(ipc.invoke).not.toHaveBeenCalled()
    }
  )

  it('delivers event payloads without the IPC event, until unsubscribed', () => {
    const ipc = fakeIpc()
    const api = createApi(ipc)
    const seen: unknown[][] = []
    const off = api.on('recorder:command', (...args: unknown[]) => seen.push(args))
    ipc.fire('recorder:command', 'toggle')
    expect(seen).toEqual([['toggle']])
    off()
    off()
    ipc.fire('recorder:command', 'stop')
    expect(seen).toEqual([['toggle']])
    expect(ipc.count('recorder:command')).toBe(0)
    expect(ipc.removeListener).toHaveBeenCalledTimes(1)
  })

  it.each(['recording:start', 'ipc-message', '__proto__'])('refuses to listen on %j', (channel) => {
    const ipc = fakeIpc()
    const api = createApi(ipc)
    expect(() => (api.on as (c: string, l: () => void) => void)(channel, () => undefined)).toThrow(
      SidecastError
    )
    expect(ipc.on).not.toHaveBeenCalled()
  })

  it('is frozen with exactly invoke and on', () => {
    const api = createApi(fakeIpc())
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on'])
    expect(Object.isFrozen(api)).toBe(true)
  })

  it('knows every contract channel', async () => {
    const ipc = fakeIpc()
    const api = createApi(ipc)
    for (const channel of INVOKE_CHANNELS)
      await (api.invoke as (c: string) => Promise<unknown>)(channel)
    expect(ipc.invoke).toHaveBeenCalledTimes(INVOKE_CHANNELS.length)
  })
})

describe('preload entry', () => {
  beforeEach(() => vi.resetModules())

  it('exposes only window.api, backed by ipcRenderer', async () => {
    await import('../../../src/preload/index')
    expect(electron.exposeInMainWorld).toHaveBeenCalledTimes(1)
    const [key, api] = electron.exposeInMainWorld.mock.calls[0] as [string, Record<string, unknown>]
    expect(key).toBe('api')
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on'])
    electron.ipcRenderer.invoke.mockResolvedValue({ ok: true, value: [] })
    await (api['invoke'] as (c: string) => Promise<unknown>)('projects:list')
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith('projects:list')
  })
})
