/**
 * What the editor says about callouts it cannot show: annotations of types a newer Sidecast (or
 * another tool) wrote, which loadEdits sets aside and saving writes back untouched.
 */
import type { UnknownAnnotation } from '../../../shared/edits'

/**
 * The notice for `unknown`, e.g. "1 callout was made by a newer Sidecast (zoom). It is kept in
 * the file but not shown here; update Sidecast to see and edit it." Each type is named once, in
 * the order they first appear. Null when there are none.
 */
export function newerCalloutsNotice(
  unknown: readonly UnknownAnnotation[] | undefined
): string | null {
  if (!unknown || unknown.length === 0) return null
  const types = [...new Set(unknown.map(({ annotation }) => String(annotation.type)))]
  const one = unknown.length === 1
  return (
    `${unknown.length} ${one ? 'callout was' : 'callouts were'} made by a newer Sidecast ` +
    `(${types.join(', ')}). ${one ? 'It is' : 'They are'} kept in the file but not shown here; ` +
    `update Sidecast to see and edit ${one ? 'it' : 'them'}.`
  )
}
