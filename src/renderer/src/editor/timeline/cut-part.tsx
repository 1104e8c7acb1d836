/** A part of the recording left out of the video: hatched, and (between kept parts) with Restore. */
import type { ReactNode } from 'react'
import type { TimeRange } from '../../../../shared/timeline'
import { formatRange } from '../time-format'
import { spanStyle } from './timeline-geometry'

/** Narrower than this (px), Restore shows as an icon. */
const COMPACT_BELOW_PX = 64

export function CutPart(props: {
  start: number
  end: number
  durationMs: number
  /** Between two kept parts (a cut), not a trimmed end. */
  interior: boolean
  widthPx: number
  onRestore: (range: TimeRange) => void
}): ReactNode {
  const { start, end, durationMs, interior, widthPx } = props
  const compact = widthPx < COMPACT_BELOW_PX
  return (
    <div
      className={interior ? 'cut-part' : 'cut-part trimmed'}
      style={spanStyle(start, end, durationMs)}
    >
      {interior && (
        <button
          type="button"
          className={compact ? 'restore-button compact' : 'restore-button'}
          aria-label={`Restore ${formatRange(start, end)}`}
          title={`Restore the cut part ${formatRange(start, end)}`}
          onClick={() => props.onRestore([start, end])}
        >
          {compact ? '↺' : 'Restore'}
        </button>
      )}
    </div>
  )
}
