/**
 * Library requests through Electron's `net` (Chromium's network stack, the default session):
 * the system's proxy settings (including PAC files and WPAD) and the OS certificate store apply,
 * as in the browser, so the library works in offices behind a proxy or a TLS-inspecting gateway.
 * Thin: the HttpStack and the fetch live in share/http-stack.ts, tested on node:http.
 *
 * `net` is usable once the app is ready; `net.request` is only called when a request is made.
 */
import { net } from 'electron'
import { createNetFetch, createNetHttpStack, type NetRequest } from '../share/http-stack'
import type { LibraryNet } from '../share/library-net'

/** Electron's net.request as http-stack.ts's NetRequest (a type error here means they drifted). */
export const electronNetRequest: NetRequest = (options) => net.request(options)

/** The LibraryNet of the app: the JSON API and tus uploads over Chromium's network stack. */
export function electronLibraryNet(): LibraryNet {
  return {
    fetch: createNetFetch(electronNetRequest),
    httpStack: createNetHttpStack(electronNetRequest)
  }
}
