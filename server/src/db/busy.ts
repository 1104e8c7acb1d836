/**
 * When the database is busy: another connection (a backup, the command line, another instance on
 * this host) holds SQLite's write lock. better-sqlite3 is synchronous, so every millisecond the
 * server's connection waits for a lock, the whole event loop waits with it: the busy timeout is
 * therefore short (BUSY_TIMEOUT_MS), and writes on the request path retry asynchronously, with
 * backoff, through one WriteGate — between attempts the server goes on answering everything else.
 * A write that still finds the database busy after WRITE_BUDGET_MS gives up with
 * DatabaseBusyError, which the routers answer with 503 and `Retry-After` (unavailable.ts).
 */

/** How long one statement waits for a lock on the event loop (the CLI waits longer). */
export const BUSY_TIMEOUT_MS = 50

/** What a 503 for a busy database asks the client to wait, in seconds. */
export const BUSY_RETRY_AFTER_SECONDS = 5

/** How long a request's write keeps trying before the request is refused. */
export const WRITE_BUDGET_MS = 1000

/** SQLITE_BUSY and its extended codes (…_SNAPSHOT, …_RECOVERY, …_TIMEOUT), SQLITE_LOCKED. */
export function isBusy(error: unknown): boolean {
  if (error instanceof DatabaseBusyError) return true
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code)
}

/** A write gave up: the database stayed locked by another connection. */
export class DatabaseBusyError extends Error {
  readonly retryAfterSeconds = BUSY_RETRY_AFTER_SECONDS
  constructor(cause?: unknown) {
    super('the library database is busy', { cause })
  }
}

export interface WriteGateOptions {
  /** How long one write keeps trying; default WRITE_BUDGET_MS. */
  budgetMs?: number
  /** The first wait after a busy answer; it doubles up to maxDelayMs. */
  firstDelayMs?: number
  maxDelayMs?: number
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Runs database writes (synchronous or asynchronous), retrying the ones that find the database busy. While it is
 * busy, only one attempt runs per backoff step however many requests wait; the others wait for
 * the step after it. So a locked database holds the event loop for one busy timeout when it is
 * first found busy, and then not at all.
 */
export class WriteGate {
  /** While busy: when the next attempt may run; 0 when the database is not known to be busy. */
  private nextAttemptAt = 0
  private delay: number
  /** The attempt in flight while the database is known to be busy; settles with it. */
  private probe: Promise<void> | null = null
  private readonly budgetMs: number
  private readonly firstDelayMs: number
  private readonly maxDelayMs: number

  constructor(options: WriteGateOptions = {}) {
    this.budgetMs = options.budgetMs ?? WRITE_BUDGET_MS
    this.firstDelayMs = options.firstDelayMs ?? 20
    this.maxDelayMs = options.maxDelayMs ?? 320
    this.delay = this.firstDelayMs
  }

  /**
   * `write()`'s result; DatabaseBusyError when the database stays busy; other errors as thrown.
   * `knownBusy` tells `write` that the last attempt found the database busy, so it need not wait
   * for the lock on the event loop (the gate waits instead, asynchronously).
   */
  async run<T>(write: (knownBusy: boolean) => Promise<T> | T): Promise<T> {
    const deadline = Date.now() + this.budgetMs
    let lastBusy: unknown = null
    for (;;) {
      if (Date.now() >= this.nextAttemptAt) {
        const knownBusy = this.nextAttemptAt !== 0
        // While busy, one attempt at a time: an asynchronous write is in flight across awaits, so
        // the others wait for its answer rather than all trying at once.
        if (knownBusy && this.probe) {
          await this.probe
          if (Date.now() >= deadline) throw new DatabaseBusyError(lastBusy)
          continue
        }
        let settled = (): void => {}
        if (knownBusy) {
          this.probe = new Promise<void>((resolve) => {
            settled = resolve
          })
        }
        try {
          // Awaited here, so a write that rejects with SQLITE_BUSY is retried like one that throws.
          const value = await write(knownBusy)
          this.nextAttemptAt = 0
          this.delay = this.firstDelayMs
          return value
        } catch (error) {
          if (!isBusy(error)) throw error
          lastBusy = error
          this.nextAttemptAt = Date.now() + this.delay
          this.delay = Math.min(this.delay * 2, this.maxDelayMs)
        } finally {
          if (knownBusy) {
            this.probe = null
            settled()
          }
        }
      }
      const wait = Math.max(1, this.nextAttemptAt - Date.now())
      if (Date.now() + wait > deadline) throw new DatabaseBusyError(lastBusy)
      await sleep(wait)
    }
  }
}
