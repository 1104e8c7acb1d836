/**
 * The rules of updating Sidecast, pure so each is tested on its own: which copies may update
 * themselves, whether checks are automatic (the setting, or SIDECAST_UPDATES), where the feed is
 * (the connected library's `/updates/`), when to check, what holds a restart back, and how a
 * failure reads. update-service.ts applies them; electron/updater.ts is the edge to
 * electron-updater.
 */
import type { RecorderPhase, UploadInfo } from '../../shared/ipc'

/** `0` or `1` fixes "Check for updates automatically" for a managed install. */
export const ENV_UPDATES = 'SIDECAST_UPDATES'

/** The first automatic check waits this long after start, so startup work goes first. */
export const FIRST_CHECK_DELAY_MS = 30_000
/** Then a check every few hours while automatic checks are on. */
export const CHECK_INTERVAL_MS = 4 * 60 * 60 * 1000
/** After a failed check (offline, the library down), the next one comes sooner. */
export const RETRY_AFTER_FAILURE_MS = 30 * 60 * 1000

/** What updating this copy can mean. */
export type UpdateSupport =
  /** It downloads a newer release and installs it on restart (Windows, macOS, AppImage). */
  | { readonly mode: 'install' }
  /** It can tell that a newer release exists; `how` says how to install it (a .deb). */
  | { readonly mode: 'notify'; readonly how: string }
  /** It does not update itself; `reason` says why. */
  | { readonly mode: 'none'; readonly reason: string }

/** What the Electron edge knows about how this copy was installed. */
export interface InstallFacts {
  /** `app.isPackaged`: false for `npm start` and `npm run dev`. */
  readonly isPackaged: boolean
  readonly platform: string
  /** True when running from an AppImage (its runtime sets APPIMAGE). */
  readonly appImage: boolean
  /**
   * What electron-builder wrote to `<resources>/package-type` for a system package (`deb`,
   * `rpm`, `pacman`), or null when there is no such file.
   */
  readonly packageType: string | null
}

export const NOT_INSTALLED =
  'This copy of Sidecast runs from its source code (not installed from a release), so it does not update itself.'

/**
 * Windows (NSIS), macOS and the Linux AppImage install updates themselves. A system package (the
 * .deb) belongs to the system's package manager: Sidecast does not replace it behind its back
 * with root rights, it only says when a newer release is out.
 */
export function updateSupport(facts: InstallFacts): UpdateSupport {
  if (!facts.isPackaged) return { mode: 'none', reason: NOT_INSTALLED }
  if (facts.platform === 'win32' || facts.platform === 'darwin') return { mode: 'install' }
  if (facts.platform === 'linux') {
    if (facts.appImage) return { mode: 'install' }
    const type = facts.packageType?.trim().toLowerCase()
    if (type && /^[a-z0-9]{1,16}$/.test(type)) {
      return {
        mode: 'notify',
        how: `Sidecast was installed as a .${type} package, so it is updated with your system’s package manager: install the new .${type} your team publishes.`
      }
    }
    return {
      mode: 'none',
      reason:
        'This copy of Sidecast cannot update itself: on Linux only the AppImage does. Install the new release your team publishes.'
    }
  }
  return { mode: 'none', reason: `Sidecast cannot update itself on ${facts.platform}.` }
}

/** SIDECAST_UPDATES: true or false when it fixes automatic checks, null when it does not. */
export function updatesEnv(env: Readonly<Record<string, string | undefined>>): boolean | null {
  const value = env[ENV_UPDATES]?.trim().toLowerCase()
  if (value === '1' || value === 'true' || value === 'on' || value === 'yes') return true
  if (value === '0' || value === 'false' || value === 'off' || value === 'no') return false
  return null
}

/** Whether checks are automatic, and whether the environment decided it (then read-only). */
export function automaticUpdates(
  setting: boolean,
  env: boolean | null
): { readonly on: boolean; readonly managed: boolean } {
  return env === null ? { on: setting, managed: false } : { on: env, managed: true }
}

/**
 * The generic feed electron-updater reads `latest*.yml` from: the library's `/updates/` folder
 * (server/src/updates.ts). `libraryUrl` is the normalised base URL, maybe with a path.
 */
export function feedUrl(libraryUrl: string): string {
  return `${libraryUrl.replace(/\/+$/, '')}/updates/`
}

/** What is going on that a restart would cut short. */
export interface BusyFacts {
  readonly recorderPhase: RecorderPhase
  /** True while an export runs (the user's, or one an upload made). */
  readonly exporting: boolean
  readonly uploads: readonly UploadInfo[]
}

/**
 * What must finish before Sidecast may restart to update, or null when nothing must. The same
 * rule as quitting (electron/quit-guard.ts): a recording that is not idle is never cut; and an
 * export or an upload that is sending is not interrupted either. An upload waiting in the queue
 * does not hold the restart back: it resumes after it, from where it was.
 */
export function restartWaitsFor(facts: BusyFacts): string | null {
  if (facts.recorderPhase !== 'idle') return 'the recording'
  if (facts.uploads.some((u) => u.state === 'uploading' || u.state === 'exporting')) {
    return 'the upload'
  }
  if (facts.exporting) return 'the export'
  return null
}

/** When the next automatic check is due, from the outcome of the last one. */
export function nextCheckDelay(lastFailed: boolean): number {
  return lastFailed ? RETRY_AFTER_FAILURE_MS : CHECK_INTERVAL_MS
}

const NETWORK =
  /ERR_(INTERNET_DISCONNECTED|NAME_NOT_RESOLVED|NAME_RESOLUTION_FAILED|CONNECTION_\w+|ADDRESS_UNREACHABLE|NETWORK_\w+|TIMED_OUT|PROXY_\w+)|ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|socket hang up/

/**
 * A failure from electron-updater (an HttpError with `statusCode`, an error with a `code`, or
 * Chromium's `net::ERR_…`) as a sentence for the Settings line: what happened and what to do.
 */
export function updateErrorMessage(error: unknown): string {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as {
    statusCode?: unknown
    code?: unknown
  }
  const status = typeof fields.statusCode === 'number' ? fields.statusCode : null
  const code = typeof fields.code === 'string' ? fields.code : ''
  const message = error instanceof Error ? error.message : String(error)
  if (status === 401 || status === 403) {
    return 'The library refused the access token. Enter a new one under Team library.'
  }
  if (status === 404 || code === 'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND') {
    return 'The library offers no updates for this system: its updates folder is not set up, or holds no release for this system yet.'
  }
  if (status === 429 || status === 503) return 'The library is busy. Sidecast will try again later.'
  if (status !== null && status >= 500) {
    return `The library had a problem (HTTP ${status}). Sidecast will try again later.`
  }
  if (NETWORK.test(`${code} ${message}`)) {
    return 'The library could not be reached. Check the network connection; Sidecast will try again later.'
  }
  if (code === 'ENOSPC' || /ENOSPC|no space left/i.test(message)) {
    return 'There is not enough free disk space to download the update. Free some space and check again.'
  }
  if (/checksum mismatch/i.test(message)) {
    return 'The download was damaged (its checksum did not match). Sidecast will download it again at the next check.'
  }
  if (/not signed by the application owner|code ?signature|signature verification/i.test(message)) {
    return 'The update is not signed by the publisher of this copy of Sidecast, so it was not installed. Tell whoever publishes your team’s releases.'
  }
  if (
    code === 'ERR_UPDATER_INVALID_VERSION' ||
    code === 'ERR_UPDATER_INVALID_UPDATE_INFO' ||
    code === 'ERR_UPDATER_NO_FILES_PROVIDED'
  ) {
    return 'The library’s release information (latest.yml) could not be read. Tell whoever publishes your team’s releases.'
  }
  const first = (message.split('\n')[0] ?? '').trim().slice(0, 200) || 'Something went wrong'
  return /[.!?]$/.test(first) ? first : `${first}.`
}
