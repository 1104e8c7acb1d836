/**
 * Builds main's services and the IPC handlers on top of them. Plain Node: the Electron edge and
 * the e2e harness each pass their own PlatformAdapters and event emitter.
 */
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import {
  type CaptureSource,
  type EventChannel,
  type EventPayload,
  type FfmpegStatus,
  type InvokeHandlers
} from '../shared/ipc'
import { SidecastError } from '../shared/errors'
import type { RecoveryNotice } from '../shared/project'
import type { Settings } from '../shared/settings'
import { fontDir } from './export/callout-raster'
import { parseExportPreset } from './export/presets'
import { createLibraryService, type LibraryService } from './share/library'
import { isLibraryLink } from './share/library-client'
import { createTokenStore, type SecretsAdapter } from './share/token-store'
import { createNodeTusLayer, type TusLayer } from './share/tus-layer'
import {
  createUploadQueue,
  TUS_URLS_FILE,
  UPLOADS_FOLDER,
  type UploadExporter,
  type UploadQueue
} from './share/upload-queue'
import { DiskUrlStorage } from './share/url-storage'
import { checkRecordingsDir } from './settings/recordings-dir'
import { locateFfmpeg, type FfmpegLocation } from './ffmpeg/locate-ffmpeg'
import { createMediaTools, type MediaTools } from './ffmpeg/media-tools'
import type { SettingsStore } from './settings/settings-store'
import {
  badRequest,
  requireBytes,
  requireObject,
  requireOneOf,
  requireProjectId,
  requireSeq,
  requireString
} from './ipc/ipc-args'
import { readEdits, writeEdits } from './projects/edits-store'
import { createExportService, type ExportService } from './export/export-service'
import { createProjectCatalogue, type ProjectCatalogue } from './projects/project-catalogue'
import { createProjectFolders } from './projects/project-folders'
import { createCaptureWriter } from './recording/capture-writer'
import { createRecorderService, type RecorderService } from './recording/recorder-service'

/** MediaRecorder's timeslice chunks are a few hundred KB; anything this big is not one. */
export const MAX_CHUNK_BYTES = 64 * 1024 * 1024

/** The library server's limit on a video's description. */
export const MAX_DESCRIPTION_LENGTH = 5000

export interface PlatformAdapters {
  /** Keeps the system awake while recording (powerSaveBlocker in Electron); returns the release function. */
  preventSleep(): () => void
  /** Screens and windows the user may record (desktopCapturer in Electron). */
  listCaptureSources(): Promise<CaptureSource[]>
  /** Shows a file in the system's file manager (shell.showItemInFolder in Electron). */
  revealPath(path: string): Promise<void>
  /** URL the renderer loads a project file from. */
  mediaUrl(projectId: string, fileName: string): string
  /** Puts text on the clipboard (clipboard.writeText in Electron). */
  copyText(text: string): void | Promise<void>
  /** Shows a system notification (Notification in Electron). */
  notify(title: string, body: string): void
  /** Opens a web page in the default browser (shell.openExternal in Electron). */
  openExternal(url: string): Promise<void>
  /** Encrypts the library token at rest (safeStorage in Electron). */
  readonly secrets: SecretsAdapter
  /** Calls back when the network comes back (or the computer wakes); returns the unsubscribe. */
  onOnline?(callback: () => void): () => void
}

export interface AppServicesOptions {
  /** Where projects live (`<dataDir>/projects`). */
  readonly dataDir: string
  /** The app's version, shown in app:info. */
  readonly version: string
  /** `process.platform`, shown in app:info. */
  readonly platform: string
  /** True in the browser e2e harness. */
  readonly harness: boolean
  readonly settings: SettingsStore
  readonly adapters: PlatformAdapters
  /** Sends an event to the renderer(s). */
  emit<E extends EventChannel>(channel: E, payload: EventPayload<E>): void
  /** Electron's `process.resourcesPath`, to find the unpacked bundled ffmpeg in a packaged app. */
  readonly resourcesPath?: string
  /** Free bytes on a disk; tests inject a fake. */
  readonly freeBytes?: (dir: string) => Promise<number>
  /** Finds ffmpeg for a setting; tests inject a fake. Defaults to locateFfmpeg. */
  readonly locateFfmpeg?: (settingPath: string) => FfmpegLocation
  /** The environment: SIDECAST_LIBRARY_URL / SIDECAST_LIBRARY_TOKEN fix the library connection. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** The tus layer; default tus-js-client with URLs in `<dataDir>/uploads/tus-urls.json`. */
  readonly tusLayer?: TusLayer
  /** Waits between upload retries; tests shorten them. */
  readonly uploadRetryDelaysMs?: readonly number[]
}

export interface AppServices {
  readonly projects: ProjectCatalogue
  readonly recorder: RecorderService
  readonly exports: ExportService
  readonly settings: SettingsStore
  readonly library: LibraryService
  readonly uploads: UploadQueue
  ffmpegStatus(): FfmpegStatus
  readonly handlers: InvokeHandlers
  /** Recovers recordings left unfinished by a crash; the notices are also served once over IPC. */
  startup(): Promise<RecoveryNotice[]>
  /**
   * Pauses uploads (they resume at the next start), finishes an active recording safely and
   * cancels a running export (its partial file removed).
   */
  shutdown(): Promise<void>
}

export function createAppServices(opts: AppServicesOptions): AppServices {
  const { settings, adapters } = opts
  const locate =
    opts.locateFfmpeg ??
    ((settingPath: string) => locateFfmpeg({ settingPath, resourcesPath: opts.resourcesPath }))

  // ffmpeg is found on first use and again whenever the setting changes (or it was missing).
  let ffmpeg: { setting: string; location: FfmpegLocation; tools: MediaTools | null } | null = null
  function currentFfmpeg(): NonNullable<typeof ffmpeg> {
    const setting = settings.get().ffmpegPath
    if (!ffmpeg || ffmpeg.setting !== setting || !ffmpeg.location.ok) {
      ffmpeg = { setting, location: locate(setting), tools: null }
    }
    return ffmpeg
  }
  function ffmpegStatus(): FfmpegStatus {
    const { ok, path, source, problem } = currentFfmpeg().location
    return { ok, path, source, problem }
  }
  function mediaTools(): MediaTools {
    const found = currentFfmpeg()
    const { location } = found
    if (!location.ok || !location.path || !location.ffprobePath) {
      throw new SidecastError('ffmpeg-missing', location.problem ?? 'ffmpeg is not available.')
    }
    found.tools ??= createMediaTools({
      ffmpegPath: location.path,
      ffprobePath: location.ffprobePath
    })
    return found.tools
  }
  function ffmpegPath(): string {
    const { location } = currentFfmpeg()
    if (!location.ok || !location.path) {
      throw new SidecastError('ffmpeg-missing', location.problem ?? 'ffmpeg is not available.')
    }
    return location.path
  }

  // The recordings folder is read once: a change applies at the next start.
  const recordingsDir = settings.get().recordingsDir
  const folders = createProjectFolders({
    dataDir: opts.dataDir,
    ...(recordingsDir ? { projectsDir: recordingsDir } : {})
  })
  const capture = createCaptureWriter({ folders, mediaTools })
  const projects = createProjectCatalogue({
    folders,
    active: capture,
    mediaUrl: (projectId, fileName) => adapters.mediaUrl(projectId, fileName)
  })
  const recorder = createRecorderService({
    capture,
    projects,
    settings: () => settings.get(),
    preventSleep: () => adapters.preventSleep(),
    ...(opts.freeBytes ? { freeBytes: opts.freeBytes } : {})
  })
  recorder.onState((state) => {
    opts.emit('recorder:state', state)
    // Back to idle means a recording was finished (by the user, a full disk or shutdown).
    if (state.phase === 'idle') opts.emit('projects:changed', null)
  })

  const exports = createExportService({
    projects,
    ffmpegPath,
    // Only a packaged app needs resourcesPath; without it runExport finds the fonts itself, and
    // only when there are callouts to draw, so a missing font folder cannot block a plain export.
    fontDir: () =>
      opts.resourcesPath ? fontDir({ resourcesPath: opts.resourcesPath }) : undefined,
    emit: (event) => opts.emit('export:progress', event)
  })

  const library = createLibraryService({
    settings,
    tokens: createTokenStore({ dataDir: opts.dataDir, secrets: adapters.secrets }),
    env: opts.env ?? {}
  })

  /** Runs an upload's export through the export service (one export at a time, so it may wait). */
  const uploadExporter: UploadExporter = {
    async export({ projectId, preset, outFile, signal, onProgress }) {
      const aborted = (): SidecastError =>
        new SidecastError('cancelled', 'The export for the upload was stopped.')
      for (;;) {
        if (signal.aborted) throw aborted()
        try {
          await new Promise<void>((resolve, reject) => {
            let exportId: string | null = null
            const onAbort = (): void => {
              if (exportId) exports.cancel(exportId)
            }
            exports
              .start(projectId, preset, {
                outFile,
                onEvent: (event) => {
                  if (event.state === 'running') {
                    onProgress(event.fraction)
                    return
                  }
                  signal.removeEventListener('abort', onAbort)
                  if (event.state === 'done') resolve()
                  else if (event.state === 'cancelled') reject(aborted())
                  else reject(new Error(event.error ?? 'the export failed'))
                }
              })
              .then(({ exportId: id }) => {
                exportId = id
                signal.addEventListener('abort', onAbort, { once: true })
                if (signal.aborted) exports.cancel(id)
              }, reject)
          })
          return
        } catch (error) {
          if (!(error instanceof SidecastError && error.code === 'export-busy') || signal.aborted) {
            throw error
          }
          // The user's own export runs: wait for it, then take the next turn.
          await new Promise<void>((resolve) => {
            signal.addEventListener('abort', () => resolve(), { once: true })
            void exports.idle().then(resolve)
          })
        }
      }
    }
  }

  const uploadsDir = join(opts.dataDir, UPLOADS_FOLDER)
  const uploads = createUploadQueue({
    dataDir: opts.dataDir,
    tus:
      opts.tusLayer ??
      createNodeTusLayer({ storage: new DiskUrlStorage(join(uploadsDir, TUS_URLS_FILE)) }),
    projects: {
      readFacts: (id) => projects.readFacts(id),
      projectDir: (id) => projects.projectDir(id),
      isRecording: (id) => recorder.activeIds().includes(id)
    },
    exporter: uploadExporter,
    credentials: () => library.credentials(),
    defaultPreset: () => {
      const { exportSize, exportQuality } = settings.get()
      return parseExportPreset({ size: exportSize, quality: exportQuality })
    },
    emit: (info) => opts.emit('uploads:changed', info),
    async storeLink(projectId, video) {
      await projects.writeShareLink(projectId, video)
      changed()
    },
    async announce(video, title) {
      if (settings.get().copyLinkAfterUpload) {
        await adapters.copyText(video.url)
        adapters.notify('Uploaded — link copied', title)
      } else {
        adapters.notify('Uploaded', title)
      }
    },
    ...(opts.uploadRetryDelaysMs ? { retryDelaysMs: opts.uploadRetryDelaysMs } : {})
  })
  library.onChange(() => uploads.credentialsChanged())
  let stopOnline: (() => void) | null = null

  /** The project's library link, or a clear error when it has none. */
  async function shareOf(projectId: string) {
    const share = await projects.readShareLink(projectId)
    if (!share) {
      throw new SidecastError(
        'not-shared',
        'This recording has not been uploaded to the library yet. Upload it first.'
      )
    }
    return share
  }

  /** Facts of a recording whose edits may be saved: finished, not still being written. */
  async function editableFacts(projectId: string) {
    const facts = await projects.readFacts(projectId)
    if (facts.status === 'recording' || recorder.activeIds().includes(projectId)) {
      throw new SidecastError(
        'still-recording',
        'This recording is still being recorded, so it cannot be edited yet. Stop it first.'
      )
    }
    return facts
  }

  let pendingNotices: RecoveryNotice[] = []
  function changed(): void {
    opts.emit('projects:changed', null)
  }

  const handlers: InvokeHandlers = {
    'app:info': async () => ({
      version: opts.version,
      platform: opts.platform,
      dataDir: opts.dataDir,
      projectsDir: projects.projectsDir,
      ffmpeg: ffmpegStatus(),
      harness: opts.harness
    }),
    'settings:get': async () => settings.get(),
    // The settings store validates the patch itself and names the bad field; the library's
    // address and the recordings folder get the extra checks they need first.
    'settings:set': async (patch) => {
      let next = patch as Partial<Settings>
      if (typeof patch === 'object' && patch !== null && !Array.isArray(patch)) {
        const body = patch as Record<string, unknown>
        if ('libraryUrl' in body) {
          next = { ...next, libraryUrl: library.checkUrlSetting(body.libraryUrl) }
        }
        const dir = body.recordingsDir
        if (typeof dir === 'string' && dir !== '' && dir !== settings.get().recordingsDir) {
          if (dir.length > 4096) throw badRequest('The recordings folder path is too long.')
          await checkRecordingsDir(dir)
        }
      }
      const before = settings.get().libraryUrl
      const after = settings.set(next)
      if (after.libraryUrl !== before) library.notifyChanged()
      return after
    },
    'sources:list': async () => adapters.listCaptureSources(),
    'sources:select': async (sourceId) => {
      const id = requireString(sourceId, 'sourceId', 512)
      if (!id) throw badRequest('"sourceId" must not be empty.')
      settings.set({ sourceId: id })
    },
    'recording:start': async (request) => {
      const body = requireObject(request, 'request')
      const mimeType = requireString(body.mimeType, 'request.mimeType', 200)
      if (!/^video\//i.test(mimeType)) throw badRequest('"request.mimeType" must be a video type.')
      const sourceName = requireString(body.sourceName, 'request.sourceName', 512)
      const started = await recorder.start({ mimeType, sourceName })
      changed()
      return started
    },
    'recording:chunk': async (projectId, seq, data) =>
      recorder.chunk(
        requireProjectId(projectId),
        requireSeq(seq),
        requireBytes(data, 'data', MAX_CHUNK_BYTES)
      ),
    'recording:state': async (projectId, phase) => {
      recorder.setPhase(
        requireProjectId(projectId),
        requireOneOf(phase, 'phase', ['recording', 'paused'] as const)
      )
    },
    'recording:stop': async (projectId, info) => {
      const id = requireProjectId(projectId)
      const body = info === undefined ? {} : requireObject(info, 'info')
      const endedBecause =
        body.endedBecause === undefined
          ? undefined
          : requireString(body.endedBecause, 'info.endedBecause', 500)
      return recorder.stop(id, endedBecause ? { endedBecause } : {})
    },
    'projects:list': async () => projects.list(),
    'projects:rename': async (projectId, title) => {
      const summary = await projects.rename(
        requireProjectId(projectId),
        requireString(title, 'title', 10_000)
      )
      changed()
      return summary
    },
    'projects:delete': async (projectId) => {
      await projects.remove(requireProjectId(projectId))
      changed()
    },
    'projects:reveal': async (projectId) => {
      const id = requireProjectId(projectId)
      const facts = await projects.readFacts(id)
      const file = join(projects.projectDir(id), facts.file)
      const exists = await stat(file).then(
        () => true,
        () => false
      )
      await adapters.revealPath(exists ? file : projects.projectDir(id))
    },
    'projects:recovery-notices': async () => {
      const notices = pendingNotices
      pendingNotices = []
      return notices
    },
    'edits:get': async (projectId) => {
      const id = requireProjectId(projectId)
      const facts = await projects.readFacts(id)
      return readEdits(projects.projectDir(id), facts.durationMs)
    },
    'edits:save': async (projectId, edits) => {
      const id = requireProjectId(projectId)
      const facts = await editableFacts(id)
      return writeEdits(projects.projectDir(id), edits, facts.durationMs)
    },
    'export:start': async (projectId, preset) => exports.start(requireProjectId(projectId), preset),
    'export:cancel': async (exportId) => {
      exports.cancel(requireString(exportId, 'exportId', 200))
    },
    'export:reveal': async (exportId) => {
      const file = exports.finishedFile(requireString(exportId, 'exportId', 200))
      if (!file) {
        throw new SidecastError(
          'export-not-found',
          'That export has not finished (or was made before Sidecast restarted), so there is no file to show.'
        )
      }
      await adapters.revealPath(file)
    },
    'library:get': async () => library.config(),
    'library:configure': async (patch) => library.configure(patch),
    'library:test': async (patch) => library.test(patch === undefined ? {} : patch),
    'uploads:start': async (projectId, request) => {
      const id = requireProjectId(projectId)
      const body =
        request === undefined || request === null ? {} : requireObject(request, 'request')
      const title =
        body.title === undefined ? undefined : requireString(body.title, 'request.title', 10_000)
      const description =
        body.description === undefined
          ? undefined
          : requireString(body.description, 'request.description', 1_000_000)
      if (description !== undefined && [...description].length > MAX_DESCRIPTION_LENGTH) {
        throw new SidecastError(
          'bad-description',
          `A description can have at most ${MAX_DESCRIPTION_LENGTH} characters; this one has ${[...description].length}.`
        )
      }
      return uploads.add(id, {
        ...(title !== undefined ? { title } : {}),
        ...(description !== undefined ? { description } : {})
      })
    },
    'uploads:list': async () => uploads.list(),
    'uploads:pause': async (uploadId) => uploads.pause(requireString(uploadId, 'uploadId', 100)),
    'uploads:resume': async (uploadId) => uploads.resume(requireString(uploadId, 'uploadId', 100)),
    'uploads:cancel': async (uploadId) => uploads.cancel(requireString(uploadId, 'uploadId', 100)),
    'share:copy-link': async (projectId) => {
      const share = await shareOf(requireProjectId(projectId))
      await adapters.copyText(share.url)
    },
    'share:open': async (projectId) => {
      const share = await shareOf(requireProjectId(projectId))
      const { url } = await library.config()
      if (!isLibraryLink(share.url, url)) {
        throw new SidecastError(
          'not-library-link',
          url
            ? `The recording's link (${share.url}) is not in the library at ${url}, so Sidecast did not open it. Copy the link instead.`
            : `No library is set, so Sidecast did not open ${share.url}. Copy the link instead.`
        )
      }
      await adapters.openExternal(share.url)
    }
  }

  return {
    projects,
    recorder,
    exports,
    settings,
    library,
    uploads,
    ffmpegStatus,
    handlers,
    async startup() {
      const notices = await capture.recoverUnfinished(recorder.activeIds())
      pendingNotices = [...pendingNotices, ...notices]
      if (notices.length > 0) changed()
      try {
        await uploads.start()
      } catch (error) {
        console.error('[uploads] could not resume the upload queue', error)
      }
      stopOnline = adapters.onOnline?.(() => uploads.networkBack()) ?? null
      return notices
    },
    async shutdown() {
      stopOnline?.()
      stopOnline = null
      await uploads.shutdown()
      await exports.shutdown()
      await recorder.shutdown()
      await capture.close()
    }
  }
}
