/**
 * Which camera shows in the bubble beside the screen, with a live preview; "No camera" (the
 * default) records the screen alone. The preview is mirrored, as people expect to see themselves;
 * the recording is not.
 */
import { useEffect, useRef } from 'react'
import type { ReactNode } from 'react'
import { DevicePicker } from './device-picker'
import type { CameraInput } from './use-camera-inputs'

export interface CameraPickerProps {
  /** `none`, `default` or a device id. */
  readonly value: string
  readonly devices: readonly CameraInput[]
  /** A camera exists whose name is hidden until camera access is allowed. */
  readonly unnamed: boolean
  /** The live camera to preview, or null. */
  readonly preview: MediaStream | null
  /** Why the camera cannot be opened, shown under the list. */
  readonly problem: string | null
  readonly onChange: (cameraId: string) => void
  readonly disabled?: boolean
}

export function CameraPicker(props: CameraPickerProps): ReactNode {
  const { value, devices, unnamed, preview, problem, onChange, disabled } = props
  return (
    <DevicePicker
      kind="camera"
      label="Camera"
      value={value}
      devices={devices}
      leading={
        <>
          <option value="none">No camera</option>
          {(value === 'default' || (unnamed && devices.length === 0)) && (
            <option value="default">Default camera</option>
          )}
        </>
      }
      preview={preview && <CameraPreviewVideo stream={preview} />}
      problem={problem}
      noneHint="No camera bubble: the screen is recorded alone."
      readyHint="Your camera is recorded in a bubble you can move in the editor."
      onChange={onChange}
      disabled={disabled}
    />
  )
}

function CameraPreviewVideo({ stream }: { stream: MediaStream }): ReactNode {
  const video = useRef<HTMLVideoElement>(null)
  useEffect(() => {
    const element = video.current
    if (!element) return
    element.srcObject = stream
    void element.play().catch(() => undefined)
    return () => {
      element.srcObject = null
    }
  }, [stream])
  return (
    <video
      ref={video}
      className="camera-preview"
      aria-label="Camera preview"
      muted
      autoPlay
      playsInline
    />
  )
}
