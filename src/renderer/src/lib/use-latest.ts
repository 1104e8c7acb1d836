import { useEffect, useRef } from 'react'
import type { RefObject } from 'react'

/**
 * A ref holding the latest `value` (updated after every render), for listeners and timers that
 * are set up once but must call what the component was last given.
 */
export function useLatest<T>(value: T): RefObject<T> {
  const ref = useRef(value)
  useEffect(() => {
    ref.current = value
  })
  return ref
}
