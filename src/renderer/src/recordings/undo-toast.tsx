/**
 * The toast after a delete: "Recording deleted" with an Undo button, for as long as main keeps the
 * files (`undoMs`, told by `projects:delete`). Its live region is always in the page, so screen
 * readers announce the toast politely when it appears; the Undo button is an ordinary button,
 * reachable with Tab.
 */
import { useEffect } from 'react'
import type { ReactNode } from 'react'
import { useLatest } from '../lib/use-latest'
import { deletedMessage } from './delete-undo'

export interface PendingUndo {
  readonly projectId: string
  readonly title: string
  readonly undoMs: number
  /** Tells one delete from the next of the same project, so each gets its own time. */
  readonly key: number
}

export interface UndoToastProps {
  readonly pending: PendingUndo | null
  readonly onUndo: (pending: PendingUndo) => void
  /** The time ran out (main removes the files then) or the user dismissed the toast. */
  readonly onExpire: (pending: PendingUndo) => void
}

export function UndoToast({ pending, onUndo, onExpire }: UndoToastProps): ReactNode {
  const expire = useLatest(onExpire)
  useEffect(() => {
    if (!pending) return
    const timer = setTimeout(() => expire.current(pending), pending.undoMs)
    return () => clearTimeout(timer)
  }, [pending, expire])

  return (
    <div className="undo-toasts" role="status" aria-live="polite">
      {pending && (
        <div className="toast toast-info undo-toast">
          <p className="toast-message">{deletedMessage(pending.title)}</p>
          <button
            type="button"
            className="secondary-button toast-action"
            onClick={() => onUndo(pending)}
            aria-label={`Undo deleting “${pending.title}”`}
          >
            Undo
          </button>
          <button
            type="button"
            className="icon-button"
            aria-label="Dismiss message"
            onClick={() => onExpire(pending)}
          >
            ×
          </button>
        </div>
      )}
    </div>
  )
}
