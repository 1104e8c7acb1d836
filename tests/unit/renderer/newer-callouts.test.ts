/** The editor's notice about callouts of types a newer Sidecast wrote. */
import { describe, expect, it } from 'vitest'
import { newerCalloutsNotice } from '../../../src/renderer/src/editor/newer-callouts'
import type { UnknownAnnotation } from '../../../src/shared/edits'

const of = (...types: string[]): UnknownAnnotation[] =>
  types.map((type, index) => ({
    index,
    annotation: { id: `u${index}`, type, startMs: 0, endMs: 1000 }
  }))

describe('newerCalloutsNotice', () => {
  it.each([
    { unknown: undefined, notice: null },
    { unknown: of(), notice: null },
    {
      unknown: of('zoom'),
      notice:
        '1 callout was made by a newer Sidecast (zoom). It is kept in the file but not shown here; update Sidecast to see and edit it.'
    },
    {
      unknown: of('zoom', 'spotlight', 'zoom'),
      notice:
        '3 callouts were made by a newer Sidecast (zoom, spotlight). They are kept in the file but not shown here; update Sidecast to see and edit them.'
    },
    {
      unknown: of('zoom', 'zoom'),
      notice:
        '2 callouts were made by a newer Sidecast (zoom). They are kept in the file but not shown here; update Sidecast to see and edit them.'
    }
  ])('$notice', ({ unknown, notice }) => {
    expect(newerCalloutsNotice(unknown)).toBe(notice)
  })
})
