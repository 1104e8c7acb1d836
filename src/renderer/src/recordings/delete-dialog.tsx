/** Asks before a recording is deleted (it can be undone for a few seconds, from a toast). */
import { useId, useState } from 'react'
import type { ReactNode } from 'react'
import type { DeletedProject } from '../../../shared/ipc'
import type { ProjectSummary } from '../../../shared/project'
import { api } from '../api'
import { errorMessage } from '../lib/error-message'
import { ErrorText } from '../ui/field'
import { ModalDialog } from '../ui/modal-dialog'
import { libraryCopyNote } from './delete-undo'

export interface DeleteDialogProps {
  readonly project: ProjectSummary
  /** Called with the delete's answer after the recording was deleted, or null when the user cancels. */
  readonly onClose: (deleted: DeletedProject | null) => void
}

export function DeleteDialog({ project, onClose }: DeleteDialogProps): ReactNode {
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const textId = useId()
  const libraryNote = libraryCopyNote(project.shareUrl)

  const confirm = async (): Promise<void> => {
    setBusy(true)
    setError(null)
    try {
      onClose(await api.invoke('projects:delete', project.id))
    } catch (failure) {
      setError(errorMessage(failure))
      setBusy(false)
    }
  }

  return (
    <ModalDialog
      title={<>Delete “{project.title}”?</>}
      describedBy={textId}
      onClose={() => onClose(null)}
      initialFocus=".cancel-button"
      actions={[
        {
          label: 'Cancel',
          kind: 'secondary',
          className: 'cancel-button',
          onClick: () => onClose(null),
          disabled: busy
        },
        { label: 'Delete', kind: 'danger', onClick: () => void confirm(), disabled: busy }
      ]}
    >
      <div id={textId}>
        <p>
          The recording and everything exported from it are removed from your disk. You can undo
          this for a few seconds afterwards.
        </p>
        {libraryNote && <p>{libraryNote}</p>}
      </div>
      <ErrorText message={error} />
    </ModalDialog>
  )
}
