/**
 * When a key is a shortcut: not while the user types into a field, and (for plain-key
 * shortcuts) not with Ctrl, Cmd or Alt held, which belong to the browser and the OS.
 */

/** True when keys typed at `target` are text (or a choice), not shortcuts. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return (
    target.isContentEditable ||
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement
  )
}

/** Ctrl, Cmd or Alt is held (Shift alone does not count: it changes a key, e.g. a bigger step). */
export function hasModifier(event: {
  readonly ctrlKey: boolean
  readonly metaKey: boolean
  readonly altKey: boolean
}): boolean {
  return event.ctrlKey || event.metaKey || event.altKey
}
