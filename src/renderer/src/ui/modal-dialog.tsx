/**
 * A modal dialog on the native <dialog>: showModal makes the rest of the page inert, Escape
 * closes it, and Tab cycles within it. Focus returns to where it was when it closes. Its footer
 * of buttons is `DialogActions`: the `actions` slot at the end of the dialog, or inside a form
 * (where the submit button must be).
 */
import { useEffect, useId, useRef } from 'react'
import type { ReactNode } from 'react'
import { useLatest } from '../lib/use-latest'

export interface ModalDialogProps {
  /** The dialog's heading, shown first; it names the dialog. */
  readonly title?: ReactNode
  /** Id of the element naming the dialog, when it is not `title` (a heading inside a form). */
  readonly labelledBy?: string
  readonly describedBy?: string
  /** Called on Escape; the owner unmounts the dialog. */
  readonly onClose: () => void
  /** Selector of the element to focus first (defaults to the first focusable). */
  readonly initialFocus?: string
  readonly className?: string
  readonly children: ReactNode
  /** The footer's buttons, after the children. */
  readonly actions?: readonly DialogActionItem[]
}

/** One button of a dialog's footer. */
export interface DialogAction {
  readonly label: ReactNode
  /** `primary` is the next step (last, one per footer); `secondary` the way out. */
  readonly kind: 'primary' | 'secondary' | 'danger'
  /** Absent for a submit button. */
  readonly onClick?: () => void
  /** Submits the form the footer is in. */
  readonly submit?: boolean
  readonly disabled?: boolean
  /** Extra classes, e.g. for `initialFocus` to find the button. */
  readonly className?: string
}

/** An action, or a falsy value for one that does not apply now. */
export type DialogActionItem = DialogAction | false | null | undefined

/** A dialog's footer: the way out first, the next step (the primary button) last. */
export function DialogActions(props: {
  actions: readonly DialogActionItem[]
  /** Extra classes for the footer. */
  className?: string
}): ReactNode {
  const actions = props.actions.filter((a): a is DialogAction => !!a)
  return (
    <div className={props.className ? `dialog-actions ${props.className}` : 'dialog-actions'}>
      {actions.map((action, i) => (
        <button
          key={i}
          type={action.submit ? 'submit' : 'button'}
          className={`${action.kind}-button${action.className ? ` ${action.className}` : ''}`}
          onClick={action.onClick}
          disabled={action.disabled}
        >
          {action.label}
        </button>
      ))}
    </div>
  )
}

const FOCUSABLE =
  'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])'

export function ModalDialog(props: ModalDialogProps): ReactNode {
  const { title, describedBy, onClose, initialFocus, className, children, actions } = props
  const titleId = useId()
  const ref = useRef<HTMLDialogElement>(null)
  const onCloseRef = useLatest(onClose)

  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null
    if (!dialog.open) dialog.showModal()
    const first =
      (initialFocus ? dialog.querySelector<HTMLElement>(initialFocus) : null) ??
      dialog.querySelector<HTMLElement>(FOCUSABLE)
    first?.focus()

    const onCancel = (event: Event): void => {
      event.preventDefault()
      onCloseRef.current()
    }
    const onKeyDown = (event: KeyboardEvent): void => {
      if (event.key !== 'Tab') return
      const items = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)]
      const firstItem = items[0]
      const lastItem = items[items.length - 1]
      if (!firstItem || !lastItem) return
      if (event.shiftKey && document.activeElement === firstItem) {
        event.preventDefault()
        lastItem.focus()
      } else if (!event.shiftKey && document.activeElement === lastItem) {
        event.preventDefault()
        firstItem.focus()
      }
    }
    dialog.addEventListener('cancel', onCancel)
    dialog.addEventListener('keydown', onKeyDown)
    return () => {
      dialog.removeEventListener('cancel', onCancel)
      dialog.removeEventListener('keydown', onKeyDown)
      if (dialog.open) dialog.close()
      previous?.focus()
    }
  }, [initialFocus, onCloseRef])

  return (
    <dialog
      ref={ref}
      className={className ? `modal ${className}` : 'modal'}
      aria-labelledby={props.labelledBy ?? titleId}
      aria-describedby={describedBy}
    >
      {title !== undefined && <h2 id={titleId}>{title}</h2>}
      {children}
      {actions && <DialogActions actions={actions} />}
    </dialog>
  )
}
