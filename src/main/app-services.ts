/**
 * Main's composition in plain Node: builds the services of each feature and the IPC handlers on
 * top of them (each feature's own *-handlers.ts). The Electron edge (index.ts) and the e2e
 * harness each pass their own PlatformAdapters and event emitter; nothing here imports Electron.
 */
import { join } from 'node:path'
import type {
  CaptureSource,
  EventChannel,
  EventPayload,
  FfmpegStatus,
  InvokeHandlers
} from '../shared/ipc'
import type { RecoveryNotice, WindowLostCause } from '../shared/project'
import type { RequestJson } from '../shared/learn'
import { SidecastError } from '../shared/errors'
import { LINK_COPIED_AT_STOP, LINK_READY_AT_STOP, notificationTitle } from '../shared/instant-share'
import { errorMessage } from '../engine/error-details'
import { fontDir } from '../engine/callout-raster'
import { exportHandlers } from './export/export-handlers'
import { createLearnClient, type LearnClient } from './learn/learn-client'
import { learnHandlers } from './learn/learn-handlers'
import { createLearnPoller, type LearnPoller, type PollTimers } from './learn/learn-poller'
import { createCursorStore } from './learn/notification-cursors'
import { createExportService, type ExportService } from './export/export-service'
import { parseExportPreset } from '../engine/presets'
import { createCurrentFfmpeg } from './ffmpeg/current-ffmpeg'
import { locateFfmpeg, type FfmpegLocation } from './ffmpeg/locate-ffmpeg'
import { createProjectCatalogue, type ProjectCatalogue } from './projects/project-catalogue'
import { createProjectFolders } from './projects/project-folders'
import { createProjectTrash } from './projects/project-trash'
import { projectHandlers } from './projects/project-handlers'
import { createCaptureWriter } from './recording/capture-writer'
import { createRecorderService, type RecorderService } from './recording/recorder-service'
import { recordingHandlers } from './recording/recording-handlers'
import { settingsHandlers } from './settings/settings-handlers'
import type { SettingsStore } from './settings/settings-store'
import { createEditsApi, createEditsFeatureCheck } from './share/edits-api'
import { createEditsSync, type EditsSync } from './share/edits-sync'
import { createLibraryService, type LibraryService } from './share/library'
import { NODE_LIBRARY_NET, type LibraryNet } from './share/library-net'
import { shareHandlers } from './share/share-handlers'
import { createTokenStore, type SecretsAdapter } from './share/token-store'
import { createNodeTusLayer, type TusLayer } from './share/tus-layer'
import { uploadExporter } from './share/upload-exporter'
import { createUploadQueue, type UploadQueue } from './share/upload-queue'
import { TUS_URLS_FILE, UPLOADS_FOLDER } from './share/upload-queue-file'
import { DiskUrlStorage } from './share/url-storage'
import type { UpdateEngine } from './updates/update-engine'
import { updateHandlers } from './updates/update-handlers'
import { NOT_INSTALLED, restartWaitsFor, type UpdateSupport } from './updates/update-policy'
import {
  createUpdateService,
  type UpdateService,
  type UpdateServiceOptions
} from './updates/update-service'

/** What recording.json's `endedBecause` says when main finished a recording for a lost window. */
const WINDOW_LOST_REASON: Readonly<Record<WindowLostCause, string>> = {
  'window-reloaded': 'Sidecast’s window reloaded while recording, so the recording was stopped.',
  'window-crashed':
    'Sidecast’s window stopped working while recording, so the recording was stopped.'
}

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
  /**
   * Shows a system notification (Notification in Electron); with `url`, clicking it opens that
   * page (an http(s) page of the connected library; checked by the caller) in the browser.
   */
  notify(title: string, body: string, options?: { readonly url?: string }): void
  /** Opens a web page in the default browser (shell.openExternal in Electron). */
  openExternal(url: string): Promise<void>
  /** Encrypts the library token at rest (safeStorage in Electron). */
  readonly secrets: SecretsAdapter
  /** Calls back when the network comes back (or the computer wakes); returns the unsubscribe. */
  onOnline?(callback: () => void): () => void
  /**
   * The network library requests go through (the JSON API and tus uploads): Chromium's in the app
   * (electron/net-stack.ts: system proxies, the OS certificate store); default Node's.
   */
  readonly net?: LibraryNet
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
  /** The edits sync's debounce and retry waits; tests shorten them. */
  readonly editsSyncTiming?: {
    readonly debounceMs?: number
    readonly retryDelaysMs?: readonly number[]
  }
  /**
   * How this copy updates itself (src/main/updates/): electron-updater in a packaged app
   * (electron/updater.ts), a scripted fake in the e2e harness; absent, it does not.
   */
  readonly updates?: { readonly support: UpdateSupport; readonly engine: UpdateEngine | null }
  /** Timers of the update checks; tests drive them by hand. */
  readonly updateService?: Pick<UpdateServiceOptions, 'timers' | 'now' | 'firstCheckDelayMs'>
  /** How long a deleted recording can be restored; default DEFAULT_DELETE_UNDO_MS (the harness shortens it). */
  readonly deleteUndoMs?: number
  /** The notifications poll's timers and interval (learn/learn-poller.ts); tests drive them. */
  readonly learnPoll?: { readonly timers?: PollTimers; readonly intervalMs?: number }
  /** Whether anything lists the open requests (the tray); default false. */
  readonly trayRequests?: boolean
}

export interface AppServices {
  readonly projects: ProjectCatalogue
  readonly recorder: RecorderService
  readonly exports: ExportService
  readonly settings: SettingsStore
  readonly library: LibraryService
  readonly uploads: UploadQueue
  /** Sends the edits of recordings in the library to it after each save (edits-sync.ts). */
  readonly editsSync: EditsSync
  /** Updating Sidecast from the library (Settings › Updates, the tray's "Restart to update"). */
  readonly updates: UpdateService
  /** "Learn together": the library's requests and notifications (src/main/learn/). */
  readonly learn: {
    readonly client: LearnClient
    readonly poller: LearnPoller
    /** Calls `listener` with the tray's open requests whenever they change; returns the unsubscribe. */
    onTrayRequests(listener: (requests: readonly RequestJson[]) => void): () => void
  }
  ffmpegStatus(): FfmpegStatus
  readonly handlers: InvokeHandlers
  /** Recovers recordings left unfinished by a crash; the notices are also served once over IPC. */
  startup(): Promise<RecoveryNotice[]>
  /**
   * Finishes the active recording when the window that drove it is gone (it reloaded or its
   * renderer crashed): no stop will come from it any more. What was written is kept, and a
   * notice says so; `projects:recovery-notices` waits for this, so the window that loads again
   * shows it. Does nothing when no recording is running.
   */
  finishForLostWindow(cause: WindowLostCause): Promise<void>
  /**
   * Pauses uploads (they resume at the next start), finishes an active recording safely and
   * cancels a running export (its partial file removed).
   */
  shutdown(): Promise<void>
}

export function createAppServices(opts: AppServicesOptions): AppServices {
  const { settings, adapters } = opts
  const projectsChanged = (): void => opts.emit('projects:changed', null)
  // Recording, exporting or uploading started or ended: a restart to update may wait, or not.
  let busyChanged = (): void => undefined

  const ffmpeg = createCurrentFfmpeg({
    settingPath: () => settings.get().ffmpegPath,
    locate:
      opts.locateFfmpeg ??
      ((settingPath) => locateFfmpeg({ settingPath, resourcesPath: opts.resourcesPath }))
  })

  // Recording and projects. The recordings folder is read once: a change applies at the next start.
  const recordingsDir = settings.get().recordingsDir
  const folders = createProjectFolders({
    dataDir: opts.dataDir,
    ...(recordingsDir ? { projectsDir: recordingsDir } : {})
  })
  const capture = createCaptureWriter({
    folders,
    mediaTools: () => ffmpeg.mediaTools(),
    // Share while recording: the live upload keeps the capture until the library has every byte.
    captureNeeded: (id) => uploads.captureNeeded(id),
    onCaptureClosed: (id, size, recovered) => {
      // A recording picked up after a crash was stopped by no one: its link is told at the end.
      if (size > 0) uploads.sealLive(id, size, { announce: !recovered })
      else void uploads.discardLive(id)
    }
  })
  const projects = createProjectCatalogue({
    folders,
    trash: createProjectTrash({
      projectsDir: folders.projectsDir,
      ...(opts.deleteUndoMs !== undefined ? { undoMs: opts.deleteUndoMs } : {})
    }),
    active: capture,
    mediaUrl: (projectId, fileName) => adapters.mediaUrl(projectId, fileName),
    editsSync: (id) => editsSync.status(id)
  })
  const recorder = createRecorderService({
    capture,
    projects,
    settings: () => settings.get(),
    preventSleep: () => adapters.preventSleep(),
    ...(opts.freeBytes ? { freeBytes: opts.freeBytes } : {}),
    takes: {
      // Share while recording: the upload is created in the background; the recording never
      // waits for it, and a failure shows on the upload while the recording stays safe locally.
      started(facts) {
        void (async () => {
          if (!(await library.config()).shareWhileRecording) return
          await uploads.addLive(facts.id, { title: facts.title, captureFile: facts.file })
        })().catch((error: unknown) =>
          console.warn(`[uploads] could not share ${facts.id} while recording`, error)
        )
      },
      discarded(projectId) {
        void uploads.discardLive(projectId)
      },
      // The audio fast exports copy (timeline-audio.ts), made while the user looks at the take.
      finished(projectId) {
        void exports.prepareAudio(projectId)
      }
    }
  })
  const isRecording = (projectId: string): boolean => recorder.activeIds().includes(projectId)
  recorder.onState((state) => {
    opts.emit('recorder:state', state)
    // Back to idle means a recording was finished (by the user, a full disk or shutdown).
    if (state.phase === 'idle') projectsChanged()
  })

  // Export.
  const exports = createExportService({
    projects,
    ffmpegPath: () => ffmpeg.ffmpegPath(),
    ffprobePath: () => ffmpeg.ffprobePath(),
    // Only a packaged app needs resourcesPath; without it runExport finds the fonts itself, and
    // only when there are callouts to draw, so a missing font folder cannot block a plain export.
    fontDir: () =>
      opts.resourcesPath ? fontDir({ resourcesPath: opts.resourcesPath }) : undefined,
    emit: (event) => {
      opts.emit('export:progress', event)
      busyChanged()
    }
  })

  // Sharing: the library connection and the upload queue.
  const net = adapters.net ?? NODE_LIBRARY_NET
  const library = createLibraryService({
    settings,
    tokens: createTokenStore({ dataDir: opts.dataDir, secrets: adapters.secrets }),
    env: opts.env ?? {},
    fetch: net.fetch
  })
  // A library that applies edits itself takes recordings as they are, and their edits after.
  const editsFeature = createEditsFeatureCheck({
    credentials: () => library.credentials(),
    fetch: net.fetch
  })
  library.onChange(() => editsFeature.forget())
  const editsSync = createEditsSync({
    api: createEditsApi({ credentials: () => library.credentials(), fetch: net.fetch }),
    projectsDir: projects.projectsDir,
    projectDir: (id) => projects.projectDir(id),
    durationMs: async (id) => (await projects.readFacts(id)).durationMs,
    changed: () => projectsChanged(),
    ...opts.editsSyncTiming
  })
  library.onChange(() => editsSync.retryPending())
  const uploadsDir = join(opts.dataDir, UPLOADS_FOLDER)
  const uploads = createUploadQueue({
    dataDir: opts.dataDir,
    tus:
      opts.tusLayer ??
      createNodeTusLayer({ storage: new DiskUrlStorage(join(uploadsDir, TUS_URLS_FILE)), net }),
    projects: {
      readFacts: (id) => projects.readFacts(id),
      projectDir: (id) => projects.projectDir(id),
      isRecording,
      isBeingWritten: (id) => capture.activeIds().includes(id)
    },
    exporter: uploadExporter(exports),
    credentials: () => library.credentials(),
    defaultPreset: () => {
      const { exportSize, exportQuality } = settings.get()
      return parseExportPreset({ size: exportSize, quality: exportQuality })
    },
    emit: (info) => opts.emit('uploads:changed', info),
    takesEdits: () => editsFeature.takesEdits(),
    takesCamera: () => editsFeature.takesCamera(),
    async uploaded(upload) {
      // The recording went as it is (live, as it was made; or it had no edits then): its edits
      // follow, now and after every later save, when the library applies edits itself.
      const follow =
        upload.sendsEdits || (upload.source !== 'export' && (await editsFeature.takesEdits()))
      if (follow) {
        await editsSync.uploaded(upload.projectId, upload.videoId, { replaced: upload.replaced })
      }
    },
    async storeLink(projectId, link) {
      await projects.writeShareLink(projectId, link)
      projectsChanged()
    },
    async announce(link, title) {
      if (settings.get().copyLinkAfterUpload) {
        await adapters.copyText(link.url)
        adapters.notify('Uploaded — link copied', title)
      } else {
        adapters.notify('Uploaded', title)
      }
    },
    async announceLink(url, title) {
      if (settings.get().copyLinkAfterUpload) {
        await adapters.copyText(url)
        adapters.notify(notificationTitle(LINK_COPIED_AT_STOP), title)
      } else {
        adapters.notify(notificationTitle(LINK_READY_AT_STOP), title)
      }
    },
    ...(opts.uploadRetryDelaysMs ? { retryDelaysMs: opts.uploadRetryDelaysMs } : {})
  })
  library.onChange(() => uploads.credentialsChanged())

  // Updates from the library (src/main/updates/).
  const updates = createUpdateService({
    currentVersion: opts.version,
    support: opts.updates?.support ?? { mode: 'none', reason: NOT_INSTALLED },
    engine: opts.updates?.engine ?? null,
    settings: () => settings.get(),
    env: opts.env ?? {},
    credentials: () => library.credentials(),
    restartWaitsFor: () =>
      restartWaitsFor({
        recorderPhase: recorder.state().phase,
        exporting: exports.current() !== null,
        uploads: uploads.list()
      }),
    emit: (status) => opts.emit('updates:changed', status),
    notify: (title, body) => adapters.notify(title, body),
    warn: (message) => console.warn(`[updates] ${message}`),
    ...opts.updateService
  })
  busyChanged = () => updates.busyChanged()

  // Learn together: the Requests view, the tray's open requests and native notifications.
  const learnClient = createLearnClient({
    credentials: () => library.credentials(),
    fetch: net.fetch
  })
  const trayListeners = new Set<(requests: readonly RequestJson[]) => void>()
  const learnPoller = createLearnPoller({
    client: learnClient,
    notificationsOn: () => settings.get().notifyActivity,
    notify: (title, body, options) => adapters.notify(title, body, options),
    cursors: createCursorStore(opts.dataDir),
    trayRequestsChanged(requests) {
      for (const listener of trayListeners) listener(requests)
    },
    wantsTrayRequests: () => opts.trayRequests === true,
    ...opts.learnPoll
  })
  library.onChange(() => learnPoller.pollSoon())
  recorder.onState(() => updates.busyChanged())
  uploads.onChange(() => updates.busyChanged())
  library.onChange(() => updates.libraryChanged())
  let stopOnline: (() => void) | null = null
  let pendingNotices: RecoveryNotice[] = []
  let finishingForLostWindow: Promise<void> | null = null

  async function finishForLostWindow(cause: WindowLostCause): Promise<void> {
    const { phase, projectId } = recorder.state()
    if (!projectId || (phase !== 'recording' && phase !== 'paused')) {
      return finishingForLostWindow ?? undefined
    }
    const run = (async () => {
      let problem: string | null = null
      try {
        await recorder.stop(projectId, { endedBecause: WINDOW_LOST_REASON[cause] })
      } catch (error) {
        problem =
          error instanceof SidecastError
            ? error.message
            : `Finishing it failed (${errorMessage(error)}). What was recorded is kept on disk.`
      }
      const summary = await projects.get(projectId).catch(() => null)
      const notice: RecoveryNotice = {
        projectId,
        title: summary?.title ?? projectId,
        durationMs: summary?.durationMs ?? null,
        problem,
        cause
      }
      pendingNotices = [...pendingNotices, notice]
    })()
    finishingForLostWindow = run
    try {
      await run
    } finally {
      if (finishingForLostWindow === run) finishingForLostWindow = null
    }
  }

  const featureHandlers: InvokeHandlers = {
    ...settingsHandlers({
      info: {
        version: opts.version,
        platform: opts.platform,
        dataDir: opts.dataDir,
        projectsDir: projects.projectsDir,
        harness: opts.harness
      },
      ffmpegStatus: () => ffmpeg.status(),
      settings,
      library,
      updates
    }),
    ...recordingHandlers({
      recorder,
      settings,
      listCaptureSources: () => adapters.listCaptureSources(),
      projectsChanged
    }),
    ...projectHandlers({
      projects,
      isRecording,
      revealPath: (path) => adapters.revealPath(path),
      projectsChanged,
      editsSaved: (projectId) => editsSync.saved(projectId),
      async cancelUploads(projectId) {
        const unfinished = uploads
          .list()
          .filter((u) => u.projectId === projectId && u.state !== 'done' && u.state !== 'cancelled')
        for (const upload of unfinished) await uploads.cancel(upload.id)
      },
      async takeRecoveryNotices() {
        // A window that loads again after a reload mid-recording asks at once: wait for the
        // recording it left behind to be finished, so its notice is in this answer.
        await finishingForLostWindow
        const notices = pendingNotices
        pendingNotices = []
        return notices
      }
    }),
    ...exportHandlers({ exports, revealPath: (path) => adapters.revealPath(path) }),
    ...shareHandlers({
      library,
      uploads,
      projects,
      copyText: (text) => adapters.copyText(text),
      openExternal: (url) => adapters.openExternal(url),
      editsSync,
      takesEdits: () => editsFeature.takesEdits()
    }),
    ...updateHandlers(updates),
    ...learnHandlers({ client: learnClient, openExternal: (url) => adapters.openExternal(url) })
  }
  // Notifications turned on in Settings: poll now rather than at the next minute.
  const handlers: InvokeHandlers = {
    ...featureHandlers,
    'settings:set': async (patch) => {
      const saved = await featureHandlers['settings:set'](patch)
      if (typeof patch === 'object' && patch !== null && patch.notifyActivity === true) {
        learnPoller.pollSoon()
      }
      return saved
    }
  }

  return {
    projects,
    recorder,
    exports,
    settings,
    library,
    uploads,
    editsSync,
    updates,
    learn: {
      client: learnClient,
      poller: learnPoller,
      onTrayRequests(listener) {
        trayListeners.add(listener)
        return () => trayListeners.delete(listener)
      }
    },
    ffmpegStatus: () => ffmpeg.status(),
    handlers,
    finishForLostWindow,
    async startup() {
      // Deleted recordings left by a crash: removed once their undo time has run out.
      await projects.trash
        .start()
        .catch((error: unknown) => console.error('[projects] could not empty the trash', error))
      // The queue first: recovery keeps the capture of a recording whose live upload still
      // needs it (captureNeeded), and that upload goes on from the server's offset meanwhile.
      try {
        await uploads.start()
      } catch (error) {
        console.error('[uploads] could not resume the upload queue', error)
      }
      const notices = await capture.recoverUnfinished(recorder.activeIds())
      pendingNotices = [...pendingNotices, ...notices]
      if (notices.length > 0) projectsChanged()
      // Edits saved but not sent before the last quit (offline, a crash) go now.
      await editsSync
        .start()
        .catch((error: unknown) => console.error('[edits-sync] could not start', error))
      stopOnline =
        adapters.onOnline?.(() => {
          uploads.networkBack()
          editsSync.retryPending()
          learnPoller.pollSoon()
        }) ?? null
      updates.start()
      learnPoller.start()
      return notices
    },
    async shutdown() {
      stopOnline?.()
      stopOnline = null
      updates.dispose()
      learnPoller.dispose()
      await uploads.shutdown()
      await editsSync.shutdown()
      await exports.shutdown()
      await recorder.shutdown()
      await capture.close()
      // The undo goes with the window: nothing deleted is kept past the quit.
      projects.trash.dispose()
      await projects.trash.purgeAll().catch(() => undefined)
    }
  }
}
