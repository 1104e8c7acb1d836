/**
 * The library's camera rules, pure: when viewers need a render (src/shared/live-edits.ts: the
 * edits hide something, or a camera's bubble shows somewhere), what the render's key holds (a
 * bubble move or another camera changes it, a callout's text does not), what the render is made
 * of; and the camera keys of Upload-Metadata (server/src/uploads/metadata.ts).
 */
import { describe, expect, it } from 'vitest'
import type { Bubble, Edits } from '../../../src/shared/edits'
import {
  keyHasBubble,
  needsViewerRender,
  redactionKey,
  viewerRenderEdits,
  viewerRenderKey,
  type LibraryCamera
} from '../../../src/shared/live-edits'
import { MetadataError, validateMetadata } from '../../../server/src/uploads/metadata'

const FRAME = { width: 1280, height: 720 }
const CAMERA: LibraryCamera = { id: 'a'.repeat(32), facts: { offsetMs: 0, durationMs: 10_000 } }
const BUBBLE: Bubble = { x: 0.7, y: 0.6, size: 0.3, shape: 'circle', hidden: [] }

function edits(overrides: Partial<Edits> = {}, text = 'Hello'): Edits {
  return {
    version: 2,
    keep: [],
    annotations: [
      {
        id: 'c1',
        type: 'callout',
        startMs: 0,
        endMs: 1000,
        x: 0.1,
        y: 0.1,
        w: 0.2,
        h: 0.1,
        text
      }
    ],
    ...overrides
  }
}

describe('the viewer render rule with a camera', () => {
  it('needs no render without redactions and without a camera (callouts are drawn live)', () => {
    expect(needsViewerRender(edits(), 10_000, FRAME, null)).toBe(false)
    // A placed bubble without a camera means nothing.
    expect(needsViewerRender(edits({ bubble: BUBBLE }), 10_000, FRAME, null)).toBe(false)
    expect(viewerRenderKey(edits({ bubble: BUBBLE }), 10_000, FRAME, null)).toBe(
      redactionKey(edits(), 10_000)
    )
  })

  it('needs a render when a camera’s bubble shows anywhere, placed or default', () => {
    expect(needsViewerRender(edits(), 10_000, FRAME, CAMERA)).toBe(true)
    expect(needsViewerRender(edits({ bubble: BUBBLE }), 10_000, FRAME, CAMERA)).toBe(true)
    expect(keyHasBubble(viewerRenderKey(edits(), 10_000, FRAME, CAMERA))).toBe(true)
  })

  it('needs none when the bubble is hidden wherever the camera has pictures, or its length is unknown', () => {
    const hidden = edits({ bubble: { ...BUBBLE, hidden: [[0, 10_000]] } })
    expect(needsViewerRender(hidden, 10_000, FRAME, CAMERA)).toBe(false)
    expect(keyHasBubble(viewerRenderKey(hidden, 10_000, FRAME, CAMERA))).toBe(false)
    // Shown only outside the camera's pictures (it starts at 6 s, hidden from 6 s on).
    const late: LibraryCamera = { id: CAMERA.id, facts: { offsetMs: 6000, durationMs: 4000 } }
    const hiddenLate = edits({ bubble: { ...BUBBLE, hidden: [[6000, 10_000]] } })
    expect(needsViewerRender(hiddenLate, 10_000, FRAME, late)).toBe(false)
    const unknown: LibraryCamera = { id: CAMERA.id, facts: { offsetMs: 0 } }
    expect(needsViewerRender(edits(), 10_000, FRAME, unknown)).toBe(false)
    // The camera switched off all along (its off ranges hide the default bubble).
    const off: LibraryCamera = {
      id: CAMERA.id,
      facts: { offsetMs: 0, durationMs: 10_000, offRanges: [[0, 10_000]] }
    }
    expect(needsViewerRender(edits(), 10_000, FRAME, off)).toBe(false)
  })

  it('keys: a callout’s text does not change it; a move, a resize, the shape, a hidden range or another camera does', () => {
    const key = (e: Edits, camera = CAMERA): string => viewerRenderKey(e, 10_000, FRAME, camera)
    const base = key(edits({ bubble: BUBBLE }))
    expect(key(edits({ bubble: BUBBLE }, 'Other text'))).toBe(base)
    expect(key(edits({ bubble: { ...BUBBLE, x: 0.1 } }))).not.toBe(base)
    expect(key(edits({ bubble: { ...BUBBLE, size: 0.2 } }))).not.toBe(base)
    expect(key(edits({ bubble: { ...BUBBLE, shape: 'rounded' } }))).not.toBe(base)
    expect(key(edits({ bubble: { ...BUBBLE, hidden: [[1000, 2000]] } }))).not.toBe(base)
    expect(key(edits({ bubble: BUBBLE }), { ...CAMERA, id: 'b'.repeat(32) })).not.toBe(base)
    // The redactions still count.
    expect(
      key(
        edits({
          bubble: BUBBLE,
          keep: [
            [0, 4000],
            [6000, 10_000]
          ]
        })
      )
    ).not.toBe(base)
  })

  it('the render is made of the redactions and the bubble, never the callouts', () => {
    const made = viewerRenderEdits(
      edits({
        bubble: BUBBLE,
        annotations: [
          ...edits().annotations,
          { id: 'b1', type: 'blur', startMs: 0, endMs: 1000, x: 0, y: 0, w: 0.2, h: 0.2 }
        ]
      }),
      10_000,
      FRAME,
      CAMERA
    )
    expect(made.bubble).toEqual(BUBBLE)
    expect(made.annotations.map((a) => a.type)).toEqual(['blur'])
    // Without a camera: no bubble in it.
    expect(viewerRenderEdits(edits({ bubble: BUBBLE }), 10_000, FRAME, null).bubble).toBeUndefined()
  })
})

describe('Upload-Metadata camera keys', () => {
  const base = { filename: 'camera.webm' }
  const refused = (meta: Record<string, string>): string => {
    try {
      validateMetadata(meta)
    } catch (error) {
      if (error instanceof MetadataError) return error.message
      throw error
    }
    return 'accepted'
  }

  it('takes cameraFor with its facts; off ranges sorted', () => {
    expect(
      validateMetadata({
        ...base,
        cameraFor: 'abcDEF123_-xyz45',
        cameraOffsetMs: '-250',
        cameraDurationMs: '9000',
        cameraOffRanges: '[[5000,6000],[1000,2000]]'
      })
    ).toMatchObject({
      cameraFor: 'abcDEF123_-xyz45',
      cameraFollows: false,
      camera: {
        offsetMs: -250,
        durationMs: 9000,
        offRanges: [
          [1000, 2000],
          [5000, 6000]
        ]
      }
    })
    expect(validateMetadata({ ...base, cameraFollows: '1' })).toMatchObject({
      cameraFollows: true,
      cameraFor: null,
      camera: null
    })
  })

  it('refuses, naming the key: a bad id, a missing or bad offset, bad ranges, bad combinations', () => {
    expect(refused({ ...base, cameraFor: '../x', cameraOffsetMs: '0' })).toMatch(/^cameraFor/)
    expect(refused({ ...base, cameraFor: 'abc' })).toMatch(/^cameraOffsetMs is required/)
    expect(refused({ ...base, cameraFor: 'abc', cameraOffsetMs: '1.5' })).toMatch(/^cameraOffsetMs/)
    expect(refused({ ...base, cameraFor: 'abc', cameraOffsetMs: '999999999' })).toMatch(
      /^cameraOffsetMs/
    )
    expect(
      refused({ ...base, cameraFor: 'abc', cameraOffsetMs: '0', cameraDurationMs: '-1' })
    ).toMatch(/^cameraDurationMs/)
    expect(
      refused({ ...base, cameraFor: 'abc', cameraOffsetMs: '0', cameraOffRanges: '[[2,1]]' })
    ).toMatch(/^cameraOffRanges/)
    expect(
      refused({ ...base, cameraFor: 'abc', cameraOffsetMs: '0', cameraOffRanges: 'nope' })
    ).toMatch(/^cameraOffRanges is not valid JSON/)
    expect(refused({ ...base, cameraFor: 'abc', cameraOffsetMs: '0', replaces: 'def' })).toMatch(
      /cannot go together/
    )
    expect(refused({ ...base, cameraFor: 'abc', cameraOffsetMs: '0', live: '1' })).toMatch(
      /cannot be sent live/
    )
    expect(refused({ ...base, cameraFollows: '2' })).toMatch(/^cameraFollows must be 1/)
  })
})
