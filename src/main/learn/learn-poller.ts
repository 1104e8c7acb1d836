/**
 * Brings the library's "Learn together" news to the desktop (docs/learning-together.md, "In the
 * desktop app"): while a library that has the `learn` feature is connected, it polls
 * `GET /api/notifications?after=<cursor>` every 60 s (and at once after a connect, the network
 * coming back or the computer waking), shows one system notification per new item (more than
 * three at once: one summary opening the inbox), and keeps the newest open requests for the
 * tray's "Answer a request". Polled, not pushed: one request a minute, none while no library is
 * connected. One poll at a time; failures back off (2, 4, 8… minutes, at most 15).
 *
 * The very first poll of an account (a library's address and the user's name from `/api/me`) only
 * notes where its notifications stand, so connecting does not flood the desktop with old news; the
 * cursor is kept per account (CursorStore), so another person's token on the same library starts
 * the same way. Turning "Notify me about activity" back on after it was off starts fresh too: what
 * came meanwhile is not shown. More new items than one page (NOTIFICATIONS_PAGE_SIZE) say "50+".
 */
import type { NotificationJson, RequestJson } from '../../shared/learn'
import type { LibraryCredentials } from '../share/library'
import type { CursorStore } from './notification-cursors'
import {
  isLibraryPage,
  LEARN_FEATURE,
  NOTIFICATIONS_PAGE_SIZE,
  type LearnClient
} from './learn-client'

/** How often the library is asked for news. */
export const POLL_INTERVAL_MS = 60_000
/** The longest wait after failures. */
export const MAX_BACKOFF_MS = 15 * 60_000
/** How long the library's answer about its features is trusted. */
export const FEATURES_TTL_MS = 10 * 60_000
/** More new notifications than this at once become one summary. */
export const MAX_SEPARATE_NOTIFICATIONS = 3
/** Open requests the tray lists. */
export const TRAY_REQUESTS = 8

export interface PollTimers {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

const REAL_TIMERS: PollTimers = {
  setTimeout(callback, ms) {
    const handle = setTimeout(callback, ms)
    handle.unref?.()
    return handle
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>)
}

export interface LearnPollerOptions {
  readonly client: LearnClient
  /** Whether native notifications are wanted (Settings › Team library). */
  notificationsOn(): boolean
  /** Shows a system notification; clicking it opens `url`. */
  notify(title: string, body: string, options: { readonly url?: string }): void
  readonly cursors: CursorStore
  /** Told whenever the tray's list of open requests changes (empty: none, or not connected). */
  trayRequestsChanged?(requests: readonly RequestJson[]): void
  /** Whether anything shows the open requests (a tray); default true. */
  wantsTrayRequests?(): boolean
  readonly timers?: PollTimers
  readonly now?: () => number
  readonly intervalMs?: number
  readonly warn?: (message: string) => void
}

export interface LearnPoller {
  /** Starts polling (the first poll at once). */
  start(): void
  /** Polls now (a connect, the network back, waking up, the setting turned on). */
  pollSoon(): void
  /** The newest open requests, for the tray (up to TRAY_REQUESTS). */
  trayRequests(): readonly RequestJson[]
  /** Runs one poll and resolves when it is done (a poll already running is waited for). */
  pollNow(): Promise<void>
  dispose(): void
}

/**
 * What to show for new notifications: one each, or one summary opening the inbox. `more`: the
 * library had more than it gave (a full page), so the count is a lower bound ("50+").
 */
export function notificationsToShow(
  fresh: readonly NotificationJson[],
  libraryUrl: string,
  more = false
): { title: string; body: string; url?: string }[] {
  if (more || fresh.length > MAX_SEPARATE_NOTIFICATIONS) {
    return [
      {
        title: `${fresh.length}${more ? '+' : ''} new in Sidecast Library`,
        body: 'Answers, comments and thanks are waiting in your inbox.',
        url: `${libraryUrl}/inbox`
      }
    ]
  }
  return fresh.map((n) => ({
    title: n.title,
    body: n.body,
    // Only a page of the library itself is opened from a click.
    ...(isLibraryPage(n.url, libraryUrl) ? { url: n.url } : {})
  }))
}

export function createLearnPoller(options: LearnPollerOptions): LearnPoller {
  const { client, cursors } = options
  const timers = options.timers ?? REAL_TIMERS
  const now = options.now ?? Date.now
  const intervalMs = options.intervalMs ?? POLL_INTERVAL_MS
  const warn = options.warn ?? ((message: string) => console.warn(`[learn] ${message}`))

  let timer: unknown = null
  let running: Promise<void> | null = null
  let again = false
  let disposed = false
  let failures = 0
  let features: { key: string; at: number; learn: boolean; name: string } | null = null
  /** The setting was seen off at a poll: when it is on again, start fresh. */
  let notifyWasOff = false
  let requests: readonly RequestJson[] = []
  let requestsKey = '[]'

  function schedule(ms: number): void {
    if (disposed) return
    if (timer !== null) timers.clearTimeout(timer)
    timer = timers.setTimeout(() => {
      timer = null
      void pollNow()
    }, ms)
  }

  function setTrayRequests(list: readonly RequestJson[]): void {
    const key = JSON.stringify(list.map((r) => [r.id, r.title]))
    requests = list
    if (key === requestsKey) return
    requestsKey = key
    options.trayRequestsChanged?.(list)
  }

  /** Whether the library has `learn`, and whose the token is (the name), or 'failed'. */
  async function learnAccount(
    creds: LibraryCredentials
  ): Promise<{ learn: boolean; name: string } | 'failed'> {
    const key = `${creds.url}\n${creds.token}`
    if (features?.key === key && now() - features.at < FEATURES_TTL_MS) return features
    const answer = await client.me()
    if (answer.kind !== 'ok') return 'failed'
    features = {
      key,
      at: now(),
      learn: answer.value.features.includes(LEARN_FEATURE),
      name: answer.value.name
    }
    return features
  }

  /** One poll: `failed` backs off, `idle` waits for a connect (no library, or no `learn`). */
  async function pollOnce(): Promise<'ok' | 'failed' | 'idle'> {
    const creds = await client.credentials()
    if (!creds) {
      setTrayRequests([])
      return 'idle'
    }
    const account = await learnAccount(creds)
    if (account === 'failed') return 'failed'
    if (!account.learn) {
      setTrayRequests([])
      return 'idle'
    }
    let ok = true
    if (options.wantsTrayRequests?.() ?? true) {
      const open = await client.openRequests()
      if (open.kind === 'ok') setTrayRequests(open.value.slice(0, TRAY_REQUESTS))
      else {
        ok = false
        if (open.kind === 'auth' || open.kind === 'not-connected') setTrayRequests([])
      }
    }
    if (options.notificationsOn()) {
      // Stays set until a poll of the notifications succeeds.
      if (await pollNotifications(creds.url, account.name, notifyWasOff)) notifyWasOff = false
      else ok = false
    } else notifyWasOff = true
    return ok ? 'ok' : 'failed'
  }

  /** `startFresh`: only note where the notifications stand (the setting was just turned on). */
  async function pollNotifications(
    libraryUrl: string,
    name: string,
    startFresh: boolean
  ): Promise<boolean> {
    const cursor = await cursors.get(libraryUrl, name)
    const answer = await client.notifications(cursor ?? undefined)
    if (answer.kind !== 'ok') return false
    const list = answer.value.notifications
    const newest = list.reduce((max, n) => Math.max(max, n.id), cursor ?? 0)
    if (cursor === null || startFresh) {
      // The first poll of this account, or the setting back on: note where it stands, show
      // nothing old.
      if (newest !== cursor) await cursors.set(libraryUrl, name, newest)
      return true
    }
    const fresh = list.filter((n) => n.id > cursor).sort((a, b) => a.id - b.id)
    if (fresh.length === 0) return true
    // The cursor first: a failure to show one must not show them all again next time.
    await cursors.set(libraryUrl, name, newest)
    const more = list.length >= NOTIFICATIONS_PAGE_SIZE
    for (const shown of notificationsToShow(fresh, libraryUrl, more)) {
      try {
        options.notify(shown.title, shown.body, shown.url ? { url: shown.url } : {})
      } catch (error) {
        warn(`could not show a notification: ${String(error)}`)
      }
    }
    return true
  }

  function pollNow(): Promise<void> {
    if (running) {
      again = true
      return running
    }
    if (disposed) return Promise.resolve()
    const run = (async () => {
      let outcome: 'ok' | 'failed' | 'idle' = 'failed'
      try {
        outcome = await pollOnce()
      } catch (error) {
        warn(`polling the library failed: ${String(error)}`)
      }
      if (outcome === 'failed') {
        failures++
        schedule(Math.min(MAX_BACKOFF_MS, intervalMs * 2 ** failures))
      } else {
        failures = 0
        // Nothing to poll (no library, or one without the feature): wait for a connect.
        if (outcome === 'ok') schedule(intervalMs)
        else if (timer !== null) {
          timers.clearTimeout(timer)
          timer = null
        }
      }
    })()
    running = run
    return run.finally(() => {
      running = null
      if (again) {
        again = false
        void pollNow()
      }
    })
  }

  return {
    start: () => void pollNow(),
    pollSoon() {
      // A new connection (or token) asks the library about its features again.
      features = null
      failures = 0
      void pollNow()
    },
    trayRequests: () => requests,
    pollNow,
    dispose() {
      disposed = true
      if (timer !== null) timers.clearTimeout(timer)
      timer = null
    }
  }
}
