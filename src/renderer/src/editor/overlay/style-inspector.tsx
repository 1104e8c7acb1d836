/**
 * The style inspector: colour, line width, text size, blur mode and strength, spotlight dimming.
 * With a selection it edits the selected annotations (each change one undo step); with none it
 * edits the defaults new annotations get. Only controls that apply to what is shown appear.
 */
import { useEffect, useId, useRef, useState } from 'react'
import type { ReactNode } from 'react'
import type { Annotation, AnnotationType } from '../../../../shared/edits'
import { useLatest } from '../../lib/use-latest'
import { TYPE_LABELS } from './names'
import {
  PALETTE,
  activePreset,
  defaultTargets,
  defaultsWith,
  fontSizeFor,
  selectionTargets,
  sharedValue,
  strokeFor,
  styleChanges,
  targetsOf,
  type SizePreset,
  type StyleDefaults,
  type StyleField,
  type StyleTarget,
  type StyleValue,
  type WidthPreset
} from './style-model'
import type { AnnotationChange, ChangePhase } from './types'
import './overlay.css'

export interface StyleInspectorProps {
  /** The selected annotations; with none the inspector edits `defaults`. */
  readonly selected: readonly Annotation[]
  /** Style changes to the selection: sliders preview while dragged, every change ends in a commit. */
  readonly onChange: (changes: readonly AnnotationChange[], phase: ChangePhase) => void
  /** The style new annotations get, per type. */
  readonly defaults: StyleDefaults
  readonly onDefaultsChange: (defaults: StyleDefaults) => void
  /**
   * With nothing selected, show the defaults of this type only (say, the drawing tool's); absent:
   * the defaults of every type.
   */
  readonly defaultsFor?: AnnotationType
}

const WIDTHS: readonly WidthPreset[] = ['Thin', 'Medium', 'Thick']
const SIZES: readonly SizePreset[] = ['Small', 'Medium', 'Large']
const BLUR_MODES = ['blur', 'pixelate'] as const

function heading(selected: readonly Annotation[], defaultsFor?: AnnotationType): string {
  if (selected.length === 1) return `${TYPE_LABELS[(selected[0] as Annotation).type]} style`
  if (selected.length > 1) return `Style of ${selected.length} selected`
  return defaultsFor
    ? `New ${TYPE_LABELS[defaultsFor].toLowerCase()} style`
    : 'Style for new callouts'
}

export function StyleInspector(props: StyleInspectorProps): ReactNode {
  const { selected, onChange, defaults, onDefaultsChange, defaultsFor } = props
  const titleId = useId()
  const editingDefaults = selected.length === 0
  const allDefaults = editingDefaults && !defaultsFor
  const targets: StyleTarget[] = editingDefaults
    ? defaultTargets(defaults, defaultsFor)
    : selectionTargets(selected)

  /** Sets `field` on every target that has it; `valueFor` gives each type's value. */
  const apply = (
    field: StyleField,
    valueFor: (type: AnnotationType) => StyleValue | undefined,
    phase: ChangePhase = 'commit',
    fromSlider = false
  ): void => {
    const fieldTargets = targetsOf(targets, field, allDefaults)
    if (editingDefaults) {
      onDefaultsChange(
        defaultsWith(
          defaults,
          fieldTargets.map((t) => t.type),
          field,
          valueFor
        )
      )
      return
    }
    const changes = styleChanges(
      selected.filter((a) => fieldTargets.some((t) => t.type === a.type)),
      field,
      valueFor,
      fromSlider && phase === 'commit'
    )
    if (changes.length > 0) onChange(changes, phase)
  }

  const colourTargets = targetsOf(targets, 'color', allDefaults)
  const strokeTargets = targetsOf(targets, 'strokeWidth')
  const fontTargets = targetsOf(targets, 'fontSize')
  const blurTargets = targetsOf(targets, 'mode')
  const dimTargets = targetsOf(targets, 'dim')
  const colour = sharedValue(colourTargets, 'color')
  const colourOnly = colourTargets.length > 0 && colourTargets.every((t) => t.type === 'highlight')
  const width = activePreset(strokeTargets, 'strokeWidth', WIDTHS, strokeFor)
  const size = activePreset(fontTargets, 'fontSize', SIZES, fontSizeFor)
  const mode = sharedValue(blurTargets, 'mode')
  const strength = sharedValue(blurTargets, 'strength')
  const dim = sharedValue(dimTargets, 'dim')

  return (
    <section className="style-inspector" aria-labelledby={titleId}>
      <h2 id={titleId} className="style-inspector__title">
        {heading(selected, defaultsFor)}
      </h2>
      {editingDefaults && (
        <p className="style-inspector__note">Nothing is selected: these apply to new ones.</p>
      )}

      {colourTargets.length > 0 && (
        <Row label={colourOnly ? 'Dimming colour' : 'Colour'}>
          <div className="style-inspector__swatches">
            {PALETTE.map((swatch) => (
              <button
                key={swatch.value}
                type="button"
                className="style-inspector__swatch"
                aria-label={`Colour ${swatch.name}`}
                aria-pressed={typeof colour === 'string' && colour.toLowerCase() === swatch.value}
                title={swatch.name[0]?.toUpperCase() + swatch.name.slice(1)}
                style={{ background: swatch.value }}
                onClick={() => apply('color', () => swatch.value)}
              />
            ))}
          </div>
        </Row>
      )}

      {strokeTargets.length > 0 && (
        <Segments
          label="Line width"
          options={WIDTHS}
          pressed={width}
          describe={(preset) => `${preset} line`}
          onPick={(preset) => apply('strokeWidth', (type) => strokeFor(type, preset))}
        />
      )}

      {fontTargets.length > 0 && (
        <Segments
          label="Text size"
          options={SIZES}
          pressed={size}
          describe={(preset) => `${preset} text`}
          onPick={(preset) => apply('fontSize', (type) => fontSizeFor(type, preset))}
        />
      )}

      {blurTargets.length > 0 && (
        <>
          <Segments
            label="Blur mode"
            options={BLUR_MODES}
            pressed={mode}
            show={(m) => (m === 'blur' ? 'Blur' : 'Pixelate')}
            onPick={(m) => apply('mode', () => m)}
          />
          <Slider
            label="Blur strength"
            min={0.05}
            max={1}
            value={typeof strength === 'number' ? strength : undefined}
            onInput={(v) => apply('strength', () => v, 'preview')}
            onCommit={(v) => apply('strength', () => v, 'commit', true)}
          />
        </>
      )}

      {dimTargets.length > 0 && (
        <Slider
          label="Dim outside the spotlight"
          min={0}
          max={1}
          value={typeof dim === 'number' ? dim : undefined}
          onInput={(v) => apply('dim', () => v, 'preview')}
          onCommit={(v) => apply('dim', () => v, 'commit', true)}
        />
      )}
    </section>
  )
}

function Row(props: { label: string; children: ReactNode }): ReactNode {
  return (
    <fieldset className="style-inspector__row">
      <legend className="style-inspector__label">{props.label}</legend>
      {props.children}
    </fieldset>
  )
}

/** A row of buttons, one pressed: the value every target shares (none when they differ). */
function Segments<T extends string>(props: {
  label: string
  options: readonly T[]
  pressed: unknown
  /** The button's text (default: the option itself). */
  show?: (option: T) => string
  /** The button's accessible name, when its text alone is not enough. */
  describe?: (option: T) => string
  onPick: (option: T) => void
}): ReactNode {
  return (
    <Row label={props.label}>
      <div className="style-inspector__segments">
        {props.options.map((option) => (
          <button
            key={option}
            type="button"
            className="style-inspector__segment"
            aria-label={props.describe?.(option)}
            aria-pressed={props.pressed === option}
            onClick={() => props.onPick(option)}
          >
            {props.show ? props.show(option) : option}
          </button>
        ))}
      </div>
    </Row>
  )
}

interface SliderProps {
  readonly label: string
  readonly min: number
  readonly max: number
  /** The shared value; undefined when the selection differs (the slider sits in the middle). */
  readonly value: number | undefined
  /** While dragging or stepping: a preview. */
  readonly onInput: (value: number) => void
  /** When the value is let go (the native `change` event): one undo step. */
  readonly onCommit: (value: number) => void
}

function Slider(props: SliderProps): ReactNode {
  const { label, min, max, value, onInput, onCommit } = props
  const id = useId()
  const ref = useRef<HTMLInputElement>(null)
  // The value being dragged, so the thumb follows even before the parent applies a preview.
  const [dragging, setDragging] = useState<number | null>(null)
  const shown = dragging ?? value ?? (min + max) / 2
  const percent = `${Math.round(shown * 100)} %`
  const commitRef = useLatest(onCommit)

  // React's onChange fires on every input; the native change event fires once, on release.
  useEffect(() => {
    const input = ref.current
    if (!input) return
    const onChange = (): void => {
      setDragging(null)
      commitRef.current(Number(input.value))
    }
    input.addEventListener('change', onChange)
    return () => input.removeEventListener('change', onChange)
  }, [commitRef])

  return (
    <div className="style-inspector__row">
      <label className="style-inspector__label" htmlFor={id}>
        {label}
      </label>
      <div className="style-inspector__slider">
        <input
          ref={ref}
          id={id}
          type="range"
          min={min}
          max={max}
          step={0.05}
          value={shown}
          aria-valuetext={value === undefined && dragging === null ? 'Mixed' : percent}
          onChange={(event) => {
            const v = Number(event.target.value)
            setDragging(v)
            onInput(v)
          }}
        />
        <output htmlFor={id}>{value === undefined && dragging === null ? 'Mixed' : percent}</output>
      </div>
    </div>
  )
}
