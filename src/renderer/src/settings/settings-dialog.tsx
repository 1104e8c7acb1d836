/**
 * Settings: countdown, record shortcut, ffmpeg path (with what main found), minimum free disk.
 * Main validates and its messages are shown as they are.
 */
import { useId, useState } from 'react'
import type { FormEvent, ReactNode } from 'react'
import type { AppInfo, FfmpegStatus } from '../../../shared/ipc'
import type { Settings } from '../../../shared/settings'
import { api } from '../api'
import { errorMessage } from '../recorder/capture-errors'
import { ModalDialog } from '../ui/modal-dialog'

export interface SettingsDialogProps {
  readonly settings: Settings
  readonly appInfo: AppInfo | null
  /** Called with the saved settings and the fresh app info (ffmpeg status may have changed). */
  readonly onSaved: (settings: Settings, info: AppInfo | null) => void
  readonly onClose: () => void
}

function describeFfmpeg(status: FfmpegStatus): string {
  if (!status.ok) return status.problem ?? 'ffmpeg was not found.'
  const where =
    status.source === 'setting'
      ? 'the path set here'
      : status.source === 'bundled'
        ? 'the copy bundled with Sidecast'
        : status.source === 'path'
          ? 'the system PATH'
          : 'an unknown place'
  return `Using ${status.path ?? 'ffmpeg'} (from ${where}).`
}

function wholeNumber(text: string): number | null {
  const value = Number(text.trim())
  return text.trim() !== '' && Number.isInteger(value) ? value : null
}

export function SettingsDialog({
  settings,
  appInfo,
  onSaved,
  onClose
}: SettingsDialogProps): ReactNode {
  const [countdown, setCountdown] = useState(String(settings.countdownSeconds))
  const [shortcut, setShortcut] = useState(settings.recordShortcut)
  const [ffmpegPath, setFfmpegPath] = useState(settings.ffmpegPath)
  const [minFree, setMinFree] = useState(String(settings.minFreeDiskMb))
  const [error, setError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const ids = {
    heading: useId(),
    countdown: useId(),
    shortcut: useId(),
    ffmpeg: useId(),
    disk: useId()
  }

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    const countdownSeconds = wholeNumber(countdown)
    const minFreeDiskMb = wholeNumber(minFree)
    if (countdownSeconds === null)
      return setError('Countdown must be a whole number of seconds (0 for none).')
    if (minFreeDiskMb === null)
      return setError('Minimum free disk space must be a whole number of MiB.')
    setSaving(true)
    setError(null)
    try {
      const saved = await api.invoke('settings:set', {
        countdownSeconds,
        recordShortcut: shortcut.trim(),
        ffmpegPath: ffmpegPath.trim(),
        minFreeDiskMb
      })
      const info = await api.invoke('app:info').catch(() => appInfo)
      onSaved(saved, info)
    } catch (failure) {
      setError(errorMessage(failure))
      setSaving(false)
    }
  }

  return (
    <ModalDialog labelledBy={ids.heading} onClose={onClose} className="settings-dialog">
      <form onSubmit={(event) => void submit(event)} noValidate>
        <h2 id={ids.heading}>Settings</h2>

        <div className="field">
          <label htmlFor={ids.countdown}>Countdown before recording (seconds)</label>
          <input
            id={ids.countdown}
            type="number"
            inputMode="numeric"
            min={0}
            max={10}
            step={1}
            value={countdown}
            onChange={(e) => setCountdown(e.target.value)}
            aria-describedby={`${ids.countdown}-hint`}
          />
          <p className="hint" id={`${ids.countdown}-hint`}>
            0 starts recording at once.
          </p>
        </div>

        <div className="field">
          <label htmlFor={ids.shortcut}>Record shortcut</label>
          <input
            id={ids.shortcut}
            type="text"
            spellCheck={false}
            autoComplete="off"
            value={shortcut}
            onChange={(e) => setShortcut(e.target.value)}
            aria-describedby={`${ids.shortcut}-hint`}
          />
          <p className="hint" id={`${ids.shortcut}-hint`}>
            Starts and stops recording from anywhere. Write it like CommandOrControl+Shift+R
            (modifiers: CommandOrControl, Alt, Shift, Super).
          </p>
        </div>

        <div className="field">
          <label htmlFor={ids.ffmpeg}>ffmpeg path</label>
          <input
            id={ids.ffmpeg}
            type="text"
            spellCheck={false}
            autoComplete="off"
            placeholder="Leave empty to use the bundled ffmpeg"
            value={ffmpegPath}
            onChange={(e) => setFfmpegPath(e.target.value)}
            aria-describedby={`${ids.ffmpeg}-status`}
          />
          <p
            className={appInfo && !appInfo.ffmpeg.ok ? 'hint warning-text' : 'hint'}
            id={`${ids.ffmpeg}-status`}
          >
            {appInfo ? describeFfmpeg(appInfo.ffmpeg) : 'Checking ffmpeg…'}
          </p>
        </div>

        <div className="field">
          <label htmlFor={ids.disk}>Minimum free disk space (MiB)</label>
          <input
            id={ids.disk}
            type="number"
            inputMode="numeric"
            min={0}
            step={256}
            value={minFree}
            onChange={(e) => setMinFree(e.target.value)}
            aria-describedby={`${ids.disk}-hint`}
          />
          <p className="hint" id={`${ids.disk}-hint`}>
            Sidecast will not start a recording, and stops one, when less than this is free.
          </p>
        </div>

        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}

        <div className="dialog-actions">
          <button type="button" className="secondary-button" onClick={onClose} disabled={saving}>
            Cancel
          </button>
          <button type="submit" className="primary-button" disabled={saving}>
            {saving ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </ModalDialog>
  )
}
