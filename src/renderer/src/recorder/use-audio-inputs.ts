/** The system's microphones, kept current as devices come and go. */
import { audioInputs, type AudioInput } from './audio-inputs'
import { useMediaInputs } from './use-media-inputs'

export type { AudioInput } from './audio-inputs'

export interface AudioInputs {
  /** Real devices, without Chromium's `default`/`communications` aliases. */
  readonly devices: readonly AudioInput[]
  /** The system default's device label, when the browser tells it (after permission). */
  readonly defaultLabel: string | null
  /** Enumerates again (labels appear only once microphone permission is granted). */
  refresh(): void
}

const NONE_YET: { devices: readonly AudioInput[]; defaultLabel: string | null } = {
  devices: [],
  defaultLabel: null
}

export function useAudioInputs(): AudioInputs {
  return useMediaInputs(audioInputs, NONE_YET)
}
