/**
 * Keeps a recording safe from what can happen to the page that drives it. A reload (a shortcut,
 * a navigation) or a crashed renderer ends the page's MediaRecorder; main then finishes the
 * recording from what the capture writer already has on disk, like the quit guard and recovery
 * do, and the window, when it loads again, says the recording was saved. A crashed window is
 * reloaded so that it can say so (at most once a minute, so a page that crashes at load does not
 * loop). In packaged builds the reload and DevTools keys never reach Chromium.
 */
import type { Input, RenderProcessGoneDetails, WebContents } from 'electron'
import type { RecorderPhase } from '../../shared/ipc'
import type { WindowLostCause } from '../../shared/project'

/** The parts of a key event the shortcut check reads (Electron's `Input`). */
export type KeyInput = Pick<Input, 'type' | 'key' | 'code' | 'control' | 'meta' | 'shift' | 'alt'>

/**
 * Reload (Ctrl/Cmd+R, F5 with any modifier) and DevTools (F12, Ctrl/Cmd+Shift+I/J/C,
 * Cmd+Alt+I/J/C) keys. Letters are matched by key or by physical position, since Alt on macOS
 * changes the key. Ctrl/Cmd+Shift+R is not among them: it is the record shortcut, which the page
 * handles itself (use-recorder-keys.ts) when the global shortcut could not be registered; with no
 * menu and no Chromium binding it reloads nothing.
 */
export function isBlockedShortcut(input: KeyInput): boolean {
  if (input.type !== 'keyDown') return false
  const key = input.key.toLowerCase()
  if (key === 'f5' || key === 'f12' || input.code === 'F5' || input.code === 'F12') return true
  if (!input.control && !input.meta) return false
  const letter = (l: string): boolean => key === l || input.code === `Key${l.toUpperCase()}`
  if (letter('r')) return !input.shift
  const devTools = letter('i') || letter('j') || letter('c')
  return devTools && (input.shift || (input.meta && input.alt))
}

/** What happened to the page: a new document is loading in its main frame, or its process is gone. */
export type PageEvent =
  | { readonly kind: 'navigation' }
  | { readonly kind: 'gone'; readonly reason: RenderProcessGoneDetails['reason'] }

export interface PageLostDecision {
  /** Finish the active recording now, with this cause in its notice; null leaves it alone. */
  readonly finishRecording: WindowLostCause | null
  /** Load the page again (after a crash), so the window is usable and shows the notice. */
  readonly reload: boolean
}

/** Crash reloads closer together than this are not repeated (a page that crashes at load). */
export const CRASH_RELOAD_INTERVAL_MS = 60_000

export interface PageLostContext {
  readonly phase: RecorderPhase
  /** True once the app is quitting or the window is closing: nothing is reloaded then. */
  readonly closing: boolean
  readonly now: number
  /** When the page was last reloaded after a crash, or null. */
  readonly lastCrashReloadAt: number | null
}

/** What to do about a page event. Pure. */
export function decidePageLost(event: PageEvent, context: PageLostContext): PageLostDecision {
  const capturing = context.phase === 'recording' || context.phase === 'paused'
  if (event.kind === 'navigation') {
    return { finishRecording: capturing ? 'window-reloaded' : null, reload: false }
  }
  // 'clean-exit' is the page closing with its window; anything else is a crash or a kill.
  const crashed = event.reason !== 'clean-exit'
  const recentlyReloaded =
    context.lastCrashReloadAt !== null &&
    context.now - context.lastCrashReloadAt < CRASH_RELOAD_INTERVAL_MS
  return {
    finishRecording: capturing ? 'window-crashed' : null,
    reload: crashed && !context.closing && !recentlyReloaded
  }
}

export interface PageGuardOptions {
  /** `app.isPackaged`: only packaged builds block the reload and DevTools keys. */
  readonly isPackaged: boolean
  /** The recorder's phase now. */
  phase(): RecorderPhase
  /** True once the app quits or the window closes. */
  closing(): boolean
  /** Finishes the active recording (AppServices.finishForLostWindow). */
  finishRecording(cause: WindowLostCause): Promise<void>
  /** Where failures are reported. */
  readonly warn?: (message: string, error: unknown) => void
  /** The clock; tests pass their own. */
  readonly now?: () => number
}

/** Installs the guard on our window's webContents. */
export function guardPage(contents: WebContents, options: PageGuardOptions): void {
  const now = options.now ?? Date.now
  const warn = options.warn ?? ((message, error) => console.error(`[page] ${message}`, error))
  let lastCrashReloadAt: number | null = null

  const act = (event: PageEvent): PageLostDecision => {
    const decision = decidePageLost(event, {
      phase: options.phase(),
      closing: options.closing(),
      now: now(),
      lastCrashReloadAt
    })
    if (decision.finishRecording) {
      options
        .finishRecording(decision.finishRecording)
        .catch((error: unknown) => warn('Finishing the recording for a lost window failed', error))
    }
    return decision
  }

  if (options.isPackaged) {
    contents.on('before-input-event', (event, input) => {
      if (isBlockedShortcut(input)) event.preventDefault()
    })
  }
  contents.on('did-start-navigation', (details) => {
    // Our window never navigates away (lockNavigation); a new main-frame document is a reload.
    if (details.isMainFrame && !details.isSameDocument) act({ kind: 'navigation' })
  })
  contents.on('render-process-gone', (_event, details) => {
    const decision = act({ kind: 'gone', reason: details.reason })
    if (decision.reload && !contents.isDestroyed()) {
      lastCrashReloadAt = now()
      contents.reload()
    }
  })
}
