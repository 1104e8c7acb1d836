/**
 * "Upload…" for a header (the editor's): opens the upload dialog; while this recording uploads it
 * shows the progress beside the button, and once uploaded, Copy link.
 */
import { useState } from 'react'
import type { ReactNode } from 'react'
import type { ProjectSummary } from '../../../shared/project'
import { useNotices } from '../ui/notices'
import { UploadDialog } from './upload-dialog'
import { UploadProgress } from './upload-progress'
import { isActiveUpload } from './uploads-model'
import { copyShareLink } from './use-share-notices'
import { useProjectUpload } from './use-uploads'
import './share.css'

export interface UploadButtonProps {
  readonly project: ProjectSummary
}

export function UploadButton({ project }: UploadButtonProps): ReactNode {
  const notices = useNotices()
  const [open, setOpen] = useState(false)
  const upload = useProjectUpload(project.id)
  const active = isActiveUpload(upload)
  const shareUrl = upload?.state === 'done' ? (upload.url ?? project.shareUrl) : project.shareUrl
  return (
    <span className="upload-button">
      {upload && (active || upload.state === 'failed') && (
        <span className="upload-button-progress">
          <UploadProgress upload={upload} compact />
        </span>
      )}
      {shareUrl && !active && (
        <button
          type="button"
          className="secondary-button"
          onClick={() => copyShareLink(project.id, notices)}
        >
          Copy link
        </button>
      )}
      {!active && (
        <button
          type="button"
          className={shareUrl ? 'secondary-button' : 'primary-button'}
          onClick={() => setOpen(true)}
          disabled={project.status === 'recording'}
        >
          {shareUrl ? 'Upload again…' : 'Upload…'}
        </button>
      )}
      {open && <UploadDialog project={project} onClose={() => setOpen(false)} />}
    </span>
  )
}
