/**
 * Keeps the global shortcut and its setting in step: a new shortcut is registered before it is
 * saved, so a combination that is invalid or taken by another app is refused in Settings with a
 * message, and the old shortcut keeps working.
 */
import { type InvokeHandlers } from '../../shared/ipc'
import { SidecastError } from '../../shared/errors'

/** The shortcut registrar (shortcut.ts, or a fake in tests). */
export interface ShortcutRegistrar {
  /** Registers `accelerator` in place of the current one; returns what went wrong, or null. */
  register(accelerator: string): string | null
  /** The accelerator currently registered, if any. */
  current(): string | null
}

export function withShortcutSetting(
  handlers: InvokeHandlers,
  shortcut: ShortcutRegistrar,
  onChange?: (accelerator: string) => void
): InvokeHandlers {
  const setSettings = handlers['settings:set']
  return {
    ...handlers,
    'settings:set': async (patch) => {
      const wanted = (patch as { recordShortcut?: unknown } | null)?.recordShortcut
      const previous = shortcut.current()
      if (typeof wanted !== 'string' || wanted === previous) return setSettings(patch)
      const problem = shortcut.register(wanted)
      if (problem) throw new SidecastError('shortcut-unavailable', problem)
      try {
        const settings = await setSettings(patch)
        onChange?.(wanted)
        return settings
      } catch (error) {
        // The rest of the patch was refused: nothing was saved, so the old shortcut comes back.
        if (previous) shortcut.register(previous)
        throw error
      }
    }
  }
}
