/**
 * Settings: recording (countdown, shortcut, recordings folder), export defaults, the team library
 * (address, token, test, copy link after upload), updates (automatic checks, where updating
 * stands, Check now, Restart to update) and advanced (ffmpeg path, minimum free disk).
 * One Save applies everything; main validates and its messages are shown as they are, next to
 * the part they belong to.
 */
import { useEffect, useId, useRef, useState } from 'react'
import type { FormEvent, ReactNode } from 'react'
import type { AppInfo, FfmpegStatus, LibraryConfig } from '../../../shared/ipc'
import type { Settings } from '../../../shared/settings'
import { api } from '../api'
import { EXPORT_QUALITY_CHOICES, EXPORT_SIZE_CHOICES } from '../export/export-choices'
import { errorMessage } from '../lib/error-message'
import { ErrorText, InputField, SelectField } from '../ui/field'
import { DialogActions, ModalDialog } from '../ui/modal-dialog'
import {
  initialLibraryDraft,
  libraryPatch,
  libraryUrlProblem,
  unknownLibraryConfig,
  type LibraryDraft
} from './library-form'
import { LibrarySection } from './library-section'
import {
  defaultRecordingsDir,
  initialSettingsDraft,
  recordingsDirChange,
  settingsPatch,
  type SettingsDraft
} from './settings-form'
import { UpdatesSection } from './updates-section'
import { useUpdates } from './use-updates'
import './settings.css'

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

interface LibraryState {
  readonly config: LibraryConfig
  readonly loaded: boolean
  readonly problem: string | null
}

export function SettingsDialog({
  settings,
  appInfo,
  onSaved,
  onClose
}: SettingsDialogProps): ReactNode {
  const [draft, setDraft] = useState<SettingsDraft>(() => initialSettingsDraft(settings))
  const [library, setLibrary] = useState<LibraryState>(() => ({
    config: unknownLibraryConfig(settings.libraryUrl),
    loaded: false,
    problem: null
  }))
  const [libraryDraft, setLibraryDraft] = useState<LibraryDraft>(() =>
    initialLibraryDraft(unknownLibraryConfig(settings.libraryUrl))
  )
  // Typing that races library:get's answer is kept.
  const libraryTouched = useRef(false)
  const [error, setError] = useState<string | null>(null)
  const [folderError, setFolderError] = useState<string | null>(null)
  const [libraryError, setLibraryError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const updates = useUpdates()
  const headingId = useId()
  const set = (patch: Partial<SettingsDraft>): void => setDraft((d) => ({ ...d, ...patch }))

  useEffect(() => {
    let live = true
    api.invoke('library:get').then(
      (config) => {
        if (!live) return
        setLibrary({ config, loaded: true, problem: null })
        if (!libraryTouched.current) setLibraryDraft(initialLibraryDraft(config))
      },
      (failure: unknown) => {
        if (live) setLibrary((s) => ({ ...s, loaded: true, problem: errorMessage(failure) }))
      }
    )
    return () => {
      live = false
    }
  }, [])

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    setError(null)
    setFolderError(null)
    setLibraryError(null)
    const checked = settingsPatch(draft)
    if (!checked.ok) return setError(checked.message)
    const patch = libraryPatch(library.config, libraryDraft)
    const urlProblem = patch?.url !== undefined ? libraryUrlProblem(patch.url) : null
    if (urlProblem) return setLibraryError(urlProblem)

    setSaving(true)
    try {
      // The folder first and on its own: its error (e.g. not writable) belongs beside it.
      const folder = recordingsDirChange(settings, draft)
      if (folder !== null) {
        try {
          await api.invoke('settings:set', { recordingsDir: folder })
        } catch (failure) {
          setFolderError(errorMessage(failure))
          return
        }
      }
      if (patch) {
        try {
          const config = await api.invoke('library:configure', patch)
          setLibrary({ config, loaded: true, problem: null })
          setLibraryDraft(initialLibraryDraft(config))
          libraryTouched.current = false
        } catch (failure) {
          setLibraryError(`The library settings were not saved. ${errorMessage(failure)}`)
          return
        }
      }
      const saved = await api.invoke('settings:set', checked.patch)
      const info = await api.invoke('app:info').catch(() => appInfo)
      onSaved(saved, info)
    } catch (failure) {
      setError(errorMessage(failure))
    } finally {
      setSaving(false)
    }
  }

  return (
    <ModalDialog labelledBy={headingId} onClose={onClose} className="settings-dialog">
      <form onSubmit={(event) => void submit(event)} noValidate>
        <h2 id={headingId}>Settings</h2>

        <fieldset className="settings-section" disabled={saving}>
          <legend>Recording</legend>
          <InputField
            label="Countdown before recording (seconds)"
            hint="0 starts recording at once."
            type="number"
            inputMode="numeric"
            min={0}
            max={10}
            step={1}
            value={draft.countdown}
            onValue={(countdown) => set({ countdown })}
          />

          <InputField
            label="Record shortcut"
            hint="Starts and stops recording from anywhere. Write it like CommandOrControl+Shift+R (modifiers: CommandOrControl, Alt, Shift, Super)."
            type="text"
            spellCheck={false}
            autoComplete="off"
            value={draft.shortcut}
            onValue={(shortcut) => set({ shortcut })}
          />

          <InputField
            label="Recordings folder"
            hint={
              <>
                New recordings go here after Sidecast restarts. Leave empty for the default folder.
                {appInfo && appInfo.projectsDir !== defaultRecordingsDir(appInfo) && (
                  <> Now: {appInfo.projectsDir}</>
                )}
              </>
            }
            error={folderError}
            type="text"
            spellCheck={false}
            autoComplete="off"
            placeholder={defaultRecordingsDir(appInfo)}
            value={draft.recordingsDir}
            onValue={(recordingsDir) => {
              set({ recordingsDir })
              setFolderError(null)
            }}
          />
        </fieldset>

        <fieldset className="settings-section" disabled={saving}>
          <legend>Export</legend>
          <div className="field-pair">
            <SelectField
              label="Default size"
              choices={EXPORT_SIZE_CHOICES}
              value={draft.exportSize}
              onChange={(exportSize) => set({ exportSize })}
            />
            <SelectField
              label="Default quality"
              choices={EXPORT_QUALITY_CHOICES}
              value={draft.exportQuality}
              onChange={(exportQuality) => set({ exportQuality })}
            />
          </div>
          <p className="hint">Used by Export and by uploads of edited recordings.</p>
        </fieldset>

        <LibrarySection
          config={library.config}
          loaded={library.loaded}
          loadProblem={library.problem}
          draft={libraryDraft}
          onDraftChange={(d) => {
            setLibraryDraft(d)
            libraryTouched.current = true
            setLibraryError(null)
          }}
          copyLinkAfterUpload={draft.copyLinkAfterUpload}
          onCopyLinkChange={(copyLinkAfterUpload) => set({ copyLinkAfterUpload })}
          saveProblem={libraryError}
          disabled={saving}
        />

        <UpdatesSection
          status={updates.status}
          loadProblem={updates.loadProblem}
          automatic={draft.checkForUpdates}
          onAutomaticChange={(checkForUpdates) => set({ checkForUpdates })}
          onCheck={updates.check}
          onRestart={updates.restart}
          pending={updates.pending}
          actionProblem={updates.actionProblem}
          disabled={saving}
        />

        <fieldset className="settings-section" disabled={saving}>
          <legend>Advanced</legend>
          <InputField
            label="ffmpeg path"
            hint={appInfo ? describeFfmpeg(appInfo.ffmpeg) : 'Checking ffmpeg…'}
            hintTone={appInfo && !appInfo.ffmpeg.ok ? 'warning' : 'normal'}
            type="text"
            spellCheck={false}
            autoComplete="off"
            placeholder="Leave empty to use the bundled ffmpeg"
            value={draft.ffmpegPath}
            onValue={(ffmpegPath) => set({ ffmpegPath })}
          />

          <InputField
            label="Minimum free disk space (MiB)"
            hint="Sidecast will not start a recording, and stops one, when less than this is free."
            type="number"
            inputMode="numeric"
            min={0}
            step={256}
            value={draft.minFree}
            onValue={(minFree) => set({ minFree })}
          />
        </fieldset>

        <ErrorText message={error} />

        <DialogActions
          className="settings-actions"
          actions={[
            { label: 'Cancel', kind: 'secondary', onClick: onClose, disabled: saving },
            { label: saving ? 'Saving…' : 'Save', kind: 'primary', submit: true, disabled: saving }
          ]}
        />
      </form>
    </ModalDialog>
  )
}
