/** Big numbers before recording begins; Skip (or Enter/Escape) starts at once. */
import { useEffect, useRef } from 'react'
import type { ReactNode } from 'react'
import { useLatest } from '../lib/use-latest'
import './recorder.css'

export interface CountdownOverlayProps {
  readonly secondsLeft: number
  readonly onSkip: () => void
  readonly onCancel: () => void
}

export function CountdownOverlay({
  secondsLeft,
  onSkip,
  onCancel
}: CountdownOverlayProps): ReactNode {
  const skipRef = useRef<HTMLButtonElement>(null)
  const onSkipRef = useLatest(onSkip)

  useEffect(() => {
    skipRef.current?.focus()
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Enter' || event.key === 'Escape') {
        event.preventDefault()
        onSkipRef.current()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [onSkipRef])

  return (
    <div className="countdown" role="dialog" aria-modal="true" aria-label="Recording starts soon">
      <p className="countdown-caption">Recording starts in</p>
      <p className="countdown-number" aria-live="assertive" aria-atomic="true">
        {secondsLeft}
      </p>
      <div className="countdown-actions">
        <button type="button" ref={skipRef} className="primary-button" onClick={onSkip}>
          Skip
        </button>
        <button type="button" className="quiet-button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  )
}
