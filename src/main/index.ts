/**
 * Sidecast's main process: builds the services, wires them to Electron (windows, tray, shortcut,
 * capture, media protocol, IPC) and owns the app's lifecycle. Logic lives in the services and in
 * the pure helpers beside each edge file; this file only composes.
 *
 * Lifecycle choices:
 * - One instance: a second launch focuses the running one.
 * - Closing the window hides it to the tray on macOS and Windows (recording and the shortcut keep
 *   working); on Linux, where a tray icon may be invisible, closing quits.
 * - Quitting while recording first asks the renderer to stop and waits for the recording to be
 *   finished (quit-guard.ts); a crash instead is recovered on the next start.
 * - A reload or a crashed renderer while recording: main finishes the recording from what is on
 *   disk and the window, once loaded again, says it was saved (page-guard.ts).
 * - Linux Wayland: global shortcuts through the desktop portal, and the system's dialog chooses
 *   what to record, once per recording (wayland.ts).
 * - Packaged builds have no Reload or DevTools: no menu on Windows and Linux, a minimal one on
 *   macOS (app-menu.ts), and those keys blocked in the window.
 */
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  app,
  powerSaveBlocker,
  session,
  shell,
  type BrowserWindow,
  type WebContents
} from 'electron'
import Store from 'electron-store'
import type { EventChannel, EventPayload, RecorderCommand } from '../shared/ipc'
import { SETTINGS_SCHEMA, type Settings } from '../shared/settings'
import { createAppServices } from './app-services'
import { dispatchInvoke } from './ipc/dispatch'
import { createSettingsStore } from './settings/settings-store'
import { installAppMenu } from './electron/app-menu'
import {
  createBubbleController,
  openBubbleWindow,
  withCameraBubble
} from './electron/bubble-window'
import { installDisplayMediaHandler, listCaptureSources } from './electron/capture'
import { createEmitter, registerIpc } from './electron/ipc-main'
import { handleAppProtocol, registerPrivilegedSchemes } from './electron/app-protocol'
import { handleMediaProtocol } from './electron/media-protocol'
import { mediaUrl } from './electron/media-url'
import { electronLibraryNet } from './electron/net-stack'
import { guardPage } from './electron/page-guard'
import { installPermissionHandlers, permissionPolicy } from './electron/permissions'
import { createQuitGuard } from './electron/quit-guard'
import { deliverRecorderCommand } from './electron/recorder-commands'
import { createGlobalShortcut } from './electron/shortcut'
import { electronShareAdapters, showNotification } from './electron/share-adapters'
import { withShortcutSetting } from './electron/shortcut-setting'
import { createTray, type SidecastTray } from './electron/tray'
import { trayUpdateView } from './electron/tray-menu'
import { deliverAnswer, deliverShowRequests } from './electron/answer-command'
import { createElectronUpdateEngine, installFacts } from './electron/updater'
import { updateSupport } from './updates/update-policy'
import { rendererLocation } from './electron/trusted-sender'
import { createUploadIndicator } from './electron/upload-indicator'
import { chromiumFeatures } from './electron/wayland'
import { createCompactBar, createMainWindow, revealWindow } from './electron/windows'

const here = dirname(fileURLToPath(import.meta.url))
const platform = process.platform

// Privileged schemes (app://, sidecast-media://) must be registered before the app is ready.
registerPrivilegedSchemes()
// So are Chromium's features: on Wayland, global shortcuts through the desktop portal.
const features = chromiumFeatures(platform, process.env)
if (features.length > 0) app.commandLine.appendSwitch('enable-features', features.join(','))

// SIDECAST_DATA_DIR moves everything (projects, settings, Chromium's profile and the
// single-instance lock) so tests and side-by-side installs never share state.
const dataDirOverride = process.env.SIDECAST_DATA_DIR
if (dataDirOverride) app.setPath('userData', resolve(dataDirOverride))

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  start()
}

function start(): void {
  const dataDir = app.getPath('userData')
  const renderer = rendererLocation({
    devServerUrl: process.env['ELECTRON_RENDERER_URL'],
    isPackaged: app.isPackaged
  })
  const resourcesDir = join(app.getAppPath(), 'resources')

  let mainWindow: BrowserWindow | null = null
  let tray: SidecastTray | null = null
  const isOurWebContents = (contents: WebContents): boolean =>
    mainWindow !== null && !mainWindow.isDestroyed() && mainWindow.webContents === contents

  const settings = createSettingsStore(
    new Store<Settings>({ schema: SETTINGS_SCHEMA as never, name: 'settings', cwd: dataDir })
  )
  const uploadIndicator = createUploadIndicator({
    uploads: () => services.uploads.list(),
    projects: () => services.projects.list(),
    libraryReady: async () => (await services.library.credentials().catch(() => null)) !== null,
    tray: () => tray,
    window: () => mainWindow
  })
  const sendToWindows = createEmitter(() => (mainWindow ? [mainWindow] : []))
  // Events go to the window, and the tray follows the ones it shows.
  const emit = <E extends EventChannel>(channel: E, payload: EventPayload<E>): void => {
    sendToWindows(channel, payload)
    if (channel === 'projects:changed') void uploadIndicator.projectsChanged()
    if (channel === 'uploads:changed') uploadIndicator.uploadsChanged()
    if (channel === 'updates:changed') {
      tray?.setUpdate(trayUpdateView(payload as EventPayload<'updates:changed'>))
    }
  }
  // Only an installed release updates itself, from the connected library (src/main/updates/).
  const support = updateSupport(
    installFacts({
      isPackaged: app.isPackaged,
      platform,
      env: process.env,
      resourcesPath: process.resourcesPath
    })
  )
  const services = createAppServices({
    updates: {
      support,
      engine: support.mode === 'none' ? null : createElectronUpdateEngine({ app })
    },
    dataDir,
    version: app.getVersion(),
    platform,
    harness: false,
    // The tray lists the library's newest open requests ("Answer a request").
    trayRequests: true,
    settings,
    resourcesPath: process.resourcesPath,
    env: process.env,
    emit,
    adapters: {
      ...electronShareAdapters(platform),
      // Library requests over Chromium's network stack: system proxies, OS certificates.
      net: electronLibraryNet(),
      preventSleep() {
        const id = powerSaveBlocker.start('prevent-display-sleep')
        return () => {
          if (powerSaveBlocker.isStarted(id)) powerSaveBlocker.stop(id)
        }
      },
      // Sidecast's own window is left out: recording it would record the recorder.
      listCaptureSources: () =>
        listCaptureSources(
          process.platform,
          process.env,
          mainWindow && !mainWindow.isDestroyed() ? [mainWindow.getMediaSourceId()] : []
        ),
      revealPath: async (path) => shell.showItemInFolder(path),
      mediaUrl
    }
  })
  const recorder = services.recorder

  const command = (name: RecorderCommand): void => {
    void deliverRecorderCommand(mainWindow, name, recorder.state().phase)
  }

  const shortcut = createGlobalShortcut({ onPress: () => command('toggle'), platform })
  // The camera bubble: opened by a take started with a camera, closed when it ends.
  const bubble = createBubbleController({
    open: (cameraId) =>
      openBubbleWindow({
        preloadPath: join(here, '../preload/index.cjs'),
        rendererUrl: renderer.url,
        cameraId
      })
  })
  const handlers = withCameraBubble(
    withShortcutSetting(services.handlers, shortcut, () => tray?.update(recorder.state())),
    bubble,
    () => settings.get().cameraId
  )

  const quitGuard = createQuitGuard({
    state: () => recorder.state(),
    onState: (listener) => recorder.onState(listener),
    command: (name) => {
      if (mainWindow && !mainWindow.isDestroyed())
        mainWindow.webContents.send('recorder:command', name)
    },
    shutdown: () => services.shutdown(),
    quit: () => app.quit(),
    warn: (message, error) => console.error(`[quit] ${message}`, error)
  })
  app.on('before-quit', (event) => quitGuard.beforeQuit(event))
  app.on('will-quit', () => shortcut.dispose())
  app.on('second-instance', () => revealWindow(mainWindow))
  app.on('activate', () => revealWindow(mainWindow))

  function notify(body: string): void {
    showNotification('Sidecast', body)
  }

  services.library.onChange(() => void uploadIndicator.libraryChanged())
  function uploadLast(): void {
    const id = uploadIndicator.lastRecordingId()
    if (!id) return
    // The tray line and icon show the progress; only a refusal needs saying.
    void dispatchInvoke(handlers, 'uploads:start', [id, {}]).then((response) => {
      if (!response.ok) showNotification('Upload not started', response.error.message)
    })
  }

  void app.whenReady().then(async () => {
    if (platform === 'win32') app.setAppUserModelId('dev.sidecast.app')
    installAppMenu({ platform, appName: app.name, isPackaged: app.isPackaged })
    const ses = session.defaultSession
    // A camera only once the user has chosen one (the camera bubble).
    installPermissionHandlers(ses, renderer, () => permissionPolicy(settings.get()))
    installDisplayMediaHandler(ses, {
      selectedSourceId: () => settings.get().sourceId,
      renderer,
      isOurWebContents
    })
    handleAppProtocol(join(here, '../renderer'))
    handleMediaProtocol({
      projectDir: (id) => services.projects.projectDir(id),
      rendererOrigin: renderer.origin
    })
    registerIpc({ handlers, renderer, isOurWebContents })

    // Recover unfinished recordings before the window asks for the list and the notices.
    try {
      await services.startup()
    } catch (error) {
      console.error('[sidecast] recovering unfinished recordings failed', error)
    }

    const window = createMainWindow({
      preloadPath: join(here, '../preload/index.cjs'),
      url: renderer.url,
      ...(platform === 'darwin' ? {} : { iconPath: join(resourcesDir, 'icon.png') })
    })
    mainWindow = window
    const compactBar = createCompactBar(window)
    guardPage(window.webContents, {
      isPackaged: app.isPackaged,
      phase: () => recorder.state().phase,
      closing: () => quitGuard.quitting || window.isDestroyed(),
      finishRecording: (cause) => services.finishForLostWindow(cause)
    })

    tray = createTray({
      iconsDir: resourcesDir,
      platform,
      shortcut: () => shortcut.current() ?? undefined,
      actions: {
        start: () => command('start'),
        stop: () => command('stop'),
        pause: () => command('pause'),
        resume: () => command('resume'),
        restart: () => command('restart'),
        discard: () => command('discard'),
        uploadLast,
        open: () => revealWindow(mainWindow),
        quit: () => app.quit(),
        answerRequest: (answer) => void deliverAnswer(mainWindow, answer, recorder.state().phase),
        openRequests: () => deliverShowRequests(mainWindow),
        restartToUpdate() {
          // The item is disabled while work is running; a refusal here is a race, and Settings says why.
          try {
            services.updates.restart()
          } catch (error) {
            console.warn('[updates] restart refused', error)
          }
        }
      }
    })
    tray?.setUpdate(trayUpdateView(services.updates.status()))
    tray?.setRequests(services.learn.poller.trayRequests())
    services.learn.onTrayRequests((requests) => tray?.setRequests(requests))

    window.on('close', (event) => {
      if (quitGuard.done) return
      event.preventDefault()
      if (tray && platform !== 'linux') window.hide()
      else app.quit()
    })
    window.on('closed', () => {
      if (mainWindow === window) mainWindow = null
    })

    recorder.onState((state) => {
      tray?.update(state)
      compactBar.update(state.phase)
      bubble.phase(state.phase)
    })

    const problem = shortcut.register(settings.get().recordShortcut)
    if (problem) notify(problem)
    tray?.update(recorder.state())
    await Promise.all([uploadIndicator.projectsChanged(), uploadIndicator.libraryChanged()])
  })
}
