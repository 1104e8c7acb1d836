/**
 * Delivers tray and shortcut commands to the renderer, which owns the capture streams.
 *
 * A command that starts a recording arrives with no user gesture in the page, and Chromium may
 * refuse getDisplayMedia without transient activation. So before sending such a command we show
 * the window and run an empty script with `userGesture: true` (webContents.executeJavaScript),
 * which gives the page activation for a few seconds; the renderer calls getDisplayMedia right
 * after one IPC round trip (the countdown comes after capture has started), well within that.
 * Our display-media handler does not look at `request.userGesture`, so Electron itself never
 * refuses; the activation only satisfies Chromium's own check.
 */
import type { RecorderCommand, RecorderPhase } from '../../shared/ipc'

/** The part of a BrowserWindow that command delivery needs (a fake in tests). */
export interface CommandTarget {
  isDestroyed(): boolean
  show(): void
  focus(): void
  readonly webContents: {
    executeJavaScript(code: string, userGesture?: boolean): Promise<unknown>
    send(channel: string, ...args: unknown[]): void
  }
}

/** Whether `command` asks the user something in the window (the recording bar's question). */
export function commandAsks(command: RecorderCommand): boolean {
  return command === 'restart' || command === 'discard'
}

/** Whether `command` would start a new recording in this phase. */
export function commandStartsRecording(command: RecorderCommand, phase: RecorderPhase): boolean {
  return command === 'start' || (command === 'toggle' && phase === 'idle')
}

export async function deliverRecorderCommand(
  target: CommandTarget | null,
  command: RecorderCommand,
  phase: RecorderPhase
): Promise<void> {
  if (!target || target.isDestroyed()) return
  if (commandStartsRecording(command, phase)) {
    target.show()
    target.focus()
    // Failing to grant activation is not fatal: the renderer reports a refused capture itself.
    await target.webContents.executeJavaScript('void 0', true).catch(() => undefined)
    if (target.isDestroyed()) return
  } else if (commandAsks(command)) {
    // The question is in the bar: show it and give it the keyboard (Escape keeps recording).
    target.show()
    target.focus()
  }
  target.webContents.send('recorder:command', command)
}
