/**
 * The window: the home view (recorder panel above the recordings list), the editor of one
 * recording, or, while recording, the compact control bar the window shrinks to. The recorder's
 * hooks stay mounted in every view, so the tray and the shortcut work from the editor too.
 */
import { useCallback, useEffect, useLayoutEffect, useState } from 'react'
import type { ReactNode } from 'react'
import type { AppInfo, CaptureSource } from '../../shared/ipc'
import type { ProjectSummary, RecoveryNotice } from '../../shared/project'
import { DEFAULT_SETTINGS } from '../../shared/settings'
import type { Settings } from '../../shared/settings'
import { api } from './api'
import { EditorView } from './editor/editor-view'
import { ExportButton } from './export/export-button'
import { formatAccelerator } from './format'
import { useLatest } from './lib/use-latest'
import { ControlBar } from './recorder/control-bar'
import { CountdownOverlay } from './recorder/countdown-overlay'
import { RecorderPanel } from './recorder/recorder-panel'
import { useAudioInputs } from './recorder/use-audio-inputs'
import { useCameraInputs } from './recorder/use-camera-inputs'
import { useCameraPreview } from './recorder/use-camera-preview'
import { useMicPreview } from './recorder/use-mic-preview'
import { useRecorder } from './recorder/use-recorder'
import { useRecorderKeys } from './recorder/use-recorder-keys'
import { RecordingsList } from './recordings/recordings-list'
import { RequestsView } from './requests/requests-view'
import { RecoveryBanner } from './recordings/recovery-banner'
import { useProjects } from './recordings/use-projects'
import { OpenSettingsContext, settingsField, type SettingsField } from './settings/open-settings'
import { SettingsDialog } from './settings/settings-dialog'
import { UploadButton } from './share/upload-button'
import { useShareNotices } from './share/use-share-notices'
import { NoticesProvider, useNotices } from './ui/notices'
import { bubbleCameraFromHash } from './bubble/bubble-channel'
import { BubbleView } from './bubble/bubble-view'

export function App(): ReactNode {
  // The camera bubble window (Electron, while recording with a camera) loads this page too.
  const bubbleCamera = bubbleCameraFromHash(window.location.hash)
  if (bubbleCamera !== null) return <BubbleView cameraId={bubbleCamera} />
  return (
    <NoticesProvider>
      <Home />
    </NoticesProvider>
  )
}

/** The first screen, else the first source. */
function pickSource(sources: readonly CaptureSource[], preferredId: string): CaptureSource | null {
  return (
    sources.find((s) => s.id === preferredId) ??
    sources.find((s) => s.kind === 'screen') ??
    sources[0] ??
    null
  )
}

function Home(): ReactNode {
  const notices = useNotices()
  const [settings, setSettings] = useState<Settings>(DEFAULT_SETTINGS)
  const [appInfo, setAppInfo] = useState<AppInfo | null>(null)
  const [sources, setSources] = useState<readonly CaptureSource[] | null>(null)
  const [sourcesLoading, setSourcesLoading] = useState(false)
  const [selectedSourceId, setSelectedSourceId] = useState<string | null>(null)
  const [recovery, setRecovery] = useState<readonly RecoveryNotice[]>([])
  const [settingsOpen, setSettingsOpen] = useState(false)
  const [settingsAt, setSettingsAt] = useState<SettingsField | undefined>(undefined)
  const openSettings = useCallback((field?: SettingsField) => {
    setSettingsAt(settingsField(field))
    setSettingsOpen(true)
  }, [])
  // Upload endings and background exports are announced in every view.
  useShareNotices(notices, openSettings)
  /** The recording open in the editor, or null on the home view. */
  const [editing, setEditing] = useState<ProjectSummary | null>(null)
  /** The home view shows the recordings, or the library's requests. */
  const [homeView, setHomeView] = useState<'recordings' | 'requests'>('recordings')
  const { projects, refresh: refreshProjects } = useProjects(notices)
  const audioInputs = useAudioInputs()
  const cameraInputs = useCameraInputs()
  const settingsRef = useLatest(settings)

  const loadSources = useCallback(
    (preferredId: string) => {
      setSourcesLoading(true)
      api
        .invoke('sources:list')
        .then((list) => {
          setSources(list)
          const choice = pickSource(list, preferredId)
          setSelectedSourceId(choice?.id ?? null)
          // Main answers getDisplayMedia with its remembered source; keep it in step.
          if (choice && choice.id !== settingsRef.current.sourceId) {
            api.invoke('sources:select', choice.id).catch((error: unknown) => notices.error(error))
          }
        })
        .catch((error: unknown) => {
          setSources((current) => current ?? [])
          notices.error(error)
        })
        .finally(() => setSourcesLoading(false))
    },
    [notices, settingsRef]
  )

  useEffect(() => {
    api
      .invoke('settings:get')
      .then((loaded) => {
        setSettings(loaded)
        settingsRef.current = loaded
        loadSources(loaded.sourceId)
      })
      .catch((error: unknown) => {
        notices.error(error)
        loadSources('')
      })
    api
      .invoke('app:info')
      .then(setAppInfo)
      .catch((error: unknown) => notices.error(error))
    api
      .invoke('projects:recovery-notices')
      .then(setRecovery)
      .catch((error: unknown) => notices.error(error))
  }, [loadSources, notices, settingsRef])

  // When main reports the recorder idle, a recording may have just been finished or recovered.
  useEffect(
    () =>
      api.on('recorder:state', (state) => {
        if (state.phase === 'idle') refreshProjects()
      }),
    [refreshProjects]
  )

  // The tray's "Open requests in the app…" (the editor closes; its edits are saved as it unmounts).
  useEffect(
    () =>
      api.on('requests:show', () => {
        setEditing(null)
        setHomeView('requests')
      }),
    []
  )

  const selectedSource = sources?.find((s) => s.id === selectedSourceId) ?? null
  const platform = appInfo?.platform ?? ''

  const recorder = useRecorder({
    source: selectedSource,
    microphoneId: settings.microphoneId,
    cameraId: settings.cameraId,
    cameraLabel: cameraInputs.devices.find((d) => d.deviceId === settings.cameraId)?.label,
    countdownSeconds: settings.countdownSeconds,
    platform,
    notices,
    onFinished: refreshProjects
  })
  useRecorderKeys(recorder)

  const micPreview = useMicPreview(
    settings.microphoneId,
    recorder.phase === 'idle',
    platform,
    audioInputs.refresh
  )

  const cameraPreview = useCameraPreview(
    settings.cameraId,
    recorder.phase === 'idle',
    platform,
    cameraInputs.refresh
  )

  const selectSource = (source: CaptureSource): void => {
    setSelectedSourceId(source.id)
    api
      .invoke('sources:select', source.id)
      .then(() => setSettings((s) => ({ ...s, sourceId: source.id })))
      .catch((error: unknown) => notices.error(error))
  }

  const changeMicrophone = (microphoneId: string): void => {
    const previous = settings.microphoneId
    setSettings((s) => ({ ...s, microphoneId }))
    api
      .invoke('settings:set', { microphoneId })
      .then(setSettings)
      .catch((error: unknown) => {
        setSettings((s) => ({ ...s, microphoneId: previous }))
        notices.error(error)
      })
  }

  // Applied once saved, not before: main allows the camera (permissions.ts) only when the saved
  // setting names one, so the preview must not open it any earlier.
  const changeCamera = (cameraId: string): void => {
    api
      .invoke('settings:set', { cameraId })
      .then(setSettings)
      .catch((error: unknown) => notices.error(error))
  }

  // Not while finishing: main gives the window back its size at Stop (wantsCompactBar), and the
  // list is what the user wants then: a recording shared while it was made has its link on its
  // card at once, not after the capture is finished on disk.
  const compact =
    recorder.phase === 'starting' || recorder.phase === 'recording' || recorder.phase === 'paused'

  // No toast over the recording bar (nor in the recording); before the bar is first painted.
  useLayoutEffect(() => notices.setHidden(compact), [compact, notices])

  useEffect(() => {
    document.documentElement.classList.toggle('compact', compact)
    document.title = compact ? 'Recording — Sidecast' : 'Sidecast'
    // A recording started from the tray while editing: the editor closes (its edits are saved as
    // it unmounts) and the new recording is what the list shows afterwards.
    if (compact) setEditing(null)
    // An answer being recorded is shared from the recordings list once it is stopped.
    if (compact) setHomeView('recordings')
  }, [compact])

  const shortcutLabel = formatAccelerator(
    settings.recordShortcut || 'CommandOrControl+Shift+R',
    platform
  )

  if (compact) {
    return (
      <main className="compact-view">
        <ControlBar recorder={recorder} />
      </main>
    )
  }

  const countdown = recorder.phase === 'countdown' && recorder.countdown !== null && (
    <CountdownOverlay
      secondsLeft={recorder.countdown}
      onSkip={recorder.skipCountdown}
      onCancel={recorder.stop}
    />
  )

  const settingsDialog = settingsOpen && (
    <SettingsDialog
      settings={settings}
      appInfo={appInfo}
      focusField={settingsAt}
      onClose={() => setSettingsOpen(false)}
      onSaved={(saved, info, note) => {
        setSettings(saved)
        if (info) setAppInfo(info)
        setSettingsOpen(false)
        notices.info(note ? `Settings saved. ${note}` : 'Settings saved.')
      }}
    />
  )

  if (editing) {
    return (
      <OpenSettingsContext value={openSettings}>
        <EditorView
          key={editing.id}
          project={editing}
          onClose={() => {
            setEditing(null)
            refreshProjects()
          }}
          actions={
            <>
              <ExportButton project={editing} />
              <UploadButton project={editing} />
            </>
          }
        />
        {countdown}
        {settingsDialog}
      </OpenSettingsContext>
    )
  }

  return (
    <OpenSettingsContext value={openSettings}>
      <div className="home">
        <header className="app-header">
          <h1>Sidecast</h1>
          <div className="header-actions">
            <button
              type="button"
              className="quiet-button"
              aria-pressed={homeView === 'requests'}
              onClick={() => setHomeView(homeView === 'requests' ? 'recordings' : 'requests')}
            >
              Requests
            </button>
            <button type="button" className="quiet-button" onClick={() => openSettings()}>
              Settings
            </button>
          </div>
        </header>
        {homeView === 'requests' ? (
          <main className="home-main">
            <RequestsView
              onRecordAnswer={recorder.startAnswer}
              canRecord={recorder.phase === 'idle'}
              onOpenSettings={openSettings}
              onClose={() => setHomeView('recordings')}
            />
          </main>
        ) : (
          <main className="home-main">
            <RecoveryBanner notices={recovery} onDismiss={() => setRecovery([])} />
            <RecorderPanel
              recorder={recorder}
              sources={sources}
              sourcesLoading={sourcesLoading}
              selectedSourceId={selectedSourceId}
              onSelectSource={selectSource}
              onRefreshSources={() => loadSources(selectedSourceId ?? settings.sourceId)}
              microphoneId={settings.microphoneId}
              onMicrophoneChange={changeMicrophone}
              audioInputs={audioInputs}
              micPreview={micPreview}
              cameraId={settings.cameraId}
              onCameraChange={changeCamera}
              cameraInputs={cameraInputs}
              cameraPreview={cameraPreview}
              shortcutLabel={shortcutLabel}
            />
            <RecordingsList
              projects={projects}
              notices={notices}
              onChanged={refreshProjects}
              shortcutLabel={shortcutLabel}
              onEdit={setEditing}
              stopping={recorder.phase === 'finishing'}
            />
          </main>
        )}
        {countdown}
        {settingsDialog}
      </div>
    </OpenSettingsContext>
  )
}
