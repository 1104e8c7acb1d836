/**
 * Share while recording in the renderer's pure models: what a live upload says on its card, when
 * its link is shown, the one notice at Stop (and not a second when the library has finished it),
 * and the Settings checkbox.
 */
import { describe, expect, it } from 'vitest'
import type { LibraryConfig, UploadInfo } from '../../../src/shared/ipc'
import {
  LINK_COPIED_AT_STOP,
  LINK_READY_AT_STOP,
  notificationTitle
} from '../../../src/shared/instant-share'
import { DEFAULT_SETTINGS } from '../../../src/shared/settings'
import {
  cardShareUrl,
  linkToldAtStop,
  uploadCanPause,
  uploadIsStarting,
  uploadOutcome,
  uploadOutcomeMessage,
  uploadsSummary,
  uploadStatusLine
} from '../../../src/renderer/src/share/uploads-model'
import { createUploadsStore } from '../../../src/renderer/src/share/uploads-store'
import type { UploadEvent } from '../../../src/renderer/src/share/uploads-store'
import {
  shareWhileRecordingView,
  unknownLibraryConfig
} from '../../../src/renderer/src/settings/library-form'
import {
  initialSettingsDraft,
  settingsPatch
} from '../../../src/renderer/src/settings/settings-form'

const LINK = 'https://library.example.com/v/abc123'

function upload(partial: Partial<UploadInfo> = {}): UploadInfo {
  return {
    id: 'u1',
    projectId: 'p1',
    title: 'Set up VPN',
    state: 'uploading',
    fraction: 0,
    bytesSent: 0,
    bytesTotal: null,
    speedBps: null,
    etaMs: null,
    createdAt: '2026-12-02T10:00:00.000Z',
    ...partial
  }
}

const recording = upload({ live: 'recording', url: LINK, bytesSent: 3_400_000 })
const finishing = upload({
  live: 'finishing',
  url: LINK,
  fraction: 0.42,
  bytesSent: 4_200_000,
  bytesTotal: 10_000_000,
  speedBps: 2_000_000,
  etaMs: 3_000
})
const processing = upload({ live: 'processing', url: LINK, fraction: 1, bytesTotal: 10_000_000 })
// Main drops `live` once an upload is done or failed (its livePhase); `linkAnnounced` stays.
const done = upload({ state: 'done', url: LINK, fraction: 1, linkAnnounced: true })
const doneWithoutLive = upload({ state: 'done', url: LINK, fraction: 1 })
const failed = upload({
  state: 'failed',
  url: LINK,
  linkAnnounced: true,
  error: 'The library could not finish the video: the file is truncated.'
})

describe('a live upload in words', () => {
  it.each([
    [
      'recording, nothing sent yet',
      upload({ live: 'recording', url: LINK }),
      'Sharing while recording'
    ],
    ['recording', recording, 'Sharing while recording · 3.4 MB sent'],
    [
      'recording, waiting to retry',
      upload({ live: 'recording', state: 'queued', bytesSent: 1_000_000 }),
      'Sharing while recording · 1.0 MB sent'
    ],
    ['finishing after Stop', finishing, 'Finishing upload… 42% · 2.0 MB/s · 3 s left'],
    [
      'finishing, no estimate yet',
      upload({ live: 'finishing', fraction: 0.9, bytesTotal: 100 }),
      'Finishing upload… 90%'
    ],
    ['processing', processing, 'Processing…'],
    ['paused', upload({ live: 'finishing', state: 'paused', fraction: 0.5 }), 'Paused · 50%'],
    ['failed', failed, 'Upload failed'],
    ['done', done, 'Uploaded']
  ] as const)('%s: %s', (_what, info, expected) => {
    expect(uploadStatusLine(info)).toBe(expected)
  })

  it('says Finishing upload… once Stop was pressed, before main knows the length', () => {
    expect(uploadStatusLine(recording, { stopped: true })).toBe('Finishing upload…')
    // Once main has sealed it, its own phase says the rest.
    expect(uploadStatusLine(finishing, { stopped: true })).toBe(
      'Finishing upload… 42% · 2.0 MB/s · 3 s left'
    )
    expect(uploadStatusLine(processing, { stopped: true })).toBe('Processing…')
    // An ordinary upload is not affected.
    expect(uploadStatusLine(upload({ fraction: 0.5, bytesTotal: 100 }), { stopped: true })).toBe(
      'Uploading · 50%'
    )
  })

  it('moves its bar without a number while the length is unknown and while the library works', () => {
    expect(uploadIsStarting(recording)).toBe(true)
    expect(uploadIsStarting(processing)).toBe(true)
    expect(uploadIsStarting(finishing)).toBe(false)
    expect(uploadIsStarting(upload({ state: 'uploading', fraction: 0.3, bytesTotal: 10 }))).toBe(
      false
    )
  })

  it('offers Pause while bytes still go, not once the library has them all', () => {
    expect(uploadCanPause(recording)).toBe(true)
    expect(uploadCanPause(finishing)).toBe(true)
    expect(uploadCanPause(processing)).toBe(false)
    expect(uploadCanPause(upload({ state: 'paused', live: 'finishing' }))).toBe(false)
  })

  it('counts in the header without a percentage while its size is unknown', () => {
    expect(uploadsSummary([recording])).toBe('1 upload in progress')
    expect(uploadsSummary([recording, finishing])).toBe('2 uploads in progress · 42%')
  })
})

describe('the link on the card', () => {
  it.each([
    ['a live upload while recording', recording, null, LINK],
    ['a live upload finishing', finishing, null, LINK],
    ['a live upload processing', processing, null, LINK],
    ['a live upload done', done, null, LINK],
    ['a live upload whose finish failed (Try again keeps the link)', failed, null, LINK],
    ['a live upload not reserved yet', upload({ live: 'recording' }), null, null],
    [
      'a discarded live upload',
      upload({ live: 'recording', url: LINK, state: 'cancelled' }),
      null,
      null
    ],
    ['an ordinary upload running', upload({ fraction: 0.5, bytesTotal: 100 }), 'https://old', null],
    ['an ordinary upload done', doneWithoutLive, 'https://old', LINK],
    ['no upload, listed link', undefined, 'https://old', 'https://old'],
    ['nothing', undefined, null, null]
  ] as const)('%s', (_what, info, listed, expected) => {
    expect(cardShareUrl(info, listed)).toBe(expected)
  })
})

describe('the notice at Stop, and no second one', () => {
  const announced = { ...finishing, linkAnnounced: true }
  it.each([
    ['main announced the link at Stop', finishing, announced, 'link'],
    ['announced with the recording event itself', recording, announced, 'link'],
    [
      'announced and already done (a short recording)',
      recording,
      { ...done, linkAnnounced: true },
      'link'
    ],
    ['after Stop, before main announced it: nothing yet', recording, finishing, null],
    [
      'announced → processing: nothing new',
      announced,
      { ...processing, linkAnnounced: true },
      null
    ],
    [
      'processing → done: not "Uploaded — link copied" again',
      { ...processing, linkAnnounced: true },
      { ...done, linkAnnounced: true },
      null
    ],
    [
      'done, main dropped the flag: still not again',
      { ...processing, linkAnnounced: true },
      doneWithoutLive,
      null
    ],
    ['announced → failed: the failure', announced, { ...failed, linkAnnounced: true }, 'failed'],
    [
      'a failed one tried again: no second link notice',
      { ...failed, linkAnnounced: true },
      announced,
      null
    ],
    [
      'announced as it was discarded: nothing to say',
      recording,
      { ...recording, linkAnnounced: true, state: 'cancelled' as const },
      null
    ],
    ['recording → recording: nothing', recording, { ...recording, bytesSent: 9_000_000 }, null],
    [
      'never announced (no link at Stop): an ordinary "Uploaded"',
      processing,
      doneWithoutLive,
      'done'
    ],
    ['an ordinary upload still says Uploaded', upload({ fraction: 0.9 }), doneWithoutLive, 'done']
  ] as const)('%s', (_what, before, after, expected) => {
    expect(uploadOutcome(before, after)).toBe(expected)
  })

  it('says the link was copied (one place for the words), or that it is ready when not copied', () => {
    expect(uploadOutcomeMessage(finishing, 'link', true)).toBe(LINK_COPIED_AT_STOP)
    expect(LINK_COPIED_AT_STOP).toBe('Link copied — the video will be ready in a moment.')
    expect(uploadOutcomeMessage(finishing, 'link', false)).toBe(LINK_READY_AT_STOP)
    // Main's OS notification says the same words as its title, without the full stop.
    expect(notificationTitle(LINK_COPIED_AT_STOP)).toBe(
      'Link copied — the video will be ready in a moment'
    )
    expect(notificationTitle(LINK_READY_AT_STOP)).toBe(
      'The link is ready — the video will be ready in a moment'
    )
  })

  it('"Saved" is not said as well when the link is told at Stop', () => {
    expect(linkToldAtStop(recording)).toBe(true)
    expect(linkToldAtStop(announced)).toBe(true)
    // Done before Stop was reported (main dropped `live`): announced is enough.
    expect(linkToldAtStop(done)).toBe(true)
    expect(linkToldAtStop(doneWithoutLive)).toBe(false)
    expect(linkToldAtStop({ ...recording, state: 'cancelled' })).toBe(false)
    expect(linkToldAtStop(upload({ live: 'recording' }))).toBe(false)
    expect(linkToldAtStop(upload({ fraction: 0.5 }))).toBe(false)
    expect(linkToldAtStop(undefined)).toBe(false)
  })

  it('the store tells a whole live upload exactly once: its link at Stop', () => {
    let listener: ((info: UploadInfo) => void) | null = null
    const store = createUploadsStore({
      invoke: (() => new Promise(() => undefined)) as never,
      on: ((_channel: string, cb: (info: UploadInfo) => void) => {
        listener = cb
        return () => undefined
      }) as never
    })
    const told: UploadEvent[] = []
    store.onOutcome((event) => told.push(event))
    store.subscribe(() => undefined)
    for (const info of [
      upload({ live: 'recording' }),
      recording,
      { ...recording, bytesSent: 6_000_000 },
      finishing,
      { ...finishing, linkAnnounced: true },
      { ...finishing, linkAnnounced: true, fraction: 0.9 },
      { ...processing, linkAnnounced: true },
      { ...done, linkAnnounced: true }
    ]) {
      listener!(info)
    }
    expect(told.map((e) => e.outcome)).toEqual(['link'])
    expect(told[0]!.upload).toEqual({ ...finishing, linkAnnounced: true })
  })
})

describe('Settings › Share while recording', () => {
  const connected: LibraryConfig = {
    url: 'https://library.example.com',
    hasToken: true,
    tokenEncrypted: true,
    managed: { url: false, token: false },
    shareWhileRecording: true,
    shareWhileRecordingManaged: false
  }
  const waits = 'It starts once a team library is connected.'
  const set = 'Set by your administrator (SIDECAST_SHARE_WHILE_RECORDING).'

  it.each([
    ['connected, on', connected, true, { checked: true, readOnly: false, note: null }],
    ['connected, turned off', connected, false, { checked: false, readOnly: false, note: null }],
    [
      'no library yet',
      unknownLibraryConfig(''),
      true,
      { checked: true, readOnly: false, note: waits }
    ],
    [
      'no library, off',
      unknownLibraryConfig(''),
      false,
      { checked: false, readOnly: false, note: null }
    ],
    [
      'an address but no token',
      { ...connected, hasToken: false, shareWhileRecording: false },
      true,
      { checked: true, readOnly: false, note: waits }
    ],
    [
      'managed off, whatever the setting',
      { ...connected, shareWhileRecording: false, shareWhileRecordingManaged: true },
      true,
      { checked: false, readOnly: true, note: set }
    ],
    [
      'managed on',
      { ...connected, shareWhileRecordingManaged: true },
      false,
      { checked: true, readOnly: true, note: set }
    ],
    [
      'managed, no library',
      { ...unknownLibraryConfig(''), shareWhileRecordingManaged: true },
      true,
      { checked: true, readOnly: true, note: `${set} ${waits}` }
    ]
  ] as const)('%s', (_what, config, draft, expected) => {
    expect(shareWhileRecordingView(config, draft)).toEqual(expected)
  })

  it('is saved with the other settings', () => {
    const draft = initialSettingsDraft(DEFAULT_SETTINGS)
    expect(draft.shareWhileRecording).toBe(true)
    const patch = settingsPatch({ ...draft, shareWhileRecording: false })
    expect(patch).toEqual({
      ok: true,
      patch: expect.objectContaining({ shareWhileRecording: false })
    })
  })
})
