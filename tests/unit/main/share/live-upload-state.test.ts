/**
 * A live upload's state machine with a deferred length, table-style: the reducer's live events,
 * where it stands for the user (livePhase, UploadInfo.live), what a server's answer means by
 * where it stood (liveFailureEvent), and the tray's line for it.
 */
import { describe, expect, it } from 'vitest'
import type { UploadInfo } from '../../../../src/shared/ipc'
import { uploadActivity } from '../../../../src/main/electron/tray-menu'
import { liveFingerprint, liveMetadata } from '../../../../src/main/share/upload-plan'
import { uploadInfo } from '../../../../src/main/share/upload-progress'
import {
  liveFailureEvent,
  livePhase,
  uploadReducer,
  type Upload,
  type UploadEvent
} from '../../../../src/main/share/upload-state'

const LIVE: Upload = {
  id: 'u1',
  projectId: '20261202-120000-aaaa',
  title: 'Live',
  description: '',
  createdAt: '2026-12-02T12:00:00.000Z',
  state: 'uploading',
  source: 'live',
  captureFile: 'capture.webm',
  fingerprint: 'sidecast/20261202-120000-aaaa/live',
  bytesTotal: null,
  bytesSent: 0,
  metadata: { live: '1' }
}

const live = (overrides: Partial<Upload>): Upload => ({ ...LIVE, ...overrides })

describe('the live upload reducer', () => {
  it.each<[string, Upload, UploadEvent, Partial<Upload>]>([
    [
      'created: the reserved video’s link',
      LIVE,
      { type: 'created', url: 'https://lib/v/x', videoId: 'x' },
      { url: 'https://lib/v/x', videoId: 'x', state: 'uploading' }
    ],
    [
      'sealed: the length becomes known',
      live({ bytesSent: 10 }),
      { type: 'sealed', size: 500 },
      { sealedSize: 500, bytesTotal: 500, bytesSent: 10 }
    ],
    [
      'sealed again: the first size stays',
      live({ sealedSize: 500, bytesTotal: 500 }),
      { type: 'sealed', size: 900 },
      { sealedSize: 500, bytesTotal: 500 }
    ],
    [
      'progress past nothing known: total stays unknown',
      LIVE,
      { type: 'progress', bytesSent: 4096 },
      { bytesSent: 4096, bytesTotal: null }
    ],
    [
      'sending with the length still unknown',
      live({ state: 'queued' }),
      { type: 'sending', file: '/p/capture.webm', fingerprint: 'f', bytesTotal: null },
      { state: 'uploading', bytesTotal: null }
    ],
    ['link-announced', LIVE, { type: 'link-announced' }, { linkAnnounced: true }],
    [
      'finish-failed: every byte there, the library could not finish',
      live({ sealedSize: 500, bytesTotal: 500, bytesSent: 500 }),
      { type: 'finish-failed', message: 'cut short' },
      { state: 'failed', error: 'cut short', finishFailed: true, bytesSent: 500 }
    ],
    [
      'retry-as-recording: an ordinary upload replacing the reserved video',
      live({
        state: 'failed',
        finishFailed: true,
        error: 'cut short',
        url: 'https://lib/v/x',
        videoId: 'x',
        linkAnnounced: true,
        sealedSize: 500,
        bytesTotal: 500,
        bytesSent: 500
      }),
      { type: 'retry-as-recording', metadata: { replaces: 'x' }, replaces: 'x' },
      {
        source: 'recording',
        state: 'queued',
        replaces: 'x',
        bytesTotal: null,
        bytesSent: 0,
        metadata: { replaces: 'x' }
      }
    ],
    [
      'restarted while sending: queued to resume from the server’s offset',
      live({ sealedSize: 500, bytesTotal: 500, bytesSent: 200 }),
      { type: 'restarted' },
      { state: 'queued', sealedSize: 500, bytesSent: 200 }
    ]
  ])('%s', (_name, before, event, expected) => {
    expect(uploadReducer(before, event)).toMatchObject(expected)
  })

  it('retry-as-recording forgets the failure, the live fingerprint and the announcement', () => {
    const after = uploadReducer(
      live({ state: 'failed', finishFailed: true, error: 'x', linkAnnounced: true }),
      { type: 'retry-as-recording', metadata: {} }
    )
    expect(after.finishFailed).toBeUndefined()
    expect(after.error).toBeUndefined()
    expect(after.fingerprint).toBeUndefined()
    expect(after.linkAnnounced).toBeUndefined()
    expect(after.replaces).toBeUndefined()
  })

  it('a seal means nothing to an ordinary upload', () => {
    const ordinary: Upload = { ...LIVE, source: 'recording', bytesTotal: 100 }
    expect(uploadReducer(ordinary, { type: 'sealed', size: 5 })).toBe(ordinary)
  })
})

describe('where a live upload stands for the user', () => {
  it.each<[string, Partial<Upload>, string | undefined]>([
    ['recording, nothing sent', {}, 'recording'],
    ['recording, waiting to retry', { state: 'queued', bytesSent: 50 }, 'recording'],
    ['recording, paused by the user', { state: 'paused' }, 'recording'],
    ['stopped, bytes behind', { sealedSize: 500, bytesTotal: 500, bytesSent: 499 }, 'finishing'],
    [
      'stopped, every byte there',
      { sealedSize: 500, bytesTotal: 500, bytesSent: 500 },
      'processing'
    ],
    ['stopped, nothing recorded', { sealedSize: 0, bytesTotal: 0 }, 'processing'],
    ['done', { state: 'done', sealedSize: 5, bytesSent: 5 }, undefined],
    ['cancelled', { state: 'cancelled' }, undefined],
    ['failed', { state: 'failed', error: 'x' }, undefined],
    ['an ordinary upload', { source: 'recording', bytesTotal: 10 }, undefined]
  ])('%s: %s', (_name, overrides, expected) => {
    const upload = live(overrides)
    expect(livePhase(upload)).toBe(expected)
    expect(uploadInfo(upload, undefined).live).toBe(expected)
  })

  it('UploadInfo while recording: no total, no fraction, the link once reserved', () => {
    const view = uploadInfo(live({ bytesSent: 3000, url: 'https://lib/v/x' }), undefined)
    expect(view).toMatchObject({
      live: 'recording',
      bytesTotal: null,
      fraction: 0,
      etaMs: null,
      url: 'https://lib/v/x'
    })
    expect(view.linkAnnounced).toBeUndefined()
  })

  it('UploadInfo after Stop: the fraction of the capture sent, and whether the link was told', () => {
    const view = uploadInfo(
      live({ sealedSize: 1000, bytesTotal: 1000, bytesSent: 250, linkAnnounced: true }),
      undefined
    )
    expect(view).toMatchObject({ live: 'finishing', fraction: 0.25, linkAnnounced: true })
  })
})

describe('what the server’s answers mean for a live upload', () => {
  it.each<[string, Partial<Upload>, UploadEvent['type']]>([
    ['refused while recording (too large, quota)', { bytesSent: 100 }, 'failed'],
    ['refused after Stop with bytes behind', { sealedSize: 500, bytesSent: 200 }, 'failed'],
    [
      'refused once every byte arrived (not a video, truncated)',
      { sealedSize: 500, bytesSent: 500 },
      'finish-failed'
    ]
  ])('%s → %s', (_name, overrides, type) => {
    expect(liveFailureEvent(live(overrides), 'why').type).toBe(type)
  })
})

describe('a live upload’s fingerprint and metadata', () => {
  it('one fingerprint per project, whatever the size', () => {
    expect(liveFingerprint('20261202-120000-aaaa')).toBe('sidecast/20261202-120000-aaaa/live')
  })

  it('the recording’s metadata with live: 1, no duration yet', () => {
    expect(
      liveMetadata({ projectId: '20261202-120000-aaaa', title: 'Demo\tone', extension: 'webm' })
    ).toEqual({
      filename: 'demo-one.webm',
      title: 'Demo one',
      description: '',
      projectId: '20261202-120000-aaaa',
      live: '1'
    })
  })
})

describe('the tray’s line for a live upload', () => {
  const info = (overrides: Partial<UploadInfo>): UploadInfo => ({
    id: 'u1',
    projectId: 'p1',
    title: 'Live',
    state: 'uploading',
    fraction: 0,
    bytesSent: 0,
    bytesTotal: null,
    speedBps: null,
    etaMs: null,
    createdAt: '2026-12-02T12:00:00.000Z',
    ...overrides
  })

  it.each<[string, UploadInfo[], string | null]>([
    ['while recording: part of the recording, no line', [info({ live: 'recording' })], null],
    [
      'bytes behind after Stop',
      [info({ live: 'finishing', fraction: 0.42 })],
      'Finishing upload… 42%'
    ],
    ['all there, processing', [info({ live: 'processing', fraction: 1 })], 'Finishing upload…'],
    [
      'first, ahead of an ordinary upload',
      [info({ id: 'o', fraction: 0.1 }), info({ id: 'l', live: 'finishing', fraction: 0.5 })],
      'Finishing upload… 50% (+1 more)'
    ]
  ])('%s', (_name, uploads, label) => {
    expect(uploadActivity(uploads)?.label ?? null).toBe(label)
  })
})
