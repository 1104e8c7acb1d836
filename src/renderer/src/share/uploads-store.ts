/**
 * One live copy of main's upload queue for the whole window: `uploads:list` once, then every
 * `uploads:changed`. React reads it with useSyncExternalStore (see use-uploads.ts); the api is
 * passed in so tests drive it with a fake.
 */
import type { SidecastApi, UploadInfo } from '../../../shared/ipc'
import { errorMessage } from '../recorder/capture-errors'
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

export interface UploadsStore {
  /** Starts listening on the first call; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void
  getSnapshot(): UploadsState
  /** Why `uploads:list` failed, or null. */
  loadError(): string | null
  /** Records an UploadInfo that an invoke returned (start, pause, resume, cancel). */
  apply(upload: UploadInfo): void
  /**
   * Takes the finished / failed uploads, each delivered once: to the first consumer registered,
   * or — when none is — kept until one registers (so nothing is lost while no view listens).
   */
  onOutcome(consumer: (event: UploadEvent) => void): () => void
}

export function createUploadsStore(api: Pick<SidecastApi, 'invoke' | 'on'>): UploadsStore {
  let state: UploadsState = EMPTY_UPLOADS
  let started = false
  let listError: string | null = null
  const listeners = new Set<() => void>()
  const consumers: Array<(event: UploadEvent) => void> = []
  const pending: UploadEvent[] = []

  const deliver = (event: UploadEvent): void => {
    const consumer = consumers[0]
    if (consumer) consumer(event)
    else pending.push(event)
  }

  const dispatch = (action: UploadsAction): void => {
    if (action.type === 'changed') {
      const outcome = uploadOutcome(state.byId.get(action.upload.id), action.upload)
      state = reduceUploads(state, action)
      if (outcome) deliver({ upload: action.upload, outcome })
    } else {
      state = reduceUploads(state, action)
    }
    for (const listener of [...listeners]) listener()
  }

  const start = (): void => {
    if (started) return
    started = true
    // Subscribe first, so nothing that happens while the list is on its way is missed.
    api.on('uploads:changed', (upload) => dispatch({ type: 'changed', upload }))
    api.invoke('uploads:list').then(
      (uploads) => {
        listError = null
        dispatch({ type: 'listed', uploads })
      },
      (error: unknown) => {
        listError = errorMessage(error)
        for (const listener of [...listeners]) listener()
      }
    )
  }

  return {
    subscribe(listener) {
      listeners.add(listener)
      start()
      return () => listeners.delete(listener)
    },
    getSnapshot: () => state,
    loadError: () => listError,
    apply(upload) {
      start()
      // An invoke's answer can trail the events: never step back from an end state.
      const known = state.byId.get(upload.id)?.state
      if ((known === 'done' || known === 'cancelled') && known !== upload.state) return
      dispatch({ type: 'changed', upload })
    },
    onOutcome(consumer) {
      consumers.push(consumer)
      start()
      while (consumers[0] === consumer && pending.length > 0) {
        const event = pending.shift()
        if (event) consumer(event)
      }
      return () => {
        const index = consumers.indexOf(consumer)
        if (index >= 0) consumers.splice(index, 1)
      }
    }
  }
}
