/** The IPC handlers of the recorder: choosing what to capture, and the recording's life. */
import type { CaptureSource } from '../../shared/ipc'
import type { FeatureHandlers } from '../ipc/feature-handlers'
import {
  badRequest,
  requireBytes,
  requireCameraInfo,
  requireObject,
  optionalString,
  requireOneOf,
  requireProjectId,
  requireSeq,
  requireStartRequest,
  requireString
} from '../ipc/ipc-args'
import type { SettingsStore } from '../settings/settings-store'
import type { RecorderService } from './recorder-service'

/** MediaRecorder's timeslice chunks are a few hundred KB; anything this big is not one. */
export const MAX_CHUNK_BYTES = 64 * 1024 * 1024

export interface RecordingHandlersOptions {
  readonly recorder: RecorderService
  readonly settings: SettingsStore
  /** Screens and windows the user may record. */
  readonly listCaptureSources: () => Promise<CaptureSource[]>
  /** Tells the renderer that the list of projects changed. */
  readonly projectsChanged: () => void
}

export function recordingHandlers(
  options: RecordingHandlersOptions
): FeatureHandlers<'sources' | 'recording'> {
  const { recorder } = options
  return {
    'sources:list': async () => options.listCaptureSources(),
    'sources:select': async (sourceId) => {
      const id = requireString(sourceId, 'sourceId', 512)
      if (!id) throw badRequest('"sourceId" must not be empty.')
      options.settings.set({ sourceId: id })
    },
    'recording:start': async (request) => {
      const started = await recorder.start(requireStartRequest(request))
      options.projectsChanged()
      return started
    },
    'recording:chunk': async (projectId, seq, data) =>
      recorder.chunk(
        requireProjectId(projectId),
        requireSeq(seq),
        requireBytes(data, 'data', MAX_CHUNK_BYTES)
      ),
    'recording:camera-chunk': async (projectId, seq, data) =>
      recorder.cameraChunk(
        requireProjectId(projectId),
        requireSeq(seq),
        requireBytes(data, 'data', MAX_CHUNK_BYTES)
      ),
    'recording:camera-info': async (projectId, info) => {
      await recorder.cameraInfo(requireProjectId(projectId), requireCameraInfo(info))
    },
    'recording:state': async (projectId, phase) => {
      recorder.setPhase(
        requireProjectId(projectId),
        requireOneOf(phase, 'phase', ['recording', 'paused'] as const)
      )
    },
    'recording:discard': async (projectId) => {
      await recorder.discard(requireProjectId(projectId))
      options.projectsChanged()
    },
    'recording:restart': async (projectId, request) => {
      const id = requireProjectId(projectId)
      const started = await recorder.restart(id, requireStartRequest(request))
      options.projectsChanged()
      return started
    },
    'recording:stop': async (projectId, info) => {
      const id = requireProjectId(projectId)
      const body = info === undefined ? {} : requireObject(info, 'info')
      const endedBecause = optionalString(body.endedBecause, 'info.endedBecause', 500)
      return recorder.stop(id, endedBecause ? { endedBecause } : {})
    }
  }
}
