/**
 * Quitting while recording: the first `before-quit` is held back, the renderer is asked to stop
 * (so its last chunk reaches disk), then the services finish the recording and the app quits for
 * real. If the renderer does not answer in time, shutdown() finishes what is on disk anyway.
 */
import type { RecorderCommand, RecorderState } from '../../shared/ipc'

export interface QuitGuardOptions {
  /** The recorder's current state. */
  state(): RecorderState
  /** Subscribes to recorder state changes; returns the unsubscribe function. */
  onState(listener: (state: RecorderState) => void): () => void
  /** Sends a command to the renderer. */
  command(command: RecorderCommand): void
  /** Finishes any active recording (AppServices.shutdown). */
  shutdown(): Promise<void>
  /** Quits for real (app.quit; the guard lets the next before-quit through). */
  quit(): void
  /** How long to wait for the renderer to stop before finishing without it. Default 10 s. */
  readonly stopTimeoutMs?: number
  /** Where a failed shutdown is reported. */
  readonly warn?: (message: string, error: unknown) => void
}

export interface QuitGuard {
  /** Call from `app.on('before-quit')`. */
  beforeQuit(event: { preventDefault(): void }): void
  /** True once everything is finished and windows may close. */
  readonly done: boolean
  /** True from the first quit request on. */
  readonly quitting: boolean
}

function waitForIdle(options: QuitGuardOptions, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (options.state().phase === 'idle') return resolve()
    const timer = setTimeout(finish, timeoutMs)
    const unsubscribe = options.onState((state) => {
      if (state.phase === 'idle') finish()
    })
    function finish(): void {
      clearTimeout(timer)
      unsubscribe()
      resolve()
    }
  })
}

export function createQuitGuard(options: QuitGuardOptions): QuitGuard {
  let quitting = false
  let done = false

  async function finishThenQuit(): Promise<void> {
    const { phase } = options.state()
    if (phase === 'recording' || phase === 'paused') options.command('stop')
    if (phase !== 'idle') await waitForIdle(options, options.stopTimeoutMs ?? 10_000)
    try {
      await options.shutdown()
    } catch (error) {
      options.warn?.('Finishing the recording before quitting failed', error)
    }
    done = true
    options.quit()
  }

  return {
    beforeQuit(event) {
      if (done) return
      event.preventDefault()
      if (quitting) return
      quitting = true
      void finishThenQuit()
    },
    get done() {
      return done
    },
    get quitting() {
      return quitting
    }
  }
}
