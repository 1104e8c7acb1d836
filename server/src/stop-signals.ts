/**
 * One graceful stop however SIGINT or SIGTERM arrive. Ctrl-C in a terminal, and systemd's
 * `KillMode=control-group`, signal every process of the group at once, and wrappers such as
 * tsx and npm pass the signal on as well: the server gets the same signal two or three times
 * within milliseconds. Those copies are one request to stop (PostgreSQL and nginx likewise
 * treat a repeated SIGTERM/SIGQUIT as the same shutdown).
 *
 * - The first signal starts the graceful stop (app.ts: /readyz answers 503 stopping, upload
 *   locks are handed over so PATCHes in flight end with what they stored, running requests get
 *   two seconds, then the processor drains and the database closes); when it is done the
 *   process exits 0.
 * - Signals within `burstMs` of the one before are copies: ignored.
 * - A second, later signal says the stop is under way and how to force it.
 * - A third, later signal exits at once with status 1 (unfinished uploads keep what was
 *   written; the database recovers from its write-ahead log at the next start).
 */

export interface SignalHandlerOptions {
  /** The graceful stop. */
  stop(): Promise<void>
  exit(code: number): void
  log(message: string): void
  now?: () => number
  /** Signals closer than this to the one before are copies of it. */
  burstMs?: number
}

/** Copies of one Ctrl-C arrive within milliseconds; a person pressing again takes longer. */
export const SIGNAL_BURST_MS = 1000

export function createSignalHandler(options: SignalHandlerOptions): (signal: string) => void {
  const now = options.now ?? Date.now
  const burstMs = options.burstMs ?? SIGNAL_BURST_MS
  let presses = 0
  let last = -Infinity
  return (signal) => {
    const at = now()
    const copy = at - last < burstMs
    last = at
    if (copy) return
    presses++
    if (presses === 1) {
      options.log(
        `\n${signal}: stopping… (uploads in flight let go; requests running get two seconds)`
      )
      options.stop().then(
        () => {
          options.log('Stopped.')
          options.exit(0)
        },
        (error: unknown) => {
          options.log(`Could not stop cleanly: ${String(error)}`)
          options.exit(1)
        }
      )
    } else if (presses === 2) {
      options.log(`${signal}: still stopping; send it once more to stop at once.`)
    } else {
      options.log(`${signal}: stopping at once.`)
      options.exit(1)
    }
  }
}
