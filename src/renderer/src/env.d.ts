import type { SidecastBridge } from '../../shared/ipc'

declare global {
  interface Window {
    /**
     * The only way to main: the preload in Electron, a WebSocket bridge in the e2e harness. Its
     * replies are raw envelopes; use `api` from ./api, which unwraps them.
     */
    readonly api: SidecastBridge
  }
}

export {}
