import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { FfmpegLocation } from '../../../src/main/ffmpeg/locate-ffmpeg'
import {
  createAppServices,
  type AppServices,
  type PlatformAdapters
} from '../../../src/main/app-services'
import { dispatchInvoke } from '../../../src/main/ipc/dispatch'
import { PLAIN_SECRETS } from '../../../src/main/share/token-store'
import {
  createSettingsStore,
  type SettingsBacking
} from '../../../src/main/settings/settings-store'
import { INVOKE_CHANNELS, type EventChannel, type IpcResponse } from '../../../src/shared/ipc'
import type { ProjectSummary, RecordingFacts } from '../../../src/shared/project'
import type { Settings } from '../../../src/shared/settings'
import { tempDir } from './helpers/fakes'

const ID = '20261129-142233-ab12'
const MB = 1024 * 1024

let dataDir: string
let cleanup: () => Promise<void>
let services: AppServices
let events: { channel: EventChannel; payload: unknown }[]
let revealed: string[]
let locateCalls: string[]
let stored: Record<string, unknown>

const missingFfmpeg = (settingPath: string): FfmpegLocation => ({
  ok: false,
  path: null,
  source: null,
  problem: `no ffmpeg for "${settingPath}"`,
  ffprobePath: null
})

beforeEach(async () => {
  ;({ dir: dataDir, cleanup } = await tempDir('sidecast-app-'))
  events = []
  revealed = []
  locateCalls = []
  stored = {}
  const backing: SettingsBacking = {
    get store() {
      return stored
    },
    set(object: Partial<Settings>) {
      stored = { ...stored, ...object }
    }
  }
  const adapters: PlatformAdapters = {
    preventSleep: () => () => undefined,
    listCaptureSources: async () => [
      { id: 'screen:0:0', name: 'Entire screen', kind: 'screen', thumbnailDataUrl: null }
    ],
    revealPath: async (path) => {
      revealed.push(path)
    },
    mediaUrl: (id, file) => `sidecast-media://${id}/${file}`,
    copyText: () => undefined,
    notify: () => undefined,
    openExternal: async () => undefined,
    secrets: PLAIN_SECRETS
  }
  services = createAppServices({
    dataDir,
    version: '1.2.3',
    platform: 'linux',
    harness: true,
    settings: createSettingsStore(backing),
    adapters,
    emit: (channel, payload) => events.push({ channel, payload }),
    freeBytes: async () => 50_000 * MB,
    locateFfmpeg: (settingPath) => {
      locateCalls.push(settingPath)
      return settingPath === '/ok/ffmpeg'
        ? {
            ok: true,
            path: '/ok/ffmpeg',
            source: 'setting',
            problem: null,
            ffprobePath: '/ok/ffprobe'
          }
        : missingFfmpeg(settingPath)
    }
  })
})

afterEach(async () => {
  await services.shutdown()
  await cleanup()
})

function call(channel: string, ...args: unknown[]): Promise<IpcResponse<unknown>> {
  return dispatchInvoke(services.handlers, channel, args)
}

async function value<T>(channel: string, ...args: unknown[]): Promise<T> {
  const response = await call(channel, ...args)
  if (!response.ok)
    throw new Error(`${channel} failed: ${response.error.code} ${response.error.message}`)
  return response.value as T
}

describe('handlers', () => {
  it('implements every channel of the contract', () => {
    expect(Object.keys(services.handlers).sort()).toEqual([...INVOKE_CHANNELS].sort())
  })

  it.each([
    ['recording:start', [null], /"request"/],
    ['recording:start', [{ mimeType: 5, sourceName: 'x' }], /"request.mimeType"/],
    ['recording:start', [{ mimeType: 'audio/webm', sourceName: 'x' }], /video type/],
    ['recording:start', [{ mimeType: 'video/webm' }], /"request.sourceName"/],
    ['recording:chunk', [ID, 0, 'bytes'], /"data" must be a Uint8Array/],
    ['recording:chunk', [ID, 0, [1, 2, 3]], /"data" must be a Uint8Array/],
    ['recording:chunk', [ID, 0, { 0: 1, length: 1 }], /"data" must be a Uint8Array/],
    ['recording:chunk', [ID, -1, new Uint8Array(1)], /"seq"/],
    ['recording:chunk', [ID, '1', new Uint8Array(1)], /"seq"/],
    ['recording:chunk', ['../x', 0, new Uint8Array(1)], /"projectId"/],
    ['recording:chunk', [undefined, 0, new Uint8Array(1)], /"projectId"/],
    [
      'recording:start',
      [{ mimeType: 'video/webm', sourceName: 'x', camera: 'cam' }],
      /"request.camera" must be an object/
    ],
    [
      'recording:start',
      [
        {
          mimeType: 'video/webm',
          sourceName: 'x',
          camera: { mimeType: 'audio/webm', deviceName: 'c' }
        }
      ],
      /"request.camera.mimeType" must be a video type/
    ],
    [
      'recording:start',
      [{ mimeType: 'video/webm', sourceName: 'x', camera: { mimeType: 'video/webm' } }],
      /"request.camera.deviceName" must be text/
    ],
    [
      'recording:restart',
      [
        ID,
        {
          mimeType: 'video/webm',
          sourceName: 'x',
          camera: { mimeType: 'video/webm', deviceName: 'c'.repeat(513) }
        }
      ],
      /"request.camera.deviceName" must be at most 512/
    ],
    ['recording:camera-chunk', [ID, 0, 'bytes'], /"data" must be a Uint8Array/],
    ['recording:camera-chunk', [ID, 1.5, new Uint8Array(1)], /"seq"/],
    ['recording:camera-chunk', ['../x', 0, new Uint8Array(1)], /"projectId"/],
    ['recording:camera-info', [ID, null], /"info" must be an object/],
    ['recording:camera-info', ['../x', {}], /"projectId"/],
    ['recording:camera-info', [ID, { offsetMs: 1.5 }], /"info.offsetMs" must be a whole number/],
    ['recording:camera-info', [ID, { offsetMs: '5' }], /"info.offsetMs"/],
    ['recording:camera-info', [ID, { offRanges: 'none' }], /"info.offRanges" must be a list/],
    ['recording:camera-info', [ID, { offRanges: [[5, 2]] }], /"info.offRanges\[0\]"/],
    ['recording:camera-info', [ID, { offRanges: [[0, 1.5]] }], /"info.offRanges\[0\]"/],
    ['recording:camera-info', [ID, { offRanges: [[-1, 3]] }], /"info.offRanges\[0\]"/],
    ['recording:camera-info', [ID, { offRanges: [[0, 1, 2]] }], /"info.offRanges\[0\]"/],
    [
      'recording:camera-info',
      [
        ID,
        {
          offRanges: [
            [10, 20],
            [5, 8]
          ]
        }
      ],
      /"info.offRanges" must be sorted and not overlap/
    ],
    [
      'recording:camera-info',
      [
        ID,
        {
          offRanges: [
            [10, 20],
            [15, 30]
          ]
        }
      ],
      /"info.offRanges" must be sorted and not overlap/
    ],
    ['recording:camera-info', [ID, { endedBecause: 7 }], /"info.endedBecause"/],
    ['recording:camera-info', [ID, { endedBecause: 'x'.repeat(501) }], /"info.endedBecause"/],
    ['recording:state', [ID, 'stopped'], /"phase" must be one of recording, paused/],
    ['recording:stop', [ID, 'now'], /"info"/],
    ['recording:stop', [ID, { endedBecause: 5 }], /"info.endedBecause"/],
    ['recording:stop', ['..%2Fx', {}], /"projectId"/],
    ['projects:rename', [ID, 5], /"title"/],
    ['projects:rename', ['', 'T'], /"projectId"/],
    ['projects:delete', ['../x'], /"projectId"/],
    ['projects:delete', [{}], /"projectId"/],
    ['projects:reveal', [null], /"projectId"/],
    ['sources:select', [''], /"sourceId"/],
    ['sources:select', [42], /"sourceId"/]
  ])('%s %j → bad-request', async (channel, args, message) => {
    const response = await call(channel, ...args)
    expect(response).toMatchObject({ ok: false, error: { code: 'bad-request' } })
    expect(response.ok ? '' : response.error.message).toMatch(message)
  })

  it.each([
    [{ countdownSeconds: 'three' }, /countdownSeconds/],
    [{ nope: 1 }, /nope/],
    [null, /object/]
  ])('settings:set %j → bad-settings', async (patch, message) => {
    const response = await call('settings:set', patch)
    expect(response).toMatchObject({ ok: false, error: { code: 'bad-settings' } })
    expect(response.ok ? '' : response.error.message).toMatch(message)
  })

  it('sources:select remembers the source in the settings', async () => {
    await value('sources:select', 'window:42:0')
    expect((await value<Settings>('settings:get')).sourceId).toBe('window:42:0')
    expect(await value('sources:list')).toHaveLength(1)
  })

  it('app:info reports ffmpeg, located lazily and again when the setting changes', async () => {
    expect(locateCalls).toEqual([])
    const info = await value<Record<string, unknown>>('app:info')
    expect(info).toEqual({
      version: '1.2.3',
      platform: 'linux',
      dataDir,
      projectsDir: join(dataDir, 'projects'),
      harness: true,
      ffmpeg: { ok: false, path: null, source: null, problem: 'no ffmpeg for ""' }
    })
    await value('settings:set', { ffmpegPath: '/ok/ffmpeg' })
    expect(services.ffmpegStatus()).toEqual({
      ok: true,
      path: '/ok/ffmpeg',
      source: 'setting',
      problem: null
    })
    services.ffmpegStatus()
    // Found once for '/ok/ffmpeg' and kept; a missing ffmpeg is looked for again each time.
    expect(locateCalls.filter((p) => p === '/ok/ffmpeg')).toHaveLength(1)
  })
})

describe('recording through the handlers', () => {
  it('emits state and change events and keeps the bytes when ffmpeg is missing', async () => {
    const started = await value<{ projectId: string }>('recording:start', {
      mimeType: 'video/webm;codecs=vp8,opus',
      sourceName: 'Entire screen'
    })
    const { projectId } = started
    expect(await value('recording:chunk', projectId, 0, new Uint8Array([1, 2, 3]))).toEqual({
      bytesWritten: 3,
      diskLow: false
    })
    // A Buffer is a Uint8Array too (that is what arrives over the harness bridge).
    await value('recording:chunk', projectId, 1, Buffer.from([4]))
    await value('recording:state', projectId, 'paused')
    await value('recording:state', projectId, 'recording')
    const stop = await call('recording:stop', projectId, {})
    expect(stop).toMatchObject({ ok: false, error: { code: 'finish-failed' } })

    expect(events).toEqual([
      { channel: 'recorder:state', payload: { phase: 'recording', projectId } },
      { channel: 'projects:changed', payload: null },
      { channel: 'recorder:state', payload: { phase: 'paused', projectId } },
      { channel: 'recorder:state', payload: { phase: 'recording', projectId } },
      { channel: 'recorder:state', payload: { phase: 'finishing', projectId } },
      { channel: 'recorder:state', payload: { phase: 'idle', projectId: null } },
      { channel: 'projects:changed', payload: null }
    ])
    const [summary] =
      await value<{ status: string; sizeBytes: number; endedBecause: string }[]>('projects:list')
    expect(summary).toMatchObject({ status: 'recovered', sizeBytes: 4 })
    expect(summary?.endedBecause).toMatch(/no ffmpeg/)
  })

  it('records the camera through its channels; without ffmpeg both raw files are kept', async () => {
    const { projectId } = await value<{ projectId: string }>('recording:start', {
      mimeType: 'video/webm;codecs=vp8,opus',
      sourceName: 'Entire screen',
      camera: { mimeType: 'video/webm;codecs=vp8', deviceName: 'USB Camera' }
    })
    await value('recording:chunk', projectId, 0, new Uint8Array([1, 2, 3]))
    expect(await value('recording:camera-chunk', projectId, 0, Buffer.from([9, 9]))).toEqual({
      bytesWritten: 2,
      diskLow: false
    })
    // Touching ranges are sorted enough; negative offsets are allowed (camera started first).
    await value('recording:camera-info', projectId, {
      offsetMs: -15,
      offRanges: [
        [100, 200],
        [200, 300]
      ]
    })
    const gap = await call('recording:camera-chunk', projectId, 5, new Uint8Array(1))
    expect(gap).toMatchObject({ ok: false, error: { code: 'chunk-gap' } })
    const stop = await call('recording:stop', projectId, {})
    expect(stop).toMatchObject({ ok: false, error: { code: 'finish-failed' } })
    const dir = join(dataDir, 'projects', projectId)
    const facts = JSON.parse(await readFile(join(dir, 'recording.json'), 'utf8')) as RecordingFacts
    expect(facts.camera).toMatchObject({
      file: 'camera-capture.webm',
      deviceName: 'USB Camera',
      offsetMs: -15,
      offRanges: [
        [100, 200],
        [200, 300]
      ],
      bytesWritten: 2
    })
    expect(facts.camera?.endedBecause).toMatch(/could not finish the camera file/)
    expect(await readFile(join(dir, 'camera-capture.webm'))).toEqual(Buffer.from([9, 9]))
    const [summary] = await value<ProjectSummary[]>('projects:list')
    expect(summary?.camera).toBeNull()
  })

  it('rename, reveal and delete a project, announcing each change', async () => {
    const dir = join(dataDir, 'projects', ID)
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, 'recording.webm'), 'x')
    await writeFile(
      join(dir, 'recording.json'),
      JSON.stringify({
        version: 1,
        id: ID,
        status: 'complete',
        title: 'Old',
        createdAt: '2026-11-29T14:22:33.000Z',
        sourceName: 'Entire screen',
        file: 'recording.webm',
        container: 'webm',
        mimeType: 'video/webm'
      })
    )
    expect(await value('projects:rename', ID, ' New ')).toMatchObject({ title: 'New' })
    await value('projects:reveal', ID)
    expect(revealed).toEqual([join(dir, 'recording.webm')])
    expect(await value('projects:delete', ID)).toEqual({ projectId: ID, undoMs: 10_000 })
    expect(await value('projects:list')).toEqual([])
    expect(events.filter((e) => e.channel === 'projects:changed')).toHaveLength(2)
    expect(await call('projects:reveal', ID)).toMatchObject({
      ok: false,
      error: { code: 'not-found' }
    })
    // Undo: the delete is taken back while its time runs.
    expect(await value('projects:restore', ID)).toMatchObject({ id: ID, title: 'New' })
    expect(await value('projects:list')).toMatchObject([{ id: ID }])
  })

  it.each(['window-reloaded', 'window-crashed'] as const)(
    'finishes a recording whose window was lost (%s) and tells the window that loads again',
    async (cause) => {
      const { projectId } = await value<{ projectId: string }>('recording:start', {
        mimeType: 'video/webm;codecs=vp8,opus',
        sourceName: 'Entire screen'
      })
      await value('recording:chunk', projectId, 0, new Uint8Array([1, 2, 3]))
      const finishing = services.finishForLostWindow(cause)
      // The reloaded window asks at once; its answer waits for the finish.
      const notices = await value<unknown[]>('projects:recovery-notices')
      await finishing
      expect(notices).toEqual([
        {
          projectId,
          title: expect.any(String),
          durationMs: null,
          // No ffmpeg here, so the bytes are kept as they are and the notice says why.
          problem: expect.stringMatching(/no ffmpeg/),
          cause
        }
      ])
      expect(services.recorder.state()).toEqual({ phase: 'idle', projectId: null })
      const [summary] = await value<{ sizeBytes: number; endedBecause: string }[]>('projects:list')
      expect(summary).toMatchObject({ sizeBytes: 3 })
      expect(summary?.endedBecause).toMatch(/window/)
      expect(await value('projects:recovery-notices')).toEqual([])
    }
  )

  it('does nothing for a lost window when no recording runs', async () => {
    await services.finishForLostWindow('window-reloaded')
    expect(await value('projects:recovery-notices')).toEqual([])
    expect(events).toEqual([])
  })

  it('serves the recovery notices from startup once', async () => {
    const dir = join(dataDir, 'projects', ID)
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, 'capture.webm'), 'some bytes')
    await writeFile(
      join(dir, 'recording.json'),
      JSON.stringify({
        version: 1,
        id: ID,
        status: 'recording',
        title: 'Crashed',
        createdAt: '2026-11-29T14:22:33.000Z',
        sourceName: 'Entire screen',
        file: 'capture.webm',
        container: 'webm',
        mimeType: 'video/webm'
      })
    )
    const notices = await services.startup()
    expect(notices).toEqual([
      { projectId: ID, title: 'Crashed', durationMs: null, problem: expect.stringMatching(/safe/) }
    ])
    expect(events).toContainEqual({ channel: 'projects:changed', payload: null })
    expect(await value('projects:recovery-notices')).toEqual(notices)
    expect(await value('projects:recovery-notices')).toEqual([])
  })
})
