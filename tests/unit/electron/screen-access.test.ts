import { describe, expect, it, vi } from 'vitest'

const electron = vi.hoisted(() => ({ status: vi.fn(() => 'denied') }))
vi.mock('electron', () => ({ systemPreferences: { getMediaAccessStatus: electron.status } }))

import {
  assertScreenAccess,
  screenAccessProblem,
  type ScreenAccessStatus
} from '../../../src/main/electron/screen-access'

describe('screenAccessProblem', () => {
  it.each<[string, ScreenAccessStatus, string | null]>([
    ['darwin', 'granted', null],
    // The first capture is what makes macOS ask.
    ['darwin', 'not-determined', null],
    ['darwin', 'unknown', null],
    ['darwin', 'denied', 'screen-permission-denied'],
    ['darwin', 'restricted', 'screen-permission-restricted'],
    ['win32', 'denied', null],
    ['linux', 'denied', null]
  ])('on %s with %s → %s', (platform, status, code) => {
    expect(screenAccessProblem(platform, status)?.code ?? null).toBe(code)
  })

  it('tells the user where to grant it and that Sidecast must restart', () => {
    expect(screenAccessProblem('darwin', 'denied')?.message).toBe(
      'macOS does not allow Sidecast to record the screen, so a recording would be blank. Allow Sidecast in System Settings › Privacy & Security › Screen Recording, then quit and reopen Sidecast and try again.'
    )
  })
})

describe('assertScreenAccess', () => {
  it('asks macOS for the screen status and throws when refused', () => {
    expect(() => assertScreenAccess('darwin')).toThrow(/Screen Recording/)
    expect(electron.status).toHaveBeenCalledWith('screen')
  })

  it('asks nothing on other systems', () => {
    electron.status.mockClear()
    expect(() => assertScreenAccess('linux')).not.toThrow()
    expect(electron.status).not.toHaveBeenCalled()
  })
})
