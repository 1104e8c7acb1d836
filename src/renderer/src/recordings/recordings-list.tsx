/** The recordings on disk, newest first, with rename, show-in-folder and delete. */
import { useEffect, useState } from 'react'
import type { ReactNode } from 'react'
import type { ProjectSummary } from '../../../shared/project'
import type { Notices } from '../ui/notices'
import { DeleteDialog } from './delete-dialog'
import { RecordingCard } from './recording-card'

export interface RecordingsListProps {
  readonly projects: readonly ProjectSummary[] | null
  readonly notices: Notices
  /** Fetch the list again (after a rename or delete, before main's change event arrives). */
  readonly onChanged: () => void
  /** How to write the record shortcut in the empty state, e.g. "Ctrl+Shift+R". */
  readonly shortcutLabel: string
}

export function RecordingsList(props: RecordingsListProps): ReactNode {
  const { projects, notices, onChanged, shortcutLabel } = props
  const [deleting, setDeleting] = useState<ProjectSummary | null>(null)
  // A rename shows at once; the next list from main supersedes it.
  const [renamed, setRenamed] = useState<ReadonlyMap<string, ProjectSummary>>(new Map())
  useEffect(() => setRenamed(new Map()), [projects])

  const shown = (projects ?? [])
    .map((p) => {
      return renamed.get(p.id) ?? p
    })
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))

  return (
    <section className="recordings" aria-labelledby="recordings-heading">
      <h2 id="recordings-heading">Recordings</h2>
      {projects === null ? (
        <p className="muted">Loading recordings…</p>
      ) : shown.length === 0 ? (
        <p className="empty-state">No recordings yet — press Start recording or {shortcutLabel}.</p>
      ) : (
        <ul className="recording-list">
          {shown.map((project) => (
            <li key={project.id}>
              <RecordingCard
                project={project}
                notices={notices}
                onDelete={setDeleting}
                onRenamed={(p) => {
                  setRenamed((current) => new Map(current).set(p.id, p))
                  onChanged()
                }}
              />
            </li>
          ))}
        </ul>
      )}
      {deleting && (
        <DeleteDialog
          project={deleting}
          onClose={(deleted) => {
            setDeleting(null)
            if (deleted) onChanged()
          }}
        />
      )}
    </section>
  )
}
