/**
 * The toast area: errors (role="alert", stay until dismissed, the message from main verbatim) and
 * quieter notices (role="status", fade after a while).
 */
import { createContext, useCallback, useContext, useMemo, useRef, useState } from 'react'
import type { ReactNode } from 'react'
import { errorMessage } from '../lib/error-message'

export type NoticeKind = 'error' | 'warning' | 'info'

/** A button on a notice (e.g. "Copy link", "Open settings"); clicking it also dismisses the notice. */
export interface NoticeAction {
  readonly label: string
  run(): void
}

export interface Notice {
  readonly id: number
  readonly kind: NoticeKind
  readonly message: string
  readonly action?: NoticeAction
}

export interface Notices {
  /** Shows an error; accepts a thrown value and shows its message. */
  error(error: unknown, action?: NoticeAction): void
  warning(message: string, action?: NoticeAction): void
  info(message: string, action?: NoticeAction): void
}

const NoticesContext = createContext<Notices | null>(null)

const INFO_MS = 6000
/** A notice with a button stays longer: the user needs time to reach it. */
const INFO_WITH_ACTION_MS = 15000

export function useNotices(): Notices {
  const notices = useContext(NoticesContext)
  if (!notices) throw new Error('useNotices outside NoticesProvider')
  return notices
}

export function NoticesProvider({ children }: { children: ReactNode }): ReactNode {
  const [items, setItems] = useState<Notice[]>([])
  const nextId = useRef(1)

  const dismiss = useCallback((id: number) => {
    setItems((current) => current.filter((n) => n.id !== id))
  }, [])

  const push = useCallback(
    (kind: NoticeKind, message: string, action?: NoticeAction) => {
      const id = nextId.current++
      setItems((current) => [
        // The same message twice in a row says nothing new.
        ...current.filter((n) => n.message !== message),
        action ? { id, kind, message, action } : { id, kind, message }
      ])
      if (kind === 'info') setTimeout(() => dismiss(id), action ? INFO_WITH_ACTION_MS : INFO_MS)
    },
    [dismiss]
  )

  const api = useMemo<Notices>(
    () => ({
      error: (error, action) => {
        // A cancelled start is the user's own choice, not a problem.
        if ((error as { code?: unknown } | null)?.code === 'cancelled') return
        push('error', errorMessage(error), action)
      },
      warning: (message, action) => push('warning', message, action),
      info: (message, action) => push('info', message, action)
    }),
    [push]
  )

  const errors = items.filter((n) => n.kind === 'error')
  const others = items.filter((n) => n.kind !== 'error')

  return (
    <NoticesContext.Provider value={api}>
      {children}
      <div className="toasts">
        <div role="alert" className="toast-group">
          {errors.map((n) => (
            <Toast key={n.id} notice={n} onDismiss={dismiss} />
          ))}
        </div>
        <div role="status" className="toast-group">
          {others.map((n) => (
            <Toast key={n.id} notice={n} onDismiss={dismiss} />
          ))}
        </div>
      </div>
    </NoticesContext.Provider>
  )
}

function Toast({
  notice,
  onDismiss
}: {
  notice: Notice
  onDismiss: (id: number) => void
}): ReactNode {
  return (
    <div className={`toast toast-${notice.kind}`}>
      <p className="toast-message">{notice.message}</p>
      {notice.action && (
        <button
          type="button"
          className="secondary-button toast-action"
          onClick={() => {
            onDismiss(notice.id)
            notice.action?.run()
          }}
        >
          {notice.action.label}
        </button>
      )}
      <button
        type="button"
        className="icon-button"
        aria-label="Dismiss message"
        onClick={() => onDismiss(notice.id)}
      >
        ×
      </button>
    </div>
  )
}
