/**
 * The callouts as bars on the timeline, on as many lanes as overlap (callouts that do not overlap
 * share one), in a box of fixed height that scrolls when there are more: a multi-select list. Tab
 * reaches it once; Up and Down go from bar to bar (in time order), Left and Right move the
 * focused bar in time.
 */
import { memo, useMemo, useRef, useState } from 'react'
import type { ReactNode } from 'react'
import type { Annotation } from '../../../../shared/edits'
import type { NormalizedKeep } from '../../../../shared/timeline'
import { annotationNames } from '../overlay'
import type { AnnotationChange, ChangePhase } from '../overlay/types'
import { CalloutBar, LANE_HEIGHT } from './callout-bar'
import { packLanes } from './lanes'

export interface CalloutLanesProps {
  readonly annotations: readonly Annotation[]
  readonly selectedIds: readonly string[]
  readonly durationMs: number
  /** The kept parts: bars show only over them, as the callouts will in the video. */
  readonly keep: NormalizedKeep
  /** The timeline's width in CSS pixels. */
  readonly width: number
  readonly onSelect: (ids: readonly string[]) => void
  readonly onChange: (changes: readonly AnnotationChange[], phase: ChangePhase) => void
  readonly onCancelGesture: () => void
  readonly onDelete: (ids: readonly string[]) => void
  /** A callout's bar was picked: show a moment where it is on screen, if the playhead is not in it. */
  readonly onReveal: (startMs: number, endMs: number) => void
}

export const CalloutLanes = memo(function CalloutLanes(props: CalloutLanesProps): ReactNode {
  const { annotations, selectedIds, durationMs, width } = props
  const listRef = useRef<HTMLDivElement>(null)
  const lanes = useMemo(() => packLanes(annotations), [annotations])
  const names = useMemo(() => annotationNames(annotations), [annotations])
  const order = useMemo(
    () =>
      [...annotations]
        .sort(
          (a, b) =>
            a.startMs - b.startMs || (lanes.laneOf.get(a.id) ?? 0) - (lanes.laneOf.get(b.id) ?? 0)
        )
        .map((a) => a.id),
    [annotations, lanes]
  )
  const [focusId, setFocusId] = useState<string | null>(null)
  const tabId =
    (focusId !== null && order.includes(focusId) ? focusId : null) ??
    selectedIds.find((id) => order.includes(id)) ??
    order[0]

  const focusNeighbour = (id: string, direction: -1 | 1): void => {
    const next = order[order.indexOf(id) + direction]
    if (next === undefined) return
    const element = [...(listRef.current?.querySelectorAll<HTMLElement>('[data-id]') ?? [])].find(
      (el) => el.dataset.id === next
    )
    element?.focus()
  }

  return (
    <div className="timeline-lanes-scroll" data-testid="timeline-lanes">
      <div
        ref={listRef}
        className="timeline-lanes"
        role="listbox"
        aria-multiselectable="true"
        aria-label="Callouts on the timeline"
        aria-orientation="vertical"
        style={{ height: Math.max(1, lanes.count) * LANE_HEIGHT }}
      >
        {annotations.length === 0 && (
          <span className="lanes-empty">Callouts you draw on the video show here.</span>
        )}
        {annotations.map((a) => (
          <CalloutBar
            key={a.id}
            annotation={a}
            name={names.get(a.id) ?? a.type}
            lane={lanes.laneOf.get(a.id) ?? 0}
            selected={selectedIds.includes(a.id)}
            tabbable={a.id === tabId}
            selectedIds={selectedIds}
            annotations={annotations}
            durationMs={durationMs}
            keep={props.keep}
            width={width}
            onFocus={() => setFocusId(a.id)}
            onFocusNeighbour={(direction) => focusNeighbour(a.id, direction)}
            onSelect={props.onSelect}
            onChange={props.onChange}
            onCancel={props.onCancelGesture}
            onDelete={props.onDelete}
            onReveal={props.onReveal}
          />
        ))}
      </div>
    </div>
  )
})
