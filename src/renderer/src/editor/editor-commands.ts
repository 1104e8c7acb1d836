/**
 * What each editor command (a shortcut, or a toolbar button) does, as a pure function of the
 * editor's state: the result says what to do (change the document, move the playhead, pick a
 * tool…) and the editor view carries it out. Null means the command does nothing now, so its key
 * keeps its usual meaning in the browser.
 */
import type { EditorAction, EditorState } from './editor-state'
import type { Tool } from './overlay/types'
import type { EditorCommand } from './shortcuts'

/** What the editor needs to know to run a command. */
export interface CommandContext {
  readonly state: EditorState
  readonly tool: Tool
  /** The playhead on the recording's clock, ms. */
  readonly currentMs: number
  /** Where the video starts and ends (the trim), ms. */
  readonly inMs: number
  readonly outMs: number
  /** A new annotation id (called once per annotation a command creates). */
  readonly newId: () => string
}

export type CommandResult =
  | { readonly type: 'dispatch'; readonly action: EditorAction }
  | { readonly type: 'set-tool'; readonly tool: Tool }
  | { readonly type: 'toggle-play' }
  /** A frame (or, `big`, a second) back or forward, pausing playback. */
  | { readonly type: 'step'; readonly direction: -1 | 1; readonly big: boolean }
  | { readonly type: 'seek'; readonly atMs: number }
  | { readonly type: 'open-help' }
  /** Handled with nothing to do: the key must not do what it would do in a browser. */
  | { readonly type: 'none' }

const dispatch = (action: EditorAction): CommandResult => ({ type: 'dispatch', action })

/** What `command` does now, or null when it does nothing (and its key is left alone). */
export function commandResult(command: EditorCommand, ctx: CommandContext): CommandResult | null {
  const { state, currentMs } = ctx
  const selected = state.selectedIds.length > 0
  if (command.startsWith('tool:')) return { type: 'set-tool', tool: command.slice(5) as Tool }
  switch (command) {
    case 'play-toggle':
      return { type: 'toggle-play' }
    case 'frame-back':
      return { type: 'step', direction: -1, big: false }
    case 'frame-forward':
      return { type: 'step', direction: 1, big: false }
    case 'second-back':
      return { type: 'step', direction: -1, big: true }
    case 'second-forward':
      return { type: 'step', direction: 1, big: true }
    case 'go-start':
      return { type: 'seek', atMs: ctx.inMs }
    case 'go-end':
      return { type: 'seek', atMs: ctx.outMs }
    case 'trim-in':
      return dispatch({ type: 'trim', edge: 'in', atMs: currentMs, phase: 'commit' })
    case 'trim-out':
      return dispatch({ type: 'trim', edge: 'out', atMs: currentMs, phase: 'commit' })
    case 'mark-in':
      return dispatch({ type: 'mark', edge: 'in', atMs: currentMs })
    case 'mark-out':
      return dispatch({ type: 'mark', edge: 'out', atMs: currentMs })
    case 'cut':
      return dispatch({ type: 'cut' })
    case 'delete':
      return selected ? dispatch({ type: 'delete' }) : null
    case 'duplicate':
      // Handled even with nothing selected: Ctrl+D must not bookmark the page.
      return selected
        ? dispatch({ type: 'duplicate', ids: state.selectedIds.map(() => ctx.newId()) })
        : { type: 'none' }
    case 'copy':
      return selected ? dispatch({ type: 'copy' }) : null
    case 'paste':
      return state.clipboard.length > 0
        ? dispatch({ type: 'paste', atMs: currentMs, ids: state.clipboard.map(() => ctx.newId()) })
        : null
    case 'undo':
      return dispatch({ type: 'undo' })
    case 'redo':
      return dispatch({ type: 'redo' })
    case 'help':
      return { type: 'open-help' }
    case 'escape':
      // One thing at a time: the selection, then the time selection, then the drawing tool.
      if (selected || state.bubbleSelected) return dispatch({ type: 'select', ids: [] })
      if (state.marks.in !== null || state.marks.out !== null) {
        return dispatch({ type: 'clear-range' })
      }
      return ctx.tool !== 'select' ? { type: 'set-tool', tool: 'select' } : null
  }
  return null
}
