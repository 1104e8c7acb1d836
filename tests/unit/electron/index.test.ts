/**
 * The composition in src/main/index.ts, run against a mocked Electron: what gets registered at
 * start, and what closing the window and quitting do.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CONTENT_SECURITY_POLICY } from '../../../src/main/electron/content-security-policy'
import { INVOKE_CHANNELS } from '../../../src/shared/ipc'
// The services' module graph, compiled as the file loads: otherwise the first boot() compiles it
// inside its test (2–3 s of the 5 s, far more on a busy machine). vi.resetModules() keeps the
// compiled code, so every boot still runs index.ts and its modules afresh.
import '../../../src/main/app-services'

const fake = vi.hoisted(() => {
  type Listener = (...args: unknown[]) => unknown
  class Emitter {
    listeners = new Map<string, Listener[]>()
    on(name: string, listener: Listener) {
      this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener])
      return this
    }
    once(name: string, listener: Listener) {
      return this.on(name, listener)
    }
    emit(name: string, ...args: unknown[]) {
      for (const l of this.listeners.get(name) ?? []) l(...args)
    }
  }
  class FakeWindow extends Emitter {
    static created: FakeWindow[] = []
    webContents = Object.assign(new Emitter(), {
      setWindowOpenHandler: () => undefined,
      send: () => undefined,
      isDestroyed: () => false,
      executeJavaScript: async () => undefined
    })
    hidden = false
    constructor(public options: Record<string, unknown>) {
      super()
      FakeWindow.created.push(this)
    }
    loaded: string[] = []
    loadURL = async (url: string) => {
      this.loaded.push(url)
    }
    isDestroyed = () => false
    progress: number[] = []
    setProgressBar = (value: number) => {
      this.progress.push(value)
    }
    hide = () => {
      this.hidden = true
    }
  }
  class FakeTray extends Emitter {
    static created: FakeTray[] = []
    constructor() {
      super()
      FakeTray.created.push(this)
    }
    isDestroyed = () => false
    setImage = () => undefined
    setToolTip = () => undefined
    menu: { id?: string; label?: string; enabled?: boolean }[] = []
    setContextMenu = (menu: { id?: string; label?: string; enabled?: boolean }[]) => {
      this.menu = menu
    }
  }
  const app = Object.assign(new Emitter(), {
    paths: new Map<string, string>(),
    lock: true,
    isPackaged: false,
    name: 'Sidecast',
    switches: [] as [string, string | undefined][],
    commandLine: {
      appendSwitch: (name: string, value?: string) => app.switches.push([name, value])
    },
    quit: () => undefined as unknown,
    setPath(name: string, value: string) {
      app.paths.set(name, value)
    },
    getPath: (name: string) => app.paths.get(name) ?? `/nonexistent/${name}`,
    getVersion: () => '9.9.9',
    getAppPath: () => '/app',
    requestSingleInstanceLock: () => app.lock,
    whenReady: () => Promise.resolve(),
    setAppUserModelId: () => undefined
  })
  const session = {
    setPermissionRequestHandler: () => undefined,
    setPermissionCheckHandler: () => undefined,
    setDevicePermissionHandler: () => undefined,
    setDisplayMediaRequestHandler: () => undefined,
    webRequest: { onHeadersReceived: () => undefined }
  }
  return {
    Emitter,
    FakeWindow,
    FakeTray,
    app,
    session,
    handled: new Map<string, unknown>(),
    protocolHandled: [] as string[],
    protocolHandlers: new Map<string, (request: Request) => Promise<Response>>(),
    schemes: [] as unknown[],
    shortcuts: [] as string[],
    menus: [] as unknown[]
  }
})

vi.mock('electron', () => ({
  app: fake.app,
  BrowserWindow: fake.FakeWindow,
  Tray: fake.FakeTray,
  Menu: {
    buildFromTemplate: (t: unknown) => t,
    setApplicationMenu: (menu: unknown) => fake.menus.push(menu)
  },
  nativeImage: { createFromPath: (p: string) => ({ p }) },
  Notification: Object.assign(function () {}, { isSupported: () => false }),
  session: { defaultSession: fake.session },
  protocol: {
    registerSchemesAsPrivileged: (s: unknown[]) => fake.schemes.push(...s),
    handle: (scheme: string, handler: (request: Request) => Promise<Response>) => {
      fake.protocolHandled.push(scheme)
      fake.protocolHandlers.set(scheme, handler)
    }
  },
  ipcMain: {
    handle: (channel: string, l: unknown) => fake.handled.set(channel, l),
    removeHandler: () => undefined
  },
  globalShortcut: {
    register: (a: string) => {
      fake.shortcuts.push(a)
      return true
    },
    unregister: () => undefined
  },
  powerSaveBlocker: { start: () => 1, stop: () => undefined, isStarted: () => false },
  shell: { showItemInFolder: () => undefined, openExternal: async () => undefined },
  screen: {
    getAllDisplays: () => [],
    getDisplayMatching: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1080 } })
  },
  desktopCapturer: { getSources: async () => [] },
  webContents: { fromFrame: () => undefined },
  clipboard: { writeText: () => undefined },
  net: { isOnline: () => true },
  powerMonitor: { on: () => undefined, removeListener: () => undefined },
  safeStorage: {
    isAsyncEncryptionAvailable: async () => false,
    getSelectedStorageBackend: () => 'basic_text',
    encryptStringAsync: async (s: string) => Buffer.from(s),
    decryptStringAsync: async (b: Buffer) => ({ result: b.toString(), shouldReEncrypt: false })
  }
}))

vi.mock('electron-store', () => ({
  default: class {
    store: Record<string, unknown> = {}
    constructor(public options: Record<string, unknown>) {}
    set(patch: Record<string, unknown>) {
      Object.assign(this.store, patch)
    }
  }
}))

let dataDir: string
const platform = Object.getOwnPropertyDescriptor(process, 'platform')!

async function boot(options: { platform?: string; lock?: boolean; packaged?: boolean } = {}) {
  if (options.platform) Object.defineProperty(process, 'platform', { value: options.platform })
  fake.app.lock = options.lock ?? true
  fake.app.isPackaged = options.packaged ?? false
  const quit = vi.fn()
  fake.app.quit = quit
  await import('../../../src/main/index')
  // Let whenReady's continuation (startup, window, tray) run.
  await vi.waitFor(() => expect(fake.FakeTray.created.length + (fake.app.lock ? 0 : 1)).toBe(1))
  return { quit, window: fake.FakeWindow.created[0] }
}

beforeEach(async () => {
  vi.resetModules()
  dataDir = await mkdtemp(join(tmpdir(), 'sidecast-index-'))
  process.env['SIDECAST_DATA_DIR'] = dataDir
  delete process.env['ELECTRON_RENDERER_URL']
  fake.FakeWindow.created.length = 0
  fake.FakeTray.created.length = 0
  fake.app.listeners.clear()
  fake.app.paths.clear()
  fake.handled.clear()
  fake.protocolHandled.length = 0
  fake.protocolHandlers.clear()
  fake.schemes.length = 0
  fake.shortcuts.length = 0
  fake.menus.length = 0
  fake.app.switches.length = 0
  delete process.env['XDG_SESSION_TYPE']
})

afterEach(async () => {
  Object.defineProperty(process, 'platform', platform)
  delete process.env['SIDECAST_DATA_DIR']
  delete process.env['SIDECAST_LIBRARY_URL']
  delete process.env['SIDECAST_LIBRARY_TOKEN']
  await rm(dataDir, { recursive: true, force: true })
})

describe('main process composition', () => {
  it('wires the protocol, IPC, window, tray and shortcut, with the data dir from SIDECAST_DATA_DIR', async () => {
    const { window } = await boot({ platform: 'linux' })
    expect(fake.app.getPath('userData')).toBe(dataDir)
    expect(fake.schemes).toMatchObject([{ scheme: 'app' }, { scheme: 'sidecast-media' }])
    expect(fake.protocolHandled).toEqual(['app', 'sidecast-media'])
    expect([...fake.handled.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort())
    expect(window?.options).toMatchObject({
      title: 'Sidecast',
      webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false }
    })
    const preload = (window?.options['webPreferences'] as { preload: string }).preload
    expect(preload).toMatch(/preload[\\/]index\.cjs$/)
    expect(fake.shortcuts).toEqual(['CommandOrControl+Shift+R'])
    expect(fake.app.listeners.has('before-quit')).toBe(true)
  })

  it('loads the renderer from app://sidecast, served from the renderer folder beside main', async () => {
    const { window } = await boot({ platform: 'linux', packaged: true })
    expect(window?.loaded).toEqual(['app://sidecast/index.html'])
    // Main runs from out/main, so the scheme serves out/renderer; run from src/main here, it
    // serves src/renderer, whose index.html carries the same <meta> policy.
    const serve = fake.protocolHandlers.get('app')!
    const page = await serve(new Request('app://sidecast/index.html'))
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    expect(await page.text()).toContain('<div id="root"></div>')
    expect((await serve(new Request('app://sidecast/../main/index.ts'))).status).toBe(404)
  })

  /** The Access-Control-Allow-Origin main's media scheme answers a thumbnail with. */
  async function mediaAllowOrigin(): Promise<string | null> {
    const id = '20261129-120000-aaaa'
    await mkdir(join(dataDir, 'projects', id), { recursive: true })
    await writeFile(join(dataDir, 'projects', id, 'thumbnail.jpg'), 'jpeg')
    const media = await fake.protocolHandlers.get('sidecast-media')!(
      new Request(`sidecast-media://project/${id}/thumbnail.jpg`)
    )
    expect(media.status).toBe(200)
    return media.headers.get('access-control-allow-origin')
  }

  it.each([
    // The page's origin, which alone may read recordings with fetch (the waveform).
    [false, 'http://localhost:5173/', 'http://localhost:5173'],
    // A packaged app never loads a dev server.
    [true, 'app://sidecast/index.html', 'app://sidecast']
  ])(
    'with ELECTRON_RENDERER_URL set (packaged: %s) loads %s, and media answers %s',
    async (packaged, url, origin) => {
      process.env['ELECTRON_RENDERER_URL'] = 'http://localhost:5173/'
      const { window } = await boot({ platform: 'linux', packaged })
      expect(window?.loaded).toEqual([url])
      expect(await mediaAllowOrigin()).toBe(origin)
    }
  )

  it('quits at once when another instance holds the lock', async () => {
    const { quit } = await boot({ lock: false })
    expect(quit).toHaveBeenCalled()
    expect(fake.handled.size).toBe(0)
    expect(fake.FakeWindow.created).toEqual([])
  })

  it.each([
    ['linux', 'quits'],
    ['win32', 'hides to the tray'],
    ['darwin', 'hides to the tray']
  ])('on %s closing the window %s', async (os, outcome) => {
    const { window, quit } = await boot({ platform: os })
    const event = { preventDefault: vi.fn() }
    window!.emit('close', event)
    expect(event.preventDefault).toHaveBeenCalled()
    expect(window!.hidden).toBe(outcome === 'hides to the tray')
    expect(quit).toHaveBeenCalledTimes(outcome === 'quits' ? 1 : 0)
  })

  it('holds the first quit until the services are shut down, then lets the window close', async () => {
    const { window, quit } = await boot({ platform: 'linux' })
    const first = { preventDefault: vi.fn() }
    fake.app.emit('before-quit', first)
    expect(first.preventDefault).toHaveBeenCalled()
    await vi.waitFor(() => expect(quit).toHaveBeenCalled())
    const second = { preventDefault: vi.fn() }
    fake.app.emit('before-quit', second)
    expect(second.preventDefault).not.toHaveBeenCalled()
    const close = { preventDefault: vi.fn() }
    window!.emit('close', close)
    expect(close.preventDefault).not.toHaveBeenCalled()
  })

  it.each([
    ['linux', null],
    ['win32', null],
    ['darwin', expect.arrayContaining([expect.objectContaining({ label: 'Edit' })])]
  ])('a packaged app on %s has no Reload or DevTools menu', async (os, menu) => {
    const { window } = await boot({ platform: os, packaged: true })
    expect(fake.menus).toEqual([menu])
    expect(JSON.stringify(fake.menus)).not.toMatch(/reload|devtools/i)
    expect(window!.webContents.listeners.has('before-input-event')).toBe(true)
  })

  it('turns on global shortcuts through the portal in a Wayland session, before the app is ready', async () => {
    process.env['XDG_SESSION_TYPE'] = 'wayland'
    await boot({ platform: 'linux' })
    expect(fake.app.switches).toEqual([['enable-features', 'GlobalShortcutsPortal']])
  })

  it('adds no Chromium switch elsewhere', async () => {
    process.env['XDG_SESSION_TYPE'] = 'x11'
    await boot({ platform: 'linux' })
    expect(fake.app.switches).toEqual([])
  })

  it('keeps Electron’s default menu in development', async () => {
    const { window } = await boot({ platform: 'linux' })
    expect(fake.menus).toEqual([])
    expect(window!.webContents.listeners.has('before-input-event')).toBe(false)
  })

  it('finishes a recording when the window reloads mid-recording, and the reloaded window hears of it', async () => {
    const { window } = await boot({ platform: 'linux' })
    const trusted = {
      sender: window!.webContents,
      senderFrame: { url: 'app://sidecast/index.html', parent: null }
    }
    const invoke = (channel: string, ...args: unknown[]) =>
      (fake.handled.get(channel) as (event: unknown, ...a: unknown[]) => Promise<unknown>)(
        trusted,
        ...args
      )
    // The fake window has no compact-bar geometry; the recorder reports that and carries on.
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const started = (await invoke('recording:start', {
      mimeType: 'video/webm;codecs=vp8,opus',
      sourceName: 'Entire screen'
    })) as { ok: boolean; value: { projectId: string } }
    expect(started).toMatchObject({ ok: true })
    const { projectId } = started.value
    await invoke('recording:chunk', projectId, 0, new Uint8Array([1, 2, 3]))

    window!.webContents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false })

    // The page that loads again asks for the notices first thing.
    const notices = await invoke('projects:recovery-notices')
    expect(notices).toMatchObject({ ok: true, value: [{ projectId, cause: 'window-reloaded' }] })
    const state = await invoke('projects:list')
    expect(state).toMatchObject({ ok: true, value: [{ id: projectId }] })
    expect((state as { value: { status: string }[] }).value[0]?.status).not.toBe('recording')
  })

  it('offers "Upload last recording" in the tray once there is a recording and a library', async () => {
    const id = '20261129-120000-aaaa'
    const dir = join(dataDir, 'projects', id)
    await mkdir(dir, { recursive: true })
    await writeFile(
      join(dir, 'recording.json'),
      JSON.stringify({
        version: 1,
        id,
        status: 'complete',
        title: 'Walkthrough',
        createdAt: '2026-11-29T12:00:00.000Z',
        sourceName: 'Entire screen',
        file: 'recording.webm',
        container: 'webm',
        mimeType: 'video/webm'
      })
    )
    process.env['SIDECAST_LIBRARY_URL'] = 'http://127.0.0.1:9'
    process.env['SIDECAST_LIBRARY_TOKEN'] = 'token'
    await boot({ platform: 'linux' })
    const tray = fake.FakeTray.created[0]!
    await vi.waitFor(() =>
      expect(tray.menu.find((item) => item.id === 'upload-last')).toMatchObject({
        label: 'Upload last recording',
        enabled: true
      })
    )
  })

  it('keeps "Upload last recording" disabled without a library', async () => {
    await boot({ platform: 'linux' })
    const tray = fake.FakeTray.created[0]!
    await vi.waitFor(() =>
      expect(tray.menu.find((item) => item.id === 'upload-last')).toMatchObject({ enabled: false })
    )
  })
})
