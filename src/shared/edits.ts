/**
 * The user's edits of one recording, as stored in `<project>/edits.json`: which ranges are kept
 * and the timed callouts drawn over the video. Plain JSON data, no derived values; the format is
 * documented in docs/project-format.md.
 *
 * Objects loaded from a file may carry keys this version does not know (written by a newer
 * Sidecast or another tool). They are kept at run time and written back by `serializeEdits`;
 * update annotations by spreading (`{ ...a, x }`) so they survive.
 */
import { SidecastError } from './errors'
import { mergeRanges, type StoredKeep, type TimeRange } from './timeline'

/**
 * The version this code writes; older files are migrated on load, newer ones refused.
 * 1: kept ranges and annotations. 2: adds the camera bubble (`bubble`).
 */
export const EDITS_VERSION = 2

export const ANNOTATION_TYPES = ['rect', 'highlight', 'blur', 'callout', 'arrow', 'step'] as const
export type AnnotationType = (typeof ANNOTATION_TYPES)[number]

/** What every annotation has: an id unique in the file, a type and a time range. */
interface AnnotationBase<T extends AnnotationType> {
  /** Unique within the file; stable across edits (selection, undo and copy refer to it). */
  readonly id: string
  readonly type: T
  /** First moment shown, integer ms on the recording's clock. */
  readonly startMs: number
  /** First moment no longer shown (exclusive), integer ms on the recording's clock; > startMs. */
  readonly endMs: number
}

/** A box as fractions of the frame (0–1, origin top-left); it lies inside the frame. */
export interface Box {
  readonly x: number
  readonly y: number
  readonly w: number
  readonly h: number
}

/** Style of `rect`: an outline. */
export interface RectStyle {
  /** Outline colour, `#rrggbb`. */
  readonly color: string
  /** Line width as a fraction of the frame's height. */
  readonly strokeWidth: number
}

/** Style of `highlight`: a spotlight that dims everything outside the box. */
export interface HighlightStyle {
  /** Colour laid over the rest of the frame, `#rrggbb`. */
  readonly color: string
  /** Opacity of that colour, 0 (no dimming) to 1 (the rest of the frame is hidden). */
  readonly dim: number
}

/** Style of `blur`: the box's pixels blurred or pixelated (done by ffmpeg on export). */
export interface BlurStyle {
  readonly mode: 'blur' | 'pixelate'
  /** How strong, from just above 0 (barely) to 1 (unreadable). */
  readonly strength: number
}

/** Style of `callout`: a text bubble. */
export interface CalloutStyle {
  /** Bubble colour, `#rrggbb` (the text colour is chosen for contrast when drawing). */
  readonly color: string
  /** Text size as a fraction of the frame's height. */
  readonly fontSize: number
}

/** Style of `arrow`. */
export interface ArrowStyle {
  /** Colour, `#rrggbb`. */
  readonly color: string
  /** Line width as a fraction of the frame's height. */
  readonly strokeWidth: number
}

/** Style of `step`: a numbered badge. */
export interface StepStyle {
  /** Badge colour, `#rrggbb`. */
  readonly color: string
  /** Size of the number as a fraction of the frame's height (the badge grows with it). */
  readonly fontSize: number
}

/** The style fields of each annotation type: optional in the file, filled by `withDefaults`. */
export interface AnnotationStyles {
  readonly rect: RectStyle
  readonly highlight: HighlightStyle
  readonly blur: BlurStyle
  readonly callout: CalloutStyle
  readonly arrow: ArrowStyle
  readonly step: StepStyle
}

export interface RectAnnotation extends AnnotationBase<'rect'>, Box, Partial<RectStyle> {}
export interface HighlightAnnotation
  extends AnnotationBase<'highlight'>, Box, Partial<HighlightStyle> {}
export interface BlurAnnotation extends AnnotationBase<'blur'>, Box, Partial<BlurStyle> {}
export interface CalloutAnnotation extends AnnotationBase<'callout'>, Box, Partial<CalloutStyle> {
  readonly text: string
  /** The spot the bubble points at (fraction of the frame's width); with `pointY` or not at all. */
  readonly pointX?: number
  /** The spot the bubble points at (fraction of the frame's height); with `pointX` or not at all. */
  readonly pointY?: number
}
export interface ArrowAnnotation extends AnnotationBase<'arrow'>, Partial<ArrowStyle> {
  /** Tail, as fractions of the frame. */
  readonly x1: number
  readonly y1: number
  /** Head (the end that points), as fractions of the frame. */
  readonly x2: number
  readonly y2: number
}
export interface StepAnnotation extends AnnotationBase<'step'>, Partial<StepStyle> {
  /** Centre of the badge, as fractions of the frame. */
  readonly x: number
  readonly y: number
  /** The number shown, 1 or more. */
  readonly n: number
}

export type Annotation =
  | RectAnnotation
  | HighlightAnnotation
  | BlurAnnotation
  | CalloutAnnotation
  | ArrowAnnotation
  | StepAnnotation

/** An annotation with every style field present (what the drawing and the export use). */
export type WithDefaults<A extends Annotation> = A & AnnotationStyles[A['type']]

/**
 * An annotation whose `type` this Sidecast does not know (saved by a newer Sidecast or another
 * tool). It is kept exactly as it was read, never drawn, and written back at its place in the list,
 * so opening and saving a file never loses another version's work.
 */
export interface UnknownAnnotation {
  /** Its position in the file's `annotations` list when it was read. */
  readonly index: number
  /** The annotation as read: an object with a string `id` and `type`, the rest unchecked. */
  readonly annotation: Readonly<Record<string, unknown>>
}

export const BUBBLE_SHAPES = ['circle', 'rounded'] as const
export type BubbleShape = (typeof BUBBLE_SHAPES)[number]

/** Smallest and largest bubble, as a fraction of the frame's height. */
export const BUBBLE_MIN_SIZE = 0.05
export const BUBBLE_MAX_SIZE = 0.6

/**
 * The camera bubble: where the camera recording is shown over the screen (a recording with a
 * camera only; see bubble.ts for its geometry). Absent from a file: `defaultBubble` (a circle
 * in the bottom-left corner, hidden where the camera was switched off while recording).
 */
export interface Bubble {
  /** Left edge, as a fraction of the frame's width (0–1). */
  readonly x: number
  /** Top edge, as a fraction of the frame's height (0–1). */
  readonly y: number
  /**
   * Diameter (a rounded square's side) as a fraction of the frame's height, BUBBLE_MIN_SIZE to
   * BUBBLE_MAX_SIZE. The bubble is square in pixels; drawing clamps it inside the frame.
   */
  readonly size: number
  readonly shape: BubbleShape
  /** Ranges on the recording's clock where the bubble is hidden: sorted, merged; may be empty. */
  readonly hidden: readonly TimeRange[]
}

/** The contents of `edits.json`. */
export interface Edits {
  readonly version: typeof EDITS_VERSION
  /** Kept ranges on the recording's clock; empty means the whole recording. */
  readonly keep: StoredKeep
  readonly annotations: readonly Annotation[]
  /**
   * The camera bubble, once the user placed it (version 2); absent: the default placement.
   * Meaningless for a recording without a camera, where it is kept but never drawn.
   */
  readonly bubble?: Bubble
  /**
   * Annotations of types this version does not know, set aside at load (absent when there are
   * none). Not a key of the file: `serializeEdits` puts them back into `annotations`.
   */
  readonly unknownAnnotations?: readonly UnknownAnnotation[]
}

/** Style used when an annotation does not say; shared by the editor and export. */
export const ANNOTATION_DEFAULTS: AnnotationStyles = {
  rect: { color: '#e5484d', strokeWidth: 0.005 },
  highlight: { color: '#000000', dim: 0.6 },
  blur: { mode: 'blur', strength: 0.5 },
  callout: { color: '#e5484d', fontSize: 0.03 },
  arrow: { color: '#e5484d', strokeWidth: 0.006 },
  step: { color: '#e5484d', fontSize: 0.03 }
}

/** The annotation with its missing style fields filled from `ANNOTATION_DEFAULTS`. */
export function withDefaults<A extends Annotation>(a: A): WithDefaults<A> {
  const filled: Record<string, unknown> = { ...ANNOTATION_DEFAULTS[a.type] }
  for (const [key, value] of Object.entries(a)) if (value !== undefined) filled[key] = value
  return filled as unknown as WithDefaults<A>
}

/** A file that cannot be read as edits; `field` is the path of the offending value. */
export class EditsError extends SidecastError {
  constructor(
    readonly field: string,
    problem: string
  ) {
    super('invalid-edits', `edits.json: ${field} ${problem}`)
    this.name = 'EditsError'
  }
}

/** Edits that change nothing: the whole recording, no callouts. */
export function emptyEdits(): Edits {
  return { version: EDITS_VERSION, keep: [], annotations: [] }
}

export interface LoadEditsOptions {
  /**
   * The recording's duration. When given, kept ranges are clamped to it (and a file keeping
   * nothing inside it is refused); a version 0 file's cuts need it to become kept ranges.
   */
  readonly durationMs?: number
  /**
   * What to do with an annotation of a type this version does not know. `keep` (the default, for
   * the editor) sets it aside in `unknownAnnotations`; `refuse` (for rendering, which would
   * otherwise leave it out without a word) throws an EditsError naming it.
   */
  readonly unknownTypes?: 'keep' | 'refuse'
}

/**
 * Reads parsed `edits.json` content: migrates older versions, checks every field, tidies the
 * kept ranges (sorted, merged) and keeps unknown keys. Style defaults are not written into the
 * result (use `withDefaults` when drawing), so a file stays as small as the user made it.
 * Throws EditsError naming the field at fault.
 */
export function loadEdits(json: unknown, opts: LoadEditsOptions = {}): Edits {
  if (!isPlainObject(json)) throw new EditsError('(top level)', 'must be a JSON object')
  const file = migrate(json, opts)
  const { version: _version, keep, annotations, unknownAnnotations, bubble, ...unknownKeys } = file
  const checked = checkAnnotations(
    joinUnknown(annotations, unknownAnnotations),
    opts.unknownTypes ?? 'keep'
  )
  return {
    ...unknownKeys,
    version: EDITS_VERSION,
    keep: checkKeep(keep, opts.durationMs),
    annotations: checked.known,
    ...(bubble !== undefined ? { bubble: checkBubble(bubble) } : {}),
    ...(checked.unknown.length > 0 ? { unknownAnnotations: checked.unknown } : {})
  }
}

/** The annotations in file order, with the ones set aside at load put back at their places. */
function joinAnnotations(
  known: readonly unknown[],
  unknown: readonly UnknownAnnotation[]
): unknown[] {
  const all: unknown[] = [...known]
  for (const { index, annotation } of [...unknown].sort((a, b) => a.index - b.index)) {
    all.splice(Math.min(index, all.length), 0, annotation)
  }
  return all
}

/**
 * Edits coming back from the editor carry `unknownAnnotations` as they were set aside; they are
 * checked again like the rest, so they must still look like what `loadEdits` set aside.
 */
function joinUnknown(annotations: unknown, unknown: unknown): unknown {
  if (unknown === undefined) return annotations
  if (!Array.isArray(annotations)) return annotations
  if (!Array.isArray(unknown)) throw new EditsError('unknownAnnotations', 'must be a list')
  const entries = unknown.map((item: unknown, i): UnknownAnnotation => {
    const ok =
      isPlainObject(item) &&
      typeof item.index === 'number' &&
      Number.isInteger(item.index) &&
      item.index >= 0 &&
      isPlainObject(item.annotation)
    if (!ok) {
      throw new EditsError(`unknownAnnotations[${i}]`, 'must be { index, annotation }')
    }
    return item as unknown as UnknownAnnotation
  })
  return joinAnnotations(annotations, entries)
}

/** `edits.json` text: known keys in a fixed order, then unknown ones sorted; 2-space JSON. */
export function serializeEdits(edits: Edits): string {
  const { unknownAnnotations = [], ...fileKeys } = edits
  const ordered = orderKeys(fileKeys as unknown as Record<string, unknown>, FILE_KEY_ORDER)
  if (edits.bubble) {
    ordered.bubble = orderKeys(edits.bubble as unknown as Record<string, unknown>, BUBBLE_KEY_ORDER)
  }
  // Unknown annotations go back exactly as they were read, keys and all.
  ordered.annotations = joinAnnotations(
    edits.annotations.map((a) =>
      orderKeys(a as unknown as Record<string, unknown>, ANNOTATION_KEY_ORDER)
    ),
    unknownAnnotations
  )
  // Each kept range on one line reads (and diffs) far better than four lines per pair.
  const text = JSON.stringify(ordered, null, 2).replace(
    /\[\s+(-?[\d.eE+-]+),\s+(-?[\d.eE+-]+)\s+\]/g,
    '[$1, $2]'
  )
  return `${text}\n`
}

const FILE_KEY_ORDER = ['version', 'keep', 'annotations', 'bubble']
const BUBBLE_KEY_ORDER = ['x', 'y', 'size', 'shape', 'hidden']
const ANNOTATION_KEY_ORDER = [
  'id',
  'type',
  'startMs',
  'endMs',
  'x',
  'y',
  'w',
  'h',
  'x1',
  'y1',
  'x2',
  'y2',
  'n',
  'text',
  'pointX',
  'pointY',
  'color',
  'strokeWidth',
  'fontSize',
  'dim',
  'mode',
  'strength'
]

function orderKeys(
  source: Record<string, unknown>,
  order: readonly string[]
): Record<string, unknown> {
  const result: Record<string, unknown> = {}
  for (const key of order) if (source[key] !== undefined) result[key] = source[key]
  const rest = Object.keys(source)
    .filter((key) => !order.includes(key))
    .sort()
  for (const key of rest) if (source[key] !== undefined) result[key] = source[key]
  return result
}

// ---- versions ----

/**
 * Brings any older file up to the current version. Version 0 (no `version` key) stored removed
 * ranges as `cuts`; version 1 stores kept ranges, so a trim and a cut are the same thing.
 * Version 2 adds `bubble`; a version 1 file has none, so it reads as it is (default bubble).
 */
function migrate(json: Record<string, unknown>, opts: LoadEditsOptions): Record<string, unknown> {
  const version = json.version ?? 0
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw new EditsError('version', 'must be a whole number')
  }
  if (version > EDITS_VERSION) {
    throw new EditsError(
      'version',
      `is ${version}, but this Sidecast reads up to version ${EDITS_VERSION}. The edits were saved by a newer Sidecast: update Sidecast to open them (the recording is safe).`
    )
  }
  // Each step brings a file up one version; an old file takes every step after its own.
  if (version === 0) return migrateV1(migrateV0(json, opts))
  if (version === 1) return migrateV1(json)
  return json
}

function migrateV0(json: Record<string, unknown>, opts: LoadEditsOptions): Record<string, unknown> {
  const { cuts, version: _version, ...rest } = json
  const removed = checkRanges(cuts ?? [], 'cuts')
  if (removed.length === 0) return { ...rest, version: 1, keep: [] }
  const duration = opts.durationMs
  if (duration === undefined) {
    throw new EditsError('cuts', "can only be migrated when the recording's duration is known")
  }
  const keep: TimeRange[] = []
  let from = 0
  for (const [start, end] of mergeRanges(removed, 0, duration)) {
    if (start > from) keep.push([from, start])
    from = end
  }
  if (from < duration) keep.push([from, duration])
  if (keep.length === 0) throw new EditsError('cuts', 'remove the whole recording')
  return { ...rest, version: 1, keep }
}

/**
 * Version 1 knew no bubble, so a `bubble` key in it was another tool's, not ours: it is set
 * aside under `v1Bubble` (kept and written back, never drawn) rather than read as a placement.
 */
function migrateV1(json: Record<string, unknown>): Record<string, unknown> {
  const { bubble, ...rest } = json
  return bubble === undefined ? { ...rest, version: 2 } : { ...rest, v1Bubble: bubble, version: 2 }
}

// ---- field checks ----

function checkKeep(value: unknown, durationMs: number | undefined): StoredKeep {
  const ranges = checkRanges(value ?? [], 'keep')
  if (ranges.length === 0) return []
  const max = durationMs ?? Number.POSITIVE_INFINITY
  const tidy = mergeRanges(ranges, 0, max)
  if (tidy.length === 0) {
    throw new EditsError('keep', `has no range inside the recording (0–${durationMs} ms)`)
  }
  return tidy
}

function checkRanges(value: unknown, field: string): TimeRange[] {
  if (!Array.isArray(value)) throw new EditsError(field, 'must be a list of [startMs, endMs] pairs')
  return value.map((pair: unknown, i): TimeRange => {
    const path = `${field}[${i}]`
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new EditsError(path, 'must be a pair [startMs, endMs]')
    }
    const start = checkMs(pair[0], `${path}[0]`)
    const end = checkMs(pair[1], `${path}[1]`)
    if (end < start) throw new EditsError(`${path}[1]`, `must not be less than ${path}[0]`)
    return [start, end]
  })
}

function checkBubble(value: unknown): Bubble {
  if (!isPlainObject(value)) throw new EditsError('bubble', 'must be an object')
  const field = (key: string): Field => ({ value: value[key], path: `bubble.${key}` })
  checkFraction(field('x'), 'required', 0, 1, true)
  checkFraction(field('y'), 'required', 0, 1, true)
  const size = field('size')
  if (
    typeof size.value !== 'number' ||
    !Number.isFinite(size.value) ||
    size.value < BUBBLE_MIN_SIZE ||
    size.value > BUBBLE_MAX_SIZE
  ) {
    throw new EditsError(
      size.path,
      `must be a number from ${BUBBLE_MIN_SIZE} to ${BUBBLE_MAX_SIZE} (a fraction of the frame's height)`
    )
  }
  if (!(BUBBLE_SHAPES as readonly unknown[]).includes(value.shape)) {
    throw new EditsError('bubble.shape', `must be one of ${BUBBLE_SHAPES.join(', ')}`)
  }
  const hidden = mergeRanges(
    checkRanges(value.hidden ?? [], 'bubble.hidden'),
    0,
    Number.POSITIVE_INFINITY
  )
  return { ...value, hidden } as unknown as Bubble
}

interface CheckedAnnotations {
  readonly known: Annotation[]
  readonly unknown: UnknownAnnotation[]
}

function checkAnnotations(value: unknown, unknownTypes: 'keep' | 'refuse'): CheckedAnnotations {
  const result: CheckedAnnotations = { known: [], unknown: [] }
  if (value === undefined) return result
  if (!Array.isArray(value)) throw new EditsError('annotations', 'must be a list')
  const seen = new Map<string, number>()
  value.forEach((item: unknown, i) => {
    const path = `annotations[${i}]`
    if (!isPlainObject(item)) throw new EditsError(path, 'must be an object')
    if (typeof item.id !== 'string' || item.id.length === 0) {
      throw new EditsError(`${path}.id`, 'must be a non-empty string')
    }
    const earlier = seen.get(item.id)
    if (earlier !== undefined) {
      throw new EditsError(
        `${path}.id`,
        `"${item.id}" is already used by annotations[${earlier}]; ids must be unique`
      )
    }
    seen.set(item.id, i)
    if (typeof item.type !== 'string' || item.type.length === 0) {
      throw new EditsError(`${path}.type`, `must be one of ${ANNOTATION_TYPES.join(', ')}`)
    }
    if (isAnnotationType(item.type)) {
      result.known.push(checkAnnotation(item, path))
    } else if (unknownTypes === 'keep') {
      result.unknown.push({ index: i, annotation: { ...item } })
    } else {
      throw new EditsError(
        `${path}.type`,
        `is "${item.type}", which this Sidecast cannot draw (it knows ${ANNOTATION_TYPES.join(', ')}). The edits were probably saved by a newer Sidecast: update Sidecast to render them.`
      )
    }
  })
  return result
}

export function isAnnotationType(type: unknown): type is AnnotationType {
  return typeof type === 'string' && (ANNOTATION_TYPES as readonly string[]).includes(type)
}

/** Checks one annotation of a known type (its id and type are checked already). */
function checkAnnotation(a: Record<string, unknown>, path: string): Annotation {
  const startMs = checkMs(a.startMs, `${path}.startMs`)
  const endMs = checkMs(a.endMs, `${path}.endMs`)
  if (endMs <= startMs) throw new EditsError(`${path}.endMs`, 'must be greater than startMs')

  const type = a.type as AnnotationType
  const field = (key: string): Field => ({ value: a[key], path: `${path}.${key}` })
  switch (type) {
    case 'rect':
      checkBox(a, path)
      checkColor(field('color'))
      checkFraction(field('strokeWidth'), 'optional', 0, 0.2)
      break
    case 'highlight':
      checkBox(a, path)
      checkColor(field('color'))
      checkFraction(field('dim'), 'optional', 0, 1, true)
      break
    case 'blur':
      checkBox(a, path)
      if (a.mode !== undefined && a.mode !== 'blur' && a.mode !== 'pixelate') {
        throw new EditsError(`${path}.mode`, 'must be "blur" or "pixelate"')
      }
      checkFraction(field('strength'), 'optional', 0, 1)
      break
    case 'callout':
      checkBox(a, path)
      if (typeof a.text !== 'string') throw new EditsError(`${path}.text`, 'must be a string')
      if ((a.pointX === undefined) !== (a.pointY === undefined)) {
        const missing = a.pointX === undefined ? 'pointX' : 'pointY'
        throw new EditsError(`${path}.${missing}`, 'must be given with the other pointer field')
      }
      checkFraction(field('pointX'), 'optional', 0, 1, true)
      checkFraction(field('pointY'), 'optional', 0, 1, true)
      checkColor(field('color'))
      checkFraction(field('fontSize'), 'optional', 0, 0.5)
      break
    case 'arrow':
      for (const key of ['x1', 'y1', 'x2', 'y2']) checkFraction(field(key), 'required', 0, 1, true)
      checkColor(field('color'))
      checkFraction(field('strokeWidth'), 'optional', 0, 0.2)
      break
    case 'step':
      checkFraction(field('x'), 'required', 0, 1, true)
      checkFraction(field('y'), 'required', 0, 1, true)
      if (typeof a.n !== 'number' || !Number.isInteger(a.n) || a.n < 1) {
        throw new EditsError(`${path}.n`, 'must be a whole number, 1 or more')
      }
      checkColor(field('color'))
      checkFraction(field('fontSize'), 'optional', 0, 0.5)
      break
  }
  return { ...a } as unknown as Annotation
}

interface Field {
  readonly value: unknown
  readonly path: string
}

/** Floating-point slack, so a box dragged flush to the frame's edge is not refused. */
const EDGE_SLACK = 1e-9

function checkBox(a: Record<string, unknown>, path: string): void {
  const x = checkFraction({ value: a.x, path: `${path}.x` }, 'required', 0, 1, true)
  const y = checkFraction({ value: a.y, path: `${path}.y` }, 'required', 0, 1, true)
  const w = checkFraction({ value: a.w, path: `${path}.w` }, 'required', 0, 1)
  const h = checkFraction({ value: a.h, path: `${path}.h` }, 'required', 0, 1)
  if (x !== undefined && w !== undefined && x + w > 1 + EDGE_SLACK) {
    throw new EditsError(`${path}.w`, 'must keep the box inside the frame (x + w ≤ 1)')
  }
  if (y !== undefined && h !== undefined && y + h > 1 + EDGE_SLACK) {
    throw new EditsError(`${path}.h`, 'must keep the box inside the frame (y + h ≤ 1)')
  }
}

/**
 * Checks a number in `(min, max]`, or `[min, max]` when `minIncluded`. Returns it, or undefined
 * for an absent optional field.
 */
function checkFraction(
  { value, path }: Field,
  presence: 'required' | 'optional',
  min: number,
  max: number,
  minIncluded = false
): number | undefined {
  if (value === undefined && presence === 'optional') return undefined
  const inRange =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (minIncluded ? value >= min : value > min) &&
    value <= max
  if (!inRange) {
    const lower = minIncluded ? `between ${min}` : `above ${min} and up to`
    throw new EditsError(path, `must be a number ${lower}${minIncluded ? ' and' : ''} ${max}`)
  }
  return value as number
}

const COLOR = /^#[0-9a-fA-F]{6}$/

function checkColor({ value, path }: Field): void {
  if (value === undefined) return
  if (typeof value !== 'string' || !COLOR.test(value)) {
    throw new EditsError(path, 'must be a colour written as "#rrggbb", like "#e5484d"')
  }
}

function checkMs(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new EditsError(path, 'must be a whole number of milliseconds, 0 or more')
  }
  return value
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
