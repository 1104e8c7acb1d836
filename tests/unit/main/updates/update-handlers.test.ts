/**
 * The `updates:*` channels through the app's own composition (createAppServices, as in the app
 * and the harness) with a scripted engine: the envelopes the renderer gets, the setting saved
 * through `settings:set`, the library from the environment, and a restart refused mid-recording.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  createAppServices,
  type AppServices,
  type PlatformAdapters
} from '../../../../src/main/app-services'
import { dispatchInvoke } from '../../../../src/main/ipc/dispatch'
import {
  createSettingsStore,
  type SettingsBacking
} from '../../../../src/main/settings/settings-store'
import { PLAIN_SECRETS } from '../../../../src/main/share/token-store'
import type { UpdateEngine, UpdateFeed } from '../../../../src/main/updates/update-engine'
import { FIRST_CHECK_DELAY_MS } from '../../../../src/main/updates/update-policy'
import type { IpcResponse, UpdateStatus } from '../../../../src/shared/ipc'
import type { Settings } from '../../../../src/shared/settings'
import { tempDir } from '../helpers/fakes'

const MB = 1024 * 1024

let cleanup: () => Promise<void>
let services: AppServices
let feeds: UpdateFeed[]
let installs: number
let latest: string | null
let planned: number[]
let notes: string[]
let sent: UpdateStatus[]

async function build(env: Record<string, string> = {}): Promise<void> {
  const { dir, cleanup: remove } = await tempDir('sidecast-updates-')
  cleanup = remove
  let stored: Record<string, unknown> = {}
  const backing: SettingsBacking = {
    get store() {
      return stored
    },
    set(object: Partial<Settings>) {
      stored = { ...stored, ...object }
    }
  }
  const engine: UpdateEngine = {
    async check(feed) {
      feeds.push(feed)
      return latest
    },
    async download(onProgress) {
      onProgress(1)
    },
    install() {
      installs += 1
    }
  }
  const adapters: PlatformAdapters = {
    preventSleep: () => () => undefined,
    listCaptureSources: async () => [],
    revealPath: async () => undefined,
    mediaUrl: (id, file) => `sidecast-media://${id}/${file}`,
    copyText: () => undefined,
    notify: (title) => notes.push(title),
    openExternal: async () => undefined,
    secrets: PLAIN_SECRETS
  }
  services = createAppServices({
    dataDir: dir,
    version: '0.1.0',
    platform: 'linux',
    harness: true,
    settings: createSettingsStore(backing),
    adapters,
    env,
    emit: (channel, payload) => {
      if (channel === 'updates:changed') sent.push(payload as UpdateStatus)
    },
    freeBytes: async () => 50_000 * MB,
    locateFfmpeg: () => ({
      ok: false,
      path: null,
      source: null,
      problem: 'no ffmpeg in this test',
      ffprobePath: null
    }),
    updates: { support: { mode: 'install' }, engine },
    updateService: {
      timers: {
        setTimeout: (_callback, ms) => planned.push(ms),
        clearTimeout: () => undefined
      }
    }
  })
  await services.startup()
}

beforeEach(() => {
  feeds = []
  installs = 0
  latest = null
  planned = []
  notes = []
  sent = []
})

afterEach(async () => {
  await services.shutdown()
  await cleanup()
})

function call(channel: string, ...args: unknown[]): Promise<IpcResponse<unknown>> {
  return dispatchInvoke(services.handlers, channel, args)
}

async function status(channel = 'updates:status'): Promise<UpdateStatus> {
  const response = await call(channel)
  if (!response.ok) throw new Error(`${channel}: ${response.error.message}`)
  return response.value as UpdateStatus
}

const LIBRARY_ENV = {
  SIDECAST_LIBRARY_URL: 'https://library.example.com/',
  SIDECAST_LIBRARY_TOKEN: 'tok-123'
}

describe('updates:* over IPC', () => {
  it('without a library: off, says why, and Check now asks nothing', async () => {
    await build()
    // Whether a library is connected is read from its token store as the service starts.
    await vi.waitFor(() => expect(sent.at(-1)?.phase).toBe('no-library'))
    expect(await status()).toMatchObject({
      phase: 'no-library',
      automatic: false,
      managed: false,
      currentVersion: '0.1.0'
    })
    expect(await status('updates:check')).toMatchObject({ phase: 'no-library' })
    expect(feeds).toEqual([])
    expect(planned).toEqual([])
  })

  it('"Check for updates automatically" saved in Settings plans the first check', async () => {
    await build(LIBRARY_ENV)
    const saved = await call('settings:set', { checkForUpdates: true })
    expect(saved).toMatchObject({ ok: true, value: { checkForUpdates: true } })
    expect(planned).toEqual([FIRST_CHECK_DELAY_MS])
    expect(await status()).toMatchObject({ automatic: true })
    expect(sent.at(-1)).toMatchObject({ automatic: true })
    expect(await call('settings:set', { checkForUpdates: 'yes' })).toMatchObject({
      ok: false,
      error: { code: 'bad-settings' }
    })
  })

  it('SIDECAST_UPDATES=1 turns them on for a managed install', async () => {
    await build({ ...LIBRARY_ENV, SIDECAST_UPDATES: '1' })
    expect(planned).toEqual([FIRST_CHECK_DELAY_MS])
    expect(await status()).toMatchObject({ automatic: true, managed: true })
  })

  it('Check now asks the library’s /updates/ with the token, downloads, and notifies once', async () => {
    await build(LIBRARY_ENV)
    latest = '0.2.0'
    expect(await status('updates:check')).toMatchObject({ phase: 'ready', version: '0.2.0' })
    expect(feeds).toEqual([{ url: 'https://library.example.com/updates/', token: 'tok-123' }])
    expect(notes).toEqual(['Sidecast 0.2.0 is ready'])
    expect(sent.map((s) => [s.phase, s.fraction]).slice(-4)).toEqual([
      ['checking', null],
      ['downloading', 0],
      ['downloading', 1],
      ['ready', null]
    ])
  })

  it('refuses to restart mid-recording, in words, and restarts once it is over', async () => {
    await build(LIBRARY_ENV)
    expect(await call('updates:restart')).toMatchObject({
      ok: false,
      error: { code: 'no-update' }
    })
    latest = '0.2.0'
    await status('updates:check')
    const started = await call('recording:start', {
      mimeType: 'video/webm;codecs=vp8,opus',
      sourceName: 'Entire screen'
    })
    if (!started.ok) throw new Error(started.error.message)
    expect(sent.at(-1)).toMatchObject({ phase: 'ready', restartWaitsFor: 'the recording' })
    const refused = await call('updates:restart')
    expect(refused).toMatchObject({ ok: false, error: { code: 'busy' } })
    expect(refused.ok ? '' : refused.error.message).toMatch(/while the recording is under way/)
    expect(installs).toBe(0)

    const { projectId } = started.value as { projectId: string }
    await call('recording:stop', projectId, {})
    expect(sent.at(-1)).toMatchObject({ restartWaitsFor: null })
    expect(await call('updates:restart')).toEqual({ ok: true })
    expect(installs).toBe(1)
  })
})
