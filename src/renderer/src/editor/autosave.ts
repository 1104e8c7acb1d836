/**
 * Saving as the user works: each committed change schedules a save after a short quiet spell;
 * one save runs at a time and the newest value wins; a failed save is retried with growing
 * pauses until it works, so edits are never dropped. No React and no DOM: timers only.
 */

export type SaveStatus =
  | { readonly kind: 'saved' }
  /** Changes wait for the quiet spell or for the save in progress. */
  | { readonly kind: 'pending' }
  | { readonly kind: 'saving' }
  | { readonly kind: 'failed'; readonly reason: string; readonly retryInMs: number }

/** The status line: "Saved", "Saving…", or "Not saved: <reason> — retrying". */
export function saveStatusText(status: SaveStatus): string {
  switch (status.kind) {
    case 'saved':
      return 'Saved'
    case 'pending':
    case 'saving':
      return 'Saving…'
    case 'failed':
      return `Not saved: ${status.reason.replace(/[.\s]+$/, '')} — retrying`
  }
}

export interface AutoSaverOptions<T> {
  /** Writes one value; rejects when it could not (the value is retried). */
  readonly save: (value: T) => Promise<unknown>
  /** Told every status change. */
  readonly onStatus?: (status: SaveStatus) => void
  /** The quiet spell after a change before saving, ms. */
  readonly delayMs?: number
  /** Pauses before each retry after a failure, ms; the last repeats. */
  readonly retryDelaysMs?: readonly number[]
}

const DEFAULT_RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15_000, 30_000]

export class AutoSaver<T> {
  private readonly save: (value: T) => Promise<unknown>
  private onStatus: ((status: SaveStatus) => void) | undefined
  private readonly delayMs: number
  private readonly retryDelaysMs: readonly number[]
  private latest: { value: T } | null = null
  /** True while `latest` is not yet saved. */
  private dirty = false
  private saving = false
  /** A run was asked for while a save was in progress. */
  private again = false
  private timer: ReturnType<typeof setTimeout> | null = null
  private failures = 0
  private stopped = false
  private waiters: ((saved: boolean) => void)[] = []
  private current: SaveStatus = { kind: 'saved' }

  constructor(options: AutoSaverOptions<T>) {
    this.save = options.save
    this.onStatus = options.onStatus
    this.delayMs = options.delayMs ?? 600
    this.retryDelaysMs = options.retryDelaysMs?.length
      ? options.retryDelaysMs
      : DEFAULT_RETRY_DELAYS_MS
  }

  /** The current status. */
  get status(): SaveStatus {
    return this.current
  }

  /** True while some change is not yet saved. */
  get hasUnsaved(): boolean {
    return this.dirty || this.saving
  }

  /** Saves `value` after the quiet spell (a newer value before then replaces it). */
  schedule(value: T): void {
    if (this.stopped) return
    this.latest = { value }
    this.dirty = true
    // After a failure the status keeps saying so until a save works.
    if (this.current.kind !== 'failed') this.setStatus({ kind: 'pending' })
    this.setTimer(this.delayMs)
  }

  /**
   * Saves what is waiting now. Resolves true once everything is saved (at once when nothing
   * waits), false when the attempt failed (retries go on in the background).
   */
  flush(): Promise<boolean> {
    if (this.stopped || (!this.dirty && !this.saving)) return Promise.resolve(!this.dirty)
    const done = new Promise<boolean>((resolve) => this.waiters.push(resolve))
    this.clearTimer()
    void this.run()
    return done
  }

  /** Tells statuses to `onStatus` from now on (instead of the one given before). */
  attach(onStatus: (status: SaveStatus) => void): void {
    this.onStatus = onStatus
  }

  /** Stops telling statuses (the view is gone); saving and retrying go on until saved. */
  detach(): void {
    this.onStatus = undefined
  }

  /**
   * Stops for good and returns the value not yet saved, if any (the caller takes it over).
   * A save already in progress still finishes.
   */
  cancel(): T | null {
    this.stopped = true
    this.clearTimer()
    const unsaved = this.dirty && this.latest ? this.latest.value : null
    this.dirty = false
    this.resolveWaiters(unsaved === null)
    return unsaved
  }

  private async run(): Promise<void> {
    if (this.stopped) return
    if (this.saving) {
      this.again = true
      return
    }
    if (!this.dirty || !this.latest) {
      this.resolveWaiters(true)
      return
    }
    const { value } = this.latest
    this.dirty = false
    this.saving = true
    this.again = false
    this.setStatus({ kind: 'saving' })
    try {
      await this.save(value)
      this.saving = false
      this.failures = 0
      if (this.stopped) return
      if (this.dirty) {
        // Changed while saving: save again now if asked to, else after the quiet spell.
        if (this.again || this.waiters.length > 0) void this.run()
        else {
          this.setStatus({ kind: 'pending' })
          if (!this.timer) this.setTimer(this.delayMs)
        }
        return
      }
      this.setStatus({ kind: 'saved' })
      this.resolveWaiters(true)
    } catch (error) {
      this.saving = false
      if (this.stopped) return
      this.dirty = true
      this.failures += 1
      const index = Math.min(this.failures - 1, this.retryDelaysMs.length - 1)
      const retryInMs = this.retryDelaysMs[index] ?? 30_000
      this.setStatus({ kind: 'failed', reason: reasonOf(error), retryInMs })
      this.setTimer(retryInMs)
      this.resolveWaiters(false)
    }
  }

  private setTimer(ms: number): void {
    this.clearTimer()
    this.timer = setTimeout(() => {
      this.timer = null
      void this.run()
    }, ms)
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }

  private resolveWaiters(saved: boolean): void {
    const waiters = this.waiters
    this.waiters = []
    for (const resolve of waiters) resolve(saved)
  }

  private setStatus(status: SaveStatus): void {
    this.current = status
    this.onStatus?.(status)
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof Error && error.message) return error.message
  if (typeof error === 'string' && error) return error
  return 'the save did not work'
}
