/**
 * The IPC handlers of sharing: the library connection (Settings › Team library), the upload
 * queue, and each recording's share link.
 */
import { SidecastError } from '../../shared/errors'
import { UPLOAD_METADATA_LIMITS } from '../../shared/upload-metadata'
import type { FeatureHandlers } from '../ipc/feature-handlers'
import { optionalString, requireObject, requireProjectId, requireString } from '../ipc/ipc-args'
import type { ProjectCatalogue } from '../projects/project-catalogue'
import type { ShareLink } from '../projects/share-link'
import type { EditsSync } from './edits-sync'
import type { LibraryService } from './library'
import { isLibraryLink } from './library-client'
import type { UploadQueue } from './upload-queue'

export interface ShareHandlersOptions {
  readonly library: LibraryService
  readonly uploads: UploadQueue
  readonly projects: Pick<ProjectCatalogue, 'readShareLink'>
  /** Puts text on the clipboard. */
  readonly copyText: (text: string) => void | Promise<void>
  /** Opens a web page in the default browser. */
  readonly openExternal: (url: string) => Promise<void>
  /** The edits sync (a library that applies edits itself); absent: edits are exported. */
  readonly editsSync?: EditsSync
  /** True when the connected library takes a recording as it is plus its edits. */
  readonly takesEdits?: () => Promise<boolean>
}

/** Told instead of a second upload when only the edits of a recording in the library were sent. */
export const EDITS_SENT_INSTEAD_MESSAGE =
  'This recording is already in the library, so only its edits were sent (same link); nothing was uploaded again. To make a second video, upload it as a new video.'

export function shareHandlers(
  options: ShareHandlersOptions
): FeatureHandlers<'library' | 'uploads' | 'share'> {
  const { library, uploads } = options
  const maxDescription = UPLOAD_METADATA_LIMITS.description

  /**
   * The project's share link, or a clear error when it has none. A recording shared while it is
   * recorded has its link from the moment the library reserved its video, before it is ready.
   */
  async function shareLinkOf(projectId: string): Promise<ShareLink> {
    const link = await options.projects.readShareLink(projectId)
    const reserved = link
      ? undefined
      : uploads
          .list()
          .find((u) => u.projectId === projectId && u.live !== undefined && u.url !== undefined)
    if (reserved?.url) return { url: reserved.url, videoId: '', uploadedAt: '' }
    if (!link) {
      throw new SidecastError(
        'not-shared',
        'This recording has not been uploaded to the library yet. Upload it first.'
      )
    }
    return link
  }

  /** True when the project's video is in the library and takes its edits: sync, not upload. */
  async function editsOnly(projectId: string): Promise<boolean> {
    if (!options.editsSync || !options.takesEdits) return false
    const [record, link] = await Promise.all([
      options.editsSync.record(projectId),
      options.projects.readShareLink(projectId)
    ])
    if (!record || !link?.videoId || record.videoId !== link.videoId) return false
    return options.takesEdits()
  }

  function requireSync(): EditsSync {
    if (!options.editsSync) {
      throw new SidecastError('not-shared', 'This library does not keep edits apart from videos.')
    }
    return options.editsSync
  }

  return {
    'library:get': async () => library.config(),
    'library:configure': async (patch) => library.configure(patch),
    'library:test': async (patch) => library.test(patch === undefined ? {} : patch),
    'uploads:start': async (projectId, request) => {
      const id = requireProjectId(projectId)
      const body =
        request === undefined || request === null ? {} : requireObject(request, 'request')
      const title = optionalString(body.title, 'request.title', 10_000)
      const description = optionalString(body.description, 'request.description', 1_000_000)
      if (description !== undefined && [...description].length > maxDescription) {
        throw new SidecastError(
          'bad-description',
          `A description can have at most ${maxDescription} characters; this one has ${[...description].length}.`
        )
      }
      const asNew = body.asNewVideo
      if (asNew !== undefined && typeof asNew !== 'boolean') {
        throw new SidecastError('bad-request', 'request.asNewVideo must be true or false.')
      }
      if (!asNew && (await editsOnly(id))) {
        // Already there and the library applies edits: the edits are synced, not re-uploaded.
        await options.editsSync?.syncNow(id)
        throw new SidecastError('edits-sent-instead', EDITS_SENT_INSTEAD_MESSAGE)
      }
      return uploads.add(id, {
        ...(title !== undefined ? { title } : {}),
        ...(description !== undefined ? { description } : {}),
        ...(asNew ? { asNewVideo: true } : {})
      })
    },
    'uploads:list': async () => uploads.list(),
    'uploads:pause': async (uploadId) => uploads.pause(requireString(uploadId, 'uploadId', 100)),
    'uploads:resume': async (uploadId) => uploads.resume(requireString(uploadId, 'uploadId', 100)),
    'uploads:cancel': async (uploadId) => uploads.cancel(requireString(uploadId, 'uploadId', 100)),
    'share:copy-link': async (projectId) => {
      const link = await shareLinkOf(requireProjectId(projectId))
      await options.copyText(link.url)
    },
    'share:open': async (projectId) => {
      const link = await shareLinkOf(requireProjectId(projectId))
      const { url } = await library.config()
      if (!isLibraryLink(link.url, url)) {
        throw new SidecastError(
          'not-library-link',
          url
            ? `The recording's link (${link.url}) is not in the library at ${url}, so Sidecast did not open it. Copy the link instead.`
            : `No library is set, so Sidecast did not open ${link.url}. Copy the link instead.`
        )
      }
      await options.openExternal(link.url)
    },
    'share:sync-edits': async (projectId) => {
      const id = requireProjectId(projectId)
      return options.editsSync ? options.editsSync.syncNow(id) : null
    },
    'share:send-mine-anyway': async (projectId) =>
      requireSync().sendMineAnyway(requireProjectId(projectId))
  }
}
