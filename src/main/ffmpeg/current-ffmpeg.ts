/**
 * The ffmpeg in use: looked up on first use, and again whenever the Settings path changes or the
 * last lookup found nothing usable (so installing ffmpeg needs no restart).
 */
import { SidecastError } from '../../shared/errors'
import type { FfmpegStatus } from '../../shared/ipc'
import type { FfmpegLocation } from './locate-ffmpeg'
import { createMediaTools, type MediaTools } from './media-tools'

export interface CurrentFfmpegOptions {
  /** The `ffmpegPath` setting as it is now. */
  readonly settingPath: () => string
  /** Finds ffmpeg for a setting (locateFfmpeg; tests inject a fake). */
  readonly locate: (settingPath: string) => FfmpegLocation
}

export interface CurrentFfmpeg {
  /** Where ffmpeg is, or what is wrong, as Settings shows it. */
  status(): FfmpegStatus
  /** The media tools; throws SidecastError('ffmpeg-missing') saying why when there is no ffmpeg. */
  mediaTools(): MediaTools
  /** The ffmpeg binary; throws like mediaTools(). */
  ffmpegPath(): string
  /** The ffprobe found with it; throws like mediaTools(). */
  ffprobePath(): string
}

interface Found {
  readonly setting: string
  readonly location: FfmpegLocation
  tools: MediaTools | null
}

export function createCurrentFfmpeg(options: CurrentFfmpegOptions): CurrentFfmpeg {
  let current: Found | null = null

  function found(): Found {
    const setting = options.settingPath()
    if (!current || current.setting !== setting || !current.location.ok) {
      current = { setting, location: options.locate(setting), tools: null }
    }
    return current
  }

  function usable(): { entry: Found; ffmpegPath: string; ffprobePath: string } {
    const entry = found()
    const { ok, path, ffprobePath, problem } = entry.location
    if (!ok || !path || !ffprobePath) {
      throw new SidecastError('ffmpeg-missing', problem ?? 'ffmpeg is not available.')
    }
    return { entry, ffmpegPath: path, ffprobePath }
  }

  return {
    status() {
      const { ok, path, source, problem } = found().location
      return { ok, path, source, problem }
    },
    mediaTools() {
      const { entry, ffmpegPath, ffprobePath } = usable()
      entry.tools ??= createMediaTools({ ffmpegPath, ffprobePath })
      return entry.tools
    },
    ffmpegPath: () => usable().ffmpegPath,
    ffprobePath: () => usable().ffprobePath
  }
}
