import { describe, expect, it } from 'vitest'
import {
  acceleratorLabel,
  keyPressToAccelerator,
  pendingLabel,
  type KeyPress
} from '../../../src/renderer/src/settings/shortcut-keys'
import { acceleratorProblem } from '../../../src/main/electron/accelerator'

const none = { ctrlKey: false, metaKey: false, altKey: false, shiftKey: false }

function press(key: string, code: string, mods: Partial<typeof none> = {}): KeyPress {
  return { key, code, ...none, ...mods }
}

const ctrlShift = { ctrlKey: true, shiftKey: true }

describe('keyPressToAccelerator', () => {
  it.each([
    // Letters: the character when it is a Latin letter, else the key's position.
    [press('R', 'KeyR', ctrlShift), 'linux', 'CommandOrControl+Shift+R'],
    [press('r', 'KeyR', { ctrlKey: true }), 'win32', 'CommandOrControl+R'],
    [press('a', 'KeyQ', { ctrlKey: true }), 'linux', 'CommandOrControl+A'], // AZERTY
    [press('ф', 'KeyA', { ctrlKey: true }), 'linux', 'CommandOrControl+A'], // Cyrillic
    [press('®', 'KeyR', { metaKey: true, altKey: true }), 'darwin', 'CommandOrControl+Alt+R'],
    [press('R', 'KeyR', { metaKey: true, shiftKey: true }), 'darwin', 'CommandOrControl+Shift+R'],
    [press('r', 'KeyR', { ctrlKey: true, metaKey: true }), 'darwin', 'CommandOrControl+Control+R'],
    [press('r', 'KeyR', { metaKey: true, altKey: true }), 'linux', 'Alt+Super+R'],
    // Digits by position, so Shift does not turn 1 into !.
    [press('!', 'Digit1', ctrlShift), 'linux', 'CommandOrControl+Shift+1'],
    [press('5', 'Numpad5', { altKey: true }), 'linux', 'Alt+num5'],
    // Function keys, also with Shift alone.
    [press('F5', 'F5', { ctrlKey: true }), 'linux', 'CommandOrControl+F5'],
    [press('F12', 'F12', { shiftKey: true }), 'linux', 'Shift+F12'],
    [press('F24', 'F24', { altKey: true }), 'linux', 'Alt+F24'],
    // Arrows, space and named keys.
    [press('ArrowUp', 'ArrowUp', { altKey: true }), 'linux', 'Alt+Up'],
    [press('ArrowLeft', 'ArrowLeft', ctrlShift), 'linux', 'CommandOrControl+Shift+Left'],
    [press(' ', 'Space', { ctrlKey: true }), 'linux', 'CommandOrControl+Space'],
    [press('Home', 'Home', { ctrlKey: true }), 'linux', 'CommandOrControl+Home'],
    [press('PageDown', 'PageDown', { altKey: true }), 'linux', 'Alt+PageDown'],
    // Punctuation, as Electron spells it.
    [press('_', 'Minus', ctrlShift), 'linux', 'CommandOrControl+Shift+-'],
    [press('+', 'Equal', ctrlShift), 'linux', 'CommandOrControl+Shift+='],
    [press('/', 'Slash', { ctrlKey: true }), 'linux', 'CommandOrControl+/'],
    [press('`', 'Backquote', { altKey: true }), 'linux', 'Alt+`'],
    [press('[', 'BracketLeft', { ctrlKey: true }), 'linux', 'CommandOrControl+['],
    [press('+', 'NumpadAdd', { ctrlKey: true }), 'linux', 'CommandOrControl+numadd']
  ])('%j on %s → %s', (event, platform, accelerator) => {
    expect(keyPressToAccelerator(event, platform)).toEqual({ kind: 'accelerator', accelerator })
    // Every accelerator it makes passes main's check (src/main/electron/accelerator.ts).
    expect(acceleratorProblem(accelerator)).toBeNull()
  })

  it('waits while only modifiers are held, showing them', () => {
    const result = keyPressToAccelerator(press('Shift', 'ShiftLeft', ctrlShift), 'linux')
    expect(result).toEqual({ kind: 'pending', modifiers: 'CommandOrControl+Shift' })
    expect(pendingLabel('CommandOrControl+Shift', 'linux')).toBe('Ctrl+Shift+…')
    expect(pendingLabel('CommandOrControl+Shift', 'darwin')).toBe('⇧⌘')
    expect(keyPressToAccelerator(press('Meta', 'MetaLeft', { metaKey: true }), 'darwin')).toEqual({
      kind: 'pending',
      modifiers: 'CommandOrControl'
    })
  })

  it('cancels on Escape and resets on Backspace or Delete, pressed alone', () => {
    expect(keyPressToAccelerator(press('Escape', 'Escape'), 'linux')).toEqual({ kind: 'cancel' })
    expect(keyPressToAccelerator(press('Backspace', 'Backspace'), 'linux')).toEqual({
      kind: 'reset'
    })
    expect(keyPressToAccelerator(press('Delete', 'Delete'), 'darwin')).toEqual({ kind: 'reset' })
    // With a modifier they are keys like any other.
    expect(keyPressToAccelerator(press('Delete', 'Delete', { ctrlKey: true }), 'linux')).toEqual({
      kind: 'accelerator',
      accelerator: 'CommandOrControl+Delete'
    })
  })

  it('refuses a key without a modifier, and a letter with Shift alone, with a sentence', () => {
    for (const event of [
      press('r', 'KeyR'),
      press('R', 'KeyR', { shiftKey: true }),
      press('!', 'Digit1', { shiftKey: true }),
      press('F5', 'F5')
    ]) {
      const result = keyPressToAccelerator(event, 'linux')
      expect(result.kind).toBe('refused')
      if (result.kind === 'refused') {
        expect(result.message).toMatch(
          /^A shortcut needs Ctrl or Alt with the key \(for example Ctrl\+Shift\+R\)/
        )
      }
    }
    const mac = keyPressToAccelerator(press('r', 'KeyR'), 'darwin')
    expect(mac.kind === 'refused' && mac.message).toMatch(/needs ⌘, ⌃ or ⌥ .*for example ⇧⌘R/)
  })

  it('refuses a key Electron has no name for', () => {
    const result = keyPressToAccelerator(
      press('ContextMenu', 'ContextMenu', { ctrlKey: true }),
      'linux'
    )
    expect(result.kind).toBe('refused')
    expect(result.kind === 'refused' && result.message).toMatch(/cannot be part of a shortcut/)
  })
})

describe('acceleratorLabel', () => {
  it.each([
    ['CommandOrControl+Shift+R', 'linux', 'Ctrl+Shift+R'],
    ['CommandOrControl+Shift+R', 'win32', 'Ctrl+Shift+R'],
    ['CommandOrControl+Shift+R', 'darwin', '⇧⌘R'],
    ['CommandOrControl+Control+Alt+R', 'darwin', '⌃⌥⌘R'],
    ['Alt+Super+Up', 'linux', 'Alt+Super+↑'],
    ['CmdOrCtrl+shift+r', 'linux', 'Ctrl+Shift+R'],
    ['Alt+num5', 'linux', 'Alt+Num 5'],
    ['', 'linux', '']
  ])('%s on %s → %s', (accelerator, platform, label) => {
    expect(acceleratorLabel(accelerator, platform)).toBe(label)
  })
})
