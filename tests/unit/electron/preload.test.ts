import { beforeEach, describe, expect, it, vi } from 'vitest'
import { INVOKE_CHANNELS } from '../../../src/shared/ipc'
import { SidecastError } from '../../../src/shared/errors'
import { createApi, type IpcRendererLike } from '../../../src/preload/create-api'

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

describe('createApi', () => {
  it('invokes a contract channel with its arguments and unwraps the reply', async () => {
    const ipc = fakeIpc({ ok: true, value: { id: 'p1', title: 'T' } })
    const api = createApi(ipc)
    const data = new Uint8Array([1, 2, 3])
    await expect(api.invoke('projects:rename', 'p1', 'T')).resolves.toEqual({
      id: 'p1',
      title: 'T'
    })
    await api.invoke('recording:chunk', 'p1', 0, data)
    expect(ipc.invoke.mock.calls).toEqual([
      ['projects:rename', 'p1', 'T'],
      ['recording:chunk', 'p1', 0, data]
    ])
  })

  it('turns an error envelope into a SidecastError with its code and message', async () => {
    const api = createApi(
      fakeIpc({ ok: false, error: { code: 'disk-full', message: 'The disk is full.' } })
    )
    const error = await api.invoke('projects:list').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SidecastError)
    expect(error).toMatchObject({ code: 'disk-full', message: 'The disk is full.' })
  })

  it('rejects a reply that is not an envelope', async () => {
    const api = createApi(fakeIpc('raw'))
    await expect(api.invoke('projects:list')).rejects.toMatchObject({ code: 'internal' })
  })

  it.each(['shell:openExternal', 'recorder:command', '__proto__', 'toString', ''])(
    'refuses to invoke %j without touching IPC',
    async (channel) => {
      const ipc = fakeIpc()
      const api = createApi(ipc)
      const error = await (api.invoke as (c: string) => Promise<unknown>)(channel).catch(
        (e: unknown) => e
      )
      expect(error).toBeInstanceOf(SidecastError)
      expect(error).toMatchObject({ code: 'forbidden' })
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
