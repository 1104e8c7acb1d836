/**
 * The editor's header: back to the recordings, the title, whether the edits are saved, the
 * shortcuts list, and the next steps (Export, Upload) that can save the edits first.
 */
import { useEffect, useRef } from 'react'
import type { ReactNode } from 'react'
import { saveStatusText, type SaveStatus } from './autosave'
import { FlushContext } from './flush-edits'

export function BackButton({
  onClick,
  disabled
}: {
  onClick: () => void
  disabled?: boolean
}): ReactNode {
  return (
    <button
      type="button"
      className="quiet-button back-button"
      onClick={onClick}
      disabled={disabled}
    >
      <span aria-hidden="true">← </span>Back to recordings
    </button>
  )
}

/**
 * The editor's title, which takes the focus as the editor opens when the focus has no home (the
 * button that opened it is gone): a keyboard user starts at the top of the editor, and a screen
 * reader says which recording this is. Tab goes on to the controls from there.
 */
export function EditorTitle({ title }: { title: string }): ReactNode {
  const ref = useRef<HTMLHeadingElement>(null)
  useEffect(() => {
    const active = document.activeElement
    if (!active || active === document.body) ref.current?.focus({ preventScroll: true })
  }, [])
  return (
    <h1 ref={ref} className="editor-title" title={title} tabIndex={-1}>
      {title}
    </h1>
  )
}

export interface EditorHeaderProps {
  readonly title: string
  readonly saveStatus: SaveStatus
  /** Back to the recordings list; the button is disabled while `leaving`. */
  readonly onBack: () => void
  readonly leaving: boolean
  readonly onShowShortcuts: () => void
  /** Export and Upload, shown at the right. */
  readonly actions?: ReactNode
  /** Saves the edits now (for `actions`). */
  readonly flush: () => Promise<boolean>
}

export function EditorHeader(props: EditorHeaderProps): ReactNode {
  const status = saveStatusText(props.saveStatus)
  return (
    <header className="editor-header">
      <BackButton onClick={props.onBack} disabled={props.leaving} />
      <EditorTitle title={props.title} />
      <span
        className={`save-status save-${props.saveStatus.kind}`}
        role="status"
        data-testid="save-status"
        title={status}
      >
        {status}
      </span>
      <span className="spacer" />
      <button
        type="button"
        className="quiet-button"
        onClick={props.onShowShortcuts}
        aria-keyshortcuts="?"
      >
        Keyboard shortcuts
      </button>
      {props.actions && (
        <FlushContext.Provider value={props.flush}>
          <div className="editor-actions">{props.actions}</div>
        </FlushContext.Provider>
      )}
    </header>
  )
}
