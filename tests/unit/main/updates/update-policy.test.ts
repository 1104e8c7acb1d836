/** The update rules (src/main/updates/update-policy.ts), table by table. */
import { describe, expect, it } from 'vitest'
import {
  CHECK_INTERVAL_MS,
  NOT_INSTALLED,
  RETRY_AFTER_FAILURE_MS,
  automaticUpdates,
  feedUrl,
  nextCheckDelay,
  restartWaitsFor,
  updateErrorMessage,
  updateSupport,
  updatesEnv,
  type InstallFacts
} from '../../../../src/main/updates/update-policy'
import { createSettingsStore } from '../../../../src/main/settings/settings-store'
import type { UploadInfo } from '../../../../src/shared/ipc'
import { DEFAULT_SETTINGS, validateSettingsPatch } from '../../../../src/shared/settings'

const installed = (change: Partial<InstallFacts>): InstallFacts => ({
  isPackaged: true,
  platform: 'win32',
  appImage: false,
  packageType: null,
  ...change
})

describe('which copies update themselves', () => {
  it.each([
    ['an unpackaged app (npm start, the e2e runs)', { isPackaged: false }, 'none'],
    ['an unpackaged app on macOS', { isPackaged: false, platform: 'darwin' }, 'none'],
    ['the Windows installer', {}, 'install'],
    ['the macOS app', { platform: 'darwin' }, 'install'],
    ['the AppImage', { platform: 'linux', appImage: true }, 'install'],
    ['the .deb', { platform: 'linux', packageType: 'deb' }, 'notify'],
    ['an .rpm', { platform: 'linux', packageType: 'rpm\n' }, 'notify'],
    ['a Linux build of another kind', { platform: 'linux' }, 'none'],
    ['another system', { platform: 'freebsd' }, 'none']
  ] as const)('%s: %s', (_what, facts, mode) => {
    expect(updateSupport(installed(facts)).mode).toBe(mode)
  })

  it('says why, and what to do instead, in sentences', () => {
    expect(updateSupport(installed({ isPackaged: false }))).toEqual({
      mode: 'none',
      reason: NOT_INSTALLED
    })
    const deb = updateSupport(installed({ platform: 'linux', packageType: 'deb' }))
    expect(deb).toEqual({
      mode: 'notify',
      how: expect.stringMatching(/installed as a \.deb package.*package manager/)
    })
    const other = updateSupport(installed({ platform: 'linux' }))
    expect(other.mode === 'none' && other.reason).toMatch(/only the AppImage/)
  })
})

describe('automatic checks', () => {
  it('are off by default, in the settings and in a settings file from before they existed', () => {
    expect(DEFAULT_SETTINGS.checkForUpdates).toBe(false)
    const older = createSettingsStore({ store: { countdownSeconds: 5 }, set: () => undefined })
    expect(older.get().checkForUpdates).toBe(false)
    expect(validateSettingsPatch({ checkForUpdates: true })).toBeNull()
    expect(validateSettingsPatch({ checkForUpdates: 'yes' })).toMatch(/true or false/)
  })

  it.each([
    [undefined, null],
    ['', null],
    ['maybe', null],
    ['1', true],
    [' true ', true],
    ['on', true],
    ['0', false],
    ['FALSE', false],
    ['off', false]
  ])('SIDECAST_UPDATES=%j → %j', (value, expected) => {
    expect(updatesEnv({ SIDECAST_UPDATES: value })).toBe(expected)
  })

  it('follow the setting unless the environment fixes them', () => {
    expect(automaticUpdates(false, null)).toEqual({ on: false, managed: false })
    expect(automaticUpdates(true, null)).toEqual({ on: true, managed: false })
    expect(automaticUpdates(true, false)).toEqual({ on: false, managed: true })
    expect(automaticUpdates(false, true)).toEqual({ on: true, managed: true })
  })

  it('come every few hours, sooner after a failure', () => {
    expect(nextCheckDelay(false)).toBe(CHECK_INTERVAL_MS)
    expect(nextCheckDelay(true)).toBe(RETRY_AFTER_FAILURE_MS)
    expect(RETRY_AFTER_FAILURE_MS).toBeLessThan(CHECK_INTERVAL_MS)
  })
})

describe('the feed', () => {
  it.each([
    ['https://library.example.com', 'https://library.example.com/updates/'],
    ['https://example.com/library', 'https://example.com/library/updates/'],
    ['http://127.0.0.1:8080/', 'http://127.0.0.1:8080/updates/']
  ])('%s → %s', (library, feed) => {
    expect(feedUrl(library)).toBe(feed)
  })
})

describe('what holds a restart back', () => {
  const upload = (state: UploadInfo['state']): UploadInfo => ({
    id: 'u',
    projectId: 'p',
    title: 't',
    state,
    fraction: 0.5,
    bytesSent: 1,
    bytesTotal: 2,
    speedBps: null,
    etaMs: null,
    createdAt: '2026-12-01T10:00:00.000Z'
  })
  it.each([
    ['nothing running', 'idle', false, [], null],
    ['recording', 'recording', false, [], 'the recording'],
    ['paused', 'paused', false, [], 'the recording'],
    ['finishing a recording', 'finishing', false, [], 'the recording'],
    ['an export', 'idle', true, [], 'the export'],
    ['an upload sending', 'idle', false, ['uploading'], 'the upload'],
    ['an upload exporting first', 'idle', true, ['exporting'], 'the upload'],
    ['an upload waiting in the queue', 'idle', false, ['queued'], null],
    ['paused, failed and finished uploads', 'idle', false, ['paused', 'failed', 'done'], null],
    ['recording while uploading', 'recording', false, ['uploading'], 'the recording']
  ] as const)('%s', (_what, recorderPhase, exporting, states, expected) => {
    expect(restartWaitsFor({ recorderPhase, exporting, uploads: states.map(upload) })).toBe(
      expected
    )
  })
})

describe('failures in words', () => {
  const http = (statusCode: number): Error =>
    Object.assign(new Error(`HTTP ${statusCode}`), { statusCode })
  const coded = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code })
  it.each([
    [http(401), /refused the access token.*Team library/],
    [http(403), /refused the access token/],
    [http(404), /no updates for this system/],
    [coded('ERR_UPDATER_CHANNEL_FILE_NOT_FOUND', 'Cannot find channel "latest.yml"'), /no updates/],
    [http(503), /busy/],
    [http(500), /had a problem \(HTTP 500\)/],
    [new Error('net::ERR_CONNECTION_REFUSED'), /could not be reached/],
    [new Error('net::ERR_INTERNET_DISCONNECTED'), /could not be reached/],
    [coded('ENOTFOUND', 'getaddrinfo ENOTFOUND library'), /could not be reached/],
    [coded('ENOSPC', 'write failed'), /disk space/],
    [new Error('sha512 checksum mismatch, expected a, got b'), /damaged/],
    [new Error('New version 0.2.0 is not signed by the application owner: x'), /not signed/],
    [coded('ERR_UPDATER_INVALID_VERSION'), /latest\.yml.*could not be read/],
    [new Error('Something odd\n    at stack line'), /^Something odd\.$/],
    ['a string', /^a string\.$/]
  ])('%s', (error, message) => {
    expect(updateErrorMessage(error)).toMatch(message)
  })
})
