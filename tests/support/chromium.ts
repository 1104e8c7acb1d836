/** How Sidecast's tests and harness start Debian's Chromium so it can record the (Xvfb) screen. */
import { existsSync } from 'node:fs'

export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']
  const found = candidates.find((p): p is string => !!p && existsSync(p))
  if (!found) {
    throw new Error(
      'Chromium was not found. Install it (Debian: apt-get install chromium) or set CHROMIUM_PATH.'
    )
  }
  return found
}

/** Flags every test Chromium needs here: no sandbox (root), no GPU, and no network of its own. */
export const BASE_CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check'
]

/**
 * Flags for a headed Chromium that captures the real screen through getDisplayMedia.
 * Never add --use-fake-ui-for-media-stream: with it screen capture fails or yields a test pattern.
 */
export const CAPTURE_CHROMIUM_ARGS: readonly string[] = [
  ...BASE_CHROMIUM_ARGS,
  '--disable-features=Translate,MediaRouter',
  '--auto-select-desktop-capture-source=Entire screen',
  '--use-fake-device-for-media-stream'
]
