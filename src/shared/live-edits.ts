/**
 * Edits as the team library applies them (DESIGN.md, "Edits travel as data"). Two kinds:
 *
 * - **Redactions** (trims, cuts, blur boxes) hide something, so they are never left to a viewer's
 *   browser: the server renders a version with them burnt in. Their key says when two versions
 *   of the edits render the same video, so fixing a callout's typo renders nothing.
 * - **Callouts** (everything drawn but blur) are drawn live over the player by the shared drawing
 *   code, their times mapped through the kept ranges onto the output clock.
 */
import type { Annotation, Edits } from './edits'
import { isWholeRecording, keptDurationMs, mapRangeToOutput, normalizeKeep } from './timeline'

/** The largest `edits.json` the library takes, in bytes of its JSON. */
export const LIBRARY_EDITS_MAX_BYTES = 512 * 1024

/** True when the edits hide part of the recording: a trim or cut, or a blur box. */
export function hasRedactions(edits: Edits, durationMs: number): boolean {
  if (edits.annotations.some((a) => a.type === 'blur')) return true
  return edits.keep.length > 0 && !isWholeRecording(edits.keep, durationMs)
}

/**
 * The redactions alone (the kept ranges and the blur boxes): what a viewer's render is made of.
 * Callouts are left out: viewers see them drawn live.
 */
export function redactionEdits(edits: Edits, durationMs: number): Edits {
  return {
    version: edits.version,
    keep: isWholeRecording(edits.keep, durationMs) ? [] : normalizeKeep(edits.keep, durationMs),
    annotations: edits.annotations.filter((a) => a.type === 'blur')
  }
}

/**
 * A key for the redactions: two versions of the edits with the same key give the same viewer's
 * render. Ids and key order do not count; the kept ranges and each blur box's place, time and
 * strength do.
 */
export function redactionKey(edits: Edits, durationMs: number): string {
  const r = redactionEdits(edits, durationMs)
  const boxes = r.annotations
    .map((a) => {
      const { id: _id, ...rest } = a as Annotation & Record<string, unknown>
      return JSON.stringify(sorted(rest))
    })
    .sort()
  return JSON.stringify({ keep: r.keep, blur: boxes })
}

function sorted(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)))
}

/**
 * The annotations drawn live (all but blur), their times on the output clock. A callout across a
 * cut shows in each part that is kept (parts that touch in the output are one); its id gains
 * `~1`, `~2`… for the second part on. A callout cut away entirely is not there.
 */
export function liveAnnotations(edits: Edits, durationMs: number): Annotation[] {
  const keep = normalizeKeep(edits.keep, durationMs)
  const out: Annotation[] = []
  for (const a of edits.annotations) {
    if (a.type === 'blur') continue
    mapRangeToOutput(a.startMs, a.endMs, keep).forEach(([startMs, endMs], i) => {
      out.push({ ...a, id: i === 0 ? a.id : `${a.id}~${i}`, startMs, endMs })
    })
  }
  return out
}

/** What a viewer's page is given of a video's edits: nothing of what the redactions hide. */
export interface ViewerEdits {
  /** The library's version of the edits (0: none sent yet). */
  readonly version: number
  /** The edited length, ms: the output clock's end. */
  readonly durationMs: number
  /** The annotations drawn live, times on the output clock (liveAnnotations). */
  readonly annotations: readonly Annotation[]
}

export function viewerEdits(edits: Edits, durationMs: number, version: number): ViewerEdits {
  return {
    version,
    durationMs: keptDurationMs(normalizeKeep(edits.keep, durationMs)),
    annotations: liveAnnotations(edits, durationMs)
  }
}
