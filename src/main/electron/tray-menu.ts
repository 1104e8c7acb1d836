/**
 * What the tray shows for each recorder state: menu items, tooltip, icon. Pure; tray.ts turns
 * the result into Electron objects.
 */
import type { MenuItemConstructorOptions } from 'electron'
import type { RecorderState } from '../../shared/ipc'

export interface TrayActions {
  start(): void
  stop(): void
  pause(): void
  resume(): void
  /** Shows and focuses the main window. */
  open(): void
  quit(): void
}

export interface TrayMenuOptions {
  /** The global shortcut, shown next to Start/Stop (display only, not registered by the menu). */
  readonly shortcut?: string
}

export type TrayIconName = 'idle' | 'recording' | 'paused'

function withShortcut(
  item: MenuItemConstructorOptions,
  shortcut?: string
): MenuItemConstructorOptions {
  return shortcut ? { ...item, accelerator: shortcut, registerAccelerator: false } : item
}

export function buildTrayMenu(
  state: RecorderState,
  actions: TrayActions,
  options: TrayMenuOptions = {}
): MenuItemConstructorOptions[] {
  const tail: MenuItemConstructorOptions[] = [
    { id: 'open', label: 'Open Sidecast', click: () => actions.open() },
    { type: 'separator' },
    { id: 'quit', label: 'Quit Sidecast', click: () => actions.quit() }
  ]
  const stop = withShortcut(
    { id: 'stop', label: 'Stop recording', click: () => actions.stop() },
    options.shortcut
  )
  switch (state.phase) {
    case 'idle':
      return [
        withShortcut(
          { id: 'start', label: 'Start recording', click: () => actions.start() },
          options.shortcut
        ),
        ...tail
      ]
    case 'recording':
      return [
        stop,
        { id: 'pause', label: 'Pause recording', click: () => actions.pause() },
        ...tail
      ]
    case 'paused':
      return [
        stop,
        { id: 'resume', label: 'Resume recording', click: () => actions.resume() },
        ...tail
      ]
    case 'finishing':
      return [{ id: 'saving', label: 'Saving recording…', enabled: false }, ...tail]
  }
}

export function trayTooltip(state: RecorderState): string {
  switch (state.phase) {
    case 'idle':
      return 'Sidecast — ready to record'
    case 'recording':
      return 'Sidecast — recording'
    case 'paused':
      return 'Sidecast — recording paused'
    case 'finishing':
      return 'Sidecast — saving the recording…'
  }
}

export function trayIconName(state: RecorderState): TrayIconName {
  return state.phase === 'recording' || state.phase === 'paused' ? state.phase : 'idle'
}

/**
 * The icon file for a state. macOS and Windows pick `@2x` themselves on HiDPI screens; Linux tray
 * hosts scale one bitmap, so they get the larger one.
 */
export function trayIconFile(name: TrayIconName, platform: string): string {
  return platform === 'linux' ? `tray-${name}@2x.png` : `tray-${name}.png`
}
