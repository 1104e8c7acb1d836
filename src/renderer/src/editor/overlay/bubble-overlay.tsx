/**
 * The camera bubble over the player: the camera recording in its circle (or rounded square)
 * where bubbleBox() puts it in the frame — the export's pixels, scaled to the video as shown —
 * kept in step with the recording, with the select / move (snapping to the corners on release)
 * / resize / nudge of the bubble. Not mirrored: the recording is what the export shows.
 *
 * The layer fills its positioned parent, which has the video's aspect ratio (as the callout
 * overlay does); only the bubble itself takes pointer events, and only with the select tool.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'react'
import type {
  KeyboardEvent as ReactKeyboardEvent,
  PointerEvent as ReactPointerEvent,
  ReactNode
} from 'react'
import { BUBBLE_BORDER_COLOR, snapBubble, type FrameSize } from '../../../../shared/bubble'
import type { Bubble } from '../../../../shared/edits'
import type { CameraSummary } from '../../../../shared/project'
import { hasModifier } from '../../ui/key-guard'
import {
  bubbleLayout,
  bubbleShownAt,
  cameraSync,
  dragBubble,
  nudgeBubble,
  resizeBubbleBy
} from './bubble-model'
import type { ChangePhase, ClientPoint, Tool } from './types'
import './overlay.css'

/** A press that moves less than this (CSS pixels) is a click, not a drag. */
const DRAG_START_CSS = 3

export interface BubbleOverlayProps {
  readonly camera: CameraSummary
  /** The bubble to draw (effectiveBubble: the placed one or the default). */
  readonly bubble: Bubble
  /** The video's frame size in pixels. */
  readonly frame: FrameSize
  /** The playhead on the recording's clock, ms. */
  readonly currentMs: number
  /** Whether the recording is playing (the camera plays along). */
  readonly playing: boolean
  readonly tool: Tool
  readonly selected: boolean
  readonly onSelect: () => void
  /** A drag previews, then commits once (one undo step); a nudge commits. */
  readonly onChange: (bubble: Bubble, phase: ChangePhase) => void
  /** Escape during a drag: back to how it was, no undo step. */
  readonly onCancelGesture: () => void
  /**
   * True when a press belongs to something drawn over the bubble (a callout): the bubble then
   * leaves it to the callout overlay.
   */
  readonly yieldTo?: (point: ClientPoint) => boolean
}

interface Gesture {
  readonly kind: 'move' | 'resize'
  readonly pointerId: number
  readonly startClient: { readonly x: number; readonly y: number }
  readonly original: Bubble
  moved: boolean
  last: Bubble
}

export function BubbleOverlay(props: BubbleOverlayProps): ReactNode {
  const { camera, bubble, frame, currentMs, playing, tool, selected } = props
  const { onSelect, onChange, onCancelGesture } = props
  const layerRef = useRef<HTMLDivElement>(null)
  const cameraRef = useRef<HTMLVideoElement>(null)
  const gestureRef = useRef<Gesture | null>(null)
  const [dragging, setDragging] = useState(false)
  const [shownWidth, setShownWidth] = useState(0)
  const [cameraReady, setCameraReady] = useState(0)

  useLayoutEffect(() => {
    const layer = layerRef.current
    if (!layer) return
    const update = (): void => setShownWidth(layer.clientWidth)
    update()
    const observer = new ResizeObserver(update)
    observer.observe(layer)
    return () => observer.disconnect()
  }, [])

  // The camera follows the recording: every playhead change, play and pause.
  useEffect(() => {
    const video = cameraRef.current
    if (!video) return
    const sync = cameraSync(camera, currentMs, playing, video)
    // Paused before the seek: a camera paused after it would stop wherever it had played on to.
    if (!sync.play && !video.paused) video.pause()
    if (sync.seekTo !== null) video.currentTime = sync.seekTo
    if (sync.play && video.paused) {
      video.play().catch(() => {
        // Interrupted by a pause or a seek: the next sync puts it right.
      })
    }
  }, [camera, currentMs, playing, cameraReady])

  const shown = bubbleShownAt(bubble, camera, currentMs)
  const layout = bubbleLayout(bubble, frame, shownWidth)
  const interactive = tool === 'select'

  const toFraction = (dxClient: number, dyClient: number): { dx: number; dy: number } => {
    const rect = layerRef.current?.getBoundingClientRect()
    if (!rect || rect.width === 0 || rect.height === 0) return { dx: 0, dy: 0 }
    return { dx: dxClient / rect.width, dy: dyClient / rect.height }
  }

  const onPointerDown = (event: ReactPointerEvent<HTMLDivElement>): void => {
    if (event.button !== 0 || gestureRef.current || !interactive) return
    if (props.yieldTo?.(event)) return
    event.preventDefault()
    event.stopPropagation()
    onSelect()
    event.currentTarget.focus({ preventScroll: true })
    event.currentTarget.setPointerCapture(event.pointerId)
    const onHandle =
      event.target instanceof Element && event.target.closest('[data-bubble-handle]') !== null
    gestureRef.current = {
      kind: onHandle ? 'resize' : 'move',
      pointerId: event.pointerId,
      startClient: { x: event.clientX, y: event.clientY },
      original: bubble,
      moved: false,
      last: bubble
    }
  }

  const onPointerMove = (event: ReactPointerEvent<HTMLDivElement>): void => {
    const g = gestureRef.current
    if (!g || event.pointerId !== g.pointerId) return
    event.stopPropagation()
    const dxClient = event.clientX - g.startClient.x
    const dyClient = event.clientY - g.startClient.y
    if (!g.moved && Math.hypot(dxClient, dyClient) < DRAG_START_CSS) return
    const { dx, dy } = toFraction(dxClient, dyClient)
    const next =
      g.kind === 'move'
        ? dragBubble(g.original, dx, dy, frame)
        : resizeBubbleBy(g.original, dx, dy, frame)
    if (!g.moved) setDragging(true)
    g.moved = true
    g.last = next
    onChange(next, 'preview')
  }

  const finish = (event: ReactPointerEvent<HTMLDivElement>, cancelled: boolean): void => {
    const g = gestureRef.current
    if (!g || event.pointerId !== g.pointerId) return
    event.stopPropagation()
    gestureRef.current = null
    setDragging(false)
    if (event.currentTarget.hasPointerCapture(event.pointerId)) {
      event.currentTarget.releasePointerCapture(event.pointerId)
    }
    if (!g.moved) return
    if (cancelled) onCancelGesture()
    else onChange(g.kind === 'move' ? snapBubble(g.last, frame) : g.last, 'commit')
  }

  // Escape while dragging puts the bubble back where it was.
  useEffect(() => {
    if (!dragging) return
    const onKey = (event: KeyboardEvent): void => {
      const g = gestureRef.current
      if (event.key !== 'Escape' || !g) return
      event.preventDefault()
      event.stopPropagation()
      gestureRef.current = null
      setDragging(false)
      if (g.moved) onCancelGesture()
    }
    window.addEventListener('keydown', onKey, true)
    return () => window.removeEventListener('keydown', onKey, true)
  }, [dragging, onCancelGesture])

  const onKeyDown = (event: ReactKeyboardEvent<HTMLDivElement>): void => {
    if (hasModifier(event) || gestureRef.current) return
    const next = nudgeBubble(bubble, event.key, event.shiftKey, frame)
    if (!next) return
    event.preventDefault()
    event.stopPropagation()
    onChange(next, 'commit')
  }

  const radius = `${layout.radiusPx}px`
  return (
    <div ref={layerRef} className="bubble-layer">
      <div
        className="bubble-overlay"
        role="button"
        tabIndex={0}
        aria-label="Camera bubble"
        aria-pressed={selected}
        aria-roledescription="camera bubble"
        data-shown={shown}
        data-selected={selected}
        style={{
          left: layout.left,
          top: layout.top,
          width: layout.width,
          height: layout.height,
          pointerEvents: interactive ? 'auto' : 'none',
          cursor: interactive ? 'move' : undefined
        }}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={(event) => finish(event, false)}
        onPointerCancel={(event) => finish(event, true)}
        onFocus={() => {
          if (!selected) onSelect()
        }}
        onKeyDown={onKeyDown}
      >
        <div
          className="bubble-overlay__picture"
          style={{ borderRadius: radius, visibility: shown ? 'visible' : 'hidden' }}
        >
          <video
            ref={cameraRef}
            className="bubble-overlay__video"
            src={camera.url}
            muted
            playsInline
            preload="auto"
            aria-hidden="true"
            tabIndex={-1}
            onLoadedMetadata={() => setCameraReady((n) => n + 1)}
          />
          <div
            className="bubble-overlay__border"
            style={{
              borderRadius: radius,
              borderWidth: `${layout.borderPx}px`,
              borderColor: BUBBLE_BORDER_COLOR
            }}
          />
        </div>
        {selected && (
          <div className="bubble-overlay__outline" style={{ borderRadius: radius }} aria-hidden />
        )}
        {selected && interactive && !dragging && (
          <div
            className="bubble-overlay__handle"
            data-bubble-handle="resize"
            title="Drag to resize the camera bubble"
            aria-hidden
          />
        )}
      </div>
    </div>
  )
}
