/**
 * The toast area: errors (role="alert", stay until dismissed, the message from main verbatim) and
 * quieter notices (role="status", fade after a while).
 */
import { createContext, useCallback, useContext, useMemo, useRef, useState } from 'react'
import type { ReactNode } from 'react'
import { errorMessage } from '../recorder/capture-errors'

export type NoticeKind = 'error' | 'warning' | 'info'

export interface Notice {
  readonly id: number
  readonly kind: NoticeKind
  readonly message: string
}

export interface Notices {
  /** Shows an error; accepts a thrown value and shows its message. */
  error(error: unknown): void
  warning(message: string): void
  info(message: string): void
}

const NoticesContext = createContext<Notices | null>(null)

const INFO_MS = 6000

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
    (kind: NoticeKind, message: string) => {
      const id = nextId.current++
      setItems((current) => [
        // The same message twice in a row says nothing new.
        ...current.filter((n) => n.message !== message),
        { id, kind, message }
      ])
      if (kind === 'info') setTimeout(() => dismiss(id), INFO_MS)
    },
    [dismiss]
  )

  const api = useMemo<Notices>(
    () => ({
      error: (error) => {
        // A cancelled start is the user's own choice, not a problem.
        if ((error as { code?: unknown } | null)?.code === 'cancelled') return
        push('error', errorMessage(error))
      },
      warning: (message) => push('warning', message),
      info: (message) => push('info', message)
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
