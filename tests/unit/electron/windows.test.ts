import { beforeEach, describe, expect, it, vi } from 'vitest'

const electron = vi.hoisted(() => {
  class FakeContents {
    listeners = new Map<string, (...args: unknown[]) => void>()
    openHandler: ((details: { url: string }) => { action: string }) | null = null
    setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
      this.openHandler = handler
    }
    on(name: string, listener: (...args: unknown[]) => void) {
      this.listeners.set(name, listener)
      return this
    }
  }
  class FakeWindow {
    static created: FakeWindow[] = []
    webContents = new FakeContents()
    once = vi.fn()
    loadURL = vi.fn(async () => undefined)
    constructor(public options: Record<string, unknown>) {
      FakeWindow.created.push(this)
    }
  }
  return { FakeWindow, openExternal: vi.fn(async () => undefined) }
})
vi.mock('electron', () => ({
  BrowserWindow: electron.FakeWindow,
  shell: { openExternal: electron.openExternal },
  screen: { getDisplayMatching: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }) }
}))

import {
  createCompactBar,
  createMainWindow,
  isExternalLink
} from '../../../src/main/electron/windows'
import {
  barHiddenFromCapture,
  clampIntoWorkArea,
  compactBarBounds,
  secureWebPreferences,
  wantsCompactBar
} from '../../../src/main/electron/window-layout'
import { APP_RENDERER } from '../../../src/main/electron/trusted-sender'

describe('secureWebPreferences', () => {
  it('isolates and sandboxes the renderer and keeps it running in the background', () => {
    expect(secureWebPreferences('/app/out/preload/index.cjs')).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      backgroundThrottling: false,
      spellcheck: false
    })
  })
})

describe('createMainWindow', () => {
  beforeEach(() => {
    electron.FakeWindow.created.length = 0
    vi.clearAllMocks()
  })

  function create() {
    createMainWindow({ preloadPath: '/app/out/preload/index.cjs', url: APP_RENDERER.url })
    const window = electron.FakeWindow.created[0]!
    return window
  }

  it('creates a hidden, titled window with the secure preferences and loads our page', () => {
    const window = create()
    expect(window.options).toMatchObject({
      title: 'Sidecast',
      width: 1000,
      height: 720,
      show: false,
      webPreferences: secureWebPreferences('/app/out/preload/index.cjs')
    })
    expect(window.options['minWidth']).toBeGreaterThan(0)
    expect(window.once).toHaveBeenCalledWith('ready-to-show', expect.any(Function))
    expect(window.loadURL).toHaveBeenCalledWith('app://sidecast/index.html')
  })

  it('denies new windows and sends web links to the browser', () => {
    const { webContents } = create()
    expect(webContents.openHandler!({ url: 'https://example.com/help' })).toEqual({
      action: 'deny'
    })
    expect(electron.openExternal).toHaveBeenCalledWith('https://example.com/help')
    expect(webContents.openHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' })
    expect(electron.openExternal).toHaveBeenCalledTimes(1)
  })

  it.each([
    'file:///tmp/evil.html',
    'app://sidecast/index.html',
    'app://other/index.html',
    'sidecast-media://project/a/recording.webm'
  ])('blocks navigation to %s', (url) => {
    const { webContents } = create()
    const preventDefault = vi.fn()
    webContents.listeners.get('will-navigate')!({ preventDefault, url })
    expect(preventDefault).toHaveBeenCalled()
    expect(electron.openExternal).not.toHaveBeenCalled()
  })
})

describe('isExternalLink', () => {
  it.each([
    ['https://example.com', true],
    ['http://example.com', true],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['sidecast-media://project/a/b.webm', false],
    ['app://sidecast/index.html', false],
    ['nonsense', false]
  ])('%s → %s', (url, external) => expect(isExternalLink(url)).toBe(external))
})

describe('compact bar maths', () => {
  const workArea = { x: 0, y: 25, width: 1920, height: 1055 }

  it('puts the bar centred at the top of the work area', () => {
    expect(compactBarBounds(workArea)).toEqual({ x: 700, y: 41, width: 520, height: 80 })
  })

  it('puts the bar back where the user left it, kept on screen', () => {
    expect(compactBarBounds(workArea, { x: 100, y: 900 })).toEqual({
      x: 100,
      y: 900,
      width: 520,
      height: 80
    })
    expect(compactBarBounds(workArea, { x: 1800, y: 2000 })).toEqual({
      x: 1400,
      y: 1000,
      width: 520,
      height: 80
    })
  })

  it('fits on a tiny display', () => {
    expect(compactBarBounds({ x: 0, y: 0, width: 400, height: 60 })).toEqual({
      x: 0,
      y: 0,
      width: 400,
      height: 60
    })
  })

  it.each([
    // bounds, work area, expected
    [
      { x: 100, y: 100, width: 1000, height: 720 },
      workArea,
      { x: 100, y: 100, width: 1000, height: 720 }
    ],
    // The window was on a display that is gone: pulled back in.
    [
      { x: 3000, y: 100, width: 1000, height: 720 },
      workArea,
      { x: 920, y: 100, width: 1000, height: 720 }
    ],
    [
      { x: -500, y: -50, width: 1000, height: 720 },
      workArea,
      { x: 0, y: 25, width: 1000, height: 720 }
    ],
    [
      { x: 0, y: 0, width: 3000, height: 2000 },
      workArea,
      { x: 0, y: 25, width: 1920, height: 1055 }
    ]
  ])('clampIntoWorkArea(%j) → %j', (bounds, area, expected) => {
    expect(clampIntoWorkArea(bounds, area)).toEqual(expected)
  })

  it.each([
    ['idle', false],
    ['recording', true],
    ['paused', true],
    ['finishing', false]
  ])('%s wants the compact bar: %s', (phase, compact) => {
    expect(wantsCompactBar(phase)).toBe(compact)
  })
})

describe('createCompactBar', () => {
  function fakeWindow() {
    const state = {
      bounds: { x: 200, y: 150, width: 1000, height: 720 },
      minSize: [640, 480],
      alwaysOnTop: false,
      maximized: false
    }
    const window = {
      state,
      isDestroyed: () => false,
      getNormalBounds: () => state.bounds,
      getBounds: () => state.bounds,
      getContentBounds: () => state.bounds,
      getMinimumSize: () => state.minSize,
      isMaximized: () => state.maximized,
      isFullScreen: () => false,
      unmaximize: () => (state.maximized = false),
      maximize: () => (state.maximized = true),
      setMinimumSize: (w: number, h: number) => (state.minSize = [w, h]),
      setContentBounds: (b: typeof state.bounds) => (state.bounds = b),
      setBounds: (b: typeof state.bounds) => (state.bounds = b),
      setMaximizable: vi.fn(),
      setFullScreenable: vi.fn(),
      setAlwaysOnTop: (on: boolean) => (state.alwaysOnTop = on),
      setContentProtection: vi.fn()
    }
    return window
  }

  it.each(['win32', 'darwin'])(
    'keeps the bar out of screen captures on %s while it is the bar, and only then',
    (platform) => {
      const window = fakeWindow()
      const bar = createCompactBar(window as never, platform)
      expect(window.setContentProtection).not.toHaveBeenCalled()
      bar.update('recording')
      expect(window.setContentProtection).toHaveBeenLastCalledWith(true)
      bar.update('paused')
      expect(window.setContentProtection).toHaveBeenCalledTimes(1)
      bar.update('idle')
      expect(window.setContentProtection).toHaveBeenLastCalledWith(false)
    }
  )

  it('does not ask for content protection on Linux, which has none (the bar is recorded there)', () => {
    const window = fakeWindow()
    const bar = createCompactBar(window as never, 'linux')
    bar.update('recording')
    bar.update('idle')
    expect(window.setContentProtection).not.toHaveBeenCalled()
    expect(barHiddenFromCapture('linux')).toBe(false)
    expect(barHiddenFromCapture('win32')).toBe(true)
  })

  it('shrinks to an always-on-top bar while recording and restores the window when idle', () => {
    const window = fakeWindow()
    const bar = createCompactBar(window as never)
    bar.update('recording')
    expect(window.state.bounds).toEqual({ x: 700, y: 16, width: 520, height: 80 })
    expect(window.state.alwaysOnTop).toBe(true)
    bar.update('paused')
    expect(window.state.bounds).toEqual({ x: 700, y: 16, width: 520, height: 80 })
    bar.update('idle')
    expect(window.state.bounds).toEqual({ x: 200, y: 150, width: 1000, height: 720 })
    expect(window.state.minSize).toEqual([640, 480])
    expect(window.state.alwaysOnTop).toBe(false)
  })

  it('remembers where the user moved the bar for the next recording', () => {
    const window = fakeWindow()
    const bar = createCompactBar(window as never)
    bar.update('recording')
    window.state.bounds = { x: 50, y: 900, width: 520, height: 80 }
    bar.update('finishing')
    bar.update('idle')
    bar.update('recording')
    expect(window.state.bounds).toEqual({ x: 50, y: 900, width: 520, height: 80 })
  })

  it('gives a maximised window back maximised', () => {
    const window = fakeWindow()
    window.state.maximized = true
    const bar = createCompactBar(window as never)
    bar.update('recording')
    expect(window.state.maximized).toBe(false)
    bar.update('idle')
    expect(window.state.maximized).toBe(true)
  })
})
