/**
 * Recording time as the user thinks of it: time spent recording, not time spent paused.
 * Pure; the caller passes the current time so tests need no timers.
 */
export class ElapsedClock {
  private startedAt: number | null = null
  private pausedAt: number | null = null
  private pausedTotal = 0

  start(now: number): void {
    this.startedAt = now
    this.pausedAt = null
    this.pausedTotal = 0
  }

  pause(now: number): void {
    if (this.startedAt === null || this.pausedAt !== null) return
    this.pausedAt = now
  }

  resume(now: number): void {
    if (this.pausedAt === null) return
    this.pausedTotal += Math.max(0, now - this.pausedAt)
    this.pausedAt = null
  }

  get paused(): boolean {
    return this.pausedAt !== null
  }

  /** Milliseconds recorded so far (frozen while paused); 0 before start. */
  elapsedMs(now: number): number {
    if (this.startedAt === null) return 0
    const end = this.pausedAt ?? now
    return Math.max(0, end - this.startedAt - this.pausedTotal)
  }
}
