/**
 * What the tray shows for each recorder state and upload activity: menu items, tooltip, icon.
 * Pure; tray.ts turns the result into Electron objects.
 */
import type { MenuItemConstructorOptions } from 'electron'
import type { AnswerTarget, RecorderState, UpdateStatus, UploadInfo } from '../../shared/ipc'

export interface TrayActions {
  start(): void
  stop(): void
  pause(): void
  resume(): void
  /** Asks, in the recording bar, whether to throw the take away and record it again. */
  restart(): void
  /** Asks, in the recording bar, whether to stop and delete the take. */
  discard(): void
  /** Uploads the newest finished recording to the team library. */
  uploadLast(): void
  /** Shows and focuses the main window. */
  open(): void
  quit(): void
  /** Quits and installs the downloaded update (refused while recording, exporting or uploading). */
  restartToUpdate?(): void
  /** Starts recording an answer to a library request (like Start, with the request attached). */
  answerRequest?(answer: AnswerTarget): void
  /** Shows the window at its Requests view. */
  openRequests?(): void
}

/** One open request in the tray's "Answer a request" submenu. */
export interface TrayRequest {
  readonly id: string
  readonly title: string
}

/** Open requests the submenu lists at most. */
export const TRAY_REQUEST_ITEMS = 8

/** Longest request title shown in the menu (the recording keeps the whole title). */
const TRAY_TITLE_CHARS = 60

function menuTitle(title: string): string {
  const chars = [...title.replace(/\s+/g, ' ').trim()]
  const short =
    chars.length > TRAY_TITLE_CHARS
      ? `${chars.slice(0, TRAY_TITLE_CHARS - 1).join('')}…`
      : chars.join('')
  // A lone & is an access key on Windows and Linux menus; && shows one.
  return short.replace(/&/g, '&&')
}

/**
 * "Answer a request": the newest open requests (up to TRAY_REQUEST_ITEMS), then "Open requests in
 * the app…". Nothing while there are none (no library, an older one, none open), and disabled
 * while a recording is on (one recording at a time).
 */
export function answerRequestItems(
  state: RecorderState,
  requests: readonly TrayRequest[],
  actions: TrayActions
): MenuItemConstructorOptions[] {
  if (requests.length === 0) return []
  return [
    {
      id: 'answer-request',
      label: 'Answer a request',
      enabled: state.phase === 'idle',
      submenu: [
        ...requests.slice(0, TRAY_REQUEST_ITEMS).map((request): MenuItemConstructorOptions => ({
          id: `answer-${request.id}`,
          label: menuTitle(request.title),
          click: () => actions.answerRequest?.({ requestId: request.id, title: request.title })
        })),
        { type: 'separator' },
        {
          id: 'open-requests',
          label: 'Open requests in the app…',
          click: () => actions.openRequests?.()
        }
      ]
    }
  ]
}

/** "Restart to update", once an update is downloaded; disabled while work would be cut short. */
export interface TrayUpdateView {
  readonly label: string
  readonly enabled: boolean
}

/** The tray's update item for a status, or null when there is nothing to restart for. */
export function trayUpdateView(status: UpdateStatus): TrayUpdateView | null {
  if (status.phase !== 'ready' || !status.version) return null
  return status.restartWaitsFor
    ? { label: `Restart to update (after ${status.restartWaitsFor})`, enabled: false }
    : { label: `Restart to update to ${status.version}`, enabled: true }
}

/** What the tray needs to know about sharing. */
export interface TrayUploadView {
  /** True when there is a finished recording and the library's address and token are set. */
  readonly canUploadLast: boolean
  /** A line like "Uploading 42% — 1 min left", or null when nothing is on its way. */
  readonly activity: string | null
}

export interface TrayMenuOptions {
  /** The global shortcut, shown next to Start/Stop (display only, not registered by the menu). */
  readonly shortcut?: string
  /** Sharing state; without it "Upload last recording" is shown disabled. */
  readonly upload?: TrayUploadView
  /** "Restart to update", when an update is downloaded. */
  readonly update?: TrayUpdateView | null
  /** The connected library's newest open requests ("Answer a request"); none: not shown. */
  readonly requests?: readonly TrayRequest[]
}

export type TrayIconName = 'idle' | 'recording' | 'paused' | 'uploading'

function withShortcut(
  item: MenuItemConstructorOptions,
  shortcut?: string
): MenuItemConstructorOptions {
  return shortcut ? { ...item, accelerator: shortcut, registerAccelerator: false } : item
}

function recorderItems(
  state: RecorderState,
  actions: TrayActions,
  options: TrayMenuOptions
): MenuItemConstructorOptions[] {
  const stop = withShortcut(
    { id: 'stop', label: 'Stop recording', click: () => actions.stop() },
    options.shortcut
  )
  // Both throw the take away, so both ask first (in the bar): hence the ellipsis.
  const takeItems: MenuItemConstructorOptions[] = [
    { id: 'restart', label: 'Restart recording…', click: () => actions.restart() },
    { id: 'discard', label: 'Discard recording…', click: () => actions.discard() }
  ]
  switch (state.phase) {
    case 'idle':
      return [
        withShortcut(
          { id: 'start', label: 'Start recording', click: () => actions.start() },
          options.shortcut
        )
      ]
    case 'recording':
      return [
        stop,
        { id: 'pause', label: 'Pause recording', click: () => actions.pause() },
        ...takeItems
      ]
    case 'paused':
      return [
        stop,
        { id: 'resume', label: 'Resume recording', click: () => actions.resume() },
        ...takeItems
      ]
    case 'finishing':
      return [{ id: 'saving', label: 'Saving recording…', enabled: false }]
  }
}

export function buildTrayMenu(
  state: RecorderState,
  actions: TrayActions,
  options: TrayMenuOptions = {}
): MenuItemConstructorOptions[] {
  const upload: MenuItemConstructorOptions[] = [
    {
      id: 'upload-last',
      label: 'Upload last recording',
      enabled: options.upload?.canUploadLast ?? false,
      click: () => actions.uploadLast()
    }
  ]
  if (options.upload?.activity) {
    upload.push({ id: 'upload-activity', label: options.upload.activity, enabled: false })
  }
  const update: MenuItemConstructorOptions[] = options.update
    ? [
        {
          id: 'restart-to-update',
          label: options.update.label,
          enabled: options.update.enabled,
          click: () => actions.restartToUpdate?.()
        }
      ]
    : []
  return [
    ...recorderItems(state, actions, options),
    ...answerRequestItems(state, options.requests ?? [], actions),
    ...upload,
    ...update,
    { id: 'open', label: 'Open Sidecast', click: () => actions.open() },
    { type: 'separator' },
    { id: 'quit', label: 'Quit Sidecast', click: () => actions.quit() }
  ]
}

/** "1 min left", "40 s left", "1 h 5 min left". */
export function formatTimeLeft(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1000))
  if (seconds < 60) return `${seconds} s left`
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return `${minutes} min left`
  const hours = Math.floor(minutes / 60)
  const rest = minutes % 60
  return rest ? `${hours} h ${rest} min left` : `${hours} h left`
}

const ACTIVE = new Set<UploadInfo['state']>(['exporting', 'queued', 'uploading'])

/** What is on its way, for the tray and the taskbar; null when nothing uploads. */
export interface UploadActivity {
  /** The menu line, e.g. "Uploading 42% — 1 min left". */
  readonly label: string
  /** 0–1 for the taskbar/dock progress bar. */
  readonly fraction: number
}

/**
 * The one line that sums up the uploads: the one sending now, else the one exporting, else the
 * one waiting; with "(+N more)" when others wait behind it.
 */
export function uploadActivity(uploads: readonly UploadInfo[]): UploadActivity | null {
  // A recording's own upload while it is recorded is part of the recording, not an activity.
  const active = uploads.filter((u) => ACTIVE.has(u.state) && u.live !== 'recording')
  // After Stop, the recording's upload catching up comes first: its link is already out.
  const finishing = active.find((u) => u.live === 'finishing' || u.live === 'processing')
  const lead =
    finishing ??
    active.find((u) => u.state === 'uploading') ??
    active.find((u) => u.state === 'exporting') ??
    active[0]
  if (!lead) return null
  const percent = Math.floor(Math.max(0, Math.min(1, lead.fraction)) * 100)
  let label: string
  if (lead.live === 'finishing') {
    label = `Finishing upload… ${percent}%`
  } else if (lead.live === 'processing') {
    label = 'Finishing upload…'
  } else if (lead.state === 'uploading') {
    label = `Uploading ${percent}%${lead.etaMs !== null ? ` — ${formatTimeLeft(lead.etaMs)}` : ''}`
  } else if (lead.state === 'exporting') {
    label = `Preparing upload ${percent}%`
  } else {
    label = lead.error ? 'Upload waiting to retry' : 'Upload waiting'
  }
  const more = active.length - 1
  return { label: more > 0 ? `${label} (+${more} more)` : label, fraction: lead.fraction }
}

export function trayTooltip(state: RecorderState, activity: string | null = null): string {
  switch (state.phase) {
    case 'idle':
      return activity ? `Sidecast — ${activity}` : 'Sidecast — ready to record'
    case 'recording':
      return 'Sidecast — recording'
    case 'paused':
      return 'Sidecast — recording paused'
    case 'finishing':
      return 'Sidecast — saving the recording…'
  }
}

/** Recording states win; otherwise an activity icon while something uploads. */
export function trayIconName(state: RecorderState, uploading = false): TrayIconName {
  if (state.phase === 'recording' || state.phase === 'paused') return state.phase
  return uploading ? 'uploading' : 'idle'
}

/**
 * The icon file for a state. macOS and Windows pick `@2x` themselves on HiDPI screens; Linux tray
 * hosts scale one bitmap, so they get the larger one.
 */
export function trayIconFile(name: TrayIconName, platform: string): string {
  return platform === 'linux' ? `tray-${name}@2x.png` : `tray-${name}.png`
}
