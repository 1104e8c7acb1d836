import type { SidecastApi } from '../../shared/ipc'

declare global {
  interface Window {
    /** The only way to main: the preload in Electron, a WebSocket bridge in the e2e harness. */
    readonly api: SidecastApi
  }
}

export {}
