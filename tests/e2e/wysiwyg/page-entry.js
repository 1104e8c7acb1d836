/* global document, window, requestAnimationFrame */
/**
 * A test page for the real CalloutOverlay (and StyleInspector) in Chromium, bundled by esbuild
 * (see page.ts). It plays the editor's part of the contract in types.ts: keeps the annotations,
 * the selection and the tool, applies previews and commits, gives drafts an id, a time range and
 * the default style, and records every call so tests can check them. With `config.bubble` it
 * also shows the camera bubble (the real BubbleOverlay, under the callouts as in the editor) and
 * keeps its placement and selection as the editor does.
 *
 * Plain JavaScript with createElement: tests/ is type-checked for Node, without the DOM or JSX.
 */
import { createElement as h, useEffect, useState } from 'react'
import { createRoot } from 'react-dom/client'
import {
  CalloutOverlay,
  DEFAULT_STYLE,
  StyleInspector
} from '../../../src/renderer/src/editor/overlay/index.ts'
import { BubbleOverlay } from '../../../src/renderer/src/editor/overlay/bubble-overlay.tsx'
import { effectiveBubble } from '../../../src/shared/bubble.ts'

const calls = []
let nextId = 1
let state = null
let setToolFromOutside = null
/** The annotations before the current gesture's first preview, or null between gestures. */
let beforeGesture = null

function applyChanges(list, changes) {
  const byId = new Map(changes.map((c) => [c.id, c.patch]))
  return list.map((a) => (byId.has(a.id) ? { ...a, ...byId.get(a.id) } : a))
}

function Stage(props) {
  const { config } = props
  const [annotations, setAnnotations] = useState(config.annotations)
  const [selectedIds, setSelectedIds] = useState([])
  const [tool, setTool] = useState(config.tool ?? 'select')
  const [defaults, setDefaults] = useState(DEFAULT_STYLE)
  const camera = config.bubble?.camera ?? null
  const [bubble, setBubble] = useState(config.bubble?.bubble)
  const [bubbleSelected, setBubbleSelected] = useState(false)
  const [bubbleBefore, setBubbleBefore] = useState(null)
  setToolFromOutside = setTool

  useEffect(() => {
    state = { annotations, selectedIds, tool, defaults, bubble: bubble ?? null, bubbleSelected }
  })

  const shownBubble = camera ? effectiveBubble(bubble, config.frame, camera) : null
  const underlay = camera
    ? (hitsAnnotation) =>
        h(BubbleOverlay, {
          camera,
          bubble: shownBubble,
          frame: config.frame,
          currentMs: config.currentMs,
          playing: false,
          tool,
          selected: bubbleSelected,
          onSelect: () => {
            calls.push({ call: 'selectBubble' })
            setSelectedIds([])
            setBubbleSelected(true)
          },
          onChange: (next, phase) => {
            calls.push({ call: 'bubble', phase, bubble: next })
            if (phase === 'preview' && bubbleBefore === null) setBubbleBefore({ bubble })
            if (phase === 'commit') setBubbleBefore(null)
            setBubble(next)
          },
          onCancelGesture: () => {
            calls.push({ call: 'cancelGesture' })
            if (bubbleBefore) setBubble(bubbleBefore.bubble)
            setBubbleBefore(null)
          },
          yieldTo: hitsAnnotation
        })
    : undefined

  const overlay = h(CalloutOverlay, {
    annotations,
    currentMs: config.currentMs,
    frame: config.frame,
    tool,
    selectedIds,
    onSelect: (ids) => {
      calls.push({ call: 'select', ids: [...ids] })
      setSelectedIds([...ids])
      setBubbleSelected(false)
    },
    onCreate: (draft) => {
      const id = `new${nextId++}`
      calls.push({ call: 'create', draft })
      const created = {
        ...defaults[draft.type],
        ...draft,
        id,
        startMs: config.currentMs,
        endMs: config.currentMs + 3000
      }
      setAnnotations((list) => [...list, created])
      return id
    },
    onChange: (changes, phase) => {
      calls.push({ call: 'change', phase, changes })
      // As the editor does: the state before a gesture's first preview is what a cancel restores.
      if (phase === 'preview' && !beforeGesture) beforeGesture = annotations
      if (phase === 'commit') beforeGesture = null
      setAnnotations((list) => applyChanges(list, changes))
    },
    onToolDone: () => {
      calls.push({ call: 'toolDone' })
      setTool('select')
    },
    onDiscard: (id) => {
      calls.push({ call: 'discard', id })
      setAnnotations((list) => list.filter((a) => a.id !== id))
      setSelectedIds((ids) => ids.filter((s) => s !== id))
    },
    onCancelGesture: () => {
      calls.push({ call: 'cancelGesture' })
      if (beforeGesture) setAnnotations(beforeGesture)
      beforeGesture = null
    },
    underlay
  })

  return h(
    'div',
    { style: { display: 'flex', alignItems: 'flex-start', gap: '16px' } },
    h(
      'div',
      {
        id: 'stage',
        style: {
          position: 'relative',
          width: `${config.size.width}px`,
          height: `${config.size.height}px`,
          flex: 'none'
        }
      },
      h('img', {
        src: config.background,
        alt: '',
        style: { position: 'absolute', inset: 0, width: '100%', height: '100%', display: 'block' }
      }),
      overlay
    ),
    config.inspector
      ? h(
          'div',
          { style: { width: '260px', flex: 'none' } },
          h(StyleInspector, {
            selected: annotations.filter((a) => selectedIds.includes(a.id)),
            onChange: (changes, phase) => {
              calls.push({ call: 'style', phase, changes })
              setAnnotations((list) => applyChanges(list, changes))
            },
            defaults,
            onDefaultsChange: (next) => {
              calls.push({ call: 'defaults', defaults: next })
              setDefaults(next)
            }
          })
        )
      : null
  )
}

const container = document.getElementById('root')
const root = createRoot(container)

const frames = () =>
  new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))

// Animation frames can be held back, as on a busy machine that draws late: while held, callbacks
// wait for releaseFrames(). A test holds them to show that what the user sees next (where the
// focus is) never waits for a frame, and that a late one changes nothing.
const nativeRequestFrame = window.requestAnimationFrame.bind(window)
const nativeCancelFrame = window.cancelAnimationFrame.bind(window)
/** Callbacks waiting for a frame by their (negative, never native) ids, or null when not held. */
let heldFrames = null
let nextHeldId = -1
window.requestAnimationFrame = (callback) => {
  if (!heldFrames) return nativeRequestFrame(callback)
  const id = nextHeldId--
  heldFrames.set(id, callback)
  return id
}
window.cancelAnimationFrame = (id) => {
  if (heldFrames?.delete(id)) return
  nativeCancelFrame(id)
}

async function releaseFrames() {
  const waiting = heldFrames
  heldFrames = null
  for (const callback of waiting?.values() ?? []) nativeRequestFrame(callback)
  // The held callbacks run in the first of these frames.
  await frames()
}

window.sidecastOverlayPage = {
  /** Shows the overlay over `config.background`; resolves once fonts and images are ready. */
  async mount(config) {
    if (heldFrames) await releaseFrames()
    calls.length = 0
    state = null
    root.render(h(Stage, { key: String(nextId++), config }))
    await frames()
    await document.fonts.ready
    await Promise.all([...document.images].map((img) => img.decode().catch(() => undefined)))
    // The camera bubble's video: until it shows the frame at the playhead (bounded).
    const deadline = performance.now() + 20_000
    const videos = () => [...document.querySelectorAll('video')]
    while (videos().some((v) => v.readyState < 2 || v.seeking) && performance.now() < deadline) {
      await frames()
    }
    await frames()
    return videos().every((v) => v.readyState >= 2 && !v.seeking)
  },
  state: () => state,
  calls: () => calls,
  holdFrames: () => {
    heldFrames ??= new Map()
  },
  releaseFrames,
  setTool: async (tool) => {
    setToolFromOutside?.(tool)
    await frames()
  }
}
