import {
  DEFAULT_EXPORT_PRESET,
  EXPORT_QUALITIES,
  EXPORT_SIZES,
  type ExportQuality,
  type ExportSize
} from './export-preset'

/** User settings. Stored by main (electron-store in the app, conf in the harness) with this schema. */
export interface Settings {
  /** Seconds of countdown before recording starts (0 skips it). */
  readonly countdownSeconds: number
  /** Global shortcut that starts and stops recording, as an Electron accelerator. */
  readonly recordShortcut: string
  /** Path to an ffmpeg binary chosen by the user; empty to use the bundled one, then PATH. */
  readonly ffmpegPath: string
  /** Id of the last chosen capture source, or empty for the first screen. */
  readonly sourceId: string
  /** Microphone device id: `default` for the system default, `none` for no narration. */
  readonly microphoneId: string
  /**
   * Camera device id for the bubble beside the screen, `none` (the default) for no camera. The
   * camera is asked for only when one is chosen.
   */
  readonly cameraId: string
  /** Refuse to start recording when less than this many MiB are free in the data dir. */
  readonly minFreeDiskMb: number
  /** The team library's base URL (the token is kept apart, encrypted). */
  readonly libraryUrl: string
  /** Copy the video's link to the clipboard when an upload finishes. */
  readonly copyLinkAfterUpload: boolean
  /** Default export size. */
  readonly exportSize: ExportSize
  /** Default export quality. */
  readonly exportQuality: ExportQuality
  /** Folder new recordings go to; empty for `<data dir>/projects`. */
  readonly recordingsDir: string
  /**
   * Check the team library for a newer Sidecast at start and every few hours, download it in the
   * background and offer to restart (src/main/updates/). Off until the user turns it on;
   * SIDECAST_UPDATES=0|1 fixes it for a managed install.
   */
  readonly checkForUpdates: boolean
  /**
   * Share while recording: with a team library connected, a recording's upload starts with the
   * recording (tus creation-defer-length) and follows its capture file on disk, so the link is
   * ready the moment Stop is pressed. On by default; it has no effect until a library is
   * connected. SIDECAST_SHARE_WHILE_RECORDING=0|1 fixes it for a managed install.
   */
  readonly shareWhileRecording: boolean
  /**
   * Native notifications about activity on my videos and requests in the connected library
   * (polled every 60 s; src/main/learn/notification-poller.ts).
   */
  readonly notifyActivity: boolean
}

export const DEFAULT_SETTINGS: Settings = {
  countdownSeconds: 3,
  recordShortcut: 'CommandOrControl+Shift+R',
  ffmpegPath: '',
  sourceId: '',
  microphoneId: 'default',
  cameraId: 'none',
  minFreeDiskMb: 1024,
  libraryUrl: '',
  copyLinkAfterUpload: true,
  exportSize: DEFAULT_EXPORT_PRESET.size,
  exportQuality: DEFAULT_EXPORT_PRESET.quality,
  recordingsDir: '',
  checkForUpdates: false,
  shareWhileRecording: true,
  notifyActivity: true
}

/** JSON schema for the settings store (electron-store / conf validate writes against it). */
export const SETTINGS_SCHEMA = {
  countdownSeconds: {
    type: 'integer',
    minimum: 0,
    maximum: 10,
    default: DEFAULT_SETTINGS.countdownSeconds
  },
  recordShortcut: { type: 'string', maxLength: 100, default: DEFAULT_SETTINGS.recordShortcut },
  ffmpegPath: { type: 'string', maxLength: 4096, default: DEFAULT_SETTINGS.ffmpegPath },
  sourceId: { type: 'string', maxLength: 512, default: DEFAULT_SETTINGS.sourceId },
  microphoneId: { type: 'string', maxLength: 512, default: DEFAULT_SETTINGS.microphoneId },
  cameraId: { type: 'string', maxLength: 512, default: DEFAULT_SETTINGS.cameraId },
  minFreeDiskMb: {
    type: 'integer',
    minimum: 0,
    maximum: 1_000_000,
    default: DEFAULT_SETTINGS.minFreeDiskMb
  },
  libraryUrl: { type: 'string', maxLength: 2048, default: DEFAULT_SETTINGS.libraryUrl },
  copyLinkAfterUpload: { type: 'boolean', default: DEFAULT_SETTINGS.copyLinkAfterUpload },
  exportSize: {
    type: 'string',
    enum: [...EXPORT_SIZES],
    default: DEFAULT_SETTINGS.exportSize
  },
  exportQuality: {
    type: 'string',
    enum: [...EXPORT_QUALITIES],
    default: DEFAULT_SETTINGS.exportQuality
  },
  recordingsDir: { type: 'string', maxLength: 4096, default: DEFAULT_SETTINGS.recordingsDir },
  checkForUpdates: { type: 'boolean', default: DEFAULT_SETTINGS.checkForUpdates },
  shareWhileRecording: { type: 'boolean', default: DEFAULT_SETTINGS.shareWhileRecording },
  notifyActivity: { type: 'boolean', default: DEFAULT_SETTINGS.notifyActivity }
} as const

/**
 * Checks a partial settings update from the renderer; returns a message naming the bad field, or null.
 */
export function validateSettingsPatch(patch: unknown): string | null {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
    return 'Settings must be an object.'
  for (const [key, value] of Object.entries(patch)) {
    const rule = (
      SETTINGS_SCHEMA as Record<
        string,
        {
          type: string
          minimum?: number
          maximum?: number
          maxLength?: number
          enum?: readonly string[]
        }
      >
    )[key]
    if (!rule) return `Unknown setting "${key}".`
    if (rule.type === 'integer') {
      if (typeof value !== 'number' || !Number.isInteger(value))
        return `Setting "${key}" must be a whole number.`
      if (rule.minimum !== undefined && value < rule.minimum)
        return `Setting "${key}" must be at least ${rule.minimum}.`
      if (rule.maximum !== undefined && value > rule.maximum)
        return `Setting "${key}" must be at most ${rule.maximum}.`
    } else if (rule.type === 'boolean') {
      if (typeof value !== 'boolean') return `Setting "${key}" must be true or false.`
    } else if (rule.type === 'string') {
      if (typeof value !== 'string') return `Setting "${key}" must be text.`
      if (rule.maxLength !== undefined && value.length > rule.maxLength)
        return `Setting "${key}" is too long.`
      if (rule.enum && !rule.enum.includes(value))
        return `Setting "${key}" must be one of: ${rule.enum.join(', ')}.`
    }
  }
  return null
}
