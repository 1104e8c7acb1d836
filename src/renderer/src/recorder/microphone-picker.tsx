/** Which microphone narrates, with its live level; "No microphone" records the screen only. */
import { useId } from 'react'
import type { ReactNode } from 'react'
import { LevelMeter } from './level-meter'
import type { AudioInput } from './use-audio-inputs'

export interface MicrophonePickerProps {
  /** `default`, `none` or a device id. */
  readonly value: string
  readonly devices: readonly AudioInput[]
  readonly defaultLabel: string | null
  readonly level: number
  /** Why the microphone cannot be opened, shown under the list. */
  readonly problem: string | null
  readonly onChange: (microphoneId: string) => void
  readonly disabled?: boolean
}

export function MicrophonePicker(props: MicrophonePickerProps): ReactNode {
  const { value, devices, defaultLabel, level, problem, onChange, disabled } = props
  const selectId = useId()
  const problemId = useId()
  const known = value === 'default' || value === 'none' || devices.some((d) => d.deviceId === value)

  return (
    <div className="mic-picker">
      <label htmlFor={selectId} className="field-label">
        Microphone
      </label>
      <div className="mic-row">
        <select
          id={selectId}
          value={value}
          disabled={disabled}
          aria-describedby={problem ? problemId : undefined}
          onChange={(event) => onChange(event.target.value)}
        >
          <option value="default">
            {defaultLabel ? `System default (${defaultLabel})` : 'System default'}
          </option>
          {devices.map((d) => (
            <option key={d.deviceId} value={d.deviceId}>
              {d.label}
            </option>
          ))}
          {!known && <option value={value}>Last used microphone (not connected)</option>}
          <option value="none">No microphone</option>
        </select>
        {value !== 'none' && <LevelMeter level={level} />}
      </div>
      {value === 'none' ? (
        <p className="hint">The screen is recorded without narration.</p>
      ) : problem ? (
        <p className="hint warning-text" id={problemId}>
          {problem}
        </p>
      ) : null}
    </div>
  )
}
