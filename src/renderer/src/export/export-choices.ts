/** The export sizes and qualities as the user sees them (shared by the export dialog and Settings). */
import {
  EXPORT_SIZE_MAX_HEIGHT,
  type ExportQuality,
  type ExportSize
} from '../../../shared/export-preset'

export type { ExportQuality, ExportSize }

export interface Choice<T extends string> {
  readonly value: T
  readonly label: string
  readonly hint: string
}

export const EXPORT_SIZE_CHOICES: readonly Choice<ExportSize>[] = [
  { value: 'source', label: 'Source size', hint: 'As recorded.' },
  { value: '1080p', label: '1080p', hint: 'At most 1080 pixels high.' },
  { value: '720p', label: '720p', hint: 'At most 720 pixels high; smaller files.' }
]

export const EXPORT_QUALITY_CHOICES: readonly Choice<ExportQuality>[] = [
  {
    value: 'standard',
    label: 'Standard',
    hint: 'Sharp text, reasonable size. Right for most videos.'
  },
  { value: 'high', label: 'High', hint: 'The best picture; bigger files and a slower export.' },
  { value: 'small', label: 'Small', hint: 'The smallest file, for slow connections.' }
]

/**
 * The hint under a size choice for a recording `sourceHeight` pixels high: the source's
 * resolution for "Source size", and "Same as the source" when a cap would change nothing.
 */
export function sizeChoiceHint(
  size: ExportSize,
  sourceHeight: number | null,
  sourceResolution: string | null
): string {
  const cap = EXPORT_SIZE_MAX_HEIGHT[size]
  if (cap === null) return sourceResolution ? `As recorded (${sourceResolution}).` : 'As recorded.'
  if (sourceHeight !== null && sourceHeight <= cap) {
    return 'Same as the source: the recording is not that big, and exports are never enlarged.'
  }
  return EXPORT_SIZE_CHOICES.find((c) => c.value === size)?.hint ?? ''
}

export function sizeLabel(size: ExportSize): string {
  return EXPORT_SIZE_CHOICES.find((c) => c.value === size)?.label ?? size
}

export function qualityLabel(quality: ExportQuality): string {
  return EXPORT_QUALITY_CHOICES.find((c) => c.value === quality)?.label ?? quality
}
