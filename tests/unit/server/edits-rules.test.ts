/**
 * The library's edits rules (server/src/edits/edits-rules.ts): what a PUT body must be (the app's
 * own loader, refusing what it cannot draw), the stale-write message, and the callouts search
 * and the markers keep, on the output clock.
 */
import { describe, expect, it } from 'vitest'
import {
  checkEditsBody,
  conflictMessage,
  searchCallouts
} from '../../../server/src/edits/edits-rules'
import { HttpError } from '../../../server/src/http-request'
import { loadEdits, type Edits } from '../../../src/shared/edits'
import { LIBRARY_EDITS_MAX_BYTES } from '../../../src/shared/live-edits'
import { UPLOAD_METADATA_LIMITS } from '../../../src/shared/upload-metadata'

const VIDEO = { durationMs: 10_000 }

function callout(
  id: string,
  startMs: number,
  endMs: number,
  text: string
): Record<string, unknown> {
  return { id, type: 'callout', startMs, endMs, x: 0.1, y: 0.1, w: 0.3, h: 0.1, text }
}

const GOOD = {
  version: 1,
  keep: [
    [0, 3000],
    [5000, 10_000]
  ],
  annotations: [
    callout('c1', 1000, 2000, 'Click here'),
    { id: 'b1', type: 'blur', startMs: 0, endMs: 10_000, x: 0, y: 0, w: 0.5, h: 0.5 },
    { id: 's1', type: 'step', startMs: 6000, endMs: 7000, x: 0.5, y: 0.5, n: 1 }
  ]
}

/** The HttpError `check` throws (fails the test when it throws nothing or something else). */
function refusal(check: () => unknown): HttpError {
  try {
    check()
  } catch (error) {
    if (error instanceof HttpError) return error
    throw error
  }
  throw new Error('expected an HttpError, nothing was thrown')
}

describe('checkEditsBody', () => {
  it('takes good edits: the base version and the edits as the loader reads them', () => {
    const out = checkEditsBody({ baseVersion: 3, edits: GOOD }, VIDEO)
    expect(out.baseVersion).toBe(3)
    expect(out.edits).toEqual(loadEdits(GOOD, { durationMs: 10_000 }))
    expect(out.edits.annotations.map((a) => a.id)).toEqual(['c1', 'b1', 's1'])
  })

  it('takes a version 0 file (cuts) by the video duration, and a video without one', () => {
    const v0 = { cuts: [[3000, 5000]], annotations: [] }
    expect(checkEditsBody({ baseVersion: 0, edits: v0 }, VIDEO).edits.keep).toEqual([
      [0, 3000],
      [5000, 10_000]
    ])
    // Without a known duration a v0 cut cannot become kept ranges: refused, naming the field.
    expect(
      refusal(() => checkEditsBody({ baseVersion: 0, edits: v0 }, { durationMs: null })).message
    ).toMatch(/^The edits were refused: .*cuts/)
    expect(
      checkEditsBody({ baseVersion: 0, edits: GOOD }, { durationMs: null }).edits.keep
    ).toEqual(GOOD.keep)
  })

  it.each<[string, unknown, number, RegExp]>([
    ['not an object', [1, 2], 400, /JSON object/],
    ['null', null, 400, /JSON object/],
    ['a string', 'edits', 400, /JSON object/],
    ['baseVersion missing', { edits: GOOD }, 400, /baseVersion is missing/],
    [
      'baseVersion negative',
      { baseVersion: -1, edits: GOOD },
      400,
      /baseVersion must be a whole number/
    ],
    [
      'baseVersion not an integer',
      { baseVersion: 1.5, edits: GOOD },
      400,
      /baseVersion must be a whole number/
    ],
    [
      'baseVersion a string',
      { baseVersion: '1', edits: GOOD },
      400,
      /baseVersion must be a whole number/
    ],
    [
      'baseVersion unsafe',
      { baseVersion: 2 ** 53, edits: GOOD },
      400,
      /baseVersion must be a whole number/
    ],
    ['edits missing', { baseVersion: 0 }, 400, /edits is missing/],
    ['edits a list', { baseVersion: 0, edits: [] }, 400, /edits must be a JSON object/],
    [
      'a bad start time',
      {
        baseVersion: 0,
        edits: { ...GOOD, annotations: [{ ...callout('c', 0, 1, 'x'), startMs: -5 }] }
      },
      400,
      /^The edits were refused: .*annotations\[0\]\.startMs/
    ],
    [
      'callout text not a string',
      {
        baseVersion: 0,
        edits: { ...GOOD, annotations: [{ ...callout('c', 0, 1, 'x'), text: 7 }] }
      },
      400,
      /annotations\[0\]\.text/
    ],
    [
      'a box outside the frame',
      {
        baseVersion: 0,
        edits: {
          ...GOOD,
          annotations: [GOOD.annotations[0], { ...callout('d', 0, 9, 'y'), x: 0.9 }]
        }
      },
      400,
      /annotations\[1\]\.w/
    ],
    [
      'kept ranges past the recording',
      { baseVersion: 0, edits: { ...GOOD, keep: [[20_000, 30_000]] } },
      400,
      /keep has no range inside the recording/
    ],
    [
      'a newer edits format',
      // Version 2 (the camera bubble) is this library's; 3 would be a newer app's.
      { baseVersion: 0, edits: { ...GOOD, version: 3 } },
      400,
      /The edits were refused: .*version is 3/
    ],
    [
      'an annotation type this library cannot draw',
      {
        baseVersion: 0,
        edits: { ...GOOD, annotations: [{ id: 'z', type: 'sparkle', startMs: 0, endMs: 5 }] }
      },
      400,
      /annotations\[0\]\.type is "sparkle"/
    ]
  ])('refuses %s', (_what, body, status, message) => {
    const error = refusal(() => checkEditsBody(body, VIDEO))
    expect(error.status).toBe(status)
    expect(error.message).toMatch(message)
  })

  it('refuses edits larger than LIBRARY_EDITS_MAX_BYTES (413), takes them at the limit', () => {
    const base = { version: 1, keep: [], annotations: [callout('c', 0, 1000, '')] }
    const room = LIBRARY_EDITS_MAX_BYTES - Buffer.byteLength(JSON.stringify(base))
    const fits = { ...base, annotations: [callout('c', 0, 1000, 'x'.repeat(room))] }
    expect(Buffer.byteLength(JSON.stringify(fits))).toBe(LIBRARY_EDITS_MAX_BYTES)
    expect(checkEditsBody({ baseVersion: 0, edits: fits }, VIDEO).edits.annotations).toHaveLength(1)

    const over = { ...base, annotations: [callout('c', 0, 1000, 'x'.repeat(room + 1))] }
    const error = refusal(() => checkEditsBody({ baseVersion: 0, edits: over }, VIDEO))
    expect(error.status).toBe(413)
    expect(error.message).toContain(String(LIBRARY_EDITS_MAX_BYTES))
  })
})

describe('conflictMessage', () => {
  it('names both versions and says nothing was saved', () => {
    expect(conflictMessage(0, 1)).toBe(
      'These edits are based on version 0, but the library has version 1 (changed elsewhere). Nothing was saved.'
    )
    expect(conflictMessage(4, 7)).toMatch(/version 4, but the library has version 7/)
  })
})

describe('searchCallouts', () => {
  const edits = (keep: number[][], annotations: Record<string, unknown>[]): Edits =>
    loadEdits({ version: 1, keep, annotations }, { durationMs: 10_000 })

  it('keeps each callout text with its times, the rest of the annotations not', () => {
    const e = edits(
      [],
      [
        callout('a', 1000, 2000, 'First'),
        { id: 'r', type: 'rect', startMs: 0, endMs: 500, x: 0, y: 0, w: 0.1, h: 0.1 },
        callout('b', 3000, 4000, 'Second')
      ]
    )
    expect(searchCallouts(e, 10_000)).toEqual([
      { text: 'First', startMs: 1000, endMs: 2000 },
      { text: 'Second', startMs: 3000, endMs: 4000 }
    ])
  })

  it('puts times on the output clock: after a cut, across a cut, and cut away entirely', () => {
    // Kept 0–3 s and 5–10 s: the 2 s between are cut.
    const e = edits(
      [
        [0, 3000],
        [5000, 10_000]
      ],
      [
        callout('before', 1000, 2000, 'Before the cut'),
        callout('across', 2500, 6000, 'Across the cut'),
        callout('gone', 3200, 4800, 'Cut away'),
        callout('after', 7000, 8000, 'After the cut')
      ]
    )
    expect(searchCallouts(e, 10_000)).toEqual([
      { text: 'Before the cut', startMs: 1000, endMs: 2000 },
      // 2.5–3 s stays, 5–6 s comes right after it in the output: one stretch 2.5–4 s.
      { text: 'Across the cut', startMs: 2500, endMs: 4000 },
      { text: 'After the cut', startMs: 5000, endMs: 6000 }
    ])
  })

  it('gives one entry per callout, even when its id looks like another one’s piece', () => {
    const e = edits(
      [
        [1000, 3000],
        [5000, 10_000]
      ],
      [callout('x', 0, 6000, 'Long one'), callout('x~1', 5500, 6000, 'Short one')]
    )
    expect(searchCallouts(e, 10_000)).toEqual([
      { text: 'Long one', startMs: 0, endMs: 3000 },
      { text: 'Short one', startMs: 2500, endMs: 3000 }
    ])
  })

  it('takes a trim at the start into account and an unknown duration', () => {
    const e = edits([[2000, 10_000]], [callout('a', 3000, 4000, 'Trimmed')])
    expect(searchCallouts(e, 10_000)).toEqual([{ text: 'Trimmed', startMs: 1000, endMs: 2000 }])
    expect(searchCallouts(e, null)).toEqual([{ text: 'Trimmed', startMs: 1000, endMs: 2000 }])
    const whole = edits([], [callout('a', 3000, 4000, 'Whole')])
    expect(searchCallouts(whole, null)).toEqual([{ text: 'Whole', startMs: 3000, endMs: 4000 }])
  })

  it('removes control characters, trims, and leaves out callouts without text', () => {
    const e = edits(
      [],
      [
        callout('a', 0, 1000, '  Line one\r\nLine\u0000 two\u0007\u009b\t  '),
        callout('b', 0, 1000, ' \u0001 \n '),
        callout('c', 0, 1000, '')
      ]
    )
    expect(searchCallouts(e, 10_000)).toEqual([
      { text: 'Line one\nLine two', startMs: 0, endMs: 1000 }
    ])
  })

  it('clips long texts and keeps at most the upload limit of callouts', () => {
    const { calloutText, callouts } = UPLOAD_METADATA_LIMITS
    const long = '😀'.repeat(calloutText + 10)
    const clipped = searchCallouts(edits([], [callout('a', 0, 1000, long)]), 10_000)
    expect([...(clipped[0]?.text ?? '')]).toHaveLength(calloutText)

    const many = Array.from({ length: callouts + 5 }, (_, i) => callout(`c${i}`, 0, 1000, `n${i}`))
    const kept = searchCallouts(edits([], many), 10_000)
    expect(kept).toHaveLength(callouts)
    expect(kept.at(-1)?.text).toBe(`n${callouts - 1}`)
  })
})
