/**
 * The recordings on disk, newest first, with edit, export, upload, rename, show-in-folder and
 * delete, and a one-line summary of uploads in flight.
 */
import { useEffect, useState } from 'react'
import type { ReactNode } from 'react'
import type { ProjectSummary } from '../../../shared/project'
import { ExportDialog } from '../export/export-dialog'
import { useOpenSettings } from '../settings/open-settings'
import { UploadDialog } from '../share/upload-dialog'
import { uploadsSummary } from '../share/uploads-model'
import { useShareNotices } from '../share/use-share-notices'
import { useUploads } from '../share/use-uploads'
import type { Notices } from '../ui/notices'
import { DeleteDialog } from './delete-dialog'
import { RecordingCard } from './recording-card'
import './recordings.css'

export interface RecordingsListProps {
  readonly projects: readonly ProjectSummary[] | null
  readonly notices: Notices
  /** Fetch the list again (after a rename or delete, before main's change event arrives). */
  readonly onChanged: () => void
  /** How to write the record shortcut in the empty state, e.g. "Ctrl+Shift+R". */
  readonly shortcutLabel: string
  /** Opens a recording in the editor. */
  readonly onEdit: (project: ProjectSummary) => void
}

type Dialog = {
  readonly kind: 'delete' | 'export' | 'upload'
  readonly project: ProjectSummary
} | null

export function RecordingsList(props: RecordingsListProps): ReactNode {
  const { projects, notices, onChanged, shortcutLabel, onEdit } = props
  const [dialog, setDialog] = useState<Dialog>(null)
  // A rename shows at once; the next list from main supersedes it.
  const [renamed, setRenamed] = useState<ReadonlyMap<string, ProjectSummary>>(new Map())
  useEffect(() => setRenamed(new Map()), [projects])
  const uploads = useUploads()
  // Upload and background-export endings are told here too when the app does not mount it higher.
  useShareNotices(notices, useOpenSettings())

  const shown = (projects ?? [])
    .map((p) => {
      return renamed.get(p.id) ?? p
    })
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
  const summary = uploadsSummary(uploads.values())

  return (
    <section className="recordings" aria-labelledby="recordings-heading">
      <div className="recordings-head">
        <h2 id="recordings-heading">Recordings</h2>
        {summary && <p className="uploads-summary">{summary}</p>}
      </div>
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
                onDelete={(p) => setDialog({ kind: 'delete', project: p })}
                onEdit={onEdit}
                onExport={(p) => setDialog({ kind: 'export', project: p })}
                onUpload={(p) => setDialog({ kind: 'upload', project: p })}
                onRenamed={(p) => {
                  setRenamed((current) => new Map(current).set(p.id, p))
                  onChanged()
                }}
              />
            </li>
          ))}
        </ul>
      )}
      {dialog?.kind === 'delete' && (
        <DeleteDialog
          project={dialog.project}
          onClose={(deleted) => {
            setDialog(null)
            if (deleted) onChanged()
          }}
        />
      )}
      {dialog?.kind === 'export' && (
        <ExportDialog project={dialog.project} onClose={() => setDialog(null)} />
      )}
      {dialog?.kind === 'upload' && (
        <UploadDialog project={dialog.project} onClose={() => setDialog(null)} />
      )}
    </section>
  )
}
