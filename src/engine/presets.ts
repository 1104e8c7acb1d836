/**
 * Export presets: an output size and a quality. The size only ever shrinks the video (an
 * upscaled screencast is bigger and blurrier, never better); the quality picks x264's CRF and
 * speed preset and the AAC bit rate.
 */
import { SidecastError } from '../shared/errors'
import {
  DEFAULT_EXPORT_PRESET,
  EXPORT_QUALITIES,
  EXPORT_SIZE_MAX_HEIGHT,
  EXPORT_SIZES,
  type ExportPreset,
  type ExportQuality,
  type ExportSize
} from '../shared/export-preset'

export interface QualityParams {
  /** libx264 constant rate factor: lower is better and bigger. */
  readonly crf: number
  /** libx264 speed preset. */
  readonly x264Preset: 'veryfast' | 'medium'
  /** AAC bit rate, as ffmpeg writes it (`160k`). */
  readonly audioBitrate: string
}

/**
 * Screen content (flat colours, sharp text) compresses well, so `veryfast` loses little against
 * slower presets while keeping Standard export several times faster than real time on two
 * cores. High asks for the best picture, so it pays for `medium`'s better motion search; Small
 * gets its size from the higher CRF, and a slower preset would cost minutes for a few percent.
 */
export const QUALITY_PARAMS: Readonly<Record<ExportQuality, QualityParams>> = {
  standard: { crf: 23, x264Preset: 'veryfast', audioBitrate: '160k' },
  high: { crf: 18, x264Preset: 'medium', audioBitrate: '192k' },
  small: { crf: 28, x264Preset: 'veryfast', audioBitrate: '96k' }
}

export interface FrameDimensions {
  readonly width: number
  readonly height: number
}

function even(n: number): number {
  return Math.max(2, Math.floor(n / 2) * 2)
}

/**
 * The output frame for a source of `source` size: scaled to fit the preset's height with the
 * aspect kept, never upscaled, and with even width and height (yuv420p needs them).
 */
export function outputDimensions(source: FrameDimensions, size: ExportSize): FrameDimensions {
  const cap = EXPORT_SIZE_MAX_HEIGHT[size]
  if (cap === null || source.height <= cap) {
    return { width: even(source.width), height: even(source.height) }
  }
  return { width: even(Math.round((source.width * cap) / source.height)), height: even(cap) }
}

/**
 * Checks a preset from outside (IPC, command line); throws SidecastError('invalid-preset')
 * naming the bad field and the accepted values. Absent fields take the default.
 */
export function parseExportPreset(value: unknown): ExportPreset {
  if (value === undefined || value === null) return DEFAULT_EXPORT_PRESET
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new SidecastError('invalid-preset', 'The export preset must be an object.')
  }
  const { size, quality } = value as { size?: unknown; quality?: unknown }
  return {
    size: pick('size', size, EXPORT_SIZES, DEFAULT_EXPORT_PRESET.size),
    quality: pick('quality', quality, EXPORT_QUALITIES, DEFAULT_EXPORT_PRESET.quality)
  }
}

function pick<T extends string>(
  field: string,
  value: unknown,
  allowed: readonly T[],
  fallback: T
): T {
  if (value === undefined) return fallback
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) {
    return value as T
  }
  throw new SidecastError(
    'invalid-preset',
    `The export ${field} ${JSON.stringify(value)} is not known; use one of ${allowed.join(', ')}.`
  )
}
