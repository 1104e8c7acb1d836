/**
 * Export a recording to an MP4: pick a size and quality (defaults from Settings), watch the
 * progress, cancel, and show the file when done. Closing while it runs leaves the export running
 * in the background (the card shows it, a notice tells when it ends) — it is never lost silently.
 */
import { useEffect, useRef, useState } from 'react'
import type { FormEvent, ReactNode } from 'react'
import type { ExportPresetRequest } from '../../../shared/ipc'
import type { ProjectSummary } from '../../../shared/project'
import { api } from '../api'
import { fileName, formatPercent, formatResolution } from '../format'
import { UNSAVED_EDITS, useFlushEdits } from '../editor/flush-edits'
import { errorMessage } from '../lib/error-message'
import { ChoiceGroup } from '../ui/choice-group'
import { ErrorText } from '../ui/field'
import { DialogActions, ModalDialog, type DialogActionItem } from '../ui/modal-dialog'
import { useNotices } from '../ui/notices'
import { ProgressBar } from '../ui/progress-bar'
import { EXPORT_STARTING, exportEndWords, runningExportOf } from './exports-model'
import { renderWords } from './render-words'
import { isStarting, progressValueText, timeLeftWords } from '../share/progress-words'
import { EXPORT_QUALITY_CHOICES, EXPORT_SIZE_CHOICES, sizeChoiceHint } from './export-choices'
import type { ExportQuality, ExportSize } from './export-choices'
import { uploadsStore } from '../share/use-uploads'
import { exportsStore, useExport } from './use-exports'
import './export.css'

export interface ExportDialogProps {
  readonly project: ProjectSummary
  readonly onClose: () => void
}

export function ExportDialog({ project, onClose }: ExportDialogProps): ReactNode {
  const notices = useNotices()
  // Reopened while this recording's export runs: follow that one instead of offering a new one.
  const [exportId, setExportId] = useState<string | null>(
    () => runningExportOf(exportsStore.getSnapshot(), project.id)?.event.exportId ?? null
  )
  const entry = useExport(exportId)
  const [size, setSize] = useState<ExportSize>('source')
  const [quality, setQuality] = useState<ExportQuality>('standard')
  const chosen = useRef(false)
  const [starting, setStarting] = useState(false)
  const [cancelling, setCancelling] = useState(false)
  const [problem, setProblem] = useState<string | null>(null)
  const body = useRef<HTMLDivElement>(null)
  const flushEdits = useFlushEdits()

  // The defaults come from Settings, unless the user already picked something.
  useEffect(() => {
    let live = true
    api
      .invoke('settings:get')
      .then((settings) => {
        if (!live || chosen.current) return
        setSize(settings.exportSize)
        setQuality(settings.exportQuality)
      })
      .catch(() => undefined) // The built-in defaults are fine; Settings shows its own errors.
    return () => {
      live = false
    }
  }, [])

  const state = entry?.event.state ?? (exportId ? 'running' : null)
  const running = state === 'running'
  const howRendered = state === 'done' ? renderWords(entry?.event.render) : null

  // While the dialog shows a running export it is not "in the background"; when the dialog goes
  // away for any reason (closed, the view changed) the export carries on and is announced later.
  useEffect(() => {
    if (!exportId) return
    exportsStore.setBackground(exportId, false)
    return () => exportsStore.setBackground(exportId, true)
  }, [exportId])

  const start = async (preset: ExportPresetRequest): Promise<void> => {
    setStarting(true)
    setProblem(null)
    setCancelling(false)
    try {
      if (!(await flushEdits())) {
        setProblem(UNSAVED_EDITS)
        return
      }
      // While this recording's upload is exporting, main's "busy" is about that export: say so
      // rather than take it up (cancelling it here would fail the upload).
      const uploading = uploadsStore.getSnapshot().byProject.get(project.id)?.state === 'exporting'
      setExportId(await exportsStore.start(project, preset, !uploading))
    } catch (failure) {
      setProblem(errorMessage(failure))
    } finally {
      setStarting(false)
    }
  }

  const submit = (event: FormEvent): void => {
    event.preventDefault()
    void start({ size, quality })
  }

  const cancel = (): void => {
    if (!exportId) return
    setCancelling(true)
    api.invoke('export:cancel', exportId).catch((failure: unknown) => {
      setCancelling(false)
      setProblem(errorMessage(failure))
    })
  }

  const reveal = (): void => {
    if (!exportId) return
    api.invoke('export:reveal', exportId).catch((failure: unknown) => {
      setProblem(errorMessage(failure))
    })
  }

  const close = (): void => {
    if (exportId && running) {
      exportsStore.setBackground(exportId, true)
      notices.info(
        `The export of “${project.title}” continues in the background. You will be told when it is done.`
      )
    }
    onClose()
  }

  const again = (): void => {
    setExportId(null)
    setProblem(null)
  }

  // The button that had focus goes away when the view changes: move focus to the next step.
  const view = exportId === null ? 'choose' : (state ?? 'running')
  const firstView = useRef(true)
  useEffect(() => {
    if (firstView.current) {
      firstView.current = false
      return
    }
    const target =
      view === 'choose'
        ? body.current?.querySelector<HTMLElement>('input:checked')
        : body.current?.querySelector<HTMLElement>('.primary-button')
    target?.focus()
  }, [view])

  /** The footer while following an export: what can be done in its state. */
  const runActions = (): DialogActionItem[] => {
    switch (state) {
      case 'running':
        return [
          { label: 'Cancel export', kind: 'secondary', onClick: cancel, disabled: cancelling },
          { label: 'Continue in background', kind: 'primary', onClick: close }
        ]
      case 'done':
        return [
          { label: 'Show in folder', kind: 'secondary', onClick: reveal },
          { label: 'Close', kind: 'primary', onClick: close }
        ]
      case 'failed':
        return [
          { label: 'Close', kind: 'secondary', onClick: close },
          {
            label: starting ? 'Starting…' : 'Try again',
            kind: 'primary',
            onClick: () => void start({ size, quality }),
            disabled: starting
          }
        ]
      case 'cancelled':
        return [
          { label: 'Close', kind: 'secondary', onClick: close },
          { label: 'Export again', kind: 'primary', onClick: again }
        ]
      default:
        return []
    }
  }

  const event = entry?.event
  const sourceSize = formatResolution(project.width, project.height)

  return (
    <ModalDialog
      title={<>Export “{project.title}”</>}
      onClose={close}
      className="export-dialog"
      // The chosen size when choosing; the safe next step (never Cancel) when following one.
      initialFocus="input:checked, .primary-button"
    >
      <div ref={body}>
        {exportId === null ? (
          <form onSubmit={submit} noValidate>
            <ChoiceGroup
              legend="Size"
              choices={EXPORT_SIZE_CHOICES.map((choice) => ({
                ...choice,
                hint: sizeChoiceHint(choice.value, project.height, sourceSize)
              }))}
              value={size}
              onChange={(value) => {
                chosen.current = true
                setSize(value)
              }}
            />

            <ChoiceGroup
              legend="Quality"
              choices={EXPORT_QUALITY_CHOICES}
              value={quality}
              onChange={(value) => {
                chosen.current = true
                setQuality(value)
              }}
            />

            <ErrorText message={problem} />

            <DialogActions
              actions={[
                { label: 'Cancel', kind: 'secondary', onClick: close, disabled: starting },
                {
                  label: starting ? 'Starting…' : 'Export',
                  kind: 'primary',
                  submit: true,
                  disabled: starting
                }
              ]}
            />
          </form>
        ) : (
          <div className="export-run">
            {running && (
              <>
                <ProgressBar
                  fraction={event?.fraction ?? 0}
                  label={`Export of “${project.title}”`}
                  indeterminate={isStarting(event?.fraction ?? 0)}
                  valueText={progressValueText(
                    event?.fraction ?? 0,
                    event?.etaMs ?? null,
                    EXPORT_STARTING
                  )}
                />
                <p className="export-numbers">
                  <span className="export-percent">
                    {isStarting(event?.fraction ?? 0)
                      ? EXPORT_STARTING
                      : formatPercent(event?.fraction ?? 0)}
                  </span>
                  <span className="muted">
                    {cancelling ? 'Cancelling…' : timeLeftWords(event?.etaMs ?? null)}
                  </span>
                </p>
                {event && <p className="hint export-file">Writing {fileName(event.outFile)}</p>}
              </>
            )}

            {event && !running && (
              <p
                className={state === 'failed' ? 'field-error' : 'export-result'}
                role={state === 'failed' ? 'alert' : 'status'}
              >
                {exportEndWords(event)}
                {howRendered && <span className="export-render">{howRendered}</span>}
                {state === 'done' && event.warning && (
                  <span className="export-warning">{event.warning}</span>
                )}
              </p>
            )}

            <ErrorText message={problem} />

            {/* Keyed by state: the buttons of one state are never reused for another's. */}
            <DialogActions key={state ?? 'none'} actions={runActions()} />
          </div>
        )}
      </div>
    </ModalDialog>
  )
}
