/**
 * The export presets' names and limits, written once: Settings (its defaults and schema), the IPC
 * contract, main's export and the export dialog all read them from here. What each quality means
 * to x264 stays with main's export (`src/engine/presets.ts`).
 */

export const EXPORT_SIZES = ['source', '1080p', '720p'] as const
export type ExportSize = (typeof EXPORT_SIZES)[number]

export const EXPORT_QUALITIES = ['standard', 'high', 'small'] as const
export type ExportQuality = (typeof EXPORT_QUALITIES)[number]

export interface ExportPreset {
  /** `source` keeps the recording's size (evened out); the others cap the height. */
  readonly size: ExportSize
  readonly quality: ExportQuality
}

export const DEFAULT_EXPORT_PRESET: ExportPreset = { size: 'source', quality: 'standard' }

/** The highest output height of each size, in pixels; null means the source's own. */
export const EXPORT_SIZE_MAX_HEIGHT: Readonly<Record<ExportSize, number | null>> = {
  source: null,
  '1080p': 1080,
  '720p': 720
}
