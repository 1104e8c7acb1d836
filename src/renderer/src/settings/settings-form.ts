/** The general Settings fields as plain data, checked before they go to `settings:set`. Pure. */
import type { AppInfo } from '../../../shared/ipc'
import type { Settings } from '../../../shared/settings'

export interface SettingsDraft {
  readonly countdown: string
  readonly shortcut: string
  readonly ffmpegPath: string
  readonly minFree: string
  readonly recordingsDir: string
  readonly exportSize: Settings['exportSize']
  readonly exportQuality: Settings['exportQuality']
  readonly copyLinkAfterUpload: boolean
  readonly checkForUpdates: boolean
  readonly shareWhileRecording: boolean
  readonly notifyActivity: boolean
}

export function initialSettingsDraft(settings: Settings): SettingsDraft {
  return {
    countdown: String(settings.countdownSeconds),
    shortcut: settings.recordShortcut,
    ffmpegPath: settings.ffmpegPath,
    minFree: String(settings.minFreeDiskMb),
    recordingsDir: settings.recordingsDir,
    exportSize: settings.exportSize,
    exportQuality: settings.exportQuality,
    copyLinkAfterUpload: settings.copyLinkAfterUpload,
    checkForUpdates: settings.checkForUpdates,
    shareWhileRecording: settings.shareWhileRecording,
    notifyActivity: settings.notifyActivity
  }
}

function wholeNumber(text: string): number | null {
  const value = Number(text.trim())
  return text.trim() !== '' && Number.isInteger(value) ? value : null
}

export type DraftCheck =
  | { readonly ok: true; readonly patch: Partial<Settings> }
  | { readonly ok: false; readonly message: string }

/** Everything but the recordings folder (saved on its own so its error shows beside it). */
export function settingsPatch(draft: SettingsDraft): DraftCheck {
  const countdownSeconds = wholeNumber(draft.countdown)
  const minFreeDiskMb = wholeNumber(draft.minFree)
  if (countdownSeconds === null) {
    return { ok: false, message: 'Countdown must be a whole number of seconds (0 for none).' }
  }
  if (minFreeDiskMb === null) {
    return { ok: false, message: 'Minimum free disk space must be a whole number of MiB.' }
  }
  return {
    ok: true,
    patch: {
      countdownSeconds,
      recordShortcut: draft.shortcut.trim(),
      ffmpegPath: draft.ffmpegPath.trim(),
      minFreeDiskMb,
      exportSize: draft.exportSize,
      exportQuality: draft.exportQuality,
      copyLinkAfterUpload: draft.copyLinkAfterUpload,
      checkForUpdates: draft.checkForUpdates,
      shareWhileRecording: draft.shareWhileRecording,
      notifyActivity: draft.notifyActivity
    }
  }
}

/** The new recordings folder to save, or null when it did not change. */
export function recordingsDirChange(settings: Settings, draft: SettingsDraft): string | null {
  const typed = draft.recordingsDir.trim()
  return typed === settings.recordingsDir ? null : typed
}

/** Where recordings go when the setting is empty (`<data dir>/projects`), for the placeholder. */
export function defaultRecordingsDir(info: AppInfo | null): string {
  if (!info) return 'The default folder'
  const sep = info.platform === 'win32' ? '\\' : '/'
  return `${info.dataDir.replace(/[\\/]+$/, '')}${sep}projects`
}
