/**
 * The editor's keyboard shortcuts on the window. They never fire while the user types (inputs,
 * text areas, selects, contenteditable), while a dialog is open, or when a focused control has
 * already handled the key (the trim handles, the callout bars).
 */
import { useEffect } from 'react'
import { useLatest } from '../lib/use-latest'
import { isTyping } from '../ui/key-guard'
import { commandForKey, type EditorCommand } from './shortcuts'

/** Runs `run(command)` for each shortcut pressed; `run` returns false when it did nothing. */
export function useEditorKeys(run: (command: EditorCommand) => boolean, enabled = true): void {
  const runRef = useLatest(run)

  useEffect(() => {
    if (!enabled) return
    const blocked = (event: KeyboardEvent): boolean =>
      event.defaultPrevented ||
      event.isComposing ||
      isTyping(event.target) ||
      document.querySelector('dialog[open]') !== null

    const onKeyDown = (event: KeyboardEvent): void => {
      if (blocked(event)) return
      const command = commandForKey(event)
      if (!command) return
      // Holding an arrow steps on; holding anything else does it once.
      const repeats = command.startsWith('frame-') || command.startsWith('second-')
      if (event.repeat && !repeats) {
        event.preventDefault()
        return
      }
      if (runRef.current(command) || command === 'play-toggle') event.preventDefault()
    }
    // Space on a focused button would click it on key-up as well as toggling playback.
    const onKeyUp = (event: KeyboardEvent): void => {
      if (event.key === ' ' && !blocked(event) && !event.altKey) event.preventDefault()
    }
    window.addEventListener('keydown', onKeyDown)
    window.addEventListener('keyup', onKeyUp)
    return () => {
      window.removeEventListener('keydown', onKeyDown)
      window.removeEventListener('keyup', onKeyUp)
    }
  }, [enabled, runRef])
}
