/**
 * A progress bar with its numbers in the accessibility tree (role="progressbar"); indeterminate
 * (a moving stripe, no number) while a job has started but measured nothing yet.
 */
import type { ReactNode } from 'react'
import { percentOf } from '../format'
import './progress-bar.css'

export interface ProgressBarProps {
  /** 0–1 done. */
  readonly fraction: number
  /** What is progressing, e.g. "Export of “Demo”". */
  readonly label: string
  /** Read out instead of the bare percentage, e.g. "42%, 1 min left". */
  readonly valueText?: string
  /** A thinner bar for inline use (cards, headers). */
  readonly small?: boolean
  /** Greyed while paused or waiting. */
  readonly idle?: boolean
  /**
   * Only a picture: hidden from assistive technology, because the same progress is also shown
   * (and named) elsewhere on the page, e.g. a dialog that hands over to a card.
   */
  readonly decorative?: boolean
  /** Started, nothing measured yet: a moving stripe and no value (`valueText` says the phase). */
  readonly indeterminate?: boolean
}

export function ProgressBar({
  fraction,
  label,
  valueText,
  small,
  idle,
  decorative,
  indeterminate
}: ProgressBarProps): ReactNode {
  const percent = percentOf(fraction)
  const classes = [
    'progress-bar',
    small ? 'progress-bar-small' : '',
    idle ? 'progress-bar-idle' : '',
    indeterminate ? 'progress-bar-indeterminate' : ''
  ]
  if (decorative) {
    return (
      <div className={classes.filter(Boolean).join(' ')} aria-hidden="true">
        <div className="progress-bar-fill" style={{ width: `${percent}%` }} />
      </div>
    )
  }
  return (
    <div
      className={classes.filter(Boolean).join(' ')}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={indeterminate ? undefined : percent}
      aria-valuetext={valueText ?? (indeterminate ? undefined : `${percent}%`)}
    >
      <div className="progress-bar-fill" style={{ width: `${percent}%` }} />
    </div>
  )
}
