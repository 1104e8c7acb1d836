/**
 * The timeline under the player, spanning the whole recording: a ruler, a strip of frames, the
 * narration's outline, the kept and cut parts (cut ones hatched, with Restore), trim handles,
 * the time selection to cut, the playhead, and a bar per callout on as many lanes as overlap.
 *
 * Click or drag to scrub; Shift+drag to select a part; drag a trim handle (or focus it and use
 * the arrow keys); drag a bar to move a callout in time, its ends to change start and end.
 */
import { useMemo, useRef } from 'react'
import type { ReactNode } from 'react'
import type { Annotation } from '../../../../shared/edits'
import type { NormalizedKeep, TimeRange } from '../../../../shared/timeline'
import { markedRange, type RangeMarks } from '../editor-state'
import type { AnnotationChange, ChangePhase } from '../overlay/types'
import { formatClock, formatKept, formatRange } from '../time-format'
import { BubbleLane, type BubbleLaneProps } from './bubble-lane'
import { CalloutLanes } from './callout-lanes'
import { CutPart } from './cut-part'
import { Scrubber } from './scrubber'
import { cutParts, percentAt, spanStyle, timeAtX } from './timeline-geometry'
import { TrimHandle } from './trim-handle'
import { useElementWidth } from './use-element-width'
import './timeline.css'

export interface TimelineProps {
  readonly durationMs: number
  readonly keep: NormalizedKeep
  readonly keptMs: number
  readonly currentMs: number
  readonly marks: RangeMarks
  readonly annotations: readonly Annotation[]
  readonly selectedIds: readonly string[]
  readonly mediaUrl: string
  /** Width / height of the video frame (for the frame strip). */
  readonly frameAspect: number
  readonly onSeek: (ms: number) => void
  readonly onRange: (startMs: number, endMs: number) => void
  readonly onClearRange: () => void
  readonly onCut: () => void
  readonly onTrim: (edge: 'in' | 'out', ms: number, phase: ChangePhase) => void
  readonly onRestore: (range: TimeRange) => void
  readonly onSelect: (ids: readonly string[]) => void
  readonly onChange: (changes: readonly AnnotationChange[], phase: ChangePhase) => void
  readonly onCancelGesture: () => void
  readonly onDelete: (ids: readonly string[]) => void
  /** A callout's bar was picked: show a moment where it is on screen, if the playhead is not in it. */
  readonly onReveal: (startMs: number, endMs: number) => void
  /** The camera bubble's lane, for a recording with a camera. */
  readonly bubble?: Pick<BubbleLaneProps, 'cameraRange' | 'shown' | 'selected' | 'onSelect'>
}

export function Timeline(props: TimelineProps): ReactNode {
  const { durationMs, keep, currentMs, marks } = props
  const innerRef = useRef<HTMLDivElement>(null)
  const width = useElementWidth(innerRef)
  const range = markedRange(marks, durationMs)
  const first = keep[0]
  const last = keep[keep.length - 1]
  const inMs = first?.[0] ?? 0
  const outMs = last?.[1] ?? durationMs

  const timeAt = (clientX: number): number => {
    const box = innerRef.current?.getBoundingClientRect()
    if (!box) return 0
    return timeAtX(clientX - box.left, box.width, durationMs)
  }

  const gaps = useMemo(() => cutParts(keep, durationMs), [keep, durationMs])

  return (
    <section className="timeline" aria-label="Timeline">
      <div className="timeline-head">
        <span className="kept-label" data-testid="kept-duration">
          {formatKept(props.keptMs, durationMs)}
        </span>
        <span className="timeline-selection" aria-live="polite">
          {range
            ? `Selected ${formatRange(range[0], range[1])} (${formatClock(range[1] - range[0])})`
            : 'Shift+drag on the timeline, or press [ and ], to select a part to cut.'}
        </span>
        <span className="spacer" />
        {range && (
          <button type="button" className="quiet-button" onClick={props.onClearRange}>
            Clear selection
          </button>
        )}
        <button
          type="button"
          className="secondary-button"
          onClick={props.onCut}
          disabled={!range}
          aria-keyshortcuts="X"
        >
          Cut selection
        </button>
      </div>
      <div className="timeline-track">
        <div className="timeline-inner" ref={innerRef}>
          <Scrubber
            durationMs={durationMs}
            keep={keep}
            currentMs={currentMs}
            mediaUrl={props.mediaUrl}
            frameAspect={props.frameAspect}
            timeAt={timeAt}
            width={width}
            onSeek={props.onSeek}
            onRange={props.onRange}
          />
          {props.bubble && (
            <BubbleLane
              {...props.bubble}
              durationMs={durationMs}
              timeAt={timeAt}
              onSeek={props.onSeek}
            />
          )}
          <div className="timeline-marks" aria-hidden="true">
            {range && (
              <div className="range-highlight" style={spanStyle(range[0], range[1], durationMs)} />
            )}
          </div>
          {gaps.map(([start, end]) => (
            <CutPart
              key={`${start}-${end}`}
              start={start}
              end={end}
              durationMs={durationMs}
              interior={start > 0 && end < durationMs}
              widthPx={width * ((end - start) / Math.max(1, durationMs))}
              onRestore={props.onRestore}
            />
          ))}
          {(['in', 'out'] as const).map((edge) => (
            <TrimHandle
              key={edge}
              edge={edge}
              valueMs={edge === 'in' ? inMs : outMs}
              durationMs={durationMs}
              timeAt={timeAt}
              onTrim={props.onTrim}
              onSeek={props.onSeek}
              onCancel={props.onCancelGesture}
            />
          ))}
          <CalloutLanes
            annotations={props.annotations}
            keep={keep}
            selectedIds={props.selectedIds}
            durationMs={durationMs}
            width={width}
            onSelect={props.onSelect}
            onChange={props.onChange}
            onCancelGesture={props.onCancelGesture}
            onDelete={props.onDelete}
            onReveal={props.onReveal}
          />
          <div
            className="playhead"
            style={{ left: `${percentAt(currentMs, durationMs)}%` }}
            aria-hidden="true"
          />
        </div>
      </div>
    </section>
  )
}
