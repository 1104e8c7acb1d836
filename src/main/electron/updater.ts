/**
 * The edge to electron-updater: its `autoUpdater` as an UpdateEngine (updates/update-engine.ts),
 * and the facts about this install that decide whether it may update itself. The rules live in
 * updates/; this file only wires.
 *
 * - The feed is the connected library's `/updates/` (generic provider), set before every check
 *   with the access token as a Bearer header, so a changed library or token applies at once.
 * - Downloads are explicit (autoDownload off) so the service follows them; one byte range per
 *   request (the library answers single ranges; several at once get the whole file).
 * - "Restart to update" quits the usual way, so the quit guard finishes what is running first;
 *   then, on `will-quit`, electron-updater installs and starts the new version. A downloaded
 *   update the user did not restart for is installed when Sidecast next quits.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { App } from 'electron'
import type { AppUpdater, Logger } from 'electron-updater'
import type { UpdateEngine } from '../updates/update-engine'
import type { InstallFacts } from '../updates/update-policy'

/** How this copy was installed, as electron-updater itself tells a .deb from an AppImage. */
export function installFacts(options: {
  readonly isPackaged: boolean
  readonly platform: string
  readonly env: Readonly<Record<string, string | undefined>>
  /** `process.resourcesPath`, where electron-builder writes `package-type` for system packages. */
  readonly resourcesPath: string | undefined
}): InstallFacts {
  let packageType: string | null = null
  if (options.platform === 'linux' && options.resourcesPath) {
    const file = join(options.resourcesPath, 'package-type')
    try {
      if (existsSync(file)) packageType = readFileSync(file, 'utf8').trim() || null
    } catch {
      packageType = null
    }
  }
  return {
    isPackaged: options.isPackaged,
    platform: options.platform,
    appImage: Boolean(options.env['APPIMAGE']),
    packageType
  }
}

export interface ElectronUpdateEngineOptions {
  /** Quitting for the install, and `will-quit` to install on the way out. */
  readonly app: Pick<App, 'quit' | 'on'>
  /** The platform's updater; default electron-updater's `autoUpdater`, made at the first check. */
  readonly updater?: () => AppUpdater | Promise<AppUpdater>
  /** Where electron-updater's own log lines go; default the console, marked [updates]. */
  readonly logger?: Logger
}

const CONSOLE_LOGGER: Logger = {
  info: (message?: unknown) => console.log('[updates]', message),
  warn: (message?: unknown) => console.warn('[updates]', message),
  error: (message?: unknown) => console.error('[updates]', message)
}

/**
 * electron-updater's `autoUpdater`, loaded when first needed: the module takes most of a second to
 * load on a slow machine, and it picks the platform's updater when `autoUpdater` is first read.
 * It is CommonJS with `autoUpdater` as a getter, which Node's ESM import does not list as a named
 * export: it is read from the default export (module.exports).
 */
async function loadAutoUpdater(): Promise<AppUpdater> {
  const loaded = await import('electron-updater')
  const commonJs = (loaded as unknown as { default?: typeof loaded }).default
  return (commonJs ?? loaded).autoUpdater
}

export function createElectronUpdateEngine(options: ElectronUpdateEngineOptions): UpdateEngine {
  let updater: AppUpdater | null = null
  let making: Promise<AppUpdater> | null = null
  let onProgress: ((fraction: number) => void) | null = null
  let installing = false

  // Made on first use: nothing needs it before automatic checks are on or "Check now" is pressed.
  function get(): Promise<AppUpdater> {
    making ??= (async () => {
      const made = await (options.updater ?? loadAutoUpdater)()
      made.autoDownload = false
      made.autoInstallOnAppQuit = true
      made.allowDowngrade = false
      made.logger = options.logger ?? CONSOLE_LOGGER
      made.on('download-progress', (info) => onProgress?.(info.percent / 100))
      updater = made
      return made
    })().catch((error: unknown) => {
      making = null
      throw error
    })
    return making
  }

  options.app.on('will-quit', () => {
    // After the quit guard: windows are closed and the services shut down.
    if (installing && updater) updater.quitAndInstall(true, true)
  })

  return {
    async check(feed) {
      const engine = await get()
      engine.setFeedURL({ provider: 'generic', url: feed.url, useMultipleRangeRequest: false })
      engine.requestHeaders = { Authorization: `Bearer ${feed.token}` }
      const result = await engine.checkForUpdates()
      // null: electron-updater is not active (an unpackaged app); updateSupport rules that out.
      if (!result) throw new Error('The updater is not active in this copy of Sidecast.')
      return result.isUpdateAvailable ? result.updateInfo.version : null
    },
    async download(progress) {
      onProgress = progress
      try {
        await (await get()).downloadUpdate()
      } finally {
        onProgress = null
      }
    },
    install() {
      installing = true
      options.app.quit()
    }
  }
}
