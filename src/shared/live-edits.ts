/**
 * Edits as the team library applies them (DESIGN.md, "Edits travel as data"). Two kinds:
 *
 * - **Redactions** (trims, cuts, blur boxes) hide something, so they are never left to a viewer's
 *   browser: the server renders a version with them burnt in. Their key says when two versions
 *   of the edits render the same video, so fixing a callout's typo renders nothing.
 * - **Callouts** (everything drawn but blur) are drawn live over the player by the shared drawing
 *   code, their times mapped through the kept ranges onto the output clock.
 * - **The camera bubble** (a recording sent with its camera) is burnt into the viewers' render
 *   too, where the editor placed it: viewers see it, in sync, in every version they can get. Its
 *   place, size, shape and hidden ranges are part of the render's key (a move renders again); a
 *   callout's text still is not.
 */
import { bubbleShownRanges, effectiveBubble, type FrameSize } from './bubble'
import type { Annotation, Bubble, Edits } from './edits'
import type { CameraFacts } from './project'
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

/** What the library knows of a video's camera recording: its facts and which upload it is. */
export interface LibraryCamera {
  /** Which stored camera this is (a second camera replaces the first: a new render). */
  readonly id: string
  readonly facts: Pick<CameraFacts, 'offsetMs' | 'durationMs' | 'offRanges'>
}

/**
 * The bubble a video's viewers see, or null when none shows: no camera, or the bubble hidden
 * wherever the camera has pictures (bubbleShownRanges empty).
 */
export function shownBubble(
  edits: Edits,
  durationMs: number,
  frame: FrameSize,
  camera: LibraryCamera | null
): Bubble | null {
  if (!camera) return null
  const bubble = effectiveBubble(edits.bubble, frame, camera.facts)
  return bubbleShownRanges(bubble, camera.facts, durationMs).length > 0 ? bubble : null
}

/**
 * True when viewers need a render of the video rather than the original: the edits hide
 * something (hasRedactions), or a camera's bubble shows somewhere (it is burnt in).
 */
export function needsViewerRender(
  edits: Edits,
  durationMs: number,
  frame: FrameSize,
  camera: LibraryCamera | null
): boolean {
  return hasRedactions(edits, durationMs) || shownBubble(edits, durationMs, frame, camera) !== null
}

/**
 * What a viewer's render is made of: the redactions, and the bubble when one shows (the camera
 * is composited by the engine from the recording's facts.camera). Callouts are left out.
 */
export function viewerRenderEdits(
  edits: Edits,
  durationMs: number,
  frame: FrameSize,
  camera: LibraryCamera | null
): Edits {
  const bubble = shownBubble(edits, durationMs, frame, camera)
  const r = redactionEdits(edits, durationMs)
  return bubble ? { ...r, bubble } : r
}

/**
 * The key of a viewer's render: redactionKey, plus the camera and its bubble when one shows.
 * Without a camera it is redactionKey itself, so renders made before cameras keep serving.
 */
export function viewerRenderKey(
  edits: Edits,
  durationMs: number,
  frame: FrameSize,
  camera: LibraryCamera | null
): string {
  const key = redactionKey(edits, durationMs)
  const bubble = shownBubble(edits, durationMs, frame, camera)
  if (!bubble || !camera) return key
  const { x, y, size, shape, hidden } = bubble
  return `${key}${CAMERA_MARK}${JSON.stringify({ id: camera.id, x, y, size, shape, hidden })}`
}

const CAMERA_MARK = '\ncamera '

/** True when a viewer render of this key (viewerRenderKey) has a camera's bubble burnt in. */
export function keyHasBubble(key: string): boolean {
  return key.includes(CAMERA_MARK)
}
