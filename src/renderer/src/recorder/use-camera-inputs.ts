/** The system's cameras, kept current as devices come and go. */
import { cameraInputs, type CameraInput } from './camera-inputs'
import { useMediaInputs } from './use-media-inputs'

export type { CameraInput } from './camera-inputs'

export interface CameraInputs {
  /** Cameras the browser names (after camera permission; before it, ids and labels are hidden). */
  readonly devices: readonly CameraInput[]
  /** True when a camera exists whose name the browser hides until camera access is allowed. */
  readonly unnamed: boolean
  /** Enumerates again (names appear once the camera has been opened). */
  refresh(): void
}

const NONE_YET: { devices: readonly CameraInput[]; unnamed: boolean } = {
  devices: [],
  unnamed: false
}

export function useCameraInputs(): CameraInputs {
  return useMediaInputs(cameraInputs, NONE_YET)
}
