/**
 * Lets any view open the Settings dialog (e.g. "Open settings" when the library is not set up).
 * The app provides it around its views; without a provider it is null and callers say where
 * Settings is instead of offering the button. A caller that knows which field the problem is
 * about passes it: Settings opens scrolled to that field, with the focus in it.
 */
import { createContext, useContext } from 'react'

/** A field Settings can open at. */
export type SettingsField = 'library-url' | 'library-token'

/** Opens Settings, at `field` when given. */
export type OpenSettings = (field?: SettingsField) => void

export const OpenSettingsContext = createContext<OpenSettings | null>(null)

/** Opens Settings, or null when no view above provides it. */
export function useOpenSettings(): OpenSettings | null {
  return useContext(OpenSettingsContext)
}

/** `value` when it names a field Settings can open at, else undefined (e.g. a click event). */
export function settingsField(value: unknown): SettingsField | undefined {
  return value === 'library-url' || value === 'library-token' ? value : undefined
}
