import { describe, expect, it } from 'vitest'
import { SidecastError } from '../../../src/shared/errors'
import type {
  EventChannel,
  EventPayload,
  InvokeArgs,
  InvokeChannel,
  InvokeResult,
  SidecastApi,
  UploadInfo
} from '../../../src/shared/ipc'
import {
  EMPTY_UPLOADS,
  isActiveUpload,
  reduceUploads,
  uploadOutcome,
  uploadOutcomeMessage,
  uploadsSummary,
  uploadStatusLine
} from '../../../src/renderer/src/share/uploads-model'
import { createUploadsStore } from '../../../src/renderer/src/share/uploads-store'
import type { UploadEvent } from '../../../src/renderer/src/share/uploads-store'

function upload(partial: Partial<UploadInfo> & { id: string }): UploadInfo {
  return {
    projectId: 'p1',
    title: 'Demo',
    state: 'uploading',
    fraction: 0.5,
    bytesSent: 50,
    bytesTotal: 100,
    speedBps: null,
    etaMs: null,
    createdAt: '2026-11-29T10:00:00.000Z',
    ...partial
  }
}

describe('reduceUploads', () => {
  it('keeps the newest upload per project, by createdAt', () => {
    const older = upload({ id: 'a', state: 'done', createdAt: '2026-11-29T09:00:00.000Z' })
    const newer = upload({ id: 'b', state: 'uploading', createdAt: '2026-11-29T10:00:00.000Z' })
    const other = upload({ id: 'c', projectId: 'p2' })
    const state = reduceUploads(EMPTY_UPLOADS, { type: 'listed', uploads: [newer, older, other] })
    expect(state.byProject.get('p1')).toBe(newer)
    expect(state.byProject.get('p2')).toBe(other)
    expect(state.byId.size).toBe(3)
  })

  it('replaces an upload with its latest event', () => {
    const first = upload({ id: 'a', fraction: 0.1 })
    const later = upload({ id: 'a', fraction: 0.7 })
    let state = reduceUploads(EMPTY_UPLOADS, { type: 'changed', upload: first })
    state = reduceUploads(state, { type: 'changed', upload: later })
    expect(state.byProject.get('p1')).toBe(later)
    expect(state.byId.get('a')).toBe(later)
  })

  it('does not let the list overwrite an event that arrived before it', () => {
    const fromEvent = upload({ id: 'a', state: 'done', fraction: 1 })
    const stale = upload({ id: 'a', state: 'uploading', fraction: 0.3 })
    let state = reduceUploads(EMPTY_UPLOADS, { type: 'changed', upload: fromEvent })
    state = reduceUploads(state, { type: 'listed', uploads: [stale] })
    expect(state.byId.get('a')).toBe(fromEvent)
  })

  it('on equal createdAt the upload heard of last wins', () => {
    const a = upload({ id: 'a' })
    const b = upload({ id: 'b' })
    let state = reduceUploads(EMPTY_UPLOADS, { type: 'changed', upload: a })
    state = reduceUploads(state, { type: 'changed', upload: b })
    expect(state.byProject.get('p1')?.id).toBe('b')
    state = reduceUploads(state, { type: 'changed', upload: { ...a, fraction: 0.9 } })
    expect(state.byProject.get('p1')?.id).toBe('a')
  })

  it('does not change the previous state', () => {
    const before = reduceUploads(EMPTY_UPLOADS, { type: 'changed', upload: upload({ id: 'a' }) })
    reduceUploads(before, { type: 'changed', upload: upload({ id: 'b', projectId: 'p2' }) })
    expect([...before.byId.keys()]).toEqual(['a'])
    expect(EMPTY_UPLOADS.byId.size).toBe(0)
  })
})

describe('uploadOutcome', () => {
  it.each([
    [undefined, 'done', 'done'],
    ['uploading', 'done', 'done'],
    ['done', 'done', null],
    ['uploading', 'failed', 'failed'],
    ['queued', 'failed', 'failed'],
    ['failed', 'failed', null],
    ['uploading', 'paused', null],
    ['failed', 'queued', null],
    [undefined, 'uploading', null],
    ['uploading', 'cancelled', null]
  ] as const)('%s → %s: %s', (before, after, expected) => {
    const previous = before ? upload({ id: 'a', state: before }) : undefined
    expect(uploadOutcome(previous, upload({ id: 'a', state: after }))).toBe(expected)
  })
})

describe('isActiveUpload', () => {
  it.each([
    ['exporting', true],
    ['queued', true],
    ['uploading', true],
    ['paused', true],
    ['failed', false],
    ['done', false],
    ['cancelled', false]
  ] as const)('%s → %s', (state, expected) => {
    expect(isActiveUpload(upload({ id: 'a', state }))).toBe(expected)
  })
  it('nothing is not active', () => {
    expect(isActiveUpload(undefined)).toBe(false)
  })
})

describe('uploadStatusLine', () => {
  it.each([
    [
      { state: 'uploading', fraction: 0.42, speedBps: 4_200_000, etaMs: 60_000 },
      'Uploading · 42% · 4.2 MB/s · 1 min left'
    ],
    // No estimate yet: no time in the line, never "estimating".
    [{ state: 'uploading', fraction: 0.1, speedBps: null, etaMs: null }, 'Uploading · 10%'],
    // The export has reported nothing yet: the phase alone.
    [{ state: 'exporting', fraction: 0, etaMs: null }, 'Preparing the video…'],
    [{ state: 'exporting', fraction: 0.11, etaMs: null }, 'Preparing the video · 11%'],
    [
      { state: 'exporting', fraction: 0.25, etaMs: 12_000 },
      'Preparing the video · 25% · 12 s left'
    ],
    [{ state: 'paused', fraction: 0.5, speedBps: 1000, etaMs: 5000 }, 'Paused · 50%'],
    [{ state: 'queued', fraction: 0.3 }, 'Waiting to upload · 30%'],
    [{ state: 'done', fraction: 1 }, 'Uploaded'],
    [{ state: 'failed', fraction: 0.3 }, 'Upload failed'],
    [{ state: 'cancelled', fraction: 0.3 }, 'Upload cancelled']
  ] as const)('%o → %s', (partial, expected) => {
    expect(uploadStatusLine(upload({ id: 'a', ...partial }))).toBe(expected)
  })
})

describe('uploadOutcomeMessage', () => {
  const u = upload({ id: 'a', title: 'Set up VPN', state: 'done' })
  it('says the link was copied when the setting is on', () => {
    expect(uploadOutcomeMessage(u, 'done', true)).toBe(
      'Uploaded — link copied. “Set up VPN” is in the team library.'
    )
  })
  it('just says uploaded when it is off', () => {
    expect(uploadOutcomeMessage(u, 'done', false)).toBe(
      'Uploaded. “Set up VPN” is in the team library.'
    )
  })
  it('gives the reason of a failure', () => {
    const failed = { ...u, state: 'failed' as const, error: 'The library refused the token.' }
    expect(uploadOutcomeMessage(failed, 'failed', true)).toBe(
      'Upload of “Set up VPN” failed. The library refused the token.'
    )
  })
})

describe('uploadsSummary', () => {
  it('is null when nothing is in flight', () => {
    expect(uploadsSummary([])).toBeNull()
    expect(uploadsSummary([upload({ id: 'a', state: 'done' })])).toBeNull()
  })
  it('adds up bytes across active uploads', () => {
    const list = [
      upload({ id: 'a', bytesSent: 30, bytesTotal: 100 }),
      upload({ id: 'b', projectId: 'p2', bytesSent: 70, bytesTotal: 100 }),
      upload({ id: 'c', projectId: 'p3', state: 'done', bytesSent: 100, bytesTotal: 100 })
    ]
    expect(uploadsSummary(list)).toBe('2 uploads in progress · 50%')
  })
  it('without sizes yet, only counts', () => {
    expect(uploadsSummary([upload({ id: 'a', state: 'exporting', bytesTotal: null })])).toBe(
      '1 upload in progress'
    )
  })
  it('says when everything is paused', () => {
    expect(uploadsSummary([upload({ id: 'a', state: 'paused' })])).toBe('1 upload paused')
  })
})

// ---------- the store, over a fake api ----------

class FakeApi implements Pick<SidecastApi, 'invoke' | 'on'> {
  readonly listeners = new Map<string, Array<(payload: unknown) => void>>()
  readonly calls: string[] = []
  list: Promise<UploadInfo[]>
  resolveList!: (list: UploadInfo[]) => void
  rejectList!: (error: unknown) => void

  constructor() {
    this.list = new Promise((resolve, reject) => {
      this.resolveList = resolve
      this.rejectList = reject
    })
  }

  invoke<C extends InvokeChannel>(channel: C, ..._args: InvokeArgs<C>): Promise<InvokeResult<C>> {
    this.calls.push(channel)
    if (channel === 'uploads:list') return this.list as Promise<InvokeResult<C>>
    return Promise.reject(new Error(`unexpected ${channel}`))
  }

  on<E extends EventChannel>(channel: E, listener: (payload: EventPayload<E>) => void): () => void {
    this.calls.push(`on:${channel}`)
    const list = this.listeners.get(channel) ?? []
    list.push(listener as (payload: unknown) => void)
    this.listeners.set(channel, list)
    return () => undefined
  }

  emit(upload: UploadInfo): void {
    for (const l of this.listeners.get('uploads:changed') ?? []) l(upload)
  }
}

const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))

describe('createUploadsStore', () => {
  it('listens before listing, once, and only when first used', async () => {
    const api = new FakeApi()
    const store = createUploadsStore(api)
    expect(api.calls).toEqual([])
    store.subscribe(() => undefined)
    store.subscribe(() => undefined)
    expect(api.calls).toEqual(['on:uploads:changed', 'uploads:list'])
    api.resolveList([upload({ id: 'a' })])
    await flush()
    expect(store.getSnapshot().byProject.get('p1')?.id).toBe('a')
  })

  it('keeps an event that arrived while the list was on its way', async () => {
    const api = new FakeApi()
    const store = createUploadsStore(api)
    let notified = 0
    store.subscribe(() => notified++)
    api.emit(upload({ id: 'a', state: 'paused', fraction: 0.6 }))
    api.resolveList([upload({ id: 'a', state: 'uploading', fraction: 0.5 })])
    await flush()
    expect(store.getSnapshot().byId.get('a')?.state).toBe('paused')
    expect(notified).toBe(2)
  })

  it('reports a failed list in words and still follows events', async () => {
    const api = new FakeApi()
    const store = createUploadsStore(api)
    store.subscribe(() => undefined)
    api.rejectList(new SidecastError('no-handler', 'Sharing is not available yet.'))
    await flush()
    expect(store.loadError()).toBe('Sharing is not available yet.')
    api.emit(upload({ id: 'a' }))
    expect(store.getSnapshot().byId.has('a')).toBe(true)
  })

  it('tells each finish or failure once, to the first consumer, not for the start-up list', async () => {
    const api = new FakeApi()
    const store = createUploadsStore(api)
    const first: UploadEvent[] = []
    const second: UploadEvent[] = []
    const offFirst = store.onOutcome((e) => first.push(e))
    store.onOutcome((e) => second.push(e))
    api.resolveList([upload({ id: 'old', state: 'done' })])
    await flush()
    api.emit(upload({ id: 'a', state: 'uploading' }))
    api.emit(upload({ id: 'a', state: 'done' }))
    api.emit(upload({ id: 'a', state: 'done' }))
    expect(first.map((e) => [e.upload.id, e.outcome])).toEqual([['a', 'done']])
    expect(second).toEqual([])
    offFirst()
    api.emit(upload({ id: 'b', projectId: 'p2', state: 'failed', needsToken: true }))
    expect(second.map((e) => [e.upload.id, e.outcome])).toEqual([['b', 'failed']])
  })

  it('keeps outcomes while nobody listens and hands them to the next consumer', () => {
    const api = new FakeApi()
    const store = createUploadsStore(api)
    store.subscribe(() => undefined)
    api.emit(upload({ id: 'a', state: 'done' }))
    api.emit(upload({ id: 'b', state: 'failed' }))
    const got: string[] = []
    store.onOutcome((e) => got.push(`${e.upload.id}:${e.outcome}`))
    expect(got).toEqual(['a:done', 'b:failed'])
    const later: string[] = []
    store.onOutcome((e) => later.push(e.upload.id))
    expect(later).toEqual([])
  })

  it('applies invoke answers, but never steps back from an end state', () => {
    const api = new FakeApi()
    const store = createUploadsStore(api)
    store.apply(upload({ id: 'a', state: 'uploading' }))
    expect(store.getSnapshot().byId.get('a')?.state).toBe('uploading')
    api.emit(upload({ id: 'a', state: 'done' }))
    store.apply(upload({ id: 'a', state: 'paused' }))
    expect(store.getSnapshot().byId.get('a')?.state).toBe('done')
    // A failed upload may be resumed: that is not a step back.
    api.emit(upload({ id: 'b', state: 'failed' }))
    store.apply(upload({ id: 'b', state: 'queued' }))
    expect(store.getSnapshot().byId.get('b')?.state).toBe('queued')
  })
})
