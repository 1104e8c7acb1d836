/** Names the editor shows and announces: the tools, and callouts on the timeline. */
import type { Annotation } from '../../../shared/edits'
import type { Tool } from './overlay/types'
import { formatRange } from './time-format'

/** The tools in toolbar order, with their accessible names and keys (the shortcuts use these). */
export const TOOLS: readonly {
  readonly tool: Tool
  readonly name: string
  readonly key: string
}[] = [
  { tool: 'select', name: 'Select', key: 'v' },
  { tool: 'arrow', name: 'Arrow', key: 'a' },
  { tool: 'rect', name: 'Rectangle', key: 'r' },
  { tool: 'callout', name: 'Text callout', key: 't' },
  { tool: 'highlight', name: 'Highlight', key: 'h' },
  { tool: 'blur', name: 'Blur', key: 'b' },
  { tool: 'step', name: 'Numbered step', key: 'n' }
]

/**
 * A timeline bar's accessible name: the callout's name (as the overlay and inspector call it)
 * and when it shows, e.g. "Arrow 1, 0:02–0:05".
 */
export function barLabel(name: string, a: Annotation): string {
  return `${name}, ${formatRange(a.startMs, a.endMs)}`
}
