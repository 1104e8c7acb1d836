/**
 * The recordings on disk, newest first, with edit, export, upload, rename, show-in-folder and
 * delete (with a toast to undo it), and a one-line summary of uploads in flight.
 */
import { useEffect, useRef, useState } from 'react'
import type { ReactNode } from 'react'
import type { DeletedProject } from '../../../shared/ipc'
import type { ProjectSummary } from '../../../shared/project'
import { api } from '../api'
import { ExportDialog } from '../export/export-dialog'
import { useOpenSettings } from '../settings/open-settings'
import { UploadDialog } from '../share/upload-dialog'
import { uploadsSummary } from '../share/uploads-model'
import { useShareNotices } from '../share/use-share-notices'
import { useUploads } from '../share/use-uploads'
import type { Notices } from '../ui/notices'
import { DeleteDialog } from './delete-dialog'
import { focusAfterDelete } from './delete-undo'
import { RecordingCard } from './recording-card'
import { UndoToast, type PendingUndo } from './undo-toast'
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
  /** Stop was pressed and the recording is being finished (the one still listed as recording). */
  readonly stopping?: boolean
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
  // Deleted cards go at once, before main's next list; an undo brings them back.
  const [deleted, setDeleted] = useState<ReadonlySet<string>>(new Set())
  const [pendingUndo, setPendingUndo] = useState<PendingUndo | null>(null)
  // Where focus goes once the list has rendered: a card's title, or "Start recording" when empty.
  const [focusRequest, setFocusRequest] = useState<{ readonly projectId: string | null } | null>(
    null
  )
  const section = useRef<HTMLElement>(null)
  const undoKey = useRef(0)
  const uploads = useUploads()
  // Upload and background-export endings are told here too when the app does not mount it higher.
  useShareNotices(notices, useOpenSettings())

  const shown = (projects ?? [])
    .filter((p) => !deleted.has(p.id))
    .map((p) => {
      return renamed.get(p.id) ?? p
    })
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))

  useEffect(() => {
    if (!focusRequest) return
    const root = section.current
    if (focusRequest.projectId === null) {
      setFocusRequest(null)
      const start = document.querySelector<HTMLButtonElement>('.start-button')
      if (start && !start.disabled) start.focus()
      else root?.querySelector<HTMLElement>('#recordings-heading')?.focus()
      return
    }
    const title = root?.querySelector<HTMLElement>(
      `[data-project-id="${CSS.escape(focusRequest.projectId)}"] .title-button`
    )
    // A restored card appears with main's next list: wait for it.
    if (!title) return
    setFocusRequest(null)
    title.focus()
  }, [focusRequest, projects])

  const afterDelete = (project: ProjectSummary, result: DeletedProject): void => {
    setFocusRequest({
      projectId: focusAfterDelete(
        shown.map((p) => p.id),
        project.id
      )
    })
    setDeleted((current) => new Set(current).add(project.id))
    undoKey.current += 1
    setPendingUndo({
      projectId: project.id,
      title: project.title,
      undoMs: result.undoMs,
      key: undoKey.current
    })
    onChanged()
  }

  const undo = (pending: PendingUndo): void => {
    setPendingUndo(null)
    api
      .invoke('projects:restore', pending.projectId)
      .then(() => {
        setDeleted((current) => {
          const next = new Set(current)
          next.delete(pending.projectId)
          return next
        })
        setFocusRequest({ projectId: pending.projectId })
        onChanged()
      })
      .catch((failure: unknown) => notices.error(failure))
  }
  const summary = uploadsSummary(uploads.values())

  return (
    <section className="recordings" aria-labelledby="recordings-heading" ref={section}>
      <div className="recordings-head">
        <h2 id="recordings-heading" tabIndex={-1}>
          Recordings
        </h2>
        {summary && <p className="uploads-summary">{summary}</p>}
      </div>
      {projects === null ? (
        <p className="muted">Loading recordings…</p>
      ) : shown.length === 0 ? (
        <p className="empty-state">No recordings yet — press Start recording or {shortcutLabel}.</p>
      ) : (
        <ul className="recording-list">
          {shown.map((project) => (
            <li key={project.id} data-project-id={project.id}>
              <RecordingCard
                project={project}
                notices={notices}
                stopping={props.stopping === true && project.status === 'recording'}
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
          onClose={(result) => {
            setDialog(null)
            if (result) afterDelete(dialog.project, result)
          }}
        />
      )}
      <UndoToast
        pending={pendingUndo}
        onUndo={undo}
        onExpire={(pending) =>
          setPendingUndo((current) => (current?.key === pending.key ? null : current))
        }
      />
      {dialog?.kind === 'export' && (
        <ExportDialog project={dialog.project} onClose={() => setDialog(null)} />
      )}
      {dialog?.kind === 'upload' && (
        <UploadDialog project={dialog.project} onClose={() => setDialog(null)} />
      )}
    </section>
  )
}
