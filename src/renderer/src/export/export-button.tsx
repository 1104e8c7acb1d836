/** "Export…" for a header (the editor's): opens the export dialog; shows a running export's progress. */
import { useState } from 'react'
import type { ReactNode } from 'react'
import type { ProjectSummary } from '../../../shared/project'
import { formatPercent } from '../format'
import { ExportDialog } from './export-dialog'
import { useRunningExport } from './use-exports'

export interface ExportButtonProps {
  readonly project: ProjectSummary
}

export function ExportButton({ project }: ExportButtonProps): ReactNode {
  const [open, setOpen] = useState(false)
  const running = useRunningExport(project.id)
  return (
    <>
      <button
        type="button"
        className="secondary-button"
        onClick={() => setOpen(true)}
        disabled={project.status === 'recording'}
      >
        Export…
      </button>
      {running?.background && !open && (
        <span className="export-inline-status">
          Exporting {formatPercent(running.event.fraction)}
        </span>
      )}
      {open && <ExportDialog project={project} onClose={() => setOpen(false)} />}
    </>
  )
}
