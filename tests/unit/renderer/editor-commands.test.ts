/** What each editor command does, given the editor's state: table-style, no React. */
import { describe, expect, it } from 'vitest'
import type { Annotation } from '../../../src/shared/edits'
import {
  commandResult,
  type CommandContext
} from '../../../src/renderer/src/editor/editor-commands'
import {
  createEditorState,
  editorReducer,
  type EditorState
} from '../../../src/renderer/src/editor/editor-state'
import type { EditorCommand } from '../../../src/renderer/src/editor/shortcuts'

const box: Annotation = {
  id: 'b',
  type: 'rect',
  startMs: 0,
  endMs: 3000,
  x: 0.1,
  y: 0.1,
  w: 0.2,
  h: 0.2
}
const plain = createEditorState({ version: 2, keep: [], annotations: [box] }, 10_000)
const selected = editorReducer(plain, { type: 'select', ids: ['b'] })
const copied = editorReducer(selected, { type: 'copy' })
const marked = editorReducer(plain, { type: 'mark', edge: 'in', atMs: 2000 })

function context(state: EditorState, extra: Partial<CommandContext> = {}): CommandContext {
  let n = 0
  return {
    state,
    tool: 'select',
    currentMs: 1234,
    inMs: 500,
    outMs: 9000,
    newId: () => `new-${++n}`,
    ...extra
  }
}

describe('commandResult', () => {
  it.each<[EditorCommand, EditorState, Partial<CommandContext>, unknown]>([
    ['play-toggle', plain, {}, { type: 'toggle-play' }],
    ['frame-back', plain, {}, { type: 'step', direction: -1, big: false }],
    ['frame-forward', plain, {}, { type: 'step', direction: 1, big: false }],
    ['second-back', plain, {}, { type: 'step', direction: -1, big: true }],
    ['second-forward', plain, {}, { type: 'step', direction: 1, big: true }],
    ['go-start', plain, {}, { type: 'seek', atMs: 500 }],
    ['go-end', plain, {}, { type: 'seek', atMs: 9000 }],
    ['tool:arrow', plain, {}, { type: 'set-tool', tool: 'arrow' }],
    ['help', plain, {}, { type: 'open-help' }],
    [
      'trim-in',
      plain,
      {},
      { type: 'dispatch', action: { type: 'trim', edge: 'in', atMs: 1234, phase: 'commit' } }
    ],
    [
      'trim-out',
      plain,
      {},
      { type: 'dispatch', action: { type: 'trim', edge: 'out', atMs: 1234, phase: 'commit' } }
    ],
    ['mark-in', plain, {}, { type: 'dispatch', action: { type: 'mark', edge: 'in', atMs: 1234 } }],
    ['cut', plain, {}, { type: 'dispatch', action: { type: 'cut' } }],
    ['undo', plain, {}, { type: 'dispatch', action: { type: 'undo' } }],
    ['redo', plain, {}, { type: 'dispatch', action: { type: 'redo' } }],
    // Nothing selected: the keys keep their usual meaning, except Ctrl+D (no bookmark).
    ['delete', plain, {}, null],
    ['copy', plain, {}, null],
    ['paste', plain, {}, null],
    ['duplicate', plain, {}, { type: 'none' }],
    ['delete', selected, {}, { type: 'dispatch', action: { type: 'delete' } }],
    ['copy', selected, {}, { type: 'dispatch', action: { type: 'copy' } }],
    [
      'duplicate',
      selected,
      {},
      { type: 'dispatch', action: { type: 'duplicate', ids: ['new-1'] } }
    ],
    [
      'paste',
      copied,
      {},
      { type: 'dispatch', action: { type: 'paste', atMs: 1234, ids: ['new-1'] } }
    ],
    // Escape undoes one thing at a time: selection, then time selection, then the tool.
    [
      'escape',
      selected,
      { tool: 'arrow' },
      { type: 'dispatch', action: { type: 'select', ids: [] } }
    ],
    ['escape', marked, { tool: 'arrow' }, { type: 'dispatch', action: { type: 'clear-range' } }],
    ['escape', plain, { tool: 'arrow' }, { type: 'set-tool', tool: 'select' }],
    ['escape', plain, {}, null]
  ])('%s', (command, state, extra, expected) => {
    expect(commandResult(command, context(state, extra))).toEqual(expected)
  })
})
