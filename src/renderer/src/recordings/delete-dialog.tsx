/** Asks before a recording is deleted for good. */
import { useId, useState } from 'react'
import type { ReactNode } from 'react'
import type { ProjectSummary } from '../../../shared/project'
import { api } from '../api'
import { errorMessage } from '../lib/error-message'
import { ErrorText } from '../ui/field'
import { ModalDialog } from '../ui/modal-dialog'

export interface DeleteDialogProps {
  readonly project: ProjectSummary
  /** Called after the recording was deleted, or when the user cancels. */
  readonly onClose: (deleted: boolean) => void
}

export function DeleteDialog({ project, onClose }: DeleteDialogProps): ReactNode {
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const textId = useId()

  const confirm = async (): Promise<void> => {
    setBusy(true)
    setError(null)
    try {
      await api.invoke('projects:delete', project.id)
      onClose(true)
    } catch (failure) {
      setError(errorMessage(failure))
      setBusy(false)
    }
  }

  return (
    <ModalDialog
      title={<>Delete “{project.title}”?</>}
      describedBy={textId}
      onClose={() => onClose(false)}
      initialFocus=".cancel-button"
      actions={[
        {
          label: 'Cancel',
          kind: 'secondary',
          className: 'cancel-button',
          onClick: () => onClose(false),
          disabled: busy
        },
        { label: 'Delete', kind: 'danger', onClick: () => void confirm(), disabled: busy }
      ]}
    >
      <p id={textId}>
        The recording and everything exported from it are removed from your disk. This cannot be
        undone.
      </p>
      <ErrorText message={error} />
    </ModalDialog>
  )
}
