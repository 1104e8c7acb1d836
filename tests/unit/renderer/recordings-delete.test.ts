/** The recordings list's rules around a delete: where focus goes, and the words shown. */
import { describe, expect, it } from 'vitest'
import {
  deletedMessage,
  focusAfterDelete,
  libraryCopyNote
} from '../../../src/renderer/src/recordings/delete-undo'

describe('focusAfterDelete', () => {
  it.each([
    [['a', 'b', 'c'], 'a', 'b'],
    [['a', 'b', 'c'], 'b', 'c'],
    [['a', 'b', 'c'], 'c', 'b'],
    [['a'], 'a', null],
    [[], 'a', null],
    [['b'], 'a', 'b']
  ] as const)('in %j, after deleting %s, focuses %s', (ids, deleted, expected) => {
    expect(focusAfterDelete(ids, deleted)).toBe(expected)
  })
})

describe('the words', () => {
  it('names the library copy only when there is one', () => {
    expect(libraryCopyNote('https://library.example/v/1')).toBe(
      'The copy in the team library stays; delete it there if you want it gone.'
    )
    expect(libraryCopyNote(null)).toBeNull()
  })

  it('says which recording was deleted', () => {
    expect(deletedMessage('Demo')).toBe('Recording deleted: “Demo”.')
  })
})
