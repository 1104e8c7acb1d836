/**
 * The tray icon: state icon, tooltip and the menu from tray-menu.ts, following the recorder and
 * the uploads. The menu is rebuilt only when what it shows has changed (upload progress arrives
 * several times a second).
 */
import { join } from 'node:path'
import { Menu, nativeImage, Tray, type NativeImage } from 'electron'
import type { RecorderState } from '../../shared/ipc'
import {
  buildTrayMenu,
  trayIconFile,
  trayIconName,
  trayTooltip,
  type TrayActions,
  type TrayIconName,
  type TrayRequest,
  type TrayUpdateView,
  type TrayUploadView
} from './tray-menu'

export interface TrayOptions {
  /** Folder holding tray-<state>.png and tray-<state>@2x.png. */
  readonly iconsDir: string
  readonly platform: string
  readonly actions: TrayActions
  /** The current global shortcut, shown in the menu. */
  shortcut(): string | undefined
}

export interface SidecastTray {
  update(state: RecorderState): void
  /** Shows the sharing state: "Upload last recording", the activity line, tooltip and icon. */
  setUpload(view: TrayUploadView): void
  /** Shows "Restart to update" (null: not shown). */
  setUpdate(view: TrayUpdateView | null): void
  /** Shows "Answer a request" with these open requests (none: not shown). */
  setRequests(requests: readonly TrayRequest[]): void
  destroy(): void
}

/** Creates the tray; null when the platform gives us none (then the window is the only way in). */
export function createTray(options: TrayOptions): SidecastTray | null {
  const icons = new Map<TrayIconName, NativeImage>()
  const icon = (name: TrayIconName): NativeImage => {
    let image = icons.get(name)
    if (!image) {
      image = nativeImage.createFromPath(
        join(options.iconsDir, trayIconFile(name, options.platform))
      )
      icons.set(name, image)
    }
    return image
  }

  let tray: Tray
  try {
    tray = new Tray(icon('idle'))
  } catch (error) {
    console.warn('[tray] no system tray available', error)
    return null
  }
  // Windows users expect a left click on the icon to open the app; elsewhere it opens the menu.
  if (options.platform === 'win32') tray.on('click', () => options.actions.open())

  let recorder: RecorderState = { phase: 'idle', projectId: null }
  let upload: TrayUploadView = { canUploadLast: false, activity: null }
  let update: TrayUpdateView | null = null
  let requests: readonly TrayRequest[] = []
  let shownIcon: TrayIconName | null = null
  let shownKey = ''

  const render = (): void => {
    if (tray.isDestroyed()) return
    const name = trayIconName(recorder, upload.activity !== null)
    if (name !== shownIcon) {
      tray.setImage(icon(name))
      shownIcon = name
    }
    const shortcut = options.shortcut()
    const key = JSON.stringify([recorder.phase, shortcut ?? '', upload, update, requests])
    if (key === shownKey) return
    shownKey = key
    tray.setToolTip(trayTooltip(recorder, upload.activity))
    tray.setContextMenu(
      Menu.buildFromTemplate(
        buildTrayMenu(recorder, options.actions, {
          ...(shortcut ? { shortcut } : {}),
          upload,
          update,
          requests
        })
      )
    )
  }
  render()

  return {
    update(state) {
      recorder = state
      // The shortcut may have changed with the settings: always re-render on a recorder update.
      shownKey = ''
      render()
    },
    setUpload(view) {
      upload = view
      render()
    },
    setUpdate(view) {
      update = view
      render()
    },
    setRequests(list) {
      requests = list.map((r) => ({ id: r.id, title: r.title }))
      render()
    },
    destroy: () => {
      if (!tray.isDestroyed()) tray.destroy()
    }
  }
}
