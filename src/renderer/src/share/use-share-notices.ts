/**
 * Tells the user when work they are not watching ends: an upload finished ("Uploaded — link
 * copied", or "Uploaded" with Copy link), a recording shared while it was made reached Stop with
 * its link ("Link copied — the video will be ready in a moment", once: not again when the library
 * has finished it), or an upload failed (with Open settings when the token was
 * refused), and an export left running in the background finished, failed or was cancelled.
 * Mount it once high in the tree; if it is mounted twice, each event is still told once.
 * A failure's notice is about that project's upload (`uploadNoticeKey`): it goes away by itself
 * once the project's upload is no longer failed (it succeeded, or is being retried).
 */
import { useEffect } from 'react'
import type { UploadInfo } from '../../../shared/ipc'
import { api } from '../api'
import { exportEndWords } from '../export/exports-model'
import { exportsStore } from '../export/use-exports'
import { useLatest } from '../lib/use-latest'
import type { OpenSettings } from '../settings/open-settings'
import type { Notices } from '../ui/notices'
import { resolvedUploadNoticeKeys, uploadNoticeKey } from '../ui/notices-model'
import { uploadOutcomeMessage } from './uploads-model'
import { uploadsStore } from './use-uploads'

/** Copies a recording's library link and says so (or why it could not). */
export function copyShareLink(projectId: string, notices: Notices): void {
  api
    .invoke('share:copy-link', projectId)
    .then(() => notices.info('Link copied.'))
    .catch((failure: unknown) => notices.error(failure))
}

export function useShareNotices(notices: Notices, openSettings: OpenSettings | null): void {
  const openRef = useLatest(openSettings)

  useEffect(() => {
    const uploaded = (upload: UploadInfo, outcome: 'done' | 'link'): void => {
      // Main copies the link itself when the setting is on; the notice only reports it.
      api
        .invoke('settings:get')
        .then(
          (settings) => settings.copyLinkAfterUpload,
          () => false
        )
        .then((copied) => {
          const message = uploadOutcomeMessage(upload, outcome, copied)
          if (copied) notices.info(message)
          else
            notices.info(message, {
              label: 'Copy link',
              run: () => copyShareLink(upload.projectId, notices)
            })
        })
    }
    const offUploads = uploadsStore.onOutcome(({ upload, outcome }) => {
      if (outcome === 'done' || outcome === 'link') return uploaded(upload, outcome)
      const open = openRef.current
      notices.error(
        uploadOutcomeMessage(upload, 'failed', false),
        upload.needsToken && open
          ? { label: 'Open settings', run: () => open('library-token') }
          : undefined,
        { key: uploadNoticeKey(upload.projectId) }
      )
    })
    // An upload error that no longer applies goes away by itself.
    const clearResolved = (): void => {
      for (const key of resolvedUploadNoticeKeys(uploadsStore.getSnapshot().byProject.values())) {
        notices.clear(key)
      }
    }
    clearResolved()
    const offResolved = uploadsStore.subscribe(clearResolved)
    const offExports = exportsStore.onOutcome(({ event, title }) => {
      const message = exportEndWords(event, title)
      if (event.state === 'failed') notices.error(message)
      else if (event.state === 'done')
        notices.info(message, {
          label: 'Show in folder',
          run: () => {
            api
              .invoke('export:reveal', event.exportId)
              .catch((failure: unknown) => notices.error(failure))
          }
        })
      else notices.info(message)
    })
    return () => {
      offResolved()
      offUploads()
      offExports()
    }
  }, [notices, openRef])
}
