/** A determinate progress bar with its numbers in the accessibility tree (role="progressbar"). */
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
}

export function ProgressBar({
  fraction,
  label,
  valueText,
  small,
  idle,
  decorative
}: ProgressBarProps): ReactNode {
  const percent = percentOf(fraction)
  const classes = [
    'progress-bar',
    small ? 'progress-bar-small' : '',
    idle ? 'progress-bar-idle' : ''
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
      aria-valuenow={percent}
      aria-valuetext={valueText ?? `${percent}%`}
    >
      <div className="progress-bar-fill" style={{ width: `${percent}%` }} />
    </div>
  )
}
