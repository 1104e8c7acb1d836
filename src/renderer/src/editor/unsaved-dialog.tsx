/** Asked when leaving the editor while the latest edits could not be saved. */
import type { ReactNode } from 'react'
import { ModalDialog } from '../ui/modal-dialog'

export function UnsavedDialog(props: {
  /** Why saving failed, in words for the user. */
  reason: string
  onStay: () => void
  onLeave: () => void
}): ReactNode {
  return (
    <ModalDialog
      title="Your latest edits are not saved yet"
      describedBy="unsaved-text"
      onClose={props.onStay}
      initialFocus=".primary-button"
      actions={[
        { label: 'Leave anyway', kind: 'secondary', onClick: props.onLeave },
        { label: 'Keep editing', kind: 'primary', onClick: props.onStay }
      ]}
    >
      <p id="unsaved-text">
        Saving did not work: {props.reason.replace(/[.\s]+$/, '')}. Sidecast keeps trying in the
        background. You can stay until it works, or leave now and let it keep trying.
      </p>
    </ModalDialog>
  )
}
