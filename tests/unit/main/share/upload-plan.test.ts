/** Pure decisions behind an upload: export or not, fingerprint, Upload-Metadata within limits. */
import { describe, expect, it } from 'vitest'
import type { Annotation, Edits } from '../../../../src/shared/edits'
import { validateMetadata } from '../../../../server/src/uploads/metadata'
import {
  calloutsMetadata,
  cleanDescription,
  editsHash,
  needsExport,
  uploadDurationMs,
  uploadFingerprint,
  uploadMetadata
} from '../../../../src/main/share/upload-plan'
import { UPLOAD_METADATA_LIMITS as METADATA_LIMITS } from '../../../../src/shared/upload-metadata'

const callout = (id: string, startMs: number, endMs: number, text: string): Annotation => ({
  id,
  type: 'callout',
  startMs,
  endMs,
  x: 0.1,
  y: 0.1,
  w: 0.2,
  h: 0.1,
  text
})

const edits = (keep: Edits['keep'], annotations: Annotation[] = []): Edits => ({
  version: 2,
  keep,
  annotations
})

describe('needsExport', () => {
  it.each([
    ['no edits', edits([]), 10_000, false],
    ['a kept range that is the whole recording', edits([[0, 10_000]]), 10_000, false],
    ['a trim', edits([[1000, 10_000]]), 10_000, true],
    [
      'a cut',
      edits([
        [0, 2000],
        [3000, 10_000]
      ]),
      10_000,
      true
    ],
    ['a callout', edits([], [callout('c', 0, 100, 'hi')]), 10_000, true],
    ['kept ranges without a known duration', edits([[0, 10_000]]), undefined, true]
  ] as const)('%s → %s', (_name, e, duration, expected) => {
    expect(needsExport(e, duration)).toBe(expected)
  })
})

describe('fingerprints', () => {
  it('tie the upload to the project, the export and the size, never to a path', () => {
    const a = editsHash(edits([[0, 5000]]), { size: 'source', quality: 'standard' })
    expect(a).toMatch(/^[0-9a-f]{64}$/)
    expect(editsHash(edits([[0, 5000]]), { size: 'source', quality: 'standard' })).toBe(a)
    expect(editsHash(edits([[0, 5001]]), { size: 'source', quality: 'standard' })).not.toBe(a)
    expect(editsHash(edits([[0, 5000]]), { size: '720p', quality: 'standard' })).not.toBe(a)
    expect(uploadFingerprint('p1', a, 1234)).toBe(`sidecast/p1/${a}/1234`)
    expect(uploadFingerprint('p1', 'original', 99)).toBe('sidecast/p1/original/99')
  })
})

describe('calloutsMetadata', () => {
  it('maps callout times onto the cut video and drops callouts that were cut away', () => {
    const e = edits(
      [
        [0, 2000],
        [4000, 10_000]
      ],
      [
        callout('a', 5000, 6000, 'After the cut'),
        callout('b', 2500, 3500, 'Cut away'),
        callout('c', 1500, 4500, 'Across the cut'),
        callout('d', 0, 500, '   '),
        { id: 'r', type: 'rect', startMs: 0, endMs: 100, x: 0, y: 0, w: 0.1, h: 0.1 }
      ]
    )
    expect(calloutsMetadata(e, 10_000)).toEqual([
      { startMs: 1500, endMs: 2500, text: 'Across the cut', type: 'callout' },
      { startMs: 3000, endMs: 4000, text: 'After the cut', type: 'callout' }
    ])
  })

  it('stays within the server’s limits: long texts shortened, the list cut off at 64 KB', () => {
    const long = calloutsMetadata(edits([], [callout('x', 0, 10, 'é'.repeat(3000))]), 100)
    expect([...long[0]!.text]).toHaveLength(METADATA_LIMITS.calloutText)
    const many = Array.from({ length: 200 }, (_, i) => callout(`c${i}`, i, i + 1, 'w'.repeat(1000)))
    const result = calloutsMetadata(edits([], many), 1000)
    expect(result.length).toBeLessThan(200)
    expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThanOrEqual(
      METADATA_LIMITS.calloutsJson
    )
  })
})

describe('uploadMetadata', () => {
  it('is accepted by the server’s own validation', () => {
    const meta = uploadMetadata({
      projectId: '20261129-120000-ab12',
      title: 'How to\tfile a bug',
      description: 'Line one\nLine two\u0007',
      extension: 'mp4',
      durationMs: 8000,
      callouts: [{ startMs: 0, endMs: 10, text: 'Hello', type: 'callout' }]
    })
    expect(meta).toEqual({
      filename: 'how-to-file-a-bug.mp4',
      title: 'How to file a bug',
      description: 'Line one\nLine two',
      durationMs: '8000',
      projectId: '20261129-120000-ab12',
      callouts: '[{"startMs":0,"endMs":10,"text":"Hello","type":"callout"}]'
    })
    expect(validateMetadata(meta)).toMatchObject({
      filename: 'how-to-file-a-bug.mp4',
      title: 'How to file a bug',
      durationMs: 8000,
      projectId: '20261129-120000-ab12',
      callouts: [{ text: 'Hello', startMs: 0, endMs: 10 }]
    })
  })

  it('leaves out a project id the server would refuse and keeps the rest', () => {
    const meta = uploadMetadata({
      projectId: 'my project',
      title: 'Ünïcode title',
      description: '',
      extension: 'WEBM',
      durationMs: null,
      callouts: []
    })
    expect(meta).toEqual({
      filename: 'unicode-title.webm',
      title: 'Ünïcode title',
      description: ''
    })
    expect(() => validateMetadata(meta)).not.toThrow()
  })

  it('shortens a description to the server’s limit', () => {
    expect([...cleanDescription('a'.repeat(6000))]).toHaveLength(METADATA_LIMITS.description)
  })
})

describe('uploadDurationMs', () => {
  it('is the kept length for an export and the recording’s otherwise', () => {
    const e = edits([[1000, 4000]])
    expect(uploadDurationMs(e, 10_000, true)).toBe(3000)
    expect(uploadDurationMs(e, 10_000, false)).toBe(10_000)
    expect(uploadDurationMs(e, undefined, true)).toBeNull()
  })
})
