/**
 * A library notification's click opens its page (http/https only) in the default browser, and the
 * notification is kept alive until it is clicked or closed (Electron holds it only weakly).
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'

const electron = vi.hoisted(() => ({
  made: [] as {
    title: string
    body: string
    shown: boolean
    listeners: Map<string, (() => void)[]>
  }[],
  opened: [] as string[]
}))

vi.mock('electron', () => {
  class Notification {
    static isSupported = () => true
    readonly entry: (typeof electron.made)[number]
    constructor(options: { title: string; body: string }) {
      this.entry = { ...options, shown: false, listeners: new Map() }
      electron.made.push(this.entry)
    }
    on(name: string, listener: () => void) {
      const list = this.entry.listeners.get(name) ?? []
      this.entry.listeners.set(name, [...list, listener])
    }
    show() {
      this.entry.shown = true
    }
  }
  return {
    Notification,
    shell: {
      openExternal: async (url: string) => {
        electron.opened.push(url)
      }
    },
    clipboard: {},
    net: {},
    powerMonitor: {},
    safeStorage: {}
  }
})

const { showNotification, isWebUrl, retainedNotificationCount, MAX_RETAINED_NOTIFICATIONS } =
  await import('../../../src/main/electron/share-adapters')

/** What Electron does on an event: every listener for it, in order. */
function emit(entry: (typeof electron.made)[number], name: string): void {
  for (const listener of entry.listeners.get(name) ?? []) listener()
}

beforeEach(() => {
  // Let go of what earlier tests kept alive.
  for (const entry of electron.made) emit(entry, 'close')
  expect(retainedNotificationCount()).toBe(0)
  electron.made.length = 0
  electron.opened.length = 0
  vi.spyOn(console, 'log').mockImplementation(() => undefined)
})

describe('showNotification with a url', () => {
  it('opens the page when the notification is clicked', async () => {
    showNotification('bob asked a question', 'Where…', {
      url: 'https://library.example.com/v/abc?t=5'
    })
    const [made] = electron.made
    expect(made).toMatchObject({ title: 'bob asked a question', body: 'Where…', shown: true })
    expect(electron.opened).toEqual([])
    emit(made!, 'click')
    await vi.waitFor(() =>
      expect(electron.opened).toEqual(['https://library.example.com/v/abc?t=5'])
    )
  })

  it('never opens anything but an http(s) page', async () => {
    for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'sidecast-media://x', 'nope']) {
      showNotification('t', 'b', { url })
    }
    expect(electron.made).toHaveLength(4)
    expect(electron.made.every((m) => m.shown)).toBe(true)
    for (const entry of electron.made) emit(entry, 'click')
    await Promise.resolve()
    expect(electron.opened).toEqual([])
    expect(isWebUrl('http://127.0.0.1:8080/inbox')).toBe(true)
  })

  it('is a plain notification without one', () => {
    showNotification('Uploaded', 'My video')
    expect(electron.made).toHaveLength(1)
    expect(electron.made[0]).toMatchObject({ shown: true })
    emit(electron.made[0]!, 'click')
    expect(electron.opened).toEqual([])
  })
})

describe('showNotification keeps the notification alive', () => {
  it('until it is clicked, closed or has failed', () => {
    showNotification('a', 'b', { url: 'https://library.example.com/inbox' })
    showNotification('c', 'd')
    showNotification('e', 'f')
    expect(electron.made).toHaveLength(3)
    expect(retainedNotificationCount()).toBe(3)
    const [clicked, closed, failed] = electron.made
    emit(clicked!, 'click')
    expect(retainedNotificationCount()).toBe(2)
    emit(closed!, 'close')
    expect(retainedNotificationCount()).toBe(1)
    emit(failed!, 'failed')
    expect(retainedNotificationCount()).toBe(0)
    // Twice is harmless.
    emit(closed!, 'close')
    expect(retainedNotificationCount()).toBe(0)
  })

  it('keeps at most MAX_RETAINED_NOTIFICATIONS, letting go of the oldest', () => {
    const extra = 10
    for (let i = 0; i < MAX_RETAINED_NOTIFICATIONS + extra; i++) showNotification(`t${i}`, 'b')
    expect(electron.made).toHaveLength(MAX_RETAINED_NOTIFICATIONS + extra)
    expect(retainedNotificationCount()).toBe(MAX_RETAINED_NOTIFICATIONS)
    // The oldest were let go already: closing them changes nothing.
    for (const entry of electron.made.slice(0, extra)) emit(entry, 'close')
    expect(retainedNotificationCount()).toBe(MAX_RETAINED_NOTIFICATIONS)
    // The newest are still kept.
    emit(electron.made.at(-1)!, 'close')
    expect(retainedNotificationCount()).toBe(MAX_RETAINED_NOTIFICATIONS - 1)
  })
})
