/** The typed IPC api; the renderer never imports electron. */
import type { SidecastApi } from '../../shared/ipc'
import { apiFromBridge } from './lib/api-from-bridge'

/** `window.api` carries plain envelopes (preload or harness bridge); this unwraps them here. */
export const api: SidecastApi = apiFromBridge(window.api)
