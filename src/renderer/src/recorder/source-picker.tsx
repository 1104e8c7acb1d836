/**
 * Screens and windows as cards in one radio group: arrow keys move between them, each card is
 * named by its source's name, windows carry their app's icon. While the picker is shown and
 * nothing is being recorded, it asks main for the sources again every LIVE_REFRESH_MS, so the
 * thumbnails are live and windows come and go; when the set of sources changes it refreshes the
 * app's list (onRefresh), which keeps the choice or falls back to the screen — and the picker
 * says so when the chosen window went away. On Linux Wayland (the system's dialog chooses) and
 * while the window is hidden it does not ask.
 */
import { useEffect, useRef, useState } from 'react'
import type { ReactNode } from 'react'
import type { CaptureSource } from '../../../shared/ipc'
import { api } from '../api'
import { useLatest } from '../lib/use-latest'
import { ScreenIcon, WindowIcon } from '../ui/icons'
import { LIVE_REFRESH_MS, sourcesChanged, vanishedNote } from './source-changes'

/**
 * The sources to show: main's latest answer while the picker refreshes itself, else the app's
 * list. Not while `paused` (recording) or when the system's dialog chooses.
 */
function useLiveSources(
  sources: readonly CaptureSource[] | null,
  selectedId: string | null,
  paused: boolean,
  onChanged: () => void
): { live: readonly CaptureSource[] | null; note: string | null; clearNote: () => void } {
  const [live, setLive] = useState<readonly CaptureSource[] | null>(null)
  const [note, setNote] = useState<string | null>(null)
  const latest = useLatest({ sources, selectedId, onChanged })
  const asked = useRef(false)
  // A new list from the app (Refresh, or after a change seen here) replaces ours.
  useEffect(() => {
    setLive(null)
    asked.current = false
  }, [sources])

  const systemPicker = sources?.some((s) => s.systemPicker) ?? false
  const active = sources !== null && !paused && !systemPicker
  useEffect(() => {
    if (!active) return
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const tick = (): void => {
      if (stopped) return
      if (document.hidden) {
        timer = setTimeout(tick, LIVE_REFRESH_MS)
        return
      }
      api
        .invoke('sources:list')
        .then((next) => {
          if (stopped) return
          const { sources: current, selectedId: chosen, onChanged: changed } = latest.current
          if (!current) return
          setLive(next)
          if (sourcesChanged(current, next) && !asked.current) {
            asked.current = true
            const gone = vanishedNote(current, next, chosen)
            if (gone) setNote(gone)
            changed()
          }
        })
        // A failed look keeps the last list; Refresh shows the problem.
        .catch(() => undefined)
        .finally(() => {
          if (!stopped) timer = setTimeout(tick, LIVE_REFRESH_MS)
        })
    }
    timer = setTimeout(tick, LIVE_REFRESH_MS)
    return () => {
      stopped = true
      clearTimeout(timer)
    }
  }, [active, latest])

  return { live: live ?? sources, note, clearNote: () => setNote(null) }
}

export interface SourcePickerProps {
  readonly sources: readonly CaptureSource[] | null
  readonly selectedId: string | null
  readonly onSelect: (source: CaptureSource) => void
  readonly onRefresh: () => void
  /** True while the list is being fetched. */
  readonly loading: boolean
  readonly disabled?: boolean
}

export function SourcePicker(props: SourcePickerProps): ReactNode {
  const { selectedId, onRefresh, loading, disabled } = props
  const {
    live: sources,
    note,
    clearNote
  } = useLiveSources(props.sources, selectedId, disabled ?? false, onRefresh)
  // Choosing again answers the note about a vanished window.
  const onSelect = (source: CaptureSource): void => {
    clearNote()
    props.onSelect(source)
  }
  const screens = sources?.filter((s) => s.kind === 'screen') ?? []
  const windows = sources?.filter((s) => s.kind === 'window') ?? []

  return (
    <section className="source-picker" aria-labelledby="source-picker-heading">
      <div className="section-head">
        <h2 id="source-picker-heading">What to record</h2>
        <button
          type="button"
          className="quiet-button"
          onClick={onRefresh}
          disabled={loading || disabled}
          aria-label="Refresh sources"
        >
          {loading ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      {note && (
        <p className="hint" role="status">
          {note}
        </p>
      )}
      {sources === null ? (
        <p className="muted">Looking for screens and windows…</p>
      ) : sources.length === 0 ? (
        <p className="muted">
          No screens or windows were found. Press Refresh; on macOS, allow Sidecast under System
          Settings › Privacy &amp; Security › Screen Recording.
        </p>
      ) : (
        <div role="radiogroup" aria-labelledby="source-picker-heading" className="source-groups">
          <SourceGroup
            title="Screens"
            sources={screens}
            selectedId={selectedId}
            onSelect={onSelect}
            disabled={disabled}
          />
          <SourceGroup
            title="Windows"
            sources={windows}
            selectedId={selectedId}
            onSelect={onSelect}
            disabled={disabled}
          />
        </div>
      )}
    </section>
  )
}

function SourceGroup({
  title,
  sources,
  selectedId,
  onSelect,
  disabled
}: {
  title: string
  sources: readonly CaptureSource[]
  selectedId: string | null
  onSelect: (source: CaptureSource) => void
  disabled?: boolean
}): ReactNode {
  if (sources.length === 0) return null
  return (
    <div className="source-group">
      <h3 className="group-title" aria-hidden="true">
        {title}
      </h3>
      <div className="source-grid">
        {sources.map((source) => {
          const id = `source-${source.id.replace(/[^A-Za-z0-9_-]/g, '_')}`
          const checked = source.id === selectedId
          return (
            <label
              key={source.id}
              className={checked ? 'source-card selected' : 'source-card'}
              htmlFor={id}
            >
              <input
                id={id}
                type="radio"
                name="capture-source"
                className="visually-hidden-radio"
                value={source.id}
                checked={checked}
                disabled={disabled}
                onChange={() => onSelect(source)}
              />
              <span className="source-thumb" aria-hidden="true">
                {source.thumbnailDataUrl ? (
                  <img src={source.thumbnailDataUrl} alt="" draggable={false} />
                ) : (
                  <span className="source-thumb-empty">
                    {source.kind === 'screen' ? <ScreenIcon /> : <WindowIcon />}
                  </span>
                )}
              </span>
              <span className="source-name">
                {source.appIconDataUrl && (
                  <img
                    className="source-app-icon"
                    src={source.appIconDataUrl}
                    alt=""
                    width={16}
                    height={16}
                    draggable={false}
                  />
                )}{' '}
                {source.name}
              </span>
            </label>
          )
        })}
      </div>
    </div>
  )
}
