import { beforeEach, describe, expect, it, vi } from 'vitest'

const electron = vi.hoisted(() => {
  class FakeContents {
    setWindowOpenHandler = vi.fn()
    on = vi.fn()
  }
  class FakeWindow {
    static created: FakeWindow[] = []
    webContents = new FakeContents()
    calls: Array<[string, ...unknown[]]> = []
    readyListeners: Array<() => void> = []
    destroyed = false
    loadURL = vi.fn(async () => undefined)
    constructor(public options: Record<string, unknown>) {
      FakeWindow.created.push(this)
    }
    once(name: string, listener: () => void) {
      if (name === 'ready-to-show') this.readyListeners.push(listener)
    }
    setAlwaysOnTop(...args: unknown[]) {
      this.calls.push(['setAlwaysOnTop', ...args])
    }
    setVisibleOnAllWorkspaces(...args: unknown[]) {
      this.calls.push(['setVisibleOnAllWorkspaces', ...args])
    }
    setContentProtection(...args: unknown[]) {
      this.calls.push(['setContentProtection', ...args])
    }
    showInactive() {
      this.calls.push(['showInactive'])
    }
  }
  return { FakeWindow }
})
vi.mock('electron', () => ({
  BrowserWindow: electron.FakeWindow,
  shell: { openExternal: vi.fn() },
  screen: {
    getCursorScreenPoint: () => ({ x: 100, y: 100 }),
    getDisplayNearestPoint: () => ({ workArea: { x: 0, y: 25, width: 1920, height: 1055 } })
  }
}))

import {
  BUBBLE_WINDOW,
  bubbleWindowBounds,
  bubbleWindowUrl,
  createBubbleController,
  openBubbleWindow,
  withCameraBubble,
  type BubbleWindowPort
} from '../../../src/main/electron/bubble-window'
import { bubbleCameraFromHash } from '../../../src/renderer/src/bubble/bubble-channel'
import type { InvokeHandlers } from '../../../src/shared/ipc'

class Port implements BubbleWindowPort {
  closed = false
  constructor(readonly cameraId: string) {}
  close(): void {
    this.closed = true
  }
  isDestroyed(): boolean {
    return this.closed
  }
}

function controller() {
  const opened: Port[] = []
  const bubble = createBubbleController({
    open: (cameraId) => {
      const port = new Port(cameraId)
      opened.push(port)
      return port
    }
  })
  return { bubble, opened }
}

const WITH_CAMERA = {
  mimeType: 'video/webm;codecs=vp9,opus',
  sourceName: 'Entire screen',
  camera: { mimeType: 'video/webm;codecs=vp8', deviceName: 'Desk camera' }
}
const WITHOUT_CAMERA = { mimeType: 'video/webm;codecs=vp9,opus', sourceName: 'Entire screen' }

describe('the bubble page and place', () => {
  it("loads the renderer's own page with the camera in the hash, which the page reads back", () => {
    const url = bubbleWindowUrl('app://sidecast/index.html', 'a b/c#d')
    expect(url).toBe('app://sidecast/index.html#bubble?camera=a%20b%2Fc%23d')
    expect(bubbleCameraFromHash(new URL(url).hash)).toBe('a b/c#d')
    expect(bubbleWindowUrl('http://localhost:5173/#old', 'default')).toBe(
      'http://localhost:5173/#bubble?camera=default'
    )
    // The main window's page is not the bubble.
    expect(bubbleCameraFromHash('')).toBeNull()
    expect(bubbleCameraFromHash('#editor')).toBeNull()
  })

  it('sits at the bottom-left of the work area, and stays inside it', () => {
    const workArea = { x: 0, y: 25, width: 1920, height: 1055 }
    expect(bubbleWindowBounds(workArea)).toEqual({
      x: BUBBLE_WINDOW.margin,
      y: 25 + 1055 - BUBBLE_WINDOW.size - BUBBLE_WINDOW.margin,
      width: BUBBLE_WINDOW.size,
      height: BUBBLE_WINDOW.size
    })
    expect(bubbleWindowBounds(workArea, { x: 5000, y: -40 })).toEqual({
      x: 1920 - BUBBLE_WINDOW.size,
      y: 25,
      width: BUBBLE_WINDOW.size,
      height: BUBBLE_WINDOW.size
    })
    const tiny = bubbleWindowBounds({ x: 0, y: 0, width: 100, height: 80 })
    expect(tiny.width).toBe(80)
    expect(tiny.y).toBe(0)
  })
})

describe('the bubble controller', () => {
  it('opens for a take with a camera and closes when the recording is no longer running', () => {
    const { bubble, opened } = controller()
    bubble.recordingStarted(WITH_CAMERA, 'cam-1')
    expect(opened.map((p) => p.cameraId)).toEqual(['cam-1'])
    expect(bubble.showing).toBe('cam-1')
    bubble.phase('recording')
    bubble.phase('paused')
    expect(opened[0]?.closed).toBe(false)
    bubble.phase('finishing')
    expect(opened[0]?.closed).toBe(true)
    expect(bubble.showing).toBeNull()
  })

  it('never opens for a take without a camera, nor when the setting says none', () => {
    const { bubble, opened } = controller()
    bubble.recordingStarted(WITHOUT_CAMERA, 'cam-1')
    bubble.recordingStarted(WITH_CAMERA, 'none')
    expect(opened).toEqual([])
    expect(bubble.showing).toBeNull()
  })

  it('closes when the camera ends mid-recording, and a restart keeps the same bubble', () => {
    const { bubble, opened } = controller()
    bubble.recordingStarted(WITH_CAMERA, 'cam-1')
    bubble.recordingStarted(WITH_CAMERA, 'cam-1') // restarted take, same camera
    expect(opened).toHaveLength(1)
    bubble.cameraEnded()
    expect(opened[0]?.closed).toBe(true)
    // A restarted take without the (lost) camera opens none.
    bubble.recordingStarted(WITHOUT_CAMERA, 'cam-1')
    expect(opened).toHaveLength(1)
  })

  it('a window closed from outside is opened again by the next take', () => {
    const { bubble, opened } = controller()
    bubble.recordingStarted(WITH_CAMERA, 'cam-1')
    opened[0]?.close()
    bubble.recordingStarted(WITH_CAMERA, 'cam-1')
    expect(opened).toHaveLength(2)
  })
})

describe('withCameraBubble', () => {
  function wrapped() {
    const { bubble, opened } = controller()
    const calls: string[] = []
    const base = {
      'recording:start': async () => {
        calls.push('start')
        return { projectId: 'p1', title: 'T' }
      },
      'recording:restart': async () => {
        calls.push('restart')
        return { projectId: 'p2', title: 'T' }
      },
      'recording:camera-info': async () => {
        calls.push('camera-info')
      },
      'settings:get': async () => {
        calls.push('settings:get')
        return {}
      }
    } as unknown as InvokeHandlers
    let chosen = 'cam-1'
    const handlers = withCameraBubble(base, bubble, () => chosen)
    return { handlers, opened, calls, choose: (id: string) => (chosen = id) }
  }

  it('opens the chosen camera after main started a take with a camera, and answers as main did', async () => {
    const w = wrapped()
    expect(await w.handlers['recording:start'](WITH_CAMERA)).toEqual({
      projectId: 'p1',
      title: 'T'
    })
    expect(w.calls).toEqual(['start'])
    expect(w.opened.map((p) => p.cameraId)).toEqual(['cam-1'])
    await w.handlers['recording:camera-info']('p1', { offsetMs: 40 })
    expect(w.opened[0]?.closed).toBe(false)
    await w.handlers['recording:camera-info']('p1', {
      endedBecause: 'The camera was disconnected.'
    })
    expect(w.opened[0]?.closed).toBe(true)
    expect(w.calls).toEqual(['start', 'camera-info', 'camera-info'])
    // Other channels pass through untouched.
    await w.handlers['settings:get']()
    expect(w.calls.at(-1)).toBe('settings:get')
  })

  it('opens nothing when main refuses to start', async () => {
    const { bubble, opened } = controller()
    const refusing = withCameraBubble(
      {
        'recording:start': async () => {
          throw new Error('Only 10 MB free.')
        }
      } as unknown as InvokeHandlers,
      bubble,
      () => 'cam-1'
    )
    await expect(refusing['recording:start'](WITH_CAMERA)).rejects.toThrow('Only 10 MB free.')
    expect(opened).toEqual([])
  })

  it('a restarted take with the camera keeps the bubble', async () => {
    const w = wrapped()
    await w.handlers['recording:start'](WITH_CAMERA)
    await w.handlers['recording:restart']('p1', WITH_CAMERA)
    expect(w.opened).toHaveLength(1)
    expect(w.opened[0]?.closed).toBe(false)
  })
})

describe('openBubbleWindow', () => {
  beforeEach(() => {
    electron.FakeWindow.created = []
  })

  it('is small, frameless, transparent, on top of everything, out of screen captures, and never steals focus', () => {
    openBubbleWindow({
      preloadPath: '/app/out/preload/index.cjs',
      rendererUrl: 'app://sidecast/index.html',
      cameraId: 'cam-1'
    })
    const window = electron.FakeWindow.created[0]!
    expect(window.options).toMatchObject({
      width: BUBBLE_WINDOW.size,
      height: BUBBLE_WINDOW.size,
      frame: false,
      transparent: true,
      resizable: false,
      skipTaskbar: true,
      show: false,
      webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false }
    })
    expect(window.calls).toContainEqual(['setAlwaysOnTop', true, 'screen-saver'])
    expect(window.calls).toContainEqual(['setContentProtection', true])
    expect(window.webContents.setWindowOpenHandler).toHaveBeenCalled()
    expect(window.loadURL).toHaveBeenCalledWith('app://sidecast/index.html#bubble?camera=cam-1')
    expect(window.calls).not.toContainEqual(['showInactive'])
    for (const listener of window.readyListeners) listener()
    expect(window.calls).toContainEqual(['showInactive'])
  })
})
