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
      labelledBy="unsaved-title"
      describedBy="unsaved-text"
      onClose={props.onStay}
      initialFocus=".primary-button"
    >
      <h2 id="unsaved-title">Your latest edits are not saved yet</h2>
      <p id="unsaved-text">
        Saving did not work: {props.reason.replace(/[.\s]+$/, '')}. Sidecast keeps trying in the
        background. You can stay until it works, or leave now and let it keep trying.
      </p>
      <div className="dialog-actions">
        <button type="button" className="secondary-button" onClick={props.onLeave}>
          Leave anyway
        </button>
        <button type="button" className="primary-button" onClick={props.onStay}>
          Keep editing
        </button>
      </div>
    </ModalDialog>
  )
}
