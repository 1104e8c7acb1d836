import { describe, expect, it } from 'vitest'
import {
  ANNOTATION_DEFAULTS,
  BUBBLE_MAX_SIZE,
  BUBBLE_MIN_SIZE,
  EditsError,
  emptyEdits,
  loadEdits,
  serializeEdits,
  withDefaults,
  type Annotation,
  type ArrowAnnotation,
  type CalloutAnnotation
} from '../../../src/shared/edits'
import { SidecastError } from '../../../src/shared/errors'

const rect = { id: 'r1', type: 'rect', startMs: 0, endMs: 3000, x: 0.1, y: 0.1, w: 0.5, h: 0.5 }
const highlight = { ...rect, id: 'h1', type: 'highlight', dim: 0.7 }
const blur = { ...rect, id: 'b1', type: 'blur', mode: 'pixelate', strength: 1 }
const callout = {
  ...rect,
  id: 'c1',
  type: 'callout',
  text: 'Click here',
  pointX: 0.9,
  pointY: 0.9,
  color: '#FFAA00',
  fontSize: 0.04
}
const arrow = { id: 'a1', type: 'arrow', startMs: 500, endMs: 900, x1: 0, y1: 0, x2: 1, y2: 1 }
const step = { id: 's1', type: 'step', startMs: 100, endMs: 200, x: 0.5, y: 0.5, n: 3 }
const ALL = [rect, highlight, blur, callout, arrow, step]

function withAnnotation(annotation: Record<string, unknown>): Record<string, unknown> {
  return { version: 1, keep: [], annotations: [rect, annotation] }
}

/** Runs the loader and returns what it threw, so a table can check both the field and the text. */
function loadError(json: unknown, opts?: { durationMs?: number }): EditsError {
  try {
    loadEdits(json, opts)
  } catch (error) {
    if (error instanceof EditsError) return error
    throw error
  }
  throw new Error('loadEdits accepted the file')
}

describe('loadEdits accepts', () => {
  it('every annotation type, unchanged', () => {
    const edits = loadEdits({ version: 2, keep: [[0, 5000]], annotations: ALL })
    expect(edits.version).toBe(2)
    expect(edits.keep).toEqual([[0, 5000]])
    expect(edits.annotations).toEqual(ALL)
  })

  it.each([
    ['no keep and no annotations', { version: 1 }],
    ['empty lists', { version: 1, keep: [], annotations: [] }]
  ])('%s as no edits', (_name, json) => {
    expect(loadEdits(json)).toEqual(emptyEdits())
  })

  it('tidies the kept ranges, and clamps them when the duration is known', () => {
    const json = {
      version: 1,
      keep: [
        [6000, 12_000],
        [0, 1000],
        [1000, 2000],
        [3000, 3000]
      ]
    }
    expect(loadEdits(json).keep).toEqual([
      [0, 2000],
      [6000, 12_000]
    ])
    expect(loadEdits(json, { durationMs: 10_000 }).keep).toEqual([
      [0, 2000],
      [6000, 10_000]
    ])
  })

  it('a box flush with the frame edge despite floating-point error', () => {
    const flush = { ...rect, id: 'r2', x: 0.01, w: 0.9900000000000002 }
    expect(flush.x + flush.w).toBeGreaterThan(1)
    expect(() => loadEdits(withAnnotation(flush))).not.toThrow()
  })

  it('does not write style defaults into the edits', () => {
    const edits = loadEdits(withAnnotation(arrow))
    expect(edits.annotations[1]).not.toHaveProperty('color')
  })
})

describe('loadEdits refuses, naming the field', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['not an object', [1, 2], '(top level)', /must be a JSON object/],
    ['null', null, '(top level)', /must be a JSON object/],
    ['version not a number', { version: '1' }, 'version', /whole number/],
    ['version fractional', { version: 1.5 }, 'version', /whole number/],
    ['keep not a list', { version: 1, keep: {} }, 'keep', /list of \[startMs, endMs\] pairs/],
    ['keep item not a pair', { version: 1, keep: [[0, 1, 2]] }, 'keep[0]', /must be a pair/],
    [
      'keep start negative',
      { version: 1, keep: [[-1, 5]] },
      'keep[0][0]',
      /whole number of milliseconds/
    ],
    [
      'keep end fractional',
      { version: 1, keep: [[0, 5.5]] },
      'keep[0][1]',
      /whole number of milliseconds/
    ],
    [
      'keep backwards',
      {
        version: 1,
        keep: [
          [0, 9],
          [5, 4]
        ]
      },
      'keep[1][1]',
      /must not be less than keep\[1\]\[0\]/
    ],
    ['annotations not a list', { version: 1, annotations: 'x' }, 'annotations', /must be a list/],
    ['annotation not an object', withAnnotation(7 as never), 'annotations[1]', /must be an object/],
    [
      'missing id',
      withAnnotation({ ...arrow, id: undefined }),
      'annotations[1].id',
      /non-empty string/
    ],
    ['empty id', withAnnotation({ ...arrow, id: '' }), 'annotations[1].id', /non-empty string/],
    [
      'duplicate id',
      withAnnotation({ ...arrow, id: 'r1' }),
      'annotations[1].id',
      /"r1" is already used by annotations\[0\]/
    ],
    [
      'type not a string',
      withAnnotation({ ...arrow, type: 5 }),
      'annotations[1].type',
      /one of rect, highlight, blur, callout, arrow, step/
    ],
    [
      'startMs a string',
      withAnnotation({ ...arrow, startMs: '0' }),
      'annotations[1].startMs',
      /whole number of milliseconds/
    ],
    [
      'startMs negative',
      withAnnotation({ ...arrow, startMs: -5 }),
      'annotations[1].startMs',
      /whole number of milliseconds/
    ],
    [
      'endMs missing',
      withAnnotation({ ...arrow, endMs: undefined }),
      'annotations[1].endMs',
      /whole number/
    ],
    [
      'endMs equal to startMs',
      withAnnotation({ ...arrow, endMs: 500 }),
      'annotations[1].endMs',
      /greater than startMs/
    ],
    [
      'endMs before startMs',
      withAnnotation({ ...arrow, endMs: 100 }),
      'annotations[1].endMs',
      /greater than startMs/
    ],
    [
      'x above 1',
      withAnnotation({ ...rect, id: 'r2', x: 1.2 }),
      'annotations[1].x',
      /between 0 and 1/
    ],
    ['y negative', withAnnotation({ ...blur, y: -0.1 }), 'annotations[1].y', /between 0 and 1/],
    [
      'x a string',
      withAnnotation({ ...highlight, x: '0.5' }),
      'annotations[1].x',
      /between 0 and 1/
    ],
    ['w zero', withAnnotation({ ...callout, w: 0 }), 'annotations[1].w', /above 0 and up to 1/],
    [
      'h missing',
      withAnnotation({ ...rect, id: 'r2', h: undefined }),
      'annotations[1].h',
      /above 0 and up to 1/
    ],
    [
      'box past the right edge',
      withAnnotation({ ...rect, id: 'r2', x: 0.6, w: 0.5 }),
      'annotations[1].w',
      /inside the frame/
    ],
    [
      'box past the bottom edge',
      withAnnotation({ ...rect, id: 'r2', y: 0.6, h: 0.5 }),
      'annotations[1].h',
      /inside the frame/
    ],
    [
      'arrow end NaN',
      withAnnotation({ ...arrow, x2: Number.NaN }),
      'annotations[1].x2',
      /between 0 and 1/
    ],
    ['step number zero', withAnnotation({ ...step, n: 0 }), 'annotations[1].n', /1 or more/],
    [
      'step number fractional',
      withAnnotation({ ...step, n: 1.5 }),
      'annotations[1].n',
      /1 or more/
    ],
    [
      'callout text missing',
      withAnnotation({ ...callout, text: undefined }),
      'annotations[1].text',
      /must be a string/
    ],
    [
      'callout pointer half given',
      withAnnotation({ ...callout, pointY: undefined }),
      'annotations[1].pointY',
      /with the other pointer field/
    ],
    [
      'callout pointer outside',
      withAnnotation({ ...callout, pointX: 2 }),
      'annotations[1].pointX',
      /between 0 and 1/
    ],
    [
      'colour name',
      withAnnotation({ ...arrow, color: 'red' }),
      'annotations[1].color',
      /"#rrggbb"/
    ],
    [
      'colour short hex',
      withAnnotation({ ...arrow, color: '#f00' }),
      'annotations[1].color',
      /"#rrggbb"/
    ],
    [
      'colour a number',
      withAnnotation({ ...step, color: 0xff0000 }),
      'annotations[1].color',
      /"#rrggbb"/
    ],
    [
      'stroke width zero',
      withAnnotation({ ...arrow, strokeWidth: 0 }),
      'annotations[1].strokeWidth',
      /above 0/
    ],
    [
      'font size huge',
      withAnnotation({ ...callout, fontSize: 2 }),
      'annotations[1].fontSize',
      /up to 0.5/
    ],
    [
      'dim above 1',
      withAnnotation({ ...highlight, dim: 1.5 }),
      'annotations[1].dim',
      /between 0 and 1/
    ],
    [
      'blur mode unknown',
      withAnnotation({ ...blur, mode: 'smudge' }),
      'annotations[1].mode',
      /"blur" or "pixelate"/
    ],
    [
      'blur strength zero',
      withAnnotation({ ...blur, strength: 0 }),
      'annotations[1].strength',
      /above 0/
    ]
  ]
  it.each(cases)('%s', (_name, json, field, message) => {
    const error = loadError(json)
    expect(error.field).toBe(field)
    expect(error.message).toContain(field)
    expect(error.message).toMatch(message)
    expect(error).toBeInstanceOf(SidecastError)
    expect(error.code).toBe('invalid-edits')
  })

  it('reads as a sentence naming the field', () => {
    expect(loadError(withAnnotation({ ...rect, id: 'r2', x: 3 })).message).toBe(
      'edits.json: annotations[1].x must be a number between 0 and 1'
    )
  })

  it('a keep with nothing inside the recording (it would silently mean "everything")', () => {
    const error = loadError({ version: 1, keep: [[20_000, 30_000]] }, { durationMs: 10_000 })
    expect(error.field).toBe('keep')
    expect(error.message).toMatch(/no range inside the recording/)
  })
})

describe('annotation types this version does not know', () => {
  const zoom = { id: 'z1', type: 'zoom', startMs: 100, endMs: 900, scale: 2, at: { x: 0.5 } }
  const file = { version: 1, keep: [], annotations: [rect, zoom, arrow] }

  it('open: the unknown one is set aside, not drawn, and the rest load', () => {
    const edits = loadEdits(file)
    expect(edits.annotations.map((a) => a.id)).toEqual(['r1', 'a1'])
    expect(edits.unknownAnnotations).toEqual([{ index: 1, annotation: zoom }])
  })

  it('are written back untouched at their place in the list', () => {
    const text = serializeEdits(loadEdits(file))
    const written = JSON.parse(text) as { annotations: Record<string, unknown>[] }
    expect(written.annotations.map((a) => a.id)).toEqual(['r1', 'z1', 'a1'])
    expect(written.annotations[1]).toEqual(zoom)
    expect(text).not.toContain('unknownAnnotations')
  })

  it('survive the editor’s round trip (edits with unknownAnnotations checked and saved again)', () => {
    const opened = loadEdits(file)
    // The editor deletes the rect and adds nothing: the unknown one keeps its index, clamped.
    const saved = loadEdits({ ...opened, annotations: opened.annotations.slice(1) })
    expect(saved.unknownAnnotations).toEqual([{ index: 1, annotation: zoom }])
    const written = JSON.parse(serializeEdits(saved)) as { annotations: { id: string }[] }
    expect(written.annotations.map((a) => a.id)).toEqual(['a1', 'z1'])
  })

  it('still share the id space: a known annotation cannot take an unknown one’s id', () => {
    const error = loadError({ ...file, annotations: [zoom, { ...rect, id: 'z1' }] })
    expect(error.field).toBe('annotations[1].id')
    expect(error.message).toMatch(/"z1" is already used by annotations\[0\]/)
  })

  it('are refused, named, when rendering asks for strictness', () => {
    let error: unknown
    try {
      loadEdits(file, { unknownTypes: 'refuse' })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(EditsError)
    expect((error as EditsError).field).toBe('annotations[1].type')
    expect((error as EditsError).message).toMatch(/"zoom", which this Sidecast cannot draw/)
    expect((error as EditsError).message).toMatch(/newer Sidecast/)
  })

  it('refuses a malformed unknownAnnotations list from the renderer', () => {
    const error = loadError({ ...file, unknownAnnotations: [{ index: -1, annotation: zoom }] })
    expect(error.field).toBe('unknownAnnotations[0]')
  })
})

describe('versions', () => {
  it.each([
    [
      'no version, cuts in the middle',
      {
        cuts: [
          [2000, 3000],
          [5000, 6000]
        ]
      },
      [
        [0, 2000],
        [3000, 5000],
        [6000, 10_000]
      ]
    ],
    [
      'version 0, unsorted overlapping cuts',
      {
        version: 0,
        cuts: [
          [5000, 6000],
          [0, 1000],
          [500, 2000]
        ]
      },
      [
        [2000, 5000],
        [6000, 10_000]
      ]
    ],
    ['cut at the end and past it', { cuts: [[8000, 20_000]] }, [[0, 8000]]],
    ['no cuts', { annotations: [] }, []],
    ['empty cuts', { cuts: [] }, []]
  ])('migrates v0: %s', (_name, json, keep) => {
    const edits = loadEdits(json, { durationMs: 10_000 })
    expect(edits.version).toBe(2)
    expect(edits.keep).toEqual(keep)
    expect(edits).not.toHaveProperty('cuts')
  })

  it('keeps a v0 file’s annotations and unknown keys', () => {
    const edits = loadEdits(
      { cuts: [[0, 1000]], annotations: [arrow], note: 'hi' },
      { durationMs: 5000 }
    )
    expect(edits.annotations).toEqual([arrow])
    expect(edits).toHaveProperty('note', 'hi')
  })

  it.each([
    ['without the duration', { cuts: [[0, 1000]] }, undefined, 'cuts', /duration is known/],
    ['with bad cuts', { cuts: [[0, 'x']] }, 10_000, 'cuts[0][1]', /whole number/],
    ['cutting everything', { cuts: [[0, 10_000]] }, 10_000, 'cuts', /whole recording/]
  ])('refuses a v0 file %s', (_name, json, durationMs, field, message) => {
    const error = loadError(json, { durationMs })
    expect(error.field).toBe(field)
    expect(error.message).toMatch(message)
  })

  it('refuses a newer version and says what to do', () => {
    const error = loadError({ version: 3, keep: [], annotations: [] })
    expect(error.field).toBe('version')
    expect(error.message).toMatch(/is 3/)
    expect(error.message).toMatch(/reads up to version 2/)
    expect(error.message).toMatch(/update Sidecast/)
  })
})

describe('serializeEdits', () => {
  it('writes an empty file as the canonical minimum', () => {
    expect(serializeEdits(emptyEdits())).toBe(
      '{\n  "version": 2,\n  "keep": [],\n  "annotations": []\n}\n'
    )
  })

  it('writes known keys in a fixed order, then unknown keys sorted, kept ranges on one line', () => {
    const edits = loadEdits({
      zeta: true,
      annotations: [
        {
          note: 'n',
          endMs: 900,
          x2: 1,
          y2: 1,
          x1: 0,
          y1: 0,
          startMs: 500,
          type: 'arrow',
          id: 'a1',
          alpha: 1
        }
      ],
      keep: [
        [2000, 3000],
        [0, 1000]
      ],
      version: 1,
      alpha: { nested: [1, 2] }
    })
    expect(serializeEdits(edits)).toBe(
      [
        '{',
        '  "version": 2,',
        '  "keep": [',
        '    [0, 1000],',
        '    [2000, 3000]',
        '  ],',
        '  "annotations": [',
        '    {',
        '      "id": "a1",',
        '      "type": "arrow",',
        '      "startMs": 500,',
        '      "endMs": 900,',
        '      "x1": 0,',
        '      "y1": 0,',
        '      "x2": 1,',
        '      "y2": 1,',
        '      "alpha": 1,',
        '      "note": "n"',
        '    }',
        '  ],',
        '  "alpha": {',
        '    "nested": [1, 2]',
        '  },',
        '  "zeta": true',
        '}',
        ''
      ].join('\n')
    )
  })

  it('round-trips every annotation type and unknown keys through load → serialize → load', () => {
    const json = {
      version: 1,
      keep: [[0, 4000]],
      annotations: ALL.map((a, i) => ({ ...a, futureField: { i } })),
      exportHints: { preset: '720p' }
    }
    const once = loadEdits(json)
    const text = serializeEdits(once)
    const twice = loadEdits(JSON.parse(text))
    expect(twice).toEqual(once)
    expect(twice).toHaveProperty('exportHints', { preset: '720p' })
    expect(twice.annotations[3]).toHaveProperty('futureField', { i: 3 })
    expect(serializeEdits(twice)).toBe(text)
  })
})

describe('withDefaults', () => {
  it.each(Object.keys(ANNOTATION_DEFAULTS).map((type) => [type]))(
    'fills every style field of %s',
    (type) => {
      const bare = ALL.find((a) => a.type === type) as Annotation
      const stripped = Object.fromEntries(
        Object.entries(bare).filter(([key]) => !(key in ANNOTATION_DEFAULTS[bare.type]))
      ) as unknown as Annotation
      expect(withDefaults(stripped)).toEqual({ ...stripped, ...ANNOTATION_DEFAULTS[bare.type] })
    }
  )

  it('keeps the annotation’s own style and unknown keys', () => {
    const a = { ...(callout as CalloutAnnotation), extra: 1 }
    const filled = withDefaults(a)
    expect(filled.color).toBe('#FFAA00')
    expect(filled.fontSize).toBe(0.04)
    expect(filled).toHaveProperty('extra', 1)
  })

  it('treats an explicitly undefined field as missing', () => {
    const a: ArrowAnnotation = { ...(arrow as ArrowAnnotation), color: undefined }
    expect(withDefaults(a).color).toBe(ANNOTATION_DEFAULTS.arrow.color)
  })
})

describe('the camera bubble (version 2)', () => {
  const placed = {
    x: 0.7,
    y: 0.05,
    size: 0.3,
    shape: 'rounded',
    hidden: [
      [4000, 5000],
      [1000, 2000]
    ]
  }
  const withBubble = (bubble: unknown): Record<string, unknown> => ({
    version: 2,
    keep: [],
    annotations: [],
    bubble
  })

  it('loads a placed bubble, its hidden ranges sorted and merged', () => {
    const edits = loadEdits(
      withBubble({
        ...placed,
        hidden: [
          [4000, 5000],
          [1000, 2000],
          [1500, 2500],
          [3000, 3000]
        ]
      })
    )
    expect(edits.bubble).toEqual({
      ...placed,
      hidden: [
        [1000, 2500],
        [4000, 5000]
      ]
    })
  })

  it('has no bubble when the file has none (the default placement applies)', () => {
    expect(loadEdits({ version: 2, keep: [], annotations: [] })).not.toHaveProperty('bubble')
  })

  it.each([
    ['at the frame’s edges', { x: 0, y: 1, size: BUBBLE_MIN_SIZE }],
    ['at the other edges, largest', { x: 1, y: 0, size: BUBBLE_MAX_SIZE }],
    ['a circle', { shape: 'circle' }],
    ['no hidden list (never hidden)', { hidden: undefined }]
  ])('accepts a bubble %s', (_name, over) => {
    const bubble = loadEdits(withBubble({ ...placed, ...over })).bubble
    expect(bubble).toMatchObject(Object.fromEntries(Object.entries(over).filter(([, v]) => v)))
    expect(bubble?.hidden).toBeInstanceOf(Array)
  })

  const refused: [string, unknown, string, RegExp][] = [
    ['not an object', [0.1, 0.2], 'bubble', /must be an object/],
    ['null', null, 'bubble', /must be an object/],
    ['x missing', { ...placed, x: undefined }, 'bubble.x', /between 0 and 1/],
    ['x negative', { ...placed, x: -0.01 }, 'bubble.x', /between 0 and 1/],
    ['x past the frame', { ...placed, x: 1.2 }, 'bubble.x', /between 0 and 1/],
    ['y as text', { ...placed, y: '0.5' }, 'bubble.y', /between 0 and 1/],
    ['y past the frame', { ...placed, y: 1.01 }, 'bubble.y', /between 0 and 1/],
    ['size too small', { ...placed, size: 0.049 }, 'bubble.size', /from 0.05 to 0.6/],
    ['size too large', { ...placed, size: 0.61 }, 'bubble.size', /from 0.05 to 0.6/],
    ['size missing', { ...placed, size: undefined }, 'bubble.size', /frame's height/],
    ['size not finite', { ...placed, size: Number.NaN }, 'bubble.size', /from 0.05/],
    ['shape unknown', { ...placed, shape: 'hexagon' }, 'bubble.shape', /circle, rounded/],
    ['shape missing', { ...placed, shape: undefined }, 'bubble.shape', /circle, rounded/],
    ['hidden not a list', { ...placed, hidden: {} }, 'bubble.hidden', /list of \[startMs/],
    ['hidden item not a pair', { ...placed, hidden: [[1, 2, 3]] }, 'bubble.hidden[0]', /pair/],
    [
      'hidden end fractional',
      {
        ...placed,
        hidden: [
          [0, 10],
          [20, 30.5]
        ]
      },
      'bubble.hidden[1][1]',
      /whole number of milliseconds/
    ],
    [
      'hidden start negative',
      { ...placed, hidden: [[-5, 10]] },
      'bubble.hidden[0][0]',
      /0 or more/
    ],
    ['hidden backwards', { ...placed, hidden: [[50, 10]] }, 'bubble.hidden[0][1]', /not be less/]
  ]
  it.each(refused)(
    'refuses a bubble with %s, naming the field',
    (_name, bubble, field, message) => {
      const error = loadError(withBubble(bubble))
      expect(error.field).toBe(field)
      expect(error.message).toContain(`edits.json: ${field} `)
      expect(error.message).toMatch(message)
    }
  )

  it('round-trips through serializeEdits with its keys in order and unknown bubble keys kept', () => {
    const json = withBubble({ mirror: false, ...placed, zoom: { level: 2 } })
    const once = loadEdits(json)
    expect(once.bubble).toHaveProperty('zoom', { level: 2 })
    const text = serializeEdits(once)
    const twice = loadEdits(JSON.parse(text))
    expect(twice).toEqual(once)
    expect(serializeEdits(twice)).toBe(text)
    expect(text).toContain(
      [
        '  "bubble": {',
        '    "x": 0.7,',
        '    "y": 0.05,',
        '    "size": 0.3,',
        '    "shape": "rounded",',
        '    "hidden": [',
        '      [1000, 2000],',
        '      [4000, 5000]',
        '    ],',
        '    "mirror": false,',
        '    "zoom": {',
        '      "level": 2',
        '    }',
        '  }',
        '}',
        ''
      ].join('\n')
    )
  })

  it('migrates a version 1 file: no bubble, everything else kept, written as version 2', () => {
    const v1 = { version: 1, keep: [[0, 4000]], annotations: [arrow], note: 'hi' }
    const edits = loadEdits(v1)
    expect(edits).toEqual({ version: 2, keep: [[0, 4000]], annotations: [arrow], note: 'hi' })
    expect(JSON.parse(serializeEdits(edits))).toEqual({ ...v1, version: 2 })
  })

  it('sets a version 1 file’s own `bubble` key aside as `v1Bubble` (another tool’s, not ours)', () => {
    const foreign = { color: 'pink', radius: 'huge' }
    const edits = loadEdits({ version: 1, keep: [], annotations: [], bubble: foreign })
    expect(edits).not.toHaveProperty('bubble')
    expect(edits).toHaveProperty('v1Bubble', foreign)
    // Kept through a save and a load as version 2, never read as a placement.
    const again = loadEdits(JSON.parse(serializeEdits(edits)))
    expect(again).not.toHaveProperty('bubble')
    expect(again).toHaveProperty('v1Bubble', foreign)
  })

  it('migrates a version 0 file the same way (cuts become kept ranges, a `bubble` key set aside)', () => {
    const foreign = { x: 'left' }
    const edits = loadEdits(
      { cuts: [[0, 1000]], annotations: [arrow], bubble: foreign },
      { durationMs: 5000 }
    )
    expect(edits.version).toBe(2)
    expect(edits.keep).toEqual([[1000, 5000]])
    expect(edits).not.toHaveProperty('bubble')
    expect(edits).toHaveProperty('v1Bubble', foreign)
  })

  it('refuses a version 3 file, bubble or not', () => {
    const error = loadError({ ...withBubble(placed), version: 3 })
    expect(error.field).toBe('version')
    expect(error.message).toMatch(/is 3, but this Sidecast reads up to version 2/)
  })
})
