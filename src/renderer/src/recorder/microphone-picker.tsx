/** Which microphone narrates, with its live level; "No microphone" records the screen only. */
import type { ReactNode } from 'react'
import { DevicePicker } from './device-picker'
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
  return (
    <DevicePicker
      kind="mic"
      label="Microphone"
      value={value}
      devices={devices}
      leading={
        <option value="default">
          {defaultLabel ? `System default (${defaultLabel})` : 'System default'}
        </option>
      }
      trailing={<option value="none">No microphone</option>}
      preview={value !== 'none' && <LevelMeter level={level} />}
      problem={problem}
      noneHint="The screen is recorded without narration."
      onChange={onChange}
      disabled={disabled}
    />
  )
}
