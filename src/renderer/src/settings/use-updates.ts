/**
 * Follows where updating stands while Settings is open (`updates:status`, then every
 * `updates:changed`), and runs Check now and Restart to update.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import type { UpdateStatus } from '../../../shared/ipc'
import { api } from '../api'
import { errorMessage } from '../lib/error-message'

export interface UpdatesState {
  readonly status: UpdateStatus | null
  readonly loadProblem: string | null
  readonly pending: 'check' | 'restart' | null
  readonly actionProblem: string | null
  check(): void
  restart(): void
}

export function useUpdates(): UpdatesState {
  const [status, setStatus] = useState<UpdateStatus | null>(null)
  const [loadProblem, setLoadProblem] = useState<string | null>(null)
  const [pending, setPending] = useState<'check' | 'restart' | null>(null)
  const [actionProblem, setActionProblem] = useState<string | null>(null)
  const live = useRef(true)
  // An event newer than the first answer must not be overwritten by it.
  const heard = useRef(false)

  useEffect(() => {
    live.current = true
    const off = api.on('updates:changed', (next) => {
      heard.current = true
      setStatus(next)
      setLoadProblem(null)
    })
    api.invoke('updates:status').then(
      (first) => {
        if (live.current && !heard.current) setStatus(first)
      },
      (failure: unknown) => {
        if (live.current) setLoadProblem(errorMessage(failure))
      }
    )
    return () => {
      live.current = false
      off()
    }
  }, [])

  const check = useCallback(() => {
    setPending('check')
    setActionProblem(null)
    api
      .invoke('updates:check')
      .then(
        (next) => {
          if (live.current) setStatus(next)
        },
        (failure: unknown) => {
          if (live.current)
            setActionProblem(`Could not check for updates. ${errorMessage(failure)}`)
        }
      )
      .finally(() => {
        if (live.current) setPending(null)
      })
  }, [])

  const restart = useCallback(() => {
    setPending('restart')
    setActionProblem(null)
    api
      .invoke('updates:restart')
      .catch((failure: unknown) => {
        if (live.current) setActionProblem(errorMessage(failure))
      })
      .finally(() => {
        if (live.current) setPending(null)
      })
  }, [])

  return { status, loadProblem, pending, actionProblem, check, restart }
}
