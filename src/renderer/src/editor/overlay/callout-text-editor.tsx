/**
 * Editing a callout's text in place: a textarea laid exactly over the bubble, in the bubble's
 * colour and the callout font at the size the video is shown at. As in Figma or Excalidraw, the
 * typing is kept however the field is left: Enter, Escape or a click elsewhere (Shift+Enter is a
 * new line). Empty text is refused on an existing callout (Enter says so; Escape or leaving keeps
 * the old text) and removes a just-drawn one. A short visible hint under the field says so.
 */
import { useEffect, useId, useRef, useState } from 'react'
import type { CSSProperties, ReactNode } from 'react'
import { CALLOUT_FONT_FAMILY, type FrameSize } from '../../../../shared/callouts/draw'
import { calloutTextPx, FALLBACK_COLOR, fontPx } from '../../../../shared/callouts/sizes'
import { safeColor, textColorOn } from '../../../../shared/callouts/svg-markup'
import { wrapText } from '../../../../shared/callouts/wrap-text'
import { withDefaults, type CalloutAnnotation } from '../../../../shared/edits'

export interface CalloutTextEditorProps {
  /** The callout as it is now (its box places the field). */
  readonly callout: CalloutAnnotation
  readonly frame: FrameSize
  /** Height of the overlay in CSS pixels, to scale the font like the drawing. */
  readonly renderedHeight: number
  /** Text the field starts with (selected, so typing replaces it). */
  readonly initialText: string
  /**
   * The edit ended with `text`. `hadFocus`: the field still held the focus as it ended (Enter, or
   * the window lost focus), so the focus needs a new home when the field goes; false when the user
   * moved the focus somewhere else, where it must stay.
   */
  readonly onCommit: (text: string, hadFocus: boolean) => void
  /** The edit ended without a change (empty text on an existing callout); `hadFocus` as above. */
  readonly onCancel: (hadFocus: boolean) => void
  /** The callout was just drawn: left without text, it goes (`onDiscard`) instead of staying. */
  readonly isNew?: boolean
  readonly onDiscard?: (hadFocus: boolean) => void
}

export function CalloutTextEditor(props: CalloutTextEditorProps): ReactNode {
  const { callout, frame, renderedHeight, initialText, onCommit, onCancel, isNew, onDiscard } =
    props
  const [text, setText] = useState(initialText)
  const [refused, setRefused] = useState(false)
  const ref = useRef<HTMLTextAreaElement>(null)
  // Set once the edit ends, so the blur that follows Enter or Escape does nothing more.
  const done = useRef(false)
  const hintId = useId()

  useEffect(() => {
    ref.current?.focus()
    ref.current?.select()
  }, [])

  const finish = (value: string, how: 'enter' | 'leave', hadFocus: boolean): void => {
    if (done.current) return
    if (value.trim() === '') {
      if (isNew && onDiscard) {
        // Drawn and left empty: the user changed their mind, as an empty text box in Figma.
        done.current = true
        onDiscard(hadFocus)
        return
      }
      // A callout without text would be an empty bubble: keep the old text instead.
      if (how === 'enter') {
        setRefused(true)
        return
      }
      done.current = true
      onCancel(hadFocus)
      return
    }
    done.current = true
    onCommit(value, hadFocus)
  }

  const H = Math.max(1, frame.height)
  const scale = renderedHeight > 0 ? renderedHeight / H : 1
  const style = withDefaults(callout)
  // The same sizes as drawCallout (src/shared/callouts/sizes.ts), in CSS pixels.
  const fs = fontPx(style.fontSize, H) * scale
  const { pad, lineHeight, radius } = calloutTextPx(fs)
  const boxW = Math.abs(callout.w) * Math.max(1, frame.width) * scale
  const boxH = Math.abs(callout.h) * H * scale
  const lines = Math.max(
    1,
    wrapText(text, { maxWidth: boxW - 2 * pad, fontSize: fs, maxLines: 99 }).length
  )
  const top = Math.max(pad, (boxH - lines * lineHeight) / 2)
  const color = safeColor(style.color, FALLBACK_COLOR)

  return (
    <>
      <textarea
        ref={ref}
        className="callout-overlay__text-editor"
        aria-label="Callout text"
        aria-invalid={refused || undefined}
        aria-describedby={hintId}
        value={text}
        spellCheck
        style={{
          left: `${Math.min(callout.x, callout.x + callout.w) * 100}%`,
          top: `${Math.min(callout.y, callout.y + callout.h) * 100}%`,
          width: `${Math.abs(callout.w) * 100}%`,
          height: `${Math.abs(callout.h) * 100}%`,
          fontFamily: CALLOUT_FONT_FAMILY,
          fontSize: `${fs}px`,
          lineHeight: `${lineHeight}px`,
          padding: `${top}px ${pad}px ${pad}px`,
          borderRadius: `${Math.min(radius, boxW / 2, boxH / 2)}px`,
          background: color,
          color: textColorOn(color)
        }}
        onChange={(event) => {
          setText(event.target.value)
          if (refused) setRefused(false)
        }}
        onKeyDown={(event) => {
          // The overlay's own keys (nudge, Enter to edit) must not act while typing.
          event.stopPropagation()
          if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
            event.preventDefault()
            finish(event.currentTarget.value, 'enter', true)
          } else if (event.key === 'Escape') {
            // Escape leaves the field and keeps what was typed, like a click elsewhere.
            event.preventDefault()
            finish(event.currentTarget.value, 'leave', true)
          }
        }}
        // While focus moves to another element, the document's active element is already none
        // (the body); only when the window loses focus does the field stay the active element.
        onBlur={(event) =>
          finish(event.currentTarget.value, 'leave', document.activeElement === event.currentTarget)
        }
      />
      <p
        id={hintId}
        className="callout-overlay__text-hint"
        data-refused={refused || undefined}
        role={refused ? 'alert' : undefined}
        style={hintPlace(callout)}
      >
        {refused
          ? 'A callout needs some text. Type it, or press Escape to keep the old text.'
          : isNew && onDiscard
            ? 'Enter or Escape saves. Shift+Enter starts a new line. Left empty, the callout goes.'
            : 'Enter or Escape saves. Shift+Enter starts a new line.'}
      </p>
    </>
  )
}

/** Under the field, or over it when the callout sits low in the frame; aligned with its left edge. */
function hintPlace(callout: CalloutAnnotation): CSSProperties {
  const left = Math.min(callout.x, callout.x + callout.w)
  const top = Math.min(callout.y, callout.y + callout.h)
  const bottom = Math.max(callout.y, callout.y + callout.h)
  const place: CSSProperties = { left: `${Math.max(0, Math.min(left, 0.6)) * 100}%` }
  if (bottom > 0.8) place.bottom = `calc(${(1 - top) * 100}% + 6px)`
  else place.top = `calc(${bottom * 100}% + 6px)`
  return place
}
