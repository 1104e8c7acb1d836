/** The typed IPC api; the renderer never imports electron. */
import type { SidecastApi } from '../../shared/ipc'

export const api: SidecastApi = window.api
