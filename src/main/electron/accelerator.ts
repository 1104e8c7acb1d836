/**
 * Checks Electron accelerator strings (the global shortcut setting) before they reach
 * globalShortcut, and shows them the way the user's platform writes them.
 */

const MODIFIERS = new Set([
  'command',
  'cmd',
  'control',
  'ctrl',
  'commandorcontrol',
  'cmdorctrl',
  'alt',
  'option',
  'altgr',
  'shift',
  'super',
  'meta'
])

const NAMED_KEYS = new Set([
  'plus',
  'space',
  'tab',
  'capslock',
  'numlock',
  'scrolllock',
  'backspace',
  'delete',
  'insert',
  'return',
  'enter',
  'up',
  'down',
  'left',
  'right',
  'home',
  'end',
  'pageup',
  'pagedown',
  'escape',
  'esc',
  'volumeup',
  'volumedown',
  'volumemute',
  'medianexttrack',
  'mediaprevioustrack',
  'mediastop',
  'mediaplaypause',
  'printscreen'
])

function isKey(token: string): boolean {
  const lower = token.toLowerCase()
  if (NAMED_KEYS.has(lower)) return true
  if (/^f([1-9]|1\d|2[0-4])$/.test(lower)) return true
  if (/^num([0-9]|dec|add|sub|mult|div)$/.test(lower)) return true
  // A single printable character (letters, digits, punctuation).
  return /^[\x21-\x7e]$/.test(token) && token !== '+'
}

/**
 * Returns what is wrong with `accelerator` as a global shortcut, or null when it is usable.
 * A global shortcut needs at least one modifier: a bare key would be swallowed from every app.
 */
export function acceleratorProblem(accelerator: string): string | null {
  const text = accelerator.trim()
  if (!text) return 'The shortcut is empty. Press a key combination such as Ctrl+Shift+R.'
  const tokens = text.split('+')
  if (tokens.some((t) => t.trim() === '')) return `"${text}" is not a valid shortcut.`
  const key = tokens[tokens.length - 1]?.trim() ?? ''
  const modifiers = tokens.slice(0, -1).map((t) => t.trim().toLowerCase())
  if (modifiers.length === 0) {
    return `"${text}" needs a modifier such as Ctrl, Alt or Shift, or it would take the key away from every other app.`
  }
  const unknown = modifiers.find((m) => !MODIFIERS.has(m))
  if (unknown !== undefined)
    return `"${text}" is not a valid shortcut ("${unknown}" is not a modifier key).`
  if (new Set(modifiers).size !== modifiers.length) return `"${text}" repeats a modifier.`
  if (MODIFIERS.has(key.toLowerCase())) return `"${text}" has no key besides the modifiers.`
  if (!isKey(key))
    return `"${text}" is not a valid shortcut ("${key}" is not a key Sidecast knows).`
  return null
}

/** The accelerator as the user's platform writes it, e.g. "Ctrl+Shift+R" or "Cmd+Shift+R". */
export function displayAccelerator(accelerator: string, platform: string): string {
  const mac = platform === 'darwin'
  return accelerator
    .split('+')
    .map((token) => {
      switch (token.trim().toLowerCase()) {
        case 'commandorcontrol':
        case 'cmdorctrl':
          return mac ? 'Cmd' : 'Ctrl'
        case 'command':
        case 'cmd':
          return 'Cmd'
        case 'control':
        case 'ctrl':
          return 'Ctrl'
        case 'option':
          return 'Option'
        case 'alt':
          return mac ? 'Option' : 'Alt'
        case 'super':
        case 'meta':
          return mac ? 'Cmd' : 'Super'
        default:
          return token.trim().length === 1 ? token.trim().toUpperCase() : token.trim()
      }
    })
    .join('+')
}

/** The message shown when the OS refuses the shortcut (another app holds it). */
export function shortcutTakenMessage(accelerator: string, platform: string): string {
  return `${displayAccelerator(accelerator, platform)} is used by another app — choose another shortcut in Settings. Recording still works from the window and the tray.`
}
