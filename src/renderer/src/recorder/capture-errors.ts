/**
 * Turns the browser's capture failures (DOMException names) into messages that tell the user what
 * happened and what to do next.
 */
import { SidecastError } from '../../../shared/errors'
import { MAC_MICROPHONE_SETTING, MAC_SCREEN_RECORDING_FIX } from '../../../shared/permissions'
import { errorMessage } from '../lib/error-message'

function errorName(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name
  return typeof name === 'string' ? name : ''
}

const isMac = (platform: string): boolean => platform === 'darwin'

/** getDisplayMedia failed. */
export function displayCaptureError(error: unknown, platform: string): SidecastError {
  if (error instanceof SidecastError) return error
  if (errorName(error) === 'NotAllowedError') {
    const fix = isMac(platform)
      ? MAC_SCREEN_RECORDING_FIX
      : 'Allow screen sharing when you are asked, then try again.'
    return new SidecastError(
      'screen-permission-denied',
      `Screen recording permission was denied, so nothing was recorded. ${fix}`
    )
  }
  return new SidecastError(
    'screen-capture-failed',
    `Sidecast could not capture the screen (${errorMessage(error)}). Pick another screen or window, or press Refresh, and try again.`
  )
}

const WITHOUT_NARRATION = 'or choose “No microphone” to record without narration.'

/** getUserMedia for the microphone failed. */
export function microphoneError(error: unknown, platform: string): SidecastError {
  if (error instanceof SidecastError) return error
  switch (errorName(error)) {
    case 'NotAllowedError':
    case 'SecurityError':
      return new SidecastError(
        'microphone-permission-denied',
        isMac(platform)
          ? `Microphone permission was denied. Allow Sidecast in ${MAC_MICROPHONE_SETTING}, ${WITHOUT_NARRATION}`
          : `Microphone permission was denied. Allow microphone access, ${WITHOUT_NARRATION}`
      )
    case 'NotFoundError':
    case 'OverconstrainedError':
      return new SidecastError(
        'microphone-not-found',
        `No microphone was found. Plug one in and pick it in the list, ${WITHOUT_NARRATION}`
      )
    case 'NotReadableError':
      return new SidecastError(
        'microphone-busy',
        `The microphone could not be opened; another app may be using it. Close that app, pick another microphone, ${WITHOUT_NARRATION}`
      )
    default:
      return new SidecastError(
        'microphone-failed',
        `The microphone could not be opened (${errorMessage(error)}). Pick another microphone, ${WITHOUT_NARRATION}`
      )
  }
}

const WITHOUT_CAMERA = 'or choose “No camera” to record without it.'

/** getUserMedia for the camera failed: nothing is recorded (the user chose to be on camera). */
export function cameraError(error: unknown, platform: string): SidecastError {
  if (error instanceof SidecastError) return error
  switch (errorName(error)) {
    case 'NotAllowedError':
    case 'SecurityError':
      return new SidecastError(
        'camera-permission-denied',
        isMac(platform)
          ? `Camera permission was denied, so nothing was recorded. Allow Sidecast in System Settings › Privacy & Security › Camera, ${WITHOUT_CAMERA}`
          : `Camera permission was denied, so nothing was recorded. Allow camera access, ${WITHOUT_CAMERA}`
      )
    case 'NotFoundError':
    case 'OverconstrainedError':
      return new SidecastError(
        'camera-not-found',
        `The camera you chose was not found, so nothing was recorded. Plug it in or pick another camera, ${WITHOUT_CAMERA}`
      )
    case 'NotReadableError':
    case 'AbortError':
      return new SidecastError(
        'camera-busy',
        `The camera could not be opened, so nothing was recorded; another app may be using it. Close that app, pick another camera, ${WITHOUT_CAMERA}`
      )
    default:
      return new SidecastError(
        'camera-failed',
        `The camera could not be opened (${errorMessage(error)}), so nothing was recorded. Pick another camera, ${WITHOUT_CAMERA}`
      )
  }
}
