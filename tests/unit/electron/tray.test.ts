import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { MenuItemConstructorOptions } from 'electron'
import type { RecorderPhase, RecorderState } from '../../../src/shared/ipc'

const electron = vi.hoisted(() => {
  class FakeTray {
    static created: FakeTray[] = []
    image: unknown
    tooltip = ''
    menu: unknown = null
    handlers = new Map<string, () => void>()
    constructor(image: unknown) {
      this.image = image
      FakeTray.created.push(this)
    }
    isDestroyed = () => false
    setImage(image: unknown) {
      this.image = image
    }
    setToolTip(text: string) {
      this.tooltip = text
    }
    setContextMenu(menu: unknown) {
      this.menu = menu
    }
    on(name: string, handler: () => void) {
      this.handlers.set(name, handler)
    }
    destroy = vi.fn()
  }
  return {
    FakeTray,
    createFromPath: vi.fn((path: string) => ({ path })),
    buildFromTemplate: vi.fn((template: unknown) => ({ template }))
  }
})
vi.mock('electron', () => ({
  Tray: electron.FakeTray,
  Menu: { buildFromTemplate: electron.buildFromTemplate },
  nativeImage: { createFromPath: electron.createFromPath }
}))

import { createTray } from '../../../src/main/electron/tray'
import {
  buildTrayMenu,
  trayIconFile,
  trayIconName,
  trayTooltip,
  type TrayActions
} from '../../../src/main/electron/tray-menu'

const state = (phase: RecorderPhase): RecorderState => ({
  phase,
  projectId: phase === 'idle' ? null : 'p1'
})

function fakeActions(): TrayActions & Record<string, ReturnType<typeof vi.fn>> {
  return {
    start: vi.fn(),
    stop: vi.fn(),
    pause: vi.fn(),
    resume: vi.fn(),
    open: vi.fn(),
    quit: vi.fn()
  }
}

/** Label → action it calls (by clicking), '—' for separators, 'disabled' for inert items. */
function describeMenu(
  items: MenuItemConstructorOptions[],
  actions: Record<string, ReturnType<typeof vi.fn>>
) {
  return items.map((item) => {
    if (item.type === 'separator') return '—'
    if (item.enabled === false) return `${item.label} (disabled)`
    for (const fn of Object.values(actions)) fn.mockClear()
    ;(item.click as () => void)()
    const called = Object.entries(actions)
      .filter(([, fn]) => fn.mock.calls.length > 0)
      .map(([name]) => name)
    return `${item.label} → ${called.join(',')}`
  })
}

describe('buildTrayMenu', () => {
  it.each([
    ['idle', ['Start recording → start', 'Open Sidecast → open', '—', 'Quit Sidecast → quit']],
    [
      'recording',
      [
        'Stop recording → stop',
        'Pause recording → pause',
        'Open Sidecast → open',
        '—',
        'Quit Sidecast → quit'
      ]
    ],
    [
      'paused',
      [
        'Stop recording → stop',
        'Resume recording → resume',
        'Open Sidecast → open',
        '—',
        'Quit Sidecast → quit'
      ]
    ],
    [
      'finishing',
      ['Saving recording… (disabled)', 'Open Sidecast → open', '—', 'Quit Sidecast → quit']
    ]
  ] as const)('%s: %j', (phase, expected) => {
    const actions = fakeActions()
    expect(describeMenu(buildTrayMenu(state(phase), actions), actions)).toEqual(expected)
  })

  it('shows the shortcut next to Start and Stop without registering it', () => {
    const [start] = buildTrayMenu(state('idle'), fakeActions(), {
      shortcut: 'CommandOrControl+Shift+R'
    })
    expect(start).toMatchObject({
      accelerator: 'CommandOrControl+Shift+R',
      registerAccelerator: false
    })
    const [stop, pause] = buildTrayMenu(state('recording'), fakeActions(), { shortcut: 'Alt+F9' })
    expect(stop).toMatchObject({ accelerator: 'Alt+F9', registerAccelerator: false })
    expect(pause?.accelerator).toBeUndefined()
  })

  it.each([
    ['idle', 'idle', 'Sidecast — ready to record'],
    ['recording', 'recording', 'Sidecast — recording'],
    ['paused', 'paused', 'Sidecast — recording paused'],
    ['finishing', 'idle', 'Sidecast — saving the recording…']
  ] as const)('%s shows the %s icon and says %j', (phase, icon, tooltip) => {
    expect(trayIconName(state(phase))).toBe(icon)
    expect(trayTooltip(state(phase))).toBe(tooltip)
  })

  it.each([
    ['darwin', 'tray-recording.png'],
    ['win32', 'tray-recording.png'],
    ['linux', 'tray-recording@2x.png']
  ])('on %s the recording icon is %s', (platform, file) => {
    expect(trayIconFile('recording', platform)).toBe(file)
  })
})

describe('createTray', () => {
  beforeEach(() => {
    electron.FakeTray.created.length = 0
    vi.clearAllMocks()
  })

  it('follows the recorder state with icon, tooltip and menu', () => {
    const actions = fakeActions()
    const tray = createTray({
      iconsDir: '/res',
      platform: 'linux',
      actions,
      shortcut: () => 'Alt+F9'
    })
    const fake = electron.FakeTray.created[0]!
    expect(fake.image).toEqual({ path: '/res/tray-idle@2x.png' })
    expect(fake.tooltip).toBe('Sidecast — ready to record')

    tray!.update(state('recording'))
    expect(fake.image).toEqual({ path: '/res/tray-recording@2x.png' })
    expect(fake.tooltip).toBe('Sidecast — recording')
    const template = (fake.menu as { template: MenuItemConstructorOptions[] }).template
    expect(template.map((i) => i.label ?? '—')).toEqual([
      'Stop recording',
      'Pause recording',
      'Open Sidecast',
      '—',
      'Quit Sidecast'
    ])
    ;(template[0]!.click as () => void)()
    expect(actions.stop).toHaveBeenCalled()
  })

  it('opens the window on a left click on Windows', () => {
    const actions = fakeActions()
    createTray({ iconsDir: 'C:\\res', platform: 'win32', actions, shortcut: () => undefined })
    electron.FakeTray.created[0]!.handlers.get('click')!()
    expect(actions.open).toHaveBeenCalled()
  })
})
