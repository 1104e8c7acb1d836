/**
 * Where a user grants Sidecast the system permissions it needs, in the words both main (before
 * recording) and the renderer (when capture is refused) say them.
 */

/** macOS: the settings pane for screen capture. */
export const MAC_SCREEN_RECORDING_SETTING =
  'System Settings › Privacy & Security › Screen Recording'

/** macOS: the settings pane for the microphone. */
export const MAC_MICROPHONE_SETTING = 'System Settings › Privacy & Security › Microphone'

/** macOS: what to do when screen capture is not allowed (macOS applies a grant only after a restart). */
export const MAC_SCREEN_RECORDING_FIX = `Allow Sidecast in ${MAC_SCREEN_RECORDING_SETTING}, then quit and reopen Sidecast and try again.`
