/**
 * Notices a microphone that hears nothing at the start of a recording (muted, wrong device, no
 * permission at the OS level), so the user can fix it before talking for ten minutes into silence.
 */

/** Level (0…1, see audio-level.ts; 0.05 ≈ -57 dBFS) below which the input counts as silence. */
export const SILENCE_LEVEL = 0.05
/** How long the start of a recording must stay silent before we warn. */
export const SILENCE_WARN_AFTER_MS = 3000

export class SilenceWatch {
  private heard = false

  constructor(
    private readonly threshold = SILENCE_LEVEL,
    private readonly warnAfterMs = SILENCE_WARN_AFTER_MS
  ) {}

  /**
   * Feeds one level sample taken `elapsedMs` into the recording; returns true while the user should
   * be warned (silent for the whole first `warnAfterMs`, and nothing heard since).
   */
  sample(elapsedMs: number, level: number): boolean {
    if (level >= this.threshold) this.heard = true
    return !this.heard && elapsedMs >= this.warnAfterMs
  }
}
