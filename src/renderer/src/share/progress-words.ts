/**
 * The words of a running export or upload, calm from the first moment: before anything is
 * measured the phase is named ("Preparing…") and the bar moves without a number; after that the
 * percentage, and the time left only once there is an estimate. Nothing ever says "estimating"
 * for the whole of a short job: the estimate (main's) comes after the first half second of real
 * progress, and until then the line simply has no time in it.
 */
import { formatPercent, formatTimeLeft } from '../format'

/** True while a running job has measured nothing yet: show the phase and a moving bar. */
export function isStarting(fraction: number): boolean {
  return !(fraction > 0)
}

/** The time left in words, or null when there is no estimate yet (then say nothing of it). */
export function timeLeftWords(etaMs: number | null): string | null {
  return formatTimeLeft(etaMs)
}

export interface ProgressLineInput {
  /** What runs, e.g. "Exporting". */
  readonly phase: string
  /** Said alone before the first measurement, e.g. "Preparing…". */
  readonly starting: string
  readonly fraction: number
  readonly etaMs: number | null
  /** Said after the percentage (a speed). */
  readonly extras?: readonly string[]
}

/** "Exporting · 42% · 1 min left", "Exporting · 3%", or "Preparing…" before any progress. */
export function progressLine(input: ProgressLineInput): string {
  if (isStarting(input.fraction)) return input.starting
  const left = timeLeftWords(input.etaMs)
  return [
    input.phase,
    formatPercent(input.fraction),
    ...(input.extras ?? []),
    ...(left ? [left] : [])
  ].join(' · ')
}

/** For a progress bar's screen-reader text: "Preparing…", "42%" or "42%, 1 min left". */
export function progressValueText(
  fraction: number,
  etaMs: number | null,
  starting: string
): string {
  if (isStarting(fraction)) return starting
  const left = timeLeftWords(etaMs)
  return left ? `${formatPercent(fraction)}, ${left}` : formatPercent(fraction)
}
