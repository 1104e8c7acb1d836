import { beforeEach, describe, expect, it, vi } from 'vitest'
import { type InvokeHandlers } from '../../../src/shared/ipc'
import { SidecastError } from '../../../src/shared/errors'
import { DEFAULT_SETTINGS, type Settings } from '../../../src/shared/settings'

const electron = vi.hoisted(() => ({
  taken: new Set<string>(),
  registered: new Map<string, () => void>()
}))
vi.mock('electron', () => ({
  globalShortcut: {
    register: vi.fn((accelerator: string, callback: () => void) => {
      if (accelerator === 'Bogus+Key') throw new Error('conversion failure')
      if (electron.taken.has(accelerator)) return false
      electron.registered.set(accelerator, callback)
      return true
    }),
    unregister: vi.fn((accelerator: string) => electron.registered.delete(accelerator))
  }
}))

import { createGlobalShortcut } from '../../../src/main/electron/shortcut'
import { withShortcutSetting } from '../../../src/main/electron/shortcut-setting'
import {
  acceleratorProblem,
  displayAccelerator,
  shortcutTakenMessage
} from '../../../src/main/electron/accelerator'

describe('acceleratorProblem', () => {
  it.each([
    ['CommandOrControl+Shift+R', null],
    ['CmdOrCtrl+Alt+F9', null],
    ['Ctrl+Shift+Space', null],
    ['Alt+F12', null],
    ['Super+Shift+1', null],
    ['Control+Plus', null],
    ['Shift+num5', null],
    ['', /empty/],
    ['   ', /empty/],
    ['R', /needs a modifier/],
    ['F9', /needs a modifier/],
    ['Ctrl+', /not a valid shortcut/],
    ['Ctrl++R', /not a valid shortcut/],
    ['Ctrl+Shift', /no key besides the modifiers/],
    ['Ctrl+Ctrl+R', /repeats a modifier/],
    ['Hyper+R', /"hyper" is not a modifier/],
    ['Ctrl+Shift+Banana', /"Banana" is not a key/],
    ['Ctrl+F25', /not a key/]
  ])('%j → %s', (accelerator, expected) => {
    const problem = acceleratorProblem(accelerator)
    if (expected === null) expect(problem).toBeNull()
    else expect(problem).toMatch(expected)
  })
})

describe('displayAccelerator', () => {
  it.each([
    ['CommandOrControl+Shift+R', 'linux', 'Ctrl+Shift+R'],
    ['CommandOrControl+Shift+R', 'win32', 'Ctrl+Shift+R'],
    ['CommandOrControl+Shift+R', 'darwin', 'Cmd+Shift+R'],
    ['Alt+r', 'darwin', 'Option+R'],
    ['Super+F9', 'linux', 'Super+F9']
  ])('%s on %s → %s', (accelerator, platform, shown) => {
    expect(displayAccelerator(accelerator, platform)).toBe(shown)
  })

  it('says which shortcut is taken and what to do', () => {
    expect(shortcutTakenMessage('CommandOrControl+Shift+R', 'linux')).toMatch(
      /^Ctrl\+Shift\+R is used by another app — choose another shortcut in Settings/
    )
  })
})

describe('createGlobalShortcut', () => {
  beforeEach(() => {
    electron.taken.clear()
    electron.registered.clear()
  })

  it('registers the shortcut and calls onPress when it is pressed', () => {
    const onPress = vi.fn()
    const shortcut = createGlobalShortcut({ onPress, platform: 'linux' })
    expect(shortcut.register('CommandOrControl+Shift+R')).toBeNull()
    expect(shortcut.current()).toBe('CommandOrControl+Shift+R')
    electron.registered.get('CommandOrControl+Shift+R')!()
    expect(onPress).toHaveBeenCalledTimes(1)
  })

  it('replaces the old shortcut with a new one', () => {
    const shortcut = createGlobalShortcut({ onPress: vi.fn(), platform: 'linux' })
    shortcut.register('CommandOrControl+Shift+R')
    expect(shortcut.register('Alt+F9')).toBeNull()
    expect([...electron.registered.keys()]).toEqual(['Alt+F9'])
  })

  it('explains a shortcut held by another app and keeps the old one working', () => {
    const shortcut = createGlobalShortcut({ onPress: vi.fn(), platform: 'linux' })
    shortcut.register('Alt+F9')
    electron.taken.add('CommandOrControl+Shift+R')
    expect(shortcut.register('CommandOrControl+Shift+R')).toBe(
      shortcutTakenMessage('CommandOrControl+Shift+R', 'linux')
    )
    expect(shortcut.current()).toBe('Alt+F9')
    expect([...electron.registered.keys()]).toEqual(['Alt+F9'])
  })

  it('refuses an invalid accelerator before Electron sees it, and survives Electron throwing', () => {
    const shortcut = createGlobalShortcut({ onPress: vi.fn(), platform: 'linux' })
    expect(shortcut.register('R')).toMatch(/needs a modifier/)
    expect(shortcut.register('Ctrl+Shift+Banana')).toMatch(/not a key/)
    expect(shortcut.current()).toBeNull()
  })

  it('lets go of the shortcut on dispose', () => {
    const shortcut = createGlobalShortcut({ onPress: vi.fn(), platform: 'linux' })
    shortcut.register('Alt+F9')
    shortcut.dispose()
    expect(electron.registered.size).toBe(0)
    expect(shortcut.current()).toBeNull()
  })
})

describe('withShortcutSetting', () => {
  function setup(initial: string | null) {
    let current = initial
    const registrar = {
      register: vi.fn((accelerator: string) => {
        if (accelerator === 'Ctrl+Shift+T')
          return 'Ctrl+Shift+T is used by another app — choose another shortcut in Settings.'
        current = accelerator
        return null
      }),
      current: () => current
    }
    let saved: Settings = {
      ...DEFAULT_SETTINGS,
      recordShortcut: initial ?? DEFAULT_SETTINGS.recordShortcut
    }
    const set = vi.fn(async (patch: Partial<Settings>) => {
      if (patch.countdownSeconds === 99) throw new SidecastError('bad-settings', 'too long')
      saved = { ...saved, ...patch }
      return saved
    })
    const onChange = vi.fn()
    const handlers = withShortcutSetting(
      { 'settings:set': set } as unknown as InvokeHandlers,
      registrar,
      onChange
    )
    return { handlers, registrar, set, onChange, current: () => current }
  }

  it('registers a new shortcut, then saves it', async () => {
    const { handlers, set, onChange, current } = setup('CommandOrControl+Shift+R')
    const result = await handlers['settings:set']({ recordShortcut: 'Alt+F9' })
    expect(result.recordShortcut).toBe('Alt+F9')
    expect(current()).toBe('Alt+F9')
    expect(set).toHaveBeenCalledWith({ recordShortcut: 'Alt+F9' })
    expect(onChange).toHaveBeenCalledWith('Alt+F9')
  })

  it('refuses a taken shortcut with its message and saves nothing', async () => {
    const { handlers, set, current } = setup('CommandOrControl+Shift+R')
    await expect(
      handlers['settings:set']({ recordShortcut: 'Ctrl+Shift+T' })
    ).rejects.toMatchObject({
      code: 'shortcut-unavailable',
      message: expect.stringMatching(/used by another app/)
    })
    expect(set).not.toHaveBeenCalled()
    expect(current()).toBe('CommandOrControl+Shift+R')
  })

  it('puts the old shortcut back when the rest of the patch is refused', async () => {
    const { handlers, current } = setup('CommandOrControl+Shift+R')
    await expect(
      handlers['settings:set']({ recordShortcut: 'Alt+F9', countdownSeconds: 99 })
    ).rejects.toThrow('too long')
    expect(current()).toBe('CommandOrControl+Shift+R')
  })

  it('passes other settings straight through', async () => {
    const { handlers, registrar, set } = setup('CommandOrControl+Shift+R')
    await handlers['settings:set']({ countdownSeconds: 5 })
    await handlers['settings:set']({ recordShortcut: 'CommandOrControl+Shift+R' })
    expect(registrar.register).not.toHaveBeenCalled()
    expect(set).toHaveBeenCalledTimes(2)
  })
})
