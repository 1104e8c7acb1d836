/**
 * One recording in the list: thumbnail, title (click, Enter or F2 to rename in place; a pencil
 * and the "Rename" tooltip say so), facts (the edited length), its
 * library link once uploaded, the progress of its export or upload, the main actions (edit,
 * export, upload) and the quiet ones (show in folder, delete).
 */
import { useEffect, useId, useRef, useState } from 'react'
import type { KeyboardEvent, ReactNode } from 'react'
import { MAX_TITLE_LENGTH, type ProjectSummary } from '../../../shared/project'
import { api } from '../api'
import { ExportProgress } from '../export/export-progress'
import { useRunningExport } from '../export/use-exports'
import { formatBytes, formatDate, formatDuration, formatResolution } from '../format'
import { errorMessage } from '../lib/error-message'
import { ShareLink } from '../share/share-link'
import { UploadProgress } from '../share/upload-progress'
import { cardShareUrl, isActiveUpload } from '../share/uploads-model'
import { useProjectUpload } from '../share/use-uploads'
import { Icon, PlayIcon } from '../ui/icons'
import type { Notices } from '../ui/notices'
import { EditsSyncLine } from './edits-sync-line'
import './recordings.css'

export interface RecordingCardProps {
  readonly project: ProjectSummary
  readonly notices: Notices
  /** Stop was pressed and this recording is being finished (it is still listed as recording). */
  readonly stopping?: boolean
  /** Asks for the delete confirmation. */
  readonly onDelete: (project: ProjectSummary) => void
  /** Opens the recording in the editor. */
  readonly onEdit: (project: ProjectSummary) => void
  /** Opens the export dialog. */
  readonly onExport: (project: ProjectSummary) => void
  /** Opens the upload dialog. */
  readonly onUpload: (project: ProjectSummary) => void
  /** The renamed summary, so the list can show it before main's change event. */
  readonly onRenamed: (project: ProjectSummary) => void
}

export function RecordingCard({
  project,
  notices,
  stopping = false,
  onDelete,
  onEdit,
  onExport,
  onUpload,
  onRenamed
}: RecordingCardProps): ReactNode {
  const [editing, setEditing] = useState(false)
  const [draft, setDraft] = useState(project.title)
  const [error, setError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const titleButton = useRef<HTMLButtonElement>(null)
  const finished = useRef(false)
  const hintId = useId()
  const errorId = useId()
  const recording = project.status === 'recording'
  const upload = useProjectUpload(project.id)
  const runningExport = useRunningExport(project.id)
  const uploadActive = isActiveUpload(upload)
  // The queue knows the link as soon as the upload ends (a live upload's as soon as the library
  // reserved it, before Stop); the summary once main lists it again.
  const shareUrl = cardShareUrl(upload, project.shareUrl)

  const startEditing = (): void => {
    if (recording) return
    finished.current = false
    setDraft(project.title)
    setError(null)
    setEditing(true)
  }

  const stopEditing = (): void => {
    finished.current = true
    setEditing(false)
    setError(null)
  }

  const save = async (): Promise<void> => {
    if (finished.current || saving) return
    const title = draft.trim()
    if (title === project.title) return stopEditing()
    if (!title) {
      setError('A title cannot be empty. Type a title, or press Escape to keep the old one.')
      return
    }
    setSaving(true)
    try {
      const renamed = await api.invoke('projects:rename', project.id, title)
      onRenamed(renamed)
      stopEditing()
    } catch (failure) {
      setError(errorMessage(failure))
    } finally {
      setSaving(false)
    }
  }

  // Back on the title after editing, so keyboard users stay where they were.
  const wasEditing = useRef(false)
  useEffect(() => {
    if (wasEditing.current && !editing) titleButton.current?.focus()
    wasEditing.current = editing
  }, [editing])

  const onCardKeyDown = (event: KeyboardEvent<HTMLElement>): void => {
    if (event.key === 'F2' && !editing) {
      event.preventDefault()
      startEditing()
    }
  }

  const reveal = (): void => {
    api.invoke('projects:reveal', project.id).catch((failure: unknown) => notices.error(failure))
  }

  // The length of what an export or upload would give: after trims and cuts.
  const lengthMs = project.editedDurationMs ?? project.durationMs
  const edited = project.durationMs !== null && lengthMs !== null && lengthMs !== project.durationMs
  const facts = [
    lengthMs !== null
      ? edited && project.durationMs !== null
        ? `${formatDuration(lengthMs)} edited (recorded ${formatDuration(project.durationMs)})`
        : formatDuration(lengthMs)
      : null,
    formatResolution(project.width, project.height),
    formatBytes(project.sizeBytes)
  ].filter((f): f is string => f !== null)

  return (
    <article
      className="recording-card"
      onKeyDown={onCardKeyDown}
      aria-labelledby={`${hintId}-title`}
    >
      <div
        className={recording ? 'card-thumb' : 'card-thumb card-thumb-openable'}
        aria-hidden="true"
        onClick={recording ? undefined : () => onEdit(project)}
      >
        {project.thumbnailUrl ? (
          <img src={project.thumbnailUrl} alt="" draggable={false} />
        ) : (
          <span className="thumb-placeholder">
            {recording ? <span className="rec-dot" /> : <PlayIcon />}
          </span>
        )}
        {lengthMs !== null && <span className="thumb-duration">{formatDuration(lengthMs)}</span>}
      </div>
      <div className="card-body">
        {editing ? (
          <div className="rename">
            <input
              type="text"
              className="rename-input"
              aria-label="Recording title"
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? errorId : undefined}
              value={draft}
              maxLength={MAX_TITLE_LENGTH}
              autoFocus
              disabled={saving}
              onChange={(event) => setDraft(event.target.value)}
              onFocus={(event) => event.currentTarget.select()}
              onKeyDown={(event) => {
                if (event.key === 'Enter') {
                  event.preventDefault()
                  void save()
                } else if (event.key === 'Escape') {
                  event.preventDefault()
                  event.stopPropagation()
                  stopEditing()
                }
              }}
              onBlur={() => void save()}
            />
            {error && (
              <p className="field-error" id={errorId} role="alert">
                {error}
              </p>
            )}
          </div>
        ) : (
          <h3 className="card-title" id={`${hintId}-title`}>
            <button
              type="button"
              ref={titleButton}
              className="title-button"
              onClick={startEditing}
              aria-describedby={recording ? undefined : hintId}
              aria-keyshortcuts="F2 Enter"
              title={recording ? undefined : 'Rename'}
            >
              <span className="title-text">{project.title}</span>
              {!recording && (
                <span className="title-pencil">
                  <PencilIcon />
                </span>
              )}
            </button>
          </h3>
        )}
        <span id={hintId} className="visually-hidden">
          Rename: click, or press Enter or F2.
        </span>
        <p className="card-facts">
          {recording && (
            <span className="badge badge-live">{stopping ? 'Saving…' : 'Recording…'}</span>
          )}
          {project.status === 'recovered' && (
            <span className="badge badge-recovered">Recovered</span>
          )}
          <span>{formatDate(project.createdAt)}</span>
          {facts.map((fact) => (
            <span key={fact}>{fact}</span>
          ))}
        </p>
        {project.endedBecause && <p className="card-note">{project.endedBecause}</p>}
        {shareUrl && (
          <ShareLink
            projectId={project.id}
            title={project.title}
            url={shareUrl}
            notices={notices}
          />
        )}
        {shareUrl && project.editsSync && (
          <EditsSyncLine
            projectId={project.id}
            title={project.title}
            status={project.editsSync}
            notices={notices}
          />
        )}
        {runningExport?.background && <ExportProgress entry={runningExport} notices={notices} />}
        {upload && <UploadProgress upload={upload} stopped={stopping} />}
        <div className="card-actions">
          <button
            type="button"
            className="primary-button card-main-action"
            onClick={() => onEdit(project)}
            disabled={recording}
            aria-label={`Edit “${project.title}”`}
          >
            Edit
          </button>
          <button
            type="button"
            className="secondary-button"
            onClick={() => onExport(project)}
            disabled={recording}
            aria-label={`Export “${project.title}”`}
          >
            Export…
          </button>
          {!uploadActive && (
            <button
              type="button"
              className="secondary-button"
              onClick={() => onUpload(project)}
              disabled={recording}
              aria-label={
                project.editsSync
                  ? `Upload “${project.title}” again or sync its edits`
                  : shareUrl
                    ? `Upload “${project.title}” again`
                    : `Upload “${project.title}”`
              }
            >
              {shareUrl ? 'Upload again…' : 'Upload…'}
            </button>
          )}
          <span className="card-actions-spacer" />
          <button
            type="button"
            className="quiet-button"
            onClick={reveal}
            aria-label={`Show “${project.title}” in folder`}
          >
            Show in folder
          </button>
          <button
            type="button"
            className="quiet-button danger-text"
            onClick={() => onDelete(project)}
            disabled={recording}
            aria-label={`Delete “${project.title}”`}
          >
            Delete
          </button>
        </div>
      </div>
    </article>
  )
}

/** The pencil beside a title: it can be renamed. */
function PencilIcon(): ReactNode {
  return (
    <Icon size="small">
      <path d="M4 20h4L19 9l-4-4L4 16z" />
      <path d="M13.5 6.5l4 4" />
    </Icon>
  )
}
