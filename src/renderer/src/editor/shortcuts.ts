/**
 * The editor's keyboard shortcuts: one table that both the key handler and the help overlay
 * read, so the list shown is the list that works. Pure: key events come in as plain objects.
 */
import { TOOLS } from './labels'
import type { Tool } from './overlay/types'

export type EditorCommand =
  | 'play-toggle'
  | 'frame-back'
  | 'frame-forward'
  | 'second-back'
  | 'second-forward'
  | 'go-start'
  | 'go-end'
  | 'trim-in'
  | 'trim-out'
  | 'mark-in'
  | 'mark-out'
  | 'cut'
  | `tool:${Tool}`
  | 'delete'
  | 'duplicate'
  | 'copy'
  | 'paste'
  | 'undo'
  | 'redo'
  | 'help'
  | 'escape'

/** A key with its modifiers; `mod` is Ctrl (Cmd on macOS). */
interface KeyCombo {
  /** `KeyboardEvent.key`, letters in lower case. */
  readonly key: string
  readonly mod?: boolean
  /** Shift must be down (true), up (false, the default), or either ('any'). */
  readonly shift?: boolean | 'any'
}

export interface ShortcutDef {
  readonly command: EditorCommand
  readonly group: 'Playback' | 'Trim and cut' | 'Tools' | 'Callouts' | 'General'
  readonly description: string
  readonly keys: readonly KeyCombo[]
}

/** Every shortcut, in the order the help overlay lists them. */
export const SHORTCUTS: readonly ShortcutDef[] = [
  { command: 'play-toggle', group: 'Playback', description: 'Play or pause', keys: [{ key: ' ' }] },
  {
    command: 'frame-back',
    group: 'Playback',
    description: 'Back one frame (with callouts selected: nudge them)',
    keys: [{ key: 'arrowleft' }]
  },
  {
    command: 'frame-forward',
    group: 'Playback',
    description: 'Forward one frame (with callouts selected: nudge them)',
    keys: [{ key: 'arrowright' }]
  },
  {
    command: 'second-back',
    group: 'Playback',
    description: 'Back one second (with callouts selected: nudge them 10 px)',
    keys: [{ key: 'arrowleft', shift: true }]
  },
  {
    command: 'second-forward',
    group: 'Playback',
    description: 'Forward one second (with callouts selected: nudge them 10 px)',
    keys: [{ key: 'arrowright', shift: true }]
  },
  {
    command: 'go-start',
    group: 'Playback',
    description: 'Go to the start',
    keys: [{ key: 'home' }]
  },
  { command: 'go-end', group: 'Playback', description: 'Go to the end', keys: [{ key: 'end' }] },
  {
    command: 'trim-in',
    group: 'Trim and cut',
    description: 'Trim the start to the playhead',
    keys: [{ key: 'i' }]
  },
  {
    command: 'trim-out',
    group: 'Trim and cut',
    description: 'Trim the end to the playhead',
    keys: [{ key: 'o' }]
  },
  {
    command: 'mark-in',
    group: 'Trim and cut',
    description: 'Start a selection at the playhead',
    keys: [{ key: '[' }]
  },
  {
    command: 'mark-out',
    group: 'Trim and cut',
    description: 'End the selection at the playhead',
    keys: [{ key: ']' }]
  },
  {
    command: 'cut',
    group: 'Trim and cut',
    description: 'Cut the selection out (Shift+drag on the timeline also selects)',
    keys: [{ key: 'x' }]
  },
  ...TOOLS.map(({ tool, name, key }): ShortcutDef => ({
    command: `tool:${tool}`,
    group: 'Tools',
    description: name,
    keys: [{ key }]
  })),
  {
    command: 'delete',
    group: 'Callouts',
    description: 'Delete the selected callouts',
    keys: [{ key: 'delete' }, { key: 'backspace' }]
  },
  {
    command: 'duplicate',
    group: 'Callouts',
    description: 'Duplicate the selected callouts',
    keys: [{ key: 'd', mod: true }]
  },
  {
    command: 'copy',
    group: 'Callouts',
    description: 'Copy the selected callouts',
    keys: [{ key: 'c', mod: true }]
  },
  {
    command: 'paste',
    group: 'Callouts',
    description: 'Paste at the playhead',
    keys: [{ key: 'v', mod: true }]
  },
  { command: 'undo', group: 'General', description: 'Undo', keys: [{ key: 'z', mod: true }] },
  {
    command: 'redo',
    group: 'General',
    description: 'Redo',
    keys: [
      { key: 'z', mod: true, shift: true },
      { key: 'y', mod: true }
    ]
  },
  {
    command: 'help',
    group: 'General',
    description: 'Show the keyboard shortcuts',
    keys: [{ key: '?', shift: 'any' }]
  },
  {
    command: 'escape',
    group: 'General',
    description: 'Deselect, clear the time selection, close this list',
    keys: [{ key: 'escape' }]
  }
]

/** The parts of a KeyboardEvent the shortcuts look at. */
export interface KeyInput {
  readonly key: string
  readonly ctrlKey: boolean
  readonly metaKey: boolean
  readonly shiftKey: boolean
  readonly altKey: boolean
}

/** The command a key press means, or null. Alt never combines with a shortcut. */
export function commandForKey(event: KeyInput): EditorCommand | null {
  if (event.altKey) return null
  const key = event.key.toLowerCase()
  const mod = event.ctrlKey || event.metaKey
  for (const def of SHORTCUTS) {
    for (const combo of def.keys) {
      if (combo.key !== key) continue
      if ((combo.mod ?? false) !== mod) continue
      const shift = combo.shift ?? false
      if (shift !== 'any' && shift !== event.shiftKey) continue
      return def.command
    }
  }
  return null
}

const KEY_LABELS: Readonly<Record<string, string>> = {
  ' ': 'Space',
  arrowleft: '←',
  arrowright: '→',
  home: 'Home',
  end: 'End',
  delete: 'Delete',
  backspace: 'Backspace',
  escape: 'Escape'
}

/** How a key combination is written for people, e.g. ["Ctrl", "Shift", "Z"] (Cmd on macOS). */
export function comboLabel(combo: KeyCombo, mac: boolean): string[] {
  const parts: string[] = []
  if (combo.mod) parts.push(mac ? 'Cmd' : 'Ctrl')
  if (combo.shift === true) parts.push('Shift')
  parts.push(KEY_LABELS[combo.key] ?? combo.key.toUpperCase())
  return parts
}

/** The `aria-keyshortcuts` value of a command, e.g. "Control+Z" or "Meta+Z". */
export function ariaKeys(command: EditorCommand, mac: boolean): string | undefined {
  const def = SHORTCUTS.find((d) => d.command === command)
  if (!def) return undefined
  const ARIA: Readonly<Record<string, string>> = {
    ' ': 'Space',
    arrowleft: 'ArrowLeft',
    arrowright: 'ArrowRight',
    home: 'Home',
    end: 'End',
    delete: 'Delete',
    backspace: 'Backspace',
    escape: 'Escape'
  }
  return def.keys
    .map((combo) =>
      [
        ...(combo.mod ? [mac ? 'Meta' : 'Control'] : []),
        ...(combo.shift === true ? ['Shift'] : []),
        ARIA[combo.key] ?? combo.key.toUpperCase()
      ].join('+')
    )
    .join(' ')
}

/** The first key label of a command for a small hint, e.g. "A" or "Ctrl+Z". */
export function keyHint(command: EditorCommand, mac: boolean): string {
  const combo = SHORTCUTS.find((d) => d.command === command)?.keys[0]
  return combo ? comboLabel(combo, mac).join('+') : ''
}
