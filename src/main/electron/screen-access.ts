/**
 * macOS asks the user once whether Sidecast may record the screen, and applies a grant only after
 * a restart. When it has been refused, desktopCapturer still answers, with the wallpaper in place
 * of every window and empty thumbnails, and a recording would be blank. So before listing sources
 * and before answering getDisplayMedia, main checks the status and says how to grant it.
 */
import { systemPreferences } from 'electron'
import { SidecastError } from '../../shared/errors'
import { MAC_SCREEN_RECORDING_FIX, MAC_SCREEN_RECORDING_SETTING } from '../../shared/permissions'

/** What `systemPreferences.getMediaAccessStatus('screen')` answers. */
export type ScreenAccessStatus = ReturnType<typeof systemPreferences.getMediaAccessStatus>

/**
 * The problem with recording the screen, or null when recording may go ahead. Pure.
 * 'not-determined' goes ahead: the first capture is what makes macOS ask.
 */
export function screenAccessProblem(
  platform: string,
  status: ScreenAccessStatus
): SidecastError | null {
  if (platform !== 'darwin') return null
  switch (status) {
    case 'denied':
      return new SidecastError(
        'screen-permission-denied',
        `macOS does not allow Sidecast to record the screen, so a recording would be blank. ${MAC_SCREEN_RECORDING_FIX}`
      )
    case 'restricted':
      return new SidecastError(
        'screen-permission-restricted',
        `Screen recording is restricted on this Mac (by its administrator or a profile), so Sidecast cannot record the screen. Ask your administrator to allow Sidecast in ${MAC_SCREEN_RECORDING_SETTING}.`
      )
    default:
      return null
  }
}

/** The screen-recording status on macOS; 'granted' elsewhere (no such permission). */
export function screenAccessStatus(platform: string): ScreenAccessStatus {
  return platform === 'darwin' ? systemPreferences.getMediaAccessStatus('screen') : 'granted'
}

/** Throws the problem with recording the screen on `platform`, if there is one. */
export function assertScreenAccess(platform: string): void {
  const problem = screenAccessProblem(platform, screenAccessStatus(platform))
  if (problem) throw problem
}
