/** One upload's state machine, table-style: every event from every state that meets it. */
import { describe, expect, it } from 'vitest'
import type { UploadState } from '../../../../src/shared/ipc'
import {
  cancelProblem,
  KEEP_FINISHED,
  pauseProblem,
  resumeProblem,
  retriesWithToken,
  trimFinished,
  uploadReducer,
  type Upload,
  type UploadEvent
} from '../../../../src/main/share/upload-state'

function upload(overrides: Partial<Upload> = {}): Upload {
  return {
    id: 'u1',
    projectId: '20261129-120000-aaaa',
    title: 'Walkthrough',
    description: '',
    createdAt: '2026-11-29T12:00:00.000Z',
    state: 'queued',
    source: 'recording',
    bytesTotal: 1000,
    bytesSent: 0,
    metadata: { title: 'Walkthrough' },
    ...overrides
  }
}

const AT = '2026-11-29T13:00:00.000Z'

describe('uploadReducer', () => {
  it.each<{
    name: string
    from: Partial<Upload>
    event: UploadEvent
    to: Partial<Upload>
    gone?: (keyof Upload)[]
  }>([
    {
      name: 'an export written: queued with its file, fingerprint and metadata, from byte 0',
      from: {
        state: 'exporting',
        source: 'export',
        bytesTotal: null,
        bytesSent: 5,
        metadata: {},
        error: 'old'
      },
      event: {
        type: 'exported',
        file: '/u/u1.mp4',
        fingerprint: 'fp',
        bytesTotal: 3000,
        metadata: { title: 'T' }
      },
      to: {
        state: 'queued',
        file: '/u/u1.mp4',
        fingerprint: 'fp',
        bytesTotal: 3000,
        bytesSent: 0,
        metadata: { title: 'T' }
      },
      gone: ['error']
    },
    {
      name: 'an export lost: exporting again, its fingerprint forgotten',
      from: { state: 'queued', source: 'export', fingerprint: 'fp', bytesSent: 700 },
      event: { type: 'export-lost' },
      to: { state: 'exporting', bytesSent: 0 },
      gone: ['fingerprint']
    },
    {
      name: 'sending: uploading the file named, earlier errors gone',
      from: { state: 'queued', error: 'Waiting to retry: x', needsToken: true, bytesSent: 200 },
      event: { type: 'sending', file: '/p/recording.webm', fingerprint: 'fp2', bytesTotal: 1200 },
      to: {
        state: 'uploading',
        file: '/p/recording.webm',
        fingerprint: 'fp2',
        bytesTotal: 1200,
        bytesSent: 200
      },
      gone: ['error', 'needsToken']
    },
    {
      name: 'progress: only the bytes move',
      from: { state: 'uploading', bytesSent: 100 },
      event: { type: 'progress', bytesSent: 600 },
      to: { state: 'uploading', bytesSent: 600 }
    },
    {
      name: 'a failure that may pass: queued again, saying why it waits',
      from: { state: 'uploading', bytesSent: 600 },
      event: { type: 'retry-later', reason: 'The connection to the library was cut.' },
      to: {
        state: 'queued',
        bytesSent: 600,
        error: 'Waiting to retry: The connection to the library was cut.'
      }
    },
    {
      name: 'a busy library (503/429 with Retry-After): queued, saying when it tries again',
      from: { state: 'uploading', bytesSent: 600 },
      event: { type: 'retry-later', reason: 'The library is busy (HTTP 503).', busyMs: 4200 },
      to: {
        state: 'queued',
        bytesSent: 600,
        error: 'The library is busy — retrying in 5 s'
      }
    },
    {
      name: 'a busy library asking for minutes: said in seconds too',
      from: { state: 'queued', error: 'The library is busy — retrying in 5 s' },
      event: { type: 'retry-later', reason: 'The library is busy (HTTP 429).', busyMs: 600_000 },
      to: { state: 'queued', error: 'The library is busy — retrying in 600 s' }
    },
    {
      name: 'a refused token: failed, needing a new token, the refused one remembered',
      from: { state: 'uploading' },
      event: { type: 'failed', message: 'refused', needsToken: true, refusedToken: 'tag1' },
      to: { state: 'failed', error: 'refused', needsToken: true, refusedToken: 'tag1' }
    },
    {
      name: 'refused for good: failed with the reason only',
      from: { state: 'uploading', refusedToken: 'tag0' },
      event: { type: 'failed', message: 'not a video' },
      to: { state: 'failed', error: 'not a video', refusedToken: 'tag0' },
      gone: ['needsToken']
    },
    {
      name: 'done: the link kept, every byte counted, problems forgotten',
      from: { state: 'uploading', bytesSent: 900, error: 'e', needsToken: true, refusedToken: 't' },
      event: { type: 'done', url: 'https://lib.test/v/1', videoId: '1', at: AT },
      to: {
        state: 'done',
        url: 'https://lib.test/v/1',
        videoId: '1',
        finishedAt: AT,
        bytesSent: 1000
      },
      gone: ['error', 'needsToken', 'refusedToken']
    },
    {
      name: 'done without a known size keeps the bytes sent',
      from: { state: 'uploading', bytesTotal: null, bytesSent: 900 },
      event: { type: 'done', url: 'https://lib.test/v/1', videoId: '1', at: AT },
      to: { state: 'done', bytesSent: 900 }
    },
    {
      name: 'paused: quiet about the last error',
      from: { state: 'queued', error: 'Waiting to retry: x' },
      event: { type: 'paused' },
      to: { state: 'paused' },
      gone: ['error']
    },
    {
      name: 'requeued from a recording: queued',
      from: { state: 'failed', error: 'e', needsToken: true, refusedToken: 't' },
      event: { type: 'requeued' },
      to: { state: 'queued' },
      gone: ['error', 'needsToken', 'refusedToken']
    },
    {
      name: 'requeued before its export finished: exporting again',
      from: { state: 'paused', source: 'export' },
      event: { type: 'requeued' },
      to: { state: 'exporting' }
    },
    {
      name: 'requeued with its export done: queued',
      from: { state: 'paused', source: 'export', fingerprint: 'fp' },
      event: { type: 'requeued' },
      to: { state: 'queued', fingerprint: 'fp' }
    },
    {
      name: 'cancelled: finished now, problems forgotten, the refused token kept',
      from: { state: 'failed', error: 'e', needsToken: true, refusedToken: 't' },
      event: { type: 'cancelled', at: AT },
      to: { state: 'cancelled', finishedAt: AT, refusedToken: 't' },
      gone: ['error', 'needsToken']
    },
    {
      name: 'a restart: what was sending waits in the queue',
      from: { state: 'uploading', bytesSent: 400 },
      event: { type: 'restarted' },
      to: { state: 'queued', bytesSent: 400 }
    },
    {
      name: 'a restart leaves every other state as it was',
      from: { state: 'paused' },
      event: { type: 'restarted' },
      to: { state: 'paused' }
    }
  ])('$name', ({ from, event, to, gone = [] }) => {
    const before = upload(from)
    const after = uploadReducer(before, event)
    expect(after).toMatchObject(to)
    for (const key of gone) expect(after).not.toHaveProperty(key)
    // Plain data: the upload before the event is left as it was.
    expect(before).toEqual(upload(from))
    expect(after.id).toBe(before.id)
  })
})

describe('what the user may do', () => {
  const states: UploadState[] = [
    'exporting',
    'queued',
    'uploading',
    'paused',
    'failed',
    'done',
    'cancelled'
  ]

  it.each(states.map((state) => [state]))('from %s', (state) => {
    const u = upload({ state })
    const allowed = {
      pause: pauseProblem(u) === null,
      resume: resumeProblem(u) === null,
      cancel: cancelProblem(u) === null
    }
    expect(allowed).toEqual({
      pause: ['exporting', 'queued', 'uploading', 'paused'].includes(state),
      resume: !['done', 'cancelled'].includes(state),
      cancel: state !== 'done'
    })
  })

  it.each([
    ['pause', 'done', pauseProblem, 'This upload has already finished.'],
    ['pause', 'failed', pauseProblem, 'This upload is not running, so there is nothing to pause.'],
    ['resume', 'done', resumeProblem, 'This upload has already finished.'],
    [
      'resume',
      'cancelled',
      resumeProblem,
      'This upload was cancelled. Start a new upload instead.'
    ],
    [
      'cancel',
      'done',
      cancelProblem,
      'This upload has already finished. To take the video down, delete it in the library.'
    ]
  ] as const)('%s from %s says why not', (_action, state, problem, message) => {
    expect(problem(upload({ state }))).toBe(message)
  })
})

describe('retriesWithToken', () => {
  it.each([
    {
      name: 'a new token',
      from: { state: 'failed', needsToken: true, refusedToken: 'old' },
      tag: 'new',
      retries: true
    },
    {
      name: 'the same refused token',
      from: { state: 'failed', needsToken: true, refusedToken: 'old' },
      tag: 'old',
      retries: false
    },
    {
      name: 'no token at all',
      from: { state: 'failed', needsToken: true },
      tag: null,
      retries: false
    },
    {
      name: 'a token after "library not set"',
      from: { state: 'failed', needsToken: true },
      tag: 'new',
      retries: true
    },
    { name: 'a failure no token can fix', from: { state: 'failed' }, tag: 'new', retries: false },
    {
      name: 'an upload still running',
      from: { state: 'queued', needsToken: true },
      tag: 'new',
      retries: false
    }
  ] as const)('$name: $retries', ({ from, tag, retries }) => {
    expect(retriesWithToken(upload(from), tag)).toBe(retries)
  })
})

describe('trimFinished', () => {
  it(`keeps every unfinished upload and the newest ${KEEP_FINISHED} finished ones`, () => {
    const finished = Array.from({ length: KEEP_FINISHED + 3 }, (_, i) =>
      upload({
        id: `f${i}`,
        state: i % 2 ? 'done' : 'cancelled',
        finishedAt: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString()
      })
    )
    const running = [upload({ id: 'r1', state: 'paused' }), upload({ id: 'r2', state: 'failed' })]
    const kept = trimFinished([...running, ...finished])
    expect(kept.map((u) => u.id)).toEqual(['r1', 'r2', ...finished.slice(3).map((u) => u.id)])
  })
})
