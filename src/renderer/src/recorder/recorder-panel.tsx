/** The top of the home view: the big Start button, what to record, and the microphone. */
import type { ReactNode } from 'react'
import type { CaptureSource } from '../../../shared/ipc'
import { CameraPicker } from './camera-picker'
import { MicrophonePicker } from './microphone-picker'
import { SourcePicker } from './source-picker'
import type { AudioInputs } from './use-audio-inputs'
import type { CameraInputs } from './use-camera-inputs'
import type { CameraPreview } from './use-camera-preview'
import type { MicPreview } from './use-mic-preview'
import type { Recorder } from './use-recorder'
import { sourcePhrase } from './source-phrase'
import './recorder.css'

export interface RecorderPanelProps {
  readonly recorder: Recorder
  readonly sources: readonly CaptureSource[] | null
  readonly sourcesLoading: boolean
  readonly selectedSourceId: string | null
  readonly onSelectSource: (source: CaptureSource) => void
  readonly onRefreshSources: () => void
  readonly microphoneId: string
  readonly onMicrophoneChange: (microphoneId: string) => void
  readonly audioInputs: AudioInputs
  readonly micPreview: MicPreview
  /** `none`, `default` or a camera's device id. */
  readonly cameraId: string
  readonly onCameraChange: (cameraId: string) => void
  readonly cameraInputs: CameraInputs
  readonly cameraPreview: CameraPreview
  /** e.g. "Ctrl+Shift+R". */
  readonly shortcutLabel: string
}

export function RecorderPanel(props: RecorderPanelProps): ReactNode {
  const { recorder, sources, selectedSourceId, shortcutLabel } = props
  const idle = recorder.phase === 'idle'
  const selected = sources?.find((s) => s.id === selectedSourceId) ?? null

  return (
    <section className="recorder-panel" aria-label="New recording">
      <div className="start-row">
        <div className="start-text">
          <h2>New recording</h2>
          <p className="muted">
            {sourcePhrase(selected)}
            {props.microphoneId === 'none' ? ' without narration.' : ' with your microphone.'}
          </p>
        </div>
        <button
          type="button"
          className="start-button"
          onClick={recorder.start}
          disabled={!idle || !selected}
          aria-keyshortcuts="Control+Shift+R Meta+Shift+R"
          aria-describedby="start-shortcut-hint"
        >
          <span className="rec-dot" aria-hidden="true" />
          Start recording
        </button>
      </div>
      <p className="hint start-hint" id="start-shortcut-hint">
        {recorder.phase === 'preparing'
          ? 'Waiting for the screen and microphone…'
          : `Shortcut: ${shortcutLabel}. Space pauses while recording.`}
      </p>
      <SourcePicker
        sources={sources}
        selectedId={selectedSourceId}
        onSelect={props.onSelectSource}
        onRefresh={props.onRefreshSources}
        loading={props.sourcesLoading}
        disabled={!idle}
      />
      <MicrophonePicker
        value={props.microphoneId}
        devices={props.audioInputs.devices}
        defaultLabel={props.audioInputs.defaultLabel}
        level={props.micPreview.level}
        problem={props.micPreview.problem}
        onChange={props.onMicrophoneChange}
        disabled={!idle}
      />
      <CameraPicker
        value={props.cameraId}
        devices={props.cameraInputs.devices}
        unnamed={props.cameraInputs.unnamed}
        preview={props.cameraPreview.stream}
        problem={props.cameraPreview.problem}
        onChange={props.onCameraChange}
        disabled={!idle}
      />
    </section>
  )
}
