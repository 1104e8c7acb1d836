/**
 * One live copy of main's upload queue for the whole window: `uploads:list` once, then every
 * `uploads:changed`. React reads it with useSyncExternalStore (see use-uploads.ts); the api is
 * passed in so tests drive it with a fake.
 */
import type { SidecastApi, UploadInfo } from '../../../shared/ipc'
import { errorMessage } from '../lib/error-message'
import { createLiveStore, type LiveStore } from '../lib/live-store'
import {
  EMPTY_UPLOADS,
  reduceUploads,
  uploadOutcome,
  type UploadOutcome,
  type UploadsAction,
  type UploadsState
} from './uploads-model'

/** An upload that just finished or failed, for a notice. */
export interface UploadEvent {
  readonly upload: UploadInfo
  readonly outcome: UploadOutcome
}

export interface UploadsStore extends LiveStore<UploadsState, UploadEvent> {
  /** Why `uploads:list` failed, or null. */
  loadError(): string | null
  /** Records an UploadInfo that an invoke returned (start, pause, resume, cancel). */
  apply(upload: UploadInfo): void
}

/** Finished and failed uploads are its outcomes. */
export function createUploadsStore(api: Pick<SidecastApi, 'invoke' | 'on'>): UploadsStore {
  let listError: string | null = null
  const live = createLiveStore<UploadsState, UploadEvent>(EMPTY_UPLOADS, () => {
    // Subscribe first, so nothing that happens while the list is on its way is missed.
    api.on('uploads:changed', (upload) => dispatch({ type: 'changed', upload }))
    api.invoke('uploads:list').then(
      (uploads) => {
        listError = null
        dispatch({ type: 'listed', uploads })
      },
      (error: unknown) => {
        listError = errorMessage(error)
        live.notify()
      }
    )
  })

  const dispatch = (action: UploadsAction): void => {
    const state = live.getSnapshot()
    let ended: UploadEvent | undefined
    if (action.type === 'changed') {
      const outcome = uploadOutcome(state.byId.get(action.upload.id), action.upload)
      if (outcome) ended = { upload: action.upload, outcome }
    }
    live.commit(reduceUploads(state, action), ended)
  }

  return {
    subscribe: live.subscribe,
    getSnapshot: live.getSnapshot,
    onOutcome: live.onOutcome,
    loadError: () => listError,
    apply(upload) {
      live.start()
      // An invoke's answer can trail the events: never step back from an end state.
      const known = live.getSnapshot().byId.get(upload.id)?.state
      if ((known === 'done' || known === 'cancelled') && known !== upload.state) return
      dispatch({ type: 'changed', upload })
    }
  }
}
