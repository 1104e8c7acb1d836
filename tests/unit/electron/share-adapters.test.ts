import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

const electron = vi.hoisted(() => {
  const power = new Map<string, (() => void)[]>()
  return {
    online: true,
    available: true,
    backend: 'gnome_libsecret' as string,
    rotated: false,
    notificationsSupported: true,
    shown: [] as { title: string; body: string }[],
    copied: [] as string[],
    opened: [] as string[],
    power,
    emitPower(name: string) {
      for (const listener of power.get(name) ?? []) listener()
    }
  }
})

vi.mock('electron', () => ({
  clipboard: { writeText: (text: string) => electron.copied.push(text) },
  net: { isOnline: () => electron.online },
  Notification: Object.assign(
    function (
      this: { options: { title: string; body: string } },
      options: { title: string; body: string }
    ) {
      this.options = options
    },
    { isSupported: () => electron.notificationsSupported }
  ),
  powerMonitor: {
    on: (name: string, listener: () => void) =>
      electron.power.set(name, [...(electron.power.get(name) ?? []), listener]),
    removeListener: (name: string, listener: () => void) =>
      electron.power.set(
        name,
        (electron.power.get(name) ?? []).filter((l) => l !== listener)
      )
  },
  safeStorage: {
    isAsyncEncryptionAvailable: async () => electron.available,
    getSelectedStorageBackend: () => electron.backend,
    encryptStringAsync: async (s: string) => Buffer.from(`x${s}`),
    decryptStringAsync: async (b: Buffer) => ({
      result: b.toString().slice(1),
      shouldReEncrypt: electron.rotated
    }),
    // The deprecated synchronous calls must not be used.
    isEncryptionAvailable: () => {
      throw new Error('deprecated: isEncryptionAvailable')
    },
    encryptString: () => {
      throw new Error('deprecated: encryptString')
    },
    decryptString: () => {
      throw new Error('deprecated: decryptString')
    }
  },
  shell: {
    openExternal: async (url: string) => {
      electron.opened.push(url)
    }
  }
}))

import {
  electronSecrets,
  electronShareAdapters,
  watchOnline
} from '../../../src/main/electron/share-adapters'

// Notification instances call show(); record what was shown. Their listeners (the click, and
// letting go of them: notification-click.test.ts) are not needed here.
beforeEach(async () => {
  const { Notification } = await import('electron')
  const prototype = (Notification as unknown as { prototype: { show(): void; on(): void } })
    .prototype
  prototype.show = function (this: { options: { title: string; body: string } }) {
    electron.shown.push(this.options)
  }
  prototype.on = () => undefined
  electron.online = true
  electron.available = true
  electron.backend = 'gnome_libsecret'
  electron.rotated = false
  electron.notificationsSupported = true
  electron.shown.length = 0
  electron.copied.length = 0
  electron.opened.length = 0
  electron.power.clear()
})

afterEach(() => {
  vi.useRealTimers()
})

describe('electronSecrets', () => {
  it.each([
    ['darwin', true, 'unknown', true],
    ['win32', true, 'unknown', true],
    ['linux', true, 'gnome_libsecret', true],
    ['linux', true, 'kwallet5', true],
    // Electron's Linux fallback uses a fixed key: no real protection, so store plain and say so.
    ['linux', true, 'basic_text', false],
    ['darwin', false, 'unknown', false]
  ])(
    'on %s with encryption %s and backend %s: encrypted %s',
    async (platform, available, backend, expected) => {
      electron.available = available
      electron.backend = backend
      await expect(electronSecrets(platform).isEncryptionAvailable()).resolves.toBe(expected)
    }
  )

  it('round-trips through safeStorage’s asynchronous API, passing on a key rotation', async () => {
    const secrets = electronSecrets('darwin')
    const bytes = await secrets.encryptString('tok')
    await expect(secrets.decryptString(bytes)).resolves.toEqual({
      text: 'tok',
      shouldReEncrypt: false
    })
    electron.rotated = true
    await expect(secrets.decryptString(bytes)).resolves.toEqual({
      text: 'tok',
      shouldReEncrypt: true
    })
  })
})

describe('watchOnline', () => {
  it('calls back when the network comes back and when the computer wakes, until unsubscribed', () => {
    vi.useFakeTimers()
    const callback = vi.fn()
    const stop = watchOnline(callback, 1000)
    vi.advanceTimersByTime(3000)
    expect(callback).not.toHaveBeenCalled()
    electron.online = false
    vi.advanceTimersByTime(1000)
    expect(callback).not.toHaveBeenCalled()
    electron.online = true
    vi.advanceTimersByTime(1000)
    expect(callback).toHaveBeenCalledTimes(1)
    electron.emitPower('resume')
    expect(callback).toHaveBeenCalledTimes(2)
    stop()
    electron.emitPower('resume')
    electron.online = false
    vi.advanceTimersByTime(1000)
    electron.online = true
    vi.advanceTimersByTime(1000)
    expect(callback).toHaveBeenCalledTimes(2)
  })
})

describe('electronShareAdapters', () => {
  it('copies, notifies and opens through Electron', async () => {
    const adapters = electronShareAdapters('darwin')
    await adapters.copyText('https://lib.test/v/1')
    adapters.notify('Uploaded — link copied', 'Walkthrough')
    await adapters.openExternal('https://lib.test/v/1')
    expect(electron.copied).toEqual(['https://lib.test/v/1'])
    expect(electron.shown).toEqual([{ title: 'Uploaded — link copied', body: 'Walkthrough' }])
    expect(electron.opened).toEqual(['https://lib.test/v/1'])
  })

  it('does not fail where notifications are not supported', () => {
    electron.notificationsSupported = false
    electronShareAdapters('linux').notify('Uploaded', 'Walkthrough')
    expect(electron.shown).toEqual([])
  })
})
