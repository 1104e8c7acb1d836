/**
 * Settings: the team library first (address, token, test, copy link after upload: what a new
 * user has to set up, so it is in view when Settings opens), then recording (countdown, shortcut
 * as "press the keys", recordings folder), export defaults, updates (automatic checks, where
 * updating stands, Check now, Restart to update) and advanced (ffmpeg path, minimum free disk).
 * One Save applies everything; main validates and its messages are shown as they are, next to
 * the part they belong to. A changed library address or token is checked first, as Test
 * connection does: a failure keeps the dialog open with the problem at its field and offers
 * Save anyway (the check needs the network; a laptop offline must still be able to save).
 */
import { useEffect, useId, useRef, useState } from 'react'
import type { FormEvent, ReactNode } from 'react'
import type { AppInfo, FfmpegStatus, LibraryConfig, LibraryTestResult } from '../../../shared/ipc'
import type { Settings } from '../../../shared/settings'
import { api } from '../api'
import { EXPORT_QUALITY_CHOICES, EXPORT_SIZE_CHOICES } from '../export/export-choices'
import { errorMessage } from '../lib/error-message'
import { ErrorText, InputField, SelectField } from '../ui/field'
import { DialogActions, ModalDialog } from '../ui/modal-dialog'
import {
  checkFailureField,
  completedLibraryDraft,
  initialLibraryDraft,
  libraryPatch,
  libraryTestPatch,
  libraryUrlProblem,
  savesNeedCheck,
  showsTokenInput,
  unknownLibraryConfig,
  type LibraryDraft
} from './library-form'
import { LibrarySection } from './library-section'
import type { SettingsField } from './open-settings'
import {
  defaultRecordingsDir,
  initialSettingsDraft,
  recordingsDirChange,
  settingsPatch,
  type SettingsDraft
} from './settings-form'
import { ShortcutField } from './shortcut-field'
import { UpdatesSection } from './updates-section'
import { useUpdates } from './use-updates'
import './settings.css'

export interface SettingsDialogProps {
  readonly settings: Settings
  readonly appInfo: AppInfo | null
  /**
   * Called with the saved settings and the fresh app info (ffmpeg status may have changed), and
   * a sentence to add to "Settings saved." (e.g. "Connected as alice.") when there is one.
   */
  readonly onSaved: (settings: Settings, info: AppInfo | null, note?: string) => void
  readonly onClose: () => void
  /** The field to open at, scrolled to and focused (e.g. from an upload's "Open settings"). */
  readonly focusField?: SettingsField
}

/** Save's check of the library failed: where it is shown, and what it said. */
interface LibraryCheckFailure {
  readonly field: 'url' | 'token' | 'section'
  readonly message: string
  /** False when main would refuse it too (an address that is not one). */
  readonly canSaveAnyway: boolean
}

/** What the focus is asked to move to (a `data-settings-field`); `n` makes each ask new. */
interface FocusRequest {
  readonly target: SettingsField | 'save-anyway'
  readonly n: number
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

function guessPlatform(): string {
  return /mac/i.test(navigator.platform) ? 'darwin' : 'other'
}

export function SettingsDialog({
  settings,
  appInfo,
  onSaved,
  onClose,
  focusField
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
  const [libraryCheck, setLibraryCheck] = useState<LibraryCheckFailure | null>(null)
  const [phase, setPhase] = useState<'idle' | 'checking' | 'saving'>('idle')
  const saving = phase !== 'idle'
  const [focusRequest, setFocusRequest] = useState<FocusRequest | null>(
    focusField === 'library-url' ? { target: focusField, n: 0 } : null
  )
  const formRef = useRef<HTMLFormElement>(null)
  const updates = useUpdates()
  const headingId = useId()
  const platform = appInfo?.platform ?? guessPlatform()
  const set = (patch: Partial<SettingsDraft>): void => setDraft((d) => ({ ...d, ...patch }))
  const focusOn = (target: FocusRequest['target']): void =>
    setFocusRequest((r) => ({ target, n: (r?.n ?? 0) + 1 }))

  // Focus moves once what it is asked to move to is there (and no longer disabled).
  useEffect(() => {
    if (!focusRequest) return
    const element = formRef.current?.querySelector<HTMLElement>(
      focusRequest.target === 'save-anyway'
        ? '.save-anyway'
        : `[data-settings-field="${focusRequest.target}"]`
    )
    if (!element || element.matches(':disabled')) return
    element.scrollIntoView({ block: 'center' })
    element.focus()
    // Done: a later Save must not pull the focus back here.
    setFocusRequest(null)
  }, [focusRequest, saving])

  useEffect(() => {
    let live = true
    api.invoke('library:get').then(
      (config) => {
        if (!live) return
        setLibrary({ config, loaded: true, problem: null })
        if (!libraryTouched.current) {
          const initial = initialLibraryDraft(config)
          // Opened for a refused token: the field to type the new one is ready.
          const replace = focusField === 'library-token' && config.hasToken && !config.managed.token
          setLibraryDraft(replace ? { ...initial, tokenMode: 'replace' } : initial)
        }
        if (focusField === 'library-token') focusOn('library-token')
      },
      (failure: unknown) => {
        if (!live) return
        setLibrary((s) => ({ ...s, loaded: true, problem: errorMessage(failure) }))
        if (focusField === 'library-token') focusOn('library-token')
      }
    )
    return () => {
      live = false
    }
    // Once, when Settings opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])

  /** Saves everything; `checked` skips the library check (Save anyway). */
  const submit = async (event: FormEvent | null, skipCheck = false): Promise<void> => {
    event?.preventDefault()
    setError(null)
    setFolderError(null)
    setLibraryError(null)
    setLibraryCheck(null)
    const checked = settingsPatch(draft)
    if (!checked.ok) return setError(checked.message)
    // The address as it will be used, shown in the field: the scheme filled in if left out.
    const typed = completedLibraryDraft(library.config, libraryDraft)
    if (typed !== libraryDraft) {
      setLibraryDraft(typed)
      libraryTouched.current = true
    }
    const patch = libraryPatch(library.config, typed)
    const urlProblem = patch?.url !== undefined ? libraryUrlProblem(patch.url) : null
    if (urlProblem) {
      setLibraryCheck({ field: 'url', message: urlProblem, canSaveAnyway: false })
      focusOn('library-url')
      return
    }

    let note: string | undefined
    if (!skipCheck && savesNeedCheck(library.config, patch)) {
      setPhase('checking')
      let result: LibraryTestResult
      try {
        result = await api.invoke('library:test', libraryTestPatch(library.config, typed))
      } catch (failure) {
        result = {
          ok: false,
          message: `The connection could not be checked. ${errorMessage(failure)}`
        }
      }
      if (!result.ok) {
        setPhase('idle')
        const field = checkFailureField(library.config, result)
        // A stored token was refused: open the field for the new one (nothing typed is lost).
        if (field === 'token' && !showsTokenInput(library.config, typed)) {
          setLibraryDraft({ ...typed, tokenMode: 'replace', token: '' })
          libraryTouched.current = true
        }
        setLibraryCheck({ field, message: result.message, canSaveAnyway: true })
        focusOn(
          field === 'token' ? 'library-token' : field === 'url' ? 'library-url' : 'save-anyway'
        )
        return
      }
      if (result.userName) note = `Connected as ${result.userName}.`
    }

    setPhase('saving')
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
      onSaved(saved, info, note)
    } catch (failure) {
      setError(errorMessage(failure))
    } finally {
      setPhase((p) => (p === 'saving' ? 'idle' : p))
    }
  }

  return (
    <ModalDialog labelledBy={headingId} onClose={onClose} className="settings-dialog">
      <form ref={formRef} onSubmit={(event) => void submit(event)} noValidate>
        <h2 id={headingId}>Settings</h2>

        <LibrarySection
          config={library.config}
          loaded={library.loaded}
          loadProblem={library.problem}
          draft={libraryDraft}
          onDraftChange={(d) => {
            setLibraryDraft(d)
            libraryTouched.current = true
            setLibraryError(null)
            setLibraryCheck(null)
          }}
          copyLinkAfterUpload={draft.copyLinkAfterUpload}
          onCopyLinkChange={(copyLinkAfterUpload) => set({ copyLinkAfterUpload })}
          shareWhileRecording={draft.shareWhileRecording}
          onShareWhileRecordingChange={(shareWhileRecording) => set({ shareWhileRecording })}
          notifyActivity={draft.notifyActivity}
          onNotifyActivityChange={(notifyActivity) => set({ notifyActivity })}
          saveProblem={
            libraryError ??
            (libraryCheck?.field === 'section'
              ? `${libraryCheck.message} Save anyway keeps these settings as they are.`
              : null)
          }
          urlError={libraryCheck?.field === 'url' ? libraryCheck.message : null}
          tokenError={libraryCheck?.field === 'token' ? libraryCheck.message : null}
          disabled={saving}
        />

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

          <ShortcutField
            value={draft.shortcut}
            onChange={(shortcut) => set({ shortcut })}
            platform={platform}
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
            libraryCheck?.canSaveAnyway === true && {
              label: 'Save anyway',
              kind: 'secondary',
              onClick: () => void submit(null, true),
              disabled: saving,
              className: 'save-anyway'
            },
            {
              label:
                phase === 'checking'
                  ? 'Checking the library…'
                  : phase === 'saving'
                    ? 'Saving…'
                    : 'Save',
              kind: 'primary',
              submit: true,
              disabled: saving
            }
          ]}
        />
      </form>
    </ModalDialog>
  )
}
