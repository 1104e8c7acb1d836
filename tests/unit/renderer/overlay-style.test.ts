/**
 * The style inspector's model, the annotations' accessible names, and the blur preview's
 * strength held against export's ffmpeg filters.
 */
import { describe, expect, it } from 'vitest'
import {
  exportBlurRadiusPx,
  exportPixelBlockPx,
  previewBackdropFilter,
  previewBlurSigmaPx
} from '../../../src/renderer/src/editor/overlay/blur-preview'
import { annotationNames, selectionSummary } from '../../../src/renderer/src/editor/overlay/names'
import {
  DEFAULT_STYLE,
  PALETTE,
  STYLE_FIELDS,
  activePreset,
  defaultTargets,
  defaultsWith,
  fontSizeFor,
  selectionTargets,
  sharedValue,
  strokeFor,
  styleChanges,
  targetsOf
} from '../../../src/renderer/src/editor/overlay/style-model'
import { blurFilters, blurPixelBox } from '../../../src/engine/export-plan'
import {
  ANNOTATION_DEFAULTS,
  withDefaults,
  type Annotation,
  type BlurAnnotation
} from '../../../src/shared/edits'

const T = { startMs: 0, endMs: 1000 }
const rect: Annotation = { id: 'r', type: 'rect', ...T, x: 0, y: 0, w: 0.1, h: 0.1 }
const arrow: Annotation = { id: 'a', type: 'arrow', ...T, x1: 0, y1: 0, x2: 0.5, y2: 0.5 }
const step: Annotation = { id: 's', type: 'step', ...T, x: 0.5, y: 0.5, n: 3, fontSize: 0.042 }
const callout: Annotation = {
  id: 'c',
  type: 'callout',
  ...T,
  x: 0,
  y: 0,
  w: 0.3,
  h: 0.1,
  text: '  Open the\n Share   menu ',
  color: '#0090ff'
}
const spot: Annotation = { id: 'h', type: 'highlight', ...T, x: 0, y: 0, w: 0.5, h: 0.5 }
const blur: BlurAnnotation = { id: 'b', type: 'blur', ...T, x: 0.1, y: 0.1, w: 0.3, h: 0.3 }

describe('DEFAULT_STYLE', () => {
  it('is ANNOTATION_DEFAULTS, with a field list matching each type', () => {
    expect(DEFAULT_STYLE).toEqual(ANNOTATION_DEFAULTS)
    for (const [type, fields] of Object.entries(STYLE_FIELDS)) {
      expect(Object.keys(DEFAULT_STYLE[type as keyof typeof DEFAULT_STYLE]).sort()).toEqual(
        [...fields].sort()
      )
    }
  })

  it('offers every default colour in the palette, with unique names', () => {
    for (const style of Object.values(DEFAULT_STYLE)) {
      if ('color' in style) expect(PALETTE.map((p) => p.value)).toContain(style.color)
    }
    expect(new Set(PALETTE.map((p) => p.name)).size).toBe(PALETTE.length)
    expect(PALETTE.length).toBeGreaterThanOrEqual(6)
    expect(PALETTE.length).toBeLessThanOrEqual(8)
  })
})

describe('style targets', () => {
  it('fill defaults in for a selection and list only the fields a type has', () => {
    expect(selectionTargets([rect, step])).toEqual([
      { type: 'rect', style: { color: '#e5484d', strokeWidth: 0.005 } },
      { type: 'step', style: { color: '#e5484d', fontSize: 0.042 } }
    ])
  })

  it.each([
    { field: 'color', all: false, types: ['rect', 'highlight', 'callout', 'arrow', 'step'] },
    // With every type's defaults at once, one colour row is for the drawn shapes only.
    { field: 'color', all: true, types: ['rect', 'callout', 'arrow', 'step'] },
    { field: 'strokeWidth', all: true, types: ['rect', 'arrow'] },
    { field: 'fontSize', all: true, types: ['callout', 'step'] },
    { field: 'mode', all: true, types: ['blur'] },
    { field: 'dim', all: true, types: ['highlight'] }
  ] as const)('$field applies to $types (all defaults: $all)', ({ field, all, types }) => {
    const targets = targetsOf(defaultTargets(DEFAULT_STYLE), field, all)
    expect(targets.map((t) => t.type)).toEqual(types)
  })

  it('sharedValue is the common value, undefined when mixed', () => {
    expect(sharedValue(selectionTargets([rect, arrow]), 'color')).toBe('#e5484d')
    expect(sharedValue(selectionTargets([rect, callout]), 'color')).toBeUndefined()
    expect(sharedValue(selectionTargets([rect]), 'dim')).toBeUndefined()
  })

  it.each([
    { selected: [rect, arrow], field: 'strokeWidth', expected: 'Medium' },
    {
      selected: [
        { ...rect, strokeWidth: 0.009 },
        { ...arrow, strokeWidth: 0.01 }
      ],
      field: 'strokeWidth',
      expected: 'Thick'
    },
    {
      selected: [{ ...rect, strokeWidth: 0.009 }, arrow],
      field: 'strokeWidth',
      expected: undefined
    },
    { selected: [{ ...rect, strokeWidth: 0.0071 }], field: 'strokeWidth', expected: undefined },
    { selected: [step], field: 'fontSize', expected: 'Large' },
    { selected: [callout], field: 'fontSize', expected: 'Medium' }
  ] as const)('activePreset of $field → $expected', ({ selected, field, expected }) => {
    const targets = selectionTargets(selected as readonly Annotation[])
    const got =
      field === 'strokeWidth'
        ? activePreset(targets, field, ['Thin', 'Medium', 'Thick'] as const, strokeFor)
        : activePreset(targets, field, ['Small', 'Medium', 'Large'] as const, fontSizeFor)
    expect(got).toBe(expected)
  })
})

describe('styleChanges', () => {
  it('sets each type its own preset value and skips those already there', () => {
    const changes = styleChanges([rect, arrow, step], 'strokeWidth', (t) => strokeFor(t, 'Thick'))
    expect(changes).toEqual([
      { id: 'r', patch: { strokeWidth: 0.009 } },
      { id: 'a', patch: { strokeWidth: 0.01 } }
    ])
    expect(styleChanges([rect], 'color', () => '#e5484d')).toEqual([])
  })

  it('names an unchanged value when asked (a slider commit after its previews)', () => {
    expect(styleChanges([blur], 'strength', () => 0.5, true)).toEqual([
      { id: 'b', patch: { strength: 0.5 } }
    ])
  })

  it('defaultsWith changes only the given types that have the field', () => {
    const next = defaultsWith(DEFAULT_STYLE, ['rect', 'blur', 'step'], 'color', () => '#30a46c')
    expect(next.rect.color).toBe('#30a46c')
    expect(next.step.color).toBe('#30a46c')
    expect(next.arrow.color).toBe(DEFAULT_STYLE.arrow.color)
    expect(next.blur).toEqual(DEFAULT_STYLE.blur)
    expect(DEFAULT_STYLE.rect.color).toBe('#e5484d') // not mutated
  })
})

describe('annotationNames', () => {
  it('numbers per type in list order, quotes callout text and uses the step number', () => {
    const names = annotationNames([rect, arrow, callout, { ...arrow, id: 'a2' }, step, spot, blur])
    expect([...names.values()]).toEqual([
      'Box 1',
      'Arrow 1',
      'Text callout: Open the Share menu',
      'Arrow 2',
      'Step 3',
      'Spotlight 1',
      'Blurred area 1'
    ])
  })

  it('shortens long text and names empty text', () => {
    const long = { ...callout, text: 'x'.repeat(100) }
    expect(annotationNames([long]).get('c')).toBe(`Text callout: ${'x'.repeat(59)}…`)
    expect(annotationNames([{ ...callout, text: ' ' }]).get('c')).toBe('Text callout: (empty)')
  })

  it('selectionSummary says what is selected', () => {
    const names = annotationNames([rect, arrow])
    expect(selectionSummary([], names)).toBe('')
    expect(selectionSummary(['a'], names)).toBe('Arrow 1 selected')
    expect(selectionSummary(['a', 'r'], names)).toBe('2 selected')
  })
})

describe('blur preview', () => {
  const frames = [
    { width: 640, height: 360 },
    { width: 1920, height: 1080 },
    { width: 3840, height: 2160 }
  ]
  const cases = frames.flatMap((frame) =>
    [0.05, 0.5, 1].flatMap((strength) =>
      [blur, { ...blur, w: 0.02, h: 0.03 }].map((b) => ({ frame, strength, b }))
    )
  )

  it.each(cases)(
    'blur radius matches export at $frame.width×$frame.height, strength $strength',
    ({ frame, strength, b }) => {
      const a = { ...b, strength }
      const box = blurPixelBox(a, frame)
      expect(box).not.toBeNull()
      if (!box) return
      const radius = Number(/luma_radius=(\d+)/.exec(blurFilters(a, box, frame))?.[1])
      expect(exportBlurRadiusPx(a, frame)).toBe(radius)
      // Three box passes of radius r: a Gaussian of σ = √(r(r+1)).
      expect(previewBlurSigmaPx(a, frame)).toBeCloseTo(Math.sqrt(radius * (radius + 1)), 9)
    }
  )

  it.each(frames)('pixelate block matches export at $width×$height', (frame) => {
    const a = { ...blur, mode: 'pixelate' as const, strength: 0.7 }
    const box = blurPixelBox(a, frame)!
    const [, sw] = /scale=(\d+):/.exec(blurFilters(a, box, frame)) ?? []
    const block = exportPixelBlockPx(a, frame)
    expect(Math.round(box.w / block)).toBe(Number(sw))
    expect(previewBlurSigmaPx(a, frame)).toBe(block / 2)
  })

  it('scales the CSS radius to the size shown', () => {
    const frame = { width: 1920, height: 1080 }
    const sigma = previewBlurSigmaPx(blur, frame)
    expect(previewBackdropFilter(blur, frame, 540)).toBe(`blur(${Math.round(sigma * 50) / 100}px)`)
    expect(previewBackdropFilter(blur, frame, 1080)).toBe(
      `blur(${Math.round(sigma * 100) / 100}px)`
    )
    expect(withDefaults(blur).strength).toBe(0.5)
  })
})
