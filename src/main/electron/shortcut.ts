/**
 * The global record shortcut (globalShortcut), one at a time.
 */
import { globalShortcut } from 'electron'
import { acceleratorProblem, shortcutTakenMessage } from './accelerator'
import type { ShortcutRegistrar } from './shortcut-setting'

export interface GlobalShortcut extends ShortcutRegistrar {
  /** Releases the shortcut (on quit). */
  dispose(): void
}

export function createGlobalShortcut(options: {
  /** Called on every press. */
  onPress(): void
  /** `process.platform`, for how the shortcut is written in messages. */
  readonly platform: string
}): GlobalShortcut {
  let current: string | null = null

  function tryRegister(accelerator: string): boolean {
    try {
      return globalShortcut.register(accelerator, options.onPress)
    } catch {
      // Electron throws for accelerators it cannot parse.
      return false
    }
  }

  return {
    register(accelerator) {
      const problem = acceleratorProblem(accelerator)
      if (problem) return problem
      if (accelerator === current) return null
      const previous = current
      if (previous) globalShortcut.unregister(previous)
      if (!tryRegister(accelerator)) {
        // Keep the old shortcut working rather than leaving none.
        if (previous && !tryRegister(previous)) current = null
        return shortcutTakenMessage(accelerator, options.platform)
      }
      current = accelerator
      return null
    },
    current: () => current,
    dispose() {
      if (current) globalShortcut.unregister(current)
      current = null
    }
  }
}
