/** The editing tools above the video: the drawing tools, Undo and Redo, Duplicate and Delete. */
import type { ReactNode } from 'react'
import { RedoIcon, UndoIcon } from '../ui/icons'
import { TOOLS } from './labels'
import type { Tool } from './overlay/types'
import { ariaKeys, keyHint, type EditorCommand } from './shortcuts'
import { ToolIcon } from './tool-icon'

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
      <CommandButton run={run} mac={mac} command="undo" label="Undo" disabled={!props.canUndo}>
        <UndoIcon size="small" />
      </CommandButton>
      <CommandButton run={run} mac={mac} command="redo" label="Redo" disabled={!props.canRedo}>
        <RedoIcon size="small" />
      </CommandButton>
      <span className="toolbar-divider" aria-hidden="true" />
      <CommandButton
        run={run}
        mac={mac}
        command="duplicate"
        label="Duplicate"
        disabled={!props.hasSelection}
      />
      <CommandButton
        run={run}
        mac={mac}
        command="delete"
        label="Delete"
        disabled={!props.hasSelection}
      />
    </div>
  )
}

/** A labelled button that runs a command, its shortcut in its title and for assistive tech. */
function CommandButton(props: {
  command: EditorCommand
  label: string
  disabled: boolean
  run: (command: EditorCommand) => void
  mac: boolean
  /** An icon before the label. */
  children?: ReactNode
}): ReactNode {
  const { command, label, mac } = props
  return (
    <button
      type="button"
      className="tool-button labelled"
      onClick={() => props.run(command)}
      disabled={props.disabled}
      aria-keyshortcuts={ariaKeys(command, mac)}
      title={`${label} (${keyHint(command, mac)})`}
    >
      {props.children}
      {label}
    </button>
  )
}
