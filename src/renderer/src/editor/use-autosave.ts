/**
 * Autosave for the editor: a debounced `edits:save` after each committed change, flushed on
 * `beforeunload` and when leaving. A save that still fails when the editor closes keeps retrying
 * in the background; opening the same recording again takes its unsaved edits over, so nothing
 * is lost and the two never race.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import type { Edits } from '../../../shared/edits'
import { api } from '../api'
import { useLatest } from '../lib/use-latest'
import { AutoSaver, type SaveStatus } from './autosave'

/** Savers of closed editors whose last edits are not saved yet, by project id. */
const background = new Map<string, AutoSaver<Edits>>()
/** Edits taken over from such a saver, kept until the new editor has saved them. */
const adopted = new Map<string, Edits>()

/**
 * The edits a closed editor of `projectId` could not save yet, if any; its saver stops, so the
 * caller (a new editor) owns them from now on. Asking again before they are saved gives them
 * again (a load that was abandoned and restarted must not lose them).
 */
export function takeOverUnsaved(projectId: string): Edits | null {
  const saver = background.get(projectId)
  if (saver) {
    background.delete(projectId)
    const unsaved = saver.cancel()
    if (unsaved) adopted.set(projectId, unsaved)
  }
  return adopted.get(projectId) ?? null
}

export interface Autosave {
  readonly status: SaveStatus
  /** Saves now; resolves true once everything is saved, false if the attempt failed. */
  flush(): Promise<boolean>
}

/**
 * Saves `edits()` whenever `revision` moves (and at once when `startDirty`, for edits taken
 * over from a closed editor).
 */
export function useAutosave(
  projectId: string,
  revision: number,
  edits: () => Edits,
  startDirty: boolean
): Autosave {
  const [status, setStatus] = useState<SaveStatus>({ kind: 'saved' })
  const [saver] = useState(
    () => new AutoSaver<Edits>({ save: (value) => api.invoke('edits:save', projectId, value) })
  )
  const editsRef = useLatest(edits)

  useEffect(() => {
    saver.attach((s) => {
      setStatus(s)
      if (s.kind === 'saved') adopted.delete(projectId)
    })
    setStatus(saver.status)
    if (background.get(projectId) === saver) background.delete(projectId)
    return () => {
      // Leaving: save what waits now; if that does not work, the saver keeps retrying in the
      // background until it does (a new editor of this project takes its edits over).
      if (!saver.hasUnsaved) {
        saver.detach()
        return
      }
      background.set(projectId, saver)
      saver.attach((s) => {
        if (s.kind === 'saved' && background.get(projectId) === saver) background.delete(projectId)
      })
      void saver.flush()
    }
  }, [saver, projectId])

  const lastRevision = useRef(startDirty ? -1 : revision)
  useEffect(() => {
    if (revision === lastRevision.current) return
    lastRevision.current = revision
    saver.schedule(editsRef.current())
  }, [revision, saver, editsRef])

  useEffect(() => {
    const onUnload = (): void => {
      void saver.flush()
    }
    window.addEventListener('beforeunload', onUnload)
    return () => window.removeEventListener('beforeunload', onUnload)
  }, [saver])

  const flush = useCallback(() => saver.flush(), [saver])
  return { status, flush }
}
