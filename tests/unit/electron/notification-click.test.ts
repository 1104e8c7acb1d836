/** A library notification's click opens its page (http/https only) in the default browser. */
import { beforeEach, describe, expect, it, vi } from 'vitest'

const electron = vi.hoisted(() => ({
  made: [] as { title: string; body: string; shown: boolean; click?: () => void }[],
  opened: [] as string[]
}))

vi.mock('electron', () => {
  class Notification {
    static isSupported = () => true
    readonly entry: (typeof electron.made)[number]
    constructor(options: { title: string; body: string }) {
      this.entry = { ...options, shown: false }
      electron.made.push(this.entry)
    }
    on(name: string, listener: () => void) {
      if (name === 'click') this.entry.click = listener
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

const { showNotification, isWebUrl } = await import('../../../src/main/electron/share-adapters')

beforeEach(() => {
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
    made!.click!()
    await vi.waitFor(() =>
      expect(electron.opened).toEqual(['https://library.example.com/v/abc?t=5'])
    )
  })

  it('never opens anything but an http(s) page', () => {
    for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'sidecast-media://x', 'nope']) {
      showNotification('t', 'b', { url })
    }
    expect(electron.made.every((m) => m.shown && m.click === undefined)).toBe(true)
    expect(isWebUrl('http://127.0.0.1:8080/inbox')).toBe(true)
  })

  it('is a plain notification without one', () => {
    showNotification('Uploaded', 'My video')
    expect(electron.made[0]).toMatchObject({ shown: true })
    expect(electron.made[0]?.click).toBeUndefined()
  })
})
