/**
 * The tray icon: state icon, tooltip and the menu from tray-menu.ts.
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
  type TrayIconName
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

  let shownIcon: TrayIconName | null = null
  const update = (state: RecorderState): void => {
    if (tray.isDestroyed()) return
    const name = trayIconName(state)
    if (name !== shownIcon) {
      tray.setImage(icon(name))
      shownIcon = name
    }
    tray.setToolTip(trayTooltip(state))
    const shortcut = options.shortcut()
    tray.setContextMenu(
      Menu.buildFromTemplate(buildTrayMenu(state, options.actions, shortcut ? { shortcut } : {}))
    )
  }
  update({ phase: 'idle', projectId: null })

  return {
    update,
    destroy: () => {
      if (!tray.isDestroyed()) tray.destroy()
    }
  }
}
