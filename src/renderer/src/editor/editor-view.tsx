/**
 * The editor: the recording with its callouts drawn over it, the transport, the drawing tools,
 * the style inspector and the timeline (trim, cut, callout timing). Edits are saved as the user
 * works; the recording itself is never touched. This view loads the edits, then shows the
 * workspace (editor-workspace.tsx), or says why it cannot.
 */
import { useEffect, useState } from 'react'
import type { ReactNode } from 'react'
import type { Edits } from '../../../shared/edits'
import type { ProjectSummary } from '../../../shared/project'
import { api } from '../api'
import { errorMessage } from '../lib/error-message'
import { BackButton, EditorTitle } from './editor-header'
import { EditorWorkspace } from './editor-workspace'
import { probeDurationMs } from './probe-duration'
import { takeOverUnsaved } from './use-autosave'
import './editor.css'

export interface EditorViewProps {
  readonly project: ProjectSummary
  /** Back to the recordings list (called once the edits are saved, or the user chose to leave). */
  readonly onClose: () => void
  /** Shown at the right of the header (Export, Upload). */
  readonly actions?: ReactNode
}

type Loaded =
  | { readonly kind: 'loading' }
  | { readonly kind: 'failed'; readonly message: string }
  | {
      readonly kind: 'ready'
      readonly edits: Edits
      readonly durationMs: number
      /** Edits taken over from a closed editor that could not save them yet. */
      readonly unsaved: boolean
    }

/** Opens a recording in the editor: loads its edits, then shows the workspace. */
export function EditorView({ project, onClose, actions }: EditorViewProps): ReactNode {
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' })
  const mediaUrl = project.mediaUrl

  useEffect(() => {
    document.title = `${project.title} — Sidecast`
    return () => {
      document.title = 'Sidecast'
    }
  }, [project.title])

  useEffect(() => {
    if (!mediaUrl) {
      setLoaded({
        kind: 'failed',
        message:
          'This recording is still being recorded. Stop the recording first, then open it in the editor.'
      })
      return
    }
    let live = true
    const load = async (): Promise<void> => {
      const durationMs = project.durationMs ?? (await probeDurationMs(mediaUrl))
      if (!durationMs || durationMs <= 0) {
        throw new Error(
          'Sidecast could not read how long this recording is, so it cannot be edited. The recording file may be damaged; it is still in its folder.'
        )
      }
      const unsaved = takeOverUnsaved(project.id)
      const edits = unsaved ?? (await api.invoke('edits:get', project.id))
      if (live) setLoaded({ kind: 'ready', edits, durationMs, unsaved: unsaved !== null })
    }
    load().catch((error: unknown) => {
      if (live) setLoaded({ kind: 'failed', message: errorMessage(error) })
    })
    return () => {
      live = false
    }
  }, [project.id, project.durationMs, mediaUrl])

  if (loaded.kind !== 'ready' || !mediaUrl) {
    return (
      <div className="editor editor-message" role="region" aria-label="Editor">
        <header className="editor-header">
          {loaded.kind === 'loading' && <BackButton onClick={onClose} />}
          <EditorTitle title={project.title} />
        </header>
        <div className="editor-placeholder">
          {loaded.kind === 'failed' ? (
            <div className="editor-error" role="alert">
              <h2>The editor could not open this recording</h2>
              <p>{loaded.message}</p>
              <p className="muted">The recording itself is safe.</p>
              <button type="button" className="primary-button" onClick={onClose}>
                Back to recordings
              </button>
            </div>
          ) : (
            <p className="muted" role="status">
              Loading the editor…
            </p>
          )}
        </div>
      </div>
    )
  }

  return (
    <EditorWorkspace
      project={project}
      mediaUrl={mediaUrl}
      durationMs={loaded.durationMs}
      initialEdits={loaded.edits}
      startDirty={loaded.unsaved}
      onClose={onClose}
      actions={actions}
    />
  )
}
