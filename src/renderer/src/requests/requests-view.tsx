/**
 * The Requests view (docs/learning-together.md, "In the desktop app"): the connected library's
 * open walkthrough requests, newest first, with a search box; "Record an answer" starts a
 * recording titled with the request that is linked to it when shared, "Open in library" opens its
 * page in the browser. Not connected, an older library, or an error: said in words, with the
 * button that helps (Settings, or Retry).
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import type { FormEvent, ReactNode } from 'react'
import type { AnswerTarget, RequestsList } from '../../../shared/ipc'
import { api } from '../api'
import { errorMessage } from '../lib/error-message'
import type { SettingsField } from '../settings/open-settings'
import {
  answersWords,
  answerTarget,
  askedWords,
  requestsProblem,
  wantedWords
} from './requests-model'
import './requests.css'

export interface RequestsViewProps {
  /** Starts recording an answer (the recorder's startAnswer). */
  readonly onRecordAnswer: (answer: AnswerTarget) => void
  /** False while a recording is starting or running: no second one. */
  readonly canRecord: boolean
  readonly onOpenSettings: (field?: SettingsField) => void
  /** Back to the recordings. */
  readonly onClose: () => void
}

type Loaded =
  | { readonly phase: 'loading' }
  | { readonly phase: 'done'; readonly list: RequestsList }
  | { readonly phase: 'error'; readonly message: string }

export function RequestsView(props: RequestsViewProps): ReactNode {
  const [loaded, setLoaded] = useState<Loaded>({ phase: 'loading' })
  const [query, setQuery] = useState('')
  const [openProblem, setOpenProblem] = useState<string | null>(null)
  const asked = useRef(0)

  const load = useCallback((q: string) => {
    const ask = ++asked.current
    setLoaded({ phase: 'loading' })
    api
      .invoke('requests:list', q.trim() ? { q: q.trim() } : {})
      .then((list) => {
        if (ask === asked.current) setLoaded({ phase: 'done', list })
      })
      .catch((error: unknown) => {
        if (ask === asked.current) setLoaded({ phase: 'error', message: errorMessage(error) })
      })
  }, [])

  useEffect(() => load(''), [load])

  const search = (event: FormEvent): void => {
    event.preventDefault()
    load(query)
  }

  const openPage = (url: string): void => {
    setOpenProblem(null)
    api.invoke('requests:open', url).catch((error: unknown) => setOpenProblem(errorMessage(error)))
  }

  const list = loaded.phase === 'done' ? loaded.list : null
  const problem =
    loaded.phase === 'error'
      ? { message: loaded.message, action: 'retry' as const }
      : list
        ? requestsProblem(list)
        : null
  const requests = list?.state === 'ok' ? list.requests : null
  // Search and refresh only help a library that takes requests.
  const searchable = !problem || problem.action === 'retry'

  return (
    <section className="requests-view" aria-labelledby="requests-title">
      <div className="requests-head">
        <h2 id="requests-title">Requests</h2>
        <button type="button" className="quiet-button" onClick={props.onClose}>
          Back to recordings
        </button>
      </div>
      <p className="hint">
        What colleagues asked the team library for. Record an answer, and when you share it the
        library links it to the request and tells whoever asked.
      </p>
      {searchable && (
        <form className="requests-search" role="search" onSubmit={search}>
          <label htmlFor="requests-q" className="visually-hidden">
            Search requests
          </label>
          <input
            id="requests-q"
            type="search"
            value={query}
            maxLength={200}
            placeholder="Search requests"
            onChange={(event) => setQuery(event.target.value)}
          />
          <button type="submit" className="secondary-button">
            Search
          </button>
          <button type="button" className="quiet-button" onClick={() => load(query)}>
            Refresh
          </button>
        </form>
      )}
      {loaded.phase === 'loading' && (
        <p className="muted" role="status">
          Loading requests…
        </p>
      )}
      {problem && (
        <div className="requests-problem" role="alert">
          <p>{problem.message}</p>
          {problem.action === 'settings' && (
            <button
              type="button"
              className="primary-button"
              onClick={() =>
                props.onOpenSettings(list?.state === 'auth' ? 'library-token' : 'library-url')
              }
            >
              Open Settings
            </button>
          )}
          {problem.action === 'retry' && (
            <button type="button" className="primary-button" onClick={() => load(query)}>
              Retry
            </button>
          )}
        </div>
      )}
      {openProblem && (
        <p className="hint warning-text" role="alert">
          {openProblem}
        </p>
      )}
      {requests && requests.length === 0 && (
        <p className="muted" role="status">
          {query.trim() ? 'No open request matches your search.' : 'No open requests right now.'}
        </p>
      )}
      {requests && requests.length > 0 && (
        <ul className="request-list" aria-label="Open requests">
          {requests.map((request) => (
            <li key={request.id} className="request-card">
              <h3 className="request-title">{request.title}</h3>
              <p className="request-meta muted">
                {askedWords(request)} · {wantedWords(request.wanted)} ·{' '}
                {answersWords(request.answers.length)}
              </p>
              {request.tags.length > 0 && (
                <ul className="request-tags" aria-label="Tags">
                  {request.tags.map((tag) => (
                    <li key={tag}>#{tag}</li>
                  ))}
                </ul>
              )}
              <div className="request-actions">
                <button
                  type="button"
                  className="primary-button"
                  disabled={!props.canRecord}
                  aria-label={`Record an answer to “${request.title}”`}
                  onClick={() => props.onRecordAnswer(answerTarget(request))}
                >
                  Record an answer
                </button>
                <button
                  type="button"
                  className="secondary-button"
                  aria-label={`Open “${request.title}” in the library`}
                  onClick={() => openPage(request.url)}
                >
                  Open in library
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
