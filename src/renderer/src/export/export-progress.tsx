/** A running export shown on its recording's card after its dialog was closed: bar, numbers, Cancel. */
import { useState } from 'react'
import type { ReactNode } from 'react'
import { api } from '../api'
import type { Notices } from '../ui/notices'
import { ProgressBar } from '../ui/progress-bar'
import type { ExportEntry } from './exports-model'
import { EXPORT_STARTING, exportStatusLine } from './exports-model'
import { isStarting, progressValueText } from '../share/progress-words'
import '../share/share.css'
import './export.css'

export interface ExportProgressProps {
  readonly entry: ExportEntry
  readonly notices: Notices
}

export function ExportProgress({ entry, notices }: ExportProgressProps): ReactNode {
  const [cancelling, setCancelling] = useState(false)
  const { event, title } = entry
  const cancel = (): void => {
    setCancelling(true)
    api.invoke('export:cancel', event.exportId).catch((failure: unknown) => {
      setCancelling(false)
      notices.error(failure)
    })
  }
  return (
    <div className="inline-progress">
      <ProgressBar
        small
        fraction={event.fraction}
        label={`Export of “${title}”`}
        indeterminate={isStarting(event.fraction)}
        valueText={progressValueText(event.fraction, event.etaMs, EXPORT_STARTING)}
      />
      <div className="inline-progress-row">
        <span className="inline-progress-text">
          {cancelling ? 'Cancelling the export…' : exportStatusLine(event)}
        </span>
        <button
          type="button"
          className="quiet-button"
          onClick={cancel}
          disabled={cancelling}
          aria-label={`Cancel the export of “${title}”`}
        >
          Cancel
        </button>
      </div>
    </div>
  )
}
