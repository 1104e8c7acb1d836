/**
 * The editor: the recording with its callouts drawn over it, the transport, the drawing tools,
 * the style inspector and the timeline (trim, cut, callout timing). Edits are saved as the user
 * works; the recording itself is never touched.
 */
import { memo, useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react'
import type { CSSProperties, ReactNode } from 'react'
import type { AnnotationType, Edits } from '../../../shared/edits'
import type { ProjectSummary } from '../../../shared/project'
import { nextPlayableTime, toOutputTime, type TimeRange } from '../../../shared/timeline'
import { api } from '../api'
import { errorMessage } from '../recorder/capture-errors'
import { ModalDialog } from '../ui/modal-dialog'
import { useNotices } from '../ui/notices'
import { saveStatusText } from './autosave'
import {
  canRedo,
  canUndo,
  createEditorState,
  editorReducer,
  keptMs,
  toEdits,
  type EditorAction
} from './editor-state'
import {
  FrameBackGlyph,
  FrameForwardGlyph,
  PauseGlyph,
  PlayGlyph,
  RedoGlyph,
  ToolIcon,
  UndoGlyph
} from './editor-icons'
import { TOOLS } from './labels'
import { CalloutOverlay, DEFAULT_STYLE, StyleInspector, type StyleDefaults } from './overlay'
import type { AnnotationChange, AnnotationDraft, ChangePhase, Tool } from './overlay/types'
import { ShortcutsDialog } from './shortcuts-dialog'
import { ariaKeys, keyHint, type EditorCommand } from './shortcuts'
import { Timeline } from './timeline/timeline'
import { stepTime } from './timeline/timeline-geometry'
import { formatClock } from './time-format'
import { takeOverUnsaved, useAutosave } from './use-autosave'
import { useEditorKeys } from './use-editor-keys'
import { usePlayback } from './use-playback'
import { FlushContext } from './flush-edits'
import './editor.css'

export interface EditorViewProps {
  readonly project: ProjectSummary
  /** Back to the recordings list (called once the edits are saved, or the user chose to leave). */
  readonly onClose: () => void
  /** Shown at the right of the header (Export, Upload). */
  readonly actions?: ReactNode
}

type Loaded =
  | { readonly kind: 'loading' }
  | { readonly kind: 'failed'; readonly message: string }
  | {
      readonly kind: 'ready'
      readonly edits: Edits
      readonly durationMs: number
      /** Edits taken over from a closed editor that could not save them yet. */
      readonly unsaved: boolean
    }

/** Opens a recording in the editor: loads its edits, then shows the workspace. */
export function EditorView({ project, onClose, actions }: EditorViewProps): ReactNode {
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' })
  const mediaUrl = project.mediaUrl

  useEffect(() => {
    document.title = `${project.title} — Sidecast`
    return () => {
      document.title = 'Sidecast'
    }
  }, [project.title])

  useEffect(() => {
    if (!mediaUrl) {
      setLoaded({
        kind: 'failed',
        message:
          'This recording is still being recorded. Stop the recording first, then open it in the editor.'
      })
      return
    }
    let live = true
    const load = async (): Promise<void> => {
      const durationMs = project.durationMs ?? (await probeDurationMs(mediaUrl))
      if (!durationMs || durationMs <= 0) {
        throw new Error(
          'Sidecast could not read how long this recording is, so it cannot be edited. The recording file may be damaged; it is still in its folder.'
        )
      }
      const unsaved = takeOverUnsaved(project.id)
      const edits = unsaved ?? (await api.invoke('edits:get', project.id))
      if (live) setLoaded({ kind: 'ready', edits, durationMs, unsaved: unsaved !== null })
    }
    load().catch((error: unknown) => {
      if (live) setLoaded({ kind: 'failed', message: errorMessage(error) })
    })
    return () => {
      live = false
    }
  }, [project.id, project.durationMs, mediaUrl])

  if (loaded.kind !== 'ready' || !mediaUrl) {
    return (
      <div className="editor editor-message" role="region" aria-label="Editor">
        <header className="editor-header">
          {loaded.kind === 'loading' && <BackButton onClick={onClose} />}
          <h1 className="editor-title">{project.title}</h1>
        </header>
        <div className="editor-placeholder">
          {loaded.kind === 'failed' ? (
            <div className="editor-error" role="alert">
              <h2>The editor could not open this recording</h2>
              <p>{loaded.message}</p>
              <p className="muted">The recording itself is safe.</p>
              <button type="button" className="primary-button" onClick={onClose}>
                Back to recordings
              </button>
            </div>
          ) : (
            <p className="muted" role="status">
              Loading the editor…
            </p>
          )}
        </div>
      </div>
    )
  }

  return (
    <EditorWorkspace
      project={project}
      mediaUrl={mediaUrl}
      durationMs={loaded.durationMs}
      initialEdits={loaded.edits}
      startDirty={loaded.unsaved}
      onClose={onClose}
      actions={actions}
    />
  )
}

function BackButton({ onClick, disabled }: { onClick: () => void; disabled?: boolean }): ReactNode {
  return (
    <button
      type="button"
      className="quiet-button back-button"
      onClick={onClick}
      disabled={disabled}
    >
      <span aria-hidden="true">← </span>Back to recordings
    </button>
  )
}

interface WorkspaceProps {
  readonly project: ProjectSummary
  readonly mediaUrl: string
  readonly durationMs: number
  readonly initialEdits: Edits
  readonly startDirty: boolean
  readonly onClose: () => void
  readonly actions?: ReactNode
}

const isMac = /Mac|iPhone|iPad/.test(navigator.platform)

function EditorWorkspace(props: WorkspaceProps): ReactNode {
  const { project, mediaUrl, durationMs, onClose } = props
  const notices = useNotices()
  const [state, dispatch] = useReducer(editorReducer, null, () =>
    createEditorState(props.initialEdits, durationMs)
  )
  const videoRef = useRef<HTMLVideoElement>(null)
  const playback = usePlayback(videoRef, state.doc.keep, durationMs)
  const [tool, setTool] = useState<Tool>('select')
  const [defaults, setDefaults] = useState<StyleDefaults>(DEFAULT_STYLE)
  const [helpOpen, setHelpOpen] = useState(false)
  const [leaving, setLeaving] = useState<'idle' | 'saving' | 'failed'>('idle')
  const [videoError, setVideoError] = useState<string | null>(null)
  const [frame, setFrame] = useState({
    width: project.width ?? 0,
    height: project.height ?? 0
  })
  const autosave = useAutosave(project.id, state.revision, () => toEdits(state), props.startDirty)

  // A refused action (a cut that would remove everything) says why, once.
  useEffect(() => {
    if (state.problem === null) return
    notices.warning(state.problem)
    dispatch({ type: 'dismiss-problem' })
  }, [state.problem, notices])

  const { currentMs, seek } = playback
  // Stable callbacks, so the parts that do not show the playhead skip re-rendering while it moves.
  const on = useMemo(
    () => ({
      select: (ids: readonly string[]) => dispatch({ type: 'select', ids }),
      change: (changes: readonly AnnotationChange[], phase: ChangePhase) =>
        dispatch({ type: 'change', changes, phase }),
      range: (startMs: number, endMs: number) => dispatch({ type: 'set-range', startMs, endMs }),
      clearRange: () => dispatch({ type: 'clear-range' }),
      cut: () => dispatch({ type: 'cut' }),
      trim: (edge: 'in' | 'out', atMs: number, phase: ChangePhase) =>
        dispatch({ type: 'trim', edge, atMs, phase }),
      restore: (range: TimeRange) => dispatch({ type: 'restore', range }),
      cancelGesture: () => dispatch({ type: 'cancel-gesture' }),
      delete: (ids: readonly string[]) => dispatch({ type: 'delete', ids }),
      toolDone: () => setTool('select'),
      reveal: (startMs: number, endMs: number) => {
        const at = (videoRef.current?.currentTime ?? 0) * 1000
        if (at < startMs || at >= endMs) seek(startMs)
      }
    }),
    [seek]
  )
  const keep = state.doc.keep
  const inMs = keep[0]?.[0] ?? 0
  const outMs = keep[keep.length - 1]?.[1] ?? durationMs
  const kept = keptMs(state)

  const createAnnotation = useCallback(
    (draft: AnnotationDraft): string => {
      const id = newId()
      const byType = defaults as unknown as Partial<
        Record<AnnotationType, Readonly<Record<string, unknown>>>
      >
      dispatch({ type: 'create', draft, id, atMs: currentMs, style: byType[draft.type] })
      return id
    },
    [defaults, currentMs]
  )

  const leave = async (): Promise<void> => {
    if (leaving === 'saving') return
    playback.pause()
    setLeaving('saving')
    const saved = await autosave.flush()
    if (saved) onClose()
    else setLeaving('failed')
  }

  const step = (direction: -1 | 1, big: boolean): void => {
    playback.pause()
    const from = videoRef.current ? videoRef.current.currentTime * 1000 : currentMs
    seek(stepTime(from, direction, big, durationMs))
  }

  const act = (action: EditorAction): boolean => {
    dispatch(action)
    return true
  }

  const run = (command: EditorCommand): boolean => {
    if (command.startsWith('tool:')) {
      setTool(command.slice(5) as Tool)
      return true
    }
    switch (command) {
      case 'play-toggle':
        playback.toggle()
        return true
      case 'frame-back':
        step(-1, false)
        return true
      case 'frame-forward':
        step(1, false)
        return true
      case 'second-back':
        step(-1, true)
        return true
      case 'second-forward':
        step(1, true)
        return true
      case 'go-start':
        seek(inMs)
        return true
      case 'go-end':
        seek(outMs)
        return true
      case 'trim-in':
        return act({ type: 'trim', edge: 'in', atMs: currentMs, phase: 'commit' })
      case 'trim-out':
        return act({ type: 'trim', edge: 'out', atMs: currentMs, phase: 'commit' })
      case 'mark-in':
        return act({ type: 'mark', edge: 'in', atMs: currentMs })
      case 'mark-out':
        return act({ type: 'mark', edge: 'out', atMs: currentMs })
      case 'cut':
        return act({ type: 'cut' })
      case 'delete':
        return state.selectedIds.length > 0 && act({ type: 'delete' })
      case 'duplicate':
        // Also keeps Ctrl+D from bookmarking the page.
        if (state.selectedIds.length > 0) {
          dispatch({ type: 'duplicate', ids: state.selectedIds.map(() => newId()) })
        }
        return true
      case 'copy':
        return state.selectedIds.length > 0 && act({ type: 'copy' })
      case 'paste':
        return (
          state.clipboard.length > 0 &&
          act({ type: 'paste', atMs: currentMs, ids: state.clipboard.map(() => newId()) })
        )
      case 'undo':
        return act({ type: 'undo' })
      case 'redo':
        return act({ type: 'redo' })
      case 'help':
        setHelpOpen(true)
        return true
      case 'escape':
        if (state.selectedIds.length > 0) return act({ type: 'select', ids: [] })
        if (state.marks.in !== null || state.marks.out !== null) return act({ type: 'clear-range' })
        if (tool !== 'select') {
          setTool('select')
          return true
        }
        return false
    }
    return false
  }
  useEditorKeys(run, leaving !== 'failed')

  const outputMs = toOutputTime(currentMs, keep)
  const inCut = outputMs === null
  const shownOutputMs =
    outputMs ?? toOutputTime(nextPlayableTime(currentMs, keep) ?? outMs, keep) ?? kept
  const aspect = frame.width > 0 && frame.height > 0 ? frame.width / frame.height : 16 / 9
  const stageStyle: CSSProperties = {
    aspectRatio: `${frame.width || 16} / ${frame.height || 9}`,
    width: `min(100cqw, calc(100cqh * ${aspect}))`
  }
  const { annotations } = state.doc
  const { selectedIds } = state
  const selected = useMemo(
    () => annotations.filter((a) => selectedIds.includes(a.id)),
    [annotations, selectedIds]
  )

  return (
    <div className="editor" role="region" aria-label="Editor">
      <header className="editor-header">
        <BackButton onClick={() => void leave()} disabled={leaving === 'saving'} />
        <h1 className="editor-title" title={project.title}>
          {project.title}
        </h1>
        <span
          className={`save-status save-${autosave.status.kind}`}
          role="status"
          data-testid="save-status"
          title={saveStatusText(autosave.status)}
        >
          {saveStatusText(autosave.status)}
        </span>
        <span className="spacer" />
        <button
          type="button"
          className="quiet-button"
          onClick={() => setHelpOpen(true)}
          aria-keyshortcuts="?"
        >
          Keyboard shortcuts
        </button>
        {props.actions && (
          <FlushContext.Provider value={autosave.flush}>
            <div className="editor-actions">{props.actions}</div>
          </FlushContext.Provider>
        )}
      </header>

      <div className="editor-body">
        <div className="editor-main">
          <div className="editor-toolbar" role="toolbar" aria-label="Editing tools">
            <div className="tool-group" role="group" aria-label="Tools">
              {TOOLS.map(({ tool: t, name }) => (
                <button
                  key={t}
                  type="button"
                  className={tool === t ? 'tool-button active' : 'tool-button'}
                  aria-label={name}
                  aria-pressed={tool === t}
                  aria-keyshortcuts={ariaKeys(`tool:${t}`, isMac)}
                  title={`${name} (${keyHint(`tool:${t}`, isMac)})`}
                  onClick={() => setTool(t)}
                >
                  <ToolIcon tool={t} />
                </button>
              ))}
            </div>
            <span className="toolbar-divider" aria-hidden="true" />
            <button
              type="button"
              className="tool-button labelled"
              onClick={() => dispatch({ type: 'undo' })}
              disabled={!canUndo(state)}
              aria-keyshortcuts={ariaKeys('undo', isMac)}
              title={`Undo (${keyHint('undo', isMac)})`}
            >
              <UndoGlyph />
              Undo
            </button>
            <button
              type="button"
              className="tool-button labelled"
              onClick={() => dispatch({ type: 'redo' })}
              disabled={!canRedo(state)}
              aria-keyshortcuts={ariaKeys('redo', isMac)}
              title={`Redo (${keyHint('redo', isMac)})`}
            >
              <RedoGlyph />
              Redo
            </button>
            <span className="toolbar-divider" aria-hidden="true" />
            <button
              type="button"
              className="tool-button labelled"
              onClick={() =>
                dispatch({ type: 'duplicate', ids: state.selectedIds.map(() => newId()) })
              }
              disabled={selected.length === 0}
              aria-keyshortcuts={ariaKeys('duplicate', isMac)}
              title={`Duplicate (${keyHint('duplicate', isMac)})`}
            >
              Duplicate
            </button>
            <button
              type="button"
              className="tool-button labelled"
              onClick={() => dispatch({ type: 'delete' })}
              disabled={selected.length === 0}
              aria-keyshortcuts="Delete Backspace"
              title="Delete (Delete)"
            >
              Delete
            </button>
          </div>

          <div className="stage-area">
            <div className="stage" data-testid="editor-stage" style={stageStyle}>
              <video
                ref={videoRef}
                className="stage-video"
                src={mediaUrl}
                preload="auto"
                playsInline
                onLoadedMetadata={(event) => {
                  const v = event.currentTarget
                  if (v.videoWidth > 0 && (frame.width === 0 || frame.height === 0)) {
                    setFrame({ width: v.videoWidth, height: v.videoHeight })
                  }
                }}
                onError={() =>
                  setVideoError(
                    'The recording could not be played here. It is still in its folder; try “Show in folder” from the recordings list.'
                  )
                }
              />
              <CalloutOverlay
                annotations={state.doc.annotations}
                currentMs={currentMs}
                frame={{ width: frame.width || 1920, height: frame.height || 1080 }}
                tool={tool}
                selectedIds={state.selectedIds}
                onSelect={on.select}
                onCreate={createAnnotation}
                onChange={on.change}
                onToolDone={on.toolDone}
                onCancelGesture={on.cancelGesture}
              />
              {videoError && (
                <p className="stage-error" role="alert">
                  {videoError}
                </p>
              )}
            </div>
          </div>

          <div className="transport" role="group" aria-label="Playback">
            <button
              type="button"
              className="play-button"
              onClick={playback.toggle}
              aria-label={playback.playing ? 'Pause' : 'Play'}
              aria-keyshortcuts="Space"
              title={`${playback.playing ? 'Pause' : 'Play'} (Space)`}
            >
              {playback.playing ? <PauseGlyph /> : <PlayGlyph />}
            </button>
            <button
              type="button"
              className="icon-button step-button"
              onClick={() => step(-1, false)}
              aria-label="Back one frame"
              aria-keyshortcuts="ArrowLeft"
              title="Back one frame (←; Shift+← one second)"
            >
              <FrameBackGlyph />
            </button>
            <button
              type="button"
              className="icon-button step-button"
              onClick={() => step(1, false)}
              aria-label="Forward one frame"
              aria-keyshortcuts="ArrowRight"
              title="Forward one frame (→; Shift+→ one second)"
            >
              <FrameForwardGlyph />
            </button>
            <span className="time-display">
              <span className="visually-hidden">Position in the video: </span>
              <span data-testid="current-time">{formatClock(shownOutputMs)}</span>
              <span className="muted" aria-hidden="true">
                {' / '}
              </span>
              <span className="visually-hidden">, length after cuts: </span>
              <span>{formatClock(kept)}</span>
            </span>
            {inCut && <span className="badge badge-cut">In a cut part — not in the video</span>}
            <span className="spacer" />
            <span className="muted recording-clock" title="The playhead on the recording's clock">
              Recording {formatClock(currentMs)}
            </span>
          </div>
        </div>

        <aside className="editor-inspector" aria-label="Style">
          <MemoInspector
            selected={selected}
            onChange={on.change}
            defaults={defaults}
            onDefaultsChange={setDefaults}
            defaultsFor={tool === 'select' ? undefined : tool}
          />
        </aside>
      </div>

      <Timeline
        durationMs={durationMs}
        keep={keep}
        keptMs={kept}
        currentMs={currentMs}
        marks={state.marks}
        annotations={state.doc.annotations}
        selectedIds={state.selectedIds}
        mediaUrl={mediaUrl}
        frameAspect={aspect}
        onSeek={seek}
        onRange={on.range}
        onClearRange={on.clearRange}
        onCut={on.cut}
        onTrim={on.trim}
        onRestore={on.restore}
        onSelect={on.select}
        onChange={on.change}
        onCancelGesture={on.cancelGesture}
        onDelete={on.delete}
        onReveal={on.reveal}
      />

      {helpOpen && <ShortcutsDialog mac={isMac} onClose={() => setHelpOpen(false)} />}
      {leaving === 'failed' && (
        <UnsavedDialog
          reason={
            autosave.status.kind === 'failed' ? autosave.status.reason : 'the save did not finish'
          }
          onStay={() => setLeaving('idle')}
          onLeave={onClose}
        />
      )}
    </div>
  )
}

/** The inspector re-renders only when the selection or the defaults change, not every frame. */
const MemoInspector = memo(StyleInspector)

function UnsavedDialog(props: {
  reason: string
  onStay: () => void
  onLeave: () => void
}): ReactNode {
  return (
    <ModalDialog
      labelledBy="unsaved-title"
      describedBy="unsaved-text"
      onClose={props.onStay}
      initialFocus=".primary-button"
    >
      <h2 id="unsaved-title">Your latest edits are not saved yet</h2>
      <p id="unsaved-text">
        Saving did not work: {props.reason.replace(/[.\s]+$/, '')}. Sidecast keeps trying in the
        background. You can stay until it works, or leave now and let it keep trying.
      </p>
      <div className="dialog-actions">
        <button type="button" className="secondary-button" onClick={props.onLeave}>
          Leave anyway
        </button>
        <button type="button" className="primary-button" onClick={props.onStay}>
          Keep editing
        </button>
      </div>
    </ModalDialog>
  )
}

/** A new annotation id. */
function newId(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') {
    return crypto.randomUUID()
  }
  return `a${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`
}

/** The recording's duration read from the media itself (when recording.json has none). */
function probeDurationMs(url: string): Promise<number | null> {
  return new Promise((resolve) => {
    const video = document.createElement('video')
    video.preload = 'metadata'
    const done = (value: number | null): void => {
      clearTimeout(timer)
      video.removeAttribute('src')
      video.load()
      resolve(value)
    }
    const timer = setTimeout(() => done(null), 15_000)
    video.onloadedmetadata = () =>
      done(Number.isFinite(video.duration) ? Math.round(video.duration * 1000) : null)
    video.onerror = () => done(null)
    video.src = url
  })
}
