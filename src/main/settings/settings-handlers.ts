/** The IPC handlers of the Settings view: what the app is and runs with, and the settings. */
import type { AppInfo } from '../../shared/ipc'
import type { Settings } from '../../shared/settings'
import type { FeatureHandlers } from '../ipc/feature-handlers'
import { badRequest } from '../ipc/ipc-args'
import type { LibraryService } from '../share/library'
import { checkRecordingsDir } from './recordings-dir'
import type { SettingsStore } from './settings-store'

export interface SettingsHandlersOptions {
  /** app:info, but for the ffmpeg found now. */
  readonly info: Omit<AppInfo, 'ffmpeg'>
  readonly ffmpegStatus: () => AppInfo['ffmpeg']
  readonly settings: SettingsStore
  /** Checks the library's address and hears that it changed. */
  readonly library: Pick<LibraryService, 'checkUrlSetting' | 'notifyChanged'>
  /** Hears that "Check for updates automatically" changed (the update service plans its checks). */
  readonly updates?: { settingsChanged(): void }
}

export function settingsHandlers(
  options: SettingsHandlersOptions
): FeatureHandlers<'app' | 'settings'> {
  const { settings, library } = options
  return {
    'app:info': async () => ({ ...options.info, ffmpeg: options.ffmpegStatus() }),
    'settings:get': async () => settings.get(),
    // The settings store validates the patch itself and names the bad field; the library's
    // address and the recordings folder get the extra checks they need first.
    'settings:set': async (patch) => {
      let next = patch as Partial<Settings>
      if (typeof patch === 'object' && patch !== null && !Array.isArray(patch)) {
        const body = patch as Record<string, unknown>
        if ('libraryUrl' in body) {
          next = { ...next, libraryUrl: library.checkUrlSetting(body.libraryUrl) }
        }
        const dir = body.recordingsDir
        if (typeof dir === 'string' && dir !== '' && dir !== settings.get().recordingsDir) {
          if (dir.length > 4096) throw badRequest('The recordings folder path is too long.')
          await checkRecordingsDir(dir)
        }
      }
      const before = settings.get()
      const after = settings.set(next)
      if (after.libraryUrl !== before.libraryUrl) library.notifyChanged()
      if (after.checkForUpdates !== before.checkForUpdates) options.updates?.settingsChanged()
      return after
    }
  }
}
