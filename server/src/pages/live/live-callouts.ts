/**
 * The watch page's live layer (issue 13), browser code bundled by build-live-module.ts and served
 * as `/public/live-callouts.js`. It draws the video's callouts over the player with the one shared
 * drawing (src/shared/callouts/draw.ts), each only while the player is inside its range, as real
 * SVG text (selectable, found by the browser's find, read by screen readers); runs the player's
 * own controls (a progress bar of the edited length with a marker per callout); polls the view
 * JSON every second and redraws a new version without reloading the video, swaps the media when a
 * new render is ready, and shows "Processing" while there is none. The owner can switch to the
 * original with the edits previewed: cuts skipped, blur boxes drawn with a CSS backdrop blur.
 *
 * Everything comes from the page's data attributes and the JSON; nothing is inlined, nothing is
 * parsed as HTML. Styles are set through the CSSOM (`el.style.x = …`), which the CSP allows.
 */
import { blurBox, blurRadiusPx } from '../../../../src/shared/callouts/blur'
import { drawOverlay } from '../../../../src/shared/callouts/draw'
import type { Annotation, BlurAnnotation } from '../../../../src/shared/edits'
import {
  keptDurationMs,
  nextPlayableTime,
  normalizeKeep,
  toOutputTime,
  toRecordingTime,
  type NormalizedKeep,
  type StoredKeep
} from '../../../../src/shared/timeline'

/** `GET view` (api/videos/:id/view, or s/:token/view for a visitor). */
interface ViewJson {
  version: number
  durationMs: number
  annotations: Annotation[]
  media: {
    kind: 'original' | 'render' | 'processing'
    editsVersion?: number
    stale?: boolean
    failed?: boolean
  }
  mediaUrl?: string
}

/** `GET /api/videos/:id/edits` (owner only): the edits on the recording's clock. */
interface EditsJson {
  version: number
  edits: { keep: StoredKeep; annotations: Annotation[] }
}

type Mode = 'viewer' | 'preview'

const SVG_NS = 'http://www.w3.org/2000/svg'
const POLL_MS = 1000
const POLL_HIDDEN_MS = 5000
const POLL_ERROR_MS = 5000

/** m:ss or h:mm:ss of a time in ms. */
function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = String(total % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag)
  if (className) node.className = className
  if (text !== undefined) node.textContent = text
  return node
}

/** The SVG string of the drawing as DOM nodes, parsed as XML (never as HTML). */
function svgNode(markup: string): SVGSVGElement | null {
  const doc = new DOMParser().parseFromString(markup, 'image/svg+xml')
  const root = doc.documentElement
  if (root.namespaceURI !== SVG_NS || root.localName !== 'svg') return null
  if (doc.getElementsByTagName('parsererror').length > 0) return null
  return document.importNode(root, true) as unknown as SVGSVGElement
}

function calloutText(a: Annotation): string {
  return a.type === 'callout' && typeof a.text === 'string' ? a.text.trim() : ''
}

/** A callout as the markers show it: where it starts and ends (output clock), its text. */
interface Marked {
  readonly startMs: number
  readonly endMs: number
  readonly text: string
}

/** One marker per callout with text: the first piece of a callout split by cuts. */
function markerCallouts(annotations: readonly Annotation[]): Marked[] {
  return annotations
    .filter((a) => calloutText(a) !== '' && !String(a.id).includes('~'))
    .map((a) => ({ startMs: a.startMs, endMs: a.endMs, text: calloutText(a) }))
    .sort((a, b) => a.startMs - b.startMs)
}

/**
 * The callouts the page was rendered with (the video's saved callout texts): what the markers
 * show while the library has no edits of the video (version 0: a video uploaded with its callouts
 * burnt in, whose list still names them).
 */
function listedCallouts(list: HTMLElement | null): Marked[] {
  if (!list) return []
  return Array.from(list.querySelectorAll<HTMLElement>('.marker[data-time]')).map((button) => ({
    startMs: Number(button.dataset.time) * 1000,
    endMs: Number(button.dataset.end) * 1000,
    text: button.querySelector('.marker-text')?.textContent ?? ''
  }))
}

function start(root: HTMLElement): void {
  const video = root.querySelector<HTMLVideoElement>('video')
  const layer = root.querySelector<HTMLElement>('.live-layer')
  const bar = root.querySelector<HTMLElement>('.player-bar')
  const processing = root.querySelector<HTMLElement>('.player-processing')
  if (!video || !layer || !bar || !processing) return
  const viewUrl = root.dataset.view ?? ''
  if (!viewUrl) return
  const originalUrl = root.dataset.original ?? ''
  const editsUrl = root.dataset.edits ?? ''
  const recordingMs = Number(root.dataset.recordingMs) || 0

  const playButton = bar.querySelector<HTMLButtonElement>('.player-play')!
  const muteButton = bar.querySelector<HTMLButtonElement>('.player-mute')!
  const fullButton = bar.querySelector<HTMLButtonElement>('.player-fullscreen')!
  const seek = bar.querySelector<HTMLInputElement>('.player-seek')!
  const markerBox = bar.querySelector<HTMLElement>('.player-markers')!
  const timeNow = bar.querySelector<HTMLElement>('.player-time-now')!
  const timeTotal = bar.querySelector<HTMLElement>('.player-time-total')!
  const modeInputs = Array.from(root.querySelectorAll<HTMLInputElement>('input[name="watch-mode"]'))
  const sideList = document.querySelector<HTMLElement>('.marker-list')
  const listed = listedCallouts(sideList)
  /** The edits version the page was rendered with: its callout list is already right. */
  const renderedVersion = Number(root.dataset.editsVersion) || 0

  let view: ViewJson | null = null
  let etag = ''
  let mode: Mode = 'viewer'
  let mediaKey = ''
  /** The preview's edits (recording clock) and kept ranges; null until fetched. */
  let preview: { version: number; keep: NormalizedKeep; annotations: Annotation[] } | null = null
  let drawnKey = '\u0000'
  let dragging = false
  let raf = 0

  // The page works without this module (native controls); with it, its own controls take over.
  video.controls = false
  bar.hidden = false
  root.classList.add('live')

  // ---- Time: the player's time on the output clock, and seeking in output time ----------------

  function recordingNowMs(): number {
    return Math.round(video!.currentTime * 1000)
  }

  function outputNowMs(): number {
    const t = recordingNowMs()
    if (mode === 'viewer' || !preview) return t
    const out = toOutputTime(t, preview.keep)
    if (out !== null) return out
    const next = nextPlayableTime(t, preview.keep)
    return next === null ? keptDurationMs(preview.keep) : (toOutputTime(next, preview.keep) ?? 0)
  }

  function durationMs(): number {
    if (mode === 'preview' && preview) return keptDurationMs(preview.keep)
    return view?.durationMs ?? (Number(root.dataset.durationMs) || 0)
  }

  function seekOutput(ms: number): void {
    const out = Math.max(0, Math.min(ms, durationMs()))
    const target = mode === 'preview' && preview ? toRecordingTime(out, preview.keep) : out
    video!.currentTime = target / 1000
    update()
  }

  function play(): void {
    const playing = video!.play()
    if (playing && typeof playing.catch === 'function') playing.catch(() => undefined)
  }

  /** The preview skips what is cut: a moment in a cut jumps to the next kept one, or stops. */
  function skipCuts(): void {
    if (mode !== 'preview' || !preview) return
    const t = recordingNowMs()
    if (toOutputTime(t, preview.keep) !== null) return
    const next = nextPlayableTime(t, preview.keep)
    const last = preview.keep[preview.keep.length - 1]
    if (next !== null) video!.currentTime = next / 1000
    else if (last) {
      video!.pause()
      video!.currentTime = last[1] / 1000
    }
  }

  // ---- The layer: placed over the video's picture (letterbox aware) -------------------------

  function frameSize(): { width: number; height: number } {
    return {
      width: video!.videoWidth || Number(root.dataset.width) || 1920,
      height: video!.videoHeight || Number(root.dataset.height) || 1080
    }
  }

  function place(): void {
    const { width, height } = frameSize()
    const bw = video!.clientWidth
    const bh = video!.clientHeight
    if (!bw || !bh) return
    const scale = Math.min(bw / width, bh / height)
    const w = width * scale
    const h = height * scale
    layer!.style.left = `${video!.offsetLeft + (bw - w) / 2}px`
    layer!.style.top = `${video!.offsetTop + (bh - h) / 2}px`
    layer!.style.width = `${w}px`
    layer!.style.height = `${h}px`
  }

  /** What is on screen now: callouts (SVG) and, in the preview, blur boxes. */
  function shownNow(): { drawn: Annotation[]; blurs: BlurAnnotation[] } {
    if (mode === 'preview') {
      if (!preview) return { drawn: [], blurs: [] }
      const t = recordingNowMs()
      const on = preview.annotations.filter((a) => a.startMs <= t && t < a.endMs)
      return {
        drawn: on.filter((a) => a.type !== 'blur'),
        blurs: on.filter((a): a is BlurAnnotation => a.type === 'blur')
      }
    }
    if (!view || processing!.hidden === false) return { drawn: [], blurs: [] }
    const t = outputNowMs()
    return { drawn: view.annotations.filter((a) => a.startMs <= t && t < a.endMs), blurs: [] }
  }

  function draw(): void {
    const { drawn, blurs } = shownNow()
    const size = frameSize()
    const key = [
      mode,
      mode === 'preview' ? preview?.version : view?.version,
      size.width,
      size.height,
      ...drawn.map((a) => a.id),
      '|',
      ...blurs.map((a) => a.id)
    ].join('\u0001')
    if (key === drawnKey) return
    drawnKey = key
    layer!.replaceChildren()
    for (const a of blurs) layer!.append(blurBoxElement(a, size))
    if (drawn.length > 0) {
      const svg = svgNode(drawOverlay(drawn, size, { pixelPlaceholders: false }))
      if (svg) {
        svg.setAttribute('width', '100%')
        svg.setAttribute('height', '100%')
        svg.setAttribute('class', 'live-svg')
        layer!.append(svg)
      }
    }
  }

  function blurBoxElement(a: BlurAnnotation, size: { width: number; height: number }): HTMLElement {
    const box = blurBox(a, size)
    const radius = blurRadiusPx(a, size.height, box)
    const div = el('div', 'live-blur')
    div.style.left = `${(box.x / size.width) * 100}%`
    div.style.top = `${(box.y / size.height) * 100}%`
    div.style.width = `${(box.w / size.width) * 100}%`
    div.style.height = `${(box.h / size.height) * 100}%`
    // The radius is in frame pixels; the layer shows the frame at its own scale.
    const scale = layer!.clientHeight / size.height || 1
    const blur = `blur(${Math.max(1, radius * scale).toFixed(1)}px)`
    div.style.backdropFilter = blur
    div.style.setProperty('-webkit-backdrop-filter', blur)
    return div
  }

  // ---- The bar: time, progress and markers ----------------------------------------------------

  function showTime(): void {
    const total = durationMs()
    const now = Math.min(outputNowMs(), total)
    timeNow.textContent = clock(now)
    timeTotal.textContent = clock(total)
    seek.max = String(total / 1000)
    if (!dragging) seek.value = String(now / 1000)
    seek.setAttribute('aria-valuetext', `${clock(now)} of ${clock(total)}`)
    playButton.setAttribute('aria-label', video!.paused ? 'Play' : 'Pause')
    playButton.dataset.state = video!.paused ? 'paused' : 'playing'
    muteButton.setAttribute('aria-label', video!.muted ? 'Unmute' : 'Mute')
    muteButton.setAttribute('aria-pressed', String(video!.muted))
  }

  function highlightSide(): void {
    if (!sideList) return
    const t = outputNowMs()
    for (const button of Array.from(sideList.querySelectorAll<HTMLElement>('.marker[data-time]'))) {
      const startMs = Number(button.dataset.time) * 1000
      const endMs = Number(button.dataset.end) * 1000
      if (t >= startMs && t < (endMs > startMs ? endMs : startMs + 3000))
        button.setAttribute('aria-current', 'true')
      else button.removeAttribute('aria-current')
    }
  }

  function buildMarkers(): void {
    const total = durationMs()
    const version = view?.version ?? 0
    const fromEdits = version > 0
    const callouts = view && fromEdits ? markerCallouts(view.annotations) : listed
    markerBox.replaceChildren()
    for (const a of callouts) {
      const text = a.text
      const button = el('button', 'player-marker')
      button.type = 'button'
      button.dataset.time = String(a.startMs / 1000)
      button.setAttribute('aria-label', `Jump to ${clock(a.startMs)}: ${text}`)
      button.title = `${clock(a.startMs)} ${text}`
      button.style.left = `${total > 0 ? Math.min(100, (a.startMs / total) * 100) : 0}%`
      markerBox.append(button)
    }
    if (sideList && fromEdits && version !== renderedVersion) {
      sideList.replaceChildren(
        ...callouts.map((a) => {
          const li = el('li')
          const button = el('button', 'marker')
          button.type = 'button'
          button.dataset.time = String(a.startMs / 1000)
          button.dataset.end = String(a.endMs / 1000)
          button.append(
            el('span', 'visually-hidden', 'Jump to '),
            el('span', 'marker-time', clock(a.startMs)),
            el('span', 'visually-hidden', ' — '),
            el('span', 'marker-text', a.text)
          )
          li.append(button)
          return li
        })
      )
      const count = document.querySelector<HTMLElement>('#markers-h .muted')
      if (count) count.textContent = String(callouts.length)
    }
  }

  /** Listeners of `window.sidecastLive.onTimeUpdate` (comments.js). */
  const timeListeners: ((outputMs: number) => void)[] = []

  function update(): void {
    skipCuts()
    draw()
    showTime()
    highlightSide()
    if (timeListeners.length > 0) {
      const now = outputNowMs()
      for (const listener of timeListeners) {
        try {
          listener(now)
        } catch {
          // A listener's trouble is its own: the player keeps going.
        }
      }
    }
  }

  function tick(): void {
    raf = 0
    update()
    if (!video!.paused) raf = requestAnimationFrame(tick)
  }

  // ---- Media: the viewers' version, "Processing", or the original for the preview -------------

  function setSource(url: string, keepOutputMs: number | null): void {
    const wasPlaying = !video!.paused
    processing!.hidden = true
    video!.src = url
    if (keepOutputMs !== null && keepOutputMs > 0) {
      video!.addEventListener('loadedmetadata', () => seekOutput(keepOutputMs), { once: true })
    }
    if (wasPlaying) play()
  }

  function showProcessing(failed: boolean): void {
    if (processing!.hidden === false && video!.getAttribute('src') === null) return
    video!.pause()
    video!.removeAttribute('src')
    video!.load()
    processing!.textContent = failed
      ? 'This video could not be processed yet. The library will try again.'
      : 'Processing… This video will play here as soon as it is ready.'
    processing!.hidden = false
    drawnKey = '\u0000'
    layer!.replaceChildren()
  }

  function viewerMediaUrl(v: ViewJson): string {
    const base = v.mediaUrl || root.dataset.media || ''
    const tag = `${v.media.kind}-${v.media.editsVersion ?? 0}`
    return `${base}${base.includes('?') ? '&' : '?'}v=${encodeURIComponent(tag)}`
  }

  function applyMedia(v: ViewJson, first: boolean): void {
    const key = `${v.media.kind}:${v.media.editsVersion ?? ''}:${v.mediaUrl ?? ''}`
    if (v.media.kind === 'processing') {
      mediaKey = key
      if (mode === 'viewer') showProcessing(v.media.failed === true)
      return
    }
    if (key === mediaKey) return
    const was = mediaKey
    mediaKey = key
    if (mode !== 'viewer') return
    // The page's own src is the media at load time: keep it unless it failed or was swapped.
    if (first && !video!.error && video!.getAttribute('src')) return
    setSource(viewerMediaUrl(v), was && !was.startsWith('processing') ? outputNowMs() : null)
  }

  // ---- The owner's preview: the original, cuts skipped, blur over it --------------------------

  async function loadPreview(): Promise<boolean> {
    if (!editsUrl) return false
    const response = await fetch(editsUrl, { credentials: 'same-origin', cache: 'no-store' })
    if (!response.ok) return false
    const json = (await response.json()) as EditsJson
    const length = recordingMs || Math.round((video!.duration || 0) * 1000)
    preview = {
      version: json.version,
      keep: normalizeKeep(json.edits.keep, length),
      annotations: Array.isArray(json.edits.annotations) ? json.edits.annotations : []
    }
    return true
  }

  async function setMode(next: Mode): Promise<void> {
    if (next === mode) return
    const at = outputNowMs()
    if (next === 'preview') {
      if (!originalUrl || !(await loadPreview().catch(() => false))) {
        for (const input of modeInputs) input.checked = input.value === mode
        return
      }
      mode = 'preview'
      setSource(originalUrl, at)
    } else {
      mode = 'viewer'
      if (view?.media.kind === 'processing') showProcessing(view.media.failed === true)
      else if (view) setSource(viewerMediaUrl(view), at)
    }
    drawnKey = '\u0000'
    buildMarkers()
    update()
  }

  // ---- The poll ------------------------------------------------------------------------------

  async function poll(): Promise<void> {
    let wait = document.hidden ? POLL_HIDDEN_MS : POLL_MS
    try {
      const headers: Record<string, string> = { Accept: 'application/json' }
      if (etag) headers['If-None-Match'] = etag
      const response = await fetch(viewUrl, {
        headers,
        credentials: 'same-origin',
        cache: 'no-store'
      })
      if (response.status === 200) {
        const next = (await response.json()) as ViewJson
        etag = response.headers.get('ETag') ?? ''
        const first = view === null
        const newVersion = first || next.version !== view!.version
        view = { ...next, annotations: Array.isArray(next.annotations) ? next.annotations : [] }
        applyMedia(view, first)
        if (newVersion) {
          if (mode === 'preview' && preview && preview.version !== view.version) await loadPreview()
          drawnKey = '\u0000'
          buildMarkers()
        }
        update()
      } else if (response.status !== 304) {
        wait = POLL_ERROR_MS
      }
    } catch {
      wait = POLL_ERROR_MS
    }
    window.setTimeout(() => void poll(), wait)
  }

  // ---- Events --------------------------------------------------------------------------------

  playButton.addEventListener('click', () => (video.paused ? play() : video.pause()))
  video.addEventListener('click', () => (video.paused ? play() : video.pause()))
  muteButton.addEventListener('click', () => {
    video.muted = !video.muted
    showTime()
  })
  fullButton.addEventListener('click', () => {
    if (document.fullscreenElement) void document.exitFullscreen()
    else void root.requestFullscreen?.().catch(() => undefined)
  })
  seek.addEventListener('pointerdown', () => (dragging = true))
  seek.addEventListener('pointerup', () => (dragging = false))
  seek.addEventListener('input', () => seekOutput(Number(seek.value) * 1000))
  seek.addEventListener('change', () => {
    dragging = false
    seekOutput(Number(seek.value) * 1000)
  })
  markerBox.addEventListener('click', (event) => {
    const button = (event.target as Element).closest<HTMLElement>('.player-marker')
    if (button) seekOutput(Number(button.dataset.time) * 1000)
  })
  for (const input of modeInputs) {
    input.addEventListener('change', () => {
      if (input.checked) void setMode(input.value === 'preview' ? 'preview' : 'viewer')
    })
  }
  for (const type of ['play', 'pause', 'seeked', 'timeupdate', 'loadedmetadata', 'volumechange']) {
    video.addEventListener(type, () => {
      if (type === 'loadedmetadata') {
        place()
        drawnKey = '\u0000'
      }
      if (type === 'play' && !raf) raf = requestAnimationFrame(tick)
      update()
    })
  }
  new ResizeObserver(() => {
    place()
    drawnKey = '\u0000'
    draw()
  }).observe(video)
  document.addEventListener('fullscreenchange', place)

  // Seeking from elsewhere on the page (the callout list, `?t=`) is in output time too; the
  // comments read the player's time on that clock (in the owner's preview as well).
  window.sidecastLive = {
    seekOutput(ms: number, andPlay = true) {
      seekOutput(ms)
      if (andPlay) play()
    },
    currentOutputMs: () => Math.min(outputNowMs(), durationMs() || Number.MAX_SAFE_INTEGER),
    onTimeUpdate(listener: (outputMs: number) => void) {
      timeListeners.push(listener)
    }
  }
  const startAt = Number(new URLSearchParams(window.location.search).get('t'))
  if (startAt > 0) {
    if (video.readyState >= 1) seekOutput(startAt * 1000)
    else video.addEventListener('loadedmetadata', () => seekOutput(startAt * 1000), { once: true })
  }

  place()
  update()
  void poll()
}

declare global {
  interface Window {
    sidecastLive?: {
      seekOutput(ms: number, andPlay?: boolean): void
      /** The player's time on the viewers' clock (cuts applied), ms. */
      currentOutputMs(): number
      /** Called with the output time whenever the player's time or state is shown anew. */
      onTimeUpdate(listener: (outputMs: number) => void): void
    }
  }
}

const root = document.querySelector<HTMLElement>('[data-live-player]')
if (root) start(root)
