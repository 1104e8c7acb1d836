/**
 * A modal dialog on the native <dialog>: showModal makes the rest of the page inert, Escape
 * closes it, and Tab cycles within it. Focus returns to where it was when it closes.
 */
import { useEffect, useRef } from 'react'
import type { ReactNode } from 'react'

export interface ModalDialogProps {
  /** Id of the element naming the dialog (its heading). */
  readonly labelledBy: string
  readonly describedBy?: string
  /** Called on Escape; the owner unmounts the dialog. */
  readonly onClose: () => void
  /** Selector of the element to focus first (defaults to the first focusable). */
  readonly initialFocus?: string
  readonly className?: string
  readonly children: ReactNode
}

const FOCUSABLE =
  'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])'

export function ModalDialog(props: ModalDialogProps): ReactNode {
  const { labelledBy, describedBy, onClose, initialFocus, className, children } = props
  const ref = useRef<HTMLDialogElement>(null)
  const onCloseRef = useRef(onClose)
  useEffect(() => {
    onCloseRef.current = onClose
  })

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
  }, [initialFocus])

  return (
    <dialog
      ref={ref}
      className={className ? `modal ${className}` : 'modal'}
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
    >
      {children}
    </dialog>
  )
}
