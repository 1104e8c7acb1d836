/**
 * The style inspector's pure side: which controls apply to which types, the presets behind
 * Thin/Medium/Thick and Small/Medium/Large, what value a mixed selection shows, and the changes a
 * control makes (to the selected annotations, or to the defaults new annotations get).
 */
import {
  ANNOTATION_DEFAULTS,
  withDefaults,
  type Annotation,
  type AnnotationStyles,
  type AnnotationType
} from '../../../../shared/edits'
import type { AnnotationChange } from './types'

/** Per annotation type, the style fields a new one gets (see ANNOTATION_DEFAULTS). */
export type StyleDefaults = AnnotationStyles

/** What new annotations look like until the user picks otherwise. */
export const DEFAULT_STYLE: StyleDefaults = {
  rect: { ...ANNOTATION_DEFAULTS.rect },
  highlight: { ...ANNOTATION_DEFAULTS.highlight },
  blur: { ...ANNOTATION_DEFAULTS.blur },
  callout: { ...ANNOTATION_DEFAULTS.callout },
  arrow: { ...ANNOTATION_DEFAULTS.arrow },
  step: { ...ANNOTATION_DEFAULTS.step }
}

/** Every style field of any type. */
export type StyleField = 'color' | 'strokeWidth' | 'fontSize' | 'dim' | 'mode' | 'strength'
export type StyleValue = string | number

/** The style fields each type has. */
export const STYLE_FIELDS: Readonly<Record<AnnotationType, readonly StyleField[]>> = {
  rect: ['color', 'strokeWidth'],
  highlight: ['color', 'dim'],
  blur: ['mode', 'strength'],
  callout: ['color', 'fontSize'],
  arrow: ['color', 'strokeWidth'],
  step: ['color', 'fontSize']
}

/** The palette: distinct on screen recordings, named for screen readers ("Colour red"). */
export const PALETTE: readonly { readonly name: string; readonly value: string }[] = [
  { name: 'red', value: '#e5484d' },
  { name: 'orange', value: '#f76b15' },
  { name: 'yellow', value: '#ffc53d' },
  { name: 'green', value: '#30a46c' },
  { name: 'blue', value: '#0090ff' },
  { name: 'purple', value: '#8e4ec6' },
  { name: 'black', value: '#000000' },
  { name: 'white', value: '#ffffff' }
]

export type WidthPreset = 'Thin' | 'Medium' | 'Thick'
export type SizePreset = 'Small' | 'Medium' | 'Large'

/** Line widths (fractions of the frame height); Medium is each type's default. */
export const STROKE_PRESETS: Readonly<
  Record<'rect' | 'arrow', Readonly<Record<WidthPreset, number>>>
> = {
  rect: { Thin: 0.003, Medium: ANNOTATION_DEFAULTS.rect.strokeWidth, Thick: 0.009 },
  arrow: { Thin: 0.004, Medium: ANNOTATION_DEFAULTS.arrow.strokeWidth, Thick: 0.01 }
}

/** Text sizes (fractions of the frame height); Medium is the default. */
export const TEXT_PRESETS: Readonly<
  Record<'callout' | 'step', Readonly<Record<SizePreset, number>>>
> = {
  callout: { Small: 0.022, Medium: ANNOTATION_DEFAULTS.callout.fontSize, Large: 0.042 },
  step: { Small: 0.022, Medium: ANNOTATION_DEFAULTS.step.fontSize, Large: 0.042 }
}

/** Something the inspector styles: a selected annotation, or the defaults of one type. */
export interface StyleTarget {
  readonly type: AnnotationType
  /** Every style field of the type, defaults filled in. */
  readonly style: Readonly<Record<string, StyleValue>>
}

/** Types whose defaults the inspector shows with nothing selected and no type given. */
const DEFAULT_TYPES_FOR_COLOUR: ReadonlySet<AnnotationType> = new Set([
  'rect',
  'arrow',
  'callout',
  'step'
])

/** The selected annotations as style targets. */
export function selectionTargets(selected: readonly Annotation[]): StyleTarget[] {
  return selected.map((a) => {
    const filled = withDefaults(a) as unknown as Record<string, StyleValue>
    const style: Record<string, StyleValue> = {}
    for (const field of STYLE_FIELDS[a.type]) {
      const value = filled[field]
      if (value !== undefined) style[field] = value
    }
    return { type: a.type, style }
  })
}

/** The defaults as style targets: of `type` only, or of every type. */
export function defaultTargets(defaults: StyleDefaults, type?: AnnotationType): StyleTarget[] {
  const types = type ? [type] : (Object.keys(STYLE_FIELDS) as AnnotationType[])
  return types.map((t) => ({
    type: t,
    style: { ...(defaults[t] as unknown as Record<string, StyleValue>) }
  }))
}

/**
 * The targets a field's control changes. With every type's defaults shown at once, one colour
 * row serves the drawn shapes only: a spotlight's colour is its dimming, best left black unless
 * the user picks the spotlight tool.
 */
export function targetsOf(
  targets: readonly StyleTarget[],
  field: StyleField,
  allDefaults = false
): StyleTarget[] {
  return targets.filter(
    (t) =>
      STYLE_FIELDS[t.type].includes(field) &&
      (!allDefaults || field !== 'color' || DEFAULT_TYPES_FOR_COLOUR.has(t.type))
  )
}

/** The value all targets share for a field; undefined when they differ (or none has it). */
export function sharedValue(
  targets: readonly StyleTarget[],
  field: StyleField
): StyleValue | undefined {
  let value: StyleValue | undefined
  for (const t of targets) {
    const v = t.style[field]
    if (v === undefined) continue
    if (value === undefined) value = v
    else if (typeof v === 'string' && typeof value === 'string') {
      if (v.toLowerCase() !== value.toLowerCase()) return undefined
    } else if (v !== value) return undefined
  }
  return value
}

/** The stroke width a preset means for a type, or undefined when the type has no stroke. */
export function strokeFor(type: AnnotationType, preset: WidthPreset): number | undefined {
  return type === 'rect' || type === 'arrow' ? STROKE_PRESETS[type][preset] : undefined
}

/** The font size a preset means for a type, or undefined when the type has no text. */
export function fontSizeFor(type: AnnotationType, preset: SizePreset): number | undefined {
  return type === 'callout' || type === 'step' ? TEXT_PRESETS[type][preset] : undefined
}

/** The preset every target is at, or undefined when they differ or sit between presets. */
export function activePreset<P extends string>(
  targets: readonly StyleTarget[],
  field: 'strokeWidth' | 'fontSize',
  presets: readonly P[],
  valueFor: (type: AnnotationType, preset: P) => number | undefined
): P | undefined {
  const relevant = targets.filter((t) => t.style[field] !== undefined)
  if (relevant.length === 0) return undefined
  return presets.find((p) =>
    relevant.every((t) => {
      const wanted = valueFor(t.type, p)
      const value = t.style[field]
      return wanted !== undefined && typeof value === 'number' && Math.abs(value - wanted) < 1e-9
    })
  )
}

/**
 * The changes that set `field` on each selected annotation that has it (to `valueFor(type)`),
 * leaving out those already at that value unless `keepUnchanged` (a slider's final commit must
 * name the value even when its previews already applied it).
 */
export function styleChanges(
  selected: readonly Annotation[],
  field: StyleField,
  valueFor: (type: AnnotationType) => StyleValue | undefined,
  keepUnchanged = false
): AnnotationChange[] {
  const changes: AnnotationChange[] = []
  for (const a of selected) {
    if (!STYLE_FIELDS[a.type].includes(field)) continue
    const value = valueFor(a.type)
    if (value === undefined) continue
    const current = (withDefaults(a) as unknown as Record<string, StyleValue>)[field]
    if (current === value && !keepUnchanged) continue
    changes.push({ id: a.id, patch: { [field]: value } as AnnotationChange['patch'] })
  }
  return changes
}

/** New defaults with `field` set for the given types (those that have it). */
export function defaultsWith(
  defaults: StyleDefaults,
  types: readonly AnnotationType[],
  field: StyleField,
  valueFor: (type: AnnotationType) => StyleValue | undefined
): StyleDefaults {
  const next: Record<string, unknown> = { ...defaults }
  for (const type of types) {
    if (!STYLE_FIELDS[type].includes(field)) continue
    const value = valueFor(type)
    if (value === undefined) continue
    next[type] = { ...defaults[type], [field]: value }
  }
  return next as unknown as StyleDefaults
}
