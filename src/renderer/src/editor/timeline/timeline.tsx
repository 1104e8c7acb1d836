/**
 * The timeline under the player, spanning the whole recording: a ruler, a strip of frames, the
 * narration's outline, the kept and cut parts (cut ones hatched, with Restore), trim handles,
 * the time selection to cut, the playhead, and a bar per callout on as many lanes as overlap.
 *
 * Click or drag to scrub; Shift+drag to select a part; drag a trim handle (or focus it and use
 * the arrow keys); drag a bar to move a callout in time, its ends to change start and end.
 */
import { memo, useEffect, useMemo, useRef, useState } from 'react'
import type { KeyboardEvent, PointerEvent, ReactNode, RefObject } from 'react'
import { withDefaults, type Annotation } from '../../../shared/edits'
import type { NormalizedKeep, TimeRange } from '../../../shared/timeline'
import { markedRange, type RangeMarks } from './editor-state'
import { barLabel } from './labels'
import { packLanes } from './lanes'
import { annotationNames } from './overlay'
import type { AnnotationChange, ChangePhase } from './overlay/types'
import { captureThumbnails, thumbnailTimes, type ThumbnailFrame } from './thumbnail-loader'
import {
  cutParts,
  dragBar,
  percentAt,
  stepTime,
  tickStepMs,
  ticks,
  timeAtX,
  type BarDragMode
} from './timeline-geometry'
import { formatClock, formatKept, formatRange, formatTick } from './time-format'
import { loadWaveform, type Waveform } from './waveform-loader'
import { peaksForWidth } from './waveform-peaks'

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
}

const THUMB_HEIGHT = 40
const WAVE_HEIGHT = 36
const LANE_HEIGHT = 24
/** Pointer travel before a press on a bar becomes a drag, px. */
const DRAG_THRESHOLD_PX = 3

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
          <Scrubber {...props} timeAt={timeAt} width={width} />
          <div className="timeline-marks" aria-hidden="true">
            {range && (
              <div
                className="range-highlight"
                style={{
                  left: `${percentAt(range[0], durationMs)}%`,
                  width: `${percentAt(range[1], durationMs) - percentAt(range[0], durationMs)}%`
                }}
              />
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
          <TrimHandle
            edge="in"
            valueMs={inMs}
            durationMs={durationMs}
            timeAt={timeAt}
            onTrim={props.onTrim}
            onSeek={props.onSeek}
            onCancel={props.onCancelGesture}
          />
          <TrimHandle
            edge="out"
            valueMs={outMs}
            durationMs={durationMs}
            timeAt={timeAt}
            onTrim={props.onTrim}
            onSeek={props.onSeek}
            onCancel={props.onCancelGesture}
          />
          <CalloutLanes
            annotations={props.annotations}
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

// ---- scrubbing and selecting ----

interface ScrubberProps extends TimelineProps {
  readonly timeAt: (clientX: number) => number
  readonly width: number
}

/** The ruler, frames and outline: click or drag to move the playhead, Shift+drag to select. */
function Scrubber(props: ScrubberProps): ReactNode {
  const { durationMs, currentMs, timeAt, width, onSeek, onRange } = props
  const drag = useRef<{ kind: 'scrub' } | { kind: 'range'; from: number } | null>(null)

  const onPointerDown = (event: PointerEvent<HTMLDivElement>): void => {
    if (event.button !== 0) return
    event.preventDefault()
    event.currentTarget.focus()
    event.currentTarget.setPointerCapture(event.pointerId)
    const t = timeAt(event.clientX)
    if (event.shiftKey) {
      drag.current = { kind: 'range', from: t }
    } else {
      drag.current = { kind: 'scrub' }
      onSeek(t)
    }
  }
  const onPointerMove = (event: PointerEvent<HTMLDivElement>): void => {
    const d = drag.current
    if (!d) return
    const t = timeAt(event.clientX)
    if (d.kind === 'range') onRange(d.from, t)
    else onSeek(t)
  }
  const end = (): void => {
    drag.current = null
  }

  return (
    <div
      className="scrubber"
      role="slider"
      tabIndex={0}
      aria-label="Playhead"
      aria-valuemin={0}
      aria-valuemax={durationMs}
      aria-valuenow={Math.round(currentMs)}
      aria-valuetext={formatClock(currentMs)}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={end}
      onPointerCancel={end}
    >
      <Ruler durationMs={durationMs} width={width} />
      <ThumbStrip
        url={props.mediaUrl}
        durationMs={durationMs}
        width={width}
        aspect={props.frameAspect}
      />
      <WaveformCanvas url={props.mediaUrl} durationMs={durationMs} width={width} />
    </div>
  )
}

const Ruler = memo(function Ruler(props: { durationMs: number; width: number }): ReactNode {
  const { durationMs, width } = props
  const step = tickStepMs(durationMs, width)
  return (
    <div className="ruler" aria-hidden="true">
      {ticks(durationMs, step).map((t) => (
        <span key={t} className="tick" style={{ left: `${percentAt(t, durationMs)}%` }}>
          {t < durationMs - step / 3 ? formatTick(t) : ''}
        </span>
      ))}
    </div>
  )
})

// ---- cut parts and trim handles ----

function CutPart(props: {
  start: number
  end: number
  durationMs: number
  interior: boolean
  widthPx: number
  onRestore: (range: TimeRange) => void
}): ReactNode {
  const { start, end, durationMs, interior, widthPx } = props
  return (
    <div
      className={interior ? 'cut-part' : 'cut-part trimmed'}
      style={{
        left: `${percentAt(start, durationMs)}%`,
        width: `${percentAt(end, durationMs) - percentAt(start, durationMs)}%`
      }}
    >
      {interior && (
        <button
          type="button"
          className={widthPx < 64 ? 'restore-button compact' : 'restore-button'}
          aria-label={`Restore ${formatRange(start, end)}`}
          title={`Restore the cut part ${formatRange(start, end)}`}
          onClick={() => props.onRestore([start, end])}
        >
          {widthPx < 64 ? '↺' : 'Restore'}
        </button>
      )}
    </div>
  )
}

function TrimHandle(props: {
  edge: 'in' | 'out'
  valueMs: number
  durationMs: number
  timeAt: (clientX: number) => number
  onTrim: (edge: 'in' | 'out', ms: number, phase: ChangePhase) => void
  onSeek: (ms: number) => void
  onCancel: () => void
}): ReactNode {
  const { edge, valueMs, durationMs, timeAt, onTrim, onSeek } = props
  const dragging = useRef<{ moved: boolean; last: number } | null>(null)

  const onPointerDown = (event: PointerEvent<HTMLDivElement>): void => {
    if (event.button !== 0) return
    event.preventDefault()
    event.stopPropagation()
    event.currentTarget.focus()
    event.currentTarget.setPointerCapture(event.pointerId)
    dragging.current = { moved: false, last: valueMs }
  }
  const onPointerMove = (event: PointerEvent<HTMLDivElement>): void => {
    const d = dragging.current
    if (!d) return
    const t = timeAt(event.clientX)
    if (t === d.last && !d.moved) return
    d.moved = true
    d.last = t
    onTrim(edge, t, 'preview')
    onSeek(t)
  }
  const onPointerUp = (): void => {
    const d = dragging.current
    dragging.current = null
    if (d?.moved) onTrim(edge, d.last, 'commit')
  }
  const onPointerCancel = (): void => {
    if (dragging.current?.moved) props.onCancel()
    dragging.current = null
  }
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    let next: number | null = null
    if (event.key === 'ArrowLeft' || event.key === 'ArrowDown') {
      next = stepTime(valueMs, -1, event.shiftKey, durationMs)
    } else if (event.key === 'ArrowRight' || event.key === 'ArrowUp') {
      next = stepTime(valueMs, 1, event.shiftKey, durationMs)
    } else if (event.key === 'PageDown') next = Math.max(0, valueMs - 10_000)
    else if (event.key === 'PageUp') next = Math.min(durationMs, valueMs + 10_000)
    else if (event.key === 'Home') next = 0
    else if (event.key === 'End') next = durationMs
    if (next === null || event.altKey || event.ctrlKey || event.metaKey) return
    event.preventDefault()
    event.stopPropagation()
    onTrim(edge, next, 'commit')
    onSeek(next)
  }

  const label = edge === 'in' ? 'Trim start' : 'Trim end'
  return (
    <div
      className={`trim-handle trim-${edge}`}
      role="slider"
      tabIndex={0}
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={durationMs}
      aria-valuenow={valueMs}
      aria-valuetext={formatClock(valueMs)}
      title={`${label} (${edge === 'in' ? 'I' : 'O'} sets it at the playhead)`}
      style={{ left: `${percentAt(valueMs, durationMs)}%` }}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerCancel}
      onKeyDown={onKeyDown}
    >
      <span className="trim-grip" aria-hidden="true" />
    </div>
  )
}

// ---- callout bars ----

/**
 * The callouts as bars, on as many lanes as overlap: a multi-select list. Tab reaches it once;
 * Up and Down go from bar to bar (in time order), Left and Right move the focused bar in time.
 */
const CalloutLanes = memo(function CalloutLanes(
  props: Pick<
    TimelineProps,
    | 'annotations'
    | 'selectedIds'
    | 'durationMs'
    | 'onSelect'
    | 'onChange'
    | 'onCancelGesture'
    | 'onDelete'
    | 'onReveal'
  > & { readonly width: number }
): ReactNode {
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
  )
})

interface BarDrag {
  readonly mode: BarDragMode
  readonly x0: number
  readonly originals: ReadonlyMap<string, { startMs: number; endMs: number }>
  moved: boolean
  last: readonly AnnotationChange[]
}

function CalloutBar(props: {
  annotation: Annotation
  name: string
  lane: number
  selected: boolean
  tabbable: boolean
  onFocus: () => void
  onFocusNeighbour: (direction: -1 | 1) => void
  selectedIds: readonly string[]
  annotations: readonly Annotation[]
  durationMs: number
  width: number
  onSelect: (ids: readonly string[]) => void
  onChange: (changes: readonly AnnotationChange[], phase: ChangePhase) => void
  onCancel: () => void
  onDelete: (ids: readonly string[]) => void
  onReveal: (startMs: number, endMs: number) => void
}): ReactNode {
  const { annotation: a, lane, selected, selectedIds, durationMs, width } = props
  const drag = useRef<BarDrag | null>(null)
  const color = (withDefaults(a) as { color?: string }).color ?? '#6b7280'

  const onPointerDown = (event: PointerEvent<HTMLDivElement>): void => {
    if (event.button !== 0) return
    event.preventDefault()
    event.stopPropagation()
    event.currentTarget.focus()
    const additive = event.shiftKey || event.ctrlKey || event.metaKey
    let group: readonly string[]
    if (additive) {
      group = selected ? selectedIds.filter((id) => id !== a.id) : [...selectedIds, a.id]
      props.onSelect(group)
      if (selected) return
    } else {
      group = selected ? selectedIds : [a.id]
      if (!selected) props.onSelect(group)
    }
    const edge = (event.target as HTMLElement).dataset.edge
    const mode: BarDragMode = edge === 'start' || edge === 'end' ? edge : 'move'
    const ids = mode === 'move' ? group : [a.id]
    const originals = new Map<string, { startMs: number; endMs: number }>()
    for (const item of props.annotations) {
      if (ids.includes(item.id))
        originals.set(item.id, { startMs: item.startMs, endMs: item.endMs })
    }
    event.currentTarget.setPointerCapture(event.pointerId)
    drag.current = { mode, x0: event.clientX, originals, moved: false, last: [] }
  }

  const onPointerMove = (event: PointerEvent<HTMLDivElement>): void => {
    const d = drag.current
    if (!d || width <= 0) return
    const dx = event.clientX - d.x0
    if (!d.moved && Math.abs(dx) < DRAG_THRESHOLD_PX) return
    d.moved = true
    let delta = (dx / width) * durationMs
    if (d.mode === 'move') {
      // The group moves together and stops at the recording's ends.
      const starts = [...d.originals.values()]
      const minStart = Math.min(...starts.map((o) => o.startMs))
      const maxEnd = Math.max(...starts.map((o) => o.endMs))
      delta = Math.min(Math.max(delta, -minStart), durationMs - maxEnd)
    }
    d.last = [...d.originals].map(([id, o]) => ({
      id,
      patch: dragBar(d.mode, o.startMs, o.endMs, delta, durationMs)
    }))
    props.onChange(d.last, 'preview')
  }

  const onPointerUp = (): void => {
    const d = drag.current
    drag.current = null
    if (d?.moved && d.last.length > 0) props.onChange(d.last, 'commit')
    else if (d) props.onReveal(a.startMs, a.endMs)
  }
  const onPointerCancel = (): void => {
    if (drag.current?.moved) props.onCancel()
    drag.current = null
  }

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (event.ctrlKey || event.metaKey) return
    if (event.key === 'Enter') {
      event.preventDefault()
      props.onSelect(event.shiftKey ? [...selectedIds, a.id] : [a.id])
      props.onReveal(a.startMs, a.endMs)
      return
    }
    if (event.key === 'ArrowUp' || event.key === 'ArrowDown') {
      event.preventDefault()
      event.stopPropagation()
      props.onFocusNeighbour(event.key === 'ArrowUp' ? -1 : 1)
      return
    }
    if (event.key === 'Delete' || event.key === 'Backspace') {
      event.preventDefault()
      event.stopPropagation()
      props.onDelete([a.id])
      return
    }
    const direction = event.key === 'ArrowLeft' ? -1 : event.key === 'ArrowRight' ? 1 : 0
    if (direction === 0) return
    event.preventDefault()
    event.stopPropagation()
    const deltaMs = direction * (event.shiftKey ? 1000 : 100)
    // Alt+arrows change the end; arrows alone move the whole bar.
    const mode: BarDragMode = event.altKey ? 'end' : 'move'
    props.onChange(
      [{ id: a.id, patch: dragBar(mode, a.startMs, a.endMs, deltaMs, durationMs) }],
      'commit'
    )
  }

  return (
    <div
      className={selected ? 'callout-bar selected' : 'callout-bar'}
      data-id={a.id}
      role="option"
      tabIndex={props.tabbable ? 0 : -1}
      aria-selected={selected}
      aria-label={barLabel(props.name, a)}
      aria-keyshortcuts="Enter ArrowLeft ArrowRight Shift+ArrowLeft Shift+ArrowRight Alt+ArrowLeft Alt+ArrowRight Delete"
      title={`${props.name} — drag to move, drag an end to change when it shows`}
      onFocus={props.onFocus}
      style={{
        left: `${percentAt(a.startMs, durationMs)}%`,
        width: `${percentAt(a.endMs, durationMs) - percentAt(a.startMs, durationMs)}%`,
        top: lane * LANE_HEIGHT,
        ['--bar-color' as string]: color
      }}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerCancel}
      onKeyDown={onKeyDown}
    >
      <span className="bar-edge bar-edge-start" data-edge="start" aria-hidden="true" />
      <span className="bar-title" aria-hidden="true">
        {a.type === 'callout' && a.text.trim() ? a.text : props.name}
      </span>
      <span className="bar-edge bar-edge-end" data-edge="end" aria-hidden="true" />
    </div>
  )
}

// ---- frames and outline ----

const ThumbStrip = memo(function ThumbStrip(props: {
  url: string
  durationMs: number
  width: number
  aspect: number
}): ReactNode {
  const { url, durationMs, width, aspect } = props
  const canvasRef = useRef<HTMLCanvasElement>(null)
  const framesRef = useRef<(ThumbnailFrame | undefined)[]>([])
  const [drawn, setDrawn] = useState(0)
  // The number of frames is fixed by the first width; later sizes stretch the same frames.
  const [count, setCount] = useState(0)
  useEffect(() => {
    if (count === 0 && width > 0) {
      const slot = THUMB_HEIGHT * (aspect > 0 ? aspect : 16 / 9)
      setCount(Math.min(48, Math.max(4, Math.ceil(width / slot))))
    }
  }, [count, width, aspect])

  useEffect(() => {
    if (count === 0 || durationMs <= 0) return
    const controller = new AbortController()
    framesRef.current = []
    // After the editor is usable: the player's own loading goes first.
    const start = setTimeout(() => {
      void captureThumbnails(
        url,
        thumbnailTimes(durationMs, count),
        THUMB_HEIGHT,
        controller.signal,
        (index, frame) => {
          framesRef.current[index] = frame
          setDrawn((n) => n + 1)
        }
      )
    }, 1200)
    return () => {
      clearTimeout(start)
      controller.abort()
    }
  }, [url, durationMs, count])

  useEffect(() => {
    const canvas = canvasRef.current
    if (!canvas || width <= 0 || count === 0) return
    const dpr = window.devicePixelRatio || 1
    canvas.width = Math.round(width * dpr)
    canvas.height = Math.round(THUMB_HEIGHT * dpr)
    const ctx = canvas.getContext('2d')
    if (!ctx) return
    ctx.clearRect(0, 0, canvas.width, canvas.height)
    const slot = canvas.width / count
    framesRef.current.forEach((frame, i) => {
      if (!frame) return
      const img = frame.image
      // Cover the slot: crop the frame's sides rather than squash it.
      const scale = Math.max(slot / img.width, canvas.height / img.height)
      const sw = slot / scale
      const sh = canvas.height / scale
      ctx.drawImage(
        img,
        (img.width - sw) / 2,
        (img.height - sh) / 2,
        sw,
        sh,
        i * slot,
        0,
        Math.ceil(slot),
        canvas.height
      )
    })
  }, [width, count, drawn])

  return <canvas ref={canvasRef} className="thumb-strip" aria-hidden="true" />
})

const WaveformCanvas = memo(function WaveformCanvas(props: {
  url: string
  durationMs: number
  width: number
}): ReactNode {
  const { url, durationMs, width } = props
  const canvasRef = useRef<HTMLCanvasElement>(null)
  const [wave, setWave] = useState<Waveform | null>(null)

  useEffect(() => {
    let live = true
    // A little later than the player, which needs the first bytes more.
    const start = setTimeout(() => {
      void loadWaveform(url, durationMs).then((w) => {
        if (live) setWave(w)
      })
    }, 400)
    return () => {
      live = false
      clearTimeout(start)
    }
  }, [url, durationMs])

  useEffect(() => {
    const canvas = canvasRef.current
    if (!canvas || !wave || width <= 0) return
    const dpr = window.devicePixelRatio || 1
    canvas.width = Math.round(width * dpr)
    canvas.height = Math.round(WAVE_HEIGHT * dpr)
    const ctx = canvas.getContext('2d')
    if (!ctx) return
    ctx.clearRect(0, 0, canvas.width, canvas.height)
    ctx.fillStyle = getComputedStyle(canvas).color
    const covered = Math.min(1, wave.durationMs / Math.max(1, durationMs))
    const columns = Math.max(1, Math.floor((canvas.width * covered) / dpr))
    const peaks = peaksForWidth(wave.peaks, columns)
    const mid = canvas.height / 2
    peaks.forEach((p, x) => {
      const h = Math.max(dpr, p * (canvas.height - 2 * dpr))
      ctx.fillRect(x * dpr, mid - h / 2, Math.max(1, dpr * 0.8), h)
    })
  }, [wave, width, durationMs])

  return (
    <canvas
      ref={canvasRef}
      className={wave ? 'waveform' : 'waveform empty'}
      aria-hidden="true"
      style={{ height: WAVE_HEIGHT }}
    />
  )
})

/** The element's content width in CSS pixels, kept current as it resizes. */
function useElementWidth(ref: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(0)
  useEffect(() => {
    const element = ref.current
    if (!element) return
    setWidth(element.getBoundingClientRect().width)
    const observer = new ResizeObserver((entries) => {
      const entry = entries[entries.length - 1]
      if (entry) setWidth(entry.contentRect.width)
    })
    observer.observe(element)
    return () => observer.disconnect()
  }, [ref])
  return width
}
