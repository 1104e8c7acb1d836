import { describe, expect, it } from 'vitest'
import {
  drawAnnotation,
  drawOverlay,
  needsPixels,
  type FrameSize
} from '../../../src/shared/callouts/draw'
import { escapeXml, num, safeColor, textColorOn } from '../../../src/shared/callouts/svg-markup'
import { wrapText } from '../../../src/shared/callouts/wrap-text'
import type { Annotation, CalloutAnnotation } from '../../../src/shared/edits'

const time = { startMs: 0, endMs: 3000 }
const rect: Annotation = { id: 'r1', type: 'rect', x: 0.1, y: 0.2, w: 0.3, h: 0.4, ...time }
const highlight: Annotation = {
  id: 'h1',
  type: 'highlight',
  x: 0.5,
  y: 0.5,
  w: 0.25,
  h: 0.25,
  dim: 0.7,
  ...time
}
const blur: Annotation = { id: 'b1', type: 'blur', x: 0.6, y: 0.1, w: 0.2, h: 0.1, ...time }
const arrow: Annotation = {
  id: 'a1',
  type: 'arrow',
  x1: 0.2,
  y1: 0.8,
  x2: 0.45,
  y2: 0.55,
  color: '#00aa55',
  ...time
}
const callout: CalloutAnnotation = {
  id: 'c1',
  type: 'callout',
  x: 0.55,
  y: 0.7,
  w: 0.3,
  h: 0.2,
  text: 'Click Save',
  pointX: 0.4,
  pointY: 0.95,
  ...time
}
const step: Annotation = { id: 's1', type: 'step', x: 0.9, y: 0.1, n: 7, ...time }
const ALL: Annotation[] = [rect, highlight, blur, arrow, callout, step]

const FRAMES: FrameSize[] = [
  { width: 1920, height: 1080 },
  { width: 1281, height: 721 }
]

/** True when `value`, formatted as the drawing formats numbers, appears as a whole number token. */
function hasNumber(svg: string, value: number): boolean {
  const token = num(value).replace('.', '\\.')
  return new RegExp(`(^|[^\\d.])${token}($|[^\\d.])`).test(svg)
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1
}

describe('drawAnnotation: geometry of every type at two frame sizes', () => {
  interface Case {
    readonly a: Annotation
    /** Elements that must appear. */
    readonly elements: readonly string[]
    /** Pixel coordinates that must appear, computed from the frame. */
    readonly coords: (f: FrameSize) => number[]
    /** Literal fragments that must appear. */
    readonly contains?: (f: FrameSize) => string[]
  }
  const cases: Case[] = [
    {
      a: rect,
      elements: ['<path'],
      coords: (f) => [0.1 * f.width, 0.2 * f.height, 0.4 * f.width, 0.6 * f.height],
      contains: () => ['stroke="#e5484d"', 'fill="none"', 'stroke="#000000"']
    },
    {
      a: highlight,
      elements: ['<path'],
      coords: (f) => [0.5 * f.width, 0.5 * f.height, 0.75 * f.width, 0.75 * f.height],
      contains: (f) => [
        `M0 0H${f.width}V${f.height}H0Z`,
        'fill-rule="evenodd"',
        'fill-opacity="0.7"',
        'stroke="#ffffff"'
      ]
    },
    {
      a: blur,
      elements: ['<path'],
      coords: (f) => [0.6 * f.width, 0.1 * f.height, 0.8 * f.width, 0.2 * f.height],
      contains: () => ['stroke-dasharray=']
    },
    {
      a: arrow,
      elements: ['<polygon'],
      coords: () => [],
      // The tip is a vertex of the filled polygon.
      contains: (f) => [`${num(0.45 * f.width)},${num(0.55 * f.height)}`, 'fill="#00aa55"']
    },
    {
      a: callout,
      elements: ['<path', '<polygon', '<svg', '<text'],
      coords: (f) => [0.55 * f.width, 0.7 * f.height, 0.3 * f.width, 0.2 * f.height],
      contains: (f) => [
        // The tail's tip is the pointed-at spot.
        `${num(0.4 * f.width)},${num(0.95 * f.height)}`,
        `<svg x="${num(0.55 * f.width)}" y="${num(0.7 * f.height)}" width="${num(0.3 * f.width)}" height="${num(0.2 * f.height)}" overflow="hidden">`,
        '>Click Save</text>',
        'font-family="&apos;DejaVu Sans&apos;, sans-serif"'
      ]
    },
    {
      a: step,
      elements: ['<circle', '<text'],
      coords: (f) => [0.9 * f.width, 0.1 * f.height],
      contains: (f) => [
        `<circle cx="${num(0.9 * f.width)}" cy="${num(0.1 * f.height)}"`,
        '>7</text>',
        'fill="#ffffff"'
      ]
    }
  ]

  for (const frame of FRAMES) {
    for (const c of cases) {
      it(`${c.a.type} at ${frame.width}×${frame.height}`, () => {
        const svg = drawAnnotation(c.a, frame)
        expect(svg.startsWith('<g ')).toBe(true)
        expect(svg.endsWith('</g>')).toBe(true)
        expect(svg).toContain(`data-annotation-type="${c.a.type}"`)
        expect(svg).toContain(`data-annotation-id="${c.a.id}"`)
        for (const element of c.elements) expect(svg).toContain(element)
        for (const value of c.coords(frame)) {
          expect(hasNumber(svg, value), `${num(value)} in ${svg}`).toBe(true)
        }
        for (const fragment of c.contains?.(frame) ?? []) expect(svg).toContain(fragment)
        // Same input, same string.
        expect(drawAnnotation(c.a, frame)).toBe(svg)
      })
    }
  }

  it('scales with the frame: sizes follow the frame height', () => {
    const small = drawAnnotation({ ...rect, strokeWidth: 0.01 }, { width: 1280, height: 720 })
    const large = drawAnnotation({ ...rect, strokeWidth: 0.01 }, { width: 1920, height: 1080 })
    expect(small).toContain('stroke-width="7.2"')
    expect(large).toContain('stroke-width="10.8"')
  })
})

describe('drawAnnotation: text and attribute safety', () => {
  const frame = { width: 1920, height: 1080 }
  const hostile = '<script>alert("x")</script> & \'more\''

  it('escapes callout text', () => {
    const svg = drawAnnotation({ ...callout, w: 0.9, text: hostile }, frame)
    expect(svg).not.toContain('<script>')
    expect(svg).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;more&apos;'
    )
  })

  it('escapes ids', () => {
    const svg = drawAnnotation({ ...rect, id: '"><script>x</script>' }, frame)
    expect(svg).not.toContain('<script>')
    expect(svg).toContain('data-annotation-id="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"')
  })

  it('refuses a colour that is not #rrggbb instead of writing it into an attribute', () => {
    const svg = drawAnnotation({ ...rect, color: '#fff" onload="alert(1)' }, frame)
    expect(svg).not.toContain('onload')
    expect(svg).toContain('stroke="#e5484d"')
  })

  it('escapes in a whole overlay too', () => {
    const svg = drawOverlay([{ ...callout, text: hostile }], frame)
    expect(svg).not.toContain('<script>')
  })
})

describe('drawAnnotation: callout text', () => {
  const frame = { width: 1920, height: 1080 }
  const long =
    'Open the settings panel, choose the Network tab and paste the proxy address you copied from the wiki page'

  it('wraps long text into several lines, each within the bubble', () => {
    const a = { ...callout, text: long, w: 0.25, h: 0.4 }
    const svg = drawAnnotation(a, frame)
    const lines = [...svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1] ?? '')
    expect(lines.length).toBeGreaterThan(2)
    expect(lines.join(' ')).toBe(long)
    // Every line within the estimated width of the bubble's text area.
    const fontPx = 0.03 * 1080
    const room = 0.25 * 1920 - 2 * 0.55 * fontPx
    for (const line of lines) expect(line.length * fontPx * 0.62).toBeLessThanOrEqual(room)
    // Line baselines go down the bubble in equal steps.
    const ys = [...svg.matchAll(/<text x="[^"]*" y="([^"]*)"/g)].map((m) => Number(m[1]))
    const steps = ys.slice(1).map((y, i) => Math.round((y - (ys[i] ?? 0)) * 10) / 10)
    expect(new Set(steps).size).toBe(1)
  })

  it('keeps only the lines that fit a short bubble and ends with an ellipsis', () => {
    const svg = drawAnnotation({ ...callout, text: long, w: 0.25, h: 0.08 }, frame)
    const lines = [...svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1] ?? '')
    expect(lines.length).toBeGreaterThanOrEqual(1)
    expect(lines.length).toBeLessThanOrEqual(2)
    expect(lines.at(-1)?.endsWith('…')).toBe(true)
  })

  it('picks a readable text colour for the bubble', () => {
    expect(drawAnnotation({ ...callout, color: '#1f3a93' }, frame)).toContain('fill="#ffffff"')
    expect(drawAnnotation({ ...callout, color: '#ffd60a' }, frame)).toContain('fill="#111111"')
  })

  it('draws no tail without a point, or when the point is inside the bubble', () => {
    const { pointX: _x, pointY: _y, ...noPoint } = callout
    expect(drawAnnotation(noPoint, frame)).not.toContain('<polygon')
    expect(drawAnnotation({ ...callout, pointX: 0.6, pointY: 0.8 }, frame)).not.toContain(
      '<polygon'
    )
  })

  it('draws no text elements for empty text', () => {
    expect(drawAnnotation({ ...callout, text: '  ' }, frame)).not.toContain('<text')
  })
})

describe('drawAnnotation: other details', () => {
  const frame = { width: 1920, height: 1080 }

  it.each([
    [1, '>1</text>'],
    [12, '>12</text>'],
    [105, '>105</text>']
  ])('step %i shows its number', (n, fragment) => {
    expect(drawAnnotation({ ...step, n } as Annotation, frame)).toContain(fragment)
  })

  it('a zero-length arrow draws nothing but its empty group', () => {
    const svg = drawAnnotation({ ...arrow, x2: 0.2, y2: 0.8 } as Annotation, frame)
    expect(svg).not.toContain('<polygon')
  })

  it('skips types it does not know', () => {
    const future = { ...rect, type: 'sticker' } as unknown as Annotation
    expect(drawAnnotation(future, frame)).toBe('')
  })

  it('needsPixels is true for blur only', () => {
    expect(ALL.filter(needsPixels).map((a) => a.type)).toEqual(['blur'])
  })
})

describe('drawOverlay', () => {
  const frame = { width: 1281, height: 721 }

  it('is a complete SVG document at the frame size', () => {
    const svg = drawOverlay(ALL, frame)
    expect(svg).toMatch(
      /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="1281" height="721" viewBox="0 0 1281 721">/
    )
    expect(svg.endsWith('</svg>')).toBe(true)
    expect(count(svg, 'data-annotation-type=')).toBe(ALL.length)
  })

  it('puts spotlights and blur underneath, the rest in list order', () => {
    const svg = drawOverlay([step, rect, highlight, blur], frame)
    const order = [...svg.matchAll(/data-annotation-id="([^"]+)"/g)].map((m) => m[1])
    expect(order).toEqual(['h1', 'b1', 's1', 'r1'])
  })

  it('leaves blur out for export (pixelPlaceholders: false)', () => {
    const svg = drawOverlay(ALL, frame, { pixelPlaceholders: false })
    expect(svg).not.toContain('data-annotation-type="blur"')
    expect(count(svg, 'data-annotation-type=')).toBe(ALL.length - 1)
    expect(drawOverlay(ALL, frame)).toContain('data-annotation-type="blur"')
  })

  it('is deterministic', () => {
    expect(drawOverlay(ALL, frame)).toBe(
      drawOverlay(
        ALL.map((a) => ({ ...a })),
        frame
      )
    )
  })

  it('is an empty document for no annotations', () => {
    expect(drawOverlay([], frame)).toBe(
      '<svg xmlns="http://www.w3.org/2000/svg" width="1281" height="721" viewBox="0 0 1281 721"></svg>'
    )
  })
})

describe('wrapText', () => {
  const base = { fontSize: 10, maxLines: 10 }
  // 10 px font × 0.62 → 6.2 px a glyph: 62 px holds 10 characters.
  it.each([
    ['short', 62, ['short']],
    ['one two three four', 62, ['one two', 'three four']],
    ['first\nsecond line', 62, ['first', 'second', 'line']],
    ['abcdefghijklmnopqrstuvwxy', 62, ['abcdefghij', 'klmnopqrst', 'uvwxy']],
    ['trailing\n\n', 62, ['trailing']],
    ['', 62, ['']]
  ])('%j in %i px', (text, maxWidth, expected) => {
    expect(wrapText(text, { ...base, maxWidth })).toEqual(expected)
  })

  it('drops lines beyond maxLines and marks the cut', () => {
    expect(wrapText('aa bb cc dd ee', { fontSize: 10, maxWidth: 20, maxLines: 2 })).toEqual([
      'aa',
      'bb…'
    ])
  })
})

describe('svg-markup helpers', () => {
  it.each([
    [1.006, '1.01'],
    [-0.001, '0'],
    [Number.NaN, '0'],
    [1920, '1920'],
    [12.3456, '12.35']
  ])('num(%d) is %s', (value, expected) => {
    expect(num(value)).toBe(expected)
  })

  it('escapeXml escapes all five XML specials', () => {
    expect(escapeXml(`<a b="c" d='e'>&`)).toBe('&lt;a b=&quot;c&quot; d=&apos;e&apos;&gt;&amp;')
  })

  it.each([
    ['#ABCDEF', '#abcdef'],
    ['#abc', '#000000'],
    ['red', '#000000'],
    [undefined, '#000000']
  ])('safeColor(%j)', (value, expected) => {
    expect(safeColor(value, '#000000')).toBe(expected)
  })

  it.each([
    ['#000000', '#ffffff'],
    ['#e5484d', '#ffffff'],
    ['#ffffff', '#111111'],
    ['#ffd60a', '#111111']
  ])('text on %s is %s', (fill, expected) => {
    expect(textColorOn(fill)).toBe(expected)
  })
})
