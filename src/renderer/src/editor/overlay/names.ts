/**
 * Accessible names of annotations ("Arrow 1", "Text callout: Open the Share menu"), used by the
 * overlay's focus targets and the style inspector. Numbered per type in list order, so a name
 * stays put while the playhead moves.
 */
import type { Annotation, AnnotationType } from '../../../../shared/edits'

/** What each type is called in the interface. */
export const TYPE_LABELS: Readonly<Record<AnnotationType, string>> = {
  rect: 'Box',
  highlight: 'Spotlight',
  blur: 'Blurred area',
  callout: 'Text callout',
  arrow: 'Arrow',
  step: 'Step'
}

/** Longest callout text quoted in a name; the rest is cut with an ellipsis. */
const MAX_TEXT = 60

function quoted(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  if (flat === '') return '(empty)'
  const chars = [...flat]
  return chars.length <= MAX_TEXT ? flat : `${chars.slice(0, MAX_TEXT - 1).join('')}…`
}

/** The name of every annotation, by id. */
export function annotationNames(annotations: readonly Annotation[]): Map<string, string> {
  const counts = new Map<AnnotationType, number>()
  const names = new Map<string, string>()
  for (const a of annotations) {
    const count = (counts.get(a.type) ?? 0) + 1
    counts.set(a.type, count)
    if (a.type === 'callout') names.set(a.id, `${TYPE_LABELS.callout}: ${quoted(a.text)}`)
    else if (a.type === 'step') names.set(a.id, `${TYPE_LABELS.step} ${a.n}`)
    else names.set(a.id, `${TYPE_LABELS[a.type]} ${count}`)
  }
  return names
}

/** What a selection is, in words, for a live region: "Arrow 1 selected", "3 selected". */
export function selectionSummary(
  selectedIds: readonly string[],
  names: ReadonlyMap<string, string>
): string {
  if (selectedIds.length === 0) return ''
  if (selectedIds.length === 1) {
    const name = names.get(selectedIds[0] as string)
    return name ? `${name} selected` : '1 selected'
  }
  return `${selectedIds.length} selected`
}
