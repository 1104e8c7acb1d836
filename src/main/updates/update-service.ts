/**
 * Updating Sidecast from the team library: checks (automatic ones on a timer when the setting or
 * SIDECAST_UPDATES says so, and "Check now"), the background download, "Restart to update" —
 * never while recording, exporting or uploading — and one status for Settings, the tray and the
 * notification. Failures become a calm line in Settings, never a dialog. The rules are in
 * update-policy.ts; the engine (electron-updater, or a fake) is passed in.
 */
import { SidecastError } from '../../shared/errors'
import type { UpdatePhase, UpdateStatus } from '../../shared/ipc'
import type { Settings } from '../../shared/settings'
import type { UpdateEngine } from './update-engine'
import {
  FIRST_CHECK_DELAY_MS,
  automaticUpdates,
  feedUrl,
  nextCheckDelay,
  updateErrorMessage,
  updatesEnv,
  type UpdateSupport
} from './update-policy'

export const NO_LIBRARY =
  'Sidecast gets its updates from your team library. Connect one under Team library (its address and an access token) to get them.'

/** Timers, so tests drive the schedule by hand. */
export interface UpdateTimers {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export interface UpdateServiceOptions {
  /** This copy's version (`app.getVersion()`). */
  readonly currentVersion: string
  /** What updating this copy can mean (updateSupport in update-policy.ts). */
  readonly support: UpdateSupport
  /** What checks, downloads and installs; null when this copy cannot update itself. */
  readonly engine: UpdateEngine | null
  readonly settings: () => Settings
  /** The environment (SIDECAST_UPDATES). */
  readonly env: Readonly<Record<string, string | undefined>>
  /** The connected library, or null when its address or token is missing. */
  readonly credentials: () => Promise<{ readonly url: string; readonly token: string } | null>
  /** What a restart would cut short (restartWaitsFor in update-policy.ts), or null. */
  readonly restartWaitsFor: () => string | null
  /** Every change of the status (sent as `updates:changed`). */
  readonly emit: (status: UpdateStatus) => void
  /** A system notification, once per downloaded version. */
  readonly notify: (title: string, body: string) => void
  readonly now?: () => Date
  readonly timers?: UpdateTimers
  /** Wait before the first automatic check; default FIRST_CHECK_DELAY_MS. */
  readonly firstCheckDelayMs?: number
  readonly warn?: (message: string) => void
}

export interface UpdateService {
  status(): UpdateStatus
  /** Checks now (and downloads what it finds); resolves with the status after it. */
  check(): Promise<UpdateStatus>
  /** Installs the downloaded update; throws a SidecastError when there is none or work is running. */
  restart(): void
  /** Begins: learns whether a library is connected and plans the first automatic check. */
  start(): void
  /** "Check for updates automatically" may have changed. */
  settingsChanged(): void
  /** The library's address or token changed. */
  libraryChanged(): void
  /** A recording, export or upload started or ended: the restart may wait, or no longer. */
  busyChanged(): void
  /** Stops the timer; a check under way is left to finish. */
  dispose(): void
}

interface State {
  phase: Exclude<UpdatePhase, 'unavailable' | 'no-library'>
  checkedAt: string | null
  version: string | null
  fraction: number | null
  message: string | null
}

export function createUpdateService(options: UpdateServiceOptions): UpdateService {
  const { engine } = options
  const timers: UpdateTimers = options.timers ?? {
    setTimeout: (callback, ms) => {
      const handle = setTimeout(callback, ms)
      handle.unref?.()
      return handle
    },
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>)
  }
  const now = options.now ?? (() => new Date())
  const support: UpdateSupport =
    engine === null && options.support.mode !== 'none'
      ? { mode: 'none', reason: 'This copy of Sidecast cannot update itself.' }
      : options.support

  let state: State = {
    phase: 'idle',
    checkedAt: null,
    version: null,
    fraction: null,
    message: null
  }
  let hasLibrary: boolean | null = null
  let running: Promise<UpdateStatus> | null = null
  let timer: unknown = null
  let started = false
  let disposed = false
  let lastSent = ''
  let notified: string | null = null

  const automatic = (): { on: boolean; managed: boolean } =>
    automaticUpdates(options.settings().checkForUpdates, updatesEnv(options.env))

  function status(): UpdateStatus {
    const { on, managed } = automatic()
    const base = {
      currentVersion: options.currentVersion,
      automatic: on,
      managed,
      checkedAt: state.checkedAt
    }
    if (support.mode === 'none') {
      return {
        ...base,
        phase: 'unavailable',
        version: null,
        fraction: null,
        message: support.reason,
        restartWaitsFor: null
      }
    }
    const busyPhase = state.phase === 'checking' || state.phase === 'downloading'
    if (hasLibrary === false && !busyPhase && state.phase !== 'ready') {
      return {
        ...base,
        phase: 'no-library',
        version: null,
        fraction: null,
        message: NO_LIBRARY,
        restartWaitsFor: null
      }
    }
    return {
      ...base,
      ...state,
      restartWaitsFor: state.phase === 'ready' ? options.restartWaitsFor() : null
    }
  }

  /** Sends the status when it differs from the last one sent. */
  function publish(): void {
    const current = status()
    const key = JSON.stringify(current)
    if (key === lastSent) return
    lastSent = key
    options.emit(current)
  }

  function set(next: Partial<State>): void {
    state = { ...state, ...next }
    publish()
  }

  function clearTimer(): void {
    if (timer !== null) timers.clearTimeout(timer)
    timer = null
  }

  /** Plans the next automatic check, replacing any planned one; none while they are off. */
  function plan(delayMs: number): void {
    clearTimer()
    if (disposed || !started || support.mode === 'none' || !automatic().on) return
    // Once an update is downloaded there is nothing more to fetch until the restart.
    if (state.phase === 'ready') return
    timer = timers.setTimeout(() => {
      timer = null
      void check().then(() => plan(nextCheckDelay(state.phase === 'failed')))
    }, delayMs)
  }

  async function refreshLibrary(): Promise<boolean> {
    const found = (await options.credentials().catch(() => null)) !== null
    hasLibrary = found
    publish()
    return found
  }

  async function run(): Promise<UpdateStatus> {
    const credentials = await options.credentials().catch(() => null)
    hasLibrary = credentials !== null
    if (!credentials || !engine) {
      publish()
      return status()
    }
    set({ phase: 'checking', message: null, fraction: null })
    let version: string | null
    try {
      version = await engine.check({ url: feedUrl(credentials.url), token: credentials.token })
    } catch (error) {
      options.warn?.(`update check failed: ${String(error)}`)
      set({
        phase: 'failed',
        version: null,
        message: `Could not check for updates. ${updateErrorMessage(error)}`
      })
      return status()
    }
    const checkedAt = now().toISOString()
    if (version === null) {
      set({ phase: 'up-to-date', checkedAt, version: null })
      return status()
    }
    if (support.mode === 'notify') {
      set({ phase: 'available', checkedAt, version, message: support.how })
      return status()
    }
    set({ phase: 'downloading', checkedAt, version, fraction: 0 })
    try {
      // Whole percents: at most a hundred events for the whole download.
      await engine.download((fraction) => {
        const percent = Math.floor(Math.max(0, Math.min(1, fraction)) * 100) / 100
        if (state.phase === 'downloading' && percent !== state.fraction) set({ fraction: percent })
      })
    } catch (error) {
      options.warn?.(`update download failed: ${String(error)}`)
      set({
        phase: 'failed',
        fraction: null,
        message: `Could not download Sidecast ${version}. ${updateErrorMessage(error)}`
      })
      return status()
    }
    set({ phase: 'ready', fraction: null, message: null })
    clearTimer()
    if (notified !== version) {
      notified = version
      options.notify(
        `Sidecast ${version} is ready`,
        'Restart Sidecast to update, from the tray or in Settings. Otherwise it installs when you next quit.'
      )
    }
    return status()
  }

  function check(): Promise<UpdateStatus> {
    if (support.mode === 'none' || state.phase === 'ready') return Promise.resolve(status())
    running ??= run().finally(() => {
      running = null
    })
    return running
  }

  return {
    status,
    check,
    restart() {
      if (state.phase !== 'ready' || !engine) {
        throw new SidecastError(
          'no-update',
          'There is no downloaded update to install yet. Check for updates first.'
        )
      }
      const waitsFor = options.restartWaitsFor()
      if (waitsFor) {
        publish()
        throw new SidecastError(
          'busy',
          `Sidecast does not restart while ${waitsFor} is under way. Restart to update once it has finished.`
        )
      }
      engine.install()
    },
    start() {
      if (started || disposed) return
      started = true
      if (support.mode === 'none') {
        publish()
        return
      }
      void refreshLibrary()
      plan(options.firstCheckDelayMs ?? FIRST_CHECK_DELAY_MS)
    },
    settingsChanged() {
      if (!started) return
      const on = automatic().on
      if (!on) clearTimer()
      // Turned on: the first check comes after the usual short wait, not four hours later.
      else if (timer === null) plan(options.firstCheckDelayMs ?? FIRST_CHECK_DELAY_MS)
      publish()
    },
    libraryChanged() {
      if (support.mode === 'none') return
      // A new library may have other releases: what the old one said no longer holds.
      if (state.phase === 'failed' || state.phase === 'up-to-date' || state.phase === 'available') {
        state = { ...state, phase: 'idle', message: null, version: null }
      }
      void refreshLibrary().then((found) => {
        // A library connected (or another one): its first check comes soon, not hours later.
        if (found && running === null) plan(options.firstCheckDelayMs ?? FIRST_CHECK_DELAY_MS)
      })
    },
    busyChanged() {
      if (state.phase === 'ready') publish()
    },
    dispose() {
      disposed = true
      clearTimer()
    }
  }
}
