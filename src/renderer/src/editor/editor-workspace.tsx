/**
 * The editor at work on one recording: the header, the tools, the video with its callouts drawn
 * over it, the transport, the style inspector and the timeline, around one reducer of the edits
 * (editor-state.ts) that is saved as the user works.
 */
import { memo, useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react'
import type { CSSProperties, ReactNode } from 'react'
import {
  bubbleHiddenAt,
  bubbleShownRanges,
  effectiveBubble,
  hideBubbleFrom,
  showBubbleFrom
} from '../../../shared/bubble'
import type { AnnotationType, Bubble, Edits } from '../../../shared/edits'
import type { ProjectSummary } from '../../../shared/project'
import { nextPlayableTime, toOutputTime, type TimeRange } from '../../../shared/timeline'
import { useNotices } from '../ui/notices'
import { newAnnotationId } from './annotation-id'
import { commandResult, type CommandResult } from './editor-commands'
import { EditorHeader } from './editor-header'
import { canRedo, canUndo, createEditorState, editorReducer, keptMs, toEdits } from './editor-state'
import { EditorToolbar } from './editor-toolbar'
import { newerCalloutsNotice } from './newer-callouts'
import { CalloutOverlay, DEFAULT_STYLE, StyleInspector, type StyleDefaults } from './overlay'
import { BubbleInspector } from './overlay/bubble-inspector'
import { cameraTimeAt } from './overlay/bubble-model'
import { BubbleOverlay } from './overlay/bubble-overlay'
import type { AnnotationChange, AnnotationDraft, ChangePhase, Tool } from './overlay/types'
import { ShortcutsDialog } from './shortcuts-dialog'
import type { EditorCommand } from './shortcuts'
import { Timeline } from './timeline/timeline'
import { stepTime } from './timeline/timeline-geometry'
import { Transport } from './transport'
import { UnsavedDialog } from './unsaved-dialog'
import { useAutosave } from './use-autosave'
import { useEditorKeys } from './use-editor-keys'
import { usePlayback } from './use-playback'

export interface EditorWorkspaceProps {
  readonly project: ProjectSummary
  readonly mediaUrl: string
  readonly durationMs: number
  readonly initialEdits: Edits
  /** The edits were taken over unsaved from a closed editor: save them. */
  readonly startDirty: boolean
  readonly onClose: () => void
  readonly actions?: ReactNode
}

const isMac = /Mac|iPhone|iPad/.test(navigator.platform)

export function EditorWorkspace(props: EditorWorkspaceProps): ReactNode {
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
  // Callouts a newer Sidecast made: kept and saved back, but not shown; say so, once loaded.
  const newerCallouts = useMemo(
    () => newerCalloutsNotice(props.initialEdits.unknownAnnotations),
    [props.initialEdits]
  )
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
      discard: (id: string) => dispatch({ type: 'discard-new', id }),
      selectBubble: () => dispatch({ type: 'select-bubble' }),
      bubble: (bubble: Bubble, phase: ChangePhase) => dispatch({ type: 'bubble', bubble, phase }),
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
      const id = newAnnotationId()
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

  const perform = (result: CommandResult): void => {
    switch (result.type) {
      case 'dispatch':
        return dispatch(result.action)
      case 'set-tool':
        return setTool(result.tool)
      case 'toggle-play':
        return playback.toggle()
      case 'step':
        return step(result.direction, result.big)
      case 'seek':
        return seek(result.atMs)
      case 'open-help':
        return setHelpOpen(true)
      case 'none':
        return
    }
  }

  /** Runs a shortcut's or a button's command; false when it did nothing. */
  const run = (command: EditorCommand): boolean => {
    const result = commandResult(command, {
      state,
      tool,
      currentMs,
      inMs,
      outMs,
      newId: newAnnotationId
    })
    if (!result) return false
    perform(result)
    return true
  }
  useEditorKeys(run, leaving !== 'failed')

  const outputMs = toOutputTime(currentMs, keep)
  const shownOutputMs =
    outputMs ?? toOutputTime(nextPlayableTime(currentMs, keep) ?? outMs, keep) ?? kept
  const aspect = frame.width > 0 && frame.height > 0 ? frame.width / frame.height : 16 / 9
  const stageStyle: CSSProperties = {
    aspectRatio: `${frame.width || 16} / ${frame.height || 9}`,
    width: `min(100cqw, calc(100cqh * ${aspect}))`
  }
  const { annotations } = state.doc
  const { selectedIds } = state
  // The camera bubble, for a recording with a camera: as placed, or where it starts.
  const camera = project.camera ?? null
  const overlayFrame = useMemo(
    () => ({ width: frame.width || 1920, height: frame.height || 1080 }),
    [frame.width, frame.height]
  )
  const offRanges = camera?.offRanges
  const bubble = useMemo(
    () => effectiveBubble(state.doc.bubble, overlayFrame, offRanges ? { offRanges } : undefined),
    [state.doc.bubble, overlayFrame, offRanges]
  )
  const bubbleSelected = camera !== null && state.bubbleSelected
  const cameraOffset = camera?.offsetMs
  const cameraLength = camera?.durationMs
  const bubbleLane = useMemo(() => {
    if (cameraOffset === undefined) return undefined
    const timing = { offsetMs: cameraOffset, durationMs: cameraLength ?? undefined }
    const from = Math.max(0, cameraOffset)
    const to = Math.min(durationMs, cameraOffset + (cameraLength ?? 0))
    return {
      cameraRange: to > from ? ([from, to] as const) : null,
      shown: bubbleShownRanges(bubble, timing, durationMs)
    }
  }, [bubble, cameraOffset, cameraLength, durationMs])
  const selected = useMemo(
    () => annotations.filter((a) => selectedIds.includes(a.id)),
    [annotations, selectedIds]
  )

  return (
    <div className="editor" role="region" aria-label="Editor">
      <EditorHeader
        title={project.title}
        saveStatus={autosave.status}
        onBack={() => void leave()}
        leaving={leaving === 'saving'}
        onShowShortcuts={() => setHelpOpen(true)}
        actions={props.actions}
        flush={autosave.flush}
      />
      {newerCallouts && (
        <p className="editor-notice" role="status">
          {newerCallouts}
        </p>
      )}

      <div className="editor-body">
        <div className="editor-main">
          <EditorToolbar
            tool={tool}
            canUndo={canUndo(state)}
            canRedo={canRedo(state)}
            hasSelection={selected.length > 0}
            run={run}
            mac={isMac}
          />

          <div className="stage-area">
            <div
              className="stage"
              data-testid="editor-stage"
              style={stageStyle}
              onPointerDownCapture={(event) => {
                // A press anywhere else on the video lets go of the bubble.
                const onBubble =
                  event.target instanceof Element && event.target.closest('.bubble-overlay')
                if (state.bubbleSelected && !onBubble) dispatch({ type: 'select', ids: [] })
              }}
            >
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
                frame={overlayFrame}
                tool={tool}
                selectedIds={state.selectedIds}
                onSelect={on.select}
                onCreate={createAnnotation}
                onChange={on.change}
                onToolDone={on.toolDone}
                onCancelGesture={on.cancelGesture}
                onDiscard={on.discard}
                underlay={
                  camera
                    ? (hitsAnnotation) => (
                        <BubbleOverlay
                          camera={camera}
                          bubble={bubble}
                          frame={overlayFrame}
                          currentMs={currentMs}
                          playing={playback.playing}
                          tool={tool}
                          selected={bubbleSelected}
                          onSelect={on.selectBubble}
                          onChange={on.bubble}
                          onCancelGesture={on.cancelGesture}
                          yieldTo={hitsAnnotation}
                        />
                      )
                    : undefined
                }
              />
              {videoError && (
                <p className="stage-error" role="alert">
                  {videoError}
                </p>
              )}
            </div>
          </div>

          <Transport
            playing={playback.playing}
            onToggle={playback.toggle}
            onStep={(direction) => step(direction, false)}
            outputMs={shownOutputMs}
            keptMs={kept}
            inCut={outputMs === null}
          />
        </div>

        <aside className="editor-inspector" aria-label="Style">
          {bubbleSelected && camera ? (
            <BubbleInspector
              shape={bubble.shape}
              hiddenNow={bubbleHiddenAt(bubble, Math.round(currentMs))}
              cameraHere={cameraTimeAt(camera, currentMs) !== null}
              onShape={(shape) => on.bubble({ ...bubble, shape }, 'commit')}
              onHideFromHere={() =>
                on.bubble(hideBubbleFrom(bubble, currentMs, durationMs), 'commit')
              }
              onShowFromHere={() => on.bubble(showBubbleFrom(bubble, currentMs), 'commit')}
            />
          ) : (
            <MemoInspector
              selected={selected}
              onChange={on.change}
              defaults={defaults}
              onDefaultsChange={setDefaults}
              defaultsFor={tool === 'select' ? undefined : tool}
            />
          )}
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
        bubble={
          bubbleLane && {
            ...bubbleLane,
            selected: bubbleSelected,
            onSelect: on.selectBubble
          }
        }
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
