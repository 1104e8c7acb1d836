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
  // The file format's `highlight`; "Spotlight" in the interface, as it dims all around the box.
  { tool: 'highlight', name: 'Spotlight', key: 'h' },
  { tool: 'blur', name: 'Blur', key: 'b' },
  { tool: 'step', name: 'Numbered step', key: 'n' }
]

/**
 * A timeline bar's accessible name: the callout's name (as the overlay and inspector call it)
 * and when it shows, e.g. "Arrow 1, 0:02–0:05"; `cutOut` when all of it is in cut parts.
 */
export function barLabel(name: string, a: Annotation, cutOut = false): string {
  const label = `${name}, ${formatRange(a.startMs, a.endMs)}`
  return cutOut ? `${label}, cut: not in the video` : label
}
