/** Names the editor shows and announces: the tools, and callouts on the timeline. */
import type { Annotation } from '../../../shared/edits'
import type { Tool } from './overlay/types'
import { formatRange } from './time-format'

/** The tools in toolbar order, with their accessible names. */
export const TOOLS: readonly { readonly tool: Tool; readonly name: string }[] = [
  { tool: 'select', name: 'Select' },
  { tool: 'arrow', name: 'Arrow' },
  { tool: 'rect', name: 'Rectangle' },
  { tool: 'callout', name: 'Text callout' },
  { tool: 'highlight', name: 'Highlight' },
  { tool: 'blur', name: 'Blur' },
  { tool: 'step', name: 'Numbered step' }
]

/**
 * A timeline bar's accessible name: the callout's name (as the overlay and inspector call it)
 * and when it shows, e.g. "Arrow 1, 0:02–0:05".
 */
export function barLabel(name: string, a: Annotation): string {
  return `${name}, ${formatRange(a.startMs, a.endMs)}`
}
