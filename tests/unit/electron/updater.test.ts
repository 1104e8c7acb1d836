/**
 * The edge to electron-updater (src/main/electron/updater.ts) against a mocked `electron-updater`
 * and `electron`, typed from their real definitions: what it sets before a check, how progress and
 * the version come back, and that the install waits for the quit guard (`will-quit`).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { App } from 'electron'
import type { AppUpdater, ProgressInfo, UpdateCheckResult } from 'electron-updater'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createElectronUpdateEngine, installFacts } from '../../../src/main/electron/updater'

const fake = vi.hoisted(() => {
  type Listener = (...args: unknown[]) => void
  /** The part of AppUpdater the edge uses, each member typed as the real one. */
  class FakeUpdater {
    autoDownload: AppUpdater['autoDownload'] = true
    autoInstallOnAppQuit: AppUpdater['autoInstallOnAppQuit'] = false
    allowDowngrade: AppUpdater['allowDowngrade'] = true
    logger: AppUpdater['logger'] = null
    requestHeaders: AppUpdater['requestHeaders'] = null
    feeds: Parameters<AppUpdater['setFeedURL']>[0][] = []
    result: Awaited<ReturnType<AppUpdater['checkForUpdates']>> = null
    checkError: Error | null = null
    progress: ProgressInfo[] = []
    installs: [boolean | undefined, boolean | undefined][] = []
    listeners = new Map<string, Listener[]>()
    on(name: string, listener: Listener): this {
      this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener])
      return this
    }
    setFeedURL: AppUpdater['setFeedURL'] = (options) => {
      this.feeds.push(options)
    }
    checkForUpdates: AppUpdater['checkForUpdates'] = async () => {
      if (this.checkError) throw this.checkError
      return this.result
    }
    downloadUpdate: AppUpdater['downloadUpdate'] = async () => {
      for (const info of this.progress) {
        for (const listener of this.listeners.get('download-progress') ?? []) listener(info)
      }
      return ['/tmp/Sidecast-0.2.0.AppImage']
    }
    quitAndInstall: AppUpdater['quitAndInstall'] = (isSilent, isForceRunAfter) => {
      this.installs.push([isSilent, isForceRunAfter])
    }
  }
  const state = { updater: new FakeUpdater(), reads: 0 }
  return { FakeUpdater, state }
})

vi.mock('electron', () => ({ app: {} }))
// electron-updater is CommonJS whose `autoUpdater` is a getter on module.exports (the default
// export seen from ESM); the getter counts reads, as the real one makes the updater when read.
vi.mock(
  'electron-updater',
  (): { default: Pick<typeof import('electron-updater'), 'autoUpdater'> } => ({
    default: {
      get autoUpdater(): AppUpdater {
        fake.state.reads += 1
        return fake.state.updater as unknown as AppUpdater
      }
    }
  })
)

function fakeApp() {
  const listeners = new Map<string, (() => void)[]>()
  const app = {
    quits: 0,
    on(name: string, listener: () => void) {
      listeners.set(name, [...(listeners.get(name) ?? []), listener])
      return app
    },
    quit() {
      app.quits += 1
    },
    emit(name: string) {
      for (const listener of listeners.get(name) ?? []) listener()
    }
  }
  return app
}

const asApp = (app: ReturnType<typeof fakeApp>): Pick<App, 'on' | 'quit'> =>
  app as unknown as Pick<App, 'on' | 'quit'>

const available = (version: string, isUpdateAvailable: boolean): UpdateCheckResult => {
  const updateInfo = { version, files: [], path: '', sha512: '', releaseDate: '' }
  return { isUpdateAvailable, updateInfo, versionInfo: updateInfo }
}

const FEED = { url: 'https://library.example.com/updates/', token: 'tok-123' }

beforeEach(() => {
  fake.state.updater = new fake.FakeUpdater()
  fake.state.reads = 0
})

describe('electron-updater as the update engine', () => {
  it('reads nothing of electron-updater until the first check', async () => {
    createElectronUpdateEngine({ app: asApp(fakeApp()) })
    await new Promise((resolve) => setImmediate(resolve))
    expect(fake.state.reads).toBe(0)
  })

  it('checks the library’s generic feed with the token, one range a request, downloads on demand', async () => {
    const engine = createElectronUpdateEngine({ app: asApp(fakeApp()) })
    const updater = fake.state.updater
    updater.result = available('0.2.0', true)
    expect(await engine.check(FEED)).toBe('0.2.0')
    expect(updater.feeds).toEqual([
      {
        provider: 'generic',
        url: 'https://library.example.com/updates/',
        useMultipleRangeRequest: false
      }
    ])
    expect(updater.requestHeaders).toEqual({ Authorization: 'Bearer tok-123' })
    expect(updater).toMatchObject({
      autoDownload: false,
      autoInstallOnAppQuit: true,
      allowDowngrade: false
    })
    expect(updater.logger).not.toBeNull()

    // The token and the library may change between checks; the updater is made once.
    updater.result = available('0.1.0', false)
    expect(await engine.check({ url: 'https://other.example.com/updates/', token: 'new' })).toBe(
      null
    )
    expect(updater.requestHeaders).toEqual({ Authorization: 'Bearer new' })
    expect(fake.state.reads).toBe(1)
  })

  it('passes a failed check on, and refuses an inactive updater in words', async () => {
    const engine = createElectronUpdateEngine({ app: asApp(fakeApp()) })
    fake.state.updater.checkError = Object.assign(new Error('HTTP 401'), { statusCode: 401 })
    await expect(engine.check(FEED)).rejects.toMatchObject({ statusCode: 401 })
    fake.state.updater.checkError = null
    fake.state.updater.result = null
    await expect(engine.check(FEED)).rejects.toThrow(/not active/)
  })

  it('reports download progress as a fraction, only while downloading', async () => {
    const engine = createElectronUpdateEngine({ app: asApp(fakeApp()) })
    const progress = (percent: number): ProgressInfo => ({
      percent,
      total: 1000,
      transferred: percent * 10,
      delta: 0,
      bytesPerSecond: 1
    })
    fake.state.updater.progress = [progress(40), progress(100)]
    const seen: number[] = []
    await engine.download((fraction) => seen.push(fraction))
    expect(seen).toEqual([0.4, 1])
    for (const listener of fake.state.updater.listeners.get('download-progress') ?? []) {
      listener(progress(50))
    }
    expect(seen).toEqual([0.4, 1])
  })

  it('installs only after the quit guard has let the app quit, then starts the new version', async () => {
    const app = fakeApp()
    const engine = createElectronUpdateEngine({ app: asApp(app) })
    fake.state.updater.result = available('0.2.0', true)
    await engine.check(FEED)

    app.emit('will-quit')
    expect(fake.state.updater.installs).toEqual([])

    engine.install()
    expect(app.quits).toBe(1)
    expect(fake.state.updater.installs).toEqual([])
    app.emit('will-quit')
    expect(fake.state.updater.installs).toEqual([[true, true]])
  })
})

describe('how this copy was installed', () => {
  it('reads package-type beside the resources on Linux, and APPIMAGE', async () => {
    const resources = await mkdtemp(join(tmpdir(), 'sidecast-resources-'))
    try {
      const base = { isPackaged: true, platform: 'linux', env: {}, resourcesPath: resources }
      expect(installFacts(base)).toEqual({
        isPackaged: true,
        platform: 'linux',
        appImage: false,
        packageType: null
      })
      await writeFile(join(resources, 'package-type'), 'deb\n')
      expect(installFacts(base).packageType).toBe('deb')
      expect(installFacts({ ...base, env: { APPIMAGE: '/opt/Sidecast.AppImage' } }).appImage).toBe(
        true
      )
      expect(installFacts({ ...base, platform: 'win32' }).packageType).toBeNull()
      expect(installFacts({ ...base, resourcesPath: undefined }).packageType).toBeNull()
    } finally {
      await rm(resources, { recursive: true, force: true })
    }
  })
})
