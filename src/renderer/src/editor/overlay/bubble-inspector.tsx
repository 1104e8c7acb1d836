/**
 * The inspector while the camera bubble is selected: its shape, and hiding or showing it from
 * the playhead on. Every button is one change of the editor's document (one undo step).
 */
import { useId } from 'react'
import type { ReactNode } from 'react'
import type { BubbleShape } from '../../../../shared/edits'
import './overlay.css'

export interface BubbleInspectorProps {
  readonly shape: BubbleShape
  /** Whether the bubble is hidden at the playhead (then "Show from here" applies, else "Hide"). */
  readonly hiddenNow: boolean
  /** Whether the camera has a picture at the playhead at all. */
  readonly cameraHere: boolean
  readonly onShape: (shape: BubbleShape) => void
  readonly onHideFromHere: () => void
  readonly onShowFromHere: () => void
}

const SHAPES: readonly { readonly shape: BubbleShape; readonly label: string }[] = [
  { shape: 'circle', label: 'Circle' },
  { shape: 'rounded', label: 'Rounded square' }
]

export function BubbleInspector(props: BubbleInspectorProps): ReactNode {
  const titleId = useId()
  return (
    <section className="style-inspector bubble-inspector" aria-labelledby={titleId}>
      <h2 id={titleId} className="style-inspector__title">
        Camera bubble
      </h2>
      <fieldset className="style-inspector__row">
        <legend className="style-inspector__label">Shape</legend>
        <div className="style-inspector__segments">
          {SHAPES.map(({ shape, label }) => (
            <button
              key={shape}
              type="button"
              className="style-inspector__segment"
              aria-pressed={props.shape === shape}
              onClick={() => props.onShape(shape)}
            >
              {label}
            </button>
          ))}
        </div>
      </fieldset>
      <fieldset className="style-inspector__row">
        <legend className="style-inspector__label">At the playhead</legend>
        <div className="bubble-inspector__row">
          <button
            type="button"
            className="tool-button labelled"
            disabled={props.hiddenNow}
            onClick={props.onHideFromHere}
          >
            Hide from here
          </button>
          <button
            type="button"
            className="tool-button labelled"
            disabled={!props.hiddenNow}
            onClick={props.onShowFromHere}
          >
            Show from here
          </button>
        </div>
        {!props.cameraHere && (
          <p className="style-inspector__note">The camera has no picture at the playhead.</p>
        )}
      </fieldset>
      <p className="style-inspector__note">
        Drag the bubble to move it (it snaps to the corners), or its corner handle to resize it.
        Arrow keys move it, 10 pixels at a time with Shift.
      </p>
    </section>
  )
}
