import { describe, expect, it } from 'vitest'
import { loadFacts } from '../../../src/shared/project'
import { SidecastError } from '../../../src/shared/errors'

const valid = {
  version: 1,
  id: '20261129-142233-ab12',
  status: 'complete',
  title: 'Recording 2026-11-29 14:22',
  createdAt: '2026-11-29T14:22:33.000Z',
  sourceName: 'Entire screen',
  file: 'recording.webm',
  container: 'webm',
  mimeType: 'video/webm;codecs=vp8,opus',
  videoCodec: 'vp8',
  audioCodec: null,
  width: 1920,
  height: 1080,
  durationMs: 61234,
  bytesWritten: 1000,
  finishedAt: '2026-11-29T14:23:35.000Z',
  endedBecause: 'The shared window was closed.'
}

function without(field: string): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...valid }
  delete copy[field]
  return copy
}

describe('loadFacts', () => {
  it('accepts valid facts, from an object or JSON text, and keeps unknown keys', () => {
    expect(loadFacts(valid)).toEqual(valid)
    expect(loadFacts(JSON.stringify(valid))).toEqual(valid)
    expect(loadFacts({ ...valid, futureField: { x: 1 } })).toMatchObject({ futureField: { x: 1 } })
    expect(loadFacts(without('durationMs'))).not.toHaveProperty('durationMs')
  })

  it.each([
    ['version', { ...valid, version: 2 }],
    ['id', { ...valid, id: '../escape' }],
    ['status', { ...valid, status: 'done' }],
    ['title', { ...valid, title: '  ' }],
    ['title', without('title')],
    ['createdAt', { ...valid, createdAt: 'yesterday' }],
    ['sourceName', { ...valid, sourceName: 5 }],
    ['file', { ...valid, file: '../../etc/passwd' }],
    ['file', { ...valid, file: '.hidden' }],
    ['file', { ...valid, file: 'sub/recording.webm' }],
    ['container', { ...valid, container: 'avi' }],
    ['mimeType', without('mimeType')],
    ['videoCodec', { ...valid, videoCodec: 7 }],
    ['audioCodec', { ...valid, audioCodec: 0 }],
    ['width', { ...valid, width: 0 }],
    ['height', { ...valid, height: 10.5 }],
    ['durationMs', { ...valid, durationMs: -1 }],
    ['durationMs', { ...valid, durationMs: '100' }],
    ['bytesWritten', { ...valid, bytesWritten: Number.NaN }],
    ['finishedAt', { ...valid, finishedAt: 'soon' }],
    ['endedBecause', { ...valid, endedBecause: null }]
  ])('names "%s" when it is wrong', (field, facts) => {
    expect(() => loadFacts(facts)).toThrow(SidecastError)
    expect(() => loadFacts(facts)).toThrow(`"${field}"`)
  })

  it.each([
    ['not JSON', '{ nope', /not valid JSON/],
    ['an array', [], /JSON object/],
    ['null', null, /JSON object/],
    ['a number', 3, /JSON object/]
  ])('rejects %s', (_label, input, message) => {
    expect(() => loadFacts(input)).toThrow(message)
  })
})
