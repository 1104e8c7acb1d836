/**
 * The tray's "Answer a request" and "Open requests in the app…", delivered to the window like the
 * tray's Start (recorder-commands.ts): a recording starts in the renderer, which owns the capture
 * streams, so the window is shown and given a user gesture first (Chromium may refuse
 * getDisplayMedia without one), then told which request the recording answers.
 */
import type { AnswerTarget, RecorderPhase } from '../../shared/ipc'
import type { CommandTarget } from './recorder-commands'

/** Asks the window to record an answer to `answer`; nothing while a recording is on. */
export async function deliverAnswer(
  target: CommandTarget | null,
  answer: AnswerTarget,
  phase: RecorderPhase
): Promise<void> {
  if (!target || target.isDestroyed() || phase !== 'idle') return
  target.show()
  target.focus()
  // Failing to grant activation is not fatal: the renderer reports a refused capture itself.
  await target.webContents.executeJavaScript('void 0', true).catch(() => undefined)
  if (target.isDestroyed()) return
  target.webContents.send('requests:answer', answer)
}

/** Shows the window at its Requests view. */
export function deliverShowRequests(target: CommandTarget | null): void {
  if (!target || target.isDestroyed()) return
  target.show()
  target.focus()
  target.webContents.send('requests:show', null)
}
