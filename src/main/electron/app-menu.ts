/**
 * The application menu. Electron's default menu carries Reload, Force Reload (Ctrl/Cmd+Shift+R,
 * the record shortcut's own keys) and Toggle DevTools, so in a packaged app a keystroke could
 * reload the page mid-recording or open DevTools. Packaged builds have no menu on Windows and
 * Linux, and a minimal one on macOS (where an app without an app menu loses Quit, Hide and the
 * Edit shortcuts that text fields need). Development builds keep Electron's default menu.
 */
import { Menu, type MenuItemConstructorOptions } from 'electron'

/** The menu for `platform`, or null for none (Windows, Linux). Pure: no Electron call. */
export function appMenuTemplate(
  platform: string,
  appName: string
): MenuItemConstructorOptions[] | null {
  if (platform !== 'darwin') return null
  return [
    {
      label: appName,
      submenu: [
        { role: 'about' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' }
      ]
    },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' }
      ]
    },
    {
      label: 'Window',
      role: 'window',
      submenu: [{ role: 'minimize' }, { role: 'zoom' }, { type: 'separator' }, { role: 'front' }]
    }
  ]
}

export interface AppMenuOptions {
  readonly platform: string
  readonly appName: string
  /** `app.isPackaged`: development builds keep Electron's default menu (Reload, DevTools). */
  readonly isPackaged: boolean
}

export function installAppMenu(options: AppMenuOptions): void {
  if (!options.isPackaged) return
  const template = appMenuTemplate(options.platform, options.appName)
  Menu.setApplicationMenu(template ? Menu.buildFromTemplate(template) : null)
}
