/**
 * Lets controls in the editor's `actions` slot (Export, Upload) save the edits first, so what
 * main reads from edits.json is what the user sees. Its own module so those controls do not
 * pull in the editor.
 */
import { createContext, useContext } from 'react'

export const FlushContext = createContext<(() => Promise<boolean>) | null>(null)

const resolvedTrue = (): Promise<boolean> => Promise.resolve(true)

/**
 * Saves the edits now. Resolves true once saved, false if saving failed (the editor shows why).
 * Outside the editor it resolves true at once.
 */
export function useFlushEdits(): () => Promise<boolean> {
  return useContext(FlushContext) ?? resolvedTrue
}

/** Shown when the editor could not save the latest edits before an export or upload. */
export const UNSAVED_EDITS =
  'Your latest edits are not saved yet (the editor says why), so they would be missing. Try again once it says “Saved”.'
