/**
 * React's view of main's upload queue: `useUploads()` gives project id → that project's newest
 * upload, kept current by `uploads:changed`. One store serves the whole window.
 */
import { useSyncExternalStore } from 'react'
import type { UploadInfo } from '../../../shared/ipc'
import { api } from '../api'
import { createUploadsStore, type UploadsStore } from './uploads-store'

/** The window's one uploads store (listens from the first component that asks). */
export const uploadsStore: UploadsStore = createUploadsStore(api)

const byProject = (): ReadonlyMap<string, UploadInfo> => uploadsStore.getSnapshot().byProject

/** Project id → its newest upload (active, done, failed or cancelled). */
export function useUploads(): ReadonlyMap<string, UploadInfo> {
  return useSyncExternalStore(uploadsStore.subscribe, byProject)
}

/** The newest upload of one project, if any. */
export function useProjectUpload(projectId: string): UploadInfo | undefined {
  return useSyncExternalStore(uploadsStore.subscribe, () => byProject().get(projectId))
}

/** Upload id → upload, for following one specific upload (the dialog after "Upload"). */
export function useUpload(uploadId: string | null): UploadInfo | undefined {
  return useSyncExternalStore(uploadsStore.subscribe, () =>
    uploadId ? uploadsStore.getSnapshot().byId.get(uploadId) : undefined
  )
}
