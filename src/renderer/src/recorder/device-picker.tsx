/**
 * The labelled device list the microphone and camera pickers share: the choices around the
 * devices, a "Last used … (not connected)" entry for a saved device that is not plugged in, a live
 * preview beside the list, and one line under it (a hint, or why the device cannot be opened).
 */
import { useId } from 'react'
import type { ReactNode } from 'react'

export interface DevicePickerProps {
  /** The picker's class; its row is `<kind>-row`. */
  readonly kind: 'mic' | 'camera'
  /** The list's visible label, and the noun in "Last used <noun> (not connected)". */
  readonly label: string
  /** `none`, `default` or a device id. */
  readonly value: string
  readonly devices: readonly { readonly deviceId: string; readonly label: string }[]
  /** Options listed before the devices. */
  readonly leading: ReactNode
  /** Options listed after the devices (and after the not-connected entry). */
  readonly trailing?: ReactNode
  /** Shown beside the list (a level meter, a camera preview). */
  readonly preview: ReactNode
  /** Why the device cannot be opened, shown under the list. */
  readonly problem: string | null
  /** The line under the list when `value` is `none`. */
  readonly noneHint: string
  /** The line under the list when a device is chosen and there is no problem. */
  readonly readyHint?: string
  readonly onChange: (value: string) => void
  readonly disabled?: boolean
}

export function DevicePicker(props: DevicePickerProps): ReactNode {
  const { kind, label, value, devices, leading, trailing, preview, problem, onChange, disabled } =
    props
  const selectId = useId()
  const problemId = useId()
  const known = value === 'default' || value === 'none' || devices.some((d) => d.deviceId === value)

  return (
    <div className={`${kind}-picker`}>
      <label htmlFor={selectId} className="field-label">
        {label}
      </label>
      <div className={`${kind}-row`}>
        <select
          id={selectId}
          value={value}
          disabled={disabled}
          aria-describedby={problem ? problemId : undefined}
          onChange={(event) => onChange(event.target.value)}
        >
          {leading}
          {devices.map((d) => (
            <option key={d.deviceId} value={d.deviceId}>
              {d.label}
            </option>
          ))}
          {!known && (
            <option value={value}>{`Last used ${label.toLowerCase()} (not connected)`}</option>
          )}
          {trailing}
        </select>
        {preview}
      </div>
      {value === 'none' ? (
        <p className="hint">{props.noneHint}</p>
      ) : problem ? (
        <p className="hint warning-text" id={problemId}>
          {problem}
        </p>
      ) : props.readyHint !== undefined ? (
        <p className="hint">{props.readyHint}</p>
      ) : null}
    </div>
  )
}
