/**
 * Screens and windows as cards in one radio group: arrow keys move between them, each card is
 * named by its source's name.
 */
import type { ReactNode } from 'react'
import type { CaptureSource } from '../../../shared/ipc'
import { ScreenIcon, WindowIcon } from '../ui/icons'

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
  const { sources, selectedId, onSelect, onRefresh, loading, disabled } = props
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
              <span className="source-name">{source.name}</span>
            </label>
          )
        })}
      </div>
    </div>
  )
}
