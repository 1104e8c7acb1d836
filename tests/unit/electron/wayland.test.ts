import { describe, expect, it } from 'vitest'
import {
  capturePicker,
  chromiumFeatures,
  isWaylandSession,
  SYSTEM_PICKER_SOURCE,
  systemPickedSource
} from '../../../src/main/electron/wayland'
import { SYSTEM_PICKER_SOURCE_ID } from '../../../src/shared/ipc'

describe('Wayland decisions', () => {
  it.each([
    ['linux', { XDG_SESSION_TYPE: 'wayland' }, true],
    ['linux', { XDG_SESSION_TYPE: 'Wayland ' }, true],
    ['linux', { XDG_SESSION_TYPE: 'x11' }, false],
    ['linux', {}, false],
    ['darwin', { XDG_SESSION_TYPE: 'wayland' }, false],
    ['win32', { XDG_SESSION_TYPE: 'wayland' }, false]
  ])('on %s with %j: Wayland %s', (platform, env, wayland) => {
    expect(isWaylandSession(platform, env)).toBe(wayland)
    expect(chromiumFeatures(platform, env)).toEqual(wayland ? ['GlobalShortcutsPortal'] : [])
    expect(capturePicker(platform, env)).toBe(wayland ? 'system' : 'sidecast')
  })

  it('offers one entry that leaves the choice to the system dialog', () => {
    expect(SYSTEM_PICKER_SOURCE).toEqual({
      id: SYSTEM_PICKER_SOURCE_ID,
      name: 'Choose in the system dialog',
      kind: 'screen',
      thumbnailDataUrl: null,
      systemPicker: true
    })
  })

  it('answers with what the system dialog chose, screen or window', () => {
    expect(systemPickedSource([{ id: 'window:3:0' }])).toEqual({ id: 'window:3:0' })
    expect(systemPickedSource([])).toBeNull()
  })
})
