/**
 * The sandboxed preload: exposes `window.api` (the typed, allow-listed contract) and nothing else.
 *
 * contextBridge copies an Error that crosses into the page as a new Error with the same message:
 * the SidecastError's class and `code` stay behind. So replies cross as plain envelopes
 * (`SidecastBridge`) and the renderer unwraps them (src/renderer/src/lib/api-from-bridge.ts).
 */
import { contextBridge, ipcRenderer } from 'electron'
import { createApi } from './create-api'

contextBridge.exposeInMainWorld('api', createApi(ipcRenderer))
