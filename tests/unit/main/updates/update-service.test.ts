/**
 * The update service (src/main/updates/update-service.ts) with a scripted engine and timers driven
 * by hand: when it checks, what it downloads, what it says, and that it never restarts while
 * something is running.
 */
import { describe, expect, it } from 'vitest'
import type { UpdateEngine, UpdateFeed } from '../../../../src/main/updates/update-engine'
import {
  CHECK_INTERVAL_MS,
  FIRST_CHECK_DELAY_MS,
  RETRY_AFTER_FAILURE_MS,
  type UpdateSupport
} from '../../../../src/main/updates/update-policy'
import {
  NO_LIBRARY,
  createUpdateService,
  type UpdateServiceOptions
} from '../../../../src/main/updates/update-service'
import { SidecastError } from '../../../../src/shared/errors'
import type { UpdateStatus } from '../../../../src/shared/ipc'
import { DEFAULT_SETTINGS, type Settings } from '../../../../src/shared/settings'

const LIBRARY = { url: 'https://library.example.com', token: 'tok-123' }
const NOW = new Date('2026-12-01T10:42:00.000Z')

interface Planned {
  readonly id: number
  readonly ms: number
  readonly callback: () => void
}

class ScriptedEngine implements UpdateEngine {
  feeds: UpdateFeed[] = []
  latest: string | null = null
  checkError: Error | null = null
  downloadError: Error | null = null
  installs = 0
  /** Resolves the check under way, when `hold` is set. */
  release: (() => void) | null = null
  hold = false
  async check(feed: UpdateFeed): Promise<string | null> {
    this.feeds.push(feed)
    if (this.hold) await new Promise<void>((resolve) => (this.release = resolve))
    if (this.checkError) throw this.checkError
    return this.latest
  }
  async download(onProgress: (fraction: number) => void): Promise<void> {
    onProgress(0.004)
    onProgress(0.25)
    onProgress(0.251)
    onProgress(1)
    if (this.downloadError) throw this.downloadError
  }
  install(): void {
    this.installs += 1
  }
}

function setup(
  change: {
    settings?: Partial<Settings>
    env?: Record<string, string>
    support?: UpdateSupport
    library?: typeof LIBRARY | null
    engine?: ScriptedEngine | null
  } = {}
) {
  const engine = change.engine === undefined ? new ScriptedEngine() : change.engine
  const planned: Planned[] = []
  let nextId = 1
  let settings: Settings = { ...DEFAULT_SETTINGS, ...change.settings }
  let library = change.library === undefined ? LIBRARY : change.library
  let waitsFor: string | null = null
  const sent: UpdateStatus[] = []
  const notes: string[] = []
  const options: UpdateServiceOptions = {
    currentVersion: '0.1.0',
    support: change.support ?? { mode: 'install' },
    engine,
    settings: () => settings,
    env: change.env ?? {},
    credentials: async () => library,
    restartWaitsFor: () => waitsFor,
    emit: (status) => sent.push(status),
    notify: (title, body) => notes.push(`${title}: ${body}`),
    now: () => NOW,
    timers: {
      setTimeout(callback, ms) {
        const id = nextId++
        planned.push({ id, ms, callback })
        return id
      },
      clearTimeout(handle) {
        const i = planned.findIndex((p) => p.id === handle)
        if (i >= 0) planned.splice(i, 1)
      }
    }
  }
  const service = createUpdateService(options)
  return {
    service,
    engine: engine as ScriptedEngine,
    planned,
    sent,
    notes,
    setSettings(next: Partial<Settings>) {
      settings = { ...settings, ...next }
      service.settingsChanged()
    },
    setLibrary(next: typeof LIBRARY | null) {
      library = next
      service.libraryChanged()
    },
    setBusy(next: string | null) {
      waitsFor = next
      service.busyChanged()
    },
    /** Runs the one planned check and waits until it is over. */
    async fire(): Promise<void> {
      const timer = planned.shift()
      if (!timer) throw new Error('no check is planned')
      timer.callback()
      // The check the timer began: joining it waits for its end (and the next check planned).
      await service.check()
      await settle()
    }
  }
}

/**
 * Lets every promise the service chained settle: the fakes never wait on I/O, so once the
 * microtask queue is empty (setImmediate runs only then) the service has done all it will.
 */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

describe('automatic checks', () => {
  it('are off by default: nothing is planned and nothing is asked of the library', async () => {
    const t = setup()
    t.service.start()
    await settle()
    expect(t.planned).toEqual([])
    expect(t.engine.feeds).toEqual([])
    expect(t.service.status()).toMatchObject({
      phase: 'idle',
      automatic: false,
      managed: false,
      currentVersion: '0.1.0',
      checkedAt: null
    })
  })

  it('when on, check shortly after start at the library’s /updates/ with the token, then every few hours', async () => {
    const t = setup({ settings: { checkForUpdates: true } })
    t.service.start()
    expect(t.planned.map((p) => p.ms)).toEqual([FIRST_CHECK_DELAY_MS])
    await t.fire()
    expect(t.engine.feeds).toEqual([
      { url: 'https://library.example.com/updates/', token: 'tok-123' }
    ])
    expect(t.service.status()).toMatchObject({
      phase: 'up-to-date',
      checkedAt: NOW.toISOString(),
      version: null,
      message: null
    })
    expect(t.planned.map((p) => p.ms)).toEqual([CHECK_INTERVAL_MS])
    await t.fire()
    expect(t.engine.feeds).toHaveLength(2)
  })

  it('follow SIDECAST_UPDATES over the setting, and say it is managed', () => {
    const on = setup({ env: { SIDECAST_UPDATES: '1' } })
    on.service.start()
    expect(on.planned).toHaveLength(1)
    expect(on.service.status()).toMatchObject({ automatic: true, managed: true })

    const off = setup({ settings: { checkForUpdates: true }, env: { SIDECAST_UPDATES: '0' } })
    off.service.start()
    expect(off.planned).toEqual([])
    expect(off.service.status()).toMatchObject({ automatic: false, managed: true })
  })

  it('start when turned on in Settings, and stop when turned off', () => {
    const t = setup()
    t.service.start()
    t.setSettings({ checkForUpdates: true })
    expect(t.planned.map((p) => p.ms)).toEqual([FIRST_CHECK_DELAY_MS])
    expect(t.sent.at(-1)).toMatchObject({ automatic: true })
    t.setSettings({ checkForUpdates: false })
    expect(t.planned).toEqual([])
    expect(t.sent.at(-1)).toMatchObject({ automatic: false })
  })

  it('after a failure come back sooner, and a success clears the failure', async () => {
    const t = setup({ settings: { checkForUpdates: true } })
    t.engine.checkError = Object.assign(new Error('HTTP 401'), { statusCode: 401 })
    t.service.start()
    await t.fire()
    expect(t.service.status()).toMatchObject({
      phase: 'failed',
      message:
        'Could not check for updates. The library refused the access token. Enter a new one under Team library.'
    })
    expect(t.planned.map((p) => p.ms)).toEqual([RETRY_AFTER_FAILURE_MS])
    t.engine.checkError = null
    await t.fire()
    expect(t.service.status()).toMatchObject({ phase: 'up-to-date', message: null })
  })
})

describe('without a library, or where Sidecast cannot update itself', () => {
  it('no library: no checks, and the status says why', async () => {
    const t = setup({ library: null, settings: { checkForUpdates: true } })
    t.service.start()
    await settle()
    expect(t.service.status()).toMatchObject({ phase: 'no-library', message: NO_LIBRARY })
    expect(await t.service.check()).toMatchObject({ phase: 'no-library' })
    await t.fire()
    expect(t.engine.feeds).toEqual([])

    expect(t.planned.map((p) => p.ms)).toEqual([CHECK_INTERVAL_MS])
    t.setLibrary(LIBRARY)
    await settle()
    expect(t.service.status()).toMatchObject({ phase: 'idle', message: null })
    // Connected: the first check comes soon, not at the end of the interval.
    expect(t.planned.map((p) => p.ms)).toEqual([FIRST_CHECK_DELAY_MS])
    expect(await t.service.check()).toMatchObject({ phase: 'up-to-date' })
  })

  it('a copy that cannot update itself never checks and says why', async () => {
    const t = setup({
      support: { mode: 'none', reason: 'Not an installed release.' },
      settings: { checkForUpdates: true }
    })
    t.service.start()
    expect(t.planned).toEqual([])
    expect(await t.service.check()).toMatchObject({
      phase: 'unavailable',
      message: 'Not an installed release.'
    })
    expect(t.engine.feeds).toEqual([])
    expect(t.sent.at(-1)).toMatchObject({ phase: 'unavailable' })
  })

  it('without an engine it cannot update itself either', async () => {
    const t = setup({ engine: null })
    expect((await t.service.check()).phase).toBe('unavailable')
  })

  it('a .deb hears of a newer release and how to install it, without downloading', async () => {
    const how = 'Update it with your package manager.'
    const t = setup({ support: { mode: 'notify', how } })
    t.engine.latest = '0.2.0'
    expect(await t.service.check()).toMatchObject({
      phase: 'available',
      version: '0.2.0',
      message: how
    })
    expect(t.sent.map((s) => s.phase)).not.toContain('downloading')
    expect(t.notes).toEqual([])
  })
})

describe('a newer release', () => {
  it('downloads in the background with progress, then offers the restart once', async () => {
    const t = setup()
    t.engine.latest = '0.2.0'
    const after = await t.service.check()
    expect(after).toMatchObject({ phase: 'ready', version: '0.2.0', restartWaitsFor: null })
    expect(t.sent.map((s) => [s.phase, s.fraction])).toEqual([
      ['checking', null],
      ['downloading', 0],
      ['downloading', 0.25],
      ['downloading', 1],
      ['ready', null]
    ])
    expect(t.notes).toEqual([
      'Sidecast 0.2.0 is ready: Restart Sidecast to update, from the tray or in Settings. Otherwise it installs when you next quit.'
    ])
    // Nothing more to check until the restart.
    expect(await t.service.check()).toMatchObject({ phase: 'ready' })
    expect(t.engine.feeds).toHaveLength(1)

    t.service.restart()
    expect(t.engine.installs).toBe(1)
  })

  it('plans no more checks once downloaded', async () => {
    const t = setup({ settings: { checkForUpdates: true } })
    t.engine.latest = '0.2.0'
    t.service.start()
    await t.fire()
    expect(t.service.status().phase).toBe('ready')
    expect(t.planned).toEqual([])
  })

  it('never restarts while something is running, and says what it waits for', async () => {
    const t = setup()
    t.engine.latest = '0.2.0'
    await t.service.check()
    t.setBusy('the recording')
    expect(t.sent.at(-1)).toMatchObject({ phase: 'ready', restartWaitsFor: 'the recording' })
    let refusal: unknown
    try {
      t.service.restart()
    } catch (error) {
      refusal = error
    }
    expect(refusal).toBeInstanceOf(SidecastError)
    expect(refusal).toMatchObject({
      code: 'busy',
      message:
        'Sidecast does not restart while the recording is under way. Restart to update once it has finished.'
    })
    expect(t.engine.installs).toBe(0)

    t.setBusy(null)
    expect(t.sent.at(-1)).toMatchObject({ restartWaitsFor: null })
    t.service.restart()
    expect(t.engine.installs).toBe(1)
  })

  it('refuses a restart with nothing downloaded', () => {
    const t = setup()
    expect(() => t.service.restart()).toThrow(
      expect.objectContaining({ code: 'no-update' }) as unknown as Error
    )
    expect(t.engine.installs).toBe(0)
  })

  it('says calmly when the download fails, and tries again at the next check', async () => {
    const t = setup()
    t.engine.latest = '0.2.0'
    t.engine.downloadError = new Error('net::ERR_CONNECTION_RESET')
    expect(await t.service.check()).toMatchObject({
      phase: 'failed',
      message:
        'Could not download Sidecast 0.2.0. The library could not be reached. Check the network connection; Sidecast will try again later.'
    })
    expect(t.notes).toEqual([])
    t.engine.downloadError = null
    expect(await t.service.check()).toMatchObject({ phase: 'ready' })
  })
})

describe('one check at a time', () => {
  it('a second check while one runs joins it', async () => {
    const t = setup()
    t.engine.hold = true
    const first = t.service.check()
    const second = t.service.check()
    await settle()
    expect(t.service.status().phase).toBe('checking')
    t.engine.release?.()
    expect(await first).toEqual(await second)
    expect(t.engine.feeds).toHaveLength(1)
  })

  it('a new library forgets what the old one said', async () => {
    const t = setup()
    t.engine.checkError = new Error('net::ERR_NAME_NOT_RESOLVED')
    await t.service.check()
    expect(t.service.status().phase).toBe('failed')
    t.setLibrary({ url: 'https://other.example.com', token: 't' })
    await settle()
    expect(t.service.status()).toMatchObject({ phase: 'idle', message: null })
  })
})
