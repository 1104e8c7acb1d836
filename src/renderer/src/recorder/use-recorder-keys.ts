/**
 * Keys inside the window: Ctrl/Cmd+Shift+R starts and stops, Space pauses and resumes while
 * recording (but not while typing in a field). While the bar asks whether to restart or discard
 * the take, Escape keeps recording and Space is left to the focused answer.
 */
import { useEffect } from 'react'
import { useLatest } from '../lib/use-latest'
import { hasModifier, isTyping } from '../ui/key-guard'
import type { Recorder } from './use-recorder'

const isSpace = (event: KeyboardEvent): boolean => event.key === ' ' || event.code === 'Space'

export function useRecorderKeys(recorder: Recorder): void {
  const latest = useLatest(recorder)

  useEffect(() => {
    const capturing = (): boolean =>
      latest.current.phase === 'recording' || latest.current.phase === 'paused'

    const onKeyDown = (event: KeyboardEvent): void => {
      const r = latest.current
      const mod = event.ctrlKey || event.metaKey
      if (mod && event.shiftKey && !event.altKey && event.key.toLowerCase() === 'r') {
        // Also keeps Chromium from treating it as "reload, bypassing the cache".
        event.preventDefault()
        if (!event.repeat) r.toggle()
        return
      }
      if (r.confirming) {
        // Escape wherever the focus is (e.g. the question was opened from the tray).
        if (event.key === 'Escape') {
          event.preventDefault()
          r.keep()
        }
        return
      }
      if (isSpace(event) && capturing() && !hasModifier(event) && !isTyping(event.target)) {
        // Space on a focused button would also click it (maybe Stop); the shortcut wins.
        event.preventDefault()
        event.stopPropagation()
        if (event.repeat) return
        if (r.phase === 'paused') r.resume()
        else r.pause()
      }
    }
    const onKeyUp = (event: KeyboardEvent): void => {
      // A button clicks on Space's keyup; swallow it so the pause is the only effect.
      if (latest.current.confirming) return
      if (isSpace(event) && capturing() && !isTyping(event.target)) event.preventDefault()
    }
    window.addEventListener('keydown', onKeyDown, true)
    window.addEventListener('keyup', onKeyUp, true)
    return () => {
      window.removeEventListener('keydown', onKeyDown, true)
      window.removeEventListener('keyup', onKeyUp, true)
    }
  }, [latest])
}
