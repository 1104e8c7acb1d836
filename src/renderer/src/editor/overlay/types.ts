/**
 * The contract between the editor (player, timeline, history) and the callout overlay drawn over
 * the video (drawing tools, select / move / resize, text editing, style inspector).
 */
import type { Annotation, AnnotationType } from '../../../../shared/edits'

/** The pointer tool: select, or draw one annotation type. */
export type Tool = 'select' | AnnotationType

/**
 * A new annotation as the overlay draws it: type and geometry (and text for a callout). The
 * editor gives it an id, its time range (the playhead, 3 s), the step number and the current style.
 */
export type AnnotationDraft = DistributiveOmit<Annotation, 'id' | 'startMs' | 'endMs'>

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** A change to one annotation (only the fields that change). */
export interface AnnotationChange {
  readonly id: string
  readonly patch: Partial<DistributiveOmit<Annotation, 'id' | 'type'>>
}

/**
 * `preview` changes show at once but are not yet an undo step (a drag in progress); `commit`
 * ends the gesture: everything since its first preview becomes one undo step.
 */
export type ChangePhase = 'preview' | 'commit'

export interface CalloutOverlayProps {
  /** Every annotation; the overlay shows those with startMs <= currentMs < endMs. */
  readonly annotations: readonly Annotation[]
  /** The playhead on the recording's clock, ms. */
  readonly currentMs: number
  /** The video's frame size in pixels (its intrinsic size). */
  readonly frame: { readonly width: number; readonly height: number }
  readonly tool: Tool
  readonly selectedIds: readonly string[]
  readonly onSelect: (ids: readonly string[]) => void
  /** Adds a drawn annotation; returns its id (the overlay then selects it / edits its text). */
  readonly onCreate: (draft: AnnotationDraft) => string
  readonly onChange: (changes: readonly AnnotationChange[], phase: ChangePhase) => void
  /** Called after a shape is drawn, so the editor can go back to the select tool. */
  readonly onToolDone?: () => void
  /**
   * Escape during a move or resize (or the browser cancelling the pointer): drop the gesture's
   * previews, back to how things were before it. Nothing becomes an undo step.
   */
  readonly onCancelGesture?: () => void
  /**
   * A just-drawn text callout was left without text: remove it, as if it was never drawn. Without
   * this, an empty new callout keeps its starting text.
   */
  readonly onDiscard?: (id: string) => void
}

/** A pointer position in client (CSS) pixels. */
export interface ClientPoint {
  readonly clientX: number
  readonly clientY: number
}
