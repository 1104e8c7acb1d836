/**
 * The settings, as the rest of main sees them: always complete (defaults filled in), and changed
 * only through validated patches. The file itself belongs to electron-store (the app) or conf
 * (the harness); both offer the small API below.
 */
import { SidecastError } from '../../shared/errors'
import { DEFAULT_SETTINGS, validateSettingsPatch, type Settings } from '../../shared/settings'

/** What electron-store@11 and conf@15 have in common. */
export interface SettingsBacking {
  /** Everything stored, as one object. */
  readonly store: Partial<Settings> | Record<string, unknown>
  /** Writes several keys at once. */
  set(object: Partial<Settings>): void
}

export interface SettingsStore {
  get(): Settings
  /** Validates and stores `patch`; returns the settings after the change. */
  set(patch: Partial<Settings>): Settings
}

export function createSettingsStore(backing: SettingsBacking): SettingsStore {
  function get(): Settings {
    const stored = backing.store as Record<string, unknown>
    const settings: Record<string, unknown> = { ...DEFAULT_SETTINGS }
    for (const key of Object.keys(DEFAULT_SETTINGS)) {
      const value = stored[key]
      // A hand-edited or older file may hold a bad value: fall back to the default for that key only.
      if (value !== undefined && validateSettingsPatch({ [key]: value }) === null)
        settings[key] = value
    }
    return settings as unknown as Settings
  }

  function set(patch: Partial<Settings>): Settings {
    const problem = validateSettingsPatch(patch)
    if (problem) throw new SidecastError('bad-settings', problem)
    if (Object.keys(patch).length > 0) backing.set(patch)
    return get()
  }

  return { get, set }
}
