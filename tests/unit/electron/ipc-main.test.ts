import { beforeEach, describe, expect, it, vi } from 'vitest'
import { INVOKE_CHANNELS, type InvokeHandlers } from '../../../src/shared/ipc'
import { SidecastError } from '../../../src/shared/errors'

const electron = vi.hoisted(() => ({ handle: vi.fn(), removeHandler: vi.fn() }))
vi.mock('electron', () => ({
  ipcMain: { handle: electron.handle, removeHandler: electron.removeHandler }
}))

import { createEmitter, registerIpc } from '../../../src/main/electron/ipc-main'
import { APP_RENDERER, type RendererLocation } from '../../../src/main/electron/trusted-sender'

const renderer: RendererLocation = APP_RENDERER
const ourContents = { id: 1 }
const strangerContents = { id: 2 }

function fakeHandlers(): InvokeHandlers {
  const handlers = {} as Record<string, (...args: unknown[]) => Promise<unknown>>
  for (const channel of INVOKE_CHANNELS)
    handlers[channel] = vi.fn(async () => `${channel} answered`)
  handlers['projects:rename'] = vi.fn(async (id: unknown, title: unknown) => ({ id, title }))
  handlers['projects:delete'] = vi.fn(async () => {
    throw new SidecastError('not-found', 'That recording no longer exists.')
  })
  return handlers as unknown as InvokeHandlers
}

function setup() {
  const handlers = fakeHandlers()
  const unregister = registerIpc({
    handlers,
    renderer,
    isOurWebContents: (contents) => contents === (ourContents as never)
  })
  const registered = new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>(
    electron.handle.mock.calls.map(([channel, listener]) => [channel as string, listener])
  )
  return { handlers, registered, unregister }
}

const topFrame = (url: string) => ({ url, parent: null })
const event = (sender: unknown, senderFrame: unknown) => ({ sender, senderFrame })

describe('registerIpc', () => {
  beforeEach(() => vi.clearAllMocks())

  it('handles every contract channel and nothing else', () => {
    const { registered, unregister } = setup()
    expect([...registered.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort())
    unregister()
    expect(electron.removeHandler.mock.calls.map(([c]) => c).sort()).toEqual(
      [...INVOKE_CHANNELS].sort()
    )
  })

  it('dispatches a message from our window to the handler and wraps the result', async () => {
    const { handlers, registered } = setup()
    const response = await registered.get('projects:rename')!(
      event(ourContents, topFrame('app://sidecast/index.html')),
      'abc',
      'New title'
    )
    expect(response).toEqual({ ok: true, value: { id: 'abc', title: 'New title' } })
    expect(handlers['projects:rename']).toHaveBeenCalledWith('abc', 'New title')
  })

  it('passes a SidecastError back as an error envelope', async () => {
    const { registered } = setup()
    const response = await registered.get('projects:delete')!(
      event(ourContents, topFrame('app://sidecast/index.html')),
      'abc'
    )
    expect(response).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'That recording no longer exists.' }
    })
  })

  it.each([
    ['a page from elsewhere', event(ourContents, topFrame('https://evil.example/'))],
    [
      'the built renderer opened as a file',
      event(ourContents, topFrame('file:///app/out/renderer/index.html'))
    ],
    [
      'a sub-frame of our page',
      event(ourContents, { url: 'app://sidecast/index.html', parent: {} })
    ],
    ['a destroyed frame', event(ourContents, null)],
    [
      'our page in a window we did not create',
      event(strangerContents, topFrame('app://sidecast/index.html'))
    ]
  ])(
    'refuses %s with a forbidden envelope and never calls the handler',
    async (_name, untrusted) => {
      const { handlers, registered } = setup()
      const response = await registered.get('projects:delete')!(untrusted, 'abc')
      expect(response).toMatchObject({ ok: false, error: { code: 'forbidden' } })
      expect(handlers['projects:delete']).not.toHaveBeenCalled()
    }
  )
})

describe('createEmitter', () => {
  it('sends to every live window and skips destroyed ones', () => {
    const live = {
      isDestroyed: () => false,
      webContents: { isDestroyed: () => false, send: vi.fn() }
    }
    const gone = {
      isDestroyed: () => true,
      webContents: { isDestroyed: () => true, send: vi.fn() }
    }
    const emit = createEmitter(() => [live, gone] as never)
    emit('recorder:state', { phase: 'recording', projectId: 'p1' })
    expect(live.webContents.send).toHaveBeenCalledWith('recorder:state', {
      phase: 'recording',
      projectId: 'p1'
    })
    expect(gone.webContents.send).not.toHaveBeenCalled()
  })
})
