/** The editing tools above the video: the drawing tools, Undo and Redo, Duplicate and Delete. */
import type { ReactNode } from 'react'
import { RedoGlyph, ToolIcon, UndoGlyph } from './editor-icons'
import { TOOLS } from './labels'
import type { Tool } from './overlay/types'
import { ariaKeys, keyHint, type EditorCommand } from './shortcuts'

export interface EditorToolbarProps {
  readonly tool: Tool
  readonly canUndo: boolean
  readonly canRedo: boolean
  /** Whether any callout is selected (Duplicate and Delete need one). */
  readonly hasSelection: boolean
  /** Runs a command, as its shortcut would. */
  readonly run: (command: EditorCommand) => void
  /** Shortcuts are shown with Cmd rather than Ctrl. */
  readonly mac: boolean
}

export function EditorToolbar(props: EditorToolbarProps): ReactNode {
  const { tool, run, mac } = props
  return (
    <div className="editor-toolbar" role="toolbar" aria-label="Editing tools">
      <div className="tool-group" role="group" aria-label="Tools">
        {TOOLS.map(({ tool: t, name }) => (
          <button
            key={t}
            type="button"
            className={tool === t ? 'tool-button active' : 'tool-button'}
            aria-label={name}
            aria-pressed={tool === t}
            aria-keyshortcuts={ariaKeys(`tool:${t}`, mac)}
            title={`${name} (${keyHint(`tool:${t}`, mac)})`}
            onClick={() => run(`tool:${t}`)}
          >
            <ToolIcon tool={t} />
          </button>
        ))}
      </div>
      <span className="toolbar-divider" aria-hidden="true" />
      <button
        type="button"
        className="tool-button labelled"
        onClick={() => run('undo')}
        disabled={!props.canUndo}
        aria-keyshortcuts={ariaKeys('undo', mac)}
        title={`Undo (${keyHint('undo', mac)})`}
      >
        <UndoGlyph />
        Undo
      </button>
      <button
        type="button"
        className="tool-button labelled"
        onClick={() => run('redo')}
        disabled={!props.canRedo}
        aria-keyshortcuts={ariaKeys('redo', mac)}
        title={`Redo (${keyHint('redo', mac)})`}
      >
        <RedoGlyph />
        Redo
      </button>
      <span className="toolbar-divider" aria-hidden="true" />
      <button
        type="button"
        className="tool-button labelled"
        onClick={() => run('duplicate')}
        disabled={!props.hasSelection}
        aria-keyshortcuts={ariaKeys('duplicate', mac)}
        title={`Duplicate (${keyHint('duplicate', mac)})`}
      >
        Duplicate
      </button>
      <button
        type="button"
        className="tool-button labelled"
        onClick={() => run('delete')}
        disabled={!props.hasSelection}
        aria-keyshortcuts="Delete Backspace"
        title="Delete (Delete)"
      >
        Delete
      </button>
    </div>
  )
}
