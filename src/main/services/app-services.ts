/**
 * Builds main's services and the IPC handlers on top of them. Plain Node: the Electron edge and
 * the e2e harness each pass their own PlatformAdapters and event emitter.
 */
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import {
  SidecastError,
  type CaptureSource,
  type EventChannel,
  type EventPayload,
  type FfmpegStatus,
  type InvokeHandlers
} from '../../shared/ipc'
import type { RecoveryNotice } from '../../shared/project'
import type { Settings } from '../../shared/settings'
import { fontDir } from '../export/callout-raster'
import { locateFfmpeg, type FfmpegLocation } from '../ffmpeg/locate-ffmpeg'
import { createMediaTools, type MediaTools } from '../ffmpeg/media-tools'
import type { SettingsStore } from '../settings/settings-store'
import {
  badRequest,
  requireBytes,
  requireObject,
  requireOneOf,
  requireProjectId,
  requireSeq,
  requireString
} from './ipc-args'
import { readEdits, writeEdits } from './edits-store'
import { createExportService, type ExportService } from './export-service'
import { createProjectStore, type ProjectStore } from './project-store'
import { createRecorderService, type RecorderService } from './recorder-service'

/** MediaRecorder's timeslice chunks are a few hundred KB; anything this big is not one. */
export const MAX_CHUNK_BYTES = 64 * 1024 * 1024

export interface PlatformAdapters {
  /** Keeps the system awake while recording (powerSaveBlocker in Electron); returns the release function. */
  preventSleep(): () => void
  /** Screens and windows the user may record (desktopCapturer in Electron). */
  listCaptureSources(): Promise<CaptureSource[]>
  /** Shows a file in the system's file manager (shell.showItemInFolder in Electron). */
  revealPath(path: string): Promise<void>
  /** URL the renderer loads a project file from. */
  mediaUrl(projectId: string, fileName: string): string
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
}

export interface AppServices {
  readonly projects: ProjectStore
  readonly recorder: RecorderService
  readonly exports: ExportService
  readonly settings: SettingsStore
  ffmpegStatus(): FfmpegStatus
  readonly handlers: InvokeHandlers
  /** Recovers recordings left unfinished by a crash; the notices are also served once over IPC. */
  startup(): Promise<RecoveryNotice[]>
  /** Finishes an active recording safely and cancels a running export (its partial file removed). */
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

  const projects = createProjectStore({
    dataDir: opts.dataDir,
    mediaTools,
    mediaUrl: (projectId, fileName) => adapters.mediaUrl(projectId, fileName)
  })
  const recorder = createRecorderService({
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
  const changed = (): void => opts.emit('projects:changed', null)

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
    // The settings store validates the patch itself and names the bad field.
    'settings:set': async (patch) => settings.set(patch as Partial<Settings>),
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
    }
  }

  return {
    projects,
    recorder,
    exports,
    settings,
    ffmpegStatus,
    handlers,
    async startup() {
      const notices = await projects.recoverUnfinished(recorder.activeIds())
      pendingNotices = [...pendingNotices, ...notices]
      if (notices.length > 0) changed()
      return notices
    },
    async shutdown() {
      await exports.shutdown()
      await recorder.shutdown()
      await projects.close()
    }
  }
}
