/**
 * Lets any view open the Settings dialog (e.g. "Open settings" when the library is not set up).
 * The app provides it around its views; without a provider it is null and callers say where
 * Settings is instead of offering the button.
 */
import { createContext, useContext } from 'react'

export const OpenSettingsContext = createContext<(() => void) | null>(null)

/** Opens Settings, or null when no view above provides it. */
export function useOpenSettings(): (() => void) | null {
  return useContext(OpenSettingsContext)
}
