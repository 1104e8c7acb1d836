/**
 * The record-shortcut field's "press the keys": a key press as an Electron accelerator
 * (`CommandOrControl+Shift+R`), and an accelerator as the platform writes it (Ctrl+Shift+R,
 * ⌘⇧R). Pure, so every key is tested without a browser.
 *
 * Letters come from the typed character when it is a Latin letter (AZERTY's A is A), otherwise
 * from the physical key (`code`): with Option on macOS, or on a Cyrillic layout, the character is
 * not a letter Electron knows, and the key's position still is. Digits, punctuation and named
 * keys always come from `code`, so Shift does not turn 1 into !.
 */

/** The fields of a KeyboardEvent the recorder reads. */
export interface KeyPress {
  readonly key: string
  readonly code: string
  readonly ctrlKey: boolean
  readonly metaKey: boolean
  readonly altKey: boolean
  readonly shiftKey: boolean
}

export type KeyPressResult =
  /** Only modifiers so far: show them and wait for the key. */
  | { readonly kind: 'pending'; readonly modifiers: string }
  /** Escape alone: stop recording, keep the shortcut as it was. */
  | { readonly kind: 'cancel' }
  /** Backspace or Delete alone: back to the default shortcut. */
  | { readonly kind: 'reset' }
  /** Not usable as a global shortcut; `message` says why and what to press instead. */
  | { readonly kind: 'refused'; readonly message: string }
  | { readonly kind: 'accelerator'; readonly accelerator: string }

const NAMED_CODES: Readonly<Record<string, string>> = {
  Space: 'Space',
  Enter: 'Enter',
  NumpadEnter: 'Enter',
  Tab: 'Tab',
  Backspace: 'Backspace',
  Delete: 'Delete',
  Insert: 'Insert',
  Home: 'Home',
  End: 'End',
  PageUp: 'PageUp',
  PageDown: 'PageDown',
  ArrowUp: 'Up',
  ArrowDown: 'Down',
  ArrowLeft: 'Left',
  ArrowRight: 'Right',
  Escape: 'Escape',
  PrintScreen: 'PrintScreen',
  Minus: '-',
  Equal: '=',
  BracketLeft: '[',
  BracketRight: ']',
  Backslash: '\\',
  Semicolon: ';',
  Quote: "'",
  Comma: ',',
  Period: '.',
  Slash: '/',
  Backquote: '`',
  NumpadAdd: 'numadd',
  NumpadSubtract: 'numsub',
  NumpadMultiply: 'nummult',
  NumpadDivide: 'numdiv',
  NumpadDecimal: 'numdec',
  MediaPlayPause: 'MediaPlayPause',
  MediaStop: 'MediaStop',
  MediaTrackNext: 'MediaNextTrack',
  MediaTrackPrevious: 'MediaPreviousTrack',
  AudioVolumeUp: 'VolumeUp',
  AudioVolumeDown: 'VolumeDown',
  AudioVolumeMute: 'VolumeMute'
}

const MODIFIER_CODES = /^(Shift|Control|Alt|Meta|OS|AltGraph)(Left|Right)?$/
const MODIFIER_KEYS = new Set([
  'Shift',
  'Control',
  'Alt',
  'Meta',
  'OS',
  'AltGraph',
  'Hyper',
  'Super'
])

/** The accelerator's key for a press, or null when Electron has no name for it. */
function keyName(press: KeyPress): string | null {
  if (/^[a-z]$/i.test(press.key) && press.code.startsWith('Key')) return press.key.toUpperCase()
  let match = /^Key([A-Z])$/.exec(press.code)
  if (match) return match[1]!
  match = /^Digit([0-9])$/.exec(press.code)
  if (match) return match[1]!
  match = /^Numpad([0-9])$/.exec(press.code)
  if (match) return `num${match[1]!}`
  match = /^F([1-9]|1[0-9]|2[0-4])$/.exec(press.code)
  if (match) return `F${match[1]!}`
  return NAMED_CODES[press.code] ?? null
}

/** The modifiers held, in Electron's spelling and a fixed order. */
function modifierNames(press: KeyPress, platform: string): string[] {
  const mac = platform === 'darwin'
  const names: string[] = []
  // The platform's command key is stored as CommandOrControl, so the setting works on both.
  if (mac ? press.metaKey : press.ctrlKey) names.push('CommandOrControl')
  if (mac && press.ctrlKey) names.push('Control')
  if (press.altKey) names.push('Alt')
  if (press.shiftKey) names.push('Shift')
  if (!mac && press.metaKey) names.push('Super')
  return names
}

/** What one key press in the recorder means. */
export function keyPressToAccelerator(press: KeyPress, platform: string): KeyPressResult {
  const modifiers = modifierNames(press, platform)
  if (MODIFIER_CODES.test(press.code) || MODIFIER_KEYS.has(press.key)) {
    return { kind: 'pending', modifiers: modifiers.join('+') }
  }
  if (modifiers.length === 0 && press.code === 'Escape') return { kind: 'cancel' }
  if (modifiers.length === 0 && (press.code === 'Backspace' || press.code === 'Delete')) {
    return { kind: 'reset' }
  }
  const key = keyName(press)
  if (key === null) {
    return {
      kind: 'refused',
      message:
        'That key cannot be part of a shortcut. Use a letter, a digit, a function key or an arrow with Ctrl, Alt or Shift.'
    }
  }
  const functionKey = /^F\d+$/.test(key) || key.startsWith('Media') || key.startsWith('Volume')
  const strong = modifiers.filter((m) => m !== 'Shift')
  if (modifiers.length === 0 || (strong.length === 0 && !functionKey)) {
    const mod = platform === 'darwin' ? '⌘, ⌃ or ⌥' : 'Ctrl or Alt'
    return {
      kind: 'refused',
      message: `A shortcut needs ${mod} with the key (for example ${acceleratorLabel('CommandOrControl+Shift+R', platform)}), or it would take the key away from every other app. Press the keys again.`
    }
  }
  return { kind: 'accelerator', accelerator: [...modifiers, key].join('+') }
}

const MAC_SYMBOLS: Readonly<Record<string, string>> = {
  commandorcontrol: '⌘',
  cmdorctrl: '⌘',
  command: '⌘',
  cmd: '⌘',
  super: '⌘',
  meta: '⌘',
  control: '⌃',
  ctrl: '⌃',
  alt: '⌥',
  option: '⌥',
  altgr: '⌥',
  shift: '⇧'
}
/** Apple's order: ⌃⌥⇧⌘. */
const MAC_ORDER = ['⌃', '⌥', '⇧', '⌘']

const OTHER_NAMES: Readonly<Record<string, string>> = {
  commandorcontrol: 'Ctrl',
  cmdorctrl: 'Ctrl',
  control: 'Ctrl',
  ctrl: 'Ctrl',
  command: 'Cmd',
  cmd: 'Cmd',
  alt: 'Alt',
  option: 'Alt',
  altgr: 'AltGr',
  shift: 'Shift',
  super: 'Super',
  meta: 'Super'
}

const KEY_LABELS: Readonly<Record<string, string>> = {
  up: '↑',
  down: '↓',
  left: '←',
  right: '→',
  numadd: 'Num +',
  numsub: 'Num −',
  nummult: 'Num ×',
  numdiv: 'Num ÷',
  numdec: 'Num .',
  plus: '+'
}

function keyLabel(key: string): string {
  const lower = key.toLowerCase()
  const num = /^num([0-9])$/.exec(lower)
  if (num) return `Num ${num[1]!}`
  if (KEY_LABELS[lower]) return KEY_LABELS[lower]
  return key.length === 1 ? key.toUpperCase() : key
}

/** The accelerator as the platform writes it: "Ctrl+Shift+R", or "⌘⇧R" on macOS. */
export function acceleratorLabel(accelerator: string, platform: string): string {
  const parts = accelerator
    .split('+')
    .map((p) => p.trim())
    .filter(Boolean)
  if (parts.length === 0) return ''
  const key = parts[parts.length - 1]!
  const modifiers = parts.slice(0, -1).map((p) => p.toLowerCase())
  if (platform === 'darwin') {
    const symbols = modifiers.map((m) => MAC_SYMBOLS[m] ?? m)
    symbols.sort((a, b) => MAC_ORDER.indexOf(a) - MAC_ORDER.indexOf(b))
    return `${symbols.join('')}${keyLabel(key)}`
  }
  return [...modifiers.map((m) => OTHER_NAMES[m] ?? m), keyLabel(key)].join('+')
}

/** The modifiers held so far, for the recorder to show while it waits for the key. */
export function pendingLabel(modifiers: string, platform: string): string {
  if (!modifiers) return ''
  const label = acceleratorLabel(`${modifiers}+X`, platform)
  return platform === 'darwin' ? label.slice(0, -1) : `${label.slice(0, -1)}…`
}
