/**
 * The camera bubble in the editor, as pure functions (no React, no DOM): where it is drawn over
 * the video, when it shows, what a drag, a resize or an arrow key makes of it, and how the
 * camera's <video> follows the recording's. The geometry is shared/bubble.ts, the same the export
 * uses, so the preview lands on the export's pixels.
 */
import {
  bubbleBorderPx,
  bubbleBox,
  bubbleHiddenAt,
  bubbleRadiusPx,
  placeBubble,
  resizeBubble,
  type FrameSize
} from '../../../../shared/bubble'
import type { Bubble } from '../../../../shared/edits'
import type { CameraSummary } from '../../../../shared/project'
import type { TimeRange } from '../../../../shared/timeline'
import { formatRange } from '../time-format'

/** Where the bubble sits over the shown video: CSS lengths for its box, border and corners. */
export interface BubbleLayout {
  /** Left, top, width and height as percentages of the shown video (which has the frame's aspect). */
  readonly left: string
  readonly top: string
  readonly width: string
  readonly height: string
  /** Border width and corner radius in CSS pixels at the size shown. */
  readonly borderPx: number
  readonly radiusPx: number
}

/**
 * The bubble's box over a video shown `shownWidth` CSS pixels wide: bubbleBox() in frame pixels,
 * scaled to the display like the video itself.
 */
export function bubbleLayout(bubble: Bubble, frame: FrameSize, shownWidth: number): BubbleLayout {
  const box = bubbleBox(bubble, frame)
  const scale = frame.width > 0 ? shownWidth / frame.width : 0
  const pct = (value: number, of: number): string => `${(value / of) * 100}%`
  return {
    left: pct(box.x, frame.width),
    top: pct(box.y, frame.height),
    width: pct(box.size, frame.width),
    height: pct(box.size, frame.height),
    borderPx: bubbleBorderPx(box.size) * scale,
    radiusPx: bubbleRadiusPx(bubble.shape, box.size) * scale
  }
}

type CameraTiming = Pick<CameraSummary, 'offsetMs' | 'durationMs'>

/**
 * The camera file's time, in seconds, that shows at `recordingMs`, or null where the camera has
 * no picture (before its first frame, after its last). A camera of unknown length shows nowhere,
 * as in the export (bubbleShownRanges).
 */
export function cameraTimeAt(camera: CameraTiming, recordingMs: number): number | null {
  const ms = recordingMs - camera.offsetMs
  if (camera.durationMs === null || ms < 0 || ms >= camera.durationMs) return null
  return ms / 1000
}

/** Whether the bubble shows at `recordingMs`: the camera has a picture and it is not hidden. */
export function bubbleShownAt(bubble: Bubble, camera: CameraTiming, recordingMs: number): boolean {
  return cameraTimeAt(camera, recordingMs) !== null && !bubbleHiddenAt(bubble, recordingMs)
}

/** The bubble dragged by (dx, dy), fractions of the frame, from where the drag started. */
export function dragBubble(original: Bubble, dx: number, dy: number, frame: FrameSize): Bubble {
  return placeBubble(original, original.x + dx, original.y + dy, frame)
}

/**
 * The bubble resized by dragging its bottom-right handle by (dx, dy), fractions of the frame:
 * the side follows whichever way the pointer went further (in frame heights), the top-left stays.
 */
export function resizeBubbleBy(original: Bubble, dx: number, dy: number, frame: FrameSize): Bubble {
  const aspect = frame.width / frame.height
  const across = dx * aspect
  const grow = Math.abs(across) > Math.abs(dy) ? across : dy
  return resizeBubble(original, original.size + grow, frame)
}

const NUDGE: Readonly<Record<string, readonly [number, number]>> = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, -1],
  ArrowDown: [0, 1]
}

/**
 * The bubble moved by an arrow key: two frame pixels (the bubble sits on even pixels, see
 * bubbleBox), ten with Shift as annotations are; null for another key. At the frame's edge it
 * stays where it is.
 */
export function nudgeBubble(
  bubble: Bubble,
  key: string,
  shift: boolean,
  frame: FrameSize
): Bubble | null {
  const direction = NUDGE[key]
  if (!direction) return null
  const step = shift ? 10 : 2
  return placeBubble(
    bubble,
    bubble.x + (direction[0] * step) / frame.width,
    bubble.y + (direction[1] * step) / frame.height,
    frame
  )
}

/** What the camera's <video> should do to follow the recording's. */
export interface CameraSync {
  /** Move the camera video to this time (seconds), or null to leave it. */
  readonly seekTo: number | null
  /** Play it (true), pause it (false). */
  readonly play: boolean
}

/** While playing, a camera further than this from where it should be is moved back in step. */
export const CAMERA_DRIFT_S = 0.1
/** While paused, a camera further than this from the frame shown is moved to it. */
const CAMERA_STILL_S = 0.001

/**
 * How the camera video follows the recording: paused where the recording is paused, playing in
 * step where it plays (camera time = recording time − offsetMs), paused at its first or last
 * frame where it has no picture (the bubble is not shown there).
 */
export function cameraSync(
  camera: CameraTiming,
  recordingMs: number,
  playing: boolean,
  cameraNow: { readonly currentTime: number; readonly paused: boolean }
): CameraSync {
  const target = cameraTimeAt(camera, recordingMs)
  // A camera still playing where it must stop has moved on since its time was read (and moves
  // until it is paused): it is always sent to the frame it must rest on, after pausing it.
  const stillAt = (at: number): boolean =>
    cameraNow.paused && Math.abs(cameraNow.currentTime - at) <= CAMERA_STILL_S
  if (target === null) {
    // Out of its range: rest on the nearest end, so it is ready when the range starts.
    const rest = recordingMs < camera.offsetMs ? 0 : null
    return { seekTo: rest !== null && !stillAt(rest) ? rest : null, play: false }
  }
  const off = Math.abs(cameraNow.currentTime - target)
  if (!playing) return { seekTo: stillAt(target) ? null : target, play: false }
  // Starting to play: from the right frame. Playing: only when it drifted.
  const seekTo = cameraNow.paused
    ? off > CAMERA_STILL_S
      ? target
      : null
    : off > CAMERA_DRIFT_S
      ? target
      : null
  return { seekTo, play: true }
}

/** Words for the bubble's timeline lane (its accessible name): where the bubble shows. */
export function bubbleLaneLabel(shown: readonly TimeRange[]): string {
  if (shown.length === 0) return 'Camera bubble timeline: hidden throughout'
  return `Camera bubble timeline: shown ${shown.map(([s, e]) => formatRange(s, e)).join(', ')}`
}
