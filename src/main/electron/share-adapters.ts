/**
 * The Electron side of sharing: safeStorage for the library token, the clipboard, notifications,
 * the default browser, and "the network is back". Thin: the behaviour lives in src/main/share.
 */
import { clipboard, net, Notification, powerMonitor, safeStorage, shell } from 'electron'
import type { PlatformAdapters } from '../app-services'
import type { SecretsAdapter } from '../share/token-store'

/** How often the network state is polled; net.isOnline() has no change event in main. */
export const ONLINE_POLL_MS = 3000

/**
 * safeStorage as the token store's secrets adapter, through its asynchronous API (the synchronous
 * calls are deprecated in Electron 45; tokens they encrypted still decrypt). On Linux without a
 * keyring Electron falls back to a hard-coded key ("basic_text"), which is no protection: then the
 * token is stored as plain text, readable only by the user, and Settings says so.
 */
export function electronSecrets(platform: string): SecretsAdapter {
  return {
    async isEncryptionAvailable() {
      if (!(await safeStorage.isAsyncEncryptionAvailable())) return false
      if (platform !== 'linux') return true
      const backend = safeStorage.getSelectedStorageBackend?.()
      return backend !== undefined && backend !== 'basic_text' && backend !== 'unknown'
    },
    encryptString: (text) => safeStorage.encryptStringAsync(text),
    async decryptString(bytes) {
      const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(bytes)
      return { text: result, shouldReEncrypt }
    }
  }
}

/** True for an http(s) address: the only kind a notification's click opens. */
export function isWebUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url)
    return protocol === 'http:' || protocol === 'https:'
  } catch {
    return false
  }
}

/** Most notifications kept alive at once; past it the oldest is let go. */
export const MAX_RETAINED_NOTIFICATIONS = 50

/**
 * The notifications shown and not yet clicked, closed or failed. Electron holds a Notification
 * only weakly: with no reference left in JavaScript, garbage collection takes it and its click
 * handler, and a click on it then does nothing (electron/electron#16922, #12690). Some platforms
 * never say "close" (a notification left in the notification centre), hence the cap.
 */
const retained = new Set<Notification>()

/** How many notifications are kept alive now (for tests). */
export function retainedNotificationCount(): number {
  return retained.size
}

function retain(notification: Notification): void {
  const release = (): void => {
    retained.delete(notification)
  }
  notification.on('click', release)
  notification.on('close', release)
  notification.on('failed', release)
  retained.add(notification)
  while (retained.size > MAX_RETAINED_NOTIFICATIONS) {
    retained.delete(retained.values().next().value as Notification)
  }
}

/**
 * Shows a system notification when the platform has them; logs it either way. With `url` (a page
 * of the connected library, checked by the caller; here only http(s) is allowed), a click on it
 * opens that page in the default browser. The notification is kept alive (`retained`) until it is
 * clicked or closed, so the click still works after a garbage collection.
 */
export function showNotification(
  title: string,
  body: string,
  options: { readonly url?: string } = {}
): void {
  console.log(`[sidecast] ${title}: ${body}`)
  if (!Notification.isSupported()) return
  const notification = new Notification({ title, body })
  const url = options.url
  if (url && isWebUrl(url)) {
    notification.on('click', () => {
      void shell.openExternal(url).catch((error: unknown) => {
        console.warn('[sidecast] could not open the notification’s page', error)
      })
    })
  }
  retain(notification)
  notification.show()
}

/** Calls back when the computer comes online again or wakes up; returns the unsubscribe. */
export function watchOnline(callback: () => void, pollMs = ONLINE_POLL_MS): () => void {
  let online = net.isOnline()
  const timer = setInterval(() => {
    const now = net.isOnline()
    if (now && !online) callback()
    online = now
  }, pollMs)
  timer.unref?.()
  const onResume = (): void => callback()
  powerMonitor.on('resume', onResume)
  powerMonitor.on('unlock-screen', onResume)
  return () => {
    clearInterval(timer)
    powerMonitor.removeListener('resume', onResume)
    powerMonitor.removeListener('unlock-screen', onResume)
  }
}

/** The sharing part of PlatformAdapters for Electron. */
export function electronShareAdapters(
  platform: string
): Pick<PlatformAdapters, 'copyText' | 'notify' | 'openExternal' | 'secrets' | 'onOnline'> {
  return {
    copyText: (text) => clipboard.writeText(text),
    notify: showNotification,
    openExternal: (url) => shell.openExternal(url),
    secrets: electronSecrets(platform),
    onOnline: (callback) => watchOnline(callback)
  }
}
