import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { MenuItemConstructorOptions } from 'electron'

const electron = vi.hoisted(() => ({
  setApplicationMenu: vi.fn(),
  buildFromTemplate: vi.fn((template: unknown) => ({ built: template }))
}))
vi.mock('electron', () => ({
  Menu: {
    setApplicationMenu: electron.setApplicationMenu,
    buildFromTemplate: electron.buildFromTemplate
  }
}))

import { appMenuTemplate, installAppMenu } from '../../../src/main/electron/app-menu'

/** Every role in a template, submenus included. */
function roles(items: readonly MenuItemConstructorOptions[]): string[] {
  return items.flatMap((item) => [
    ...(item.role ? [item.role] : []),
    ...(Array.isArray(item.submenu) ? roles(item.submenu as MenuItemConstructorOptions[]) : [])
  ])
}

/** Every accelerator a template sets itself. */
function accelerators(items: readonly MenuItemConstructorOptions[]): string[] {
  return items.flatMap((item) => [
    ...(item.accelerator ? [String(item.accelerator)] : []),
    ...(Array.isArray(item.submenu)
      ? accelerators(item.submenu as MenuItemConstructorOptions[])
      : [])
  ])
}

beforeEach(() => {
  electron.setApplicationMenu.mockClear()
  electron.buildFromTemplate.mockClear()
})

describe('appMenuTemplate', () => {
  it.each(['linux', 'win32'])('has no menu on %s', (platform) => {
    expect(appMenuTemplate(platform, 'Sidecast')).toBeNull()
  })

  it('on macOS has the app, Edit and Window menus, and no reload, DevTools or View menu', () => {
    const template = appMenuTemplate('darwin', 'Sidecast')!
    expect(template.map((item) => item.label)).toEqual(['Sidecast', 'Edit', 'Window'])
    const all = roles(template)
    expect(all).toEqual(
      expect.arrayContaining([
        'about',
        'hide',
        'quit',
        'undo',
        'redo',
        'cut',
        'copy',
        'paste',
        'selectAll',
        'minimize'
      ])
    )
    for (const forbidden of [
      'reload',
      'forceReload',
      'toggleDevTools',
      'viewMenu',
      'appMenu',
      'fileMenu',
      'editMenu',
      'windowMenu',
      'defaultMenu'
    ]) {
      expect(all).not.toContain(forbidden)
    }
    // Nothing binds a key of its own, least of all the record shortcut.
    expect(accelerators(template)).toEqual([])
  })
})

describe('installAppMenu', () => {
  it.each(['linux', 'win32'])('removes the menu of a packaged app on %s', (platform) => {
    installAppMenu({ platform, appName: 'Sidecast', isPackaged: true })
    expect(electron.setApplicationMenu).toHaveBeenCalledWith(null)
  })

  it('sets the minimal menu of a packaged app on macOS', () => {
    installAppMenu({ platform: 'darwin', appName: 'Sidecast', isPackaged: true })
    expect(electron.setApplicationMenu).toHaveBeenCalledWith({
      built: appMenuTemplate('darwin', 'Sidecast')
    })
  })

  it('keeps the default menu (Reload, DevTools) in development', () => {
    installAppMenu({ platform: 'linux', appName: 'Sidecast', isPackaged: false })
    expect(electron.setApplicationMenu).not.toHaveBeenCalled()
  })
})
