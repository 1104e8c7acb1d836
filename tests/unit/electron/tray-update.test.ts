/** The tray's "Restart to update" (tray-menu.ts): shown once an update is downloaded, held while work runs. */
import { describe, expect, it, vi } from 'vitest'
import {
  buildTrayMenu,
  trayUpdateView,
  type TrayActions
} from '../../../src/main/electron/tray-menu'
import type { UpdateStatus } from '../../../src/shared/ipc'

const status = (change: Partial<UpdateStatus>): UpdateStatus => ({
  currentVersion: '0.1.0',
  phase: 'idle',
  automatic: true,
  managed: false,
  checkedAt: null,
  version: null,
  fraction: null,
  message: null,
  restartWaitsFor: null,
  ...change
})

const actions = (): TrayActions => ({
  start: vi.fn(),
  stop: vi.fn(),
  pause: vi.fn(),
  resume: vi.fn(),
  restart: vi.fn(),
  discard: vi.fn(),
  uploadLast: vi.fn(),
  open: vi.fn(),
  quit: vi.fn(),
  restartToUpdate: vi.fn()
})

describe('tray: restart to update', () => {
  it.each([
    ['idle', status({}), null],
    ['downloading', status({ phase: 'downloading', version: '0.2.0', fraction: 0.5 }), null],
    ['failed', status({ phase: 'failed', message: 'Could not check for updates.' }), null],
    ['available (a .deb)', status({ phase: 'available', version: '0.2.0' }), null],
    [
      'ready',
      status({ phase: 'ready', version: '0.2.0' }),
      { label: 'Restart to update to 0.2.0', enabled: true }
    ],
    [
      'ready while recording',
      status({ phase: 'ready', version: '0.2.0', restartWaitsFor: 'the recording' }),
      { label: 'Restart to update (after the recording)', enabled: false }
    ]
  ])('%s', (_what, given, expected) => {
    expect(trayUpdateView(given)).toEqual(expected)
  })

  it('sits above "Open Sidecast" and restarts when clicked', () => {
    const a = actions()
    const menu = buildTrayMenu({ phase: 'idle', projectId: null }, a, {
      update: { label: 'Restart to update to 0.2.0', enabled: true }
    })
    const ids = menu.map((item) => item.id ?? item.type)
    expect(ids.indexOf('restart-to-update')).toBe(ids.indexOf('open') - 1)
    const item = menu.find((entry) => entry.id === 'restart-to-update')
    expect(item).toMatchObject({ label: 'Restart to update to 0.2.0', enabled: true })
    ;(item?.click as () => void)()
    expect(a.restartToUpdate).toHaveBeenCalledTimes(1)
    expect(
      buildTrayMenu({ phase: 'idle', projectId: null }, a, { update: null }).some(
        (entry) => entry.id === 'restart-to-update'
      )
    ).toBe(false)
  })
})
