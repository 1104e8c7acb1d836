import { describe, expect, it } from 'vitest'
import { SidecastError } from '../../../src/shared/errors'
import type {
  EventChannel,
  EventPayload,
  ExportProgressEvent,
  ExportStartResult,
  InvokeArgs,
  InvokeChannel,
  InvokeResult,
  SidecastApi
} from '../../../src/shared/ipc'
import type { ProjectSummary } from '../../../src/shared/project'
import {
  EMPTY_EXPORTS,
  exportEndWords,
  exportStatusLine,
  foreignRunningExportOf,
  isBackgroundOutcome,
  reduceExports,
  runningExportOf
} from '../../../src/renderer/src/export/exports-model'
import type { ExportEntry } from '../../../src/renderer/src/export/exports-model'
import { createExportsStore } from '../../../src/renderer/src/export/exports-store'
import { sizeChoiceHint } from '../../../src/renderer/src/export/export-choices'

function progress(partial: Partial<ExportProgressEvent> = {}): ExportProgressEvent {
  return {
    exportId: 'e1',
    projectId: 'p1',
    fraction: 0.25,
    etaMs: 30_000,
    state: 'running',
    outFile: '/data/p1/exports/demo-source-standard.mp4',
    ...partial
  }
}

const started = {
  type: 'started' as const,
  exportId: 'e1',
  projectId: 'p1',
  outFile: '/data/p1/exports/demo-source-standard.mp4',
  title: 'Demo'
}

describe('reduceExports', () => {
  it('records an export started here before any event, as running at 0', () => {
    const state = reduceExports(EMPTY_EXPORTS, started)
    const entry = state.byId.get('e1')
    expect(entry?.owned).toBe(true)
    expect(entry?.background).toBe(false)
    expect(entry?.event).toMatchObject({ state: 'running', fraction: 0, etaMs: null })
  })

  it('keeps an event that arrived before export:start answered', () => {
    let state = reduceExports(EMPTY_EXPORTS, { type: 'progress', event: progress() })
    expect(state.byId.get('e1')?.owned).toBe(false)
    state = reduceExports(state, started)
    expect(state.byId.get('e1')).toMatchObject({ owned: true, title: 'Demo' })
    expect(state.byId.get('e1')?.event.fraction).toBe(0.25)
  })

  it('follows progress and keeps ownership, background and title', () => {
    let state = reduceExports(EMPTY_EXPORTS, started)
    state = reduceExports(state, { type: 'background', exportId: 'e1', background: true })
    state = reduceExports(state, { type: 'progress', event: progress({ fraction: 0.8 }) })
    expect(state.byId.get('e1')).toMatchObject({ owned: true, background: true, title: 'Demo' })
    expect(state.byId.get('e1')?.event.fraction).toBe(0.8)
  })

  it('ignores anything after the end', () => {
    let state = reduceExports(EMPTY_EXPORTS, started)
    state = reduceExports(state, { type: 'progress', event: progress({ state: 'done' }) })
    const ended = state
    state = reduceExports(state, { type: 'progress', event: progress({ state: 'running' }) })
    expect(state).toBe(ended)
    expect(state.byId.get('e1')?.event.state).toBe('done')
  })

  it('returns the same state for a background change that changes nothing', () => {
    const state = reduceExports(EMPTY_EXPORTS, started)
    expect(reduceExports(state, { type: 'background', exportId: 'e1', background: false })).toBe(
      state
    )
    expect(reduceExports(state, { type: 'background', exportId: 'nope', background: true })).toBe(
      state
    )
  })
})

describe('isBackgroundOutcome', () => {
  const entry = (partial: Partial<ExportEntry>): ExportEntry => ({
    event: progress(),
    owned: true,
    background: true,
    title: 'Demo',
    ...partial
  })
  it.each([
    ['ours, in the background, ends', entry({}), 'done', true],
    ['ours, in the background, fails', entry({}), 'failed', true],
    ['ours, in the background, cancelled', entry({}), 'cancelled', true],
    ['still running', entry({}), 'running', false],
    ['its dialog is open', entry({ background: false }), 'done', false],
    ['not ours (upload queue)', entry({ owned: false }), 'done', false],
    ['already ended', entry({ event: progress({ state: 'done' }) }), 'done', false]
  ] as const)('%s → %s', (_name, previous, state, expected) => {
    expect(isBackgroundOutcome(previous, progress({ state }))).toBe(expected)
  })
  it('an unknown export is not news', () => {
    expect(isBackgroundOutcome(undefined, progress({ state: 'done' }))).toBe(false)
  })
})

describe('runningExportOf / foreignRunningExportOf', () => {
  it('finds only running exports of that project, ours or not', () => {
    let state = reduceExports(EMPTY_EXPORTS, started)
    state = reduceExports(state, {
      type: 'progress',
      event: progress({ exportId: 'e2', projectId: 'p2' })
    })
    expect(runningExportOf(state, 'p1')?.event.exportId).toBe('e1')
    expect(runningExportOf(state, 'p2')).toBeUndefined()
    expect(foreignRunningExportOf(state, 'p2')?.event.exportId).toBe('e2')
    expect(foreignRunningExportOf(state, 'p1')).toBeUndefined()
    state = reduceExports(state, { type: 'progress', event: progress({ state: 'cancelled' }) })
    expect(runningExportOf(state, 'p1')).toBeUndefined()
  })
})

describe('export words', () => {
  it.each([
    [progress({ fraction: 0.42, etaMs: 60_000 }), 'Exporting · 42% · 1 min left'],
    // Before ffmpeg's first progress: the phase alone; then no time until there is an estimate.
    [progress({ fraction: 0, etaMs: null }), 'Preparing…'],
    [progress({ fraction: 0.11, etaMs: null }), 'Exporting · 11%'],
    [
      progress({ state: 'done', fraction: 1, sizeBytes: 12_300_000 }),
      'Exported “demo-source-standard.mp4” (12.3 MB).'
    ],
    [progress({ state: 'cancelled' }), 'Export cancelled.'],
    [
      progress({ state: 'failed', error: 'ffmpeg stopped: disk full.' }),
      'Export failed. ffmpeg stopped: disk full.'
    ]
  ])('%o → %s', (event, expected) => {
    expect(exportStatusLine(event)).toBe(expected)
  })

  it('names the recording when there is a title', () => {
    expect(exportEndWords(progress({ state: 'cancelled' }), 'Demo')).toBe(
      'Export of “Demo” cancelled.'
    )
  })
})

describe('sizeChoiceHint', () => {
  it.each([
    ['source', 1080, '1920×1080', 'As recorded (1920×1080).'],
    ['source', null, null, 'As recorded.'],
    ['1080p', 1440, '2560×1440', 'At most 1080 pixels high.'],
    ['1080p', 1080, '1920×1080', /Same as the source/],
    ['720p', 720, '1280×720', /Same as the source/],
    ['720p', 1080, '1920×1080', /At most 720 pixels high/],
    ['720p', null, null, /At most 720 pixels high/]
  ] as const)('%s for %s px', (size, height, resolution, expected) => {
    const hint = sizeChoiceHint(size, height, resolution)
    if (typeof expected === 'string') expect(hint).toBe(expected)
    else expect(hint).toMatch(expected)
  })
})

// ---------- the store, over a fake api ----------

const project: ProjectSummary = {
  id: 'p1',
  title: 'Demo',
  status: 'complete',
  createdAt: '2026-11-29T10:00:00.000Z',
  durationMs: 8000,
  width: 1280,
  height: 720,
  sizeBytes: 1000,
  thumbnailUrl: null,
  mediaUrl: null,
  dir: '/data/p1',
  endedBecause: null,
  shareUrl: null
}

class FakeApi implements Pick<SidecastApi, 'invoke' | 'on'> {
  readonly listeners: Array<(event: ExportProgressEvent) => void> = []
  readonly starts: unknown[][] = []
  /** Runs inside export:start before it answers (main sends the first event there). */
  duringStart: () => void = () => undefined
  startResult: () => Promise<ExportStartResult> = async () => ({
    exportId: 'e1',
    outFile: '/data/p1/exports/demo-source-standard.mp4'
  })

  invoke<C extends InvokeChannel>(channel: C, ...args: InvokeArgs<C>): Promise<InvokeResult<C>> {
    if (channel !== 'export:start') return Promise.reject(new Error(`unexpected ${channel}`))
    this.starts.push(args)
    this.duringStart()
    return this.startResult() as Promise<InvokeResult<C>>
  }

  on<E extends EventChannel>(channel: E, listener: (payload: EventPayload<E>) => void): () => void {
    if (channel === 'export:progress') {
      this.listeners.push(listener as (event: ExportProgressEvent) => void)
    }
    return () => undefined
  }

  emit(event: ExportProgressEvent): void {
    for (const l of this.listeners) l(event)
  }
}

describe('createExportsStore', () => {
  it('catches the first event even when it comes before export:start answers', async () => {
    const api = new FakeApi()
    const store = createExportsStore(api)
    api.duringStart = () => api.emit(progress({ fraction: 0.1 }))
    const id = await store.start(project, { size: '720p', quality: 'small' })
    expect(id).toBe('e1')
    expect(api.starts).toEqual([['p1', { size: '720p', quality: 'small' }]])
    expect(store.getSnapshot().byId.get('e1')).toMatchObject({ owned: true, title: 'Demo' })
    expect(store.getSnapshot().byId.get('e1')?.event.fraction).toBe(0.1)
  })

  it('announces the end of a background export once, and not of one whose dialog is open', async () => {
    const api = new FakeApi()
    const store = createExportsStore(api)
    const told: string[] = []
    store.onOutcome((entry) => told.push(`${entry.title}:${entry.event.state}`))
    await store.start(project, {})
    api.emit(progress({ fraction: 0.5 }))
    store.setBackground('e1', true)
    api.emit(progress({ state: 'done', fraction: 1, sizeBytes: 10 }))
    api.emit(progress({ state: 'done', fraction: 1, sizeBytes: 10 }))
    expect(told).toEqual(['Demo:done'])

    api.startResult = async () => ({ exportId: 'e2', outFile: '/x.mp4' })
    await store.start(project, {})
    api.emit(progress({ exportId: 'e2', state: 'failed', error: 'boom' }))
    expect(told).toEqual(['Demo:done'])
  })

  it('keeps background endings until a consumer registers', async () => {
    const api = new FakeApi()
    const store = createExportsStore(api)
    await store.start(project, {})
    store.setBackground('e1', true)
    api.emit(progress({ state: 'cancelled' }))
    const told: string[] = []
    store.onOutcome((entry) => told.push(entry.event.state))
    expect(told).toEqual(['cancelled'])
  })

  it('takes up a running export of the same recording when main says it is busy', async () => {
    const api = new FakeApi()
    const store = createExportsStore(api)
    store.subscribe(() => undefined)
    api.emit(progress({ exportId: 'earlier', fraction: 0.6 }))
    api.startResult = () =>
      Promise.reject(new SidecastError('export-busy', 'This recording is already being exported.'))
    const id = await store.start(project, {})
    expect(id).toBe('earlier')
    expect(store.getSnapshot().byId.get('earlier')).toMatchObject({ owned: true, title: 'Demo' })
  })

  it('passes main’s error on when there is nothing to take up', async () => {
    const api = new FakeApi()
    const store = createExportsStore(api)
    api.startResult = () =>
      Promise.reject(new SidecastError('export-busy', 'Another recording is being exported.'))
    await expect(store.start(project, {})).rejects.toThrow('Another recording is being exported.')
    api.startResult = () => Promise.reject(new SidecastError('ffmpeg-missing', 'No ffmpeg.'))
    api.emit(progress({ exportId: 'other' }))
    await expect(store.start(project, {})).rejects.toThrow('No ffmpeg.')
  })
})

describe('createExportsStore adoption switch', () => {
  it('does not take up a running export when asked not to (an upload’s own export)', async () => {
    const api = new FakeApi()
    const store = createExportsStore(api)
    store.subscribe(() => undefined)
    api.emit(progress({ exportId: 'upload-export', fraction: 0.3 }))
    api.startResult = () =>
      Promise.reject(new SidecastError('export-busy', 'This recording is already being exported.'))
    await expect(store.start(project, {}, false)).rejects.toThrow('already being exported')
    expect(store.getSnapshot().byId.get('upload-export')?.owned).toBe(false)
  })
})
