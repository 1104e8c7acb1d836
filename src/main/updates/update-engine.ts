/**
 * What the update service needs from whatever installs updates: electron-updater in the app
 * (electron/updater.ts), a scripted fake in the e2e harness and the tests.
 */

/** Where to look for updates, and the token to show there. */
export interface UpdateFeed {
  /** The generic feed's base URL, ending in `/updates/` (feedUrl in update-policy.ts). */
  readonly url: string
  /** The library access token, sent as `Authorization: Bearer …`. */
  readonly token: string
}

export interface UpdateEngine {
  /** The newer version on the feed, or null when this one is current. Rejects with what failed. */
  check(feed: UpdateFeed): Promise<string | null>
  /**
   * Downloads the version the last check found; `onProgress` gets 0–1 along the way. Resolves
   * once it is ready to install.
   */
  download(onProgress: (fraction: number) => void): Promise<void>
  /** Quits Sidecast the usual way (quit-guard.ts), installs the download and starts it again. */
  install(): void
}
