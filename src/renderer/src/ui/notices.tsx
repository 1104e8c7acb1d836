/**
 * The toast area: errors (role="alert", stay until dismissed or until what they are about has
 * ended, the message from main verbatim) and quieter notices (role="status", fade after a while).
 * A notice raised with a `key` (the condition it is about, see notices-model.ts) is taken down by
 * `clear(key)`. While the window is the recording bar no toast is shown (`setHidden`): a toast
 * there would cover the controls and be recorded with the screen.
 */
import { createContext, useCallback, useContext, useMemo, useRef, useState } from 'react'
import type { ReactNode } from 'react'
import { errorMessage } from '../lib/error-message'
import {
  addNotice,
  clearNotices,
  dismissNotice,
  shownNotices,
  type Notice,
  type NoticeAction,
  type NoticeKind
} from './notices-model'

export type { Notice, NoticeAction, NoticeKind } from './notices-model'

export interface NoticeOptions {
  /** The condition the notice is about (e.g. `upload:<project id>`); `clear(key)` takes it down. */
  readonly key?: string
}

export interface Notices {
  /** Shows an error; accepts a thrown value and shows its message. */
  error(error: unknown, action?: NoticeAction, options?: NoticeOptions): void
  warning(message: string, action?: NoticeAction, options?: NoticeOptions): void
  info(message: string, action?: NoticeAction, options?: NoticeOptions): void
  /** Takes down the notices about `key`: the condition they reported has ended. */
  clear(key: string): void
  /** Hides every toast (true while the window is the recording bar); they show again after. */
  setHidden(hidden: boolean): void
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
  const [items, setItems] = useState<readonly Notice[]>([])
  const [hidden, setHidden] = useState(false)
  const nextId = useRef(1)

  const dismiss = useCallback((id: number) => {
    setItems((current) => dismissNotice(current, id))
  }, [])

  const push = useCallback(
    (kind: NoticeKind, message: string, action?: NoticeAction, options?: NoticeOptions) => {
      const id = nextId.current++
      const key = options?.key
      // The same message twice in a row says nothing new; a newer word on a condition replaces the older.
      setItems((current) =>
        addNotice(current, {
          id,
          kind,
          message,
          ...(action ? { action } : {}),
          ...(key !== undefined ? { key } : {})
        })
      )
      if (kind === 'info') setTimeout(() => dismiss(id), action ? INFO_WITH_ACTION_MS : INFO_MS)
    },
    [dismiss]
  )

  const api = useMemo<Notices>(
    () => ({
      error: (error, action, options) => {
        // A cancelled start is the user's own choice, not a problem.
        if ((error as { code?: unknown } | null)?.code === 'cancelled') return
        push('error', errorMessage(error), action, options)
      },
      warning: (message, action, options) => push('warning', message, action, options),
      info: (message, action, options) => push('info', message, action, options),
      clear: (key) => setItems((current) => clearNotices(current, key)),
      setHidden
    }),
    [push]
  )

  const shown = shownNotices(items, hidden)
  const errors = shown.filter((n) => n.kind === 'error')
  const others = shown.filter((n) => n.kind !== 'error')

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
