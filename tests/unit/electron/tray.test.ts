import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { MenuItemConstructorOptions } from 'electron'
import type { RecorderPhase, RecorderState, UploadInfo } from '../../../src/shared/ipc'

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
  formatTimeLeft,
  trayIconFile,
  trayIconName,
  trayTooltip,
  uploadActivity,
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
    restart: vi.fn(),
    discard: vi.fn(),
    uploadLast: vi.fn(),
    open: vi.fn(),
    quit: vi.fn()
  }
}

function upload(overrides: Partial<UploadInfo>): UploadInfo {
  return {
    id: 'u1',
    projectId: 'p1',
    title: 'Walkthrough',
    state: 'uploading',
    fraction: 0,
    bytesSent: 0,
    bytesTotal: 1000,
    speedBps: null,
    etaMs: null,
    createdAt: '2026-01-01T10:00:00.000Z',
    ...overrides
  }
}

const READY = { upload: { canUploadLast: true, activity: null } }

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
    [
      'idle',
      [
        'Start recording → start',
        'Upload last recording → uploadLast',
        'Open Sidecast → open',
        '—',
        'Quit Sidecast → quit'
      ]
    ],
    [
      'recording',
      [
        'Stop recording → stop',
        'Pause recording → pause',
        'Restart recording… → restart',
        'Discard recording… → discard',
        'Upload last recording → uploadLast',
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
        'Restart recording… → restart',
        'Discard recording… → discard',
        'Upload last recording → uploadLast',
        'Open Sidecast → open',
        '—',
        'Quit Sidecast → quit'
      ]
    ],
    [
      'finishing',
      [
        'Saving recording… (disabled)',
        'Upload last recording → uploadLast',
        'Open Sidecast → open',
        '—',
        'Quit Sidecast → quit'
      ]
    ]
  ] as const)('%s: %j', (phase, expected) => {
    const actions = fakeActions()
    expect(describeMenu(buildTrayMenu(state(phase), actions, READY), actions)).toEqual(expected)
  })

  it('disables "Upload last recording" without a recording or a library, and without sharing state', () => {
    const actions = fakeActions()
    const off = { upload: { canUploadLast: false, activity: null } }
    expect(describeMenu(buildTrayMenu(state('idle'), actions, off), actions)).toContain(
      'Upload last recording (disabled)'
    )
    expect(describeMenu(buildTrayMenu(state('idle'), actions), actions)).toContain(
      'Upload last recording (disabled)'
    )
  })

  it('shows what is uploading as a disabled line below "Upload last recording"', () => {
    const actions = fakeActions()
    const busy = { upload: { canUploadLast: true, activity: 'Uploading 42% — 1 min left' } }
    expect(describeMenu(buildTrayMenu(state('idle'), actions, busy), actions)).toEqual([
      'Start recording → start',
      'Upload last recording → uploadLast',
      'Uploading 42% — 1 min left (disabled)',
      'Open Sidecast → open',
      '—',
      'Quit Sidecast → quit'
    ])
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
    [45_000, '45 s left'],
    [400, '1 s left'],
    [60_000, '1 min left'],
    [89_000, '1 min left'],
    [150_000, '3 min left'],
    [3_600_000, '1 h left'],
    [3_900_000, '1 h 5 min left']
  ])('formatTimeLeft(%i) is %j', (ms, text) => {
    expect(formatTimeLeft(ms)).toBe(text)
  })

  it.each([
    ['nothing', [], null],
    [
      'finished ones only',
      [upload({ state: 'done', fraction: 1 }), upload({ state: 'failed' })],
      null
    ],
    [
      'an upload with an estimate',
      [upload({ fraction: 0.423, etaMs: 61_000 })],
      { label: 'Uploading 42% — 1 min left', fraction: 0.423 }
    ],
    [
      'an upload too early to tell',
      [upload({ fraction: 0.01 })],
      { label: 'Uploading 1%', fraction: 0.01 }
    ],
    [
      'an export before the upload',
      [upload({ state: 'exporting', fraction: 0.3 })],
      { label: 'Preparing upload 30%', fraction: 0.3 }
    ],
    [
      'one waiting to retry',
      [upload({ state: 'queued', error: 'Waiting to retry: no network.' })],
      { label: 'Upload waiting to retry', fraction: 0 }
    ],
    [
      'the sending one first, with the others counted',
      [
        upload({ id: 'a', state: 'queued' }),
        upload({ id: 'b', fraction: 0.5, etaMs: 20_000 }),
        upload({ id: 'c', state: 'paused' })
      ],
      { label: 'Uploading 50% — 20 s left (+1 more)', fraction: 0.5 }
    ]
  ] as const)('uploadActivity with %s', (_name, uploads, expected) => {
    expect(uploadActivity(uploads as readonly UploadInfo[])).toEqual(expected)
  })

  it('shows the upload in the tooltip and the activity icon only while not recording', () => {
    expect(trayTooltip(state('idle'), 'Uploading 5%')).toBe('Sidecast — Uploading 5%')
    expect(trayTooltip(state('recording'), 'Uploading 5%')).toBe('Sidecast — recording')
    expect(trayIconName(state('idle'), true)).toBe('uploading')
    expect(trayIconName(state('finishing'), true)).toBe('uploading')
    expect(trayIconName(state('recording'), true)).toBe('recording')
    expect(trayIconName(state('paused'), true)).toBe('paused')
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
      'Restart recording…',
      'Discard recording…',
      'Upload last recording',
      'Open Sidecast',
      '—',
      'Quit Sidecast'
    ])
    ;(template[0]!.click as () => void)()
    expect(actions.stop).toHaveBeenCalled()
  })

  it('shows uploads with the activity icon, tooltip and menu line, and rebuilds only on change', () => {
    const actions = fakeActions()
    const tray = createTray({
      iconsDir: '/res',
      platform: 'darwin',
      actions,
      shortcut: () => undefined
    })
    const fake = electron.FakeTray.created[0]!
    const builds = electron.buildFromTemplate.mock.calls.length

    tray!.setUpload({ canUploadLast: true, activity: 'Uploading 42% — 1 min left' })
    expect(fake.image).toEqual({ path: '/res/tray-uploading.png' })
    expect(fake.tooltip).toBe('Sidecast — Uploading 42% — 1 min left')
    const template = (fake.menu as { template: MenuItemConstructorOptions[] }).template
    expect(template.find((i) => i.id === 'upload-activity')).toMatchObject({
      label: 'Uploading 42% — 1 min left',
      enabled: false
    })
    const upload = template.find((i) => i.id === 'upload-last')!
    expect(upload.enabled).toBe(true)
    ;(upload.click as () => void)()
    expect(actions.uploadLast).toHaveBeenCalled()

    // The same view again (progress events repeat it) does not rebuild the menu.
    tray!.setUpload({ canUploadLast: true, activity: 'Uploading 42% — 1 min left' })
    expect(electron.buildFromTemplate.mock.calls.length).toBe(builds + 1)

    // Recording takes the icon back; when the upload ends the idle icon returns.
    tray!.update(state('recording'))
    expect(fake.image).toEqual({ path: '/res/tray-recording.png' })
    tray!.update(state('idle'))
    tray!.setUpload({ canUploadLast: true, activity: null })
    expect(fake.image).toEqual({ path: '/res/tray-idle.png' })
    expect(fake.tooltip).toBe('Sidecast — ready to record')
  })

  it('opens the window on a left click on Windows', () => {
    const actions = fakeActions()
    createTray({ iconsDir: 'C:\\res', platform: 'win32', actions, shortcut: () => undefined })
    electron.FakeTray.created[0]!.handlers.get('click')!()
    expect(actions.open).toHaveBeenCalled()
  })
})
